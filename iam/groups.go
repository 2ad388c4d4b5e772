package iam

import (
	"context"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/ids"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Group quotas (IAM User Guide, reference_iam-quotas.md).
const (
	// maxGroups is the default quota of groups per account.
	maxGroups = 300
	// maxGroupsPerUser is the number of groups a user can be a member of.
	maxGroupsPerUser = 10
)

func noSuchGroup(name string) *awserr.Error {
	return awserr.NoSuchEntity("The group with name %s cannot be found.", name)
}

// groupOut converts a stored group to the API shape.
func groupOut(g store.Group) iamapi.Group {
	return iamapi.Group{Path: g.Path, GroupName: g.Name, GroupId: g.ID, Arn: g.ARN, CreateDate: g.CreateDate}
}

// getGroup reads a group, or NoSuchEntity.
func getGroup(ctx context.Context, tx store.ReadTx, account, name string) (store.Group, error) {
	g, err := store.GetJSON[store.Group](ctx, tx, store.KindGroup, account, store.GroupKey(name))
	if isNotFound(err) {
		return g, noSuchGroup(name)
	}
	return g, err
}

// groupAuthz describes a call on a group: its ARN with its path when the group
// exists (groups carry no tags).
func (s *Service) groupAuthz(ctx context.Context, c *identity.Caller, action, name string) (Authz, error) {
	a := Authz{Action: action, Resource: arn.Group(c.Account, "/", name)}
	err := s.view(ctx, func(tx store.ReadTx) error {
		g, err := store.GetJSON[store.Group](ctx, tx, store.KindGroup, c.Account, store.GroupKey(name))
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		a.Resource = g.ARN
		return nil
	})
	return a, err
}

func (s *Service) groupOps() []Op {
	group := func(name string) inlineOwner { return inlineOwner{store.EntityGroup, name} }
	return []Op{
		op("CreateGroup", func(ctx context.Context, c *identity.Caller, in *iamapi.CreateGroupRequest) (Authz, error) {
			return Authz{Action: "iam:CreateGroup", Resource: arn.Group(c.Account, pathOr(in.Path), in.GroupName)}, nil
		}, s.createGroup),
		op("GetGroup", func(ctx context.Context, c *identity.Caller, in *iamapi.GetGroupRequest) (Authz, error) {
			return s.groupAuthz(ctx, c, "iam:GetGroup", in.GroupName)
		}, s.getGroup),
		op("ListGroups", func(ctx context.Context, c *identity.Caller, in *iamapi.ListGroupsRequest) (Authz, error) {
			return Authz{Action: "iam:ListGroups", Resource: iamARN(c.Account, "group/")}, nil
		}, s.listGroups),
		op("UpdateGroup", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateGroupRequest) (Authz, error) {
			return s.groupAuthz(ctx, c, "iam:UpdateGroup", in.GroupName)
		}, s.updateGroup),
		op("DeleteGroup", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteGroupRequest) (Authz, error) {
			return s.groupAuthz(ctx, c, "iam:DeleteGroup", in.GroupName)
		}, s.deleteGroup),
		op("AddUserToGroup", func(ctx context.Context, c *identity.Caller, in *iamapi.AddUserToGroupRequest) (Authz, error) {
			return s.groupAuthz(ctx, c, "iam:AddUserToGroup", in.GroupName)
		}, s.addUserToGroup),
		op("RemoveUserFromGroup", func(ctx context.Context, c *identity.Caller, in *iamapi.RemoveUserFromGroupRequest) (Authz, error) {
			return s.groupAuthz(ctx, c, "iam:RemoveUserFromGroup", in.GroupName)
		}, s.removeUserFromGroup),
		op("ListGroupsForUser", func(ctx context.Context, c *identity.Caller, in *iamapi.ListGroupsForUserRequest) (Authz, error) {
			return s.userAuthz(ctx, c, "iam:ListGroupsForUser", in.UserName)
		}, s.listGroupsForUser),
		op("PutGroupPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.PutGroupPolicyRequest) (Authz, error) {
			return s.groupAuthz(ctx, c, "iam:PutGroupPolicy", in.GroupName)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.PutGroupPolicyRequest) (*noOutput, error) {
			return done(s.putInline(ctx, c.Account, group(in.GroupName), in.PolicyName, in.PolicyDocument))
		}),
		op("GetGroupPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.GetGroupPolicyRequest) (Authz, error) {
			return s.groupAuthz(ctx, c, "iam:GetGroupPolicy", in.GroupName)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.GetGroupPolicyRequest) (*iamapi.GetGroupPolicyResponse, error) {
			ip, err := s.getInline(ctx, c.Account, group(in.GroupName), in.PolicyName)
			if err != nil {
				return nil, err
			}
			return &iamapi.GetGroupPolicyResponse{GroupName: ip.OwnerName, PolicyName: ip.PolicyName, PolicyDocument: encodeDocument(ip.Document)}, nil
		}),
		op("DeleteGroupPolicy", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteGroupPolicyRequest) (Authz, error) {
			return s.groupAuthz(ctx, c, "iam:DeleteGroupPolicy", in.GroupName)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteGroupPolicyRequest) (*noOutput, error) {
			return done(s.deleteInline(ctx, c.Account, group(in.GroupName), in.PolicyName))
		}),
		op("ListGroupPolicies", func(ctx context.Context, c *identity.Caller, in *iamapi.ListGroupPoliciesRequest) (Authz, error) {
			return s.groupAuthz(ctx, c, "iam:ListGroupPolicies", in.GroupName)
		}, func(ctx context.Context, c *identity.Caller, in *iamapi.ListGroupPoliciesRequest) (*iamapi.ListGroupPoliciesResponse, error) {
			names, t, m, err := s.listInline(ctx, c.Account, group(in.GroupName), in.Marker, in.MaxItems)
			if err != nil {
				return nil, err
			}
			return &iamapi.ListGroupPoliciesResponse{PolicyNames: names, IsTruncated: t, Marker: m}, nil
		}),
	}
}

func (s *Service) createGroup(ctx context.Context, c *identity.Caller, in *iamapi.CreateGroupRequest) (*iamapi.CreateGroupResponse, error) {
	id, err := s.ids.UniqueID(ids.PrefixGroup)
	if err != nil {
		return nil, err
	}
	path := pathOr(in.Path)
	g := store.Group{
		ID: id, Name: in.GroupName, Path: path, ARN: arn.Group(c.Account, path, in.GroupName),
		CreateDate: s.now().UTC().Truncate(time.Second),
	}
	err = s.update(ctx, func(tx store.Tx) error {
		return s.groups().create(ctx, tx, c.Account, g)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateGroupResponse{Group: groupOut(g)}, nil
}

// getGroup returns the group and one page of its members.
func (s *Service) getGroup(ctx context.Context, c *identity.Caller, in *iamapi.GetGroupRequest) (*iamapi.GetGroupResponse, error) {
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.GetGroupResponse{}
	err = s.view(ctx, func(tx store.ReadTx) error {
		g, err := getGroup(ctx, tx, c.Account, in.GroupName)
		if err != nil {
			return err
		}
		out.Group = groupOut(g)
		out.Users, out.IsTruncated, out.Marker, err = pageOther(ctx, tx, memberships.from(c.Account, g.Name), p, func(m store.GroupMembership) (iamapi.User, error) {
			u, err := getUser(ctx, tx, c.Account, m.UserName)
			return *userListOut(u), err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) listGroups(ctx context.Context, c *identity.Caller, in *iamapi.ListGroupsRequest) (*iamapi.ListGroupsResponse, error) {
	gs, t, m, err := listByPath(ctx, s, store.KindGroup, c.Account, func(g store.Group) string { return g.Path }, in.PathPrefix, in.Marker, in.MaxItems, groupOut)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListGroupsResponse{Groups: gs, IsTruncated: t, Marker: m}, nil
}

func (s *Service) updateGroup(ctx context.Context, c *identity.Caller, in *iamapi.UpdateGroupRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		return s.groups().update(ctx, tx, c.Account, in.GroupName, in.NewGroupName, in.NewPath)
	}))
}

// deleteGroup deletes an empty group. AWS refuses while the group has members,
// inline policies or attached managed policies, in that order of checks.
func (s *Service) deleteGroup(ctx context.Context, c *identity.Caller, in *iamapi.DeleteGroupRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		return s.groups().delete(ctx, tx, c.Account, in.GroupName)
	}))
}

// addUserToGroup adds a membership; adding an existing member succeeds and
// changes nothing, as in AWS.
func (s *Service) addUserToGroup(ctx context.Context, c *identity.Caller, in *iamapi.AddUserToGroupRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		g, err := getGroup(ctx, tx, c.Account, in.GroupName)
		if err != nil {
			return err
		}
		u, err := getUser(ctx, tx, c.Account, in.UserName)
		if err != nil {
			return err
		}
		if ok, err := memberships.has(ctx, tx, c.Account, g.Name, u.Name); ok || err != nil {
			return err
		}
		n, err := memberships.countTo(ctx, tx, c.Account, u.Name)
		if err != nil {
			return err
		}
		if n >= maxGroupsPerUser {
			return awserr.LimitExceeded("Cannot exceed quota for GroupsPerUser: %d", maxGroupsPerUser)
		}
		return memberships.add(ctx, tx, c.Account, store.GroupMembership{GroupName: g.Name, UserName: u.Name})
	}))
}

// removeUserFromGroup removes a membership. A user that exists but is not a
// member is reported as AWS does, as a missing user.
func (s *Service) removeUserFromGroup(ctx context.Context, c *identity.Caller, in *iamapi.RemoveUserFromGroupRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		g, err := getGroup(ctx, tx, c.Account, in.GroupName)
		if err != nil {
			return err
		}
		u, err := getUser(ctx, tx, c.Account, in.UserName)
		if err != nil {
			return err
		}
		return notFound(memberships.remove(ctx, tx, c.Account, g.Name, u.Name), noSuchUser(in.UserName))
	}))
}

func (s *Service) listGroupsForUser(ctx context.Context, c *identity.Caller, in *iamapi.ListGroupsForUserRequest) (*iamapi.ListGroupsForUserResponse, error) {
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListGroupsForUserResponse{}
	err = s.view(ctx, func(tx store.ReadTx) error {
		u, err := getUser(ctx, tx, c.Account, in.UserName)
		if err != nil {
			return err
		}
		out.Groups, out.IsTruncated, out.Marker, err = pageOther(ctx, tx, memberships.to(c.Account, u.Name), p, func(m store.GroupMembership) (iamapi.Group, error) {
			g, err := getGroup(ctx, tx, c.Account, m.GroupName)
			return groupOut(g), err
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
