// Package wildcard matches AWS policy patterns: '*' matches any run of characters
// (including none) and '?' matches exactly one character. Every other character
// matches itself, optionally folding ASCII case as AWS does for action names.
//
// Matching never backtracks exponentially: a pattern is split at its stars and each
// segment is matched at its leftmost possible position, which is optimal for patterns
// whose only operators are '*' and '?'. The cost is at most O(len(pattern)*len(value)).
package wildcard

// Match reports whether value matches pattern, comparing characters exactly.
func Match(pattern, value string) bool {
	return match(pattern, value, false)
}

// MatchFold reports whether value matches pattern, folding ASCII letter case.
func MatchFold(pattern, value string) bool {
	return match(pattern, value, true)
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

func match(p, v string, fold bool) bool {
	// Leading segment: must match at position 0.
	star := indexByte(p, '*')
	if star < 0 {
		return len(p) == len(v) && segEqual(p, v, fold)
	}
	if !(len(v) >= star && segEqual(p[:star], v[:star], fold)) {
		return false
	}
	v = v[star:]
	p = p[star+1:]
	for {
		star = indexByte(p, '*')
		if star < 0 {
			// Trailing segment: must match at the end.
			return len(v) >= len(p) && segEqual(p, v[len(v)-len(p):], fold)
		}
		seg := p[:star]
		p = p[star+1:]
		if len(seg) == 0 {
			continue
		}
		at := segIndex(v, seg, fold)
		if at < 0 {
			return false
		}
		v = v[at+len(seg):]
	}
}

// segIndex returns the leftmost index at which seg (no '*', may hold '?') matches in v.
func segIndex(v, seg string, fold bool) int {
	for i := 0; i+len(seg) <= len(v); i++ {
		if segEqual(seg, v[i:i+len(seg)], fold) {
			return i
		}
	}
	return -1
}

// segEqual compares a star-free pattern segment with an equally long value.
func segEqual(seg, v string, fold bool) bool {
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c == '?' {
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
