package gen

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// goName makes a model name an exported Go identifier: characters other than
// letters, digits and '_' are dropped and the first letter is upper-cased.
func goName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			b.WriteRune(r)
		}
	}
	out := b.String()
	if out == "" {
		return "X"
	}
	if out[0] >= '0' && out[0] <= '9' {
		out = "X" + out
	}
	return strings.ToUpper(out[:1]) + out[1:]
}

// lowerFirst is the member name as AWS writes it in validation messages.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func privName(s string) string { return lowerFirst(goName(s)) }

var (
	tagRE   = regexp.MustCompile(`<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// firstSentence strips HTML from model documentation and returns its first
// sentence.
func firstSentence(doc string) string {
	s := tagRE.ReplaceAllString(doc, " ")
	s = html.UnescapeString(s)
	s = strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '.' && s[i+1] == ' ' && !abbrev(s[:i]) {
			return s[:i+1]
		}
	}
	return s
}

func abbrev(before string) bool {
	for _, a := range []string{"e.g", "i.e", "etc", "vs"} {
		if strings.HasSuffix(before, a) {
			return true
		}
	}
	return false
}
