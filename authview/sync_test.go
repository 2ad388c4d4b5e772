package authview_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/authview"
	"github.com/gatehouse-iam/gatehouse/managedpolicies"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

// TestConcurrentSyncs: Syncs running at once, without a lock held across
// their store calls, still leave the directory equal to the store, and each
// writer that syncs after its commit sees its own write in force at once
// (never undone by a slower, older Sync).
func TestConcurrentSyncs(t *testing.T) {
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
	const writers, rounds = 4, 20
	put := func(id, status string) error {
		k := store.AccessKey{ID: id, Account: "123456789012", Status: status}
		return st.Update(ctx, func(tx store.Tx) error {
			return store.PutJSON(ctx, tx, store.KindAccessKey, "", id, k)
		})
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	// Background syncs racing the writers' own.
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := d.Sync(ctx); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(time.Millisecond)
			}
		})
	}
	var writersWG sync.WaitGroup
	for w := range writers {
		writersWG.Go(func() {
			for i := range rounds {
				id := fmt.Sprintf("AKIAWRITER%dKEY%04d", w, i%7)
				status := store.StatusActive
				if i%2 == 1 {
					status = store.StatusInactive
				}
				var err error
				deleted := i%5 == 4
				if deleted {
					err = st.Update(ctx, func(tx store.Tx) error {
						err := tx.Delete(ctx, store.KindAccessKey, "", id)
						if err != nil && !isNotFound(err) {
							return err
						}
						return nil
					})
				} else {
					err = put(id, status)
				}
				if err == nil {
					err = d.Sync(ctx)
				}
				if err != nil {
					t.Error(err)
					return
				}
				k, ok := d.AccessKey(id)
				switch {
				case deleted && ok:
					t.Errorf("%s: deleted and synced, still in the directory", id)
				case !deleted && (!ok || k.Status != status):
					t.Errorf("%s: put %s and synced, directory has %+v (present %v)", id, status, k, ok)
				}
			}
		})
	}
	writersWG.Wait()
	close(stop)
	wg.Wait()
	if err := d.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	rev, err := st.Revision(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d.Revision() != rev {
		t.Errorf("directory at revision %d, store at %d", d.Revision(), rev)
	}
	var keys []store.AccessKey
	if err := st.View(ctx, func(tx store.ReadTx) error {
		var err error
		keys, err = store.ListValues[store.AccessKey](ctx, tx, store.ListOptions{Kind: store.KindAccessKey})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if got, ok := d.AccessKey(k.ID); !ok || got.Status != k.Status {
			t.Errorf("%s: store has %s, directory %+v (present %v)", k.ID, k.Status, got, ok)
		}
	}
	for w := range writers {
		for i := range 7 {
			id := fmt.Sprintf("AKIAWRITER%dKEY%04d", w, i)
			_, inDir := d.AccessKey(id)
			inStore := false
			for _, k := range keys {
				inStore = inStore || k.ID == id
			}
			if inDir != inStore {
				t.Errorf("%s: in the directory %v, in the store %v", id, inDir, inStore)
			}
		}
	}
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
