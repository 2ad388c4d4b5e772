package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gatehouse-iam/gatehouse/authz"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/sigv4"
	"github.com/gatehouse-iam/gatehouse/store"
)

// openSession opens the session token of a request signed with temporary
// credentials and returns a context carrying the session (for the verifier,
// which finds the secret there, and for the services). A token that is not
// sealed by this cluster for the request's access key id is
// InvalidClientTokenId; an expired one ExpiredToken. No store read happens.
func (s *Server) openSession(ctx context.Context, a *sigv4.Auth) (context.Context, error) {
	sess, err := s.sts.OpenSession(a.SessionToken, a.AccessKeyID)
	if err != nil {
		return ctx, err
	}
	return session.NewContext(ctx, sess), nil
}

// sessionSecret returns the secret of the session opened for this request, if
// its access key id is id.
func sessionSecret(ctx context.Context, id string) ([]byte, bool) {
	sess, ok := session.FromContext(ctx)
	if !ok || sess.AccessKeyID != id {
		return nil, false
	}
	return []byte(sess.Secret), true
}

// sessionCaller builds the caller of a request whose signature was verified
// with the secret of its session token: a role session, a federated user, or
// the IAM user (or root user) that called GetSessionToken.
func (s *Server) sessionCaller(r *http.Request, a *sigv4.Auth) (*identity.Caller, error) {
	sess, ok := session.FromContext(r.Context())
	if !ok || sess.AccessKeyID != a.AccessKeyID {
		return nil, awserr.New(awserr.CodeInvalidClientTokenID, "The security token included in the request is invalid.")
	}
	c := &identity.Caller{AccessKeyID: a.AccessKeyID, Region: requestedRegion(a.Service, a.Region), Time: s.now(), SourceIP: clientIP(r), SecureTransport: r.TLS != nil, Clock: &s.clock}
	if err := s.sts.Identify(r.Context(), sess, a.Service, c); err != nil {
		return nil, err
	}
	return c, nil
}

// AuthorizationMessage explains how the policy engine decides the call az by
// c and returns the explanation as an encoded authorization message, the
// opaque text that services which encode their authorization failures (EC2's
// "Encoded authorization failure message: …") append to them, and that
// sts:DecodeAuthorizationMessage opens for callers of c's account. IAM and STS
// do not append one to their AccessDenied errors, as AWS's do not.
func (s *Server) AuthorizationMessage(ctx context.Context, c *identity.Caller, az operation.Authz) (string, error) {
	as, err := s.authz.Assemble(ctx, authz.Request{Caller: c, Action: az.Action, Resource: az.Resource, ResourceAccount: az.ResourceAccount, Context: az.Context})
	if err != nil {
		return "", err
	}
	return s.sts.EncodeAuthorizationMessage(c, as.Set, as.Request)
}

// roleUseBatch collects the last use of roles between flushes.
type roleUseBatch struct {
	mu sync.Mutex
	m  map[iam.RoleUse]store.RoleLastUsed
}

// noteRoleUse remembers that a role was assumed, in a region at a time;
// FlushKeyUse writes the batch, so AssumeRole never waits on a write.
func (s *Server) noteRoleUse(account, name, id, region string, at time.Time) {
	b := &s.roleUses
	b.mu.Lock()
	if b.m == nil {
		b.m = map[iam.RoleUse]store.RoleLastUsed{}
	}
	b.m[iam.RoleUse{Account: account, Name: name, ID: id}] = store.RoleLastUsed{Date: at.UTC().Truncate(time.Second), Region: region}
	b.mu.Unlock()
}

// flushRoleUse writes the batched role last-used records.
func (s *Server) flushRoleUse(ctx context.Context) error {
	b := &s.roleUses
	b.mu.Lock()
	uses := b.m
	b.m = nil
	b.mu.Unlock()
	return s.iam.RecordRoleUse(ctx, uses)
}
