package bench

import (
	"runtime"
	"strconv"
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

var sink policy.Decision

// run times one decision of request i of w by each engine, as sub-benchmarks named
// after the engine. Everything is prepared before the timer starts, and each engine
// is checked against the expected decision first. Beside ns/op it reports the
// thread CPU time per decision (cpu-ns/op), which load from other processes
// disturbs less.
func run(b *testing.B, w *workload, i int) {
	for _, k := range engineKinds {
		e := buildEngine(b, k, w)
		if e == nil {
			continue
		}
		b.Run(k.name, func(b *testing.B) {
			check(b, e, w, i)
			b.ReportAllocs()
			// The loop runs on one OS thread, whose CPU time is reported
			// beside the wall-clock time (cpu-ns/op).
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			b.ResetTimer()
			t0, ok := threadCPU()
			for b.Loop() {
				sink = e.decide(i)
			}
			if t1, ok1 := threadCPU(); ok && ok1 {
				b.ReportMetric(float64(t1-t0)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

// BenchmarkW1 and the others time the workload's allow request; the *Deny
// variants its deny request.
func BenchmarkW1(b *testing.B)     { run(b, w1, w1.allow) }
func BenchmarkW1Deny(b *testing.B) { run(b, w1, w1.deny) }
func BenchmarkW2(b *testing.B)     { run(b, w2, w2.allow) }
func BenchmarkW2Deny(b *testing.B) { run(b, w2, w2.deny) }
func BenchmarkW3(b *testing.B)     { run(b, w3, w3.allow) }
func BenchmarkW3Deny(b *testing.B) { run(b, w3, w3.deny) }

// BenchmarkW4 times the same request against directories of 10, 1,000 and 10,000
// principals: BenchmarkW4/10/gatehouse, ...
func BenchmarkW4(b *testing.B) {
	for _, n := range w4Sizes {
		w := w4(n)
		b.Run(strconv.Itoa(n), func(b *testing.B) { run(b, w, w.allow) })
	}
}
