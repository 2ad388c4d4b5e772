package iam

import (
	"context"
	"errors"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Aggregate size quotas of inline policies per entity, in characters without
// white space (IAM User Guide, reference_iam-quotas.md).
const (
	maxInlineUser  = 2048
	maxInlineGroup = 5120
	maxInlineRole  = 10240
)

// checkPolicyDocument parses a document of the given kind and returns AWS's
// MalformedPolicyDocument error when it is invalid.
func checkPolicyDocument(doc string, kind policy.Kind) (*policy.Document, error) {
	d, err := policy.Parse(doc, kind)
	if err != nil {
		var se *policy.SyntaxError
		if errors.As(err, &se) {
			return nil, awserr.MalformedPolicyDocument("%s", se.Message)
		}
		return nil, awserr.MalformedPolicyDocument("Syntax errors in policy.")
	}
	return d, nil
}

// inlineOwner says whose inline policies an operation addresses.
type inlineOwner struct {
	kind store.EntityKind
	name string
}

// ownerExists checks that the owning entity exists, with the AWS error if not.
func ownerExists(ctx context.Context, tx store.ReadTx, account string, o inlineOwner) error {
	var kind store.Kind
	var key string
	var missing *awserr.Error
	switch o.kind {
	case store.EntityUser:
		kind, key, missing = store.KindUser, store.UserKey(o.name), noSuchUser(o.name)
	case store.EntityGroup:
		kind, key, missing = store.KindGroup, store.GroupKey(o.name), awserr.NoSuchEntity("The group with name %s cannot be found.", o.name)
	case store.EntityRole:
		kind, key, missing = store.KindRole, store.RoleKey(o.name), awserr.NoSuchEntity("The role with name %s cannot be found.", o.name)
	}
	_, err := tx.Get(ctx, kind, account, key)
	if isNotFound(err) {
		return missing
	}
	return err
}

// putInline stores an inline policy, enforcing the owner's aggregate size quota.
func (s *Service) putInline(ctx context.Context, account string, o inlineOwner, name, doc string) error {
	if _, err := checkPolicyDocument(doc, policy.KindIdentity); err != nil {
		return err
	}
	quota := map[store.EntityKind]int{store.EntityUser: maxInlineUser, store.EntityGroup: maxInlineGroup, store.EntityRole: maxInlineRole}[o.kind]
	return s.update(ctx, func(tx store.Tx) error {
		if err := ownerExists(ctx, tx, account, o); err != nil {
			return err
		}
		existing, err := store.ListValues[store.InlinePolicy](ctx, tx, store.ListOptions{Kind: store.KindInlinePolicy, Account: account, Prefix: store.InlinePolicyPrefix(o.kind, o.name)})
		if err != nil {
			return err
		}
		total := policy.Size(doc)
		for _, ip := range existing {
			if ip.PolicyName != name {
				total += policy.Size(ip.Document)
			}
		}
		if total > quota {
			return awserr.LimitExceeded("Maximum policy size of %d bytes exceeded for %s %s", quota, o.kind, o.name)
		}
		ip := store.InlinePolicy{OwnerKind: o.kind, OwnerName: o.name, PolicyName: name, Document: doc}
		return store.PutJSON(ctx, tx, store.KindInlinePolicy, account, store.InlinePolicyKey(o.kind, o.name, name), ip)
	})
}

// getInline reads an inline policy.
func (s *Service) getInline(ctx context.Context, account string, o inlineOwner, name string) (store.InlinePolicy, error) {
	var ip store.InlinePolicy
	err := s.view(ctx, func(tx store.ReadTx) error {
		if err := ownerExists(ctx, tx, account, o); err != nil {
			return err
		}
		var err error
		ip, err = store.GetJSON[store.InlinePolicy](ctx, tx, store.KindInlinePolicy, account, store.InlinePolicyKey(o.kind, o.name, name))
		if isNotFound(err) {
			return awserr.NoSuchEntity("The %s policy with name %s cannot be found.", o.kind, name)
		}
		return err
	})
	return ip, err
}

// deleteInline removes an inline policy.
func (s *Service) deleteInline(ctx context.Context, account string, o inlineOwner, name string) error {
	return s.update(ctx, func(tx store.Tx) error {
		if err := ownerExists(ctx, tx, account, o); err != nil {
			return err
		}
		err := tx.Delete(ctx, store.KindInlinePolicy, account, store.InlinePolicyKey(o.kind, o.name, name))
		if isNotFound(err) {
			return awserr.NoSuchEntity("The %s policy with name %s cannot be found.", o.kind, name)
		}
		return err
	})
}

// listInline lists inline policy names, paged.
func (s *Service) listInline(ctx context.Context, account string, o inlineOwner, marker *string, maxItems *int32) (names []string, truncated *bool, next *string, err error) {
	p, err := pageOf(marker, maxItems)
	if err != nil {
		return nil, nil, nil, err
	}
	names = []string{}
	err = s.view(ctx, func(tx store.ReadTx) error {
		if err := ownerExists(ctx, tx, account, o); err != nil {
			return err
		}
		ips, t, m, err := listPage[store.InlinePolicy](ctx, tx, store.ListOptions{Kind: store.KindInlinePolicy, Account: account, Prefix: store.InlinePolicyPrefix(o.kind, o.name)}, p, nil)
		if err != nil {
			return err
		}
		for _, ip := range ips {
			names = append(names, ip.PolicyName)
		}
		truncated, next = truncatedOut(t, m)
		return nil
	})
	return names, truncated, next, err
}

func (s *Service) inlinePolicyOps() []Op {
	user := func(name string) inlineOwner { return inlineOwner{store.EntityUser, name} }
	return []Op{
		op("PutUserPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.PutUserPolicyRequest) (Authz, error) {
			return s.userAuthz(ctx, c, "iam:PutUserPolicy", in.UserName)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.PutUserPolicyRequest) (*noOutput, error) {
			return done(s.putInline(ctx, c.Account, user(in.UserName), in.PolicyName, in.PolicyDocument))
		}),
		op("GetUserPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.GetUserPolicyRequest) (Authz, error) {
			return s.userAuthz(ctx, c, "iam:GetUserPolicy", in.UserName)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.GetUserPolicyRequest) (*iamapi.GetUserPolicyResponse, error) {
			ip, err := s.getInline(ctx, c.Account, user(in.UserName), in.PolicyName)
			if err != nil {
				return nil, err
			}
			return &iamapi.GetUserPolicyResponse{UserName: ip.OwnerName, PolicyName: ip.PolicyName, PolicyDocument: encodeDocument(ip.Document)}, nil
		}),
		op("DeleteUserPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteUserPolicyRequest) (Authz, error) {
			return s.userAuthz(ctx, c, "iam:DeleteUserPolicy", in.UserName)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteUserPolicyRequest) (*noOutput, error) {
			return done(s.deleteInline(ctx, c.Account, user(in.UserName), in.PolicyName))
		}),
		op("ListUserPolicies", func(ctx context.Context, c *identity.Caller, in *iamapi.ListUserPoliciesRequest) (Authz, error) {
			return s.userAuthz(ctx, c, "iam:ListUserPolicies", in.UserName)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.ListUserPoliciesRequest) (*iamapi.ListUserPoliciesResponse, error) {
			names, t, m, err := s.listInline(ctx, c.Account, user(in.UserName), in.Marker, in.MaxItems)
			if err != nil {
				return nil, err
			}
			return &iamapi.ListUserPoliciesResponse{PolicyNames: names, IsTruncated: t, Marker: m}, nil
		}),
	}
}
