package policy

import (
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// TestActionPatternFold compares the compiled action matchers (literal and
// prefix fast paths, through the words prepareAction lower-cases) with
// wildcard.MatchFold, for
// patterns and actions of every length around the word boundaries, in both
// cases, differing at every position. AWS compares action names without
// regard to case: "The prefix and the action name are case insensitive"
// (IAM User Guide, IAM JSON policy elements: Action).
func TestActionPatternFold(t *testing.T) {
	var patterns, actions []string
	for n := 0; n <= 28; n++ {
		base := strings.Repeat("s3:GetObjectAcl:xY", 2)[:n]
		patterns = append(patterns, base, base+"*", strings.ToUpper(base), strings.ToLower(base)+"*", base+"?", "*"+base)
		for i := 0; i <= n; i++ {
			for _, c := range []string{"", "q", "Q", "\x01", "é"} {
				a := base[:i] + c
				if i+1 <= n {
					a += base[i+1:]
				}
				actions = append(actions, a, strings.ToUpper(a), strings.ToLower(a), a+"x")
			}
		}
	}
	for _, p := range patterns {
		ap := compileActionPattern(p)
		for _, a := range actions {
			var st evalState
			st.init(&Request{Action: a})
			var buf [actionBuf]byte
			st.prepareAction(buf[:])
			if got, want := ap.match(&st, a), wildcard.MatchFold(p, a); got != want {
				t.Fatalf("pattern %q (kind %d) on %q: %v, want %v", p, ap.kind, a, got, want)
			}
		}
	}
}

// TestQuickPaths compares a statement's inline comparisons (one literal or
// prefix ARN; one literal or prefix action) with the general matchers, for
// patterns of every length around the word sizes and requests differing at
// every position, shorter and longer.
func TestQuickPaths(t *testing.T) {
	const arn = "arn:aws:s3:::bucket-with-a-long-name/key/and/more/bytes"
	quick := 0
	for n := 8; n <= 40; n++ {
		for _, star := range []string{"", "*"} {
			pat := arn[:n] + star
			s := &cstmt{resources: []resPattern{{arn: compileARNPattern(wildcard.Escape(pat))}}}
			s.prepareQuick()
			if s.resQuick != quickNone {
				quick++
			}
			var reqs []string
			for m := n - 1; m <= n+2; m++ {
				base := arn[:m]
				reqs = append(reqs, base)
				for i := 0; i < m; i++ {
					reqs = append(reqs, base[:i]+"#"+base[i+1:])
				}
			}
			for _, r := range reqs {
				var st evalState
				st.init(&Request{Action: "s3:GetObject", Resource: r})
				if got, want := s.resourceMatches(&st), s.resourceMatchesAny(&st); got != want {
					t.Fatalf("resource %q on %q: quick %v, general %v", pat, r, got, want)
				}
			}
		}
	}
	const action = "s3:GetObjectRetentionAndMore"
	for n := 3; n <= len(action); n++ {
		for _, star := range []string{"", "*"} {
			pat := action[:n] + star
			s := &cstmt{actions: []actionPattern{compileActionPattern(pat)}, anyResource: true}
			s.prepareQuick()
			if s.quickAct != nil {
				quick++
			}
			var reqs []string
			for m := n - 1; m <= n+2 && m <= len(action); m++ {
				base := action[:m]
				reqs = append(reqs, base, strings.ToUpper(base))
				for i := 0; i < m; i++ {
					reqs = append(reqs, base[:i]+"#"+base[i+1:])
				}
			}
			for _, a := range reqs {
				var st evalState
				st.init(&Request{Action: a, Resource: "*"})
				var buf [actionBuf]byte
				st.prepareAction(buf[:])
				if got, want := s.actionMatches(&st, a), s.actionMatchesAny(&st, a); got != want {
					t.Fatalf("action %q on %q: quick %v, general %v", pat, a, got, want)
				}
			}
		}
	}
	if quick == 0 {
		t.Fatal("no statement took a quick path")
	}
}
