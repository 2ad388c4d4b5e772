// Package wildcard matches AWS policy patterns: '*' matches any run of characters
// (including none) and '?' matches exactly one character (one rune of UTF-8). Every other character
// matches itself, optionally folding ASCII case as AWS does for action names.
//
// Matching never backtracks exponentially: a pattern is split at its stars and each
// segment is matched at its leftmost possible position, which is optimal for patterns
// whose only operators are '*' and '?'. The cost is at most O(len(pattern)*len(value)).
package wildcard

import "unicode/utf8"

// Match reports whether value matches pattern, comparing characters exactly.
func Match(pattern, value string) bool {
	return match(pattern, value, '*', '?', false)
}

// MatchFold reports whether value matches pattern, folding ASCII letter case.
func MatchFold(pattern, value string) bool {
	return match(pattern, value, '*', '?', true)
}

// The operator bytes of the escaped form. Escape turns a pattern into a form in
// which '*' and '?' are ordinary characters and these bytes are the operators, so
// that callers can splice literal text (such as a policy variable's value, or
// AWS's ${*} escape) into a pattern without it acting as a wildcard.
const (
	AnyRun byte = 0x01
	AnyOne byte = 0x02
)

// Escape returns pattern in the escaped form: '*' becomes AnyRun, '?' AnyOne.
func Escape(pattern string) string {
	if !HasWildcard(pattern) {
		return pattern
	}
	b := []byte(pattern)
	for i, c := range b {
		switch c {
		case '*':
			b[i] = AnyRun
		case '?':
			b[i] = AnyOne
		}
	}
	return string(b)
}

// MatchEscaped is Match for a pattern in the escaped form.
func MatchEscaped(pattern, value string, fold bool) bool {
	return match(pattern, value, AnyRun, AnyOne, fold)
}

// HasWildcard reports whether s contains '*' or '?'.
func HasWildcard(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '*' || s[i] == '?' {
			return true
		}
	}
	return false
}

func match(p, v string, star0, one byte, fold bool) bool {
	if indexByte(p, one) >= 0 && hasNonASCII(v) && utf8.ValidString(v) && utf8.ValidString(p) {
		return matchRunes(p, v, star0, one, fold)
	}
	// Leading segment: must match at position 0.
	star := indexByte(p, star0)
	if star < 0 {
		return len(p) == len(v) && segEqual(p, v, one, fold)
	}
	if !(len(v) >= star && segEqual(p[:star], v[:star], one, fold)) {
		return false
	}
	v = v[star:]
	p = p[star+1:]
	for {
		star = indexByte(p, star0)
		if star < 0 {
			// Trailing segment: must match at the end.
			return len(v) >= len(p) && segEqual(p, v[len(v)-len(p):], one, fold)
		}
		seg := p[:star]
		p = p[star+1:]
		if len(seg) == 0 {
			continue
		}
		at := segIndex(v, seg, one, fold)
		if at < 0 {
			return false
		}
		v = v[at+len(seg):]
	}
}

// segIndex returns the leftmost index at which seg (no '*', may hold '?') matches in v.
func segIndex(v, seg string, one byte, fold bool) int {
	for i := 0; i+len(seg) <= len(v); i++ {
		if segEqual(seg, v[i:i+len(seg)], one, fold) {
			return i
		}
	}
	return -1
}

// segEqual compares a star-free pattern segment with an equally long value.
func segEqual(seg, v string, one byte, fold bool) bool {
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c == one {
			continue
		}
		d := v[i]
		if c == d {
			continue
		}
		if fold && lower(c) == lower(d) {
			continue
		}
		return false
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + ('a' - 'A')
	}
	return c
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// hasNonASCII reports whether s holds a byte outside ASCII.
func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return true
		}
	}
	return false
}

// matchRunes is match for values holding multi-byte characters, where a single
// wildcard ('?') must consume one character (rune), not one byte. It is the
// classic dynamic program over pattern and value positions: O(len(p)*len(v))
// time, two rows of memory. Only patterns with '?' and non-ASCII values take it.
func matchRunes(p, v string, star0, one byte, fold bool) bool {
	pr, vr := []rune(p), []rune(v)
	// Dynamic programming over (pattern position, value position): O(len(p)*len(v)).
	prev := make([]bool, len(vr)+1)
	cur := make([]bool, len(vr)+1)
	prev[0] = true
	for i := 1; i <= len(pr); i++ {
		c := pr[i-1]
		cur[0] = prev[0] && c == rune(star0)
		for j := 1; j <= len(vr); j++ {
			switch {
			case c == rune(star0):
				cur[j] = prev[j] || cur[j-1]
			case c == rune(one):
				cur[j] = prev[j-1]
			default:
				d := vr[j-1]
				cur[j] = prev[j-1] && (c == d || fold && c < 0x80 && d < 0x80 && lower(byte(c)) == lower(byte(d)))
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(vr)]
}
