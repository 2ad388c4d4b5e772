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

// maxUsers is IAM's default quota of users per account.
const maxUsers = 5000

func noSuchUser(name string) *awserr.Error {
	return awserr.NoSuchEntity("The user with name %s cannot be found.", name)
}

// userOut converts a stored user to the API shape.
func userOut(u store.User) *iamapi.User {
	out := &iamapi.User{Path: u.Path, UserName: u.Name, UserId: u.ID, Arn: u.ARN, CreateDate: u.CreateDate, Tags: tagsOut(u.Tags)}
	if u.PermissionsBoundaryARN != "" {
		out.PermissionsBoundary = &iamapi.AttachedPermissionsBoundary{
			PermissionsBoundaryType: ptr(boundaryTypePolicy),
			PermissionsBoundaryArn:  str(u.PermissionsBoundaryARN),
		}
	}
	if !u.PasswordLastUsed.IsZero() {
		t := u.PasswordLastUsed
		out.PasswordLastUsed = &t
	}
	return out
}

// userListOut is the subset of a user that IAM's listings return (ListUsers,
// GetGroup's members, ListVirtualMFADevices' users): "This operation does not
// return the following attributes, even though they are an attribute of the
// returned object: PermissionsBoundary, Tags" (API_ListUsers.html).
func userListOut(u store.User) *iamapi.User {
	out := userOut(u)
	out.PermissionsBoundary, out.Tags = nil, nil
	return out
}

func ptr[T any](v T) *T { return &v }

// getUser reads a user, or NoSuchEntity.
func getUser(ctx context.Context, tx store.ReadTx, account, name string) (store.User, error) {
	u, err := store.GetJSON[store.User](ctx, tx, store.KindUser, account, store.UserKey(name))
	if isNotFound(err) {
		return u, noSuchUser(name)
	}
	return u, err
}

// userAuthz describes a call on an existing (or not yet existing) user: the ARN
// with the user's path, and its tags as aws:ResourceTag.
func (s *Service) userAuthz(ctx context.Context, c *identity.Caller, action, name string) (Authz, error) {
	a := Authz{Action: action, Resource: iamARN(c.Account, "user/"+name)}
	u, err := s.dir.User(ctx, c.Account, name)
	switch {
	case isNotFound(err):
		return a, nil
	case err != nil:
		return a, storeFailure(err)
	}
	a.Resource = u.ARN
	a.Context = resourceTagContext(a.Context, u.Tags)
	return a, nil
}

func (s *Service) userOps() []Op {
	return []Op{
		op("CreateUser", func(ctx context.Context, c *identity.Caller, in *iamapi.CreateUserRequest) (Authz, error) {
			a := Authz{Action: "iam:CreateUser", Resource: arn.User(c.Account, pathOr(in.Path), in.UserName), Context: requestTagContext(in.Tags)}
			if in.PermissionsBoundary != nil {
				a.Context = withKey(a.Context, "iam:PermissionsBoundary", *in.PermissionsBoundary)
			}
			return a, nil
		}, s.createUser),
		op("GetUser", func(ctx context.Context, c *identity.Caller, in *iamapi.GetUserRequest) (Authz, error) {
			if in.UserName == nil || *in.UserName == "" {
				return Authz{Action: "iam:GetUser", Resource: c.ARN()}, nil
			}
			return s.userAuthz(ctx, c, "iam:GetUser", *in.UserName)
		}, s.getUser),
		op("ListUsers", func(ctx context.Context, c *identity.Caller, in *iamapi.ListUsersRequest) (Authz, error) {
			return Authz{Action: "iam:ListUsers", Resource: iamARN(c.Account, "user/")}, nil
		}, s.listUsers),
		op("UpdateUser", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateUserRequest) (Authz, error) {
			return s.userAuthz(ctx, c, "iam:UpdateUser", in.UserName)
		}, s.updateUser),
		op("DeleteUser", func(ctx context.Context, c *identity.Caller, in *iamapi.DeleteUserRequest) (Authz, error) {
			return s.userAuthz(ctx, c, "iam:DeleteUser", in.UserName)
		}, s.deleteUser),
		op("TagUser", func(ctx context.Context, c *identity.Caller, in *iamapi.TagUserRequest) (Authz, error) {
			a, err := s.userAuthz(ctx, c, "iam:TagUser", in.UserName)
			a.Context = mergeContext(a.Context, requestTagContext(in.Tags))
			return a, err
		}, s.tagUser),
		op("UntagUser", func(ctx context.Context, c *identity.Caller, in *iamapi.UntagUserRequest) (Authz, error) {
			a, err := s.userAuthz(ctx, c, "iam:UntagUser", in.UserName)
			a.Context = withKey(a.Context, "aws:TagKeys", in.TagKeys...)
			return a, err
		}, s.untagUser),
		op("ListUserTags", func(ctx context.Context, c *identity.Caller, in *iamapi.ListUserTagsRequest) (Authz, error) {
			return s.userAuthz(ctx, c, "iam:ListUserTags", in.UserName)
		}, s.listUserTags),
	}
}

// withKey adds one context key.
func withKey(ctx map[string][]string, key string, vals ...string) map[string][]string {
	if ctx == nil {
		ctx = map[string][]string{}
	}
	ctx[key] = vals
	return ctx
}

func mergeContext(a, b map[string][]string) map[string][]string {
	if a == nil {
		return b
	}
	for k, v := range b {
		a[k] = v
	}
	return a
}

func (s *Service) createUser(ctx context.Context, c *identity.Caller, in *iamapi.CreateUserRequest) (*iamapi.CreateUserResponse, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	id, err := s.ids.UniqueID(ids.PrefixUser)
	if err != nil {
		return nil, err
	}
	path := pathOr(in.Path)
	u := store.User{
		ID: id, Name: in.UserName, Path: path, ARN: arn.User(c.Account, path, in.UserName),
		CreateDate: s.now().UTC().Truncate(time.Second), Tags: storeTags(in.Tags),
	}
	err = s.update(ctx, func(tx store.Tx) error {
		if in.PermissionsBoundary != nil {
			if err := s.checkBoundaryPolicy(ctx, tx, c.Account, *in.PermissionsBoundary); err != nil {
				return err
			}
			if err := s.adjustBoundaryUsage(ctx, tx, *in.PermissionsBoundary, 1); err != nil {
				return err
			}
			u.PermissionsBoundaryARN = *in.PermissionsBoundary
		}
		return s.users().create(ctx, tx, c.Account, u)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateUserResponse{User: userOut(u)}, nil
}

func (s *Service) getUser(ctx context.Context, c *identity.Caller, in *iamapi.GetUserRequest) (*iamapi.GetUserResponse, error) {
	if in.UserName == nil || *in.UserName == "" {
		switch {
		case c.IsRoot():
			acct, _ := s.dir.Account(c.Account)
			return &iamapi.GetUserResponse{User: iamapi.User{UserId: c.Account, Arn: c.ARN(), CreateDate: acct.CreateDate}}, nil
		case c.UserName == "":
			return nil, awserr.ValidationError("Must specify userName when calling with non-User credentials")
		}
		in.UserName = &c.UserName
	}
	// The authorization view's copy: current on this node as soon as a
	// change commits, on the others within the change feed's delay (IAM is
	// eventually consistent too), and no store read per call.
	u, err := s.dir.User(ctx, c.Account, *in.UserName)
	switch {
	case isNotFound(err):
		return nil, noSuchUser(*in.UserName)
	case err != nil:
		return nil, storeFailure(err)
	}
	return &iamapi.GetUserResponse{User: *userOut(u)}, nil
}

func (s *Service) listUsers(ctx context.Context, c *identity.Caller, in *iamapi.ListUsersRequest) (*iamapi.ListUsersResponse, error) {
	us, t, m, err := listByPath(ctx, s, store.KindUser, c.Account, func(u store.User) string { return u.Path }, in.PathPrefix, in.Marker, in.MaxItems,
		func(u store.User) iamapi.User { return *userListOut(u) })
	if err != nil {
		return nil, err
	}
	return &iamapi.ListUsersResponse{Users: us, IsTruncated: t, Marker: m}, nil
}

// hasPathPrefix implements PathPrefix filtering (case-sensitive, as AWS).
func hasPathPrefix(path, prefix string) bool {
	return len(path) >= len(prefix) && path[:len(prefix)] == prefix
}

func (s *Service) updateUser(ctx context.Context, c *identity.Caller, in *iamapi.UpdateUserRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		return s.users().update(ctx, tx, c.Account, in.UserName, in.NewUserName, in.NewPath)
	}))
}

// moveUserCredentials moves, on a rename, a user's access keys (the per-user
// index and the owner in each global key record), login profile, and the
// credentials of moveUserCredentialRecords.
func moveUserCredentials(ctx context.Context, tx store.Tx, account, oldName, newName string) error {
	refs, err := store.ListValues[store.AccessKeyRef](ctx, tx, store.ListOptions{Kind: store.KindUserAccessKey, Account: account, Prefix: store.UserAccessKeyPrefix(oldName)})
	if err != nil {
		return err
	}
	for _, r := range refs {
		if err := tx.Delete(ctx, store.KindUserAccessKey, account, store.UserAccessKeyKey(oldName, r.AccessKeyID)); err != nil {
			return err
		}
		if err := store.PutJSON(ctx, tx, store.KindUserAccessKey, account, store.UserAccessKeyKey(newName, r.AccessKeyID), r); err != nil {
			return err
		}
		k, err := store.GetJSON[store.AccessKey](ctx, tx, store.KindAccessKey, "", r.AccessKeyID)
		if err != nil {
			return err
		}
		k.UserName = newName
		if err := store.PutJSON(ctx, tx, store.KindAccessKey, "", k.ID, k); err != nil {
			return err
		}
	}
	if lp, err := store.GetJSON[store.LoginProfile](ctx, tx, store.KindLoginProfile, account, store.LoginProfileKey(oldName)); err == nil {
		if err := tx.Delete(ctx, store.KindLoginProfile, account, store.LoginProfileKey(oldName)); err != nil {
			return err
		}
		lp.UserName = newName
		if err := store.PutJSON(ctx, tx, store.KindLoginProfile, account, store.LoginProfileKey(newName), lp); err != nil {
			return err
		}
	} else if !isNotFound(err) {
		return err
	}
	return moveUserCredentialRecords(ctx, tx, account, oldName, newName)
}

// moveUserCredentialRecords moves a renamed user's SSH public keys, signing
// certificates and service-specific credentials to the new name. A
// service-specific credential keeps its generated user name: "Changing the
// name of an IAM user after generating Git credentials does not change the
// user name of the Git credentials" (id_credentials_ssh-keys.md).
func moveUserCredentialRecords(ctx context.Context, tx store.Tx, account, oldName, newName string) error {
	if err := sshKeys.move(ctx, tx, account, oldName, newName, func(k *store.SSHPublicKey) string { k.UserName = newName; return k.ID }); err != nil {
		return err
	}
	if err := signingCerts.move(ctx, tx, account, oldName, newName, func(c *store.SigningCertificate) string { c.UserName = newName; return c.ID }); err != nil {
		return err
	}
	return serviceCreds.move(ctx, tx, account, oldName, newName, func(c *store.ServiceCredential) string { c.UserName = newName; return c.ID })
}

func (s *Service) deleteUser(ctx context.Context, c *identity.Caller, in *iamapi.DeleteUserRequest) (*noOutput, error) {
	return done(s.update(ctx, func(tx store.Tx) error {
		return s.users().delete(ctx, tx, c.Account, in.UserName)
	}))
}

// releaseUser is the last part of DeleteUser's checks (a login profile, then
// an MFA device, still refuse it) and releases the user's boundary.
func (s *Service) releaseUser(ctx context.Context, tx store.Tx, account string, u store.User) error {
	if _, err := tx.Get(ctx, store.KindLoginProfile, account, store.LoginProfileKey(u.Name)); err == nil {
		return awserr.DeleteConflict(mustDeleteLogin)
	} else if !isNotFound(err) {
		return err
	}
	mfas, err := store.ListValues[store.MFADevice](ctx, tx, store.ListOptions{Kind: store.KindMFADevice, Account: account})
	if err != nil {
		return err
	}
	for _, m := range mfas {
		if m.UserName != "" && store.UserKey(m.UserName) == store.UserKey(u.Name) {
			return awserr.DeleteConflict(mustDeleteMFA)
		}
	}
	if u.PermissionsBoundaryARN != "" {
		return s.adjustBoundaryUsage(ctx, tx, u.PermissionsBoundaryARN, -1)
	}
	return nil
}

func (s *Service) tagUser(ctx context.Context, c *identity.Caller, in *iamapi.TagUserRequest) (*noOutput, error) {
	err := s.update(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, c.Account, in.UserName)
		if err != nil {
			return err
		}
		if u.Tags, err = mergeTags(u.Tags, in.Tags); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, store.KindUser, c.Account, store.UserKey(u.Name), u)
	})
	if err != nil {
		return nil, err
	}
	return &noOutput{}, nil
}

func (s *Service) untagUser(ctx context.Context, c *identity.Caller, in *iamapi.UntagUserRequest) (*noOutput, error) {
	err := s.update(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, c.Account, in.UserName)
		if err != nil {
			return err
		}
		u.Tags = removeTags(u.Tags, in.TagKeys)
		return store.PutJSON(ctx, tx, store.KindUser, c.Account, store.UserKey(u.Name), u)
	})
	if err != nil {
		return nil, err
	}
	return &noOutput{}, nil
}

func (s *Service) listUserTags(ctx context.Context, c *identity.Caller, in *iamapi.ListUserTagsRequest) (*iamapi.ListUserTagsResponse, error) {
	var u store.User
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		u, err = getUser(ctx, tx, c.Account, in.UserName)
		return err
	})
	if err != nil {
		return nil, err
	}
	return listTagsPage(u.Tags, in.Marker, in.MaxItems, func(tags []iamapi.Tag, truncated *bool, marker *string) *iamapi.ListUserTagsResponse {
		return &iamapi.ListUserTagsResponse{Tags: tags, IsTruncated: truncated, Marker: marker}
	})
}

// listTagsPage pages an entity's tags for the List*Tags operations.
func listTagsPage[O any](tags []store.Tag, marker *string, maxItems *int32, mk func([]iamapi.Tag, *bool, *string) *O) (*O, error) {
	p, err := pageOf(marker, maxItems)
	if err != nil {
		return nil, err
	}
	start := 0
	if p.after != "" {
		for i, t := range tags {
			if t.Key == p.after {
				start = i + 1
			}
		}
	}
	all := tagsOut(tags)
	if all == nil {
		all = []iamapi.Tag{}
	}
	rest := all[min(start, len(all)):]
	if len(rest) > p.limit {
		m := encodeMarker(rest[p.limit-1].Key)
		t := true
		return mk(rest[:p.limit], &t, &m), nil
	}
	f := false
	return mk(rest, &f, nil), nil
}
