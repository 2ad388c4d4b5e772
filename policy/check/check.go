// Package check decides IAM Access Analyzer's custom policy checks exactly
// enough never to pass a policy that fails: CheckNoNewAccess (does a new
// policy allow anything an existing one does not?), CheckAccessNotGranted
// (does a policy allow any of a list of actions or resources?) and
// CheckNoPublicAccess (can a resource policy grant access to a principal of no
// particular account?).
//
// The reasoning is over the whole policy language, as policy's evaluator reads
// it: actions are expanded against the finite action space of the embedded
// Service Authorization Reference; resource patterns are compared by exact
// containment of wildcard patterns, component by component; conditions by
// implication between operators on the same key; principals by the atoms they
// name. Where a comparison is beyond the method, the answer is FAIL with the
// reason — never a guessed PASS. docs/analyzer-checks.md describes the method.
//
// The package is pure: standard library, policy, authref and wildcard; no I/O.
package check

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// PolicyType is the policyType of CheckNoNewAccess and CheckAccessNotGranted.
type PolicyType string

// The policy types the checks take.
const (
	IdentityPolicy PolicyType = "IDENTITY_POLICY"
	ResourcePolicy PolicyType = "RESOURCE_POLICY"
)

// Outcome is a check's result.
type Outcome string

// The two outcomes.
const (
	Pass Outcome = "PASS"
	Fail Outcome = "FAIL"
)

// Reason is AWS's ReasonSummary: the statement a FAIL comes from. Detail is
// Gatehouse's own explanation of the reasoning (not on AWS's wire).
type Reason struct {
	Description    string `json:"description"`
	StatementIndex *int   `json:"statementIndex,omitempty"`
	StatementID    string `json:"statementId,omitempty"`
	Detail         string `json:"detail,omitempty"`
}

// Result is a check's answer, with AWS's fields.
type Result struct {
	Result  Outcome  `json:"result"`
	Message string   `json:"message"`
	Reasons []Reason `json:"reasons,omitempty"`
}

// Access is one entry of CheckAccessNotGranted's access list.
type Access struct {
	Actions   []string `json:"actions,omitempty"`
	Resources []string `json:"resources,omitempty"`
}

// AWS's messages (IAM Access Analyzer API reference, the examples of
// CheckNoNewAccess, CheckAccessNotGranted and CheckNoPublicAccess; the AWS CLI
// examples for check-no-new-access).
const (
	msgNewAccess      = "The modified permissions grant new access compared to your existing policy."
	msgNoNewAccess    = "The modified permissions do not grant new access compared to your existing policy."
	msgGranted        = "The policy document grants access to perform one or more of the listed actions or resources."
	msgNotGranted     = "The policy document does not grant access to perform the listed actions or resources."
	msgPublic         = "The resource policy grants public access for the given resource type."
	msgNotPublic      = "The resource policy does not grant public access for the given resource type."
	reasonNewAccess   = "New access in the statement with "
	reasonGranted     = "One or more of the listed actions or resources in the statement with "
	reasonPublicGrant = "Public access granted in the following statement with "
)

// Kind returns the policy kind a document of this type is read as.
func (t PolicyType) Kind() (policy.Kind, bool) {
	switch t {
	case IdentityPolicy:
		return policy.KindIdentity, true
	case ResourcePolicy:
		return policy.KindResource, true
	}
	return 0, false
}

// Parse reads a document of the given type with the policy grammar, as Access
// Analyzer reads documents (without IAM's write-time rules). A resource policy
// may be a role's trust policy, which has no Resource element.
func Parse(doc string, t PolicyType) (*policy.Document, error) {
	kind, ok := t.Kind()
	if !ok {
		return nil, fmt.Errorf("unknown policy type %q", t)
	}
	d, err := policy.ParseGrammar(doc, kind)
	if err != nil && kind == policy.KindResource {
		if d2, err2 := policy.ParseGrammar(doc, policy.KindTrust); err2 == nil {
			return d2, nil
		}
	}
	return d, err
}

// stmt is a statement read for comparison.
type stmt struct {
	index  int
	sid    string
	deny   bool
	acts   bits64   // the atoms that may share an action with it (over)
	own    bits64   // the atoms that hold its actions (what must be covered)
	actsU  bits64   // the atoms it matches whole (under)
	not    []string // the NotAction list, when it is one
	res    resSet
	prin   *prinSet // nil: no Principal element
	conds  []cnd    // the conditions whose operators are known
	condOK bool     // every operator is known
}

// doc is a document read for comparison.
type doc struct {
	stmts []stmt
	vars  bool
}

// noteActions adds the literal actions of d to the action space.
func noteActions(sp *space, d *policy.Document) {
	for _, s := range d.Statements {
		for _, a := range s.Actions {
			sp.note(a)
		}
	}
}

func readDoc(sp *space, d *policy.Document, principals bool) *doc {
	out := &doc{vars: d.VariablesEnabled()}
	for _, s := range d.Statements {
		st := stmt{index: s.Index, sid: s.Sid, deny: s.Effect == policy.Deny, condOK: true}
		st.acts, st.own, st.actsU = sp.actionSets(s.Actions, s.NotAction)
		if s.NotAction {
			st.not = s.Actions
		}
		if s.Resources == nil {
			st.res = resSet{pats: []rpat{{raw: "*", all: true}}}
		} else {
			st.res.not = s.NotResource
			for _, r := range s.Resources {
				if r == "*" && s.NotResource {
					st.res.starNot = true
					st.res.pats = append(st.res.pats, rpat{raw: r, whole: glob{tokStar}})
					continue
				}
				st.res.pats = append(st.res.pats, newRpat(r, out.vars))
			}
		}
		if principals && s.Principal != nil {
			st.prin = newPrinSet(s.Principal, s.NotPrincipal)
		}
		for _, c := range s.Conditions {
			cc, ok := newCnd(c, out.vars)
			if !ok {
				st.condOK = false
				continue
			}
			st.conds = append(st.conds, cc)
		}
		out.stmts = append(out.stmts, st)
	}
	return out
}

// unit is a part of a statement's region small enough to compare as a whole:
// one resource pattern (or the whole NotResource complement) with one
// principal (or the whole NotPrincipal complement).
type unit struct {
	res  resSet
	prin prinUnit
}

func (s *stmt) units(principals bool) []unit {
	var rs []resSet
	if s.res.not {
		rs = []resSet{s.res}
	} else {
		for _, p := range s.res.pats {
			rs = append(rs, resSet{pats: []rpat{p}})
		}
	}
	ps := []prinUnit{{all: true}}
	if principals {
		ps = s.prin.units()
	}
	out := make([]unit, 0, len(rs)*len(ps))
	for _, r := range rs {
		for _, p := range ps {
			out = append(out, unit{res: r, prin: p})
		}
	}
	return out
}

// covers reports whether sup's region holds all of u (under conditions conds),
// action aside.
func (s *stmt) covers(bg *budget, u *unit, conds []cnd, principals bool) bool {
	if !s.condOK {
		return false
	}
	if principals && !s.prin.contains(&u.prin) {
		return false
	}
	return containsSet(bg, &s.res, &u.res) && impliesAll(bg, conds, s.conds)
}

func reason(prefix string, s *stmt, detail string) Reason {
	i := s.index
	r := Reason{StatementIndex: &i, Detail: detail}
	if s.sid != "" {
		r.Description = prefix + "sid: " + s.sid + "."
		r.StatementID = s.sid
	} else {
		r.Description = prefix + "index: " + strconv.Itoa(s.index) + "."
	}
	return r
}

// CheckNoNewAccess reports PASS only when every request the new document
// allows, the existing document allows too. Both are of policy type t (for
// RESOURCE_POLICY principals are compared; for IDENTITY_POLICY the principal
// is the one the policies are attached to).
func CheckNoNewAccess(newDoc, existing *policy.Document, t PolicyType) Result {
	sp := newSpace()
	noteActions(sp, newDoc)
	noteActions(sp, existing)
	principals := t == ResourcePolicy
	nd, ed := readDoc(sp, newDoc, principals), readDoc(sp, existing, principals)

	// An existing Deny still holds in the new document when a Deny there
	// covers it whole.
	denyKept := make([]bool, len(ed.stmts))
	for i := range ed.stmts {
		d := &ed.stmts[i]
		if !d.deny {
			continue
		}
		denyKept[i] = true
		for _, u := range d.units(principals) {
			left := d.own.clone()
			for j := range nd.stmts {
				if nd.stmts[j].deny && nd.stmts[j].covers(sp.bg, &u, d.conds, principals) {
					left.andNot(nd.stmts[j].actsU)
					if d.not != nil && nd.stmts[j].not != nil && sp.notWithin(d.not, nd.stmts[j].not) {
						left.andNot(sp.residualMask())
					}
				}
			}
			if !left.empty() {
				denyKept[i] = false
				break
			}
		}
	}

	var reasons []Reason
	for i := range nd.stmts {
		a := &nd.stmts[i]
		if a.deny {
			continue
		}
		if why := newAccess(sp, a, nd, ed, denyKept, principals); why != "" {
			reasons = append(reasons, reason(reasonNewAccess, a, why))
		}
	}
	if len(reasons) > 0 {
		return Result{Result: Fail, Message: msgNewAccess, Reasons: reasons}
	}
	return Result{Result: Pass, Message: msgNoNewAccess}
}

// newAccess returns why Allow statement a of the new document may allow a
// request the existing one does not, or "".
func newAccess(sp *space, a *stmt, nd, ed *doc, denyKept []bool, principals bool) string {
	for _, u := range a.units(principals) {
		// What the new document's own Deny statements take away, whole: from
		// the actions to cover (needed) and from those that may meet an
		// existing Deny (meets).
		needed, meets := a.own.clone(), a.acts.clone()
		for j := range nd.stmts {
			if d := &nd.stmts[j]; d.deny && d.covers(sp.bg, &u, a.conds, principals) {
				needed.andNot(d.actsU)
				meets.andNot(d.actsU)
				if a.not != nil && d.not != nil && sp.notWithin(a.not, d.not) {
					needed.andNot(sp.residualMask())
					meets.andNot(sp.residualMask())
				}
			}
		}
		if needed.empty() {
			continue
		}
		cover := newBits(sp.n)
		for j := range ed.stmts {
			e := &ed.stmts[j]
			if !e.deny && e.covers(sp.bg, &u, a.conds, principals) {
				cover.or(e.actsU)
				if a.not != nil && e.not != nil && sp.notWithin(a.not, e.not) {
					cover.or(sp.residualMask())
				}
			}
		}
		left := needed.clone()
		left.andNot(cover)
		if i := left.first(); i >= 0 {
			return fmt.Sprintf("%s on %s is not allowed by the existing policy under the same resources, principals and conditions", sp.name(i), u.describe())
		}
		for j := range ed.stmts {
			d := &ed.stmts[j]
			if !d.deny || denyKept[j] || !d.acts.intersects(meets) || disjointSets(sp.bg, &d.res, &u.res) {
				continue
			}
			return fmt.Sprintf("the existing policy's Deny statement %d no longer holds for %s", d.index, u.describe())
		}
	}
	return ""
}

func (u *unit) describe() string {
	var parts []string
	for _, p := range u.res.pats {
		parts = append(parts, p.raw)
	}
	s := strings.Join(parts, ", ")
	if u.res.not {
		s = "resources other than " + s
	}
	if u.prin.all {
		return s
	}
	return s + " for " + u.prin.String()
}

// CheckAccessNotGranted reports PASS only when the document allows none of the
// listed access: with actions only, any of them on any resource; with
// resources only, any action on any of them; with both, any of the actions on
// any of the resources.
func CheckAccessNotGranted(d *policy.Document, access []Access, t PolicyType) Result {
	sp := newSpace()
	noteActions(sp, d)
	for _, ac := range access {
		for _, a := range ac.Actions {
			sp.note(a)
		}
	}
	principals := t == ResourcePolicy
	pd := readDoc(sp, d, principals)
	var reasons []Reason
	for i := range pd.stmts {
		a := &pd.stmts[i]
		if a.deny {
			continue
		}
		for _, ac := range access {
			if why := granted(sp, a, pd, ac, principals); why != "" {
				reasons = append(reasons, reason(reasonGranted, a, why))
				break
			}
		}
	}
	if len(reasons) > 0 {
		return Result{Result: Fail, Message: msgGranted, Reasons: reasons}
	}
	return Result{Result: Pass, Message: msgNotGranted}
}

func granted(sp *space, a *stmt, pd *doc, ac Access, principals bool) string {
	if len(ac.Actions) == 0 && len(ac.Resources) == 0 {
		return ""
	}
	listed := resSet{}
	for _, r := range ac.Resources {
		listed.pats = append(listed.pats, newRpat(r, false))
	}
	for _, u := range a.units(principals) {
		needed := a.acts.clone()
		if len(ac.Actions) > 0 {
			want, _, _ := sp.actionSets(ac.Actions, false)
			needed = want
			needed.andNot(complement(sp, a.acts))
		}
		if len(ac.Resources) > 0 && disjointSets(sp.bg, &u.res, &listed) {
			continue
		}
		for j := range pd.stmts {
			if pd.stmts[j].deny && pd.stmts[j].covers(sp.bg, &u, a.conds, principals) {
				needed.andNot(pd.stmts[j].actsU)
			}
		}
		if i := needed.first(); i >= 0 {
			return fmt.Sprintf("%s may be allowed on %s", sp.name(i), u.describe())
		}
	}
	return ""
}

func complement(sp *space, b bits64) bits64 {
	c := newBits(sp.n)
	c.fill()
	c.limit(sp.n)
	c.andNot(b)
	return c
}
