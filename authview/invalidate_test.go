package authview

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

const acct = "111122223333"

func putUser(t *testing.T, st store.Store, name, doc string) {
	t.Helper()
	ctx := context.Background()
	err := st.Update(ctx, func(tx store.Tx) error {
		u := store.User{ID: "AIDA" + name, Name: name, Path: "/", ARN: arn.User(acct, "/", name), CreateDate: time.Now()}
		if err := store.PutJSON(ctx, tx, store.KindUser, acct, store.UserKey(name), u); err != nil {
			return err
		}
		ip := store.InlinePolicy{OwnerKind: store.EntityUser, OwnerName: name, PolicyName: "p", Document: doc}
		return store.PutJSON(ctx, tx, store.KindInlinePolicy, acct, store.InlinePolicyKey(store.EntityUser, name, "p"), ip)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestInvalidation: a change to one user's policies reloads that user's set only;
// a change to a group reloads every set of the account; keys and MFA changes
// reload nothing.
func TestInvalidation(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`
	putUser(t, st, "Alice", doc)
	putUser(t, st, "Bob", doc)
	d := New(st, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	get := func(name string) any {
		s, err := d.UserPolicies(ctx, acct, name)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sync := func() {
		if err := d.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	a1, b1 := get("Alice"), get("bob")
	if get("ALICE") != a1 {
		t.Fatal("the set is not cached (names fold case)")
	}
	putUser(t, st, "Alice", `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`)
	sync()
	if get("Alice") == a1 {
		t.Error("Alice's changed policy did not reload her set")
	}
	if get("Bob") != b1 {
		t.Error("a change to Alice reloaded Bob's set")
	}
	// An access key or MFA device changes no policy set.
	a2 := get("Alice")
	err = st.Update(ctx, func(tx store.Tx) error {
		return store.PutJSON(ctx, tx, store.KindMFADevice, acct, "arn:aws:iam::111122223333:mfa/x", store.MFADevice{SerialNumber: "x"})
	})
	if err != nil {
		t.Fatal(err)
	}
	sync()
	if get("Alice") != a2 || get("Bob") != b1 {
		t.Error("an MFA device change reloaded policy sets")
	}
	// A group may concern anyone in the account.
	err = st.Update(ctx, func(tx store.Tx) error {
		return store.PutJSON(ctx, tx, store.KindGroup, acct, store.GroupKey("devs"), store.Group{Name: "devs"})
	})
	if err != nil {
		t.Fatal(err)
	}
	sync()
	if get("Alice") == a2 || get("Bob") == b1 {
		t.Error("a group change did not reload the account's sets")
	}
}
