package authview_test

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/authview"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

// TestAccessKeysAsStored: the view packs each access key into one string;
// what it returns is the store's record without its last use, whether the
// key was read at Load or installed by Sync, for a user's key and a root
// key (no user name), and for a key whose record changed (its user name
// and secret read again, not those of the old record), while a change of
// its last use only leaves the entry as it was. The secret it
// returns shares the view's memory, so an append must copy it.
func TestAccessKeysAsStored(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	created := time.Date(2026, 12, 7, 4, 30, 0, 0, time.UTC)
	put := func(k store.AccessKey) {
		t.Helper()
		err := st.Update(ctx, func(tx store.Tx) error {
			return store.PutJSON(ctx, tx, store.KindAccessKey, "", k.ID, k)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	user := store.AccessKey{ID: "AKIAUSERKEY000000001", Account: "123456789012", UserName: "alice", SecretCiphertext: []byte("sealed-secret-of-alice"),
		Status: store.StatusActive, CreateDate: created, LastUsed: store.AccessKeyLastUsed{Region: "us-east-1", Service: "iam", Date: created}}
	root := store.AccessKey{ID: "AKIAROOTKEY000000002", Account: "123456789012", SecretCiphertext: []byte("sealed-secret-of-root"), Status: store.StatusActive, CreateDate: created}
	put(user)
	d := authview.New(st, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	put(root)
	changed := user
	changed.UserName, changed.SecretCiphertext, changed.Status = "bob", []byte("another-sealed-secret-longer-than-the-first"), store.StatusInactive
	check := func(want store.AccessKey) {
		t.Helper()
		got, ok := d.AccessKey(want.ID)
		if !ok {
			t.Fatalf("%s: not in the view", want.ID)
		}
		want.LastUsed = store.AccessKeyLastUsed{}
		if got.ID != want.ID || got.Account != want.Account || got.UserName != want.UserName || string(got.SecretCiphertext) != string(want.SecretCiphertext) ||
			got.Status != want.Status || !got.CreateDate.Equal(want.CreateDate) || got.LastUsed != want.LastUsed {
			t.Errorf("AccessKey(%s) = %+v, want %+v", want.ID, got, want)
		}
		grown := append(got.SecretCiphertext, 'x')
		if &grown[0] == &got.SecretCiphertext[0] {
			t.Errorf("AccessKey(%s): appending to the secret wrote into the view's memory", want.ID)
		}
	}
	check(user) // read at Load
	if err := d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	check(root) // installed by Sync
	check(user)
	// A change of its last use only (the key-use flusher's) keeps the
	// view's entry as it was, not an equal copy.
	before, _ := d.AccessKey(user.ID)
	used := user
	used.LastUsed.Date = created.Add(time.Hour)
	put(used)
	if err := d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	check(user)
	if after, _ := d.AccessKey(user.ID); &after.SecretCiphertext[0] != &before.SecretCiphertext[0] {
		t.Error("a change of the last use only replaced the view's entry")
	}
	put(changed)
	if err := d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	check(changed)
	check(root)
}
