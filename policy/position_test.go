package policy

import (
	"strings"
	"testing"
)

// TestLinePositions: the line index gives every offset the line and column a
// scan of the text from its start gives (lines and columns from 1, a newline
// ending its line).
func TestLinePositions(t *testing.T) {
	for _, src := range []string{"", "{}", "\n", "{\n  \"a\": 1,\n\n  \"b\": [\n]}\n", "\n\nx\ny"} {
		li := newlines(src)
		for off := 0; off <= len(src)+1; off++ {
			o := min(off, len(src))
			want := Position{Line: 1 + strings.Count(src[:o], "\n"), Column: o - strings.LastIndexByte(src[:o], '\n')}
			if got := li.position(off); got != want {
				t.Errorf("%q offset %d: %+v, want %+v", src, off, got, want)
			}
		}
	}
}
