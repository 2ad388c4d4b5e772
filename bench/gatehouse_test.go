package bench

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// gatehouseEngine evaluates with policy.Evaluate. For a directory workload (W4) it
// first finds the caller's compiled set in a map keyed by principal ARN, as the
// server's directory will. Sets are prepared (policy.Set.Prepare) once built, as
// the directory prepares those it caches.
type gatehouseEngine struct {
	set  *policy.Set
	dir  map[string]*policy.Set
	reqs []policy.Request
}

func (e *gatehouseEngine) decide(i int) policy.Decision {
	r := &e.reqs[i]
	set := e.set
	if e.dir != nil {
		set = e.dir[r.Principal.ARN]
		if set == nil {
			return policy.ImplicitDeny
		}
	}
	return policy.Evaluate(set, r).Decision
}

// policyJSON renders statements as an IAM policy document.
func policyJSON(ss []stmt) string {
	type jstmt struct {
		Effect    string
		Action    []string
		Resource  []string
		Condition map[string]map[string][]string `json:",omitempty"`
	}
	doc := struct {
		Version   string
		Statement []jstmt
	}{Version: "2012-10-17"}
	for _, s := range ss {
		js := jstmt{Effect: s.Effect, Action: s.Actions, Resource: s.Resources}
		for _, c := range s.Conds {
			if js.Condition == nil {
				js.Condition = map[string]map[string][]string{}
			}
			if js.Condition[c.Op] == nil {
				js.Condition[c.Op] = map[string][]string{}
			}
			js.Condition[c.Op][c.Key] = c.Values
		}
		doc.Statement = append(doc.Statement, js)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func compileGatehouse(tb testing.TB, name string, ss []stmt) *policy.Policy {
	tb.Helper()
	p, err := policy.ParseAndCompile(name, policyJSON(ss), policy.KindIdentity)
	if err != nil {
		tb.Fatalf("gatehouse: compile %s: %v", name, err)
	}
	return p
}

func newGatehouse(tb testing.TB, w *workload) engine {
	e := &gatehouseEngine{}
	if w.principals > 0 {
		e.dir = make(map[string]*policy.Set, w.principals)
		for i := 0; i < w.principals; i++ {
			p := compileGatehouse(tb, principalName(i), principalPolicy(i))
			e.dir[userARN(principalName(i))] = (&policy.Set{Identity: []*policy.Policy{p}}).Prepare()
		}
	} else {
		e.set = &policy.Set{}
		for k, ss := range w.policies {
			e.set.Identity = append(e.set.Identity, compileGatehouse(tb, fmt.Sprintf("policy-%d", k), ss))
		}
		// As the server's directory prepares the sets it caches.
		e.set.Prepare()
	}
	for _, r := range w.requests {
		req := policy.Request{
			Principal: policy.Principal{Type: policy.PrincipalUser, ARN: userARN(r.user), Account: account},
			Action:    r.action,
			Resource:  r.resource,
		}
		if r.ctx != nil {
			req.Context = policy.NewContext(len(r.ctx))
			for k, v := range r.ctx {
				req.Context.Set(k, v)
			}
		}
		e.reqs = append(e.reqs, req)
	}
	return e
}
