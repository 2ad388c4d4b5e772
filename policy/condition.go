package policy

import (
	"encoding/base64"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// opFamily is the base comparison of a condition operator.
type opFamily uint8

const (
	famStringEquals opFamily = iota + 1
	famStringEqualsIgnoreCase
	famStringLike
	famNumericEquals
	famNumericLessThan
	famNumericLessThanEquals
	famNumericGreaterThan
	famNumericGreaterThanEquals
	famDateEquals
	famDateLessThan
	famDateLessThanEquals
	famDateGreaterThan
	famDateGreaterThanEquals
	famBool
	famBinaryEquals
	famIPAddress
	famArnLike
	famNull
)

// setQualifier is ForAnyValue / ForAllValues or none.
type setQualifier uint8

const (
	setNone setQualifier = iota
	setAny
	setAll
)

// Operator is a parsed condition operator.
type Operator struct {
	fam      opFamily
	negated  bool
	ifExists bool
	set      setQualifier
	name     string
}

// String returns the operator as written.
func (o Operator) String() string { return o.name }

var baseOperators = map[string]struct {
	fam     opFamily
	negated bool
}{
	"StringEquals":              {famStringEquals, false},
	"StringNotEquals":           {famStringEquals, true},
	"StringEqualsIgnoreCase":    {famStringEqualsIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {famStringEqualsIgnoreCase, true},
	"StringLike":                {famStringLike, false},
	"StringNotLike":             {famStringLike, true},
	"NumericEquals":             {famNumericEquals, false},
	"NumericNotEquals":          {famNumericEquals, true},
	"NumericLessThan":           {famNumericLessThan, false},
	"NumericLessThanEquals":     {famNumericLessThanEquals, false},
	"NumericGreaterThan":        {famNumericGreaterThan, false},
	"NumericGreaterThanEquals":  {famNumericGreaterThanEquals, false},
	"DateEquals":                {famDateEquals, false},
	"DateNotEquals":             {famDateEquals, true},
	"DateLessThan":              {famDateLessThan, false},
	"DateLessThanEquals":        {famDateLessThanEquals, false},
	"DateGreaterThan":           {famDateGreaterThan, false},
	"DateGreaterThanEquals":     {famDateGreaterThanEquals, false},
	"Bool":                      {famBool, false},
	"BinaryEquals":              {famBinaryEquals, false},
	"IpAddress":                 {famIPAddress, false},
	"NotIpAddress":              {famIPAddress, true},
	"ArnEquals":                 {famArnLike, false},
	"ArnLike":                   {famArnLike, false},
	"ArnNotEquals":              {famArnLike, true},
	"ArnNotLike":                {famArnLike, true},
	"Null":                      {famNull, false},
}

// ParseOperator parses a condition operator such as "ForAnyValue:StringLikeIfExists".
func ParseOperator(s string) (Operator, error) { return parseOperator(s) }

func parseOperator(s string) (Operator, error) {
	op := Operator{name: s}
	rest := s
	if q, r, ok := strings.Cut(rest, ":"); ok {
		switch q {
		case "ForAnyValue":
			op.set = setAny
		case "ForAllValues":
			op.set = setAll
		default:
			return op, fmt.Errorf("unknown set qualifier %q", q)
		}
		rest = r
	}
	if b, ok := strings.CutSuffix(rest, "IfExists"); ok && b != "Null" {
		op.ifExists = true
		rest = b
	}
	base, ok := baseOperators[rest]
	if !ok {
		return op, fmt.Errorf("unknown condition operator %q", s)
	}
	if base.fam == famNull && op.set != setNone {
		return op, fmt.Errorf("Null takes no set qualifier")
	}
	op.fam, op.negated = base.fam, base.negated
	return op, nil
}

// Family names the operator's type, for validation: String, Numeric, Date, Bool,
// Binary, IPAddress, ARN or Null.
func (o Operator) Family() string {
	switch o.fam {
	case famStringEquals, famStringEqualsIgnoreCase, famStringLike:
		return "String"
	case famNumericEquals, famNumericLessThan, famNumericLessThanEquals, famNumericGreaterThan, famNumericGreaterThanEquals:
		return "Numeric"
	case famDateEquals, famDateLessThan, famDateLessThanEquals, famDateGreaterThan, famDateGreaterThanEquals:
		return "Date"
	case famBool:
		return "Bool"
	case famBinaryEquals:
		return "Binary"
	case famIPAddress:
		return "IPAddress"
	case famArnLike:
		return "ARN"
	case famNull:
		return "Null"
	}
	return ""
}

// SetQualified reports whether the operator has ForAnyValue or ForAllValues.
func (o Operator) SetQualified() bool { return o.set != setNone }

// IfExists reports whether the operator ends in IfExists.
func (o Operator) IfExists() bool { return o.ifExists }

// cond is a compiled condition.
type cond struct {
	op   Operator
	key  string // lower case
	vals []cval
	src  int // index into Statement.Conditions
}

// cval is a compiled condition value.
type cval struct {
	text string   // the value, prepared for its family (escaped pattern, folded case, ...)
	tpl  template // non-nil when the value holds policy variables
	num  float64
	tm   time.Time
	pfx  netip.Prefix
	bin  []byte
	ok   bool // the value parsed for its family
}

func compileCond(c Condition, src int, vars bool) (cond, error) {
	op, err := parseOperator(c.Operator)
	if err != nil {
		return cond{}, err
	}
	out := cond{op: op, key: strings.ToLower(c.Key), src: src}
	for _, v := range c.Values {
		var cv cval
		if vars && hasVariable(v) {
			cv.tpl = compileTemplate(v, op.fam == famStringLike || op.fam == famArnLike)
		} else {
			cv = prepareValue(op.fam, v, true)
		}
		out.vals = append(out.vals, cv)
	}
	return out, nil
}

// prepareValue converts a policy value for its operator family. literal says that
// the value came from the document (wildcards active) rather than from a variable.
func prepareValue(fam opFamily, v string, literal bool) cval {
	cv := cval{text: v, ok: true}
	switch fam {
	case famStringLike, famArnLike:
		if literal {
			cv.text = wildcard.Escape(v)
		}
	case famNumericEquals, famNumericLessThan, famNumericLessThanEquals, famNumericGreaterThan, famNumericGreaterThanEquals:
		cv.num, cv.ok = parseNumber(v)
	case famDateEquals, famDateLessThan, famDateLessThanEquals, famDateGreaterThan, famDateGreaterThanEquals:
		cv.tm, cv.ok = parseDate(v)
	case famIPAddress:
		cv.pfx, cv.ok = parseCIDR(v)
	case famBinaryEquals:
		b, err := base64.StdEncoding.DecodeString(v)
		cv.bin, cv.ok = b, err == nil
	case famBool:
		cv.text = strings.ToLower(v)
	case famNull:
		cv.text = strings.ToLower(v)
		cv.ok = cv.text == "true" || cv.text == "false"
	}
	return cv
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
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

// parseDate accepts ISO 8601 date-times and dates, and epoch seconds.
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

// parseCIDR accepts a CIDR block or a bare address (a /32 or /128).
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

// eval decides one condition against the request context.
func (c *cond) eval(st *evalState) bool {
	vals, present := st.req.Context.get(c.key)
	if len(vals) == 0 {
		present = false
	}
	if c.op.fam == famNull {
		// "true": the key must be absent; "false": it must be present. Values OR'd.
		for i := range c.vals {
			switch c.vals[i].text {
			case "true":
				if !present {
					return true
				}
			case "false":
				if present {
					return true
				}
			}
		}
		return false
	}
	switch c.op.set {
	case setAll:
		if !present {
			return true
		}
		for _, v := range vals {
			if !c.matchOne(st, v) {
				return false
			}
		}
		return true
	case setAny:
		if !present {
			return c.op.ifExists
		}
		for _, v := range vals {
			if c.matchOne(st, v) {
				return true
			}
		}
		return false
	}
	if !present {
		return c.op.ifExists || c.op.negated
	}
	if c.op.negated {
		// True when no request value matches any policy value.
		for _, v := range vals {
			if c.positive(st, v) {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if c.positive(st, v) {
			return true
		}
	}
	return false
}

// matchOne is the per-value predicate of set operators: a request value matches
// when it matches some policy value (positive operators) or none (negated ones).
func (c *cond) matchOne(st *evalState, v string) bool {
	m := c.positive(st, v)
	if c.op.negated {
		return !m
	}
	return m
}

// positive reports whether request value v matches any of the policy values under
// the operator's positive comparison.
func (c *cond) positive(st *evalState, v string) bool {
	// Parse the request value once for typed families.
	var (
		rnum  float64
		rtm   time.Time
		raddr netip.Addr
		rok   = true
	)
	switch c.op.fam {
	case famNumericEquals, famNumericLessThan, famNumericLessThanEquals, famNumericGreaterThan, famNumericGreaterThanEquals:
		rnum, rok = parseNumber(v)
	case famDateEquals, famDateLessThan, famDateLessThanEquals, famDateGreaterThan, famDateGreaterThanEquals:
		rtm, rok = parseDate(v)
	case famIPAddress:
		a, err := netip.ParseAddr(v)
		raddr, rok = a.Unmap(), err == nil
	}
	if !rok {
		return false
	}
	for i := range c.vals {
		pv := &c.vals[i]
		if pv.tpl != nil {
			mark := st.mark()
			s, ok := st.expand(pv.tpl)
			if !ok {
				st.reset(mark)
				continue
			}
			tmp := prepareValue(c.op.fam, s, false)
			m := compare(c.op.fam, &tmp, v, rnum, rtm, raddr)
			st.reset(mark)
			if m {
				return true
			}
			continue
		}
		if compare(c.op.fam, pv, v, rnum, rtm, raddr) {
			return true
		}
	}
	return false
}

func compare(fam opFamily, pv *cval, v string, rnum float64, rtm time.Time, raddr netip.Addr) bool {
	if !pv.ok {
		return false
	}
	switch fam {
	case famStringEquals:
		return pv.text == v
	case famStringEqualsIgnoreCase:
		return strings.EqualFold(pv.text, v)
	case famStringLike:
		return wildcard.MatchEscaped(pv.text, v, false)
	case famNumericEquals:
		return rnum == pv.num
	case famNumericLessThan:
		return rnum < pv.num
	case famNumericLessThanEquals:
		return rnum <= pv.num
	case famNumericGreaterThan:
		return rnum > pv.num
	case famNumericGreaterThanEquals:
		return rnum >= pv.num
	case famDateEquals:
		return rtm.Equal(pv.tm)
	case famDateLessThan:
		return rtm.Before(pv.tm)
	case famDateLessThanEquals:
		return !rtm.After(pv.tm)
	case famDateGreaterThan:
		return rtm.After(pv.tm)
	case famDateGreaterThanEquals:
		return !rtm.Before(pv.tm)
	case famBool:
		return len(v) == len(pv.text) && strings.EqualFold(v, pv.text)
	case famBinaryEquals:
		b, err := base64.StdEncoding.DecodeString(v)
		return err == nil && string(b) == string(pv.bin)
	case famIPAddress:
		return pv.pfx.Contains(raddr)
	case famArnLike:
		return matchARN(pv.text, v)
	}
	return false
}

// matchARNSplit matches an ARN pattern (escaped form) against the request's
// resource, split once per request.
func matchARNSplit(pattern string, st *evalState) bool {
	res, ok := st.resource()
	pp, pok := splitARN(pattern)
	if !pok || !ok {
		return matchARN(pattern, st.req.Resource)
	}
	for i := 0; i < 6; i++ {
		if !wildcard.MatchEscaped(pp[i], res[i], false) {
			return false
		}
	}
	return true
}

// matchARN matches an ARN pattern (escaped form) against an ARN component by
// component: a wildcard in one of the first five components does not cross a
// colon; the sixth (resource) component is matched as a whole.
func matchARN(pattern, value string) bool {
	for i := 0; i < 5; i++ {
		pc := strings.IndexByte(pattern, ':')
		vc := strings.IndexByte(value, ':')
		if pc < 0 || vc < 0 {
			if pc < 0 && vc < 0 {
				return wildcard.MatchEscaped(pattern, value, false)
			}
			if i == 0 && pc < 0 {
				// A pattern that is not an ARN (such as "*") matches the whole value.
				return wildcard.MatchEscaped(pattern, value, false)
			}
			return false
		}
		if !wildcard.MatchEscaped(pattern[:pc], value[:vc], false) {
			return false
		}
		pattern, value = pattern[pc+1:], value[vc+1:]
	}
	return wildcard.MatchEscaped(pattern, value, false)
}
