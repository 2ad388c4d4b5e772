package sqlite

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/trail"
)

// BenchmarkAppendBatch measures one Append of 4,096 entries (the size of
// an indexer's batch), per entry: where posting lists differ from rows.
func BenchmarkAppendBatch(b *testing.B) {
	s, err := OpenWith(b.Context(), filepath.Join(b.TempDir(), FileName), Options{Timeout: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := rand.New(rand.NewPCG(3, 4))
	const batch = 4096
	i := 0
	entries := make([]trail.Entry, batch)
	for b.Loop() {
		b.StopTimer()
		for j := range entries {
			entries[j] = benchEntry(r, i, 1<<30)
			i++
		}
		b.StartTimer()
		if err := s.Append(b.Context(), entries); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(i), "ns/entry")
}

// BenchmarkWrite measures one Write of one request's event (about 1 KB of
// JSON), as the recorder calls it from each request: from one goroutine
// and from 8 at once. The indexer runs behind, as it does in the server;
// cpu-ns/op is the process's CPU per write, the indexer's included.
//
// ring=false writes each request's records to the segment itself (one
// pwrite under the writer's lock), as the store did before the ring and
// does where the ring cannot be mapped.
func BenchmarkWrite(b *testing.B) {
	for _, c := range []struct{ ring, par bool }{{true, false}, {false, false}, {true, true}, {false, true}} {
		b.Run(fmt.Sprintf("ring=%v/parallel=%v", c.ring, c.par), func(b *testing.B) {
			par := c.par
			s, err := OpenWith(b.Context(), filepath.Join(b.TempDir(), FileName), Options{Timeout: time.Hour})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if !c.ring {
				s.seg.stopFlusher()
				if err := s.seg.ring.close(); err != nil {
					b.Fatal(err)
				}
				s.seg.ring = nil
			}
			r := rand.New(rand.NewPCG(3, 4))
			e := benchEntry(r, 0, 1<<30)
			e.JSON = []byte(`{"eventVersion":"1.11","pad":"` + strings.Repeat("x", 1000) + `"}`)
			write := func() {
				if err := s.Write(b.Context(), []trail.Entry{e}); err != nil {
					b.Fatal(err)
				}
			}
			cpu0 := processCPU()
			if !par {
				for b.Loop() {
					write()
				}
			} else {
				b.SetParallelism(4) // 8 goroutines on 2 cores
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						write()
					}
				})
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the process's user and system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
