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
		for _, a := range s.Actions {
			names = append(names, lowerASCII(a.Service+":"+a.Name))
		}
		sort.Strings(names)
		first := len(c.names)
		for _, n := range names {
			if _, dup := c.index[n]; dup {
				continue
			}
			c.index[n] = len(c.names)
			c.names = append(c.names, n)
		}
		c.service[p] = [2]int{first, len(c.names)}
		c.prefixs = append(c.prefixs, p)
	}
	return c
})

// space is the action space of one check: the reference's actions and the
// extra literal actions of its documents.
type space struct {
	cat   *catalog
	extra []string       // lower-cased, indexes len(cat.names)+i
	xidx  map[string]int // lower-cased -> index
	cache map[string]bits64
	n     int
}

func newSpace() *space {
	c := sar()
	return &space{cat: c, xidx: map[string]int{}, cache: map[string]bits64{}, n: len(c.names)}
}

// note adds a literal action the reference does not know. It must be called
// for every action of every document before any set is built.
func (sp *space) note(action string) {
	if action == "*" || wildcard.HasWildcard(action) {
		return
	}
	l := lowerASCII(action)
	if _, ok := sp.cat.index[l]; ok {
		return
	}
	if _, ok := sp.xidx[l]; ok {
		return
	}
	sp.xidx[l] = sp.n
	sp.extra = append(sp.extra, l)
	sp.n++
}

// name returns the action with index i.
func (sp *space) name(i int) string {
	if i < len(sp.cat.names) {
		return sp.cat.names[i]
	}
	return sp.extra[i-len(sp.cat.names)]
}

// expand returns the set of actions a pattern of an Action element matches.
func (sp *space) expand(pattern string) bits64 {
	l := lowerASCII(pattern)
	if b, ok := sp.cache[l]; ok {
		return b
	}
	b := newBits(sp.n)
	switch {
	case l == "*":
		b.fill()
		b.limit(sp.n)
	case !wildcard.HasWildcard(l):
		if i, ok := sp.cat.index[l]; ok {
			b.set(i)
		} else if i, ok := sp.xidx[l]; ok {
			b.set(i)
		}
	default:
		prefix, rest, ok := strings.Cut(l, ":")
		if ok && !wildcard.HasWildcard(prefix) {
			if r, ok := sp.cat.service[prefix]; ok {
				if rest == "*" {
					for i := r[0]; i < r[1]; i++ {
						b.set(i)
					}
				} else {
					for i := r[0]; i < r[1]; i++ {
						if wildcard.Match(l, sp.cat.names[i]) {
							b.set(i)
						}
					}
				}
			}
		} else {
			for i, n := range sp.cat.names {
				if wildcard.Match(l, n) {
					b.set(i)
				}
			}
		}
		for i, n := range sp.extra {
			if wildcard.Match(l, n) {
				b.set(len(sp.cat.names) + i)
			}
		}
	}
	sp.cache[l] = b
	return b
}

// bits64 is a set of action indexes.
type bits64 []uint64

func newBits(n int) bits64 { return make(bits64, (n+63)/64) }

func (b bits64) set(i int) { b[i/64] |= 1 << (i % 64) }

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
