package query

import (
	"fmt"
	"regexp"
	"strings"
)

// Pattern is a model `pattern` constraint: the model's (Java) source text,
// used in messages, and an equivalent RE2 form applied to the whole value.
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
// generator has already compiled.
func MustPattern(source, re2 string, forbid ...string) *Pattern {
	return &Pattern{source: source, re: regexp.MustCompile(`^(?:` + re2 + `)$`), forbid: forbid}
}

// CompilePattern is MustPattern returning an error instead of panicking.
func CompilePattern(source, re2 string, forbid ...string) (*Pattern, error) {
	re, err := regexp.Compile(`^(?:` + re2 + `)$`)
	if err != nil {
		return nil, fmt.Errorf("compile pattern %q: %w", source, err)
	}
	return &Pattern{source: source, re: re, forbid: forbid}, nil
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

// StringRule holds a string shape's constraints. Zero Min/Max mean no bound
// (the models never declare a maximum length of 0).
type StringRule struct {
	Min, Max  int
	Pattern   *Pattern
	Enum      []string
	Sensitive bool
	// PatternMessage, when set, replaces the model's pattern failure: the
	// value failing only its pattern is refused with this message alone, as
	// a ValidationError, once the model's other constraints hold (IAM's
	// paths: "The specified value for path is invalid. ...").
	PatternMessage string
}

// IntRule holds an integer shape's range constraints.
type IntRule struct {
	Min, Max       int64
	HasMin, HasMax bool
}

// ListRule holds a list or map shape's size constraints. Zero Min/Max mean
// no bound. Scalar reports that the elements are scalars, whose values are
// quoted in messages as Java would print the list ("[a, b]").
type ListRule struct {
	Min, Max int
	Scalar   bool
	// MemberNotNull adds "Member must not be null" to the constraints
	// reported for a failing element of a list of scalars, as AWS reports
	// some lists (tagKeys) and not others (clientIDList).
	MemberNotNull bool
}
