package policy

import (
	"fmt"
	"strings"

	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// Policy is a compiled policy document, ready for evaluation. It is immutable and
// safe for concurrent use. Compile it once when the document changes; evaluate it
// many times.
type Policy struct {
	// Name identifies the policy in explanations (a policy ARN, an inline policy's
	// name, "session policy 1", ...).
	Name string
	// Doc is the parsed document.
	Doc   *Document
	stmts []cstmt
	// byService indexes statements by the lower-cased service prefix of their
	// actions; anyService lists statements that may match any service (NotAction,
	// "*", or a wildcard in the service prefix). Both are in document order.
	byService  map[string][]int32
	anyService []int32
	hasDeny    bool
}

// cstmt is a compiled statement.
type cstmt struct {
	effect      Effect
	notAction   bool
	actions     []string // patterns, escaped form, matched folding case
	notResource bool
	anyResource bool // Resource "*" (or absent, for trust policies)
	resources   []resPattern
	principal   *principalSet // nil: the statement names no principal
	notPrinc    bool
	conds       []cond
	index       int
	sid         string
}

type resPattern struct {
	arn arnPattern
	tpl template // when it holds variables
}

// arnPattern is a resource pattern split into its six ARN components, so that a
// request's resource, split once, is compared component by component.
type arnPattern struct {
	whole string    // the escaped pattern, for patterns that are not six-part ARNs
	parts [6]string // escaped components
	kinds [6]uint8  // partAny, partLiteral or partPattern
	split bool
}

const (
	partAny uint8 = iota
	partLiteral
	partPattern
)

func compileARNPattern(escaped string) arnPattern {
	ap := arnPattern{whole: escaped}
	parts, ok := splitARN(escaped)
	if !ok {
		return ap
	}
	ap.split = true
	for i, c := range parts {
		ap.parts[i] = c
		switch {
		case c == string(wildcard.AnyRun):
			ap.kinds[i] = partAny
		case strings.IndexByte(c, wildcard.AnyRun) >= 0 || strings.IndexByte(c, wildcard.AnyOne) >= 0:
			ap.kinds[i] = partPattern
		default:
			ap.kinds[i] = partLiteral
		}
	}
	return ap
}

// splitARN splits s at its first five colons; it reports false when s has fewer.
func splitARN(s string) (parts [6]string, ok bool) {
	for i := 0; i < 5; i++ {
		c := strings.IndexByte(s, ':')
		if c < 0 {
			return parts, false
		}
		parts[i], s = s[:c], s[c+1:]
	}
	parts[5] = s
	return parts, true
}

// match compares the pattern with a resource already split by splitARN (ok says
// whether it split); whole is the unsplit resource.
func (ap *arnPattern) match(res *[6]string, ok bool, whole string) bool {
	if !ap.split {
		if ok {
			return false
		}
		return wildcard.MatchEscaped(ap.whole, whole, false)
	}
	if !ok {
		return false
	}
	for i := 5; i >= 0; i-- {
		switch ap.kinds[i] {
		case partLiteral:
			if ap.parts[i] != res[i] {
				return false
			}
		case partPattern:
			if !wildcard.MatchEscaped(ap.parts[i], res[i], false) {
				return false
			}
		}
	}
	return true
}

// principalSet is a compiled Principal / NotPrincipal element.
type principalSet struct {
	all       bool            // "*" or {"AWS": "*"}
	accounts  map[string]bool // account ids, from ids and root ARNs
	arns      map[string]bool // user, role, session and federated-user ARNs
	services  map[string]bool
	federated map[string]bool
	canonical map[string]bool
}

// Compile compiles a parsed document. name identifies it in explanations.
func Compile(name string, doc *Document) (*Policy, error) {
	p := &Policy{Name: name, Doc: doc, byService: map[string][]int32{}}
	vars := doc.VariablesEnabled()
	for i, s := range doc.Statements {
		cs := cstmt{effect: s.Effect, notAction: s.NotAction, notResource: s.NotResource, index: s.Index, sid: s.Sid}
		for _, a := range s.Actions {
			cs.actions = append(cs.actions, wildcard.Escape(strings.ToLower(a)))
		}
		if s.Resources == nil {
			cs.anyResource = true
		}
		for _, r := range s.Resources {
			if r == "*" && !s.NotResource {
				cs.anyResource = true
			}
			if vars && hasVariable(r) {
				cs.resources = append(cs.resources, resPattern{tpl: compileTemplate(r, true)})
			} else {
				cs.resources = append(cs.resources, resPattern{arn: compileARNPattern(wildcard.Escape(r))})
			}
		}
		if s.Principal != nil {
			cs.principal = compilePrincipals(s.Principal)
			cs.notPrinc = s.NotPrincipal
		}
		for j, c := range s.Conditions {
			cc, err := compileCond(c, j, vars)
			if err != nil {
				return nil, fmt.Errorf("statement %d: %w", i, err)
			}
			cs.conds = append(cs.conds, cc)
		}
		if s.Effect == Deny {
			p.hasDeny = true
		}
		p.stmts = append(p.stmts, cs)
		p.index(int32(i), &cs)
	}
	return p, nil
}

// ParseAndCompile parses and compiles a document in one step.
func ParseAndCompile(name, doc string, kind Kind) (*Policy, error) {
	d, err := Parse(doc, kind)
	if err != nil {
		return nil, err
	}
	return Compile(name, d)
}

// MustCompile is ParseAndCompile that panics on error, for tests and examples.
func MustCompile(name, doc string, kind Kind) *Policy {
	p, err := ParseAndCompile(name, doc, kind)
	if err != nil {
		panic(err)
	}
	return p
}

// index files statement i under the service prefixes its actions can match.
func (p *Policy) index(i int32, s *cstmt) {
	if s.notAction {
		p.anyService = append(p.anyService, i)
		return
	}
	seen := map[string]bool{}
	for _, a := range s.actions {
		prefix, _, ok := strings.Cut(a, ":")
		if !ok || strings.IndexByte(prefix, wildcard.AnyRun) >= 0 || strings.IndexByte(prefix, wildcard.AnyOne) >= 0 {
			p.anyService = append(p.anyService, i)
			return
		}
		if !seen[prefix] {
			seen[prefix] = true
			p.byService[prefix] = append(p.byService[prefix], i)
		}
	}
}

func compilePrincipals(pr *Principals) *principalSet {
	ps := &principalSet{all: pr.Wildcard}
	set := func(m *map[string]bool, k string) {
		if *m == nil {
			*m = map[string]bool{}
		}
		(*m)[k] = true
	}
	for _, a := range pr.AWS {
		switch {
		case a == "*":
			ps.all = true
		case isAccountID(a):
			set(&ps.accounts, a)
		case strings.HasSuffix(a, ":root") && strings.HasPrefix(a, "arn:") && strings.Contains(a, ":iam::"):
			set(&ps.accounts, arnAccount(a))
		default:
			set(&ps.arns, a)
		}
	}
	for _, s := range pr.Service {
		if s == "*" {
			ps.all = true
			continue
		}
		set(&ps.services, strings.ToLower(s))
	}
	for _, f := range pr.Federated {
		set(&ps.federated, f)
	}
	for _, c := range pr.CanonicalUser {
		set(&ps.canonical, c)
	}
	return ps
}

// grant says how a principal element matched a caller: through the caller's own
// ARN (or "*"), through its role's ARN, or only through its account.
type grant uint8

const (
	grantNone grant = iota
	grantAccount
	grantRole
	grantDirect
)

// match reports how the set names principal p.
func (ps *principalSet) match(p *Principal) grant {
	if ps.all {
		return grantDirect
	}
	switch p.Type {
	case PrincipalService:
		if ps.services[strings.ToLower(p.ARN)] {
			return grantDirect
		}
		return grantNone
	case PrincipalFederated:
		if ps.federated[p.ARN] {
			return grantDirect
		}
		return grantNone
	case PrincipalAnonymous:
		return grantNone
	}
	if ps.arns[p.ARN] {
		return grantDirect
	}
	if p.Type == PrincipalRoleSession && p.RoleARN != "" && ps.arns[p.RoleARN] {
		return grantRole
	}
	if ps.accounts[p.Account] {
		return grantAccount
	}
	return grantNone
}

// notMatch is match for a NotPrincipal element. AWS checks each identity the
// caller carries — its own ARN, a session's role ARN, and its account — and the
// statement applies through every identity that is not listed; that is why AWS's
// examples list the account ARN too. It returns the best such grant.
func (ps *principalSet) notMatch(p *Principal) grant {
	if ps.all {
		return grantNone
	}
	switch p.Type {
	case PrincipalService:
		if ps.services[strings.ToLower(p.ARN)] {
			return grantNone
		}
		return grantDirect
	case PrincipalFederated:
		if ps.federated[p.ARN] {
			return grantNone
		}
		return grantDirect
	case PrincipalAnonymous:
		return grantDirect
	case PrincipalRoot:
		if ps.accounts[p.Account] {
			return grantNone
		}
		return grantDirect
	}
	if !ps.arns[p.ARN] {
		return grantDirect
	}
	if p.Type == PrincipalRoleSession && !ps.arns[p.RoleARN] {
		return grantRole
	}
	if !ps.accounts[p.Account] {
		return grantAccount
	}
	return grantNone
}

// actionMatches reports whether the statement's Action/NotAction covers action.
func (s *cstmt) actionMatches(action string) bool {
	m := false
	for _, a := range s.actions {
		if wildcard.MatchEscaped(a, action, true) {
			m = true
			break
		}
	}
	return m != s.notAction
}

// resourceMatches reports whether the statement's Resource/NotResource covers the
// request's resource.
func (s *cstmt) resourceMatches(st *evalState) bool {
	if s.anyResource {
		return true
	}
	m := false
	for i := range s.resources {
		rp := &s.resources[i]
		if rp.tpl == nil {
			if rp.arn.match(&st.res, st.resSplit, st.req.Resource) {
				m = true
				break
			}
			continue
		}
		mark := st.mark()
		pat, ok := st.expand(rp.tpl)
		if ok && matchARN(pat, st.req.Resource) {
			m = true
		}
		st.reset(mark)
		if m {
			break
		}
	}
	return m != s.notResource
}

// conditionsHold reports whether every condition of the statement holds.
func (s *cstmt) conditionsHold(st *evalState) bool {
	for i := range s.conds {
		if !s.conds[i].eval(st) {
			return false
		}
	}
	return true
}
