package check

import (
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// A glob is a policy pattern as a sequence of tokens: a rune that matches
// itself, or one of the two operators ('*' any run, '?' any one rune). Literal
// '*' and '?' (from ${*}, ${?} or StringEquals values) are runes like any other.
type glob []tok

type tok int32

const (
	tokStar tok = -1 // any run of runes, including none
	tokOne  tok = -2 // exactly one rune
)

// globOf reads an escaped pattern (wildcard's escaped form: AnyRun and AnyOne are
// the operators). fold lower-cases ASCII letters, as action names compare.
func globOf(escaped string, fold bool) glob {
	g := make(glob, 0, len(escaped))
	for _, r := range escaped {
		switch {
		case r == rune(wildcard.AnyRun):
			if len(g) > 0 && g[len(g)-1] == tokStar {
				continue
			}
			g = append(g, tokStar)
		case r == rune(wildcard.AnyOne):
			g = append(g, tokOne)
		case fold && 'A' <= r && r <= 'Z':
			g = append(g, tok(r+'a'-'A'))
		default:
			g = append(g, tok(r))
		}
	}
	return g
}

// literalGlob is the glob matching exactly s.
func literalGlob(s string) glob {
	g := make(glob, 0, utf8.RuneCountInString(s))
	for _, r := range s {
		g = append(g, tok(r))
	}
	return g
}

// isAll reports whether g is "*".
func (g glob) isAll() bool { return len(g) == 1 && g[0] == tokStar }

// hasOp reports whether g has an operator.
func (g glob) hasOp() bool {
	for _, t := range g {
		if t < 0 {
			return true
		}
	}
	return false
}

// intersects reports whether some string matches both a and b: reachability in
// the product of their automata (positions), O(len(a)·len(b)).
func intersects(bg *budget, a, b glob) bool {
	n, m := len(a)+1, len(b)+1
	if n*m > maxWork || !bg.spend(n*m) {
		return true // not shown disjoint: the safe answer
	}
	seen := make([]bool, n*m)
	stack := []int{0}
	seen[0] = true
	push := func(i, j int) {
		k := i*m + j
		if !seen[k] {
			seen[k] = true
			stack = append(stack, k)
		}
	}
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		i, j := k/m, k%m
		if i == len(a) && j == len(b) {
			return true
		}
		// Stars may match nothing.
		if i < len(a) && a[i] == tokStar {
			push(i+1, j)
		}
		if j < len(b) && b[j] == tokStar {
			push(i, j+1)
		}
		if i == len(a) || j == len(b) {
			continue
		}
		// Both consume one rune they can agree on.
		ta, tb := a[i], b[j]
		if ta >= 0 && tb >= 0 && ta != tb {
			continue
		}
		ni, nj := i+1, j+1
		if ta == tokStar {
			ni = i
		}
		if tb == tokStar {
			nj = j
		}
		push(ni, nj)
	}
	return false
}

// budget bounds the work of all the pattern comparisons of one check: once
// it is spent, contains answers "not shown" and intersects "may intersect" at
// once, so a document built to be slow makes the check FAIL, fast.
type budget struct{ left int }

// checkBudget is the work one check may spend on pattern comparisons
// (automaton positions stepped), about a tenth of a second.
const checkBudget = 1 << 25

func newBudget() *budget { return &budget{left: checkBudget} }

// spend takes n from the budget; it reports false when not enough is left.
func (bg *budget) spend(n int) bool {
	if bg.left < n {
		bg.left = 0
		return false
	}
	bg.left -= n
	return true
}

// maxSubsets and maxWork bound the subset construction of contains (subsets
// held, and automaton positions stepped in all); beyond them contains answers
// false ("not shown"), which every caller treats as the unsafe answer.
// maxWork also bounds the product automaton of intersects, which answers
// true ("may intersect") beyond it.
const (
	maxSubsets = 4096
	maxWork    = 1 << 22
)

// contains reports whether every string a matches is matched by b. It runs
// the subset construction of b's automaton over the symbolic strings of a: a
// literal rune steps every subset; '?' steps it by each rune b names and by one
// rune b does not name; '*' closes the collection under such steps. a ⊆ b
// iff every subset reached at the end of a holds b's accepting position.
func contains(bg *budget, b, a glob) bool {
	if b.isAll() {
		return true
	}
	if bg.left <= 0 {
		return false
	}
	if !a.hasOp() && !b.hasOp() {
		return equalGlob(a, b)
	}
	if !a.hasOp() {
		return matchLiteral(b, a)
	}
	if equalGlob(a, b) {
		return true
	}
	// b is a literal prefix and a final star: a's strings all start with the
	// prefix iff a starts with it, literally.
	if k := len(b) - 1; k >= 0 && b[k] == tokStar && !b[:k].hasOp() {
		if len(a) < k {
			return false
		}
		return equalGlob(a[:k], b[:k])
	}
	// The runes b names, plus one it does not (-3 stands for "any other rune").
	alpha := []tok{-3}
	seenRune := map[tok]bool{}
	for _, t := range b {
		if t >= 0 && !seenRune[t] {
			seenRune[t] = true
			alpha = append(alpha, t)
		}
	}
	n := len(b)
	words := (n + 1 + 63) / 64
	closure := func(s []uint64) []uint64 {
		for i := 0; i < n; i++ {
			if s[i/64]&(1<<(i%64)) != 0 && b[i] == tokStar {
				s[(i+1)/64] |= 1 << ((i + 1) % 64)
			}
		}
		return s
	}
	spent := 0
	step := func(s []uint64, c tok) []uint64 {
		spent += n
		bg.left -= n
		out := make([]uint64, words)
		for i := 0; i < n; i++ {
			if s[i/64]&(1<<(i%64)) == 0 {
				continue
			}
			switch t := b[i]; {
			case t == tokStar:
				out[i/64] |= 1 << (i % 64)
			case t == tokOne || t == c:
				out[(i+1)/64] |= 1 << ((i + 1) % 64)
			}
		}
		return closure(out)
	}
	key := func(s []uint64) string {
		var sb strings.Builder
		for _, w := range s {
			for k := 0; k < 8; k++ {
				sb.WriteByte(byte(w >> (8 * k)))
			}
		}
		return sb.String()
	}
	empty := func(s []uint64) bool {
		for _, w := range s {
			if w != 0 {
				return false
			}
		}
		return true
	}
	start := make([]uint64, words)
	start[0] = 1
	cur := map[string][]uint64{}
	s0 := closure(start)
	cur[key(s0)] = s0
	for _, t := range a {
		next := map[string][]uint64{}
		add := func(s []uint64) bool {
			if empty(s) {
				return false
			}
			k := key(s)
			if _, ok := next[k]; !ok {
				next[k] = s
			}
			return len(next) <= maxSubsets && spent <= maxWork && bg.left > 0
		}
		switch t {
		case tokOne:
			for _, s := range cur {
				for _, c := range alpha {
					if !add(step(s, c)) {
						return false
					}
				}
			}
		case tokStar:
			work := make([][]uint64, 0, len(cur))
			for _, s := range cur {
				if !add(s) {
					return false
				}
				work = append(work, s)
			}
			for len(work) > 0 {
				s := work[len(work)-1]
				work = work[:len(work)-1]
				for _, c := range alpha {
					x := step(s, c)
					if empty(x) {
						return false
					}
					k := key(x)
					if _, ok := next[k]; ok {
						continue
					}
					next[k] = x
					if len(next) > maxSubsets || spent > maxWork || bg.left <= 0 {
						return false
					}
					work = append(work, x)
				}
			}
		default:
			c := t
			if !seenRune[c] {
				c = -3
			}
			for _, s := range cur {
				if !add(step(s, c)) {
					return false
				}
			}
		}
		cur = next
		if spent > maxWork || bg.left <= 0 {
			return false
		}
	}
	for _, s := range cur {
		if s[n/64]&(1<<(n%64)) == 0 {
			return false
		}
	}
	return true
}

func equalGlob(a, b glob) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// matchLiteral reports whether the literal string lit (a glob without
// operators) matches pattern p.
func matchLiteral(p, lit glob) bool {
	// Classic two-pointer match with the last star remembered: linear enough
	// for policy-sized strings and never exponential.
	pi, li, star, mark := 0, 0, -1, 0
	for li < len(lit) {
		switch {
		case pi < len(p) && (p[pi] == tokOne || p[pi] == lit[li]):
			pi++
			li++
		case pi < len(p) && p[pi] == tokStar:
			star, mark = pi, li
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			li = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == tokStar {
		pi++
	}
	return pi == len(p)
}
