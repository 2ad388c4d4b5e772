package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/internal/pgtest"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/postgres"
)

// revisions collects what Listen reports.
type revisions struct {
	mu   sync.Mutex
	seen []int64
	ch   chan int64
}

func newRevisions() *revisions { return &revisions{ch: make(chan int64, 1000)} }

func (r *revisions) add(rev int64) {
	r.mu.Lock()
	r.seen = append(r.seen, rev)
	r.mu.Unlock()
	r.ch <- rev
}

// await waits until a revision >= want is reported.
func (r *revisions) await(t *testing.T, want int64, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case got := <-r.ch:
			if got >= want {
				return
			}
		case <-deadline:
			r.mu.Lock()
			defer r.mu.Unlock()
			t.Fatalf("revision %d not reported within %v; saw %v", want, within, r.seen)
		}
	}
}

func putOne(t *testing.T, s store.Store, key string) {
	t.Helper()
	ctx := t.Context()
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.Put(ctx, store.Record{Kind: "k", Account: "", Key: key, Data: []byte("v")})
	}); err != nil {
		t.Fatal(err)
	}
}

// TestListen: a commit on one node is reported to a listener on another, and
// the listener survives its connection being killed.
func TestListen(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := freshSchema(t, dsn)
	writer, err := postgres.Open(t.Context(), dsn, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	// The listening node has an application name of its own, so the test can
	// kill exactly its connections.
	app := "gh_listen_" + schema[len("gatehouse_test_"):]
	listener, err := postgres.Open(t.Context(), withAppName(dsn, app), postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()

	revs := newRevisions()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- listener.Listen(ctx, revs.add) }()
	revs.await(t, 0, 5*time.Second) // connected: the current revision is reported

	start := time.Now()
	putOne(t, writer, "a")
	revs.await(t, 1, 5*time.Second)
	t.Logf("notification delivered in %v", time.Since(start))

	// Kill the listener's connection; a commit made while it is down is
	// reported after it reconnects, from the revision read on reconnection.
	if killConnections(t, dsn, app) == 0 {
		t.Fatal("found no listener connection to kill")
	}
	putOne(t, writer, "b")
	revs.await(t, 2, 10*time.Second)
	putOne(t, writer, "c")
	revs.await(t, 3, 5*time.Second)

	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Listen returned %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Listen did not return after its context ended")
	}
}

// TestNoSkippedRevisions: under concurrent writers on several nodes, a
// follower that pages the change feed from its last revision, woken by
// notifications, sees every revision exactly once and in order.
func TestNoSkippedRevisions(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := freshSchema(t, dsn)
	var nodes []*postgres.Store
	for range 3 {
		s, err := postgres.Open(t.Context(), dsn, postgres.Options{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		nodes = append(nodes, s)
	}
	const writers, commits = 6, 40
	ctx := t.Context()
	var wg sync.WaitGroup
	var failed atomic.Int32
	for w := range writers {
		wg.Go(func() {
			s := nodes[w%len(nodes)]
			for i := range commits {
				err := s.Update(ctx, func(tx store.Tx) error {
					return tx.Put(ctx, store.Record{Kind: "k", Key: fmt.Sprintf("w%d-%d", w, i), Data: []byte("v")})
				})
				if err != nil {
					t.Errorf("writer %d: %v", w, err)
					failed.Add(1)
					return
				}
			}
		})
	}
	// The follower reads the feed as the directory does, concurrently.
	var seen []int64
	after := int64(0)
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	for last := false; !last; {
		select {
		case <-finished:
			last = true
		case <-time.After(2 * time.Millisecond):
		}
		for {
			page, err := nodes[0].Changes(ctx, after, 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, c := range page {
				if len(seen) == 0 || seen[len(seen)-1] != c.Revision {
					seen = append(seen, c.Revision)
				}
			}
			after = page[len(page)-1].Revision
		}
	}
	if failed.Load() > 0 {
		return
	}
	if len(seen) != writers*commits {
		t.Fatalf("follower saw %d revisions, want %d", len(seen), writers*commits)
	}
	for i, rev := range seen {
		if rev != int64(i+1) {
			t.Fatalf("follower saw revision %d at position %d: a revision was skipped or repeated", rev, i)
		}
	}
}

// TestExclusive: fn runs on one node at a time.
func TestExclusive(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := freshSchema(t, dsn)
	var nodes []*postgres.Store
	for range 3 {
		s, err := postgres.Open(t.Context(), dsn, postgres.Options{Schema: schema})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		nodes = append(nodes, s)
	}
	var inside, maxInside atomic.Int32
	var wg sync.WaitGroup
	for i := range 9 {
		wg.Go(func() {
			err := nodes[i%3].Exclusive(t.Context(), "test", func(ctx context.Context) error {
				n := inside.Add(1)
				for {
					m := maxInside.Load()
					if n <= m || maxInside.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(5 * time.Millisecond)
				inside.Add(-1)
				// The store is usable inside.
				_, err := nodes[i%3].Revision(ctx)
				return err
			})
			if err != nil {
				t.Errorf("Exclusive: %v", err)
			}
		})
	}
	wg.Wait()
	if m := maxInside.Load(); m != 1 {
		t.Errorf("%d functions ran at once under one lock, want 1", m)
	}
	// fn's error comes back unchanged.
	boom := errors.New("boom")
	if err := nodes[0].Exclusive(t.Context(), "test", func(context.Context) error { return boom }); !errors.Is(err, boom) {
		t.Errorf("Exclusive returned %v, want fn's error", err)
	}
}
