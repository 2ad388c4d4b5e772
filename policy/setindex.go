package policy

import (
	"slices"
	"sort"
	"strings"
)

// identityIndex merges the candidate indexes of a set's identity-based
// policies into one, so that an evaluation finds the statements that can
// match its action with one look-up for the whole layer rather than one per
// policy. It is built by Set.Prepare and never modified.
//
// For each service prefix that a policy indexes it holds that service's
// Deny candidates, in the order a policy-by-policy scan meets them (policy
// by policy; in each, the statements indexed under the service, then those
// that may match any service), so the first match is the deny that scan
// reports; and the Allow candidates grouped by the first byte of the action
// names they can match: for the identity layer any allow will do, so their
// order does not matter.
type identityIndex struct {
	pols  []*Policy // Set.Identity when the index was built
	svcs  []ixService
	slots []uint16 // index+1 into svcs; len is a power of two
	shift uint8    // 64 - log2(len(slots))
	// other serves services that no policy indexes: the candidates of
	// statements that may match any service.
	other ixService
}

// ixService is the merged candidates of one service prefix.
type ixService struct {
	prefix string
	key    uint64 // packPrefix(prefix)
	deny   []ixCand
	// allowAny holds the Allow candidates whose action names may begin
	// with any byte; allowFirst the others, sorted by that byte: those
	// beginning with firsts[i] are allowFirst[starts[i]:starts[i+1]].
	allowAny   []ixCand
	allowFirst []ixCand
	firsts     []byte
	starts     []uint32
}

// ixCand is a candidate statement of the merged index.
type ixCand struct {
	s     *cstmt
	pol   int32 // index into identityIndex.pols
	first byte  // as cand.first
	// run is set in the Allow lists, where candidates with the same
	// actions are adjacent: on the first of them it is their number (the
	// action is matched once for them all), 0 on the others.
	run int32
}

// minIndexedPolicies is the number of identity policies from which Prepare
// builds the merged index: with one, the policy's own index is as good.
const minIndexedPolicies = 2

// Prepare readies the set for many evaluations: it merges the indexes of the
// identity-based policies into one for the whole layer. Call it when the set
// is complete, before the set is shared (it is not safe for use concurrent
// with evaluations of the set). Evaluate uses the merged index while Identity
// holds the policies it was built from, and falls back to scanning policy by
// policy when it does not (the set's Identity was changed afterwards). A copy
// of the set shares the index. It returns s.
func (s *Set) Prepare() *Set {
	s.ix = nil
	if len(s.Identity) >= minIndexedPolicies {
		s.ix = buildIdentityIndex(s.Identity)
	}
	return s
}

// identityIndex returns the set's merged index when it is current.
func (s *Set) identityIndex() *identityIndex {
	ix := s.ix
	if ix == nil || len(ix.pols) != len(s.Identity) {
		return nil
	}
	for i, p := range s.Identity {
		if ix.pols[i] != p {
			return nil
		}
	}
	return ix
}

func buildIdentityIndex(pols []*Policy) *identityIndex {
	ix := &identityIndex{pols: slices.Clone(pols)}
	var prefixes []string
	seen := map[string]bool{}
	for _, p := range pols {
		p.servicePrefixes(func(prefix string, _ []cand) {
			if !seen[prefix] {
				seen[prefix] = true
				prefixes = append(prefixes, prefix)
			}
		})
	}
	sort.Strings(prefixes)
	ix.svcs = make([]ixService, 0, len(prefixes))
	for _, prefix := range prefixes {
		e := ixService{prefix: prefix, key: packPrefix(prefix)}
		var cs []ixCand
		for pi, p := range pols {
			for _, c := range p.candidatesOf(prefix) {
				cs = append(cs, ixCand{s: &p.stmts[c.stmt], pol: int32(pi), first: c.first})
			}
			for _, c := range p.anyCand {
				cs = append(cs, ixCand{s: &p.stmts[c.stmt], pol: int32(pi), first: c.first})
			}
		}
		e.fill(cs)
		ix.svcs = append(ix.svcs, e)
	}
	var cs []ixCand
	for pi, p := range pols {
		for _, c := range p.anyCand {
			cs = append(cs, ixCand{s: &p.stmts[c.stmt], pol: int32(pi), first: c.first})
		}
	}
	ix.other.fill(cs)
	ix.compact()

	n, bits := 4, uint8(2)
	for n < 2*len(ix.svcs) {
		n *= 2
		bits++
	}
	ix.slots = make([]uint16, n)
	ix.shift = 64 - bits
	for i := range ix.svcs {
		mask := uint64(n - 1)
		for sl := ix.slot(ix.svcs[i].key); ; sl = (sl + 1) & mask {
			if ix.slots[sl] == 0 {
				ix.slots[sl] = uint16(i + 1)
				break
			}
		}
	}
	return ix
}

// compact moves the lists of every service into three arrays of the exact
// size, one for the candidates, one for the first bytes and one for their
// starts: a cached set's index is then a handful of allocations rather than
// five per service, each list without the spare capacity its appends left,
// and evicting the set frees a few whole objects instead of many small
// ones scattered over the heap's spans.
func (ix *identityIndex) compact() {
	var nc, nf, ns int
	each := func(fn func(e *ixService)) {
		for i := range ix.svcs {
			fn(&ix.svcs[i])
		}
		fn(&ix.other)
	}
	each(func(e *ixService) {
		nc += len(e.deny) + len(e.allowAny) + len(e.allowFirst)
		nf += len(e.firsts)
		ns += len(e.starts)
	})
	cands, firsts, starts := make([]ixCand, 0, nc), make([]byte, 0, nf), make([]uint32, 0, ns)
	move := func(dst *[]ixCand, l []ixCand) []ixCand {
		n := len(*dst)
		*dst = append(*dst, l...)
		return (*dst)[n:len(*dst):len(*dst)]
	}
	each(func(e *ixService) {
		e.deny = move(&cands, e.deny)
		e.allowAny = move(&cands, e.allowAny)
		e.allowFirst = move(&cands, e.allowFirst)
		n := len(firsts)
		firsts = append(firsts, e.firsts...)
		e.firsts = firsts[n:len(firsts):len(firsts)]
		n = len(starts)
		starts = append(starts, e.starts...)
		e.starts = starts[n:len(starts):len(starts)]
	})
}

// fill files a service's candidates, given in scan order.
func (e *ixService) fill(cs []ixCand) {
	for _, c := range cs {
		switch {
		case c.s.effect == Deny:
			e.deny = append(e.deny, c)
		case c.first == 0:
			e.allowAny = append(e.allowAny, c)
		default:
			e.allowFirst = append(e.allowFirst, c)
		}
	}
	// Statements with the same actions (the same pattern in many
	// policies) side by side, numbered in order of appearance.
	groups := map[string]int{}
	group := func(c *ixCand) int {
		k := actionsKey(c.s)
		g, ok := groups[k]
		if !ok {
			g = len(groups)
			groups[k] = g
		}
		return g
	}
	for _, l := range [][]ixCand{e.allowAny, e.allowFirst} {
		for i := range l {
			group(&l[i])
		}
	}
	sort.SliceStable(e.allowAny, func(i, j int) bool { return group(&e.allowAny[i]) < group(&e.allowAny[j]) })
	sort.SliceStable(e.allowFirst, func(i, j int) bool {
		a, b := &e.allowFirst[i], &e.allowFirst[j]
		if a.first != b.first {
			return a.first < b.first
		}
		return group(a) < group(b)
	})
	for _, l := range [][]ixCand{e.allowAny, e.allowFirst} {
		start := 0
		for i := range l {
			if i > 0 && (l[i].first != l[i-1].first || group(&l[i]) != group(&l[i-1])) {
				l[start].run = int32(i - start)
				start = i
			}
		}
		if len(l) > 0 {
			l[start].run = int32(len(l) - start)
		}
	}
	for i, c := range e.allowFirst {
		if i == 0 || c.first != e.allowFirst[i-1].first {
			e.firsts = append(e.firsts, c.first)
			e.starts = append(e.starts, uint32(i))
		}
	}
	e.starts = append(e.starts, uint32(len(e.allowFirst)))
}

// actionsKey identifies a statement's Action or NotAction element: statements
// with the same key match the same actions.
func actionsKey(s *cstmt) string {
	var b strings.Builder
	if s.notAction {
		b.WriteByte('!')
	}
	for _, a := range s.actions {
		b.WriteByte('0' + a.kind)
		b.WriteString(a.text)
		b.WriteByte(0)
	}
	return b.String()
}

func (ix *identityIndex) slot(key uint64) uint64 {
	return (key * 0x9E3779B97F4A7C15) >> ix.shift
}

// lookup returns the merged candidates of a service prefix; key is
// packPrefix(svc).
func (ix *identityIndex) lookup(svc string, key uint64) *ixService {
	mask := uint64(len(ix.slots) - 1)
	for sl := ix.slot(key); ; sl = (sl + 1) & mask {
		j := ix.slots[sl]
		if j == 0 {
			return &ix.other
		}
		if e := &ix.svcs[j-1]; e.key == key && (len(svc) <= 7 || e.prefix == svc) {
			return e
		}
	}
}

// scan evaluates the identity layer through the index: the first matching
// Deny, in the order scanning the policies one by one meets them, or whether
// any Allow matches.
func (ix *identityIndex) scan(st *evalState, svc, action string) (allow bool, denyPol *Policy, denyStmt int) {
	e := ix.lookup(svc, st.svcKey)
	nf := st.nameFirst
	for i := range e.deny {
		c := &e.deny[i]
		if c.first != 0 && nf != 0 && c.first != nf {
			continue
		}
		if s := c.s; s.actionMatches(st, action) && s.resourceMatches(st) && s.conditionsHold(st) {
			return false, ix.pols[c.pol], s.index
		}
	}
	if matchAny(e.allowAny, st, action) {
		return true, nil, 0
	}
	if nf == 0 {
		return matchAny(e.allowFirst, st, action), nil, 0
	}
	for i, f := range e.firsts {
		if f == nf {
			return matchAny(e.allowFirst[e.starts[i]:e.starts[i+1]], st, action), nil, 0
		}
	}
	return false, nil, 0
}

// matchAny reports whether one of the statements of an Allow list applies to
// the request; the actions of each run of statements are matched once.
func matchAny(cs []ixCand, st *evalState, action string) bool {
	for i := 0; i < len(cs); {
		n := int(cs[i].run)
		if cs[i].s.actionMatches(st, action) {
			for _, c := range cs[i : i+n] {
				if s := c.s; s.resourceMatches(st) && s.conditionsHold(st) {
					return true
				}
			}
		}
		i += n
	}
	return false
}
