package iam

import (
	"context"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
)

// boundaryTypePolicy is the PermissionsBoundaryType AWS actually returns
// ("Policy"; e.g. the get-role and get-user examples of the AWS CLI reference),
// although the API model's enum names it PermissionsBoundaryPolicy.
const boundaryTypePolicy iamapi.PermissionsBoundaryAttachmentType = "Policy"

// checkBoundaryPolicy checks that arn names an existing managed policy that can
// serve as a permissions boundary: an AWS managed policy of the catalogue
// (except those reserved for service-linked roles) or a customer managed
// policy of the account.
func (s *Service) checkBoundaryPolicy(ctx context.Context, tx store.ReadTx, account, arn string) error {
	ref, err := parsePolicyARN(arn)
	if err != nil {
		return err
	}
	mp, err := s.lookupPolicy(ctx, tx, account, ref, policyNotAttachable(arn))
	if err != nil {
		return err
	}
	if ref.isAWS() && strings.HasPrefix(mp.Path, serviceRolePolicyPath) {
		return serviceRolePolicy()
	}
	return nil
}

// adjustBoundaryUsage changes a customer managed policy's count of entities using
// it as a permissions boundary. AWS managed policies keep no count here.
func (s *Service) adjustBoundaryUsage(ctx context.Context, tx store.Tx, arn string, delta int) error {
	pacct, name, ok := splitPolicyARN(arn)
	if !ok || pacct == store.AWSAccount {
		return nil
	}
	mp, err := store.GetJSON[store.ManagedPolicy](ctx, tx, store.KindPolicy, pacct, store.PolicyKey(name))
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	mp.PermissionsBoundaryUsageCount = max(0, mp.PermissionsBoundaryUsageCount+delta)
	return store.PutJSON(ctx, tx, store.KindPolicy, pacct, store.PolicyKey(name), mp)
}

func (s *Service) boundaryOps() []Op {
	return []Op{
		op("PutUserPermissionsBoundary", func(ctx context.Context, c *identity.Caller, in *iamapi.PutUserPermissionsBoundaryRequest) (Authz, error) {
			a, err := s.userAuthz(ctx, c, "iam:PutUserPermissionsBoundary", in.UserName)
			a.Context = withKey(a.Context, "iam:PermissionsBoundary", in.PermissionsBoundary)
			return a, err
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.PutUserPermissionsBoundaryRequest) (*noOutput, error) {
			return done(s.putBoundary(ctx, c.Account, principal{store.EntityUser, in.UserName}, in.PermissionsBoundary))
		}),
		op("DeleteUserPermissionsBoundary", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteUserPermissionsBoundaryRequest) (Authz, error) {
			return s.principalAuthz(ctx, c, "iam:DeleteUserPermissionsBoundary", principal{store.EntityUser, in.UserName}, "")
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteUserPermissionsBoundaryRequest) (*noOutput, error) {
			return done(s.putBoundary(ctx, c.Account, principal{store.EntityUser, in.UserName}, ""))
		}),
		op("PutRolePermissionsBoundary", func(ctx context.Context, c *identity.Caller, in *iamapi.PutRolePermissionsBoundaryRequest) (Authz, error) {
			a, err := s.principalAuthz(ctx, c, "iam:PutRolePermissionsBoundary", principal{store.EntityRole, in.RoleName}, "")
			a.Context = withKey(a.Context, "iam:PermissionsBoundary", in.PermissionsBoundary)
			return a, err
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.PutRolePermissionsBoundaryRequest) (*noOutput, error) {
			return done(s.putBoundary(ctx, c.Account, principal{store.EntityRole, in.RoleName}, in.PermissionsBoundary))
		}),
		op("DeleteRolePermissionsBoundary", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteRolePermissionsBoundaryRequest) (Authz, error) {
			return s.principalAuthz(ctx, c, "iam:DeleteRolePermissionsBoundary", principal{store.EntityRole, in.RoleName}, "")
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteRolePermissionsBoundaryRequest) (*noOutput, error) {
			return done(s.putBoundary(ctx, c.Account, principal{store.EntityRole, in.RoleName}, ""))
		}),
	}
}

// putBoundary sets (arn != "") or removes (arn == "") the permissions boundary
// of a user or role, keeping the policies' PermissionsBoundaryUsageCount in
// the same transaction. Removing a boundary that is not set changes nothing.
func (s *Service) putBoundary(ctx context.Context, account string, p principal, arn string) error {
	return s.update(ctx, func(tx store.Tx) error {
		action := "iam:PutRolePermissionsBoundary"
		if arn == "" {
			action = "iam:DeleteRolePermissionsBoundary"
		}
		r, err := loadForChange(ctx, tx, account, p, action)
		if err != nil {
			return err
		}
		if arn != "" {
			if err := s.checkBoundaryPolicy(ctx, tx, account, arn); err != nil {
				return err
			}
			if ref, _ := parsePolicyARN(arn); !ref.isAWS() {
				mp, err := s.lookupPolicy(ctx, tx, account, ref, policyNotAttachable(arn))
				if err != nil {
					return err
				}
				arn = mp.ARN // as stored, so counts and comparisons agree
			}
		}
		if r.Boundary == arn {
			return nil
		}
		if r.Boundary != "" {
			if err := s.adjustBoundaryUsage(ctx, tx, r.Boundary, -1); err != nil {
				return err
			}
		}
		if arn != "" {
			if err := s.adjustBoundaryUsage(ctx, tx, arn, +1); err != nil {
				return err
			}
		}
		switch p.kind {
		case store.EntityUser:
			u, err := getUser(ctx, tx, account, p.name)
			if err != nil {
				return err
			}
			u.PermissionsBoundaryARN = arn
			return store.PutJSON(ctx, tx, store.KindUser, account, store.UserKey(u.Name), u)
		case store.EntityRole:
			ro, err := store.GetJSON[store.Role](ctx, tx, store.KindRole, account, store.RoleKey(p.name))
			if err != nil {
				return notFound(err, p.missing())
			}
			ro.PermissionsBoundaryARN = arn
			return store.PutJSON(ctx, tx, store.KindRole, account, store.RoleKey(ro.Name), ro)
		}
		return awserr.InvalidInput("Permissions boundaries apply to users and roles only.")
	})
}
