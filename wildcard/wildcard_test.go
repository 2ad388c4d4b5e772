package wildcard

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		p, v string
		want bool
	}{
		{"", "", true},
		{"", "a", false},
		{"*", "", true},
		{"*", "anything:at/all", true},
		{"?", "", false},
		{"?", "a", true},
		{"?", "ab", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"s3:Get*", "s3:GetObject", true},
		{"s3:Get*", "s3:PutObject", false},
		{"*Object", "s3:GetObject", true},
		{"*Object", "s3:GetObjectAcl", false},
		{"s3:*Object*", "s3:GetObjectAcl", true},
		{"a*b*c", "abc", true},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "acb", false},
		{"a*a", "a", false},
		{"a*a", "aa", true},
		{"*a*a*", "aba", true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c", true},
		{"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false},
		{"ab??", "abcd", true},
		{"ab??", "abc", false},
		{"**", "x", true},
		{"*?", "", false},
		{"*?", "x", true},
		{"x*?y", "xy", false},
		{"x*?y", "xzy", true},
	}
	for _, tt := range tests {
		if got := Match(tt.p, tt.v); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.p, tt.v, got, tt.want)
		}
	}
}

func TestMatchFold(t *testing.T) {
	if !MatchFold("s3:get*", "S3:GetObject") {
		t.Error("fold should ignore case")
	}
	if Match("s3:get*", "S3:GetObject") {
		t.Error("exact match must respect case")
	}
	if MatchFold("s3:g?t", "S3:GETS") {
		t.Error("length must still matter")
	}
}

// TestPathological checks that patterns that make naive backtracking matchers
// exponential finish quickly (the matcher is at worst O(len(p)*len(v))).
func TestPathological(t *testing.T) {
	p := strings.Repeat("*a", 50) + "*b"
	v := strings.Repeat("a", 5000)
	done := make(chan bool)
	go func() { done <- Match(p, v) }()
	select {
	case got := <-done:
		if got {
			t.Fatal("unexpected match")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("matcher took too long on a pathological pattern")
	}
}

// naive is a reference matcher by recursion, for the fuzz test.
func naive(p, v string) bool {
	if p == "" {
		return v == ""
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(v); i++ {
			if naive(p[1:], v[i:]) {
				return true
			}
		}
		return false
	case '?':
		return v != "" && naive(p[1:], v[1:])
	default:
		return v != "" && p[0] == v[0] && naive(p[1:], v[1:])
	}
}

// naiveRunes is naive over characters.
func naiveRunes(p, v []rune) bool {
	if len(p) == 0 {
		return len(v) == 0
	}
	switch p[0] {
	case '*':
		for i := 0; i <= len(v); i++ {
			if naiveRunes(p[1:], v[i:]) {
				return true
			}
		}
		return false
	case '?':
		return len(v) > 0 && naiveRunes(p[1:], v[1:])
	default:
		return len(v) > 0 && p[0] == v[0] && naiveRunes(p[1:], v[1:])
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("a*b?c", "axxbyc")
	f.Add("*", "")
	f.Add("?*?", "ab")
	f.Fuzz(func(t *testing.T, p, v string) {
		if len(p) > 12 || len(v) > 24 {
			return
		}
		want := naive(p, v)
		if strings.IndexByte(p, '?') >= 0 && utf8.ValidString(p) && utf8.ValidString(v) {
			want = naiveRunes([]rune(p), []rune(v))
		}
		if got := Match(p, v); got != want {
			t.Fatalf("Match(%q, %q) = %v, reference says %v", p, v, got, want)
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	for i := 0; i < b.N; i++ {
		MatchFold("s3:*Object*", "s3:GetObjectVersionAcl")
	}
}

func TestEscaped(t *testing.T) {
	p := Escape("a*b?") + "*?"
	if !MatchEscaped(p, "aXXbY*?", false) {
		t.Error("escaped literal * and ? should match themselves")
	}
	if MatchEscaped(p, "aXXbYzz", false) {
		t.Error("literal * must not act as a wildcard")
	}
}

// TestUnicode: '?' stands for one character, also a multi-byte one.
func TestUnicode(t *testing.T) {
	tests := []struct {
		p, v string
		want bool
	}{
		{"caf?", "café", true},
		{"caf??", "café", false},
		{"?", "é", true},
		{"a*?z", "aéz", true},
		{"a*?z", "az", false},
		{"*é*", "xéy", true},
		{"??", "日本", true},
		{"???", "日本", false},
	}
	for _, tt := range tests {
		if got := Match(tt.p, tt.v); got != tt.want {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.p, tt.v, got, tt.want)
		}
	}
	if !MatchFold("CAF?", "café") {
		t.Error("fold with a multi-byte value")
	}
}
