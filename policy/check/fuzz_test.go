package check

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// FuzzNoNewAccess: for any two documents the grammar accepts, the check
// neither panics nor passes a pair for which one of a set of requests is
// allowed by the new document and not by the existing one.
func FuzzNoNewAccess(f *testing.F) {
	for _, c := range loadCorpus(f) {
		if c.Check == "no-new-access" {
			f.Add(string(c.New), string(c.Existing), c.PolicyType == ResourcePolicy)
		}
	}
	f.Fuzz(func(t *testing.T, newSrc, exSrc string, resource bool) {
		pt := IdentityPolicy
		if resource {
			pt = ResourcePolicy
		}
		nd, err := Parse(newSrc, pt)
		if err != nil {
			return
		}
		ed, err := Parse(exSrc, pt)
		if err != nil {
			return
		}
		np, err := policy.Compile("new", nd)
		if err != nil {
			return
		}
		ep, err := policy.Compile("existing", ed)
		if err != nil {
			return
		}
		start := time.Now()
		r := CheckNoNewAccess(nd, ed, pt)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %v\nnew: %q\nexisting: %q", d, newSrc, exSrc)
		}
		if r.Result != Pass {
			return
		}
		g := gen{rand.New(rand.NewPCG(uint64(len(newSrc)), uint64(len(exSrc))))}
		for range 200 {
			req := g.request()
			if allowed(np, req, resource) && !allowed(ep, req, resource) {
				t.Fatalf("false PASS: %s on %s by %s\nnew: %s\nexisting: %s", req.Action, req.Resource, req.Principal.ARN, newSrc, exSrc)
			}
		}
	})
}
