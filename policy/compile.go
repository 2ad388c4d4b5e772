package policy

import (
	"encoding/binary"
	"fmt"
	"strings"
	"unsafe"

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
	// A policy with few services (nsvc ≤ maxLinearServices: most) keeps
	// services instead of byService and candBy, which are then nil: two
	// maps per compiled document cost more than the rest of a small one.
	byService  map[string][]int32
	services   []serviceStmts // the same as byService, for policies with few services
	nsvc       int            // the number of service prefixes indexed
	anyService []int32
	hasDeny    bool
	// candBy and anyCand are byService and anyService as evaluation reads
	// them: each statement with the first byte of the action names it can
	// match, so that most statements are passed over without matching.
	candBy  map[string][]cand
	anyCand []cand
	// svcSlots maps svcSlot of a service's packed prefix to its index+1 in
	// services (0: none there; slotCollide: search services linearly).
	svcSlots [16]uint8
	// base is the policy this one was named from (Named), kept alive
	// while any of its names is: caches that hold policies weakly find
	// the compiled form under the document as long as one holder uses it.
	base *Policy
}

const slotCollide = 0xff

// svcSlot hashes a packed service prefix to one of 16 slots, once per request.
func svcSlot(key uint64) uint8 { return uint8((key * 0x9E3779B97F4A7C15) >> 60) }

// cand is a statement that may match the actions of a service.
type cand struct {
	stmt int32
	// first is the lower-cased first byte of the action name (after the
	// service prefix) of every action the statement can match, or 0 when
	// it can match names beginning with any byte.
	first byte
	deny  bool
}

// Named returns the policy under another name, sharing its compiled
// statements (a compiled policy is never modified): a cache of compiled
// documents hands each holder of the same document its own name.
func (p *Policy) Named(name string) *Policy {
	if p.Name == name {
		return p
	}
	cp := *p
	cp.Name = name
	if cp.base == nil {
		cp.base = p
	}
	return &cp
}

// cstmt is a compiled statement.
type cstmt struct {
	effect      Effect
	notAction   bool
	actions     []actionPattern
	notResource bool
	anyResource bool // Resource "*" (or absent, for trust policies), or NotResource "*" (then no resource)
	resources   []resPattern
	principal   *principalSet // nil: the statement names no principal
	notPrinc    bool
	conds       []cond
	index       int
	sid         string
	// start and end are the statement's span as line and column, computed
	// once here: explanations report them for every match.
	start, end Position
}

type resPattern struct {
	arn arnPattern
	tpl template // when it holds variables
	// When every variable is in the resource component, prefix is the literal
	// "arn:...:account:" part and tpl the resource component's template.
	prefix string
	// direct says that tpl is matched without expanding it: every part but
	// the last is a variable or a literal without wildcards, so the request's
	// resource component is compared part by part (see matchDirect).
	direct bool
}

// compileResourceTemplate compiles a resource pattern holding variables.
func compileResourceTemplate(r string) resPattern {
	t := compileTemplate(r, true)
	if len(t) > 0 && t[0].key == "" {
		lit := t[0].lit
		n, cut := 0, -1
		for i := 0; i < len(lit); i++ {
			if lit[i] == ':' {
				n++
				if n == 5 {
					cut = i + 1
					break
				}
			}
		}
		if cut > 0 && strings.IndexByte(lit[:cut], wildcard.AnyRun) < 0 && strings.IndexByte(lit[:cut], wildcard.AnyOne) < 0 {
			rest := append(template{}, t...)
			rest[0].lit = lit[cut:]
			if rest[0].lit == "" {
				rest = rest[1:]
			}
			return resPattern{tpl: rest, prefix: lit[:cut], direct: directTemplate(rest)}
		}
	}
	return resPattern{tpl: t}
}

// directTemplate reports whether a template can be matched by matchDirect: no
// part before the last holds a wildcard.
func directTemplate(t template) bool {
	if len(t) == 0 {
		return false
	}
	for _, p := range t[:len(t)-1] {
		if p.key == "" && hasEscapedWildcard(p.lit) {
			return false
		}
	}
	return true
}

// hasEscapedWildcard reports whether s, in the escaped form, holds a wildcard.
func hasEscapedWildcard(s string) bool {
	return strings.IndexByte(s, wildcard.AnyRun) >= 0 || strings.IndexByte(s, wildcard.AnyOne) >= 0
}

// matchDirect matches s against a direct template (directTemplate) without
// expanding it: literal parts and variable values, which are literal text, are
// compared as prefixes in turn, and the last part with what remains (as a
// pattern when it is a literal). ok is false when a variable has no value and
// no default: the pattern does not exist (the statement does not match).
// direct is false when a value holds a byte of wildcard's escaped form, which
// the expansion would read as a wildcard: the caller expands instead, so that
// both paths agree.
func (st *evalState) matchDirect(t template, s string) (m, ok, direct bool) {
	last := len(t) - 1
	for i := range t {
		p := &t[i]
		v := p.lit
		if p.key != "" {
			e := st.req.Context.lookup(p.key, p.hash)
			switch {
			case e != nil && len(e.vals) > 0:
				v = e.vals[0]
				if !e.plain {
					return false, false, false
				}
			case p.hasDef:
				v = p.def
				if hasEscapedWildcard(v) {
					return false, false, false
				}
			default:
				return false, false, true
			}
		}
		if i == last {
			if p.prefixOnly {
				pre := v[:len(v)-1]
				return len(s) >= len(pre) && s[:len(pre)] == pre, true, true
			}
			if p.key == "" {
				return wildcard.MatchEscaped(v, s, false), true, true
			}
			return s == v, true, true
		}
		if len(s) < len(v) || s[:len(v)] != v {
			// Later variables must still have values for ok to be
			// meaningful; the caller treats both alike.
			return false, true, true
		}
		s = s[len(v):]
	}
	return false, true, true
}

// arnPattern is a compiled resource pattern. Most patterns are matched without
// splitting the request's resource: a literal ARN by string equality, and an ARN
// whose wildcards are all in the resource component by comparing its literal
// first five components as a prefix. Others are compared component by component
// with the request's resource, split once per request.
type arnPattern struct {
	whole  string    // the escaped pattern, for patterns that are not six-part ARNs
	parts  [6]string // escaped components
	kinds  [6]uint8  // partAny, partLiteral or partPattern
	split  bool
	shape  uint8  // arnLiteral, arnTail or arnParts
	prefix string // arnTail: "arn:...:account:" through the fifth colon
	tail   string // arnTail: escaped resource component
	// last8 is the last eight bytes of the literal compared in full
	// (whole for arnLiteral, prefix for arnPrefix) as a little-endian
	// word, when it has eight: most resources that differ from it differ
	// there, and one load and comparison tells without a call.
	last8 uint64
	has8  bool
}

// word8 reads the eight bytes of s ending at end as a little-endian word.
func word8(s string, end int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s), len(s))[end-8 : end])
}

const (
	arnParts uint8 = iota
	arnLiteral
	arnTail
	arnPrefix // the resource component is a literal followed by one '*': prefix is all but the '*'
)

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
	switch {
	case strings.IndexByte(escaped, wildcard.AnyRun) < 0 && strings.IndexByte(escaped, wildcard.AnyOne) < 0:
		ap.shape = arnLiteral
	case !strings.ContainsAny(strings.Join(parts[:5], ":"), string([]byte{wildcard.AnyRun, wildcard.AnyOne})):
		ap.shape = arnTail
		ap.prefix = escaped[:len(escaped)-len(parts[5])]
		ap.tail = parts[5]
		if t := ap.tail; len(t) > 0 && t[len(t)-1] == wildcard.AnyRun && !hasEscapedWildcard(t[:len(t)-1]) {
			ap.shape = arnPrefix
			ap.prefix = escaped[:len(escaped)-1]
		}
	}
	switch lit := ap.prefix; {
	case ap.shape == arnLiteral && len(escaped) >= 8:
		ap.last8, ap.has8 = word8(escaped, len(escaped)), true
	case ap.shape == arnPrefix && len(lit) >= 8:
		ap.last8, ap.has8 = word8(lit, len(lit)), true
	}
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

// match compares the pattern with the request's resource.
func (ap *arnPattern) match(st *evalState) bool {
	whole := st.req.Resource
	switch ap.shape {
	case arnLiteral:
		return len(whole) == len(ap.whole) && (!ap.has8 || word8(whole, len(whole)) == ap.last8) && whole == ap.whole
	case arnTail:
		return len(whole) >= len(ap.prefix) && whole[:len(ap.prefix)] == ap.prefix &&
			wildcard.MatchEscaped(ap.tail, whole[len(ap.prefix):], false)
	case arnPrefix:
		n := len(ap.prefix)
		return len(whole) >= n && (!ap.has8 || word8(whole, n) == ap.last8) && whole[:n] == ap.prefix
	}
	res, ok := st.resource()
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
	lines := newlines(doc.Source)
	for i, s := range doc.Statements {
		cs := cstmt{effect: s.Effect, notAction: s.NotAction, notResource: s.NotResource, index: s.Index, sid: s.Sid,
			start: lines.position(s.Span.Start), end: lines.position(s.Span.End)}
		for _, a := range s.Actions {
			cs.actions = append(cs.actions, compileActionPattern(a))
		}
		if s.Resources == nil {
			cs.anyResource = true
		}
		for _, r := range s.Resources {
			if r == "*" {
				// NotResource "*" excludes every resource: the statement
				// applies to none (reference_policies_elements_notresource:
				// NotResource "matches every resource except those
				// specified").
				cs.anyResource = true
			}
			if vars && hasVariable(r) {
				cs.resources = append(cs.resources, compileResourceTemplate(r))
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
	p.nsvc = len(p.byService)
	p.anyCand = p.cands(p.anyService)
	if p.nsvc <= maxLinearServices {
		p.services = make([]serviceStmts, 0, p.nsvc)
		for prefix, stmts := range p.byService {
			p.services = append(p.services, serviceStmts{prefix: prefix, key: packPrefix(prefix), stmts: stmts, cands: p.cands(stmts)})
		}
		p.byService = nil
		for i := range p.services {
			sl := svcSlot(p.services[i].key)
			if p.svcSlots[sl] == 0 {
				p.svcSlots[sl] = uint8(i + 1)
			} else {
				p.svcSlots[sl] = slotCollide
			}
		}
	} else {
		p.candBy = make(map[string][]cand, len(p.byService))
		for prefix, stmts := range p.byService {
			p.candBy[prefix] = p.cands(stmts)
		}
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

// maxLinearServices is the number of service prefixes up to which a policy's
// index is searched linearly, which beats hashing for the usual few.
const maxLinearServices = 8

type serviceStmts struct {
	prefix string
	key    uint64 // packPrefix(prefix)
	stmts  []int32
	cands  []cand
}

// packPrefix packs a service prefix's length and first seven bytes into one
// word, so that the linear index compares one integer per service; prefixes
// longer than seven bytes are confirmed by a string comparison.
func packPrefix(s string) uint64 {
	k := uint64(len(s))
	for i := 0; i < len(s) && i < 7; i++ {
		k |= uint64(s[i]) << (8 * (i + 1))
	}
	return k
}

// cands returns the candidate entries of the statements listed.
func (p *Policy) cands(stmts []int32) []cand {
	out := make([]cand, 0, len(stmts))
	for _, i := range stmts {
		s := &p.stmts[i]
		c := cand{stmt: i, deny: s.effect == Deny}
		if !s.notAction {
			c.first = firstNameByte(s.actions)
		}
		out = append(out, c)
	}
	return out
}

// firstNameByte returns the first byte of the action names (after the first
// colon) that every pattern of actions can match, or 0 when they can match
// names beginning with different or any bytes.
func firstNameByte(actions []actionPattern) byte {
	var first byte
	for i := range actions {
		ap := &actions[i]
		a := ap.text
		_, name, ok := strings.Cut(a, ":")
		if !ok || name == "" || strings.IndexByte(a[:len(a)-len(name)], wildcard.AnyRun) >= 0 ||
			strings.IndexByte(a[:len(a)-len(name)], wildcard.AnyOne) >= 0 {
			return 0
		}
		b := name[0]
		if b == wildcard.AnyRun || b == wildcard.AnyOne || b >= 0x80 {
			return 0
		}
		if first != 0 && first != b {
			return 0
		}
		first = b
	}
	return first
}

// candidatesFor returns the candidate statements indexed under a service
// prefix; key is packPrefix(svc), computed once per request.
func (p *Policy) candidatesFor(svc string, key uint64, slot uint8) []cand {
	if p.nsvc <= maxLinearServices {
		switch j := p.svcSlots[slot]; j {
		case 0:
			return nil
		case slotCollide:
		default:
			if e := &p.services[j-1]; e.key == key && (len(svc) <= 7 || e.prefix == svc) {
				return e.cands
			}
			return nil
		}
		for i := range p.services {
			if p.services[i].key == key && (len(svc) <= 7 || p.services[i].prefix == svc) {
				return p.services[i].cands
			}
		}
		return nil
	}
	return p.candBy[svc]
}

// statementsFor returns the statements indexed under a service prefix; key is
// packPrefix(svc), computed once per request.
func (p *Policy) statementsFor(svc string, key uint64) []int32 {
	if p.nsvc <= maxLinearServices {
		for i := range p.services {
			if p.services[i].key == key && (len(svc) <= 7 || p.services[i].prefix == svc) {
				return p.services[i].stmts
			}
		}
		return nil
	}
	return p.byService[svc]
}

// servicePrefixes calls fn with each service prefix the policy indexes and
// its candidate statements, in no particular order.
func (p *Policy) servicePrefixes(fn func(prefix string, cands []cand)) {
	if p.nsvc <= maxLinearServices {
		for i := range p.services {
			fn(p.services[i].prefix, p.services[i].cands)
		}
		return
	}
	for prefix, cs := range p.candBy {
		fn(prefix, cs)
	}
}

// candidatesOf returns the candidate statements indexed under a service
// prefix.
func (p *Policy) candidatesOf(prefix string) []cand {
	if p.nsvc <= maxLinearServices {
		for i := range p.services {
			if p.services[i].prefix == prefix {
				return p.services[i].cands
			}
		}
		return nil
	}
	return p.candBy[prefix]
}

// actionPattern is a compiled Action/NotAction value, lower-cased, with a fast
// path for the common shapes: a literal action, and a literal prefix followed by
// one trailing '*'.
type actionPattern struct {
	text string // escaped form
	kind uint8  // actLiteral, actPrefix or actPattern
}

const (
	actLiteral uint8 = iota
	actPrefix
	actPattern
)

func compileActionPattern(a string) actionPattern {
	t := wildcard.Escape(strings.ToLower(a))
	switch {
	case !wildcard.HasWildcard(a):
		return actionPattern{text: t, kind: actLiteral}
	case strings.IndexByte(a, '?') < 0 && strings.IndexByte(a, '*') == len(a)-1:
		return actionPattern{text: t[:len(t)-1], kind: actPrefix}
	}
	return actionPattern{text: t, kind: actPattern}
}

func (ap *actionPattern) match(action string) bool {
	switch ap.kind {
	case actLiteral:
		return len(action) == len(ap.text) && equalFoldLower(ap.text, action)
	case actPrefix:
		return len(action) >= len(ap.text) && equalFoldLower(ap.text, action[:len(ap.text)])
	}
	return wildcard.MatchEscaped(ap.text, action, true)
}

// matchLower is match for an action whose ASCII letters are lower-cased
// (evalState.action): patterns are lower-cased when compiled and folding is
// ASCII-only, so comparing without folding is the same.
func (ap *actionPattern) matchLower(a string) bool {
	switch ap.kind {
	case actLiteral:
		return a == ap.text
	case actPrefix:
		return len(a) >= len(ap.text) && a[:len(ap.text)] == ap.text
	}
	return wildcard.MatchEscaped(ap.text, a, false)
}

// equalFoldLower compares a lower-case string with s, folding ASCII case.
func equalFoldLower(lower, s string) bool {
	for i := 0; i < len(lower); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// index files statement i under the service prefixes its actions can match.
func (p *Policy) index(i int32, s *cstmt) {
	if s.notAction {
		p.anyService = append(p.anyService, i)
		return
	}
	seen := map[string]bool{}
	for _, ap := range s.actions {
		a := ap.text
		if ap.kind == actPrefix {
			a += string(wildcard.AnyRun)
		}
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
	// A canonical user ID names an account, like an account ID
	// (reference_policies_elements_principal.md#principal-accounts).
	if ps.accounts[p.Account] || (p.CanonicalUser != "" && ps.canonical[p.CanonicalUser]) {
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
		if ps.accounts[p.Account] || (p.CanonicalUser != "" && ps.canonical[p.CanonicalUser]) {
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
	if !ps.accounts[p.Account] && (p.CanonicalUser == "" || !ps.canonical[p.CanonicalUser]) {
		return grantAccount
	}
	return grantNone
}

// actionMatches reports whether the statement's Action/NotAction covers the
// request's action a, as prepareAction returned it.
func (s *cstmt) actionMatches(st *evalState, a string) bool {
	m := false
	if st.fold {
		for i := range s.actions {
			if s.actions[i].match(a) {
				m = true
				break
			}
		}
		return m != s.notAction
	}
	for i := range s.actions {
		if s.actions[i].matchLower(a) {
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
		return !s.notResource
	}
	m := false
	for i := range s.resources {
		rp := &s.resources[i]
		if rp.tpl == nil {
			if rp.arn.match(st) {
				m = true
				break
			}
			continue
		}
		res := st.req.Resource
		if rp.prefix != "" && !(len(res) >= len(rp.prefix) && res[:len(rp.prefix)] == rp.prefix) {
			continue
		}
		if rp.direct && st.missing == nil {
			// (Explanations, which list missing keys, take the expansion
			// below: it notes every missing variable.)
			dm, _, direct := st.matchDirect(rp.tpl, res[len(rp.prefix):])
			if dm {
				m = true
				break
			}
			if direct {
				continue
			}
		}
		mark := st.mark()
		pat, ok := st.expand(rp.tpl)
		switch {
		case !ok:
		case rp.prefix != "":
			m = wildcard.MatchEscaped(pat, res[len(rp.prefix):], false)
		default:
			m = matchARNSplit(pat, st)
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
