package iam

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
)

// taggable is what the Tag*, Untag* and List*Tags operations of one kind of
// IAM resource need, so that every kind tags alike: the resource's
// authorization (its ARN and aws:ResourceTag), a read-modify-write of its
// tags in one transaction, and a read of them. The resource is named by a
// string (an ARN or a name), whatever the request calls it.
type taggable struct {
	// authz describes a call on the resource for action.
	authz func(ctx context.Context, c *identity.Caller, action, id string) (Authz, error)
	// modify applies fn to the resource's tags and writes it back.
	modify func(ctx context.Context, account, id string, fn func(tags *[]store.Tag) error) error
	// tags reads the resource's tags (or its NoSuchEntity).
	tags func(ctx context.Context, account, id string) ([]store.Tag, error)
}

// tagOp is TagXxx: aws:RequestTag and aws:TagKeys in the context; the tags
// merged by the rules every IAM resource shares (mergeTags).
func tagOp[I any](t taggable, name string, in func(I) (id string, tags []iamapi.Tag)) Op {
	return op(name, func(ctx context.Context, c *identity.Caller, req I) (Authz, error) {
		id, tags := in(req)
		a, err := t.authz(ctx, c, "iam:"+name, id)
		a.Context = mergeContext(a.Context, requestTagContext(tags))
		return a, err
	}, func(ctx context.Context, c *identity.Caller, req I) (*noOutput, error) {
		id, tags := in(req)
		return done(t.modify(ctx, c.Account, id, func(old *[]store.Tag) error {
			var err error
			*old, err = mergeTags(*old, tags)
			return err
		}))
	})
}

// untagOp is UntagXxx: aws:TagKeys in the context; absent keys are no error.
func untagOp[I any](t taggable, name string, in func(I) (id string, keys []string)) Op {
	return op(name, func(ctx context.Context, c *identity.Caller, req I) (Authz, error) {
		id, keys := in(req)
		a, err := t.authz(ctx, c, "iam:"+name, id)
		a.Context = withKey(a.Context, "aws:TagKeys", keys...)
		return a, err
	}, func(ctx context.Context, c *identity.Caller, req I) (*noOutput, error) {
		id, keys := in(req)
		return done(t.modify(ctx, c.Account, id, func(old *[]store.Tag) error {
			*old = removeTags(*old, keys)
			return nil
		}))
	})
}

// listTagsOp is ListXxxTags, paged by listTagsPage.
func listTagsOp[I, O any](t taggable, name string, in func(I) (id string, marker *string, maxItems *int32), out func([]iamapi.Tag, *bool, *string) *O) Op {
	return op(name, func(ctx context.Context, c *identity.Caller, req I) (Authz, error) {
		id, _, _ := in(req)
		return t.authz(ctx, c, "iam:"+name, id)
	}, func(ctx context.Context, c *identity.Caller, req I) (*O, error) {
		id, marker, maxItems := in(req)
		tags, err := t.tags(ctx, c.Account, id)
		if err != nil {
			return nil, err
		}
		return listTagsPage(tags, marker, maxItems, out)
	})
}

// stored is a tagged IAM record of one kind, found by an id (a name or an
// ARN): what reading it, changing it in place, deleting it and tagging it
// share for OIDC providers, SAML providers and server certificates.
type stored[T any] struct {
	kind store.Kind
	// get reads the record (or its NoSuchEntity).
	get func(ctx context.Context, tx store.ReadTx, account, id string) (T, error)
	// key is the record's key.
	key func(T) string
	// tags are the record's tags.
	tags func(*T) *[]store.Tag
}

// modify reads the record, applies fn and writes it back, in one
// transaction.
func (r stored[T]) modify(ctx context.Context, s *Service, account, id string, fn func(*T) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		v, err := r.get(ctx, tx, account, id)
		if err != nil {
			return err
		}
		if err := fn(&v); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, r.kind, account, r.key(v), v)
	})
}

// remove deletes the record (its NoSuchEntity when there is none).
func (r stored[T]) remove(ctx context.Context, s *Service, account, id string) error {
	return s.update(ctx, func(tx store.Tx) error {
		v, err := r.get(ctx, tx, account, id)
		if err != nil {
			return err
		}
		return tx.Delete(ctx, r.kind, account, r.key(v))
	})
}

// taggable is the record's tagging, authorized by authz.
func (r stored[T]) taggable(s *Service, authz func(ctx context.Context, c *identity.Caller, action, id string) (Authz, error)) taggable {
	return taggable{
		authz: authz,
		modify: func(ctx context.Context, account, id string, fn func(*[]store.Tag) error) error {
			return r.modify(ctx, s, account, id, func(v *T) error { return fn(r.tags(v)) })
		},
		tags: func(ctx context.Context, account, id string) ([]store.Tag, error) {
			var v T
			err := s.view(ctx, func(tx store.ReadTx) error {
				var err error
				v, err = r.get(ctx, tx, account, id)
				return err
			})
			return *r.tags(&v), err
		},
	}
}
