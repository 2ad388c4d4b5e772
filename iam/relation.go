package iam

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/store"
)

// relation is a two-way relation between records of IAM, stored twice in the
// same transaction (docs/ARCHITECTURE.md, "Relations are stored twice"): each
// pair's value V under byFrom, keyed from its From end, and the same value
// under byTo, keyed from its To end, so both directions list without scans.
// Every write of a relation goes through add and remove, which keep the two
// indexes in step.
type relation[From, To, V any] struct {
	byFrom, byTo store.Kind
	// ends are the two ends a value relates.
	ends func(V) (From, To)
	// fromKey and toKey are a pair's keys in byFrom and byTo.
	fromKey func(From, To) string
	toKey   func(To, From) string
	// fromPrefix and toPrefix are the List prefixes of every pair of one end.
	fromPrefix func(From) string
	toPrefix   func(To) string
}

// policyEnd names a managed policy as attachment keys do: its account (the
// entity's own, or store.AWSAccount) and its name.
type policyEnd struct{ account, name string }

// attachments relates users, groups and roles to the managed policies
// attached to them (store.KindAttachment by entity, store.KindPolicyAttachment
// by policy).
var attachments = relation[principal, policyEnd, store.Attachment]{
	byFrom: store.KindAttachment,
	byTo:   store.KindPolicyAttachment,
	ends: func(a store.Attachment) (principal, policyEnd) {
		acct, name, _ := splitPolicyARN(a.PolicyARN)
		return principal{a.EntityKind, a.EntityName}, policyEnd{acct, name}
	},
	fromKey: func(p principal, pol policyEnd) string {
		return store.AttachmentKey(p.kind, p.name, pol.account, pol.name)
	},
	toKey: func(pol policyEnd, p principal) string {
		return store.PolicyAttachmentKey(pol.account, pol.name, p.kind, p.name)
	},
	fromPrefix: func(p principal) string { return store.AttachmentPrefix(p.kind, p.name) },
	toPrefix:   func(pol policyEnd) string { return store.PolicyAttachmentPrefix(pol.account, pol.name) },
}

// memberships relates groups (by name) to their member users (by name)
// (store.KindMembership by group, store.KindUserMembership by user).
var memberships = relation[string, string, store.GroupMembership]{
	byFrom:     store.KindMembership,
	byTo:       store.KindUserMembership,
	ends:       func(m store.GroupMembership) (string, string) { return m.GroupName, m.UserName },
	fromKey:    store.MembershipKey,
	toKey:      store.UserMembershipKey,
	fromPrefix: store.MembershipPrefix,
	toPrefix:   store.UserMembershipPrefix,
}

// add stores v in both directions, replacing an equal pair.
func (r relation[From, To, V]) add(ctx context.Context, tx store.Tx, account string, v V) error {
	f, t := r.ends(v)
	if err := store.PutJSON(ctx, tx, r.byFrom, account, r.fromKey(f, t), v); err != nil {
		return err
	}
	return store.PutJSON(ctx, tx, r.byTo, account, r.toKey(t, f), v)
}

// remove deletes the pair f–t from both directions. A pair missing from byFrom
// is an error wrapping store.ErrNotFound; one missing from byTo only is not.
func (r relation[From, To, V]) remove(ctx context.Context, tx store.Tx, account string, f From, t To) error {
	if err := tx.Delete(ctx, r.byFrom, account, r.fromKey(f, t)); err != nil {
		return err
	}
	if err := tx.Delete(ctx, r.byTo, account, r.toKey(t, f)); err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

// get reads the pair f–t, or an error wrapping store.ErrNotFound.
func (r relation[From, To, V]) get(ctx context.Context, tx store.ReadTx, account string, f From, t To) (V, error) {
	return store.GetJSON[V](ctx, tx, r.byFrom, account, r.fromKey(f, t))
}

// has reports whether the pair f–t exists.
func (r relation[From, To, V]) has(ctx context.Context, tx store.ReadTx, account string, f From, t To) (bool, error) {
	_, err := tx.Get(ctx, r.byFrom, account, r.fromKey(f, t))
	if isNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// from and to are the List options of every pair of one end; List pages
// through them (listPage) or lists them whole (listFrom, listTo).
func (r relation[From, To, V]) from(account string, f From) store.ListOptions {
	return store.ListOptions{Kind: r.byFrom, Account: account, Prefix: r.fromPrefix(f)}
}

func (r relation[From, To, V]) to(account string, t To) store.ListOptions {
	return store.ListOptions{Kind: r.byTo, Account: account, Prefix: r.toPrefix(t)}
}

// countFrom and countTo count the pairs of one end.
func (r relation[From, To, V]) countFrom(ctx context.Context, tx store.ReadTx, account string, f From) (int, error) {
	return tx.Count(ctx, r.byFrom, account, r.fromPrefix(f))
}

func (r relation[From, To, V]) countTo(ctx context.Context, tx store.ReadTx, account string, t To) (int, error) {
	return tx.Count(ctx, r.byTo, account, r.toPrefix(t))
}

// listFrom and listTo list every pair of one end.
func (r relation[From, To, V]) listFrom(ctx context.Context, tx store.ReadTx, account string, f From) ([]V, error) {
	return store.ListValues[V](ctx, tx, r.from(account, f))
}

func (r relation[From, To, V]) listTo(ctx context.Context, tx store.ReadTx, account string, t To) ([]V, error) {
	return store.ListValues[V](ctx, tx, r.to(account, t))
}

// each calls fn with every pair of vs after removing it from both directions,
// and stores what fn leaves in its place: the one way to move pairs to a
// renamed end (fn changes the end's name) or drop them (fn returns false).
func (r relation[From, To, V]) each(ctx context.Context, tx store.Tx, account string, vs []V, fn func(*V) (keep bool, err error)) error {
	for _, v := range vs {
		f, t := r.ends(v)
		if err := r.remove(ctx, tx, account, f, t); err != nil {
			return err
		}
		keep, err := fn(&v)
		if err != nil {
			return err
		}
		if !keep {
			continue
		}
		if err := r.add(ctx, tx, account, v); err != nil {
			return err
		}
	}
	return nil
}

// pageOther pages the pairs opts lists (a relation's from or to) and reads
// the other end of each with other, as a List operation's output.
func pageOther[V, T any](ctx context.Context, tx store.ReadTx, opts store.ListOptions, p page, other func(V) (T, error)) (items []T, truncated *bool, marker *string, err error) {
	vs, t, m, err := listPage[V](ctx, tx, opts, p, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	items = make([]T, 0, len(vs))
	for _, v := range vs {
		x, err := other(v)
		if err != nil {
			return nil, nil, nil, err
		}
		items = append(items, x)
	}
	truncated, marker = truncatedOut(t, m)
	return items, truncated, marker, nil
}
