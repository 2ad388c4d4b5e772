package follow_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/follow"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

// ring is the record the tests follow; state what they build from it.
type ring struct{ Version int }

type state struct{ version int }

func open(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func put(t *testing.T, st store.Store, v int) {
	t.Helper()
	err := st.Update(t.Context(), func(tx store.Tx) error {
		return store.PutJSON(t.Context(), tx, store.KindSessionKeys, "", store.SessionKeysKey, ring{Version: v})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// follower follows the session-keys record; builds counts the builds, and
// a record of version 0 fails to build.
func follower(st store.Store, builds *atomic.Int32) *follow.Record[state] {
	return follow.New(st, store.KindSessionKeys, store.SessionKeysKey, "the test ring", func(rec store.Record) (*state, error) {
		builds.Add(1)
		r, err := store.DecodeJSON[ring](rec)
		if err != nil {
			return nil, err
		}
		if r.Version == 0 {
			return nil, errors.New("version 0 cannot be built")
		}
		return &state{version: r.Version}, nil
	})
}

func TestReload(t *testing.T) {
	ctx := t.Context()
	st := open(t)
	var builds atomic.Int32
	f := follower(st, &builds)

	if f.Current() != nil {
		t.Fatal("Current before any Reload is not nil")
	}
	if err := f.Reload(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Reload of a missing record: %v, want ErrNotFound", err)
	}
	if ok, err := f.Exists(ctx); err != nil || ok {
		t.Fatalf("Exists of a missing record = %v, %v", ok, err)
	}

	// Create stores the first record; a second Create leaves it alone.
	if err := f.Create(ctx, ring{Version: 1}); err != nil {
		t.Fatal(err)
	}
	if err := f.Create(ctx, ring{Version: 9}); err != nil {
		t.Fatalf("Create of an existing record: %v", err)
	}
	if ok, err := f.Exists(ctx); err != nil || !ok {
		t.Fatalf("Exists after Create = %v, %v", ok, err)
	}
	if err := f.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	first := f.Current()
	if first == nil || first.version != 1 {
		t.Fatalf("Current after Reload = %+v, want version 1", first)
	}

	// An unchanged revision is not built again.
	if err := f.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if f.Current() != first || builds.Load() != 1 {
		t.Fatalf("Reload of the same revision rebuilt the state (%d builds)", builds.Load())
	}

	// A new revision is.
	put(t, st, 2)
	if err := f.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := f.Current(); got == first || got.version != 2 {
		t.Fatalf("Current after a change = %+v, want version 2", got)
	}

	// A revision that cannot be built keeps the current state.
	put(t, st, 0)
	if err := f.Reload(ctx); err == nil {
		t.Fatal("Reload of a record that cannot be built succeeded")
	}
	if got := f.Current(); got.version != 2 {
		t.Fatalf("Current after a failed build = %+v, want version 2 kept", got)
	}

	var nilRecord *follow.Record[state]
	if nilRecord.Current() != nil {
		t.Fatal("a nil Record's Current is not nil")
	}
}

func TestRun(t *testing.T) {
	st := open(t)
	var builds atomic.Int32
	f := follower(st, &builds)
	put(t, st, 1)
	if err := f.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		f.Run(ctx, 10*time.Millisecond, slog.New(slog.DiscardHandler))
		close(done)
	}()
	put(t, st, 3)
	// A ceiling on the wait, not a timing assertion: Run re-reads every
	// 10 ms.
	deadline := time.Now().Add(30 * time.Second)
	for f.Current().version != 3 {
		if time.Now().After(deadline) {
			t.Fatal("Run did not pick the new revision up")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}
