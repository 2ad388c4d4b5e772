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
