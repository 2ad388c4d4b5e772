package bench

import (
	"sync"
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// engine answers the requests of one workload, prepared ahead: decide(i) decides
// request i and is the only thing a benchmark times.
type engine interface {
	decide(i int) policy.Decision
}

// engineKind builds an engine for a workload; build returns nil when the engine
// does not take part in that workload.
type engineKind struct {
	name  string
	build func(tb testing.TB, w *workload) engine
}

var engineKinds = []engineKind{
	{"gatehouse", newGatehouse},
	{"cedar", newCedar},
	{"opa", newOPA},
	{"naive", newNaive},
}

// Engines are built once per workload and engine and shared by the test and every
// benchmark run (-count=10 would otherwise compile 10,000 policies ten times).
var (
	builtMu sync.Mutex
	built   = map[string]engine{}
)

func buildEngine(tb testing.TB, k engineKind, w *workload) engine {
	tb.Helper()
	builtMu.Lock()
	defer builtMu.Unlock()
	key := w.name + "/" + k.name
	if e, ok := built[key]; ok {
		return e
	}
	e := k.build(tb, w)
	built[key] = e
	return e
}

// check fails tb unless e decides request i of w as expected.
func check(tb testing.TB, e engine, w *workload, i int) {
	tb.Helper()
	r := &w.requests[i]
	if got := e.decide(i); got != r.want {
		tb.Fatalf("%s request %q (%s %s as %s): got %v, want %v", w.name, r.name, r.action, r.resource, r.user, got, r.want)
	}
}
