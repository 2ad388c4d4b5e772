package console

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

// TestPruneSignOuts: a sign-out deletes the sign-outs of sessions that have
// ended (keys sort by expiry, so they come first), at most maxPruned at a
// time, and keeps the others.
func TestPruneSignOuts(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	put := func(id string, exp time.Time) {
		t.Helper()
		if err := st.Update(ctx, func(tx store.Tx) error {
			return store.PutJSON(ctx, tx, store.KindConsoleSignOut, "", store.ConsoleSignOutKey(exp, id), store.ConsoleSignOut{SessionID: id, Expires: exp})
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range maxPruned + 5 {
		put("ended-"+string(rune('a'+i%26))+time.Duration(i).String(), now.Add(-time.Hour).Add(time.Duration(i)*time.Millisecond))
	}
	put("ends-now", now)
	put("live-soon", now.Add(time.Second/2))
	put("live-later", now.Add(11*time.Hour))
	ids := func() []string {
		var out []string
		if err := st.View(ctx, func(tx store.ReadTx) error {
			vs, err := store.ListValues[store.ConsoleSignOut](ctx, tx, store.ListOptions{Kind: store.KindConsoleSignOut})
			for _, v := range vs {
				out = append(out, v.SessionID)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	for round, want := range []int{8, 2} {
		if err := st.Update(ctx, func(tx store.Tx) error { return pruneSignOuts(ctx, tx, now) }); err != nil {
			t.Fatal(err)
		}
		if got := ids(); len(got) != want {
			t.Fatalf("round %d: %d sign-outs left, want %d: %v", round, len(got), want, got)
		}
	}
	if got := ids(); got[0] != "live-soon" || got[1] != "live-later" {
		t.Errorf("kept %v", got)
	}
}

// TestConsoleSignOutKey: keys sort by expiry (rounded up to the second)
// and give back their id.
func TestConsoleSignOutKey(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	a := store.ConsoleSignOutKey(t0.Add(500*time.Millisecond), "x")
	b := store.ConsoleSignOutKey(t0.Add(time.Second), "a")
	c := store.ConsoleSignOutKey(t0.Add(2*time.Second), "a")
	if a != "20261206T120001Z/x" || !(b < a) || !(a < c) {
		t.Errorf("keys %q %q %q", a, b, c)
	}
	if id := store.ConsoleSignOutID(a); id != "x" {
		t.Errorf("id of %q = %q", a, id)
	}
}
