package bench

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// TestAgreement runs every request of every workload through every engine and
// requires the expected decision from each, so that the benchmarks compare engines
// that answer alike. Each workload has an allow and a deny case.
func TestAgreement(t *testing.T) {
	for _, w := range allWorkloads() {
		t.Run(w.name, func(t *testing.T) {
			seen := map[policy.Decision]bool{}
			for _, r := range w.requests {
				seen[r.want] = true
			}
			if !seen[policy.Allowed] || !(seen[policy.ExplicitDeny] || seen[policy.ImplicitDeny]) {
				t.Fatalf("%s needs both an allow and a deny case", w.name)
			}
			if w.requests[w.allow].want != policy.Allowed || w.requests[w.deny].want == policy.Allowed {
				t.Fatalf("%s: benchmark requests are not an allow and a deny", w.name)
			}
			for _, k := range engineKinds {
				e := buildEngine(t, k, w)
				if e == nil {
					continue
				}
				for i := range w.requests {
					check(t, e, w, i)
				}
				if ce, ok := e.(*cedarEngine); ok {
					for i := range w.requests {
						if errs := ce.errors(i); len(errs) > 0 {
							t.Errorf("cedar request %q: evaluation errors %v", w.requests[i].name, errs)
						}
					}
				}
			}
		})
	}
}
