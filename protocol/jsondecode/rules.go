package jsondecode

import (
	"regexp"
	"strings"
)

// Pattern is a model `pattern` constraint: the model's (Java) source text
// and an equivalent RE2 form applied to the whole value.
type Pattern struct {
	source string
	re     *regexp.Regexp
	forbid []string
}

// MustPattern compiles a pattern (see query.MustPattern); it panics if re2
// does not compile, so it is meant for generated package-level variables.
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

// StringRule holds a string shape's constraints; zero Min/Max mean no bound.
type StringRule struct {
	Min, Max  int
	Pattern   *Pattern
	Enum      []string
	Sensitive bool
}

// IntRule holds an integer shape's range constraints.
type IntRule struct {
	Min, Max       int64
	HasMin, HasMax bool
}

// ListRule holds a list, map or blob shape's size constraints; zero means no
// bound.
type ListRule struct {
	Min, Max int
	Scalar   bool
}
