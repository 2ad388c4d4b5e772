package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// Typed helpers: the services read and write entity values through these and
// never handle Record.Data themselves.

// GetJSON reads the record (kind, account, key) and decodes its JSON value.
// A missing record gives an error wrapping ErrNotFound.
func GetJSON[T any](ctx context.Context, tx ReadTx, kind Kind, account, key string) (T, error) {
	var v T
	r, err := tx.Get(ctx, kind, account, key)
	if err != nil {
		return v, err
	}
	return DecodeJSON[T](r)
}

// DecodeJSON decodes a record's JSON value.
func DecodeJSON[T any](r Record) (T, error) {
	var v T
	if err := json.Unmarshal(r.Data, &v); err != nil {
		return v, fmt.Errorf("store: decode %s %q in account %q: %w", r.Kind, r.Key, r.Account, err)
	}
	return v, nil
}

// encode builds the record holding v as JSON.
func encode(kind Kind, account, key string, v any) (Record, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return Record{}, fmt.Errorf("store: encode %s %q in account %q: %w", kind, key, account, err)
	}
	return Record{Kind: kind, Account: account, Key: key, Data: data}, nil
}

// PutJSON stores v as JSON under (kind, account, key), replacing any value.
func PutJSON(ctx context.Context, tx Tx, kind Kind, account, key string, v any) error {
	r, err := encode(kind, account, key, v)
	if err != nil {
		return err
	}
	return tx.Put(ctx, r)
}

// CreateJSON stores v as JSON under (kind, account, key), or returns an error
// wrapping ErrAlreadyExists if that record exists.
func CreateJSON(ctx context.Context, tx Tx, kind Kind, account, key string, v any) error {
	r, err := encode(kind, account, key, v)
	if err != nil {
		return err
	}
	return tx.Create(ctx, r)
}

// Entry is a decoded record value with its key and revision.
type Entry[T any] struct {
	Key      string
	Revision int64
	Value    T
}

// ListJSON lists records as [ReadTx.List] does and decodes each value. The
// last entry's Key is the After of the next page.
func ListJSON[T any](ctx context.Context, tx ReadTx, opts ListOptions) ([]Entry[T], error) {
	recs, err := tx.List(ctx, opts)
	if err != nil {
		return nil, err
	}
	out := make([]Entry[T], 0, len(recs))
	for _, r := range recs {
		v, err := DecodeJSON[T](r)
		if err != nil {
			return nil, err
		}
		out = append(out, Entry[T]{Key: r.Key, Revision: r.Revision, Value: v})
	}
	return out, nil
}

// ListValues is ListJSON without the keys and revisions.
func ListValues[T any](ctx context.Context, tx ReadTx, opts ListOptions) ([]T, error) {
	entries, err := ListJSON[T](ctx, tx, opts)
	if err != nil {
		return nil, err
	}
	out := make([]T, len(entries))
	for i, e := range entries {
		out[i] = e.Value
	}
	return out, nil
}
