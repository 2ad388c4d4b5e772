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

// TestSharedPartsInvalidation: a group's compiled policies and a customer
// managed policy's document, cached when one member's set was loaded, are
// not reused for another member's first set once the group's inline policy
// or the managed policy's default version changed.
func TestSharedPartsInvalidation(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	allow := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
	putUser(t, st, "Alice", allow)
	putUser(t, st, "Bob", allow)
	putUser(t, st, "Carol", allow)
	pol := arn.Policy(acct, "/", "shared")
	put := func(fn func(tx store.Tx) error) {
		t.Helper()
		if err := st.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	version := func(id, action string) func(tx store.Tx) error {
		return func(tx store.Tx) error {
			mp := store.ManagedPolicy{ID: "ANPASHARED", Name: "shared", Path: "/", ARN: pol, DefaultVersionID: id}
			if err := store.PutJSON(ctx, tx, store.KindPolicy, acct, store.PolicyKey("shared"), mp); err != nil {
				return err
			}
			v := store.PolicyVersion{PolicyARN: pol, VersionID: id, IsDefault: true,
				Document: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"` + action + `","Resource":"*"}}`}
			return store.PutJSON(ctx, tx, store.KindPolicyVersion, acct, store.PolicyVersionKey("shared", id), v)
		}
	}
	groupInline := func(action string) func(tx store.Tx) error {
		return func(tx store.Tx) error {
			ip := store.InlinePolicy{OwnerKind: store.EntityGroup, OwnerName: "devs", PolicyName: "g",
				Document: `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"` + action + `","Resource":"*"}}`}
			return store.PutJSON(ctx, tx, store.KindInlinePolicy, acct, store.InlinePolicyKey(store.EntityGroup, "devs", "g"), ip)
		}
	}
	put(version("v1", "sqs:SendMessage"))
	put(groupInline("sns:Publish"))
	put(func(tx store.Tx) error {
		if err := store.PutJSON(ctx, tx, store.KindGroup, acct, store.GroupKey("devs"), store.Group{Name: "devs"}); err != nil {
			return err
		}
		a := store.Attachment{PolicyARN: pol, EntityKind: store.EntityGroup, EntityName: "devs"}
		if err := store.PutJSON(ctx, tx, store.KindAttachment, acct, store.AttachmentKey(store.EntityGroup, "devs", acct, "shared"), a); err != nil {
			return err
		}
		for _, u := range []string{"Alice", "Bob", "Carol"} {
			m := store.GroupMembership{GroupName: "devs", UserName: u}
			if err := store.PutJSON(ctx, tx, store.KindUserMembership, acct, store.UserMembershipKey(u, "devs"), m); err != nil {
				return err
			}
		}
		return nil
	})
	d := New(st, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	// actions lists the actions of a user's identity policies, in order.
	actions := func(name string) string {
		t.Helper()
		s, err := d.UserPolicies(ctx, acct, name)
		if err != nil {
			t.Fatal(err)
		}
		var out string
		for _, p := range s.Identity {
			for _, st := range p.Doc.Statements {
				for _, a := range st.Actions {
					out += a + " "
				}
			}
		}
		return out
	}
	sync := func() {
		t.Helper()
		if err := d.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	const first = "s3:GetObject sns:Publish sqs:SendMessage "
	if got := actions("Alice"); got != first {
		t.Fatalf("Alice: %q, want %q", got, first)
	}
	put(groupInline("sns:Subscribe"))
	sync()
	if got, want := actions("Bob"), "s3:GetObject sns:Subscribe sqs:SendMessage "; got != want {
		t.Errorf("Bob after the group's inline policy changed: %q, want %q", got, want)
	}
	put(version("v2", "sqs:ReceiveMessage"))
	sync()
	if got, want := actions("Carol"), "s3:GetObject sns:Subscribe sqs:ReceiveMessage "; got != want {
		t.Errorf("Carol after the managed policy's default version changed: %q, want %q", got, want)
	}
}
