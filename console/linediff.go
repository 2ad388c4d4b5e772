package console

import "strings"

// diffLine is one line of a line diff: kept (' '), removed ('-') or
// added ('+'), with its numbers in the old and new text (0 when absent).
type diffLine struct {
	Op       byte
	Text     string
	Old, New int
}

// maxDiffCells bounds the longest-common-subsequence table of lineDiff
// (old lines × new lines): two policy documents of IAM's largest size,
// formatted, stay far below it; past it the diff is the whole old text
// removed and the whole new one added.
const maxDiffCells = 4_000_000

// lineDiff is a line diff of two texts: the lines outside a longest common
// subsequence are removed from a and added from b, removals first in each
// changed run, as `diff -u` prints them.
func lineDiff(a, b string) []diffLine {
	x, y := splitLines(a), splitLines(b)
	// Common head and tail need no table.
	head := 0
	for head < len(x) && head < len(y) && x[head] == y[head] {
		head++
	}
	tail := 0
	for tail < len(x)-head && tail < len(y)-head && x[len(x)-1-tail] == y[len(y)-1-tail] {
		tail++
	}
	mx, my := x[head:len(x)-tail], y[head:len(y)-tail]
	out := make([]diffLine, 0, len(x)+len(y))
	for i := range head {
		out = append(out, diffLine{Op: ' ', Text: x[i], Old: i + 1, New: i + 1})
	}
	oi, ni := head, head
	emit := func(op byte, text string) {
		switch op {
		case '-':
			oi++
			out = append(out, diffLine{Op: op, Text: text, Old: oi})
		case '+':
			ni++
			out = append(out, diffLine{Op: op, Text: text, New: ni})
		default:
			oi++
			ni++
			out = append(out, diffLine{Op: op, Text: text, Old: oi, New: ni})
		}
	}
	if len(mx)*len(my) > maxDiffCells {
		for _, l := range mx {
			emit('-', l)
		}
		for _, l := range my {
			emit('+', l)
		}
	} else {
		// lcs[i][j] is the length of the longest common subsequence of
		// mx[i:] and my[j:].
		w := len(my) + 1
		lcs := make([]int32, (len(mx)+1)*w)
		for i := len(mx) - 1; i >= 0; i-- {
			for j := len(my) - 1; j >= 0; j-- {
				if mx[i] == my[j] {
					lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
				} else {
					lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
				}
			}
		}
		i, j := 0, 0
		var adds []string
		flush := func() {
			for _, l := range adds {
				emit('+', l)
			}
			adds = adds[:0]
		}
		for i < len(mx) || j < len(my) {
			switch {
			case i < len(mx) && j < len(my) && mx[i] == my[j]:
				flush()
				emit(' ', mx[i])
				i++
				j++
			case j < len(my) && (i == len(mx) || lcs[i*w+j+1] >= lcs[(i+1)*w+j]):
				adds = append(adds, my[j])
				j++
			default:
				emit('-', mx[i])
				i++
			}
		}
		flush()
	}
	for k := len(x) - tail; k < len(x); k++ {
		emit(' ', x[k])
	}
	return out
}

// splitLines splits a text into lines without their endings.
func splitLines(s string) []string {
	s = strings.TrimSuffix(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
