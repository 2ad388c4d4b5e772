package s3

import (
	"context"
	"sync"
	"testing"
)

// The key lock excludes, gives up with the context, and forgets a key no
// one holds or waits for.
func TestKeyLocks(t *testing.T) {
	l := newKeyLocks()
	ctx := context.Background()
	unlock, err := l.lock(ctx, "b", "k")
	if err != nil {
		t.Fatal(err)
	}
	// Another key is free.
	other, err := l.lock(ctx, "b", "k2")
	if err != nil {
		t.Fatal(err)
	}
	other()
	// The held key is not: a waiter whose context ends gets an error.
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.lock(done, "b", "k"); err == nil {
		t.Fatal("a held key was taken again")
	}
	// Waiters take it in turn; a counter shows no two hold it at once.
	var wg sync.WaitGroup
	var mu sync.Mutex
	holders, most := 0, 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := l.lock(ctx, "b", "k")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			holders++
			most = max(most, holders)
			mu.Unlock()
			mu.Lock()
			holders--
			mu.Unlock()
			u()
		}()
	}
	unlock()
	wg.Wait()
	if most != 1 {
		t.Errorf("%d holders at once", most)
	}
	if n := len(l.m); n != 0 {
		t.Errorf("%d keys remembered after every holder left", n)
	}
}
