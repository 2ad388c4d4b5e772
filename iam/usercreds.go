package iam

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/store"
)

// userCredentials describes one kind of credential a user holds besides
// access keys (SSH public keys, signing certificates, service-specific
// credentials): records of kind in the account keyed by
// [store.UserCredentialKey], and AWS's NoSuchEntity for an id the user does
// not hold.
type userCredentials[T any] struct {
	kind     store.Kind
	notFound func(id string) error
}

// get reads credential id of owner, or the kind's NoSuchEntity.
func (u userCredentials[T]) get(ctx context.Context, tx store.ReadTx, account, owner, id string) (T, error) {
	v, err := store.GetJSON[T](ctx, tx, u.kind, account, store.UserCredentialKey(owner, id))
	if isNotFound(err) {
		return v, u.notFound(id)
	}
	return v, err
}

// put writes credential id of owner.
func (u userCredentials[T]) put(ctx context.Context, tx store.Tx, account, owner, id string, v T) error {
	return store.PutJSON(ctx, tx, u.kind, account, store.UserCredentialKey(owner, id), v)
}

// all lists every credential of owner.
func (u userCredentials[T]) all(ctx context.Context, tx store.ReadTx, account, owner string) ([]T, error) {
	return store.ListValues[T](ctx, tx, store.ListOptions{Kind: u.kind, Account: account, Prefix: store.UserCredentialPrefix(owner)})
}

// page lists one page of owner's credentials, in id order.
func (u userCredentials[T]) page(ctx context.Context, tx store.ReadTx, account, owner string, p page, filter func(T) bool) ([]T, *bool, *string, error) {
	vs, truncated, marker, err := listPage(ctx, tx, store.ListOptions{Kind: u.kind, Account: account, Prefix: store.UserCredentialPrefix(owner)}, p, filter)
	if err != nil {
		return nil, nil, nil, err
	}
	t, m := truncatedOut(truncated, marker)
	return vs, t, m, nil
}

// move re-keys every credential of a user renamed from oldName to newName,
// setting the name the record keeps with rename.
func (u userCredentials[T]) move(ctx context.Context, tx store.Tx, account, oldName, newName string, rename func(*T) string) error {
	vs, err := u.all(ctx, tx, account, oldName)
	if err != nil {
		return err
	}
	for _, v := range vs {
		id := rename(&v)
		if err := tx.Delete(ctx, u.kind, account, store.UserCredentialKey(oldName, id)); err != nil {
			return err
		}
		if err := u.put(ctx, tx, account, newName, id, v); err != nil {
			return err
		}
	}
	return nil
}

// existingUser checks, inside a transaction, that user name exists (the root
// user, "", always does).
func existingUser(ctx context.Context, tx store.ReadTx, account, name string) error {
	if name == "" {
		return nil
	}
	_, err := getUser(ctx, tx, account, name)
	return err
}
