package authview_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/authview"
	"github.com/gatehouse-iam/gatehouse/managedpolicies"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

// TestSyncOn: a notified revision brings in a commit the directory's process
// did not make; stale notifications are ignored; closing the channel stops it.
func TestSyncOn(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	catalog, err := managedpolicies.Load()
	if err != nil {
		t.Fatal(err)
	}
	d := authview.New(st, catalog, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := d.Load(ctx); err != nil {
		t.Fatal(err)
	}
	events := make(chan int64, 1)
	stopped := make(chan struct{})
	go func() { d.SyncOn(ctx, events); close(stopped) }()
	wake := authview.Wake(events)

	// Another process commits an access key; only the notification tells us.
	key := store.AccessKey{ID: "AKIAEXAMPLEEXAMPLE01", Account: "123456789012", Status: store.StatusActive}
	if err := st.Update(ctx, func(tx store.Tx) error {
		return store.PutJSON(ctx, tx, store.KindAccessKey, "", key.ID, key)
	}); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.AccessKey(key.ID); ok {
		t.Fatal("directory saw the key before any sync")
	}
	wake(1)
	deadline := time.Now().Add(5 * time.Second)
	for d.Revision() < 1 {
		if time.Now().After(deadline) {
			t.Fatal("notification did not sync the directory")
		}
		time.Sleep(time.Millisecond)
	}
	if _, ok := d.AccessKey(key.ID); !ok {
		t.Error("synced directory lacks the notified access key")
	}
	// Wake never blocks, even with nobody reading and the buffer full.
	full := make(chan int64, 1)
	w := authview.Wake(full)
	done := make(chan struct{})
	go func() { w(1); w(2); w(3); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Second):
		t.Fatal("Wake blocked on a full channel")
	}
	close(events)
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("SyncOn did not return after its channel closed")
	}
	// It also returns when its context ends.
	cctx, cancel := context.WithCancel(ctx)
	stopped2 := make(chan struct{})
	go func() { d.SyncOn(cctx, make(chan int64)); close(stopped2) }()
	cancel()
	select {
	case <-stopped2:
	case <-time.After(5 * time.Second):
		t.Fatal("SyncOn did not return after its context ended")
	}
}
