package iam

import (
	"context"
	"slices"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/store"
)

// AWS's DeleteConflict messages for an entity that still has dependents.
const (
	mustDeleteAccessKeys = "Cannot delete entity, must delete access keys first."
	mustDeleteCerts      = "Cannot delete entity, must delete signing certificates first."
	mustDeleteSSHKeys    = "Cannot delete entity, must delete SSH public keys first."
	mustDeleteSvcCreds   = "Cannot delete entity, must delete service specific credentials first."
	mustDeletePolicies   = "Cannot delete entity, must delete policies first."
	mustDetachPolicies   = "Cannot delete entity, must detach all policies first."
	mustLeaveGroups      = "Cannot delete entity, must remove users from group first."
	mustDeleteLogin      = "Cannot delete entity, must delete login profile first."
	mustDeleteMFA        = "Cannot delete entity, must delete MFA device first."
	mustLeaveProfiles    = "Cannot delete entity, must remove roles from instance profile first."
)

// dependent is one kind of record that blocks an entity's deletion while any
// exists under prefix, with AWS's DeleteConflict message.
type dependent struct {
	kind   store.Kind
	prefix string
	msg    string
}

// policyDependents are the dependents every user, group and role has: inline
// policies, then attached managed policies.
func policyDependents(kind store.EntityKind, name string) []dependent {
	return []dependent{
		{store.KindInlinePolicy, store.InlinePolicyPrefix(kind, name), mustDeletePolicies},
		{attachments.byFrom, attachments.fromPrefix(principal{kind, name}), mustDetachPolicies},
	}
}

// checkDependents returns the DeleteConflict of the first dependent that
// exists, in the order given, or nil.
func checkDependents(ctx context.Context, tx store.ReadTx, account string, deps []dependent) error {
	for _, d := range deps {
		n, err := tx.Count(ctx, d.kind, account, d.prefix)
		if err != nil {
			return err
		}
		if n > 0 {
			return awserr.DeleteConflict("%s", d.msg)
		}
	}
	return nil
}

// entityFields points into a user's or group's record at what a rename
// changes.
type entityFields struct {
	id              string
	name, path, arn *string
}

// named describes a kind of named IAM entity whose creation (CreateUser,
// CreateGroup), rename (UpdateUser, UpdateGroup) and deletion (DeleteUser,
// DeleteGroup) follow one flow: users and groups.
type named[T any] struct {
	entity store.EntityKind
	kind   store.Kind
	// title names the kind in AWS's EntityAlreadyExists message.
	title string
	// quota is the kind's per-account quota, named quotaName in AWS's
	// LimitExceeded message.
	quota     int
	quotaName string
	key       func(name string) string
	arnOf     func(account, path, name string) string
	get       func(ctx context.Context, tx store.ReadTx, account, name string) (T, error)
	fields    func(*T) entityFields
	// dependents block deletion, checked in this order (AWS's).
	dependents func(name string) []dependent
	// moveOwn moves, on a rename, the records only this kind has.
	moveOwn func(ctx context.Context, tx store.Tx, account, oldName, newName string) error
	// beforeDelete runs once dependents are checked, in the deleting
	// transaction: further checks, and the release of what the entity uses.
	beforeDelete func(ctx context.Context, tx store.Tx, account string, v T) error
}

// users and groups are the two named kinds.
func (s *Service) users() named[store.User] {
	return named[store.User]{
		entity: store.EntityUser, kind: store.KindUser, title: "User", quota: maxUsers, quotaName: "UsersPerAccount",
		key: store.UserKey, arnOf: arn.User, get: getUser,
		fields: func(u *store.User) entityFields { return entityFields{u.ID, &u.Name, &u.Path, &u.ARN} },
		dependents: func(name string) []dependent {
			// Access keys, signing certificates, SSH public keys and
			// service-specific (Git) credentials, in the order
			// API_DeleteUser lists them.
			return slices.Concat(
				[]dependent{
					{store.KindUserAccessKey, store.UserAccessKeyPrefix(name), mustDeleteAccessKeys},
					{store.KindSigningCertificate, store.UserCredentialPrefix(name), mustDeleteCerts},
					{store.KindSSHPublicKey, store.UserCredentialPrefix(name), mustDeleteSSHKeys},
					{store.KindServiceCredential, store.UserCredentialPrefix(name), mustDeleteSvcCreds},
				},
				policyDependents(store.EntityUser, name),
				[]dependent{{memberships.byTo, memberships.toPrefix(name), mustLeaveGroups}})
		},
		moveOwn:      moveUserCredentials,
		beforeDelete: s.releaseUser,
	}
}

func (s *Service) groups() named[store.Group] {
	return named[store.Group]{
		entity: store.EntityGroup, kind: store.KindGroup, title: "Group", quota: maxGroups, quotaName: "GroupsPerAccount",
		key: store.GroupKey, arnOf: arn.Group, get: getGroup,
		fields: func(g *store.Group) entityFields { return entityFields{g.ID, &g.Name, &g.Path, &g.ARN} },
		dependents: func(name string) []dependent {
			return slices.Concat(
				[]dependent{{memberships.byFrom, memberships.fromPrefix(name), mustLeaveGroups}},
				policyDependents(store.EntityGroup, name))
		},
	}
}

// create stores a new entity within the account's quota, with its unique id.
func (n named[T]) create(ctx context.Context, tx store.Tx, account string, v T) error {
	count, err := tx.Count(ctx, n.kind, account, "")
	if err != nil {
		return err
	}
	if count >= n.quota {
		return awserr.LimitExceeded("Cannot exceed quota for %s: %d", n.quotaName, n.quota)
	}
	f := n.fields(&v)
	if err := store.CreateJSON(ctx, tx, n.kind, account, n.key(*f.name), v); err != nil {
		if isExists(err) {
			return awserr.EntityAlreadyExists("%s with name %s already exists.", n.title, *f.name)
		}
		return err
	}
	return store.PutJSON(ctx, tx, store.KindUniqueID, "", f.id, store.UniqueIDRef{Account: account, Kind: n.kind, Key: n.key(*f.name)})
}

// update changes the name and path of the entity name (either may be nil),
// moving every record keyed by its name to the new name. A rename that only
// changes case rewrites the records in place, since keys fold case.
func (n named[T]) update(ctx context.Context, tx store.Tx, account, name string, newName, newPath *string) error {
	v, err := n.get(ctx, tx, account, name)
	if err != nil {
		return err
	}
	f := n.fields(&v)
	if newPath != nil {
		*f.path = *newPath
	}
	oldName := *f.name
	if newName != nil && *newName != oldName {
		if n.key(*newName) != n.key(oldName) {
			if _, err := tx.Get(ctx, n.kind, account, n.key(*newName)); err == nil {
				return awserr.EntityAlreadyExists("%s with name %s already exists.", n.title, *newName)
			} else if !isNotFound(err) {
				return err
			}
		}
		*f.name = *newName
		if err := n.moveRelations(ctx, tx, account, oldName, *newName); err != nil {
			return err
		}
		if err := tx.Delete(ctx, n.kind, account, n.key(oldName)); err != nil {
			return err
		}
	}
	*f.arn = n.arnOf(account, *f.path, *f.name)
	if err := store.PutJSON(ctx, tx, n.kind, account, n.key(*f.name), v); err != nil {
		return err
	}
	return store.PutJSON(ctx, tx, store.KindUniqueID, "", f.id, store.UniqueIDRef{Account: account, Kind: n.kind, Key: n.key(*f.name)})
}

// moveRelations moves the entity's group memberships (both directions), its
// inline policies and managed policy attachments (both directions), and what
// only its kind has, from oldName to newName.
func (n named[T]) moveRelations(ctx context.Context, tx store.Tx, account, oldName, newName string) error {
	var ms []store.GroupMembership
	var err error
	if n.entity == store.EntityGroup {
		ms, err = memberships.listFrom(ctx, tx, account, oldName)
	} else {
		ms, err = memberships.listTo(ctx, tx, account, oldName)
	}
	if err != nil {
		return err
	}
	err = memberships.each(ctx, tx, account, ms, func(m *store.GroupMembership) (bool, error) {
		if n.entity == store.EntityGroup {
			m.GroupName = newName
		} else {
			m.UserName = newName
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	if err := movePolicies(ctx, tx, account, n.entity, oldName, newName); err != nil {
		return err
	}
	if n.moveOwn == nil {
		return nil
	}
	return n.moveOwn(ctx, tx, account, oldName, newName)
}

// delete deletes the entity name, or returns AWS's DeleteConflict while it
// has dependents.
func (n named[T]) delete(ctx context.Context, tx store.Tx, account, name string) error {
	v, err := n.get(ctx, tx, account, name)
	if err != nil {
		return err
	}
	f := n.fields(&v)
	if err := checkDependents(ctx, tx, account, n.dependents(*f.name)); err != nil {
		return err
	}
	if n.beforeDelete != nil {
		if err := n.beforeDelete(ctx, tx, account, v); err != nil {
			return err
		}
	}
	if err := tx.Delete(ctx, n.kind, account, n.key(*f.name)); err != nil {
		return err
	}
	if err := tx.Delete(ctx, store.KindUniqueID, "", f.id); err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

// movePolicies moves an entity's inline policies and managed policy
// attachments (both directions) from its old name to its new one, for renames.
func movePolicies(ctx context.Context, tx store.Tx, account string, kind store.EntityKind, oldName, newName string) error {
	ips, err := store.ListValues[store.InlinePolicy](ctx, tx, store.ListOptions{Kind: store.KindInlinePolicy, Account: account, Prefix: store.InlinePolicyPrefix(kind, oldName)})
	if err != nil {
		return err
	}
	for _, ip := range ips {
		if err := tx.Delete(ctx, store.KindInlinePolicy, account, store.InlinePolicyKey(kind, oldName, ip.PolicyName)); err != nil {
			return err
		}
		ip.OwnerName = newName
		if err := store.PutJSON(ctx, tx, store.KindInlinePolicy, account, store.InlinePolicyKey(kind, newName, ip.PolicyName), ip); err != nil {
			return err
		}
	}
	atts, err := attachments.listFrom(ctx, tx, account, principal{kind, oldName})
	if err != nil {
		return err
	}
	return attachments.each(ctx, tx, account, atts, func(a *store.Attachment) (bool, error) {
		a.EntityName = newName
		return true, nil
	})
}
