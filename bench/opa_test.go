package bench

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
)

// opaEngine evaluates a prepared Rego query (rego.PrepareForEval) whose value is
// the decision: "allowed", "explicitDeny" or "implicitDeny". Each request's input
// is converted to an AST value ahead (rego.EvalParsedInput), so that the timed
// work is the evaluation, as for the other engines.
type opaEngine struct {
	pq     rego.PreparedEvalQuery
	inputs []ast.Value
}

var opaDecisions = map[string]policy.Decision{
	"allowed":      policy.Allowed,
	"explicitDeny": policy.ExplicitDeny,
	"implicitDeny": policy.ImplicitDeny,
}

func (e *opaEngine) decide(i int) policy.Decision {
	rs, err := e.pq.Eval(context.Background(), rego.EvalParsedInput(e.inputs[i]))
	if err != nil || len(rs) != 1 || len(rs[0].Expressions) != 1 {
		panic(fmt.Sprintf("opa: eval: %v (%d results)", err, len(rs)))
	}
	s, _ := rs[0].Expressions[0].Value.(string)
	d, ok := opaDecisions[s]
	if !ok {
		panic(fmt.Sprintf("opa: unexpected decision %#v", rs[0].Expressions[0].Value))
	}
	return d
}

// regoHeader defines the decision from the allow and deny rules.
const regoHeader = `package gatehouse.bench

default decision := "implicitDeny"

decision := "explicitDeny" if deny

decision := "allowed" if {
	allow
	not deny
}
`

// regoMatch is the expression matching one IAM pattern against an input field: an
// equality for a literal (which OPA's rule index can use), glob.match without
// delimiters for a pattern, nothing for "*".
func regoMatch(pat, field string) string {
	switch {
	case pat == "*":
		return ""
	case hasWildcard(pat):
		return fmt.Sprintf("\tglob.match(%q, null, input.%s)\n", pat, field)
	}
	return fmt.Sprintf("\tinput.%s == %q\n", field, pat)
}

// regoRules translates one statement without conditions into one rule per
// (action, resource) pair; Rego ORs rules of the same name.
func regoRules(s stmt) string {
	if len(s.Conds) > 0 {
		panic("no generic Rego translation for conditions")
	}
	head := "allow"
	if s.Effect == "Deny" {
		head = "deny"
	}
	var b strings.Builder
	for _, a := range s.Actions {
		for _, r := range s.Resources {
			body := regoMatch(a, "action") + regoMatch(r, "resource")
			if body == "" {
				body = "\ttrue\n"
			}
			fmt.Fprintf(&b, "\n%s if {\n%s}\n", head, body)
		}
	}
	return b.String()
}

// regoDirectory is W4's module: the caller's statements are looked up in a data
// document keyed by principal ARN, then matched.
const regoDirectory = regoHeader + `
stmts := data.principals[input.principal]

allow if {
	some s in stmts
	s.effect == "Allow"
	matches(s)
}

deny if {
	some s in stmts
	s.effect == "Deny"
	matches(s)
}

matches(s) if {
	some a in s.actions
	glob.match(a, null, input.action)
	some r in s.resources
	glob.match(r, null, input.resource)
}
`

func newOPA(tb testing.TB, w *workload) engine {
	tb.Helper()
	opts := []func(*rego.Rego){rego.Query("data.gatehouse.bench.decision")}
	var src string
	switch {
	case w.rego != "":
		src = w.rego
	case w.principals > 0:
		src = regoDirectory
		principals := make(map[string]any, w.principals)
		for i := 0; i < w.principals; i++ {
			var ss []any
			for _, s := range principalPolicy(i) {
				ss = append(ss, map[string]any{
					"effect":    s.Effect,
					"actions":   toAny(s.Actions),
					"resources": toAny(s.Resources),
				})
			}
			principals[userARN(principalName(i))] = ss
		}
		store := inmem.NewFromObjectWithOpts(map[string]any{"principals": principals}, inmem.OptReturnASTValuesOnRead(true))
		opts = append(opts, rego.Store(store))
	default:
		var b strings.Builder
		b.WriteString(regoHeader)
		for _, ss := range w.policies {
			for _, s := range ss {
				b.WriteString(regoRules(s))
			}
		}
		src = b.String()
	}
	opts = append(opts, rego.Module(w.name+".rego", src))
	pq, err := rego.New(opts...).PrepareForEval(context.Background())
	if err != nil {
		tb.Fatalf("opa: prepare %s: %v\n%s", w.name, err, src)
	}
	e := &opaEngine{pq: pq}
	for _, r := range w.requests {
		in := map[string]any{
			"principal": userARN(r.user),
			"action":    r.action,
			"resource":  r.resource,
		}
		c := map[string]any{}
		for k, v := range r.ctx {
			c[k] = v
		}
		in["context"] = c
		v, err := ast.InterfaceToValue(in)
		if err != nil {
			tb.Fatal(err)
		}
		e.inputs = append(e.inputs, v)
	}
	return e
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
