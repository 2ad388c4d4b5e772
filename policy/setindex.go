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
//
// Every service's lists are ranges of three arrays (cands, firsts, starts):
// a cached set's index is a handful of allocations of the exact size, and
// evicting the set frees a few whole objects rather than many small ones
// scattered over the heap's spans.
type identityIndex struct {
	pols  []*Policy // Set.Identity when the index was built
	svcs  []ixService
	slots []uint16 // index+1 into svcs; len is a power of two
	shift uint8    // 64 - log2(len(slots))
	// other serves services that no policy indexes: the candidates of
	// statements that may match any service.
	other  ixService
	cands  []ixCand
	firsts []byte
	starts []uint32
}

// ixService is the merged candidates of one service prefix, as ranges of
// its identityIndex's arrays.
type ixService struct {
	prefix string
	key    uint64 // packPrefix(prefix)
	// deny, allowAny and allowFirst are ranges of cands. allowAny holds the
	// Allow candidates whose action names may begin with any byte;
	// allowFirst the others, sorted by that byte: those beginning with
	// firsts[firsts.off+i] are allowFirst's [starts[s+i], starts[s+i+1])
	// where s is startsOff.
	deny, allowAny, allowFirst ixRange
	firsts                     ixRange
	startsOff                  uint32
}

// ixRange is the range [off, end) of one of identityIndex's arrays.
type ixRange struct{ off, end uint32 }

// ixLists are a service's merged candidates as fill files them, before
// Prepare moves them into the index's arrays.
type ixLists struct {
	deny, allowAny, allowFirst []ixCand
	firsts                     []byte
	starts                     []uint32
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
	lists := make([]ixLists, 0, len(prefixes)+1)
	for _, prefix := range prefixes {
		var e ixLists
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
		lists = append(lists, e)
		ix.svcs = append(ix.svcs, ixService{prefix: prefix, key: packPrefix(prefix)})
	}
	var cs []ixCand
	for pi, p := range pols {
		for _, c := range p.anyCand {
			cs = append(cs, ixCand{s: &p.stmts[c.stmt], pol: int32(pi), first: c.first})
		}
	}
	var other ixLists
	other.fill(cs)
	ix.compact(append(lists, other))

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

// compact moves the lists of every service (lists[i] those of svcs[i], the
// last those of other) into the index's three arrays, each of the exact
// size.
func (ix *identityIndex) compact(lists []ixLists) {
	var nc, nf, ns int
	for _, l := range lists {
		nc += len(l.deny) + len(l.allowAny) + len(l.allowFirst)
		nf += len(l.firsts)
		ns += len(l.starts)
	}
	ix.cands, ix.firsts, ix.starts = make([]ixCand, 0, nc), make([]byte, 0, nf), make([]uint32, 0, ns)
	move := func(l []ixCand) ixRange {
		r := ixRange{off: uint32(len(ix.cands))}
		ix.cands = append(ix.cands, l...)
		r.end = uint32(len(ix.cands))
		return r
	}
	for i, l := range lists {
		e := &ix.other
		if i < len(ix.svcs) {
			e = &ix.svcs[i]
		}
		e.deny, e.allowAny, e.allowFirst = move(l.deny), move(l.allowAny), move(l.allowFirst)
		e.firsts = ixRange{off: uint32(len(ix.firsts))}
		ix.firsts = append(ix.firsts, l.firsts...)
		e.firsts.end = uint32(len(ix.firsts))
		e.startsOff = uint32(len(ix.starts))
		ix.starts = append(ix.starts, l.starts...)
	}
}

// fill files a service's candidates, given in scan order.
func (e *ixLists) fill(cs []ixCand) {
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
	deny := ix.cands[e.deny.off:e.deny.end]
	for i := range deny {
		c := &deny[i]
		if c.first != 0 && nf != 0 && c.first != nf {
			continue
		}
		if s := c.s; s.actionMatches(st, action) && s.resourceMatches(st) && s.conditionsHold(st) {
			return false, ix.pols[c.pol], s.index
		}
	}
	if matchAny(ix.cands[e.allowAny.off:e.allowAny.end], st, action) {
		return true, nil, 0
	}
	allowFirst := ix.cands[e.allowFirst.off:e.allowFirst.end]
	if nf == 0 {
		return matchAny(allowFirst, st, action), nil, 0
	}
	starts := ix.starts[e.startsOff:]
	for i, f := range ix.firsts[e.firsts.off:e.firsts.end] {
		if f == nf {
			return matchAny(allowFirst[starts[i]:starts[i+1]], st, action), nil, 0
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
