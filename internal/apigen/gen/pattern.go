package gen

import (
	"fmt"
	"regexp"
	"strings"
)

// Translation is a model pattern made usable by Go's RE2: the regular
// expression (to be matched against the whole value) and substrings the value
// must not contain.
type Translation struct {
	RE2    string
	Forbid []string
}

// knownLookahead returns an equivalent RE2 form for the model patterns that
// use a Java negative lookahead, which RE2 cannot express.
//
// accountAliasType: "-(?!-)" inside a group that is the only place a '-' can
// appear means "no two consecutive hyphens"; the first and last characters
// are [a-z0-9], so the pattern is the lookahead-free one plus "no '--'". A
// test compares both forms exhaustively on short strings.
func knownLookahead(java string) (Translation, bool) {
	switch java {
	case `^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`:
		return Translation{RE2: `^[a-z0-9]([a-z0-9]|-){1,61}[a-z0-9]$`, Forbid: []string{"--"}}, true
	}
	return Translation{}, false
}

// TranslatePattern turns a model (Java) pattern into RE2 syntax and checks
// that it compiles. Java's \uXXXX escape takes exactly four hex digits, so
// "\u10000" is U+1000 followed by "0" — which is also what AWS does: a live
// STS probe shows U+1F600 failing arnType's "...\u10000-\u10FFFF]+".
func TranslatePattern(java string) (Translation, error) {
	if t, ok := knownLookahead(java); ok {
		return t, compileCheck(java, t.RE2)
	}
	var b strings.Builder
	for i := 0; i < len(java); i++ {
		c := java[i]
		if c == '(' && strings.HasPrefix(java[i:], "(?") && !strings.HasPrefix(java[i:], "(?:") && !isFlagGroup(java[i:]) {
			return Translation{}, fmt.Errorf("pattern %q: group construct %q is not supported by RE2", java, java[i:min(i+3, len(java))])
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(java) {
			return Translation{}, fmt.Errorf("pattern %q: trailing backslash", java)
		}
		if java[i+1] == 'u' {
			if i+6 > len(java) || !isHex(java[i+2:i+6]) {
				return Translation{}, fmt.Errorf("pattern %q: bad \\u escape", java)
			}
			b.WriteString(`\x{` + java[i+2:i+6] + `}`)
			i += 5
			continue
		}
		b.WriteString(java[i : i+2])
		i++
	}
	t := Translation{RE2: b.String()}
	return t, compileCheck(java, t.RE2)
}

// isFlagGroup reports whether s starts with a group setting flags that Java
// and RE2 read alike — i (case-insensitive), m (multi-line), s (dot matches
// newline) — as "(?s)" or "(?s:" (CloudTrail's QueryStatement is "(?s).*").
// Java's u, U, x, d and c flags mean something else or nothing in RE2.
func isFlagGroup(s string) bool {
	for i := 2; i < len(s); i++ {
		switch s[i] {
		case 'i', 'm', 's':
		case ')', ':':
			return i > 2
		default:
			return false
		}
	}
	return false
}

func compileCheck(java, re2 string) error {
	if _, err := regexp.Compile(`^(?:` + re2 + `)$`); err != nil {
		return fmt.Errorf("pattern %q translated to %q: %w", java, re2, err)
	}
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
