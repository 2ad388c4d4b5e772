package policy

import (
	"maps"
	"slices"
	"sort"
	"strings"
)

// candIndex files statements under the service prefixes their actions can
// match, so that an evaluation finds the statements that can match its action
// with one look-up. Each compiled policy has one (Policy.cix); Set.Prepare
// merges those of a set's identity-based policies into one for the layer
// (identityIndex). It is never modified once built.
//
// For each service prefix it holds that service's Deny candidates, in the
// order a scan of the policies one by one meets them (policy by policy; in
// each, in document order, the statements indexed under the service, then
// those that may match any service), so the first match is the deny that scan
// reports; and the Allow candidates grouped by the first byte of the action
// names they can match: any allow will do, or for a resource-based policy the
// best grant among them, so their order does not matter.
type candIndex struct {
	svcs  []ixService
	slots []uint16 // index+1 into svcs; len is a power of two
	shift uint8    // 64 - log2(len(slots))
	// other serves services that no policy indexes: the candidates of
	// statements that may match any service.
	other ixService
}

// identityIndex is the merged candIndex of a set's identity-based policies,
// built by Set.Prepare.
type identityIndex struct {
	pols []*Policy // Set.Identity when the index was built
	candIndex
}

// ixService is the candidates of one service prefix.
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

// ixCand is a candidate statement.
type ixCand struct {
	s   *cstmt
	pol int32 // index into identityIndex.pols; 0 in a policy's own index
	// first is the lower-cased first byte of the action name (after the
	// service prefix) of every action the statement can match, or 0 when
	// it can match names beginning with any byte.
	first byte
	// run is set in the Allow lists, where candidates with the same
	// actions are adjacent: on the first of them it is their number (the
	// action is matched once for them all), 0 on the others.
	run int32
}

// minIndexedPolicies is the number of identity policies from which Prepare
// builds the merged index. Below it, evaluation looks each policy's own
// index up in turn: a look-up per policy (a few nanoseconds each,
// BenchmarkDirectorySet) against the merged index's memory, about 1 KB per
// set for a user with six small policies, which a cache of 20,000
// principals holds 20,000 times (server BenchmarkPrincipalsRSS: 22 MB of
// its 122 MB of live heap, bench/results/REQUEST_PATH.md "#17 memory,
// session 10"). With one policy, its own index is the same.
const minIndexedPolicies = 8

// Prepare readies the set for many evaluations: it merges the indexes of the
// identity-based policies into one for the whole layer, when there are
// minIndexedPolicies of them or more. Call it when the set
// is complete, before the set is shared (it is not safe for use concurrent
// with evaluations of the set). Evaluate uses the merged index while Identity
// holds the policies it was built from, and falls back to scanning policy by
// policy when it does not (the set's Identity was changed afterwards). A copy
// of the set shares the index. It returns s.
func (s *Set) Prepare() *Set {
	return s.prepare(minIndexedPolicies)
}

// prepare is Prepare merging the indexes of least identity policies or
// more (tests merge those of two).
func (s *Set) prepare(least int) *Set {
	s.ix = nil
	if len(s.Identity) >= max(least, 2) {
		s.ix = &identityIndex{pols: slices.Clone(s.Identity), candIndex: mergeIndexes(s.Identity)}
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

// policyIndex builds a compiled policy's own index from its statements
// filed by service prefix (byService) and those that may match any service
// (anyService), both in document order.
func (p *Policy) policyIndex(byService map[string][]int32, anyService []int32) *candIndex {
	cands := func(stmts ...[]int32) []ixCand {
		var cs []ixCand
		for _, l := range stmts {
			for _, i := range l {
				s := &p.stmts[i]
				c := ixCand{s: s}
				if !s.notAction {
					c.first = firstNameByte(s.actions)
				}
				cs = append(cs, c)
			}
		}
		return cs
	}
	prefixes := slices.Sorted(maps.Keys(byService))
	ix := &candIndex{}
	for _, prefix := range prefixes {
		e := ixService{prefix: prefix, key: packPrefix(prefix)}
		e.fill(cands(byService[prefix], anyService))
		ix.svcs = append(ix.svcs, e)
	}
	ix.other.fill(cands(anyService))
	ix.hash()
	return ix
}

// mergeIndexes merges the indexes of policies into one: for each service
// prefix any of them indexes, the candidates of each policy for that prefix
// in policy order.
func mergeIndexes(pols []*Policy) candIndex {
	var prefixes []string
	seen := map[string]bool{}
	for _, p := range pols {
		for i := range p.cix.svcs {
			if prefix := p.cix.svcs[i].prefix; !seen[prefix] {
				seen[prefix] = true
				prefixes = append(prefixes, prefix)
			}
		}
	}
	sort.Strings(prefixes)
	// cands lists the candidates of one policy's entry with their policy:
	// its denies first, in scan order (fill keeps their order).
	cands := func(cs []ixCand, pi int, e *ixService) []ixCand {
		for _, l := range [][]ixCand{e.deny, e.allowAny, e.allowFirst} {
			for _, c := range l {
				c.pol, c.run = int32(pi), 0
				cs = append(cs, c)
			}
		}
		return cs
	}
	var ix candIndex
	for _, prefix := range prefixes {
		e := ixService{prefix: prefix, key: packPrefix(prefix)}
		var cs []ixCand
		for pi, p := range pols {
			cs = cands(cs, pi, p.cix.find(prefix))
		}
		e.fill(cs)
		ix.svcs = append(ix.svcs, e)
	}
	var cs []ixCand
	for pi, p := range pols {
		cs = cands(cs, pi, &p.cix.other)
	}
	ix.other.fill(cs)
	ix.hash()
	return ix
}

// hash fills the slot table of svcs.
func (ix *candIndex) hash() {
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
}

// find returns the entry of a service prefix, or other.
func (ix *candIndex) find(prefix string) *ixService {
	return ix.lookup(prefix, packPrefix(prefix))
}

// fill files a service's candidates, given in scan order.
func (e *ixService) fill(cs []ixCand) {
	for _, c := range cs {
		c.run = 0
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
	// policies) side by side: each Allow candidate's group, numbered in
	// order of appearance, is kept in run until the runs are counted.
	if len(e.allowAny)+len(e.allowFirst) > 1 {
		groups := map[string]int32{}
		for _, l := range [][]ixCand{e.allowAny, e.allowFirst} {
			for i := range l {
				k := actionsKey(l[i].s)
				g, ok := groups[k]
				if !ok {
					g = int32(len(groups))
					groups[k] = g
				}
				l[i].run = g
			}
		}
		sort.SliceStable(e.allowAny, func(i, j int) bool { return e.allowAny[i].run < e.allowAny[j].run })
		sort.SliceStable(e.allowFirst, func(i, j int) bool {
			a, b := &e.allowFirst[i], &e.allowFirst[j]
			if a.first != b.first {
				return a.first < b.first
			}
			return a.run < b.run
		})
	}
	for _, l := range [][]ixCand{e.allowAny, e.allowFirst} {
		var bounds []int
		for i := range l {
			if i == 0 || l[i].first != l[i-1].first || l[i].run != l[i-1].run {
				bounds = append(bounds, i)
			}
		}
		bounds = append(bounds, len(l))
		for i := range l {
			l[i].run = 0
		}
		for k := 0; k+1 < len(bounds); k++ {
			l[bounds[k]].run = int32(bounds[k+1] - bounds[k])
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

func (ix *candIndex) slot(key uint64) uint64 {
	return (key * 0x9E3779B97F4A7C15) >> ix.shift
}

// lookup returns the candidates of a service prefix; key is packPrefix(svc).
func (ix *candIndex) lookup(svc string, key uint64) *ixService {
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

// scanIdentity evaluates the candidates for an identity-based layer: the
// first matching Deny, in the order scanning the policies one by one meets
// them, or nil; and, when wantAllow, whether any Allow matches.
func (e *ixService) scanIdentity(st *evalState, action string, wantAllow bool) (allow bool, deny *ixCand) {
	nf := st.nameFirst
	for i := range e.deny {
		c := &e.deny[i]
		if c.first != 0 && nf != 0 && c.first != nf {
			continue
		}
		if s := c.s; s.actionMatches(st, action) && s.resourceMatches(st) && s.conditionsHold(st) {
			return false, c
		}
	}
	if !wantAllow {
		return false, nil
	}
	if matchAny(e.allowAny, st, action) {
		return true, nil
	}
	return matchAny(e.allowGroup(nf), st, action), nil
}

// allowGroup returns the Allow candidates with a first byte that can match
// action names beginning with nf (all of them when nf is 0).
func (e *ixService) allowGroup(nf byte) []ixCand {
	if nf == 0 {
		return e.allowFirst
	}
	for i, f := range e.firsts {
		if f == nf {
			return e.allowFirst[e.starts[i]:e.starts[i+1]]
		}
	}
	return nil
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
