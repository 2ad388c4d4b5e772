package trail

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

// yieldStore is a memStore whose Append yields a few times, so that calls
// queue, lead, abandon and are recycled around it.
type yieldStore struct{ memStore }

func (y *yieldStore) Append(ctx context.Context, es []Entry) error {
	for range rand.IntN(4) {
		runtime.Gosched()
	}
	return y.memStore.Append(ctx, es)
}

// Calls whose contexts end at random points (queued, leading, taken, done)
// while their pendings are recycled: every call that returned nil is
// stored and exported, its buffer then scribbled over (as Release lets a
// caller do) without changing what the store or export hold; no call is
// stored twice; the recorder never deadlocks.
func TestRecorderAbandonRecycleStress(t *testing.T) {
	st := &yieldStore{}
	var export bytes.Buffer
	r, _ := NewRecorder(st, RecorderOptions{Export: &export, MaxBatch: 8, Queue: 32})
	var mu sync.Mutex
	ok := map[string]bool{}
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := range 400 {
				id := fmt.Sprintf("%d-%d", w, i)
				js := []byte(fmt.Sprintf(`{"id":%q}`, id))
				ctx, cancel := context.WithCancel(t.Context())
				if rand.IntN(3) == 0 {
					go func() {
						for range rand.IntN(6) {
							runtime.Gosched()
						}
						cancel()
					}()
				}
				err := r.Record(ctx, []Entry{{EventID: id, JSON: js}})
				cancel()
				if err == nil {
					mu.Lock()
					ok[id] = true
					mu.Unlock()
					for j := range js {
						js[j] = 'X' // released: reused by the caller
					}
				}
			}
		})
	}
	wg.Wait()
	stored := map[string]bool{}
	for _, e := range st.entries {
		if want := fmt.Sprintf(`{"id":%q}`, e.EventID); string(e.JSON) != want {
			t.Fatalf("stored %s as %s", e.EventID, e.JSON)
		}
		if stored[e.EventID] {
			t.Fatalf("%s stored twice", e.EventID)
		}
		stored[e.EventID] = true
	}
	for id := range ok {
		if !stored[id] {
			t.Fatalf("%s acknowledged, not stored", id)
		}
	}
	for _, line := range bytes.Split(bytes.TrimSuffix(export.Bytes(), []byte("\n")), []byte("\n")) {
		if bytes.Contains(line, []byte("X")) {
			t.Fatalf("exported a released buffer: %s", line)
		}
	}
	t.Logf("%d acknowledged, %d stored, %d batches", len(ok), len(stored), st.appends)
}
