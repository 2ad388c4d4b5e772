package policy

import (
	"strings"
	"sync"
	"unsafe"

	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// A template is a policy value holding policy variables (${aws:username}), compiled
// into literal and variable parts.
type template []tpart

type tpart struct {
	lit    string // literal text (in escaped-pattern form for pattern templates)
	key    string // lower-cased context key of a variable; "" for a literal part
	hash   uint64 // keyHash(key)
	def    string // default value when the key is absent
	hasDef bool
	// prefixOnly says that lit is a literal followed by one AnyRun (and no
	// other wildcard): it matches the values beginning with lit[:len(lit)-1].
	prefixOnly bool
}

// hasVariable reports whether s contains a policy variable reference.
func hasVariable(s string) bool { return strings.Contains(s, "${") }

// compileTemplate splits s into parts. When pattern is true, literal text keeps
// its wildcards (in wildcard's escaped form) and ${*} / ${?} stand for literal
// '*' / '?'.
func compileTemplate(s string, pattern bool) template {
	var t template
	lit := func(x string) {
		if x == "" {
			return
		}
		if pattern {
			x = wildcard.Escape(x)
		}
		n := len(x)
		t = append(t, tpart{lit: x, prefixOnly: pattern && n > 0 && x[n-1] == wildcard.AnyRun && !hasEscapedWildcard(x[:n-1])})
	}
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			lit(s)
			return t
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			lit(s)
			return t
		}
		lit(s[:i])
		body := strings.TrimSpace(s[i+2 : i+j])
		s = s[i+j+1:]
		switch body {
		case "*", "?", "$":
			t = append(t, tpart{lit: body})
			continue
		}
		p := tpart{}
		if k, d, ok := strings.Cut(body, ","); ok {
			d = strings.TrimSpace(d)
			if len(d) >= 2 && d[0] == '\'' && d[len(d)-1] == '\'' {
				p.def, p.hasDef = d[1:len(d)-1], true
			}
			body = strings.TrimSpace(k)
		}
		p.key = strings.ToLower(body)
		p.hash = keyHash(p.key)
		t = append(t, p)
	}
}

// evalState is the scratch space of one evaluation. It lives on the caller's stack;
// expansions of policy variables go to a buffer borrowed from a pool on first use
// (strings aliasing it are handed to parsers that may retain them, so it cannot
// live on the stack), and the buffer is returned when the evaluation ends.
type evalState struct {
	req      *Request
	res      [6]string // the request's resource split into ARN components
	resSplit bool      // res holds a six-part ARN
	resDone  bool      // the resource has been split
	svcKey   uint64    // packPrefix of the action's service prefix
	// aFirst and aLast are the action's first and last eight bytes,
	// lower-cased, as little-endian words, when it has eight.
	aFirst, aLast uint64
	// nameFirst is nameFirstByte of the action.
	nameFirst byte
	boundary  bool // the caller has a permissions boundary
	buf       *expandBuf
	n         int
	// missing collects context keys that policy variables referenced but the
	// context lacked, when the caller asked for them.
	missing *[]string
}

type expandBuf [1024]byte

var expandPool = sync.Pool{New: func() any { return new(expandBuf) }}

func (st *evalState) init(req *Request) {
	st.req = req
}

// resource returns the request's resource split into ARN components, splitting
// it on first use.
func (st *evalState) resource() (*[6]string, bool) {
	if !st.resDone {
		st.res, st.resSplit = splitARN(st.req.Resource)
		st.resDone = true
	}
	return &st.res, st.resSplit
}

// release returns the borrowed buffer. Strings from expand are invalid afterwards;
// none outlives an evaluation.
func (st *evalState) release() {
	if st.buf != nil {
		expandPool.Put(st.buf)
		st.buf = nil
	}
}

func (st *evalState) mark() int      { return st.n }
func (st *evalState) reset(mark int) { st.n = mark }

// expand substitutes the template's variables from the request context. It reports
// false when a variable has no value and no default. The returned string aliases
// the state's buffer: it is valid until the caller resets to an earlier mark.
func (st *evalState) expand(t template) (string, bool) {
	if st.buf == nil {
		st.buf = expandPool.Get().(*expandBuf)
	}
	start := st.n
	for i := range t {
		p := &t[i]
		var s string
		if p.key == "" {
			s = p.lit
		} else {
			vals := st.varValues(p)
			switch {
			case len(vals) > 0:
				s = vals[0]
			case p.hasDef:
				s = p.def
			default:
				st.noteMissing(p.key)
				return "", false
			}
		}
		if !st.appendStr(s) {
			return st.expandSlow(t)
		}
	}
	if st.n == start {
		return "", true
	}
	return unsafe.String(&st.buf[start], st.n-start), true
}

func (st *evalState) appendStr(s string) bool {
	if st.n+len(s) > len(st.buf) {
		return false
	}
	copy(st.buf[st.n:], s)
	st.n += len(s)
	return true
}

// expandSlow builds the expansion on the heap, for values too long for the buffer.
func (st *evalState) expandSlow(t template) (string, bool) {
	var b strings.Builder
	for i := range t {
		p := &t[i]
		if p.key == "" {
			b.WriteString(p.lit)
			continue
		}
		vals := st.varValues(p)
		switch {
		case len(vals) > 0:
			b.WriteString(vals[0])
		case p.hasDef:
			b.WriteString(p.def)
		default:
			return "", false
		}
	}
	return b.String(), true
}

func (st *evalState) noteMissing(key string) {
	if st.missing == nil {
		return
	}
	for _, k := range *st.missing {
		if k == key {
			return
		}
	}
	*st.missing = append(*st.missing, key)
}

// varValues returns the context's values of a variable part's key.
func (st *evalState) varValues(p *tpart) []string {
	if e := st.req.Context.lookup(p.key, p.hash); e != nil {
		return e.vals
	}
	return nil
}
