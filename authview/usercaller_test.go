package authview

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/identity/identitytest"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

// TestUserCaller: a user's caller is prepared once per version of its
// record — the same on the next request, a new one with the new tags once
// a change to the user is synced, and to an account-wide change too — and
// its prepared keys are those of the old builder (the oracle).
func TestUserCaller(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	put := func(tags ...store.Tag) {
		t.Helper()
		err := st.Update(ctx, func(tx store.Tx) error {
			u := store.User{ID: "AIDAALICE", Name: "Alice", Path: "/dev/", ARN: arn.User(acct, "/dev/", "Alice"), CreateDate: time.Now(), Tags: tags}
			return store.PutJSON(ctx, tx, store.KindUser, acct, store.UserKey("Alice"), u)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	put(store.Tag{Key: "team", Value: "blue"})
	d := New(st, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	get := func(want map[string]string) any {
		t.Helper()
		c, err := d.UserCaller(ctx, acct, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(c.Tags, want) || c.UserName != "Alice" || c.UserPath != "/dev/" || c.UserID != "AIDAALICE" || c.ARN() != arn.User(acct, "/dev/", "Alice") {
			t.Fatalf("caller %+v, want tags %v", c, want)
		}
		oracle := *c
		oracle.PrincipalKeys = nil
		want1 := identitytest.Map(identitytest.OracleContext(&oracle))
		got := identitytest.Map(c.Context())
		if !maps.Equal(got, want1) {
			t.Fatalf("context %v, want %v", got, want1)
		}
		return c
	}
	sync := func() {
		t.Helper()
		if err := d.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	get(map[string]string{"team": "blue"}) // not cached yet: read, and the record cached
	c1 := get(map[string]string{"team": "blue"})
	if get(map[string]string{"team": "blue"}) != c1 {
		t.Fatal("the caller is not prepared once")
	}
	put(store.Tag{Key: "team", Value: "red"}, store.Tag{Key: "level", Value: "2"})
	sync()
	get(map[string]string{"team": "red", "level": "2"})
	c2 := get(map[string]string{"team": "red", "level": "2"})
	if c2 == c1 {
		t.Fatal("the change kept the caller")
	}
	// An account-wide change (a customer managed policy) drops it too.
	err = st.Update(ctx, func(tx store.Tx) error {
		return store.PutJSON(ctx, tx, store.KindPolicy, acct, store.PolicyKey("p"), store.ManagedPolicy{})
	})
	if err != nil {
		t.Fatal(err)
	}
	sync()
	if get(map[string]string{"team": "red", "level": "2"}) == c2 {
		t.Fatal("an account-wide change kept the caller")
	}
}
