// Package storetest is the conformance suite every store.Store backend runs.
//
// A backend's test is a few lines:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			s, err := sqlite.Open(t.Context(), t.TempDir())
//			if err != nil {
//				t.Fatal(err)
//			}
//			return s
//		})
//	}
//
// Each subtest gets a fresh, empty store from newStore and closes it when it
// ends, so Close must tolerate being called again by the backend's own
// cleanup. The suite uses only the store.Store contract, so a PostgreSQL
// backend runs it unchanged (skipping when no DSN is configured is the
// caller's business).
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Run runs the conformance suite against stores made by newStore, which must
// return an open, empty store.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s store.Store)
	}{
		{"CRUD", testCRUD},
		{"Addressing", testAddressing},
		{"InvalidArguments", testInvalid},
		{"ListOrderAndPrefix", testListOrderAndPrefix},
		{"Pagination", testPagination},
		{"Rollback", testRollback},
		{"Revision", testRevision},
		{"ChangeFeed", testChangeFeed},
		{"ChangeFeedPaging", testChangeFeedPaging},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"ViewIsolation", testViewIsolation},
		{"ReadYourWrites", testReadYourWrites},
		{"LargeValue", testLargeValue},
		{"ContextCancellation", testContextCancellation},
		{"TxAfterReturn", testTxAfterReturn},
		{"JSONHelpers", testJSONHelpers},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.run(t, s)
		})
	}
}

const (
	acct  = "123456789012"
	acct2 = "210987654321"
	kindA = store.Kind("test-a")
	kindB = store.Kind("test-b")
)

// ctxFor returns a context that ends with the test, bounded so a deadlocked
// backend fails instead of hanging.
func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func rec(kind store.Kind, account, key, data string) store.Record {
	return store.Record{Kind: kind, Account: account, Key: key, Data: []byte(data)}
}

// update runs fn in an Update and fails the test on error.
func update(t *testing.T, s store.Store, fn func(ctx context.Context, tx store.Tx) error) {
	t.Helper()
	ctx := ctxFor(t)
	if err := s.Update(ctx, func(tx store.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// put writes records in one commit.
func put(t *testing.T, s store.Store, recs ...store.Record) {
	t.Helper()
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, r := range recs {
			if err := tx.Put(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// get reads one record in a View.
func get(t *testing.T, s store.Store, kind store.Kind, account, key string) (store.Record, error) {
	t.Helper()
	ctx := ctxFor(t)
	var r store.Record
	err := s.View(ctx, func(tx store.ReadTx) error {
		var err error
		r, err = tx.Get(ctx, kind, account, key)
		return err
	})
	return r, err
}

// list lists in a View and fails the test on error.
func list(t *testing.T, s store.Store, opts store.ListOptions) []store.Record {
	t.Helper()
	ctx := ctxFor(t)
	var out []store.Record
	if err := s.View(ctx, func(tx store.ReadTx) error {
		var err error
		out, err = tx.List(ctx, opts)
		return err
	}); err != nil {
		t.Fatalf("List(%+v): %v", opts, err)
	}
	return out
}

func keys(recs []store.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Key
	}
	return out
}

func revision(t *testing.T, s store.Store) int64 {
	t.Helper()
	rev, err := s.Revision(ctxFor(t))
	if err != nil {
		t.Fatalf("Revision: %v", err)
	}
	return rev
}

func changes(t *testing.T, s store.Store, after int64, limit int) []store.Change {
	t.Helper()
	cs, err := s.Changes(ctxFor(t), after, limit)
	if err != nil {
		t.Fatalf("Changes(%d, %d): %v", after, limit, err)
	}
	return cs
}

func testCRUD(t *testing.T, s store.Store) {
	if _, err := get(t, s, kindA, acct, "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get missing: err = %v, want ErrNotFound", err)
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.Create(ctx, rec(kindA, acct, "alice", "v1"))
	})
	got, err := get(t, s, kindA, acct, "alice")
	if err != nil {
		t.Fatalf("Get after Create: %v", err)
	}
	if string(got.Data) != "v1" || got.Kind != kindA || got.Account != acct || got.Key != "alice" || got.Revision != 1 {
		t.Errorf("Get after Create = %+v, want data v1 at revision 1", got)
	}

	// A second Create fails with ErrAlreadyExists and leaves the transaction
	// usable: the Put that follows commits.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.Create(ctx, rec(kindA, acct, "alice", "v2")); !errors.Is(err, store.ErrAlreadyExists) {
			return fmt.Errorf("second Create: err = %v, want ErrAlreadyExists", err)
		}
		return tx.Put(ctx, rec(kindA, acct, "bob", "b1"))
	})
	if got, _ := get(t, s, kindA, acct, "alice"); string(got.Data) != "v1" {
		t.Errorf("failed Create overwrote the record: %q", got.Data)
	}
	if got, err := get(t, s, kindA, acct, "bob"); err != nil || string(got.Data) != "b1" || got.Revision != 2 {
		t.Errorf("Put after failed Create: %+v, %v; want b1 at revision 2", got, err)
	}

	put(t, s, rec(kindA, acct, "alice", "v3"))
	if got, _ := get(t, s, kindA, acct, "alice"); string(got.Data) != "v3" || got.Revision != 3 {
		t.Errorf("Put overwrite: %+v, want v3 at revision 3", got)
	}

	// Empty and nil values round-trip as empty.
	put(t, s, store.Record{Kind: kindA, Account: acct, Key: "empty"})
	if got, err := get(t, s, kindA, acct, "empty"); err != nil || len(got.Data) != 0 {
		t.Errorf("empty value: %+v, %v", got, err)
	}

	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.Delete(ctx, kindA, acct, "alice"); err != nil {
			return err
		}
		if err := tx.Delete(ctx, kindA, acct, "alice"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("second Delete: err = %v, want ErrNotFound", err)
		}
		if err := tx.Delete(ctx, kindA, acct, "nobody"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("Delete missing: err = %v, want ErrNotFound", err)
		}
		return nil
	})
	if _, err := get(t, s, kindA, acct, "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	// A deleted key can be created again.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.Create(ctx, rec(kindA, acct, "alice", "again"))
	})
	if got, _ := get(t, s, kindA, acct, "alice"); string(got.Data) != "again" {
		t.Errorf("re-Create after Delete: %q", got.Data)
	}
}

func testAddressing(t *testing.T, s store.Store) {
	// The same key under another kind or account is another record.
	addrs := []store.Record{
		rec(kindA, acct, "k", "a/acct"),
		rec(kindA, acct2, "k", "a/acct2"),
		rec(kindA, "", "k", "a/global"),
		rec(kindA, store.AWSAccount, "k", "a/aws"),
		rec(kindB, acct, "k", "b/acct"),
		rec(kindA, acct, "K", "a/acct/upper"),
	}
	put(t, s, addrs...)
	for _, want := range addrs {
		got, err := get(t, s, want.Kind, want.Account, want.Key)
		if err != nil || !bytes.Equal(got.Data, want.Data) {
			t.Errorf("Get(%s, %q, %q) = %q, %v; want %q", want.Kind, want.Account, want.Key, got.Data, err, want.Data)
		}
	}
	if got := keys(list(t, s, store.ListOptions{Kind: kindA, Account: acct})); !slices.Equal(got, []string{"K", "k"}) {
		t.Errorf("List(kindA, acct) = %q, want [K k]", got)
	}
	if got := keys(list(t, s, store.ListOptions{Kind: kindA, Account: ""})); !slices.Equal(got, []string{"k"}) {
		t.Errorf("List(kindA, global) = %q, want [k]", got)
	}
}

func testInvalid(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	cases := []struct {
		name           string
		kind           store.Kind
		account, key   string
		wantListFailed bool
	}{
		{"empty kind", "", acct, "k", true},
		{"empty key", kindA, acct, "", false},
		{"short account", kindA, "12345", "k", true},
		{"account with letters", kindA, "12345678901x", "k", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Update(ctx, func(tx store.Tx) error {
				if err := tx.Put(ctx, rec(tc.kind, tc.account, tc.key, "x")); !errors.Is(err, store.ErrInvalid) {
					t.Errorf("Put: err = %v, want ErrInvalid", err)
				}
				if err := tx.Create(ctx, rec(tc.kind, tc.account, tc.key, "x")); !errors.Is(err, store.ErrInvalid) {
					t.Errorf("Create: err = %v, want ErrInvalid", err)
				}
				if _, err := tx.Get(ctx, tc.kind, tc.account, tc.key); !errors.Is(err, store.ErrInvalid) {
					t.Errorf("Get: err = %v, want ErrInvalid", err)
				}
				if err := tx.Delete(ctx, tc.kind, tc.account, tc.key); !errors.Is(err, store.ErrInvalid) {
					t.Errorf("Delete: err = %v, want ErrInvalid", err)
				}
				_, err := tx.List(ctx, store.ListOptions{Kind: tc.kind, Account: tc.account})
				if got := errors.Is(err, store.ErrInvalid); got != tc.wantListFailed {
					t.Errorf("List: err = %v, want ErrInvalid: %v", err, tc.wantListFailed)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("Update: %v", err)
			}
		})
	}
	if rev := revision(t, s); rev != 0 {
		t.Errorf("invalid writes consumed revisions: %d", rev)
	}
}

// awkwardKeys are keys that break stores which use LIKE without escaping,
// compare by collation instead of bytes, or mishandle non-UTF-8.
var awkwardKeys = []string{
	"a", "a%", "a%b", "a_", "a_b", "ab", "a/b", "a/", "a\\", "a\\_", "A", "B", "a b",
	"é", "e\u0301", "日本", "a\x00b", "\x7f", "\x80", "\xff", "\xff\xff", "a\xff", "z",
	"%", "_", "*", "?", "[", "'", "\"", "user/alice/aws/readonly",
}

func sortedCopy(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out) // Go compares strings bytewise
	return out
}

func withPrefix(ss []string, prefix string) []string {
	var out []string
	for _, s := range sortedCopy(ss) {
		if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
			out = append(out, s)
		}
	}
	return out
}

func testListOrderAndPrefix(t *testing.T, s store.Store) {
	var recs []store.Record
	for _, k := range awkwardKeys {
		recs = append(recs, rec(kindA, acct, k, "v:"+k))
	}
	// Noise in other kinds and accounts that must never be listed.
	recs = append(recs, rec(kindB, acct, "a", "noise"), rec(kindA, acct2, "a", "noise"), rec(kindA, "", "a", "noise"))
	put(t, s, recs...)

	all := list(t, s, store.ListOptions{Kind: kindA, Account: acct})
	if got, want := keys(all), sortedCopy(awkwardKeys); !slices.Equal(got, want) {
		t.Fatalf("List order:\n got %q\nwant %q", got, want)
	}
	for _, r := range all {
		if string(r.Data) != "v:"+r.Key {
			t.Errorf("List value of %q = %q", r.Key, r.Data)
		}
	}

	ctx := ctxFor(t)
	for _, prefix := range []string{"", "a", "a%", "a_", "a/", "a\\", "%", "_", "\xff", "\xff\xff", "é", "e", "a\x00", "user/", "nothing"} {
		want := withPrefix(awkwardKeys, prefix)
		got := keys(list(t, s, store.ListOptions{Kind: kindA, Account: acct, Prefix: prefix}))
		if !slices.Equal(got, want) {
			t.Errorf("List(prefix %q):\n got %q\nwant %q", prefix, got, want)
		}
		var n int
		if err := s.View(ctx, func(tx store.ReadTx) error {
			var err error
			n, err = tx.Count(ctx, kindA, acct, prefix)
			return err
		}); err != nil {
			t.Fatalf("Count(%q): %v", prefix, err)
		}
		if n != len(want) {
			t.Errorf("Count(prefix %q) = %d, want %d", prefix, n, len(want))
		}
	}
}

func testPagination(t *testing.T, s store.Store) {
	var recs []store.Record
	for _, k := range awkwardKeys {
		recs = append(recs, rec(kindA, acct, k, "v"))
	}
	put(t, s, recs...)

	for _, tc := range []struct {
		prefix string
		limit  int
	}{
		{"", 1}, {"", 3}, {"", 7}, {"", 100}, {"a", 2}, {"a%", 1}, {"\xff", 1}, {"zz", 5},
	} {
		want := withPrefix(awkwardKeys, tc.prefix)
		var got []string
		after := ""
		for page := 0; ; page++ {
			if page > len(awkwardKeys)+1 {
				t.Fatalf("prefix %q limit %d: pagination does not end", tc.prefix, tc.limit)
			}
			recs := list(t, s, store.ListOptions{Kind: kindA, Account: acct, Prefix: tc.prefix, After: after, Limit: tc.limit})
			if len(recs) > tc.limit {
				t.Fatalf("prefix %q limit %d: page of %d", tc.prefix, tc.limit, len(recs))
			}
			got = append(got, keys(recs)...)
			if len(recs) < tc.limit {
				break
			}
			after = recs[len(recs)-1].Key
		}
		if !slices.Equal(got, want) {
			t.Errorf("paged List(prefix %q, limit %d):\n got %q\nwant %q", tc.prefix, tc.limit, got, want)
		}
	}

	// After need not be an existing key, and may sort before or inside the
	// prefix range.
	for _, tc := range []struct {
		prefix, after string
	}{
		{"", "a\\"}, {"a_", "a"}, {"a_", "a_"}, {"a", "a\\_"}, {"a", "ab"}, {"\xff", "\xff"},
		{"a%", "0"}, {"b", "z"}, {"", "\xff\xff"},
	} {
		var want []string
		for _, k := range withPrefix(awkwardKeys, tc.prefix) {
			if k > tc.after {
				want = append(want, k)
			}
		}
		got := keys(list(t, s, store.ListOptions{Kind: kindA, Account: acct, Prefix: tc.prefix, After: tc.after}))
		if !slices.Equal(got, want) {
			t.Errorf("List(prefix %q, after %q):\n got %q\nwant %q", tc.prefix, tc.after, got, want)
		}
	}
	// Two cases checked by hand, in case the helpers above are wrong too.
	if got := keys(list(t, s, store.ListOptions{Kind: kindA, Account: acct, Prefix: "a_", After: "a_"})); !slices.Equal(got, []string{"a_b"}) {
		t.Errorf("List(prefix a_, after a_) = %q, want [a_b]", got)
	}
	if got := keys(list(t, s, store.ListOptions{Kind: kindA, Account: acct, Prefix: "a", After: "ab"})); !slices.Equal(got, []string{"a\xff"}) {
		t.Errorf("List(prefix a, after ab) = %q, want [a\\xff]", got)
	}
}

var errBoom = errors.New("boom")

// boomError is a typed error that must come out of Update unchanged.
type boomError struct{ code int }

// Error implements error.
func (e *boomError) Error() string { return "boom " + strconv.Itoa(e.code) }

func testRollback(t *testing.T, s store.Store) {
	put(t, s, rec(kindA, acct, "keep", "v1"))
	rev := revision(t, s)
	feed := changes(t, s, 0, 0)

	ctx := ctxFor(t)
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Put(ctx, rec(kindA, acct, "keep", "changed")); err != nil {
			return err
		}
		if err := tx.Create(ctx, rec(kindA, acct, "new", "v")); err != nil {
			return err
		}
		if err := tx.Delete(ctx, kindA, acct, "keep"); err != nil {
			return err
		}
		return fmt.Errorf("closure failed: %w", &boomError{code: 7})
	})
	var be *boomError
	if !errors.As(err, &be) || be.code != 7 {
		t.Fatalf("Update returned %v, want the closure's *boomError", err)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Put(ctx, rec(kindA, acct, "new2", "v")); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update returned %v, want errBoom", err)
	}

	if got, err := get(t, s, kindA, acct, "keep"); err != nil || string(got.Data) != "v1" {
		t.Errorf("rolled-back writes visible: keep = %q, %v", got.Data, err)
	}
	for _, k := range []string{"new", "new2"} {
		if _, err := get(t, s, kindA, acct, k); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("rolled-back Create of %q visible: %v", k, err)
		}
	}
	if got := revision(t, s); got != rev {
		t.Errorf("revision after rollback = %d, want %d", got, rev)
	}
	if got := changes(t, s, 0, 0); !slices.Equal(got, feed) {
		t.Errorf("change feed after rollback = %+v, want %+v", got, feed)
	}
	// The next commit takes the next revision: none was burnt.
	put(t, s, rec(kindA, acct, "after", "v"))
	if got := revision(t, s); got != rev+1 {
		t.Errorf("revision after next commit = %d, want %d", got, rev+1)
	}
}

func testRevision(t *testing.T, s store.Store) {
	if got := revision(t, s); got != 0 {
		t.Fatalf("empty store revision = %d, want 0", got)
	}
	// Several writes in one commit share one revision.
	put(t, s, rec(kindA, acct, "a", "1"), rec(kindA, acct, "b", "1"), rec(kindB, "", "c", "1"))
	if got := revision(t, s); got != 1 {
		t.Errorf("revision after first commit = %d, want 1", got)
	}
	for _, r := range list(t, s, store.ListOptions{Kind: kindA, Account: acct}) {
		if r.Revision != 1 {
			t.Errorf("record %q revision = %d, want 1", r.Key, r.Revision)
		}
	}
	put(t, s, rec(kindA, acct, "b", "2"))
	if got := revision(t, s); got != 2 {
		t.Errorf("revision after second commit = %d, want 2", got)
	}
	if a, _ := get(t, s, kindA, acct, "a"); a.Revision != 1 {
		t.Errorf("untouched record revision = %d, want 1", a.Revision)
	}
	if b, _ := get(t, s, kindA, acct, "b"); b.Revision != 2 {
		t.Errorf("rewritten record revision = %d, want 2", b.Revision)
	}

	// Commits that write nothing consume no revision: read-only, a failed
	// Create, a failed Delete.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		_, err := tx.Get(ctx, kindA, acct, "a")
		return err
	})
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.Create(ctx, rec(kindA, acct, "a", "x")); !errors.Is(err, store.ErrAlreadyExists) {
			return fmt.Errorf("Create: %v, want ErrAlreadyExists", err)
		}
		if err := tx.Delete(ctx, kindA, acct, "missing"); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("Delete: %v, want ErrNotFound", err)
		}
		return nil
	})
	if got := revision(t, s); got != 2 {
		t.Errorf("revision after commits without writes = %d, want 2", got)
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.Delete(ctx, kindA, acct, "a")
	})
	if got := revision(t, s); got != 3 {
		t.Errorf("revision after a delete = %d, want 3", got)
	}
}

func testChangeFeed(t *testing.T, s store.Store) {
	if got := changes(t, s, 0, 0); len(got) != 0 {
		t.Fatalf("empty store has changes: %+v", got)
	}
	// Revision 1: written in an order unlike the feed's.
	put(t, s, rec(kindB, acct, "z", "1"), rec(kindA, acct2, "b", "1"), rec(kindA, acct, "b", "1"), rec(kindA, acct, "a", "1"), rec(kindA, "", "g", "1"))
	// Revision 2: one key written twice, one put then deleted, one deleted.
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, step := range []func() error{
			func() error { return tx.Put(ctx, rec(kindA, acct, "a", "2")) },
			func() error { return tx.Put(ctx, rec(kindA, acct, "a", "3")) },
			func() error { return tx.Create(ctx, rec(kindA, acct, "tmp", "x")) },
			func() error { return tx.Delete(ctx, kindA, acct, "tmp") },
			func() error { return tx.Delete(ctx, kindB, acct, "z") },
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	// Revision 3: a deleted key written again.
	put(t, s, rec(kindB, acct, "z", "again"))

	want := []store.Change{
		{Revision: 1, Kind: kindA, Account: "", Key: "g", Op: store.OpPut},
		{Revision: 1, Kind: kindA, Account: acct2, Key: "b", Op: store.OpPut},
		{Revision: 1, Kind: kindA, Account: acct, Key: "a", Op: store.OpPut},
		{Revision: 1, Kind: kindA, Account: acct, Key: "b", Op: store.OpPut},
		{Revision: 1, Kind: kindB, Account: acct, Key: "z", Op: store.OpPut},
		{Revision: 2, Kind: kindA, Account: acct, Key: "a", Op: store.OpPut},
		{Revision: 2, Kind: kindA, Account: acct, Key: "tmp", Op: store.OpDelete},
		{Revision: 2, Kind: kindB, Account: acct, Key: "z", Op: store.OpDelete},
		{Revision: 3, Kind: kindB, Account: acct, Key: "z", Op: store.OpPut},
	}
	// The feed is ordered by revision, then kind, account and key bytewise.
	slices.SortStableFunc(want, func(a, b store.Change) int {
		if a.Revision != b.Revision {
			return int(a.Revision - b.Revision)
		}
		for _, c := range [][2]string{{string(a.Kind), string(b.Kind)}, {a.Account, b.Account}, {a.Key, b.Key}} {
			if c[0] != c[1] {
				if c[0] < c[1] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
	if got := changes(t, s, 0, 0); !slices.Equal(got, want) {
		t.Errorf("Changes(0):\n got %+v\nwant %+v", got, want)
	}
	if got := changes(t, s, 1, 0); !slices.Equal(got, want[5:]) {
		t.Errorf("Changes(1):\n got %+v\nwant %+v", got, want[5:])
	}
	if got := changes(t, s, 3, 0); len(got) != 0 {
		t.Errorf("Changes(latest) = %+v, want none", got)
	}
	if got := changes(t, s, 99, 10); len(got) != 0 {
		t.Errorf("Changes(future) = %+v, want none", got)
	}
}

func testChangeFeedPaging(t *testing.T, s store.Store) {
	// Revisions of 3, 1, 4 and 2 changes.
	sizes := []int{3, 1, 4, 2}
	for i, n := range sizes {
		var recs []store.Record
		for j := range n {
			recs = append(recs, rec(kindA, acct, fmt.Sprintf("r%d-%d", i+1, j), "v"))
		}
		put(t, s, recs...)
	}
	all := changes(t, s, 0, 0)
	if len(all) != 10 {
		t.Fatalf("Changes(0) has %d entries, want 10", len(all))
	}
	for _, tc := range []struct {
		after    int64
		limit    int
		wantRevs []int64 // the revisions the page must hold, whole
	}{
		{0, 100, []int64{1, 2, 3, 4}},
		{0, 10, []int64{1, 2, 3, 4}},
		{0, 4, []int64{1, 2}},       // exactly fits
		{0, 5, []int64{1, 2}},       // revision 3 would not fit
		{0, 8, []int64{1, 2, 3}},    // exactly fits
		{0, 1, []int64{1}},          // first revision larger than limit: whole
		{2, 1, []int64{3}},          // likewise
		{2, 3, []int64{3}},          // likewise
		{1, 6, []int64{2, 3}},       // 1 + 4 = 5 fit, revision 4 does not
		{3, 2, []int64{4}},          // exactly fits
		{3, 1, []int64{4}},          // whole
		{4, 1, nil},                 // nothing after the latest
		{0, 0, []int64{1, 2, 3, 4}}, // no limit
	} {
		got := changes(t, s, tc.after, tc.limit)
		var want []store.Change
		for _, c := range all {
			if slices.Contains(tc.wantRevs, c.Revision) {
				want = append(want, c)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("Changes(after %d, limit %d):\n got %+v\nwant revisions %v", tc.after, tc.limit, got, tc.wantRevs)
		}
	}
}

func testConcurrentUpdates(t *testing.T, s store.Store) {
	const (
		workers    = 8
		increments = 25 // 200 read-modify-writes in all
	)
	ctx := ctxFor(t)
	put(t, s, rec(kindA, acct, "counter", "0"))
	start := revision(t, s)

	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range increments {
				err := s.Update(ctx, func(tx store.Tx) error {
					r, err := tx.Get(ctx, kindA, acct, "counter")
					if err != nil {
						return err
					}
					n, err := strconv.Atoi(string(r.Data))
					if err != nil {
						return fmt.Errorf("counter value %q: %w", r.Data, err)
					}
					r.Data = []byte(strconv.Itoa(n + 1))
					if err := tx.Put(ctx, r); err != nil {
						return err
					}
					// A per-worker record too, so commits write several rows.
					return tx.Put(ctx, rec(kindB, acct, fmt.Sprintf("w%d", w), strconv.Itoa(i)))
				})
				if err != nil {
					errs <- fmt.Errorf("worker %d increment %d: %w", w, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got, err := get(t, s, kindA, acct, "counter")
	if err != nil {
		t.Fatalf("Get counter: %v", err)
	}
	if want := strconv.Itoa(workers * increments); string(got.Data) != want {
		t.Errorf("counter = %s, want %s: updates were lost", got.Data, want)
	}
	if rev := revision(t, s); rev != start+workers*increments {
		t.Errorf("revision = %d, want %d (one per commit)", rev, start+workers*increments)
	}
	// Every commit appears in the feed exactly once, in order.
	feed := changes(t, s, start, 0)
	if len(feed) != 2*workers*increments {
		t.Errorf("feed has %d changes, want %d", len(feed), 2*workers*increments)
	}
	for i := 1; i < len(feed); i++ {
		if feed[i].Revision < feed[i-1].Revision {
			t.Fatalf("feed out of order at %d: %+v after %+v", i, feed[i], feed[i-1])
		}
	}
}

func testViewIsolation(t *testing.T, s store.Store) {
	put(t, s, rec(kindA, acct, "a", "old"), rec(kindA, acct, "b", "old"), rec(kindA, acct, "gone", "old"))
	ctx := ctxFor(t)
	err := s.View(ctx, func(tx store.ReadTx) error {
		if r, err := tx.Get(ctx, kindA, acct, "a"); err != nil || string(r.Data) != "old" {
			return fmt.Errorf("first read: %q, %v", r.Data, err)
		}
		// A commit lands while the View is open.
		err := s.Update(ctx, func(w store.Tx) error {
			for _, step := range []func() error{
				func() error { return w.Put(ctx, rec(kindA, acct, "a", "new")) },
				func() error { return w.Put(ctx, rec(kindA, acct, "b", "new")) },
				func() error { return w.Create(ctx, rec(kindA, acct, "c", "new")) },
				func() error { return w.Delete(ctx, kindA, acct, "gone") },
			} {
				if err := step(); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("concurrent Update: %w", err)
		}
		for _, k := range []string{"a", "b", "gone"} {
			if r, err := tx.Get(ctx, kindA, acct, k); err != nil || string(r.Data) != "old" {
				t.Errorf("View saw a later commit: %s = %q, %v; want old", k, r.Data, err)
			}
		}
		if _, err := tx.Get(ctx, kindA, acct, "c"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("View saw a record created later: err = %v", err)
		}
		recs, err := tx.List(ctx, store.ListOptions{Kind: kindA, Account: acct})
		if err != nil {
			return err
		}
		if got := keys(recs); !slices.Equal(got, []string{"a", "b", "gone"}) {
			t.Errorf("View List = %q, want the snapshot [a b gone]", got)
		}
		if n, err := tx.Count(ctx, kindA, acct, ""); err != nil || n != 3 {
			t.Errorf("View Count = %d, %v; want 3", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	if r, _ := get(t, s, kindA, acct, "a"); string(r.Data) != "new" {
		t.Errorf("a new View does not see the commit: %q", r.Data)
	}
}

func testReadYourWrites(t *testing.T, s store.Store) {
	put(t, s, rec(kindA, acct, "a", "1"), rec(kindA, acct, "b", "1"))
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.Put(ctx, rec(kindA, acct, "a", "2")); err != nil {
			return err
		}
		if err := tx.Delete(ctx, kindA, acct, "b"); err != nil {
			return err
		}
		if err := tx.Create(ctx, rec(kindA, acct, "c", "2")); err != nil {
			return err
		}
		if r, err := tx.Get(ctx, kindA, acct, "a"); err != nil || string(r.Data) != "2" {
			t.Errorf("Get in Update = %q, %v; want its own write", r.Data, err)
		}
		if _, err := tx.Get(ctx, kindA, acct, "b"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Get of a key deleted in this Update: %v, want ErrNotFound", err)
		}
		recs, err := tx.List(ctx, store.ListOptions{Kind: kindA, Account: acct})
		if err != nil {
			return err
		}
		if got := keys(recs); !slices.Equal(got, []string{"a", "c"}) {
			t.Errorf("List in Update = %q, want [a c]", got)
		}
		if n, err := tx.Count(ctx, kindA, acct, ""); err != nil || n != 2 {
			t.Errorf("Count in Update = %d, %v; want 2", n, err)
		}
		return nil
	})
}

func testLargeValue(t *testing.T, s store.Store) {
	big := make([]byte, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range big {
		big[i] = byte(rng.UintN(256))
	}
	put(t, s, store.Record{Kind: kindA, Account: acct, Key: "big", Data: big})
	got, err := get(t, s, kindA, acct, "big")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if !bytes.Equal(got.Data, big) {
		t.Errorf("1 MiB value did not round-trip (got %d bytes)", len(got.Data))
	}
	if recs := list(t, s, store.ListOptions{Kind: kindA, Account: acct}); len(recs) != 1 || !bytes.Equal(recs[0].Data, big) {
		t.Errorf("List of the 1 MiB value differs")
	}
}

func testContextCancellation(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(ctxFor(t))
	cancel()
	ran := false
	err := s.Update(ctx, func(tx store.Tx) error {
		ran = true
		return tx.Put(ctx, rec(kindA, acct, "a", "v"))
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update with a cancelled context: err = %v (ran %v), want context.Canceled", err, ran)
	}
	if err := s.View(ctx, func(tx store.ReadTx) error {
		_, err := tx.Get(ctx, kindA, acct, "a")
		return err
	}); !errors.Is(err, context.Canceled) {
		t.Errorf("View with a cancelled context: err = %v, want context.Canceled", err)
	}

	// Cancelled in the middle of the transaction: nothing commits.
	ctx2, cancel2 := context.WithCancel(ctxFor(t))
	defer cancel2()
	err = s.Update(ctx2, func(tx store.Tx) error {
		if err := tx.Put(ctx2, rec(kindA, acct, "b", "v")); err != nil {
			return err
		}
		cancel2()
		return tx.Put(ctx2, rec(kindA, acct, "c", "v"))
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update cancelled midway: err = %v, want context.Canceled", err)
	}
	for _, k := range []string{"a", "b", "c"} {
		if _, err := get(t, s, kindA, acct, k); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("cancelled write of %q visible: %v", k, err)
		}
	}
	// Cancelled after the last statement, fn returning nil: the caller has
	// gone, so the transaction must not commit.
	ctx3, cancel3 := context.WithCancel(ctxFor(t))
	defer cancel3()
	err = s.Update(ctx3, func(tx store.Tx) error {
		if err := tx.Put(ctx3, rec(kindA, acct, "e", "v")); err != nil {
			return err
		}
		cancel3()
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Update cancelled before COMMIT: err = %v, want context.Canceled", err)
	}
	// The deadline passes while fn runs: the statements that follow fail,
	// even those given a context without a deadline, and nothing commits.
	ctx4, cancel4 := context.WithTimeout(ctxFor(t), 50*time.Millisecond)
	defer cancel4()
	var late error
	err = s.Update(ctx4, func(tx store.Tx) error {
		if err := tx.Put(ctx4, rec(kindA, acct, "f", "v")); err != nil {
			return err
		}
		<-ctx4.Done()
		late = tx.Put(context.WithoutCancel(ctx4), rec(kindA, acct, "g", "v"))
		return nil
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Update past its deadline: err = %v, want context.DeadlineExceeded", err)
	}
	if late == nil {
		t.Error("a statement run after the transaction's deadline succeeded")
	}
	for _, k := range []string{"e", "f", "g"} {
		if _, err := get(t, s, kindA, acct, k); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("abandoned write of %q visible: %v", k, err)
		}
	}
	if rev := revision(t, s); rev != 0 {
		t.Errorf("revision after cancelled updates = %d, want 0", rev)
	}
	// The store still works.
	put(t, s, rec(kindA, acct, "d", "v"))
	if _, err := get(t, s, kindA, acct, "d"); err != nil {
		t.Errorf("store unusable after cancellations: %v", err)
	}
}

func testTxAfterReturn(t *testing.T, s store.Store) {
	ctx := ctxFor(t)
	var leakedW store.Tx
	var leakedR store.ReadTx
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		leakedW = tx
		return tx.Put(ctx, rec(kindA, acct, "a", "v"))
	})
	if err := s.View(ctx, func(tx store.ReadTx) error { leakedR = tx; return nil }); err != nil {
		t.Fatalf("View: %v", err)
	}
	if err := leakedW.Put(ctx, rec(kindA, acct, "b", "v")); err == nil {
		t.Errorf("Put on a finished Tx succeeded")
	}
	if _, err := leakedR.Get(ctx, kindA, acct, "a"); err == nil {
		t.Errorf("Get on a finished ReadTx succeeded")
	}
	if _, err := get(t, s, kindA, acct, "b"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("write through a finished Tx is visible: %v", err)
	}
}

func testJSONHelpers(t *testing.T, s store.Store) {
	created := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	users := []store.User{
		{ID: "AIDAAAAAAAAAAAAAAAAAB", Name: "Bob", Path: "/", ARN: arn.User(acct, "/", "Bob"), CreateDate: created},
		{ID: "AIDAAAAAAAAAAAAAAAAAA", Name: "alice", Path: "/eng/", ARN: arn.User(acct, "/eng/", "alice"), CreateDate: created,
			Tags: []store.Tag{{Key: "team", Value: "iam"}}},
	}
	update(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, u := range users {
			if err := store.CreateJSON(ctx, tx, store.KindUser, acct, store.UserKey(u.Name), u); err != nil {
				return err
			}
		}
		// Names differ by case only: the same key.
		dup := store.User{Name: "ALICE"}
		if err := store.CreateJSON(ctx, tx, store.KindUser, acct, store.UserKey(dup.Name), dup); !errors.Is(err, store.ErrAlreadyExists) {
			return fmt.Errorf("CreateJSON of ALICE: %v, want ErrAlreadyExists", err)
		}
		return nil
	})
	ctx := ctxFor(t)
	err := s.View(ctx, func(tx store.ReadTx) error {
		got, err := store.GetJSON[store.User](ctx, tx, store.KindUser, acct, store.UserKey("ALICE"))
		if err != nil {
			return err
		}
		if got.Name != "alice" || !got.CreateDate.Equal(created) || len(got.Tags) != 1 || got.ARN != "arn:aws:iam::"+acct+":user/eng/alice" {
			t.Errorf("GetJSON = %+v", got)
		}
		entries, err := store.ListJSON[store.User](ctx, tx, store.ListOptions{Kind: store.KindUser, Account: acct})
		if err != nil {
			return err
		}
		if len(entries) != 2 || entries[0].Key != "alice" || entries[1].Value.Name != "Bob" || entries[0].Revision != 1 {
			t.Errorf("ListJSON = %+v", entries)
		}
		if _, err := store.GetJSON[store.User](ctx, tx, store.KindUser, acct, "carol"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetJSON missing: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("View: %v", err)
	}
	// A value that is not JSON of the type decodes to an error, not junk.
	put(t, s, rec(store.KindUser, acct, "broken", "{not json"))
	err = s.View(ctx, func(tx store.ReadTx) error {
		_, err := store.GetJSON[store.User](ctx, tx, store.KindUser, acct, "broken")
		return err
	})
	if err == nil {
		t.Errorf("GetJSON of malformed JSON succeeded")
	}
}
