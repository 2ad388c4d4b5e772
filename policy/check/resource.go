package check

import (
	"strings"

	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// rpat is one Resource / NotResource value (or a resource of an access list),
// read as the engine matches it (policy.Compile): "*" matches everything; a
// value with five colons is an ARN pattern matched component by component (a
// wildcard in the first five components never crosses a colon); any other
// value is matched whole, against resources that are not ARNs.
//
// A value holding policy variables is kept twice: over is the set it can match
// for some values of its variables (every variable a '*'), used where a larger
// set is the safe answer; as a superset it only contains a value written the
// same way in a document of the same version (same template, same expansion).
type rpat struct {
	raw   string
	all   bool
	split bool
	parts [6]glob // split
	whole glob    // !split
	tpl   bool    // holds policy variables (Version 2012-10-17)
}

// newRpat reads a resource value; vars says that policy variables are
// substituted in its document.
func newRpat(s string, vars bool) rpat {
	p := rpat{raw: s}
	if s == "*" {
		p.all = true
		return p
	}
	esc := wildcard.Escape(s)
	if vars && strings.Contains(s, "${") {
		p.tpl = true
		var ok bool
		esc, ok = overTemplate(s)
		if !ok {
			// A variable before the resource component could hold colons and
			// shift every component: the value can match anything.
			p.all = true
			return p
		}
	}
	if parts, ok := splitARN(esc); ok {
		p.split = true
		for i, c := range parts {
			p.parts[i] = globOf(c, false)
		}
		return p
	}
	p.whole = globOf(esc, false)
	return p
}

// overTemplate returns the escaped pattern of a template with each variable
// replaced by AnyRun (the escapes ${*}, ${?}, ${$} are their literal
// characters). ok is false when a variable comes before the fifth colon.
func overTemplate(s string) (string, bool) {
	var sb strings.Builder
	colons := 0
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			sb.WriteString(wildcard.Escape(s))
			return sb.String(), true
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			sb.WriteString(wildcard.Escape(s))
			return sb.String(), true
		}
		lit := s[:i]
		colons += strings.Count(lit, ":")
		sb.WriteString(wildcard.Escape(lit))
		body := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		switch body {
		case "*", "?", "$":
			sb.WriteString(body)
			if body == "$" {
				continue
			}
			continue
		}
		if colons < 5 {
			return "", false
		}
		sb.WriteByte(wildcard.AnyRun)
	}
}

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

// resContains reports whether every resource sub can match is matched by sup.
func resContains(bg *budget, sup, sub *rpat) bool {
	if sup.tpl {
		// Checked first: a template's all is its over-approximation.
		return sub.tpl && sub.raw == sup.raw
	}
	if sup.all {
		return true
	}
	if sub.all {
		return false
	}
	if sub.split != sup.split {
		return false
	}
	if !sub.split {
		return contains(bg, sup.whole, sub.whole)
	}
	for i := 0; i < 6; i++ {
		if !contains(bg, sup.parts[i], sub.parts[i]) {
			return false
		}
	}
	return true
}

// resIntersects reports whether some resource may be matched by both (policy
// variables taking any value).
func resIntersects(bg *budget, a, b *rpat) bool {
	if a.all || b.all {
		return true
	}
	if a.split != b.split {
		return false
	}
	if !a.split {
		return intersects(bg, a.whole, b.whole)
	}
	for i := 0; i < 6; i++ {
		if !intersects(bg, a.parts[i], b.parts[i]) {
			return false
		}
	}
	return true
}

// resSet is a statement's Resource or NotResource element.
//
// In a NotResource list the evaluator reads "*" as a pattern over resources
// that are not ARNs (policy.Compile gives "*" its match-all meaning in
// Resource only), so NotResource "*" still matches every ARN; AWS reads it as
// excluding everything. The set keeps the larger reading (the evaluator's),
// and starNot marks it so that it is never taken to contain anything.
type resSet struct {
	not     bool
	starNot bool
	pats    []rpat
}

// universal reports a set that matches every resource.
func (s *resSet) universal() bool {
	if s.not {
		return len(s.pats) == 0
	}
	for i := range s.pats {
		if s.pats[i].all && !s.pats[i].tpl {
			return true
		}
	}
	return false
}

// containsSet reports whether every resource sub matches is matched by sup.
func containsSet(bg *budget, sup, sub *resSet) bool {
	if sup.starNot {
		return false
	}
	if sup.universal() {
		return true
	}
	switch {
	case !sub.not && !sup.not:
		for i := range sub.pats {
			ok := false
			for j := range sup.pats {
				if resContains(bg, &sup.pats[j], &sub.pats[i]) {
					ok = true
					break
				}
			}
			if !ok {
				return false
			}
		}
		return true
	case !sub.not && sup.not:
		// Each of sub's patterns must avoid all that sup excludes.
		for i := range sub.pats {
			for j := range sup.pats {
				if resIntersects(bg, &sub.pats[i], &sup.pats[j]) {
					return false
				}
			}
		}
		return true
	case sub.not && sup.not:
		// complement(∪sub) ⊆ complement(∪sup) iff ∪sup ⊆ ∪sub.
		for j := range sup.pats {
			ok := false
			for i := range sub.pats {
				if resContains(bg, &sub.pats[i], &sup.pats[j]) {
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
	return false // sub is a complement, sup a finite union that is not "*"
}

// disjointSets reports whether no resource is matched by both sets.
func disjointSets(bg *budget, a, b *resSet) bool {
	switch {
	case !a.not && !b.not:
		for i := range a.pats {
			for j := range b.pats {
				if resIntersects(bg, &a.pats[i], &b.pats[j]) {
					return false
				}
			}
		}
		return true
	case !a.not && b.not:
		return containsSet(bg, &resSet{not: false, pats: b.pats}, a)
	case a.not && !b.not:
		return containsSet(bg, &resSet{not: false, pats: a.pats}, b)
	}
	return false
}
