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
	// ForAllValues:Null and ForAnyValue:Null are valid (IAM accepts them; Access
	// Analyzer only suggests avoiding them, "Null with qualifier" in
	// access-analyzer-reference-policy-checks.md). NullIfExists is refused above.
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
	hash uint64 // keyHash(key)
	vals []cval
	src  int // index into Statement.Conditions
	// fast is the comparison resolved when the condition was compiled, for
	// the common shape (see fastFor); fastNone takes the general path.
	fast uint8
}

// The comparisons resolved at compile time.
const (
	fastNone   uint8 = iota
	fastString       // StringEquals
	fastBool         // Bool
	fastDate         // DateEquals, DateLessThan, ... (not DateNotEquals)
	fastIP           // IpAddress
)

// fastFor resolves the comparison of a condition of the common shape: no set
// qualifier, not negated, and every policy value read for its type and free
// of variables. Such a condition holds when some request value matches some
// policy value, which evalFast decides without the general path's dispatch.
func fastFor(op Operator, vals []cval) uint8 {
	if op.set != setNone || op.negated {
		return fastNone
	}
	for i := range vals {
		if vals[i].tpl != nil || !vals[i].ok {
			return fastNone
		}
	}
	switch op.fam {
	case famStringEquals:
		return fastString
	case famBool:
		return fastBool
	case famDateEquals, famDateLessThan, famDateLessThanEquals, famDateGreaterThan, famDateGreaterThanEquals:
		return fastDate
	case famIPAddress:
		return fastIP
	}
	return fastNone
}

// evalFast is positive(...) == matched for a condition with a fast
// comparison: v matches one of the policy values. pre, when not nil, is v
// parsed when the context was built.
func (c *cond) evalFast(v string, pre *preparsed) bool {
	switch c.fast {
	case fastString:
		for i := range c.vals {
			if c.vals[i].text == v {
				return true
			}
		}
	case fastBool:
		b, ok := readBool(v)
		if !ok {
			return false
		}
		for i := range c.vals {
			if c.vals[i].text == b {
				return true
			}
		}
	case fastIP:
		var a netip.Addr
		if pre != nil && pre.kind == preAddr {
			if !pre.ok {
				return false
			}
			a = pre.addr
		} else {
			x, err := netip.ParseAddr(v)
			if err != nil {
				return false
			}
			a = x.Unmap()
		}
		for i := range c.vals {
			if c.vals[i].pfx.Contains(a) {
				return true
			}
		}
	case fastDate:
		var t time.Time
		if pre != nil && pre.kind == preDate {
			if !pre.ok {
				return false
			}
			t = pre.tm
		} else {
			var ok bool
			if t, ok = parseDate(v); !ok {
				return false
			}
		}
		for i := range c.vals {
			if compareDate(c.op.fam, t, c.vals[i].tm) {
				return true
			}
		}
	}
	return false
}

// readBool reads a request value of the Bool operator: "true" or "false" in
// any case (as strings.EqualFold with the same length, which the general
// path compares).
func readBool(v string) (string, bool) {
	switch {
	case len(v) == 4 && (v == "true" || strings.EqualFold(v, "true")):
		return "true", true
	case len(v) == 5 && (v == "false" || strings.EqualFold(v, "false")):
		return "false", true
	}
	return "", false
}

// compareDate compares a request time with a policy time under a Date family.
func compareDate(fam opFamily, r, p time.Time) bool {
	switch fam {
	case famDateEquals:
		return r.Equal(p)
	case famDateLessThan:
		return r.Before(p)
	case famDateLessThanEquals:
		return !r.After(p)
	case famDateGreaterThan:
		return r.After(p)
	case famDateGreaterThanEquals:
		return !r.Before(p)
	}
	return false
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
	out.hash = keyHash(out.key)
	for _, v := range c.Values {
		var cv cval
		if vars && op.acceptsVariables() && hasVariable(v) {
			cv.tpl = compileTemplate(v, op.fam == famStringLike || op.fam == famArnLike)
		} else {
			cv = prepareValue(op.fam, v, true)
		}
		out.vals = append(out.vals, cv)
	}
	out.fast = fastFor(op, out.vals)
	return out, nil
}

// acceptsVariables reports whether policy variables are substituted in the
// operator's values: only for string and ARN operators. "You can't use a policy
// variable with other operators, such as Numeric, Date, Boolean, Binary, IP
// Address, or Null operators" (reference_policies_variables.md); there a "${...}"
// is literal text, which does not parse as the operator's type.
func (o Operator) acceptsVariables() bool {
	switch o.fam {
	case famStringEquals, famStringEqualsIgnoreCase, famStringLike, famArnLike:
		return true
	}
	return false
}

// prepareValue converts a policy value for its operator family. literal says that
// the value came from the document (wildcards active) rather than from a variable.
// ok is false when the value cannot be read as the family's type.
func prepareValue(fam opFamily, v string, literal bool) cval {
	cv := cval{text: v, ok: true}
	switch fam {
	case famStringLike:
		if literal {
			cv.text = wildcard.Escape(v)
		}
	case famArnLike:
		cv.ok = arnPatternReadable(v)
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
		cv.ok = cv.text == "true" || cv.text == "false"
	case famNull:
		cv.text = strings.ToLower(v)
		cv.ok = cv.text == "true" || cv.text == "false"
	}
	return cv
}

// arnPatternReadable reports whether a policy value of an ARN operator can be
// read as an ARN pattern: six colon-separated components, or a value without any
// colon (such as "*"), which is matched against the whole request value.
func arnPatternReadable(v string) bool {
	if strings.IndexByte(v, ':') < 0 {
		return true
	}
	_, ok := splitARN(v)
	return ok
}

// arnReadable reports whether a request value of an ARN operator is an ARN:
// "arn:" and six colon-separated components.
func arnReadable(v string) bool {
	if len(v) < 4 || v[:4] != "arn:" {
		return false
	}
	_, ok := splitARN(v)
	return ok
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

// outcome is how one request value compares with a condition's policy values
// under the operator's positive comparison.
type outcome uint8

const (
	// noMatch: the value was read and matches none of the policy values, each of
	// which was read too.
	noMatch outcome = iota
	// matched: the value matches one of the policy values.
	matched
	// unreadable: no match, but the request value or one of the policy values
	// cannot be read as the operator's type (an IP that is not an IP, a date or
	// number that does not parse, an ARN that is not an ARN, a Bool that is
	// neither true nor false, Binary that is not base64).
	unreadable
)

// Values that cannot be read as their operator's type.
//
// The IAM User Guide says what a key that is absent does (the condition is false;
// a negated operator is true) and what a policy variable without a value does
// (positive operators do not match, "Inverted condition operators like
// StringNotEquals or StringNotLike do match against a null value",
// reference_policies_variables.md#policy-vars-no-value). It is silent on values
// that are present but cannot be read as the operator's type. Gatehouse takes the
// conservative reading: such a comparison is neither a match nor a non-match, so
// a positive operator does not hold and neither does its negation (NotIpAddress,
// NumericNotEquals, DateNotEquals, ArnNotLike, ...). An Allow statement is never
// granted through an unreadable value. String operators read every value.

// eval decides one condition against the request context.
func (c *cond) eval(st *evalState) bool {
	var (
		vals []string
		pre  *preparsed
	)
	if e := st.req.Context.lookup(c.key, c.hash); e != nil {
		vals, pre = e.vals, &e.pre
	}
	present := len(vals) > 0
	if c.fast != fastNone {
		if !present {
			return c.op.ifExists
		}
		for i, v := range vals {
			if c.evalFast(v, preFor(pre, i)) {
				return true
			}
		}
		return false
	}
	if c.op.fam == famNull {
		switch c.op.set {
		case setAll:
			// "When you use the Null condition operator with ForAllValues, the
			// statement always returns true. When you use the Null condition
			// operator with ForAnyValue, the statement always returns false."
			// (access-analyzer-reference-policy-checks.md, Null with qualifier.)
			return true
		case setAny:
			return false
		}
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
		for i, v := range vals {
			if !c.matchOne(st, v, preFor(pre, i)) {
				return false
			}
		}
		return true
	case setAny:
		if !present {
			return c.op.ifExists
		}
		for i, v := range vals {
			if c.matchOne(st, v, preFor(pre, i)) {
				return true
			}
		}
		return false
	}
	if !present {
		return c.op.ifExists || c.op.negated
	}
	if c.op.negated {
		// True when every request value was read and matches no policy value.
		for i, v := range vals {
			if c.positive(st, v, preFor(pre, i)) != noMatch {
				return false
			}
		}
		return true
	}
	for i, v := range vals {
		if c.positive(st, v, preFor(pre, i)) == matched {
			return true
		}
	}
	return false
}

// matchOne is the per-value predicate of set operators: a request value matches
// when it matches some policy value (positive operators) or, read and compared,
// none (negated ones).
func (c *cond) matchOne(st *evalState, v string, pre *preparsed) bool {
	o := c.positive(st, v, pre)
	if c.op.negated {
		return o == noMatch
	}
	return o == matched
}

// preFor returns the context's parse of value i: only the first value is parsed
// ahead.
func preFor(pre *preparsed, i int) *preparsed {
	if i == 0 {
		return pre
	}
	return nil
}

// positive compares request value v with the policy values under the operator's
// positive comparison. pre, when not nil, is v parsed when the context was built.
func (c *cond) positive(st *evalState, v string, pre *preparsed) outcome {
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
		if pre != nil && pre.kind == preDate {
			rtm, rok = pre.tm, pre.ok
		} else {
			rtm, rok = parseDate(v)
		}
	case famIPAddress:
		if pre != nil && pre.kind == preAddr {
			raddr, rok = pre.addr, pre.ok
		} else {
			a, err := netip.ParseAddr(v)
			raddr, rok = a.Unmap(), err == nil
		}
	case famArnLike:
		rok = arnReadable(v)
	case famBool:
		rok = strings.EqualFold(v, "true") || strings.EqualFold(v, "false")
	case famBinaryEquals:
		rok = validBase64(v)
	}
	if !rok {
		return unreadable
	}
	out := noMatch
	for i := range c.vals {
		pv := &c.vals[i]
		if pv.tpl != nil {
			mark := st.mark()
			s, ok := st.expand(pv.tpl)
			if !ok {
				// A variable without a value is effectively null: nothing is
				// equal to or like it, and negated operators match it
				// (reference_policies_variables.md#policy-vars-no-value).
				st.reset(mark)
				continue
			}
			tmp := prepareValue(c.op.fam, s, false)
			var m bool
			if tmp.ok {
				m = compare(c.op.fam, &tmp, v, rnum, rtm, raddr)
			} else {
				out = unreadable
			}
			st.reset(mark)
			if m {
				return matched
			}
			continue
		}
		if !pv.ok {
			out = unreadable
			continue
		}
		if compare(c.op.fam, pv, v, rnum, rtm, raddr) {
			return matched
		}
	}
	return out
}

// validBase64 reports whether s is standard base64, without allocating.
func validBase64(s string) bool {
	if len(s)%4 != 0 {
		return false
	}
	pad := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '=':
			if i < len(s)-2 {
				return false
			}
			pad++
		case pad > 0:
			return false
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}

func compare(fam opFamily, pv *cval, v string, rnum float64, rtm time.Time, raddr netip.Addr) bool {
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
		return binaryEqual(v, pv.bin)
	case famIPAddress:
		return pv.pfx.Contains(raddr)
	case famArnLike:
		return matchARN(pv.text, v)
	}
	return false
}

// binaryEqual compares the base64 request value v with the decoded policy bytes
// without allocating: it encodes b and compares the text.
func binaryEqual(v string, b []byte) bool {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	if len(v) != base64.StdEncoding.EncodedLen(len(b)) {
		return false
	}
	j := 0
	for i := 0; i < len(b); i += 3 {
		var n uint32
		rem := len(b) - i
		n = uint32(b[i]) << 16
		if rem > 1 {
			n |= uint32(b[i+1]) << 8
		}
		if rem > 2 {
			n |= uint32(b[i+2])
		}
		enc := [4]byte{alphabet[n>>18&63], alphabet[n>>12&63], alphabet[n>>6&63], alphabet[n&63]}
		if rem < 3 {
			enc[3] = '='
		}
		if rem < 2 {
			enc[2] = '='
		}
		if v[j] != enc[0] || v[j+1] != enc[1] || v[j+2] != enc[2] || v[j+3] != enc[3] {
			return false
		}
		j += 4
	}
	return true
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
