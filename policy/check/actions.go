package check

import (
	"math/bits"
	"sort"
	"strings"
	"sync"

	"github.com/gatehouse-iam/gatehouse/authref"
	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// The action space is finite: the actions of the embedded Service
// Authorization Reference, numbered once (by service, then name, lower case),
// plus, per check, the literal actions the documents name that the reference
// does not know (they are actions to the engine too, which compares strings).
type catalog struct {
	names   []string          // lower-cased "prefix:name", by index
	display []string          // "prefix:Name" as the reference writes it, by index
	index   map[string]int    // lower-cased name -> index
	service map[string][2]int // lower-cased prefix -> [first, end) of its actions
	prefixs []string          // sorted lower-cased prefixes
}

var sar = sync.OnceValue(func() *catalog {
	d := authref.Lookup()
	c := &catalog{index: map[string]int{}, service: map[string][2]int{}}
	for _, p := range d.Services() {
		s, _ := d.Service(p)
		names := make([]string, 0, len(s.Actions))
		shown := map[string]string{}
		for _, a := range s.Actions {
			n := lowerASCII(a.Service + ":" + a.Name)
			names = append(names, n)
			shown[n] = a.Service + ":" + a.Name
		}
		sort.Strings(names)
		first := len(c.names)
		for _, n := range names {
			if _, dup := c.index[n]; dup {
				continue
			}
			c.index[n] = len(c.names)
			c.names = append(c.names, n)
			c.display = append(c.display, shown[n])
		}
		c.service[p] = [2]int{first, len(c.names)}
		c.prefixs = append(c.prefixs, p)
	}
	return c
})

// space is the action space of one check. Its atoms are the reference's
// actions, the literal actions of the documents the reference does not know
// (extras), and residual regions: for each wildcard pattern P of the
// documents that can match an action of a service the reference does not know
// (gatehouse:*, newservice:Get*, *), the actions of unknown services P matches
// that are not extras. Residual regions overlap; each set is kept twice:
// over (every atom that may hold one of its actions) where it is the subset,
// under (only atoms wholly inside it) where it is the superset. A pattern
// with a service prefix the reference knows expands to that service's actions:
// the reference is the whole action space of a known service.
type space struct {
	cat   *catalog
	atoms []atom         // beyond the reference, indexes len(cat.names)+i
	xidx  map[string]int // extra or residual pattern (lower-cased) -> index
	over  map[string]bits64
	under map[string]bits64
	kn    map[string]bits64
	n     int
	bg    *budget // the check's budget for pattern comparisons
	rmask bits64
}

type atom struct {
	text  string // lower-cased action or pattern
	resid bool
	pat   glob // resid
}

func newSpace() *space {
	c := sar()
	sp := &space{cat: c, xidx: map[string]int{}, over: map[string]bits64{}, under: map[string]bits64{}, kn: map[string]bits64{}, n: len(c.names), bg: newBudget()}
	sp.note("*")
	return sp
}

// residual reports whether a (lower-cased) pattern can match an action of a
// service the reference does not know.
func (sp *space) residual(l string) bool {
	prefix, _, ok := strings.Cut(l, ":")
	if !ok || wildcard.HasWildcard(prefix) {
		return true
	}
	_, known := sp.cat.service[prefix]
	return !known
}

// note adds the atoms an Action, NotAction or access-list entry needs. It must
// be called for every action of every document before any set is built.
func (sp *space) note(action string) {
	l := lowerASCII(action)
	if _, ok := sp.xidx[l]; ok {
		return
	}
	if !wildcard.HasWildcard(l) {
		if _, ok := sp.cat.index[l]; ok {
			return
		}
		sp.xidx[l] = sp.n
		sp.atoms = append(sp.atoms, atom{text: l})
		sp.n++
		return
	}
	if !sp.residual(l) {
		return
	}
	sp.xidx[l] = sp.n
	sp.atoms = append(sp.atoms, atom{text: l, resid: true, pat: globOf(wildcard.Escape(l), false)})
	sp.n++
}

// name returns the action (or the residual region) with index i.
func (sp *space) name(i int) string {
	if i < len(sp.cat.names) {
		return sp.cat.display[i]
	}
	a := sp.atoms[i-len(sp.cat.names)]
	if a.resid {
		return "actions of services outside the Service Authorization Reference matching " + a.text
	}
	return a.text
}

// known returns the reference's actions and the extras a (lower-cased)
// pattern matches. The set is shared: callers must not modify it.
func (sp *space) known(l string) bits64 {
	if b, ok := sp.kn[l]; ok {
		return b
	}
	b := sp.knownSet(l)
	sp.kn[l] = b
	return b
}

func (sp *space) knownSet(l string) bits64 {
	b := newBits(sp.n)
	switch {
	case l == "*":
		b.setRange(0, len(sp.cat.names))
	case !wildcard.HasWildcard(l):
		if i, ok := sp.cat.index[l]; ok {
			b.set(i)
		}
	default:
		prefix, rest, ok := strings.Cut(l, ":")
		if !ok {
			for i, n := range sp.cat.names {
				if wildcard.Match(l, n) {
					b.set(i)
				}
			}
			break
		}
		// A reference action has one colon, so the pattern's first colon
		// meets it: the prefix part matches the service, the rest the name.
		lit, trailing := strings.CutSuffix(rest, "*")
		simple := trailing && !wildcard.HasWildcard(lit)
		matchService := func(p string) {
			r := sp.cat.service[p]
			for i := r[0]; i < r[1]; i++ {
				name := sp.cat.names[i][len(p)+1:]
				if simple && lit == "" {
					b.setRange(r[0], r[1])
					break
				}
				if (simple && strings.HasPrefix(name, lit)) || (!simple && wildcard.Match(rest, name)) {
					b.set(i)
				}
			}
		}
		if !wildcard.HasWildcard(prefix) {
			if _, known := sp.cat.service[prefix]; known {
				matchService(prefix)
			}
			break
		}
		for _, p := range sp.cat.prefixs {
			if wildcard.Match(prefix, p) {
				matchService(p)
			}
		}
	}
	for i, a := range sp.atoms {
		if !a.resid && wildcard.Match(l, a.text) {
			b.set(len(sp.cat.names) + i)
		}
	}
	return b
}

// expand returns the atoms a pattern of an Action element may match (over)
// or surely matches whole (under).
func (sp *space) expand(pattern string) (over, under bits64) {
	l := lowerASCII(pattern)
	if o, ok := sp.over[l]; ok {
		return o, sp.under[l]
	}
	over = sp.known(l).clone()
	under = over.clone()
	if wildcard.HasWildcard(l) {
		g := globOf(wildcard.Escape(l), false)
		resid := sp.residual(l)
		for i, a := range sp.atoms {
			if !a.resid {
				continue
			}
			if resid && intersects(sp.bg, g, a.pat) {
				over.set(len(sp.cat.names) + i)
			}
			if contains(sp.bg, g, a.pat) {
				under.set(len(sp.cat.names) + i)
			}
		}
	}
	sp.over[l], sp.under[l] = over, under
	return over, under
}

// actionSets returns the sets of an Action or NotAction list: over (every
// atom that may share an action with it: for intersections), own (atoms that
// hold each of its actions: what must be covered), under (atoms it holds
// whole: what it covers).
func (sp *space) actionSets(list []string, not bool) (over, own, under bits64) {
	over, own, under = newBits(sp.n), newBits(sp.n), newBits(sp.n)
	for _, a := range list {
		o, u := sp.expand(a)
		over.or(o)
		under.or(u)
		own.or(sp.known(lowerASCII(a)))
		if i, ok := sp.xidx[lowerASCII(a)]; ok {
			own.set(i) // its residual region (or the extra itself)
		}
	}
	if !not {
		return over, own, under
	}
	// NotAction: the known atoms outside the list's exact matches; a residual
	// region may hold an unlisted action unless one pattern holds it whole,
	// and is wholly unlisted when no pattern meets it. Its own residual is
	// the region of "*".
	known := newBits(sp.n)
	for _, a := range list {
		known.or(sp.known(lowerASCII(a)))
	}
	resid := sp.residualMask()
	no, nw, nu := newBits(sp.n), newBits(sp.n), newBits(sp.n)
	for w := range no {
		plain := ^known[w] &^ resid[w]
		no[w] = plain | (resid[w] &^ under[w])
		nw[w] = plain
		nu[w] = plain | (resid[w] &^ over[w])
	}
	no.limit(sp.n)
	nw.limit(sp.n)
	nu.limit(sp.n)
	if star := sp.xidx["*"]; !under.has(star) {
		nw.set(star)
	}
	return no, nw, nu
}

// residualMask returns the residual atoms. The set is shared: callers must
// not modify it.
func (sp *space) residualMask() bits64 {
	if sp.rmask != nil {
		return sp.rmask
	}
	b := newBits(sp.n)
	for i, a := range sp.atoms {
		if a.resid {
			b.set(len(sp.cat.names) + i)
		}
	}
	sp.rmask = b
	return b
}

// notWithin reports whether the unknown-service actions NotAction list a
// leaves in are all left in by NotAction list e: every pattern of e that can
// match such an action is within one of a.
func (sp *space) notWithin(a, e []string) bool {
	for _, x := range e {
		lx := lowerASCII(x)
		if !sp.residual(lx) {
			continue
		}
		gx := globOf(wildcard.Escape(lx), false)
		ok := false
		for _, y := range a {
			if contains(sp.bg, globOf(wildcard.Escape(lowerASCII(y)), false), gx) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// bits64 is a set of action indexes.
type bits64 []uint64

func newBits(n int) bits64 { return make(bits64, (n+63)/64) }

func (b bits64) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bits64) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }

// setRange adds [lo, hi).
func (b bits64) setRange(lo, hi int) {
	for i := lo; i < hi; {
		if i%64 == 0 && i+64 <= hi {
			b[i/64] = ^uint64(0)
			i += 64
			continue
		}
		b.set(i)
		i++
	}
}

func (b bits64) fill() {
	for i := range b {
		b[i] = ^uint64(0)
	}
}

func (b bits64) clone() bits64 { return append(bits64(nil), b...) }

func (b bits64) or(o bits64) {
	for i := range b {
		b[i] |= o[i]
	}
}

func (b bits64) andNot(o bits64) {
	for i := range b {
		b[i] &^= o[i]
	}
}

func (b bits64) empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}

func (b bits64) intersects(o bits64) bool {
	for i := range b {
		if b[i]&o[i] != 0 {
			return true
		}
	}
	return false
}

// first returns the lowest index in b, or -1.
func (b bits64) first() int {
	for i, w := range b {
		if w != 0 {
			return i*64 + bits.TrailingZeros64(w)
		}
	}
	return -1
}

// limit clears the bits at or beyond n (fill sets whole words).
func (b bits64) limit(n int) {
	if r := n % 64; r != 0 && len(b) > 0 {
		b[len(b)-1] &= (1 << r) - 1
	}
}

// lowerASCII lower-cases ASCII letters only, as the engine folds action names.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}
