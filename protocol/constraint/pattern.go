// Package constraint holds what the protocol runtimes share of an API
// model's constraints: the `pattern` trait, compiled once into a [Pattern]
// that the generated codec packages keep in package-level variables, and
// the rules (StringRule, IntRule, ListRule) the Query and JSON decoders
// apply.
package constraint

import (
	"regexp"
	"strings"
)

// Pattern is a model `pattern` constraint: the model's (Java) source text,
// used in messages, and an equivalent RE2 form applied to the whole value.
// A Pattern is immutable, so generated code shares one across requests.
type Pattern struct {
	source string
	re     *regexp.Regexp
	forbid []string
}

// MustPattern compiles a pattern: source is the model's text, re2 its RE2
// translation (matched against the whole value), and forbid lists substrings
// the value must not contain — the translation of a Java negative lookahead
// that RE2 cannot express. It panics if re2 does not compile, so it is meant
// for package-level variables in generated code, whose patterns the
// generator (internal/apigen/gen.TranslatePattern) has already compiled.
func MustPattern(source, re2 string, forbid ...string) *Pattern {
	return &Pattern{source: source, re: regexp.MustCompile(`^(?:` + re2 + `)$`), forbid: forbid}
}

// Source returns the model's pattern text.
func (p *Pattern) Source() string { return p.source }

// Match reports whether the whole of s satisfies the pattern.
func (p *Pattern) Match(s string) bool {
	for _, f := range p.forbid {
		if strings.Contains(s, f) {
			return false
		}
	}
	return p.re.MatchString(s)
}
