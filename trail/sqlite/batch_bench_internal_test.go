package sqlite

import (
	"math/rand/v2"
	"path/filepath"
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
