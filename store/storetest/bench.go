package storetest

import (
	"fmt"
	"testing"

	"github.com/gatehouse-iam/gatehouse/store"
)

// Bench runs the store benchmarks against stores made by newStore, which must
// return an open, empty store; each benchmark gets a fresh one and closes it.
// A backend calls it from a Benchmark function, as it calls Run from a Test.
func Bench(b *testing.B, newStore func(b *testing.B) store.Store) {
	benches := []struct {
		name string
		run  func(b *testing.B, s store.Store)
	}{
		{"UpdateSmall", benchUpdateSmall},
		{"GetInView", benchGetInView},
		{"List100", benchList100},
	}
	for _, bc := range benches {
		b.Run(bc.name, func(b *testing.B) {
			s := newStore(b)
			b.Cleanup(func() {
				if err := s.Close(); err != nil {
					b.Errorf("Close: %v", err)
				}
			})
			bc.run(b, s)
		})
	}
}

// smallValue is the size of a typical entity record (a user with a tag).
var smallValue = make([]byte, 256)

func seed(b *testing.B, s store.Store, n int) {
	b.Helper()
	ctx := b.Context()
	err := s.Update(ctx, func(tx store.Tx) error {
		for i := range n {
			if err := tx.Put(ctx, store.Record{Kind: kindA, Account: acct, Key: fmt.Sprintf("user-%06d", i), Data: smallValue}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("seed: %v", err)
	}
}

// benchUpdateSmall measures one commit that writes one small record: the
// write, the change-feed entry and the revision bump.
func benchUpdateSmall(b *testing.B, s store.Store) {
	ctx := b.Context()
	i := 0
	for b.Loop() {
		key := fmt.Sprintf("user-%06d", i%1000)
		i++
		err := s.Update(ctx, func(tx store.Tx) error {
			return tx.Put(ctx, store.Record{Kind: kindA, Account: acct, Key: key, Data: smallValue})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// benchGetInView measures a View holding one Get.
func benchGetInView(b *testing.B, s store.Store) {
	seed(b, s, 1000)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		key := fmt.Sprintf("user-%06d", i%1000)
		i++
		err := s.View(ctx, func(tx store.ReadTx) error {
			_, err := tx.Get(ctx, kindA, acct, key)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// benchList100 measures a View listing a page of 100 records out of 1000.
func benchList100(b *testing.B, s store.Store) {
	seed(b, s, 1000)
	ctx := b.Context()
	i := 0
	for b.Loop() {
		after := fmt.Sprintf("user-%06d", (i%9)*100)
		i++
		var n int
		err := s.View(ctx, func(tx store.ReadTx) error {
			recs, err := tx.List(ctx, store.ListOptions{Kind: kindA, Account: acct, After: after, Limit: 100})
			n = len(recs)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		if n != 100 {
			b.Fatalf("listed %d records, want 100", n)
		}
	}
}
