package bench

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// naiveEngine is the baseline a compiled engine must beat: it walks the statements
// as written, every request — string compares, a backtracking glob, condition
// operators looked up by name and their values parsed on each use — without
// allocating. It covers W1–W3 only.
type naiveEngine struct {
	policies [][]stmt
	reqs     []naiveRequest
}

type naiveRequest struct {
	action, resource string
	ctx              map[string]string
}

func newNaive(tb testing.TB, w *workload) engine {
	if w.principals > 0 {
		return nil
	}
	e := &naiveEngine{policies: w.policies}
	for _, r := range w.requests {
		e.reqs = append(e.reqs, naiveRequest{action: r.action, resource: r.resource, ctx: r.ctx})
	}
	return e
}

func (e *naiveEngine) decide(i int) policy.Decision {
	r := &e.reqs[i]
	allowed := false
	for _, ss := range e.policies {
		for k := range ss {
			s := &ss[k]
			if !naiveAny(s.Actions, r.action, true, nil) || !naiveAny(s.Resources, r.resource, false, r.ctx) {
				continue
			}
			ok := true
			for c := range s.Conds {
				if !naiveCond(&s.Conds[c], r.ctx) {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			if s.Effect == "Deny" {
				return policy.ExplicitDeny
			}
			allowed = true
		}
	}
	if allowed {
		return policy.Allowed
	}
	return policy.ImplicitDeny
}

// naiveAny reports whether v matches one of the patterns, after substituting
// ${key} variables from ctx when ctx is non-nil.
func naiveAny(pats []string, v string, fold bool, ctx map[string]string) bool {
	for _, p := range pats {
		if ctx != nil && strings.Contains(p, "${") {
			var buf [256]byte
			n, ok := naiveExpand(p, ctx, &buf)
			if ok && naiveGlob(buf[:n], v, fold) {
				return true
			}
			continue
		}
		if naiveGlob(p, v, fold) {
			return true
		}
	}
	return false
}

// naiveExpand writes p into buf with its ${key} variables substituted from ctx
// and returns the length; false when a key is missing or buf is too small.
func naiveExpand(p string, ctx map[string]string, buf *[256]byte) (int, bool) {
	n := 0
	put := func(s string) bool {
		if n+len(s) > len(buf) {
			return false
		}
		n += copy(buf[n:], s)
		return true
	}
	for {
		i := strings.Index(p, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(p[i:], '}')
		if j < 0 {
			break
		}
		val, ok := ctx[p[i+2:i+j]]
		if !ok || !put(p[:i]) || !put(val) {
			return 0, false
		}
		p = p[i+j+1:]
	}
	return n, put(p)
}

// naiveGlob matches '*' and '?' with the usual backtracking to the last star.
func naiveGlob[P string | []byte](p P, v string, fold bool) bool {
	pi, vi, star, mark := 0, 0, -1, 0
	for vi < len(v) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, vi
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == v[vi] || fold && naiveLower(p[pi]) == naiveLower(v[vi])):
			pi++
			vi++
		case star >= 0:
			mark++
			pi, vi = star+1, mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

func naiveLower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func naiveCond(c *cond, ctx map[string]string) bool {
	v, ok := ctx[c.Key]
	if !ok {
		return false
	}
	for _, pv := range c.Values {
		switch c.Op {
		case "StringEquals":
			if v == pv {
				return true
			}
		case "Bool":
			if strings.EqualFold(v, pv) {
				return true
			}
		case "IpAddress":
			pfx, err1 := netip.ParsePrefix(pv)
			a, err2 := netip.ParseAddr(v)
			if err1 == nil && err2 == nil && pfx.Contains(a) {
				return true
			}
		case "DateLessThan":
			t, err1 := time.Parse(time.RFC3339, v)
			pt, err2 := time.Parse(time.RFC3339, pv)
			if err1 == nil && err2 == nil && t.Before(pt) {
				return true
			}
		default:
			panic("naive: unsupported operator " + c.Op)
		}
	}
	return false
}
