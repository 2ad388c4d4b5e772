package bench

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// cedarEngine evaluates with cedar.Authorize over one PolicySet. Each IAM
// statement becomes one Cedar policy: Allow → permit, Deny → forbid. Cedar's
// decision is Allow or Deny; a Deny with reasons came from a forbid, that is an
// explicit deny.
type cedarEngine struct {
	ps   *cedar.PolicySet
	ents cedar.EntityMap
	reqs []cedar.Request
}

func (e *cedarEngine) decide(i int) policy.Decision {
	d, diag := cedar.Authorize(e.ps, e.ents, e.reqs[i])
	switch {
	case d == cedar.Allow:
		return policy.Allowed
	case len(diag.Reasons) > 0:
		return policy.ExplicitDeny
	}
	return policy.ImplicitDeny
}

// errors returns the evaluation errors Cedar met deciding request i (a policy that
// errs is skipped, which would hide a bad translation).
func (e *cedarEngine) errors(i int) []string {
	_, diag := cedar.Authorize(e.ps, e.ents, e.reqs[i])
	var out []string
	for _, err := range diag.Errors {
		out = append(out, err.String())
	}
	return out
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// cedarAlternatives turns a list of IAM patterns into a disjunction: a literal
// compares the entity, a pattern matches the string the request's context carries
// (Cedar's like has '*' but no '?').
func cedarAlternatives(pats []string, entityType, ctxAttr string) string {
	var alts []string
	for _, p := range pats {
		if strings.Contains(p, "?") {
			panic("cedar has no '?' wildcard: " + p)
		}
		if hasWildcard(p) {
			alts = append(alts, fmt.Sprintf("context.%s like %q", ctxAttr, p))
		} else {
			alts = append(alts, fmt.Sprintf("%s == %s::%q", ctxAttr, entityType, p))
		}
	}
	return "(" + strings.Join(alts, " || ") + ")"
}

// cedarPolicy translates one statement without conditions. principalARN, when not
// empty, scopes the policy to one principal (the directory workload). Literal
// actions and a single literal resource go into the scope, where Cedar expects
// them; wildcards go into the when clause.
func cedarPolicy(s stmt, principalARN string) string {
	if len(s.Conds) > 0 {
		panic("no generic Cedar translation for conditions")
	}
	effect := "permit"
	if s.Effect == "Deny" {
		effect = "forbid"
	}
	scopeP := "principal"
	if principalARN != "" {
		scopeP = fmt.Sprintf("principal == User::%q", principalARN)
	}
	var when []string

	scopeA := "action"
	anyAction, literal := false, true
	for _, a := range s.Actions {
		anyAction = anyAction || a == "*"
		literal = literal && !hasWildcard(a)
	}
	switch {
	case anyAction:
	case literal && len(s.Actions) == 1:
		scopeA = fmt.Sprintf("action == Action::%q", s.Actions[0])
	case literal:
		var us []string
		for _, a := range s.Actions {
			us = append(us, fmt.Sprintf("Action::%q", a))
		}
		scopeA = "action in [" + strings.Join(us, ", ") + "]"
	default:
		when = append(when, cedarAlternatives(s.Actions, "Action", "action"))
	}

	scopeR := "resource"
	anyRes := false
	for _, r := range s.Resources {
		anyRes = anyRes || r == "*"
	}
	switch {
	case anyRes:
	case len(s.Resources) == 1 && !hasWildcard(s.Resources[0]):
		scopeR = fmt.Sprintf("resource == Resource::%q", s.Resources[0])
	default:
		when = append(when, cedarAlternatives(s.Resources, "Resource", "resource"))
	}

	out := fmt.Sprintf("%s (%s, %s, %s)", effect, scopeP, scopeA, scopeR)
	if len(when) > 0 {
		out += " when { " + strings.Join(when, " && ") + " }"
	}
	return out + ";\n"
}

// cedarContextValue types an IAM condition value as Cedar would receive it.
func cedarContextValue(tb testing.TB, key, v string) cedar.Value {
	switch key {
	case "aws:SourceIp":
		ip, err := types.ParseIPAddr(v)
		if err != nil {
			tb.Fatal(err)
		}
		return ip
	case "aws:CurrentTime":
		d, err := types.ParseDatetime(v)
		if err != nil {
			tb.Fatal(err)
		}
		return d
	case "aws:MultiFactorAuthPresent":
		return cedar.Boolean(strings.EqualFold(v, "true"))
	}
	return cedar.String(v)
}

func newCedar(tb testing.TB, w *workload) engine {
	tb.Helper()
	var src strings.Builder
	switch {
	case w.cedar != "":
		src.WriteString(w.cedar)
	case w.principals > 0:
		for i := 0; i < w.principals; i++ {
			for _, s := range principalPolicy(i) {
				src.WriteString(cedarPolicy(s, userARN(principalName(i))))
			}
		}
	default:
		for _, ss := range w.policies {
			for _, s := range ss {
				src.WriteString(cedarPolicy(s, ""))
			}
		}
	}
	ps, err := cedar.NewPolicySetFromBytes(w.name+".cedar", []byte(src.String()))
	if err != nil {
		tb.Fatalf("cedar: parse %s: %v\n%s", w.name, err, src.String())
	}
	e := &cedarEngine{ps: ps, ents: cedar.EntityMap{}}
	for _, r := range w.requests {
		res := cedar.NewEntityUID("Resource", cedar.String(r.resource))
		// W3's ownership attribute: the owner of the home folder the object is in.
		if rest, ok := strings.CutPrefix(r.resource, "arn:aws:s3:::home/"); ok {
			owner, _, _ := strings.Cut(rest, "/")
			e.ents[res] = cedar.Entity{UID: res, Attributes: cedar.NewRecord(cedar.RecordMap{"homeOwner": cedar.String(owner)})}
		}
		ctx := cedar.RecordMap{"action": cedar.String(r.action), "resource": cedar.String(r.resource)}
		for k, v := range r.ctx {
			ctx[cedar.String(k)] = cedarContextValue(tb, k, v)
		}
		e.reqs = append(e.reqs, cedar.Request{
			Principal: cedar.NewEntityUID("User", cedar.String(userARN(r.user))),
			Action:    cedar.NewEntityUID("Action", cedar.String(r.action)),
			Resource:  res,
			Context:   cedar.NewRecord(ctx),
		})
	}
	return e
}
