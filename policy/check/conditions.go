package check

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// family is the comparison of a condition operator, as policy's evaluator
// groups them (ArnEquals and ArnLike compare alike).
type family uint8

const (
	famStrEq family = iota + 1
	famStrEqIC
	famStrLike
	famNumEq
	famNumLT
	famNumLE
	famNumGT
	famNumGE
	famDateEq
	famDateLT
	famDateLE
	famDateGT
	famDateGE
	famBool
	famBinary
	famIP
	famArn
	famNull
)

var operators = map[string]struct {
	fam family
	neg bool
}{
	"StringEquals": {famStrEq, false}, "StringNotEquals": {famStrEq, true},
	"StringEqualsIgnoreCase": {famStrEqIC, false}, "StringNotEqualsIgnoreCase": {famStrEqIC, true},
	"StringLike": {famStrLike, false}, "StringNotLike": {famStrLike, true},
	"NumericEquals": {famNumEq, false}, "NumericNotEquals": {famNumEq, true},
	"NumericLessThan": {famNumLT, false}, "NumericLessThanEquals": {famNumLE, false},
	"NumericGreaterThan": {famNumGT, false}, "NumericGreaterThanEquals": {famNumGE, false},
	"DateEquals": {famDateEq, false}, "DateNotEquals": {famDateEq, true},
	"DateLessThan": {famDateLT, false}, "DateLessThanEquals": {famDateLE, false},
	"DateGreaterThan": {famDateGT, false}, "DateGreaterThanEquals": {famDateGE, false},
	"Bool": {famBool, false}, "BinaryEquals": {famBinary, false},
	"IpAddress": {famIP, false}, "NotIpAddress": {famIP, true},
	"ArnEquals": {famArn, false}, "ArnLike": {famArn, false},
	"ArnNotEquals": {famArn, true}, "ArnNotLike": {famArn, true},
	"Null": {famNull, false},
}

const (
	setNone = iota
	setAny
	setAll
)

// cnd is one condition of a statement, read for comparison.
type cnd struct {
	key      string // lower case
	fam      family
	neg      bool
	ifExists bool
	set      int
	vals     []cval
	op       string
}

// cval is a condition value: its text, and for string and ARN operators the
// strings it can match (over, with policy variables as '*') and the strings it
// certainly matches whatever its variables hold (under; nil for templates,
// which only contain the same template).
type cval struct {
	raw   string
	tpl   bool
	over  glob // string families
	under glob
	arn   rpat // famArn
	num   float64
	tm    time.Time
	pfx   netip.Prefix
	ok    bool // readable as the family's type
}

// newCnd reads a condition; vars says that policy variables are substituted.
// ok is false for an operator the evaluator does not know.
func newCnd(c policy.Condition, vars bool) (cnd, bool) {
	out := cnd{key: strings.ToLower(c.Key), op: c.Operator}
	rest := c.Operator
	if q, r, ok := strings.Cut(rest, ":"); ok {
		switch q {
		case "ForAnyValue":
			out.set = setAny
		case "ForAllValues":
			out.set = setAll
		default:
			return out, false
		}
		rest = r
	}
	if b, ok := strings.CutSuffix(rest, "IfExists"); ok && b != "Null" {
		out.ifExists = true
		rest = b
	}
	base, ok := operators[rest]
	if !ok {
		return out, false
	}
	out.fam, out.neg = base.fam, base.neg
	for _, v := range c.Values {
		out.vals = append(out.vals, newCval(out.fam, v, vars))
	}
	return out, true
}

func newCval(fam family, v string, vars bool) cval {
	cv := cval{raw: v, ok: true}
	tpl := vars && strings.Contains(v, "${") && (fam == famStrEq || fam == famStrEqIC || fam == famStrLike || fam == famArn)
	cv.tpl = tpl
	switch fam {
	case famStrEq, famStrEqIC:
		if tpl {
			cv.over = templateGlob(v, false)
		} else {
			cv.over = literalGlob(v)
			cv.under = cv.over
		}
	case famStrLike:
		if tpl {
			cv.over = templateGlob(v, true)
		} else {
			cv.over = globOf(wildcard.Escape(v), false)
			cv.under = cv.over
		}
	case famArn:
		cv.ok = strings.IndexByte(v, ':') < 0 || func() bool { _, ok := splitARN(v); return ok }()
		cv.arn = newRpat(v, tpl)
		if !cv.arn.split && !cv.arn.all && !tpl {
			cv.arn.whole = globOf(wildcard.Escape(v), false)
		}
	case famNumEq, famNumLT, famNumLE, famNumGT, famNumGE:
		f, err := strconv.ParseFloat(v, 64)
		// NaN matches nothing in the evaluator and orders with nothing here.
		cv.num, cv.ok = f, err == nil && !math.IsNaN(f)
	case famDateEq, famDateLT, famDateLE, famDateGT, famDateGE:
		cv.tm, cv.ok = parseDate(v)
	case famIP:
		cv.pfx, cv.ok = parseCIDR(v)
	case famBool, famNull:
		cv.raw = strings.ToLower(v)
		cv.ok = cv.raw == "true" || cv.raw == "false"
	}
	return cv
}

// templateGlob is the over-approximation of a template: literal text (with its
// wildcards when pattern), each variable '*'.
func templateGlob(s string, pattern bool) glob {
	var g glob
	lit := func(x string) {
		if pattern {
			g = append(g, globOf(wildcard.Escape(x), false)...)
		} else {
			g = append(g, literalGlob(x)...)
		}
	}
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			lit(s)
			return g
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			lit(s)
			return g
		}
		lit(s[:i])
		body := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		switch body {
		case "*", "?", "$":
			g = append(g, literalGlob(body)...)
			continue
		}
		g = append(g, tokStar)
	}
}

var dateLayouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04Z",
	"2006-01-02T15Z",
	"2006-01-02",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
}

// parseDate reads a date exactly as policy's evaluator does (the same layouts
// and epoch seconds), so that a value is readable here iff it is there.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if c := s[0]; c >= '0' && c <= '9' && !strings.ContainsAny(s, "-T:") {
		n, err := strconv.ParseInt(s, 10, 64)
		if err == nil {
			return time.Unix(n, 0).UTC(), true
		}
		f, err := strconv.ParseFloat(s, 64)
		if err == nil {
			return time.Unix(0, int64(f*1e9)).UTC(), true
		}
		return time.Time{}, false
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseCIDR reads a CIDR block or a bare address as policy's evaluator does.
func parseCIDR(s string) (netip.Prefix, bool) {
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	return netip.PrefixFrom(a, a.BitLen()), true
}

// alwaysTrue reports a condition that holds for every request.
func (c *cnd) alwaysTrue() bool { return c.fam == famNull && c.set == setAll }

// alwaysFalse reports a condition that holds for no request.
func (c *cnd) alwaysFalse() bool { return c.fam == famNull && c.set == setAny }

// impliesAll reports whether, for every request, the conditions as all holding
// make every condition of es hold: each of es is implied by one of as.
func impliesAll(bg *budget, as, es []cnd) bool {
	for i := range as {
		if as[i].alwaysFalse() {
			return true
		}
	}
	for j := range es {
		if es[j].alwaysTrue() {
			continue
		}
		ok := false
		for i := range as {
			if implies(bg, &as[i], &es[j]) {
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

// implies reports whether a holding makes e hold, for every request. It is
// exact for the comparisons it knows and false otherwise (never a guess).
func implies(bg *budget, a, e *cnd) bool {
	if a.key != e.key || a.neg != e.neg {
		return false
	}
	if a.fam == famNull || e.fam == famNull {
		if a.fam != e.fam || a.set != setNone || e.set != setNone {
			return false
		}
		return subsetRaw(a.vals, e.vals)
	}
	// The set qualifier: for positive operators no qualifier and ForAnyValue
	// decide alike (some value matches; absent: IfExists); negated ones must
	// agree.
	if a.neg {
		if a.set != e.set {
			return false
		}
	} else if (a.set == setAll) != (e.set == setAll) {
		return false
	}
	if a.set != setAll && a.ifExists && !e.ifExists && !(a.neg && a.set == setNone) {
		return false
	}
	if !a.neg {
		// Every value a matches, e matches.
		return valuesWithin(bg, a.fam, a.vals, e.fam, e.vals)
	}
	// Negated: a holds when no value matches a's values; it implies e when
	// every string e's values match is matched by a's, and e can hold at all
	// (a value the evaluator cannot read makes a negated operator false).
	for i := range e.vals {
		if !e.vals[i].ok || (e.fam == famArn && e.vals[i].tpl) {
			return false
		}
	}
	return valuesWithin(bg, e.fam, e.vals, a.fam, a.vals)
}

// valuesWithin reports whether every request value that some readable value
// of subs matches (under subFam) is matched by some value of sups (under supFam).
func valuesWithin(bg *budget, subFam family, subs []cval, supFam family, sups []cval) bool {
	strFam := func(f family) bool { return f == famStrEq || f == famStrLike }
	switch {
	case strFam(subFam) && strFam(supFam):
		for i := range subs {
			if !anyGlobContains(bg, &subs[i], sups) {
				return false
			}
		}
		return true
	case subFam == famStrEqIC && supFam == famStrEqIC:
		for i := range subs {
			found := false
			for j := range sups {
				s, p := subs[i], sups[j]
				if s.tpl || p.tpl {
					found = s.tpl && p.tpl && s.raw == p.raw
				} else if isASCII(s.raw) && isASCII(p.raw) {
					found = strings.EqualFold(s.raw, p.raw)
				} else {
					found = s.raw == p.raw
				}
				if found {
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	case subFam == famArn && supFam == famArn:
		for i := range subs {
			if !subs[i].ok {
				continue // never matches
			}
			found := false
			for j := range sups {
				if sups[j].ok && arnValContains(bg, &sups[j], &subs[i]) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	case subFam == supFam && (subFam == famBool || subFam == famBinary):
		return subsetRaw(subs, sups)
	case subFam == famIP && supFam == famIP:
		for i := range subs {
			if !subs[i].ok {
				continue
			}
			found := false
			for j := range sups {
				if sups[j].ok && sups[j].pfx.Bits() <= subs[i].pfx.Bits() && sups[j].pfx.Contains(subs[i].pfx.Addr()) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	case subFam == famNumEq && supFam == famNumEq, subFam == famDateEq && supFam == famDateEq:
		for i := range subs {
			if !subs[i].ok {
				continue
			}
			found := false
			for j := range sups {
				if sups[j].ok && (subs[i].num == sups[j].num && subs[i].tm.Equal(sups[j].tm)) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	if !sameKind(subFam, supFam) {
		return false
	}
	for _, upper := range []bool{true, false} {
		lo, strict, ok := bound(subFam, subs, upper)
		if !ok {
			continue
		}
		hi, hstrict, ok2 := bound(supFam, sups, upper)
		if !ok2 {
			return false
		}
		c := cmpVal(lo, hi)
		if !upper {
			c = -c
		}
		// v < lo (or ≤ lo) implies v < hi (or ≤ hi); mirrored for lower bounds.
		return c < 0 || (c == 0 && (strict || !hstrict))
	}
	return false
}

func cmpVal(a, b *cval) int {
	if !a.tm.IsZero() || !b.tm.IsZero() {
		return a.tm.Compare(b.tm)
	}
	switch {
	case a.num < b.num:
		return -1
	case a.num > b.num:
		return 1
	}
	return 0
}

func sameKind(a, b family) bool {
	num := func(f family) bool { return f >= famNumLT && f <= famNumGE }
	date := func(f family) bool { return f >= famDateLT && f <= famDateGE }
	return (num(a) && num(b)) || (date(a) && date(b))
}

// bound returns the loosest bound of an ordering operator's readable values:
// for upper (LessThan[Equals]) the largest, else the smallest, and whether the
// comparison is strict. ok is false when the operator bounds the other side or
// no value is readable.
func bound(f family, vals []cval, upper bool) (*cval, bool, bool) {
	var strict bool
	switch f {
	case famNumLT, famDateLT:
		strict = true
		if !upper {
			return nil, false, false
		}
	case famNumLE, famDateLE:
		if !upper {
			return nil, false, false
		}
	case famNumGT, famDateGT:
		strict = true
		if upper {
			return nil, false, false
		}
	case famNumGE, famDateGE:
		if upper {
			return nil, false, false
		}
	default:
		return nil, false, false
	}
	var best *cval
	for i := range vals {
		v := &vals[i]
		if !v.ok {
			continue
		}
		if best == nil || (upper && cmpVal(v, best) > 0) || (!upper && cmpVal(v, best) < 0) {
			best = v
		}
	}
	return best, strict, best != nil
}

// anyGlobContains reports whether the strings s can match are within one of sups.
func anyGlobContains(bg *budget, s *cval, sups []cval) bool {
	for j := range sups {
		p := &sups[j]
		if p.tpl {
			if s.tpl && s.raw == p.raw {
				return true
			}
			continue
		}
		if contains(bg, p.under, s.over) {
			return true
		}
	}
	return false
}

// arnValContains reports whether every ARN that ARN-operator value sub matches
// is matched by sup (the evaluator's matchARN: a value without a colon matches
// the whole ARN, else component by component).
func arnValContains(bg *budget, sup, sub *cval) bool {
	if sup.tpl {
		return sub.tpl && sub.raw == sup.raw
	}
	if sup.arn.all {
		return true
	}
	if !sup.arn.split {
		if sub.arn.all {
			return false
		}
		if sub.arn.split {
			joined := glob{}
			for i, p := range sub.arn.parts {
				if i > 0 {
					joined = append(joined, tok(':'))
				}
				joined = append(joined, p...)
			}
			return contains(bg, sup.arn.whole, joined)
		}
		return contains(bg, sup.arn.whole, sub.arn.whole)
	}
	if sub.arn.all || !sub.arn.split {
		return false
	}
	return resContains(bg, &sup.arn, &sub.arn)
}

func subsetRaw(subs, sups []cval) bool {
	for i := range subs {
		if !subs[i].ok {
			continue
		}
		found := false
		for j := range sups {
			if sups[j].raw == subs[i].raw {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
