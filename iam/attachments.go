package iam

import (
	"context"
	"sort"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
)

// maxAttachedPolicies is IAM's quota of managed policies attached to one user,
// group or role (IAM User Guide, reference_iam-quotas.md).
const maxAttachedPolicies = 10

// principal names a user, group or role that managed policies attach to.
type principal struct {
	kind store.EntityKind
	name string
}

// principalRecord is what the attachment operations need of a user, group or
// role, read from its store record.
type principalRecord struct {
	Name, ID, Path, ARN string
	Tags                []store.Tag
	Boundary            string
}

// quotaName is the name AWS gives the per-entity attachment quota in its
// LimitExceeded message ("Cannot exceed quota for PoliciesPerUser: 10").
func (p principal) quotaName() string {
	switch p.kind {
	case store.EntityGroup:
		return "PoliciesPerGroup"
	case store.EntityRole:
		return "PoliciesPerRole"
	}
	return "PoliciesPerUser"
}

// missing is AWS's NoSuchEntity error for the principal.
func (p principal) missing() *awserr.Error {
	switch p.kind {
	case store.EntityGroup:
		return awserr.NoSuchEntity("The group with name %s cannot be found.", p.name)
	case store.EntityRole:
		return awserr.NoSuchEntity("The role with name %s cannot be found.", p.name)
	}
	return noSuchUser(p.name)
}

// loadPrincipal reads a user, group or role record directly from the store.
func loadPrincipal(ctx context.Context, tx store.ReadTx, account string, p principal) (principalRecord, error) {
	var r principalRecord
	var err error
	switch p.kind {
	case store.EntityUser:
		var u store.User
		u, err = store.GetJSON[store.User](ctx, tx, store.KindUser, account, store.UserKey(p.name))
		r = principalRecord{Name: u.Name, ID: u.ID, Path: u.Path, ARN: u.ARN, Tags: u.Tags, Boundary: u.PermissionsBoundaryARN}
	case store.EntityGroup:
		var g store.Group
		g, err = store.GetJSON[store.Group](ctx, tx, store.KindGroup, account, store.GroupKey(p.name))
		r = principalRecord{Name: g.Name, ID: g.ID, Path: g.Path, ARN: g.ARN}
	case store.EntityRole:
		var ro store.Role
		ro, err = store.GetJSON[store.Role](ctx, tx, store.KindRole, account, store.RoleKey(p.name))
		r = principalRecord{Name: ro.Name, ID: ro.ID, Path: ro.Path, ARN: ro.ARN, Tags: ro.Tags, Boundary: ro.PermissionsBoundaryARN}
	}
	if isNotFound(err) {
		return r, p.missing()
	}
	return r, err
}

// loadForChange reads a user, group or role that roleAction is to change;
// a role AWS reserves (Reserved) is refused.
func loadForChange(ctx context.Context, tx store.ReadTx, account string, p principal, roleAction string) (principalRecord, error) {
	r, err := loadPrincipal(ctx, tx, account, p)
	if err != nil {
		return r, err
	}
	if p.kind == store.EntityRole {
		if err := reservedError(roleAction, r.ARN); err != nil {
			return r, err
		}
	}
	return r, nil
}

// serviceRolePolicy is AWS's PolicyNotAttachable error for an AWS managed
// policy reserved for service-linked roles.
func serviceRolePolicy() *awserr.Error {
	return awserr.PolicyNotAttachable("Cannot attach a Service Role Policy to a Customer Role.")
}

// principalAuthz describes a call on a user, group or role: its ARN with its
// path, its tags as aws:ResourceTag, its permissions boundary as
// iam:PermissionsBoundary and, when policyARN is set, iam:PolicyARN.
func (s *Service) principalAuthz(ctx context.Context, c *identity.Caller, action string, p principal, policyARN string) (Authz, error) {
	a := Authz{Action: action, Resource: iamARN(c.Account, string(p.kind)+"/"+p.name)}
	if policyARN != "" {
		a.Context = withKey(a.Context, "iam:PolicyARN", policyARN)
	}
	err := s.view(ctx, func(tx store.ReadTx) error {
		r, err := loadPrincipal(ctx, tx, c.Account, p)
		if err != nil {
			if _, ok := awserr.As(err); ok {
				return nil // the operation reports it
			}
			return err
		}
		a.Resource = r.ARN
		a.Context = resourceTagContext(a.Context, r.Tags)
		if r.Boundary != "" && p.kind != store.EntityGroup {
			a.Context = withKey(a.Context, "iam:PermissionsBoundary", r.Boundary)
		}
		return nil
	})
	return a, err
}

func (s *Service) attachmentOps() []Op {
	user := func(n string) principal { return principal{store.EntityUser, n} }
	group := func(n string) principal { return principal{store.EntityGroup, n} }
	role := func(n string) principal { return principal{store.EntityRole, n} }
	return []Op{
		attachOp(s, "AttachUserPolicy", func(in *iamapi.AttachUserPolicyRequest) (principal, string) { return user(in.UserName), in.PolicyArn }),
		attachOp(s, "AttachGroupPolicy", func(in *iamapi.AttachGroupPolicyRequest) (principal, string) {
			return group(in.GroupName), in.PolicyArn
		}),
		attachOp(s, "AttachRolePolicy", func(in *iamapi.AttachRolePolicyRequest) (principal, string) { return role(in.RoleName), in.PolicyArn }),
		detachOp(s, "DetachUserPolicy", func(in *iamapi.DetachUserPolicyRequest) (principal, string) { return user(in.UserName), in.PolicyArn }),
		detachOp(s, "DetachGroupPolicy", func(in *iamapi.DetachGroupPolicyRequest) (principal, string) {
			return group(in.GroupName), in.PolicyArn
		}),
		detachOp(s, "DetachRolePolicy", func(in *iamapi.DetachRolePolicyRequest) (principal, string) { return role(in.RoleName), in.PolicyArn }),
		listAttachedOp(s, "ListAttachedUserPolicies", func(in *iamapi.ListAttachedUserPoliciesRequest) (principal, *string, *string, *int32) {
			return user(in.UserName), in.PathPrefix, in.Marker, in.MaxItems
		}, func(ps []iamapi.AttachedPolicy, t *bool, m *string) *iamapi.ListAttachedUserPoliciesResponse {
			return &iamapi.ListAttachedUserPoliciesResponse{AttachedPolicies: ps, IsTruncated: t, Marker: m}
		}),
		listAttachedOp(s, "ListAttachedGroupPolicies", func(in *iamapi.ListAttachedGroupPoliciesRequest) (principal, *string, *string, *int32) {
			return group(in.GroupName), in.PathPrefix, in.Marker, in.MaxItems
		}, func(ps []iamapi.AttachedPolicy, t *bool, m *string) *iamapi.ListAttachedGroupPoliciesResponse {
			return &iamapi.ListAttachedGroupPoliciesResponse{AttachedPolicies: ps, IsTruncated: t, Marker: m}
		}),
		listAttachedOp(s, "ListAttachedRolePolicies", func(in *iamapi.ListAttachedRolePoliciesRequest) (principal, *string, *string, *int32) {
			return role(in.RoleName), in.PathPrefix, in.Marker, in.MaxItems
		}, func(ps []iamapi.AttachedPolicy, t *bool, m *string) *iamapi.ListAttachedRolePoliciesResponse {
			return &iamapi.ListAttachedRolePoliciesResponse{AttachedPolicies: ps, IsTruncated: t, Marker: m}
		}),
		op("ListEntitiesForPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.ListEntitiesForPolicyRequest) (Authz, error) {
			return s.policyAuthz(ctx, c, "iam:ListEntitiesForPolicy", in.PolicyArn)
		}, s.listEntitiesForPolicy),
	}
}

// attachOp and detachOp are the Attach*Policy and Detach*Policy operations
// of the principal and policy ARN of their input.
func attachOp[I any](s *Service, name string, of func(I) (principal, string)) Op {
	return op(name, func(ctx context.Context, c *identity.Caller, in I) (Authz, error) {
		p, arn := of(in)
		return s.principalAuthz(ctx, c, "iam:"+name, p, arn)
	}, func(ctx context.Context, c *identity.Caller, in I) (*noOutput, error) {
		p, arn := of(in)
		return done(s.attach(ctx, c.Account, p, arn))
	})
}

func detachOp[I any](s *Service, name string, of func(I) (principal, string)) Op {
	return op(name, func(ctx context.Context, c *identity.Caller, in I) (Authz, error) {
		p, arn := of(in)
		return s.principalAuthz(ctx, c, "iam:"+name, p, arn)
	}, func(ctx context.Context, c *identity.Caller, in I) (*noOutput, error) {
		p, arn := of(in)
		return done(s.detach(ctx, c.Account, p, arn))
	})
}

// listAttachedOp is a ListAttached*Policies operation: of gives its
// principal, PathPrefix, Marker and MaxItems, out builds its output.
func listAttachedOp[I, O any](s *Service, name string, of func(I) (principal, *string, *string, *int32), out func([]iamapi.AttachedPolicy, *bool, *string) O) Op {
	return op(name, func(ctx context.Context, c *identity.Caller, in I) (Authz, error) {
		p, _, _, _ := of(in)
		return s.principalAuthz(ctx, c, "iam:"+name, p, "")
	}, func(ctx context.Context, c *identity.Caller, in I) (O, error) {
		p, pathPrefix, marker, maxItems := of(in)
		ps, t, m, err := s.listAttached(ctx, c.Account, p, pathPrefix, marker, maxItems)
		if err != nil {
			var zero O
			return zero, err
		}
		return out(ps, t, m), nil
	})
}

// attach attaches a managed policy to a principal. Attaching a policy that is
// already attached changes nothing, as in IAM.
func (s *Service) attach(ctx context.Context, account string, p principal, arn string) error {
	ref, err := parsePolicyARN(arn)
	if err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		r, err := loadForChange(ctx, tx, account, p, "iam:AttachRolePolicy")
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
		who := principal{p.kind, r.Name}
		if ok, err := attachments.has(ctx, tx, account, who, policyEnd{ref.account, mp.Name}); ok || err != nil {
			return err
		}
		n, err := attachments.countFrom(ctx, tx, account, who)
		if err != nil {
			return err
		}
		if n >= maxAttachedPolicies {
			return awserr.LimitExceeded("Cannot exceed quota for %s: %d", p.quotaName(), maxAttachedPolicies)
		}
		if err := attachments.add(ctx, tx, account, store.Attachment{PolicyARN: mp.ARN, EntityKind: p.kind, EntityName: r.Name}); err != nil {
			return err
		}
		if ref.isAWS() {
			return nil // counted from the attachment records of each account
		}
		mp.AttachmentCount++
		return store.PutJSON(ctx, tx, store.KindPolicy, account, store.PolicyKey(mp.Name), mp)
	})
}

// detach removes a managed policy from a principal.
func (s *Service) detach(ctx context.Context, account string, p principal, arn string) error {
	ref, err := parsePolicyARN(arn)
	if err != nil {
		return err
	}
	return s.update(ctx, func(tx store.Tx) error {
		r, err := loadForChange(ctx, tx, account, p, "iam:DetachRolePolicy")
		if err != nil {
			return err
		}
		who, pol := principal{p.kind, r.Name}, policyEnd{ref.account, ref.name}
		a, err := attachments.get(ctx, tx, account, who, pol)
		if err == nil && a.PolicyARN != arn {
			// Same name, other path: not the attached policy.
			if ar, perr := parsePolicyARN(a.PolicyARN); perr != nil || ar.path != ref.path {
				err = store.ErrNotFound
			}
		}
		if err != nil {
			return notFound(err, policyNotFound(arn))
		}
		if err := attachments.remove(ctx, tx, account, who, pol); err != nil {
			return err
		}
		return uncountAttachment(ctx, tx, account, ref)
	})
}

// uncountAttachment lowers the AttachmentCount of the customer managed policy
// ref after one of its attachments is removed. AWS managed policies keep no
// count (they are counted from the attachment records of each account).
func uncountAttachment(ctx context.Context, tx store.Tx, account string, ref policyRef) error {
	if ref.isAWS() {
		return nil
	}
	mp, err := store.GetJSON[store.ManagedPolicy](ctx, tx, store.KindPolicy, account, store.PolicyKey(ref.name))
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	mp.AttachmentCount = max(0, mp.AttachmentCount-1)
	return store.PutJSON(ctx, tx, store.KindPolicy, account, store.PolicyKey(mp.Name), mp)
}

// listAttached lists the managed policies attached to a principal, paged and
// filtered by the policies' path.
func (s *Service) listAttached(ctx context.Context, account string, p principal, pathPrefix, marker *string, maxItems *int32) (out []iamapi.AttachedPolicy, truncated *bool, next *string, err error) {
	pg, err := pageOf(marker, maxItems)
	if err != nil {
		return nil, nil, nil, err
	}
	prefix := pathOr(pathPrefix)
	out = []iamapi.AttachedPolicy{}
	err = s.view(ctx, func(tx store.ReadTx) error {
		r, err := loadPrincipal(ctx, tx, account, p)
		if err != nil {
			return err
		}
		atts, t, m, err := listPage(ctx, tx, attachments.from(account, principal{p.kind, r.Name}), pg,
			func(a store.Attachment) bool {
				ref, err := parsePolicyARN(a.PolicyARN)
				return err == nil && hasPathPrefix(ref.path, prefix)
			})
		if err != nil {
			return err
		}
		for _, a := range atts {
			ref, _ := parsePolicyARN(a.PolicyARN)
			out = append(out, iamapi.AttachedPolicy{PolicyName: str(ref.name), PolicyArn: str(a.PolicyARN)})
		}
		truncated, next = truncatedOut(t, m)
		return nil
	})
	return out, truncated, next, err
}

// policyEntity is one entry of a ListEntitiesForPolicy listing; key orders
// the listing (kind, then folded name) and is its marker.
type policyEntity struct {
	key  string
	kind store.EntityKind
	rec  principalRecord
}

func (s *Service) listEntitiesForPolicy(ctx context.Context, c *identity.Caller, in *iamapi.ListEntitiesForPolicyRequest) (*iamapi.ListEntitiesForPolicyResponse, error) {
	ref, err := parsePolicyARN(in.PolicyArn)
	if err != nil {
		return nil, err
	}
	pg, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	prefix := pathOr(in.PathPrefix)
	wantKind := func(k store.EntityKind) bool {
		if in.EntityFilter == nil {
			return true
		}
		switch *in.EntityFilter {
		case iamapi.EntityTypeUser:
			return k == store.EntityUser
		case iamapi.EntityTypeGroup:
			return k == store.EntityGroup
		case iamapi.EntityTypeRole:
			return k == store.EntityRole
		}
		return false // LocalManagedPolicy and AWSManagedPolicy name no principals
	}
	usage := iamapi.PolicyUsageType("")
	if in.PolicyUsageFilter != nil {
		usage = *in.PolicyUsageFilter
	}
	out := &iamapi.ListEntitiesForPolicyResponse{PolicyGroups: []iamapi.PolicyGroup{}, PolicyUsers: []iamapi.PolicyUser{}, PolicyRoles: []iamapi.PolicyRole{}}
	err = s.view(ctx, func(tx store.ReadTx) error {
		mp, err := s.lookupPolicy(ctx, tx, c.Account, ref, policyNotFound(in.PolicyArn))
		if err != nil {
			return err
		}
		found := map[string]policyEntity{}
		add := func(kind store.EntityKind, r principalRecord) {
			if wantKind(kind) && hasPathPrefix(r.Path, prefix) {
				k := string(kind) + store.Sep + strings.ToLower(r.Name)
				found[k] = policyEntity{key: k, kind: kind, rec: r}
			}
		}
		// Entities the policy is attached to, as a permissions policy.
		if usage != iamapi.PolicyUsageTypePermissionsBoundary {
			atts, err := attachments.listTo(ctx, tx, c.Account, policyEnd{ref.account, mp.Name})
			if err != nil {
				return err
			}
			for _, a := range atts {
				r, err := loadPrincipal(ctx, tx, c.Account, principal{a.EntityKind, a.EntityName})
				if _, ok := awserr.As(err); ok {
					continue
				}
				if err != nil {
					return err
				}
				add(a.EntityKind, r)
			}
		}
		// Users and roles that use it as their permissions boundary.
		// (IAM lists them too: a boundary is a use of the policy.)
		if usage != iamapi.PolicyUsageTypePermissionsPolicy {
			users, err := store.ListValues[store.User](ctx, tx, store.ListOptions{Kind: store.KindUser, Account: c.Account})
			if err != nil {
				return err
			}
			for _, u := range users {
				if strings.EqualFold(u.PermissionsBoundaryARN, mp.ARN) {
					add(store.EntityUser, principalRecord{Name: u.Name, ID: u.ID, Path: u.Path})
				}
			}
			roles, err := store.ListValues[store.Role](ctx, tx, store.ListOptions{Kind: store.KindRole, Account: c.Account})
			if err != nil {
				return err
			}
			for _, r := range roles {
				if strings.EqualFold(r.PermissionsBoundaryARN, mp.ARN) {
					add(store.EntityRole, principalRecord{Name: r.Name, ID: r.ID, Path: r.Path})
				}
			}
		}
		all := make([]policyEntity, 0, len(found))
		for _, e := range found {
			all = append(all, e)
		}
		sort.Slice(all, func(i, j int) bool { return all[i].key < all[j].key })
		items, truncated, marker := slicePage(all, func(e policyEntity) string { return e.key }, pg)
		for _, e := range items {
			switch e.kind {
			case store.EntityUser:
				out.PolicyUsers = append(out.PolicyUsers, iamapi.PolicyUser{UserName: str(e.rec.Name), UserId: str(e.rec.ID)})
			case store.EntityGroup:
				out.PolicyGroups = append(out.PolicyGroups, iamapi.PolicyGroup{GroupName: str(e.rec.Name), GroupId: str(e.rec.ID)})
			case store.EntityRole:
				out.PolicyRoles = append(out.PolicyRoles, iamapi.PolicyRole{RoleName: str(e.rec.Name), RoleId: str(e.rec.ID)})
			}
		}
		out.IsTruncated, out.Marker = truncatedOut(truncated, marker)
		return nil
	})
	return out, err
}
