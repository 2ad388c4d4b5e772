package sts

import (
	"context"
	"crypto/subtle"
	"errors"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/store"
)

// GetDelegatedAccessToken "Exchanges a trade-in token for temporary AWS
// credentials with the permissions associated with the assumed principal"
// (API_GetDelegatedAccessToken): the token IAM's SendDelegationToken
// delivered to the partner that created the request. It is single use, it
// opens only for the partner's account, and it lives as long as the
// delegation: "The delegation period (exchange token validity) begins when
// the request reaches Finalized state", so the credentials expire when the
// request's SessionDuration, counted from SendDelegationToken, ends. The
// credentials are an ordinary session of the principal that accepted the
// request, with the request's permission policy as its session policy
// (what both allow).
func (s *Service) getDelegatedAccessTokenOp() operation.Op {
	return operation.New("GetDelegatedAccessToken", func(ctx context.Context, c *identity.Caller, in *stsapi.GetDelegatedAccessTokenRequest) (operation.Authz, error) {
		return operation.Authz{Action: "sts:GetDelegatedAccessToken", Resource: "*"}, nil
	}, s.getDelegatedAccessToken)
}

// expiredTradeIn is the answer to a token that cannot be exchanged: unknown,
// already used, expired, or presented by another account (which are not told
// apart, so a token reveals nothing). The message is the model's
// documentation of ExpiredTradeInTokenException.
func expiredTradeIn() *awserr.Error {
	return awserr.ExpiredTradeInTokenException("The trade-in token provided in the request has expired and can no longer be exchanged for credentials. Request a new token and retry the operation.")
}

func (s *Service) getDelegatedAccessToken(ctx context.Context, c *identity.Caller, in *stsapi.GetDelegatedAccessTokenRequest) (*stsapi.GetDelegatedAccessTokenResponse, error) {
	if len(in.TradeInToken) > 512 {
		return nil, expiredTradeIn()
	}
	hash := store.DelegationTokenHash(in.TradeInToken)
	now := s.now().UTC()
	var r store.DelegationRequest
	err := s.st.Update(ctx, func(tx store.Tx) error {
		key := store.DelegationTokenKey(hash)
		id, err := store.GetJSON[string](ctx, tx, store.KindDelegationToken, "", key)
		if err != nil {
			return err
		}
		r, err = store.GetJSON[store.DelegationRequest](ctx, tx, store.KindDelegationRequest, "", id)
		if err != nil {
			return err
		}
		if subtle.ConstantTimeCompare(r.TokenHash, hash) != 1 || r.TokenUsed || r.State != "FINALIZED" ||
			!now.Before(r.Expiration) || r.Accepted == nil || r.RequestorAccount != c.Account {
			return errTradeIn
		}
		r.TokenUsed = true
		r.UpdatedTime = now.Truncate(time.Second)
		if err := tx.Delete(ctx, store.KindDelegationToken, "", key); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, store.KindDelegationRequest, "", r.ID, r)
	})
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, errTradeIn) {
		return nil, expiredTradeIn()
	}
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	p := r.Accepted
	sess := &session.Session{Account: p.Account, Policy: r.PermissionPolicy, Delegation: r.ID}
	assumed := p.ARN
	switch p.Type {
	case "user":
		sess.Kind, sess.UserName = session.KindUser, p.UserName
	case "root":
		sess.Kind, assumed = session.KindUser, arn.Root(p.Account)
	case "role":
		role, err := s.role(ctx, p.Account, p.RoleName)
		if err != nil || role.ID != p.RoleID {
			// The role was deleted since it accepted: nothing to act as.
			return nil, expiredTradeIn()
		}
		sess.Kind, sess.RoleARN, sess.RoleName, sess.RoleID, sess.Name = session.KindRole, role.ARN, role.Name, role.ID, p.SessionName
	default:
		return nil, expiredTradeIn()
	}
	dur := int32(r.Expiration.Sub(now) / time.Second)
	if dur < 1 {
		return nil, expiredTradeIn()
	}
	creds, err := s.issue(sess, now, dur)
	if err != nil {
		return nil, err
	}
	return &stsapi.GetDelegatedAccessTokenResponse{Credentials: creds, AssumedPrincipal: &assumed}, nil
}

// errTradeIn rolls back an exchange that must not happen.
var errTradeIn = errors.New("sts: trade-in token refused")
