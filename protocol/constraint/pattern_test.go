package constraint

import "testing"

// TestPattern: a pattern applies to the whole value (the AWS API models'
// patterns are Java regular expressions matched against the entire string,
// as the model's "Member must satisfy regular expression pattern" messages
// say), and a forbidden substring — a negative lookahead RE2 cannot express —
// fails the value even when the regular expression matches.
func TestPattern(t *testing.T) {
	// IAM's path pattern from the IAM API model (pathType).
	p := MustPattern(`(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, `(/)|(/[\x{21}-\x{7E}]+/)`)
	if p.Source() != `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)` {
		t.Errorf("Source = %q", p.Source())
	}
	for s, want := range map[string]bool{"/": true, "/a/b/": true, "/a": false, "x/": false, "": false, "/a b/": false} {
		if got := p.Match(s); got != want {
			t.Errorf("Match(%q) = %v, want %v", s, got, want)
		}
	}
	// IAM's accountAliasType, ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$,
	// as the generator translates its lookahead: "--" forbidden.
	q := MustPattern(`^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`, `^[a-z0-9]([a-z0-9]|-){1,61}[a-z0-9]$`, "--")
	for s, want := range map[string]bool{"my-alias": true, "my--alias": false, "-alias": false, "ab": false} {
		if got := q.Match(s); got != want {
			t.Errorf("accountAliasType Match(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestMustPatternPanics: a pattern that does not compile is the generator's
// bug, caught at package initialisation.
func TestMustPatternPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustPattern with an invalid RE2 did not panic")
		}
	}()
	MustPattern("(", "(")
}
