package iam

import (
	"context"
	"fmt"
	"github.com/google/uuid"
	"io"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/ids"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Role quotas and defaults (IAM User Guide, reference_iam-quotas.md).
const (
	// maxRoles is the default quota of roles per account.
	maxRoles = 1000
	// maxTrustPolicySize is the default "Role trust policy length", counted
	// without white space like every policy quota.
	maxTrustPolicySize = 2048
	// defaultMaxSessionDuration is a role's maximum session duration when
	// CreateRole does not set one (one hour).
	defaultMaxSessionDuration = 3600
	// maxRoleName is the length limit of role names.
	maxRoleName = 64
)

// slrPathPrefix starts the path of every service-linked role:
// /aws-service-role/SERVICE-PRINCIPAL/.
const slrPathPrefix = "/aws-service-role/"

// kindSLRDeletionTask stores the service-linked role deletion tasks that
// DeleteServiceLinkedRole starts, so that GetServiceLinkedRoleDeletionStatus
// can report them; key = the task id, in the role's account; value
// [slrDeletionTask].
const kindSLRDeletionTask store.Kind = "slr-deletion-task"

// slrDeletionTask is one service-linked role deletion.
type slrDeletionTask struct {
	ID         string    `json:"id"`
	RoleName   string    `json:"roleName"`
	RoleARN    string    `json:"roleArn"`
	Status     string    `json:"status"`
	Reason     string    `json:"reason,omitempty"`
	CreateDate time.Time `json:"createDate"`
}

func noSuchRole(name string) *awserr.Error {
	return awserr.NoSuchEntity("The role with name %s cannot be found.", name)
}

// roleOut converts a stored role to the API shape, as GetRole returns it: the
// trust policy URL-encoded and RoleLastUsed always present (empty when the role
// was never used).
func roleOut(r store.Role) *iamapi.Role {
	out := &iamapi.Role{
		Path: r.Path, RoleName: r.Name, RoleId: r.ID, Arn: r.ARN, CreateDate: r.CreateDate,
		AssumeRolePolicyDocument: str(encodeDocument(r.AssumeRolePolicyDocument)),
		MaxSessionDuration:       ptr(int32(r.MaxSessionDuration)),
		Tags:                     tagsOut(r.Tags),
		RoleLastUsed:             &iamapi.RoleLastUsed{},
	}
	if r.Description != "" {
		out.Description = str(r.Description)
	}
	if r.PermissionsBoundaryARN != "" {
		out.PermissionsBoundary = &iamapi.AttachedPermissionsBoundary{
			PermissionsBoundaryType: ptr(boundaryTypePolicy),
			PermissionsBoundaryArn:  str(r.PermissionsBoundaryARN),
		}
	}
	if !r.RoleLastUsed.Date.IsZero() {
		d := r.RoleLastUsed.Date
		out.RoleLastUsed.LastUsedDate = &d
	}
	if r.RoleLastUsed.Region != "" {
		out.RoleLastUsed.Region = str(r.RoleLastUsed.Region)
	}
	return out
}

// roleListOut is the subset of a role that IAM's listing operations return:
// "ListRoles … does not return the following attributes, even though they are
// an attribute of the returned object: PermissionsBoundary, RoleLastUsed,
// Tags" (API_ListRoles.html).
func roleListOut(r store.Role) iamapi.Role {
	out := roleOut(r)
	out.PermissionsBoundary, out.RoleLastUsed, out.Tags = nil, nil, nil
	return *out
}

// getRole reads a role, or NoSuchEntity.
func getRole(ctx context.Context, tx store.ReadTx, account, name string) (store.Role, error) {
	r, err := store.GetJSON[store.Role](ctx, tx, store.KindRole, account, store.RoleKey(name))
	if isNotFound(err) {
		return r, noSuchRole(name)
	}
	return r, err
}

// roleAuthz describes a call on a role: its ARN with its path, its tags as
// aws:ResourceTag, and its permissions boundary as iam:PermissionsBoundary for
// the actions that support that key.
func (s *Service) roleAuthz(ctx context.Context, c *identity.Caller, action, name string) (Authz, error) {
	a := Authz{Action: action, Resource: arn.Role(c.Account, "/", name)}
	err := s.view(ctx, func(tx store.ReadTx) error {
		r, err := store.GetJSON[store.Role](ctx, tx, store.KindRole, c.Account, store.RoleKey(name))
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		a.Resource = r.ARN
		a.Context = resourceTagContext(a.Context, r.Tags)
		if r.PermissionsBoundaryARN != "" && boundaryKeyActions[action] {
			a.Context = withKey(a.Context, "iam:PermissionsBoundary", r.PermissionsBoundaryARN)
		}
		return nil
	})
	return a, err
}

// boundaryKeyActions are the role actions whose authorization supports the
// iam:PermissionsBoundary condition key (service authorization reference).
var boundaryKeyActions = map[string]bool{
	"iam:DeleteRole": true, "iam:DeleteRolePolicy": true, "iam:GetRole": true, "iam:PutRolePolicy": true,
	"iam:UpdateAssumeRolePolicy": true, "iam:UpdateRole": true, "iam:UpdateRoleDescription": true,
}

// checkTrustPolicy parses a trust policy, applies the checks of a trust
// policy that need no store (checkTrustDocument) and enforces its length
// quota. The caller checks its principals against the store
// (checkTrustPrincipals) in the transaction that stores it.
func checkTrustPolicy(doc string) (*policy.Document, error) {
	d, err := checkPolicyDocument(doc, policy.KindTrust)
	if err != nil {
		return nil, err
	}
	noLookup := func(string, string, string, string) (bool, bool, error) { return false, false, nil }
	if err := checkTrustDocument(d, noLookup); err != nil {
		return nil, err
	}
	if policy.Size(doc) > maxTrustPolicySize {
		return nil, awserr.LimitExceeded("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize)
	}
	return d, nil
}

// reservedPathPrefixes are the role paths CreateRole refuses, with AWS's
// message for /aws-service-role/: "Path prefix '/aws-service-role/' can only
// be used for AWS Service linked Roles" (InvalidInput, quoted in
// github.com/tilfin/aws-iam-policy-tool/pull/9). /aws-reserved/ (IAM Identity
// Center's roles) is refused alike, decided by analogy: its roles are AWS's
// too, and Reserved protects every role under it.
var reservedPathPrefixes = []struct{ prefix, owner string }{
	{slrPathPrefix, "AWS Service linked Roles"},
	{reservedSSOPath, "AWS reserved roles"},
}

func (s *Service) roleOps() []Op {
	role := func(name string) inlineOwner { return inlineOwner{store.EntityRole, name} }
	return []Op{
		op("CreateRole", func(ctx context.Context, c *identity.Caller, in *iamapi.CreateRoleRequest) (Authz, error) {
			a := Authz{Action: "iam:CreateRole", Resource: arn.Role(c.Account, pathOr(in.Path), in.RoleName), Context: requestTagContext(in.Tags)}
			if in.PermissionsBoundary != nil {
				a.Context = withKey(a.Context, "iam:PermissionsBoundary", *in.PermissionsBoundary)
			}
			return a, nil
		}, s.createRole),
		op("GetRole", func(ctx context.Context, c *identity.Caller, in *iamapi.GetRoleRequest) (Authz, error) {
			return s.roleAuthz(ctx, c, "iam:GetRole", in.RoleName)
		}, s.getRole),
		op("ListRoles", func(ctx context.Context, c *identity.Caller, in *iamapi.ListRolesRequest) (Authz, error) {
			return Authz{Action: "iam:ListRoles", Resource: iamARN(c.Account, "role/")}, nil
		}, s.listRoles),
		op("UpdateRole", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateRoleRequest) (Authz, error) {
			return s.roleAuthz(ctx, c, "iam:UpdateRole", in.RoleName)
		}, s.updateRole),
		op("UpdateRoleDescription", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateRoleDescriptionRequest) (Authz, error) {
			return s.roleAuthz(ctx, c, "iam:UpdateRoleDescription", in.RoleName)
		}, s.updateRoleDescription),
		op("UpdateAssumeRolePolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateAssumeRolePolicyRequest) (Authz, error) {
			return s.roleAuthz(ctx, c, "iam:UpdateAssumeRolePolicy", in.RoleName)
		}, s.updateAssumeRolePolicy),
		op("DeleteRole", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteRoleRequest) (Authz, error) {
			return s.roleAuthz(ctx, c, "iam:DeleteRole", in.RoleName)
		}, s.deleteRole),
		op("TagRole", func(ctx context.Context, c *identity.Caller, in *iamapi.TagRoleRequest) (Authz, error) {
			a, err := s.roleAuthz(ctx, c, "iam:TagRole", in.RoleName)
			a.Context = mergeContext(a.Context, requestTagContext(in.Tags))
			return a, err
		}, s.tagRole),
		op("UntagRole", func(ctx context.Context, c *identity.Caller, in *iamapi.UntagRoleRequest) (Authz, error) {
			a, err := s.roleAuthz(ctx, c, "iam:UntagRole", in.RoleName)
			a.Context = withKey(a.Context, "aws:TagKeys", in.TagKeys...)
			return a, err
		}, s.untagRole),
		op("ListRoleTags", func(ctx context.Context, c *identity.Caller, in *iamapi.ListRoleTagsRequest) (Authz, error) {
			return s.roleAuthz(ctx, c, "iam:ListRoleTags", in.RoleName)
		}, s.listRoleTags),
		op("PutRolePolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.PutRolePolicyRequest) (Authz, error) {
			return s.roleAuthz(ctx, c, "iam:PutRolePolicy", in.RoleName)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.PutRolePolicyRequest) (*noOutput, error) {
			if err := s.refuseReserved(ctx, c.Account, "iam:PutRolePolicy", in.RoleName); err != nil {
				return nil, err
			}
			return done(s.putInline(ctx, c.Account, role(in.RoleName), in.PolicyName, in.PolicyDocument))
		}),
		op("GetRolePolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.GetRolePolicyRequest) (Authz, error) {
			return s.roleAuthz(ctx, c, "iam:GetRolePolicy", in.RoleName)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.GetRolePolicyRequest) (*iamapi.GetRolePolicyResponse, error) {
			ip, err := s.getInline(ctx, c.Account, role(in.RoleName), in.PolicyName)
			if err != nil {
				return nil, err
			}
			return &iamapi.GetRolePolicyResponse{RoleName: ip.OwnerName, PolicyName: ip.PolicyName, PolicyDocument: encodeDocument(ip.Document)}, nil
		}),
		op("DeleteRolePolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteRolePolicyRequest) (Authz, error) {
			return s.roleAuthz(ctx, c, "iam:DeleteRolePolicy", in.RoleName)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteRolePolicyRequest) (*noOutput, error) {
			if err := s.refuseReserved(ctx, c.Account, "iam:DeleteRolePolicy", in.RoleName); err != nil {
				return nil, err
			}
			return done(s.deleteInline(ctx, c.Account, role(in.RoleName), in.PolicyName))
		}),
		op("ListRolePolicies", func(ctx context.Context, c *identity.Caller, in *iamapi.ListRolePoliciesRequest) (Authz, error) {
			return s.roleAuthz(ctx, c, "iam:ListRolePolicies", in.RoleName)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.ListRolePoliciesRequest) (*iamapi.ListRolePoliciesResponse, error) {
			names, t, m, err := s.listInline(ctx, c.Account, role(in.RoleName), in.Marker, in.MaxItems)
			if err != nil {
				return nil, err
			}
			return &iamapi.ListRolePoliciesResponse{PolicyNames: names, IsTruncated: t, Marker: m}, nil
		}),
		op("CreateServiceLinkedRole", func(ctx context.Context, c *identity.Caller, in *iamapi.CreateServiceLinkedRoleRequest) (Authz, error) {
			name := slrName(in.AWSServiceName, in.CustomSuffix)
			return Authz{Action: "iam:CreateServiceLinkedRole", Resource: arn.Role(c.Account, slrPathPrefix+in.AWSServiceName+"/", name),
				Context: map[string][]string{"iam:AWSServiceName": {in.AWSServiceName}}}, nil
		}, s.createServiceLinkedRole),
		op("DeleteServiceLinkedRole", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteServiceLinkedRoleRequest) (Authz, error) {
			return s.roleAuthz(ctx, c, "iam:DeleteServiceLinkedRole", in.RoleName)
		}, s.deleteServiceLinkedRole),
		op("GetServiceLinkedRoleDeletionStatus", func(ctx context.Context, c *identity.Caller, in *iamapi.GetServiceLinkedRoleDeletionStatusRequest) (Authz, error) {
			a := Authz{Action: "iam:GetServiceLinkedRoleDeletionStatus", Resource: iamARN(c.Account, "role/*")}
			if service, name, ok := parseDeletionTaskID(in.DeletionTaskId); ok {
				a.Resource = arn.Role(c.Account, slrPathPrefix+service+"/", name)
			}
			return a, nil
		}, s.getServiceLinkedRoleDeletionStatus),
	}
}

// refuseReserved returns Reserved's refusal of action on the role (and
// NoSuchEntity for a missing one).
func (s *Service) refuseReserved(ctx context.Context, account, action, name string) error {
	return s.view(ctx, func(tx store.ReadTx) error {
		r, err := getRole(ctx, tx, account, name)
		if err != nil {
			return err
		}
		return reservedError(action, r.ARN)
	})
}

// insertRole stores a new role and its unique id, enforcing the roles quota
// and, when set, taking a use of its permissions boundary. exists is the error
// for a role of the same name. Service-linked roles count toward the quota but
// may exceed it: "if you have reached your limit, you can still create
// service-linked roles in your account. Only service-linked roles can exceed
// the limit" (IAM User Guide, using-service-linked-roles.md).
func (s *Service) insertRole(ctx context.Context, tx store.Tx, account string, r store.Role, exists *awserr.Error) error {
	if !r.ServiceLinked {
		n, err := tx.Count(ctx, store.KindRole, account, "")
		if err != nil {
			return err
		}
		if n >= maxRoles {
			return awserr.LimitExceeded("Cannot exceed quota for RolesPerAccount: %d", maxRoles)
		}
	}
	if err := store.CreateJSON(ctx, tx, store.KindRole, account, store.RoleKey(r.Name), r); err != nil {
		if isExists(err) {
			return exists
		}
		return err
	}
	if r.PermissionsBoundaryARN != "" {
		if err := s.adjustBoundaryUsage(ctx, tx, r.PermissionsBoundaryARN, +1); err != nil {
			return err
		}
	}
	return store.PutJSON(ctx, tx, store.KindUniqueID, "", r.ID, store.UniqueIDRef{Account: account, Kind: store.KindRole, Key: store.RoleKey(r.Name)})
}

func (s *Service) createRole(ctx context.Context, c *identity.Caller, in *iamapi.CreateRoleRequest) (*iamapi.CreateRoleResponse, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	path := pathOr(in.Path)
	for _, r := range reservedPathPrefixes {
		if strings.HasPrefix(path, r.prefix) {
			return nil, awserr.InvalidInput("Path prefix '%s' can only be used for %s", r.prefix, r.owner)
		}
	}
	trust, err := checkTrustPolicy(in.AssumeRolePolicyDocument)
	if err != nil {
		return nil, err
	}
	id, err := s.ids.UniqueID(ids.PrefixRole)
	if err != nil {
		return nil, err
	}
	r := store.Role{
		ID: id, Name: in.RoleName, Path: path, ARN: arn.Role(c.Account, path, in.RoleName),
		CreateDate:               s.now().UTC().Truncate(time.Second),
		AssumeRolePolicyDocument: in.AssumeRolePolicyDocument,
		MaxSessionDuration:       defaultMaxSessionDuration,
		Tags:                     storeTags(in.Tags),
	}
	if in.Description != nil {
		r.Description = *in.Description
	}
	if in.MaxSessionDuration != nil {
		// The model bounds it to 3600–43200; the decoder enforces that.
		r.MaxSessionDuration = int(*in.MaxSessionDuration)
	}
	err = s.update(ctx, func(tx store.Tx) error {
		if err := checkTrustPrincipals(ctx, tx, trust); err != nil {
			return err
		}
		if in.PermissionsBoundary != nil {
			if err := s.checkBoundaryPolicy(ctx, tx, c.Account, *in.PermissionsBoundary); err != nil {
				return err
			}
			r.PermissionsBoundaryARN = *in.PermissionsBoundary
		}
		return s.insertRole(ctx, tx, c.Account, r, awserr.EntityAlreadyExists("Role with name %s already exists.", in.RoleName))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateRoleResponse{Role: *createRoleOut(r)}, nil
}

func (s *Service) getRole(ctx context.Context, c *identity.Caller, in *iamapi.GetRoleRequest) (*iamapi.GetRoleResponse, error) {
	var r store.Role
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		r, err = getRole(ctx, tx, c.Account, in.RoleName)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetRoleResponse{Role: *roleOut(r)}, nil
}

func (s *Service) listRoles(ctx context.Context, c *identity.Caller, in *iamapi.ListRolesRequest) (*iamapi.ListRolesResponse, error) {
	rs, t, m, err := listByPath(ctx, s, store.KindRole, c.Account, func(r store.Role) string { return r.Path }, in.PathPrefix, in.Marker, in.MaxItems, roleListOut)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRolesResponse{Roles: rs, IsTruncated: t, Marker: m}, nil
}

// modifyRole reads a role, applies fn and writes it back, in one transaction.
func (s *Service) modifyRole(ctx context.Context, account, name string, fn func(r *store.Role) error) (store.Role, error) {
	var r store.Role
	err := s.update(ctx, func(tx store.Tx) error {
		var err error
		if r, err = getRole(ctx, tx, account, name); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, store.KindRole, account, store.RoleKey(r.Name), r)
	})
	return r, err
}

// updateRole sets the description and/or the maximum session duration. A
// service-linked role's description can be edited, its session duration not.
func (s *Service) updateRole(ctx context.Context, c *identity.Caller, in *iamapi.UpdateRoleRequest) (*iamapi.UpdateRoleResponse, error) {
	_, err := s.modifyRole(ctx, c.Account, in.RoleName, func(r *store.Role) error {
		if in.MaxSessionDuration != nil {
			// Not in Reserved, which decides per action: UpdateRole may
			// still edit the description of a protected role.
			if name, ok := reservedRoleName(r.ARN); ok {
				return awserr.UnmodifiableEntity("%s", protectedRoleMessage(name))
			}
			r.MaxSessionDuration = int(*in.MaxSessionDuration)
		}
		if in.Description != nil {
			r.Description = *in.Description
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateRoleResponse{}, nil
}

func (s *Service) updateRoleDescription(ctx context.Context, c *identity.Caller, in *iamapi.UpdateRoleDescriptionRequest) (*iamapi.UpdateRoleDescriptionResponse, error) {
	r, err := s.modifyRole(ctx, c.Account, in.RoleName, func(r *store.Role) error {
		r.Description = in.Description
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateRoleDescriptionResponse{Role: updateRoleDescriptionOut(r)}, nil
}

func (s *Service) updateAssumeRolePolicy(ctx context.Context, c *identity.Caller, in *iamapi.UpdateAssumeRolePolicyRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		r, err := getRole(ctx, tx, c.Account, in.RoleName)
		if err != nil {
			return err
		}
		if err := reservedError("iam:UpdateAssumeRolePolicy", r.ARN); err != nil {
			return err
		}
		trust, err := checkTrustPolicy(in.PolicyDocument)
		if err != nil {
			return err
		}
		if err := checkTrustPrincipals(ctx, tx, trust); err != nil {
			return err
		}
		r.AssumeRolePolicyDocument = in.PolicyDocument
		return store.PutJSON(ctx, tx, store.KindRole, c.Account, store.RoleKey(r.Name), r)
	}))
}

// roleDependents returns the DeleteConflict error AWS gives for a role that
// still has inline policies, attached managed policies or instance profiles
// (checked in the order API_DeleteRole.html lists them), or nil.
func roleDependents(ctx context.Context, tx store.ReadTx, account, name string) error {
	if err := checkDependents(ctx, tx, account, policyDependents(store.EntityRole, name)); err != nil {
		return err
	}
	profiles, err := profilesOfRole(ctx, tx, account, name)
	if err != nil {
		return err
	}
	if len(profiles) > 0 {
		return awserr.DeleteConflict(mustLeaveProfiles)
	}
	return nil
}

// removeRole deletes a role record, its unique id and its use of a boundary.
func (s *Service) removeRole(ctx context.Context, tx store.Tx, account string, r store.Role) error {
	if r.PermissionsBoundaryARN != "" {
		if err := s.adjustBoundaryUsage(ctx, tx, r.PermissionsBoundaryARN, -1); err != nil {
			return err
		}
	}
	if err := tx.Delete(ctx, store.KindRole, account, store.RoleKey(r.Name)); err != nil {
		return err
	}
	if err := tx.Delete(ctx, store.KindUniqueID, "", r.ID); err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

func (s *Service) deleteRole(ctx context.Context, c *identity.Caller, in *iamapi.DeleteRoleRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		r, err := getRole(ctx, tx, c.Account, in.RoleName)
		if err != nil {
			return err
		}
		if err := reservedError("iam:DeleteRole", r.ARN); err != nil {
			return err
		}
		if err := roleDependents(ctx, tx, c.Account, r.Name); err != nil {
			return err
		}
		return s.removeRole(ctx, tx, c.Account, r)
	}))
}

func (s *Service) tagRole(ctx context.Context, c *identity.Caller, in *iamapi.TagRoleRequest) (*noOutput, error) {
	_, err := s.modifyRole(ctx, c.Account, in.RoleName, func(r *store.Role) error {
		var err error
		r.Tags, err = mergeTags(r.Tags, in.Tags)
		return err
	})
	return done(err)
}

func (s *Service) untagRole(ctx context.Context, c *identity.Caller, in *iamapi.UntagRoleRequest) (*noOutput, error) {
	_, err := s.modifyRole(ctx, c.Account, in.RoleName, func(r *store.Role) error {
		r.Tags = removeTags(r.Tags, in.TagKeys)
		return nil
	})
	return done(err)
}

func (s *Service) listRoleTags(ctx context.Context, c *identity.Caller, in *iamapi.ListRoleTagsRequest) (*iamapi.ListRoleTagsResponse, error) {
	var r store.Role
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		r, err = getRole(ctx, tx, c.Account, in.RoleName)
		return err
	})
	if err != nil {
		return nil, err
	}
	return listTagsPage(r.Tags, in.Marker, in.MaxItems, func(tags []iamapi.Tag, truncated *bool, marker *string) *iamapi.ListRoleTagsResponse {
		return &iamapi.ListRoleTagsResponse{Tags: tags, IsTruncated: truncated, Marker: marker}
	})
}

// slrName is the name of the service-linked role CreateServiceLinkedRole
// would create: the catalogue's name for the service, or for a service not in
// it (refused by the operation; the name only serves its authorization) the
// first label of the principal with each dash-separated part capitalised
// ("my-svc.amazonaws.com" gives AWSServiceRoleForMySvc); then "_" and the
// custom suffix when one is given (AWSServiceRoleForAutoScaling_suffix).
func slrName(service string, suffix *string) string {
	name := ""
	if e, ok := lookupServiceLinkedRole(service); ok {
		name = e.RoleName
	} else {
		label, _, _ := strings.Cut(service, ".")
		var b strings.Builder
		b.WriteString("AWSServiceRoleFor")
		for _, part := range strings.Split(label, "-") {
			if part != "" {
				b.WriteString(strings.ToUpper(part[:1]) + part[1:])
			}
		}
		name = b.String()
	}
	if suffix != nil && *suffix != "" {
		name += "_" + *suffix
	}
	return name
}

// serviceTrustPolicy is the trust policy of a service-linked role: the service
// principal may assume it.
func serviceTrustPolicy(service string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + service + `"},"Action":"sts:AssumeRole"}]}`
}

// unknownService is the refusal of a service principal that has no
// service-linked role. AWS's wording is not documented; this one names the
// principal as AWS's other CreateServiceLinkedRole messages do.
func unknownService(service string) *awserr.Error {
	return awserr.InvalidInput("Service principal %s does not support service-linked roles.", service)
}

// createServiceLinkedRole creates the role a service defines: its fixed name
// and path /aws-service-role/PRINCIPAL/, a trust policy for the principal and
// the service's AWS managed policy attached.
func (s *Service) createServiceLinkedRole(ctx context.Context, c *identity.Caller, in *iamapi.CreateServiceLinkedRoleRequest) (*iamapi.CreateServiceLinkedRoleResponse, error) {
	service := in.AWSServiceName
	slr, ok := lookupServiceLinkedRole(service)
	if !ok {
		return nil, unknownService(service)
	}
	if in.CustomSuffix != nil && !slr.SuffixOK {
		// AWS's message, e.g. "Custom suffix is not allowed for
		// es.amazonaws.com" (recorded against AWS in LocalStack's validated
		// snapshots, github.com/localstack/localstack pull/12387).
		return nil, awserr.InvalidInput("Custom suffix is not allowed for %s", service)
	}
	name := slrName(service, in.CustomSuffix)
	if len(name) > maxRoleName {
		return nil, awserr.InvalidInput("The role name %s is longer than %d characters; use a shorter custom suffix.", name, maxRoleName)
	}
	id, err := s.ids.UniqueID(ids.PrefixRole)
	if err != nil {
		return nil, err
	}
	path := slrPathPrefix + service + "/"
	r := store.Role{
		ID: id, Name: name, Path: path, ARN: arn.Role(c.Account, path, name),
		CreateDate:               s.now().UTC().Truncate(time.Second),
		AssumeRolePolicyDocument: serviceTrustPolicy(service),
		MaxSessionDuration:       defaultMaxSessionDuration,
		ServiceLinked:            true,
	}
	if in.Description != nil {
		r.Description = *in.Description
	}
	err = s.update(ctx, func(tx store.Tx) error {
		// AWS's message for a taken name, e.g. for ecs.amazonaws.com twice:
		// "Service role name AWSServiceRoleForECS has been taken in this
		// account, please try a different suffix." (InvalidInput; reported in
		// github.com/Rayraegah/terraform-aws-hasura/issues/17).
		if err := s.insertRole(ctx, tx, c.Account, r, awserr.InvalidInput("Service role name %s has been taken in this account, please try a different suffix.", name)); err != nil {
			return err
		}
		// "Service-linked roles are predefined by the service and include all
		// the permissions that the service requires" (IAM User Guide,
		// using-service-linked-roles.md): the service's policy is attached
		// when the catalogue has it.
		if _, ok := s.managed.Policy(slr.PolicyARN()); !ok {
			return nil
		}
		return attachments.add(ctx, tx, c.Account, store.Attachment{PolicyARN: slr.PolicyARN(), EntityKind: store.EntityRole, EntityName: r.Name})
	})
	if err != nil {
		return nil, err
	}
	out := roleOut(r)
	out.RoleLastUsed = nil
	return &iamapi.CreateServiceLinkedRoleResponse{Role: out}, nil
}

// removeRolePolicies deletes a role's inline policies and managed policy
// attachments, as the owning service does when it deletes its role.
func (s *Service) removeRolePolicies(ctx context.Context, tx store.Tx, account, name string) error {
	inline, err := tx.List(ctx, store.ListOptions{Kind: store.KindInlinePolicy, Account: account, Prefix: store.InlinePolicyPrefix(store.EntityRole, name)})
	if err != nil {
		return err
	}
	for _, rec := range inline {
		if err := tx.Delete(ctx, store.KindInlinePolicy, account, rec.Key); err != nil {
			return err
		}
	}
	atts, err := attachments.listFrom(ctx, tx, account, principal{store.EntityRole, name})
	if err != nil {
		return err
	}
	return attachments.each(ctx, tx, account, atts, func(a *store.Attachment) (bool, error) {
		ref, err := parsePolicyARN(a.PolicyARN)
		if err != nil {
			return false, nil
		}
		return false, uncountAttachment(ctx, tx, account, ref)
	})
}

// deleteServiceLinkedRole runs a service-linked role's deletion task. AWS runs
// the task asynchronously ("Because the IAM service-linked role deletion is
// asynchronous, after you submit the role for deletion, the deletion task can
// succeed or fail", using-service-linked-roles.md); Gatehouse has no service
// to consult, so the task completes within the call and the first
// GetServiceLinkedRoleDeletionStatus already reports SUCCEEDED or FAILED —
// an outcome AWS clients, which poll until one of those, handle alike.
//
// "In use" — AWS fails the task "if the linked service is still accessing a
// resource" (API_DeleteServiceLinkedRole.html) — is, in Gatehouse, the role
// still being in an instance profile: the only resource of Gatehouse's that
// can reference a role. Its own policies go with it, as the service removes
// them. Sessions of the role are not tracked, so they never block it.
func (s *Service) deleteServiceLinkedRole(ctx context.Context, c *identity.Caller, in *iamapi.DeleteServiceLinkedRoleRequest) (*iamapi.DeleteServiceLinkedRoleResponse, error) {
	uuid, err := newUUID(s.rand)
	if err != nil {
		return nil, err
	}
	var task slrDeletionTask
	err = s.update(ctx, func(tx store.Tx) error {
		r, err := getRole(ctx, tx, c.Account, in.RoleName)
		if err != nil {
			return err
		}
		if !r.ServiceLinked {
			return awserr.NoSuchEntity("The role with name %s is not a service-linked role.", r.Name)
		}
		task = slrDeletionTask{
			ID: "task" + r.Path + r.Name + "/" + uuid, RoleName: r.Name, RoleARN: r.ARN,
			Status: string(iamapi.DeletionTaskStatusTypeSUCCEEDED), CreateDate: s.now().UTC().Truncate(time.Second),
		}
		profiles, err := profilesOfRole(ctx, tx, c.Account, r.Name)
		if err != nil {
			return err
		}
		if len(profiles) > 0 {
			task.Status = string(iamapi.DeletionTaskStatusTypeFAILED)
			names := make([]string, len(profiles))
			for i, p := range profiles {
				names[i] = p.Name
			}
			task.Reason = fmt.Sprintf("The role is in use by instance profile %s.", strings.Join(names, ", "))
		} else {
			if err := s.removeRolePolicies(ctx, tx, c.Account, r.Name); err != nil {
				return err
			}
			if err := s.removeRole(ctx, tx, c.Account, r); err != nil {
				return err
			}
		}
		return store.PutJSON(ctx, tx, kindSLRDeletionTask, c.Account, task.ID, task)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteServiceLinkedRoleResponse{DeletionTaskId: task.ID}, nil
}

// parseDeletionTaskID splits task/aws-service-role/SERVICE/ROLE/UUID.
func parseDeletionTaskID(id string) (service, role string, ok bool) {
	rest, ok := strings.CutPrefix(id, "task"+slrPathPrefix)
	if !ok {
		return "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return "", "", false
	}
	return parts[0], parts[1], true
}

func (s *Service) getServiceLinkedRoleDeletionStatus(ctx context.Context, c *identity.Caller, in *iamapi.GetServiceLinkedRoleDeletionStatusRequest) (*iamapi.GetServiceLinkedRoleDeletionStatusResponse, error) {
	if _, _, ok := parseDeletionTaskID(in.DeletionTaskId); !ok {
		return nil, awserr.InvalidInput("Invalid deletion task id %s: it has the form task/aws-service-role/SERVICE/ROLE/ID.", in.DeletionTaskId)
	}
	var task slrDeletionTask
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		task, err = store.GetJSON[slrDeletionTask](ctx, tx, kindSLRDeletionTask, c.Account, in.DeletionTaskId)
		if isNotFound(err) {
			return awserr.NoSuchEntity("The deletion task %s cannot be found.", in.DeletionTaskId)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &iamapi.GetServiceLinkedRoleDeletionStatusResponse{Status: iamapi.DeletionTaskStatusType(task.Status)}
	if task.Reason != "" {
		out.Reason = &iamapi.DeletionTaskFailureReasonType{Reason: str(task.Reason)}
	}
	return out, nil
}

// newUUID returns a random (version 4) UUID read from r.
func newUUID(r io.Reader) (string, error) {
	u, err := uuid.NewRandomFromReader(r)
	if err != nil {
		return "", fmt.Errorf("iam: read randomness for a task id: %w", err)
	}
	return u.String(), nil
}
