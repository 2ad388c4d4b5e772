package console

import (
	"strings"
	"testing"
)

// render is a diff as `diff` prints its lines: op and text.
func renderDiff(d []diffLine) string {
	var b strings.Builder
	for _, l := range d {
		b.WriteByte(l.Op)
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestLineDiff: a line diff keeps the common lines, shows each changed run
// as its removals then its additions, and numbers lines of both texts.
func TestLineDiff(t *testing.T) {
	for _, c := range []struct{ name, a, b, want string }{
		{"same", "a\nb\n", "a\nb", " a\n b\n"},
		{"empty to text", "", "a\nb", "+a\n+b\n"},
		{"text to empty", "a\nb", "", "-a\n-b\n"},
		{"one changed", "a\nb\nc", "a\nB\nc", " a\n-b\n+B\n c\n"},
		{"inserted", "a\nc", "a\nb\nc", " a\n+b\n c\n"},
		{"removed", "a\nb\nc", "a\nc", " a\n-b\n c\n"},
		{"run", "x\na\nb\ny", "x\nA\nB\nC\ny", " x\n-a\n-b\n+A\n+B\n+C\n y\n"},
		{"moved", "a\nb\nc\nd", "b\nc\nd\na", "-a\n b\n c\n d\n+a\n"},
		{"crlf", "a\r\nb\r\n", "a\nb\n", " a\n b\n"},
	} {
		d := lineDiff(c.a, c.b)
		if got := renderDiff(d); got != c.want {
			t.Errorf("%s: diff\n%s\nwant\n%s", c.name, got, c.want)
		}
		// Numbers: the kept and removed lines count the old text, the kept
		// and added ones the new.
		old, nw := 0, 0
		for _, l := range d {
			if l.Op != '+' {
				old++
				if l.Old != old {
					t.Errorf("%s: line %q old number %d, want %d", c.name, l.Text, l.Old, old)
				}
			}
			if l.Op != '-' {
				nw++
				if l.New != nw {
					t.Errorf("%s: line %q new number %d, want %d", c.name, l.Text, l.New, nw)
				}
			}
		}
	}
}

// TestLineDiffBounded: texts too long for the table are diffed as a whole
// removal and addition, without the quadratic table.
func TestLineDiffBounded(t *testing.T) {
	a := strings.Repeat("a\n", 2100) + "x"
	b := strings.Repeat("b\n", 2100) + "x"
	d := lineDiff(a, b)
	if len(d) != 4201 || d[0].Op != '-' || d[2100].Op != '+' || d[4200].Op != ' ' {
		t.Errorf("bounded diff: %d lines, first %c, middle %c", len(d), d[0].Op, d[2100].Op)
	}
}

// FuzzLineDiff: any two texts diff into lines that rebuild both.
func FuzzLineDiff(f *testing.F) {
	f.Add("a\nb\nc", "a\nB\nc\nd")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 2000 || len(b) > 2000 {
			return
		}
		var old, nw []string
		for _, l := range lineDiff(a, b) {
			if l.Op != '+' {
				old = append(old, l.Text)
			}
			if l.Op != '-' {
				nw = append(nw, l.Text)
			}
		}
		if strings.Join(old, "\n") != strings.Join(splitLines(a), "\n") || strings.Join(nw, "\n") != strings.Join(splitLines(b), "\n") {
			t.Errorf("diff of %q and %q does not rebuild them", a, b)
		}
	})
}
