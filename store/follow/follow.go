// Package follow keeps a node's view of one store record that the whole
// cluster shares and rotates — the ring of keys that seal session tokens,
// the ring of keys that sign web identity tokens: it reads the record,
// builds what the node derives from it (opened keys, a published key set),
// rebuilds that only when the record's revision changes, and re-reads the
// record periodically so that a node picks a rotation up soon after another
// node made it.
package follow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gatehouse-iam/gatehouse/store"
)

// A Record follows one record of a store. Its zero value is not usable:
// make one with New. It is safe for concurrent use.
type Record[S any] struct {
	st    store.Store
	kind  store.Kind
	key   string
	what  string
	build func(store.Record) (*S, error)
	cur   atomic.Pointer[loaded[S]]
}

// loaded is what was built from one revision of the record.
type loaded[S any] struct {
	revision int64
	state    *S
}

// New returns a Record following the record (kind, "", key) of st, whose
// state build makes from the record; what names the record in errors and
// logs ("the session key ring"). Nothing is read until Reload.
func New[S any](st store.Store, kind store.Kind, key, what string, build func(store.Record) (*S, error)) *Record[S] {
	return &Record[S]{st: st, kind: kind, key: key, what: what, build: build}
}

// Current returns the state built from the newest revision read, nil
// before the first successful Reload (and for a nil Record). Two calls
// return the same pointer until a Reload finds a new revision.
func (f *Record[S]) Current() *S {
	if f == nil {
		return nil
	}
	if l := f.cur.Load(); l != nil {
		return l.state
	}
	return nil
}

// Reload reads the record and, when its revision is not the one the
// current state was built from, builds and installs a new state. A record
// that is missing or cannot be built leaves the current state in place and
// returns the error.
func (f *Record[S]) Reload(ctx context.Context) error {
	var rec store.Record
	err := f.st.View(ctx, func(tx store.ReadTx) error {
		var err error
		rec, err = tx.Get(ctx, f.kind, "", f.key)
		return err
	})
	if err != nil {
		return fmt.Errorf("read %s: %w", f.what, err)
	}
	if l := f.cur.Load(); l != nil && l.revision == rec.Revision {
		return nil
	}
	s, err := f.build(rec)
	if err != nil {
		return err
	}
	f.cur.Store(&loaded[S]{revision: rec.Revision, state: s})
	return nil
}

// Exists reports whether the record is in the store.
func (f *Record[S]) Exists(ctx context.Context) (bool, error) {
	exists := false
	err := f.st.View(ctx, func(tx store.ReadTx) error {
		_, err := tx.Get(ctx, f.kind, "", f.key)
		exists = err == nil
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("read %s: %w", f.what, err)
	}
	return exists, nil
}

// Create stores v as the record unless the record exists already (nodes
// starting together create one record: the others find it).
func (f *Record[S]) Create(ctx context.Context, v any) error {
	err := f.st.Update(ctx, func(tx store.Tx) error {
		return store.CreateJSON(ctx, tx, f.kind, "", f.key, v)
	})
	if err != nil && !errors.Is(err, store.ErrAlreadyExists) {
		return fmt.Errorf("create %s: %w", f.what, err)
	}
	return nil
}

// Run re-reads the record every interval until ctx ends; a failure is
// logged and the current state kept.
func (f *Record[S]) Run(ctx context.Context, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := f.Reload(ctx); err != nil && ctx.Err() == nil && log != nil {
				log.Warn("re-reading "+f.what+" failed", "err", err)
			}
		}
	}
}
