package iam

import (
	"context"
	"slices"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/ids"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Instance profile quotas (IAM User Guide, reference_iam-quotas.md).
const (
	// maxInstanceProfiles is the default quota of instance profiles per account.
	maxInstanceProfiles = 1000
	// maxRolesPerProfile is "Roles in an instance profile: 1", a fixed quota.
	maxRolesPerProfile = 1
)

func noSuchInstanceProfile(name string) *awserr.Error {
	return awserr.NoSuchEntity("Instance Profile %s cannot be found.", name)
}

// getInstanceProfile reads an instance profile, or NoSuchEntity.
func getInstanceProfile(ctx context.Context, tx store.ReadTx, account, name string) (store.InstanceProfile, error) {
	p, err := store.GetJSON[store.InstanceProfile](ctx, tx, store.KindInstanceProfile, account, store.InstanceProfileKey(name))
	if isNotFound(err) {
		return p, noSuchInstanceProfile(name)
	}
	return p, err
}

// profileOut converts a stored profile to the API shape with its roles read
// from the store. full selects GetInstanceProfile's form, whose Tags are
// present even when empty; listings omit tags ("this operation does not
// return tags", API_ListInstanceProfiles.html). Either lists its roles in the
// short form of profileRoleOut.
//
// Recorded against AWS (localstack/localstack,
// tests/aws/services/iam/test_iam_instance_profiles.snapshot.json, February
// 2026): get-instance-profile answers "Tags": [] for a profile without tags,
// and the roles of GetInstanceProfile, ListInstanceProfiles and
// ListInstanceProfilesForRole carry Arn, AssumeRolePolicyDocument,
// CreateDate, Path, RoleId and RoleName — no MaxSessionDuration or
// RoleLastUsed, which GetRole shows; so does the IAM model's
// GetInstanceProfile example.
func profileOut(ctx context.Context, tx store.ReadTx, account string, p store.InstanceProfile, full bool) (iamapi.InstanceProfile, error) {
	out := iamapi.InstanceProfile{
		Path: p.Path, InstanceProfileName: p.Name, InstanceProfileId: p.ID, Arn: p.ARN, CreateDate: p.CreateDate,
		Roles: []iamapi.Role{},
	}
	if full {
		out.Tags = tagsOut(p.Tags)
		if out.Tags == nil {
			out.Tags = []iamapi.Tag{}
		}
	}
	for _, name := range p.Roles {
		r, err := getRole(ctx, tx, account, name)
		if err != nil {
			return out, err
		}
		out.Roles = append(out.Roles, profileRoleOut(r))
	}
	return out, nil
}

// profileRoleOut is a role as instance profiles list it (see profileOut):
// the listing form of ListRoles without MaxSessionDuration.
func profileRoleOut(r store.Role) iamapi.Role {
	out := roleListOut(r)
	out.MaxSessionDuration = nil
	return out
}

// hasRole reports whether the profile holds the role (names fold case).
func hasRole(p store.InstanceProfile, roleName string) bool {
	return slices.ContainsFunc(p.Roles, func(n string) bool { return store.RoleKey(n) == store.RoleKey(roleName) })
}

// profilesOfRole returns the instance profiles that hold a role.
func profilesOfRole(ctx context.Context, tx store.ReadTx, account, roleName string) ([]store.InstanceProfile, error) {
	all, err := store.ListValues[store.InstanceProfile](ctx, tx, store.ListOptions{Kind: store.KindInstanceProfile, Account: account})
	if err != nil {
		return nil, err
	}
	var out []store.InstanceProfile
	for _, p := range all {
		if hasRole(p, roleName) {
			out = append(out, p)
		}
	}
	return out, nil
}

// instanceProfileAuthz describes a call on an instance profile: its ARN with
// its path and its tags as aws:ResourceTag.
func (s *Service) instanceProfileAuthz(ctx context.Context, c *identity.Caller, action, name string) (Authz, error) {
	a := Authz{Action: action, Resource: arn.InstanceProfile(c.Account, "/", name)}
	err := s.view(ctx, func(tx store.ReadTx) error {
		p, err := store.GetJSON[store.InstanceProfile](ctx, tx, store.KindInstanceProfile, c.Account, store.InstanceProfileKey(name))
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		a.Resource = p.ARN
		a.Context = resourceTagContext(a.Context, p.Tags)
		return nil
	})
	return a, err
}

// instanceProfileOps returns the instance profile operations.
//
// AddRoleToInstanceProfile also requires iam:PassRole on the role, as AWS does
// (API_AddRoleToInstanceProfile: "The caller of this operation must be granted the
// PassRole permission on the IAM role by a permissions policy"); the role is passed
// to EC2, so iam:PassedToService is ec2.amazonaws.com.
func (s *Service) instanceProfileOps() []Op {
	return []Op{
		op("CreateInstanceProfile", func(ctx context.Context, c *identity.Caller, in *iamapi.CreateInstanceProfileRequest) (Authz, error) {
			return Authz{Action: "iam:CreateInstanceProfile", Resource: arn.InstanceProfile(c.Account, pathOr(in.Path), in.InstanceProfileName), Context: requestTagContext(in.Tags)}, nil
		}, s.createInstanceProfile),
		op("GetInstanceProfile", func(ctx context.Context, c *identity.Caller, in *iamapi.GetInstanceProfileRequest) (Authz, error) {
			return s.instanceProfileAuthz(ctx, c, "iam:GetInstanceProfile", in.InstanceProfileName)
		}, s.getInstanceProfile),
		op("ListInstanceProfiles", func(ctx context.Context, c *identity.Caller, in *iamapi.ListInstanceProfilesRequest) (Authz, error) {
			return Authz{Action: "iam:ListInstanceProfiles", Resource: iamARN(c.Account, "instance-profile/")}, nil
		}, s.listInstanceProfiles),
		op("ListInstanceProfilesForRole", func(ctx context.Context, c *identity.Caller, in *iamapi.ListInstanceProfilesForRoleRequest) (Authz, error) {
			return s.roleAuthz(ctx, c, "iam:ListInstanceProfilesForRole", in.RoleName)
		}, s.listInstanceProfilesForRole),
		op("AddRoleToInstanceProfile", func(ctx context.Context, c *identity.Caller, in *iamapi.AddRoleToInstanceProfileRequest) (Authz, error) {
			a, err := s.instanceProfileAuthz(ctx, c, "iam:AddRoleToInstanceProfile", in.InstanceProfileName)
			if err != nil {
				return a, err
			}
			pass, err := s.roleAuthz(ctx, c, "iam:PassRole", in.RoleName)
			pass.Context = withKey(pass.Context, "iam:PassedToService", "ec2.amazonaws.com")
			a.Also = append(a.Also, pass)
			return a, err
		}, s.addRoleToInstanceProfile),
		op("RemoveRoleFromInstanceProfile", func(ctx context.Context, c *identity.Caller, in *iamapi.RemoveRoleFromInstanceProfileRequest) (Authz, error) {
			return s.instanceProfileAuthz(ctx, c, "iam:RemoveRoleFromInstanceProfile", in.InstanceProfileName)
		}, s.removeRoleFromInstanceProfile),
		op("DeleteInstanceProfile", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteInstanceProfileRequest) (Authz, error) {
			return s.instanceProfileAuthz(ctx, c, "iam:DeleteInstanceProfile", in.InstanceProfileName)
		}, s.deleteInstanceProfile),
		op("TagInstanceProfile", func(ctx context.Context, c *identity.Caller, in *iamapi.TagInstanceProfileRequest) (Authz, error) {
			a, err := s.instanceProfileAuthz(ctx, c, "iam:TagInstanceProfile", in.InstanceProfileName)
			a.Context = mergeContext(a.Context, requestTagContext(in.Tags))
			return a, err
		}, s.tagInstanceProfile),
		op("UntagInstanceProfile", func(ctx context.Context, c *identity.Caller, in *iamapi.UntagInstanceProfileRequest) (Authz, error) {
			a, err := s.instanceProfileAuthz(ctx, c, "iam:UntagInstanceProfile", in.InstanceProfileName)
			a.Context = withKey(a.Context, "aws:TagKeys", in.TagKeys...)
			return a, err
		}, s.untagInstanceProfile),
		op("ListInstanceProfileTags", func(ctx context.Context, c *identity.Caller, in *iamapi.ListInstanceProfileTagsRequest) (Authz, error) {
			return s.instanceProfileAuthz(ctx, c, "iam:ListInstanceProfileTags", in.InstanceProfileName)
		}, s.listInstanceProfileTags),
	}
}

func (s *Service) createInstanceProfile(ctx context.Context, c *identity.Caller, in *iamapi.CreateInstanceProfileRequest) (*iamapi.CreateInstanceProfileResponse, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	id, err := s.ids.UniqueID(ids.PrefixInstanceProfile)
	if err != nil {
		return nil, err
	}
	path := pathOr(in.Path)
	p := store.InstanceProfile{
		ID: id, Name: in.InstanceProfileName, Path: path, ARN: arn.InstanceProfile(c.Account, path, in.InstanceProfileName),
		CreateDate: s.now().UTC().Truncate(time.Second), Tags: storeTags(in.Tags),
	}
	err = s.update(ctx, func(tx store.Tx) error {
		n, err := tx.Count(ctx, store.KindInstanceProfile, c.Account, "")
		if err != nil {
			return err
		}
		if n >= maxInstanceProfiles {
			return awserr.LimitExceeded("Cannot exceed quota for InstanceProfilesPerAccount: %d", maxInstanceProfiles)
		}
		if err := store.CreateJSON(ctx, tx, store.KindInstanceProfile, c.Account, store.InstanceProfileKey(p.Name), p); err != nil {
			if isExists(err) {
				return awserr.EntityAlreadyExists("Instance Profile %s already exists.", in.InstanceProfileName)
			}
			return err
		}
		return store.PutJSON(ctx, tx, store.KindUniqueID, "", p.ID, store.UniqueIDRef{Account: c.Account, Kind: store.KindInstanceProfile, Key: store.InstanceProfileKey(p.Name)})
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateInstanceProfileResponse{InstanceProfile: iamapi.InstanceProfile{
		Path: p.Path, InstanceProfileName: p.Name, InstanceProfileId: p.ID, Arn: p.ARN, CreateDate: p.CreateDate,
		Roles: []iamapi.Role{}, Tags: tagsOut(p.Tags),
	}}, nil
}

func (s *Service) getInstanceProfile(ctx context.Context, c *identity.Caller, in *iamapi.GetInstanceProfileRequest) (*iamapi.GetInstanceProfileResponse, error) {
	out := &iamapi.GetInstanceProfileResponse{}
	err := s.view(ctx, func(tx store.ReadTx) error {
		p, err := getInstanceProfile(ctx, tx, c.Account, in.InstanceProfileName)
		if err != nil {
			return err
		}
		out.InstanceProfile, err = profileOut(ctx, tx, c.Account, p, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// listProfiles lists one page of instance profiles that pass keep.
func (s *Service) listProfiles(ctx context.Context, account string, marker *string, maxItems *int32, before func(tx store.ReadTx) error, keep func(store.InstanceProfile) bool) (profiles []iamapi.InstanceProfile, truncated *bool, next *string, err error) {
	p, err := pageOf(marker, maxItems)
	if err != nil {
		return nil, nil, nil, err
	}
	profiles = []iamapi.InstanceProfile{}
	err = s.view(ctx, func(tx store.ReadTx) error {
		if before != nil {
			if err := before(tx); err != nil {
				return err
			}
		}
		page, t, m, err := listPage(ctx, tx, store.ListOptions{Kind: store.KindInstanceProfile, Account: account}, p, keep)
		if err != nil {
			return err
		}
		for _, ip := range page {
			o, err := profileOut(ctx, tx, account, ip, false)
			if err != nil {
				return err
			}
			profiles = append(profiles, o)
		}
		truncated, next = truncatedOut(t, m)
		return nil
	})
	return profiles, truncated, next, err
}

func (s *Service) listInstanceProfiles(ctx context.Context, c *identity.Caller, in *iamapi.ListInstanceProfilesRequest) (*iamapi.ListInstanceProfilesResponse, error) {
	prefix := pathOr(in.PathPrefix)
	ps, t, m, err := s.listProfiles(ctx, c.Account, in.Marker, in.MaxItems, nil,
		func(p store.InstanceProfile) bool { return hasPathPrefix(p.Path, prefix) })
	if err != nil {
		return nil, err
	}
	return &iamapi.ListInstanceProfilesResponse{InstanceProfiles: ps, IsTruncated: t, Marker: m}, nil
}

func (s *Service) listInstanceProfilesForRole(ctx context.Context, c *identity.Caller, in *iamapi.ListInstanceProfilesForRoleRequest) (*iamapi.ListInstanceProfilesForRoleResponse, error) {
	ps, t, m, err := s.listProfiles(ctx, c.Account, in.Marker, in.MaxItems,
		func(tx store.ReadTx) error {
			_, err := getRole(ctx, tx, c.Account, in.RoleName)
			return err
		},
		func(p store.InstanceProfile) bool { return hasRole(p, in.RoleName) })
	if err != nil {
		return nil, err
	}
	return &iamapi.ListInstanceProfilesForRoleResponse{InstanceProfiles: ps, IsTruncated: t, Marker: m}, nil
}

// modifyInstanceProfile reads a profile, applies fn and writes it back, in one
// transaction.
func (s *Service) modifyInstanceProfile(ctx context.Context, account, name string, fn func(tx store.Tx, p *store.InstanceProfile) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		p, err := getInstanceProfile(ctx, tx, account, name)
		if err != nil {
			return err
		}
		if err := fn(tx, &p); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, store.KindInstanceProfile, account, store.InstanceProfileKey(p.Name), p)
	})
}

// addRoleToInstanceProfile puts a role in a profile. A profile holds one role
// and the quota cannot be raised.
func (s *Service) addRoleToInstanceProfile(ctx context.Context, c *identity.Caller, in *iamapi.AddRoleToInstanceProfileRequest) (*noOutput, error) {
	return done(s.modifyInstanceProfile(ctx, c.Account, in.InstanceProfileName, func(tx store.Tx, p *store.InstanceProfile) error {
		r, err := getRole(ctx, tx, c.Account, in.RoleName)
		if err != nil {
			return err
		}
		if err := reservedError("iam:AddRoleToInstanceProfile", r.ARN); err != nil {
			return err
		}
		if hasRole(*p, r.Name) {
			return awserr.EntityAlreadyExists("Role %s is already in instance profile %s.", r.Name, p.Name)
		}
		if len(p.Roles) >= maxRolesPerProfile {
			// AWS's message, as reported in
			// github.com/hashicorp/terraform/issues/3851 and getmoto/moto#6404.
			return awserr.LimitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: %d", maxRolesPerProfile)
		}
		p.Roles = append(p.Roles, r.Name)
		return nil
	}))
}

func (s *Service) removeRoleFromInstanceProfile(ctx context.Context, c *identity.Caller, in *iamapi.RemoveRoleFromInstanceProfileRequest) (*noOutput, error) {
	return done(s.modifyInstanceProfile(ctx, c.Account, in.InstanceProfileName, func(tx store.Tx, p *store.InstanceProfile) error {
		r, err := getRole(ctx, tx, c.Account, in.RoleName)
		if err != nil {
			return err
		}
		if err := reservedError("iam:RemoveRoleFromInstanceProfile", r.ARN); err != nil {
			return err
		}
		if !hasRole(*p, r.Name) {
			return noSuchRole(in.RoleName)
		}
		p.Roles = slices.DeleteFunc(p.Roles, func(n string) bool { return store.RoleKey(n) == store.RoleKey(r.Name) })
		return nil
	}))
}

func (s *Service) deleteInstanceProfile(ctx context.Context, c *identity.Caller, in *iamapi.DeleteInstanceProfileRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		p, err := getInstanceProfile(ctx, tx, c.Account, in.InstanceProfileName)
		if err != nil {
			return err
		}
		if len(p.Roles) > 0 {
			return awserr.DeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		if err := tx.Delete(ctx, store.KindInstanceProfile, c.Account, store.InstanceProfileKey(p.Name)); err != nil {
			return err
		}
		if err := tx.Delete(ctx, store.KindUniqueID, "", p.ID); err != nil && !isNotFound(err) {
			return err
		}
		return nil
	}))
}

func (s *Service) tagInstanceProfile(ctx context.Context, c *identity.Caller, in *iamapi.TagInstanceProfileRequest) (*noOutput, error) {
	return done(s.modifyInstanceProfile(ctx, c.Account, in.InstanceProfileName, func(_ store.Tx, p *store.InstanceProfile) error {
		var err error
		p.Tags, err = mergeTags(p.Tags, in.Tags)
		return err
	}))
}

func (s *Service) untagInstanceProfile(ctx context.Context, c *identity.Caller, in *iamapi.UntagInstanceProfileRequest) (*noOutput, error) {
	return done(s.modifyInstanceProfile(ctx, c.Account, in.InstanceProfileName, func(_ store.Tx, p *store.InstanceProfile) error {
		p.Tags = removeTags(p.Tags, in.TagKeys)
		return nil
	}))
}

func (s *Service) listInstanceProfileTags(ctx context.Context, c *identity.Caller, in *iamapi.ListInstanceProfileTagsRequest) (*iamapi.ListInstanceProfileTagsResponse, error) {
	var p store.InstanceProfile
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		p, err = getInstanceProfile(ctx, tx, c.Account, in.InstanceProfileName)
		return err
	})
	if err != nil {
		return nil, err
	}
	return listTagsPage(p.Tags, in.Marker, in.MaxItems, func(tags []iamapi.Tag, truncated *bool, marker *string) *iamapi.ListInstanceProfileTagsResponse {
		return &iamapi.ListInstanceProfileTagsResponse{Tags: tags, IsTruncated: truncated, Marker: marker}
	})
}
