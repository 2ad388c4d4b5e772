package check

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// words returns every string over alphabet of length up to n.
func words(alphabet string, n int) []string {
	out := []string{""}
	layer := []string{""}
	for range n {
		var next []string
		for _, w := range layer {
			for _, c := range alphabet {
				next = append(next, w+string(c))
			}
		}
		out = append(out, next...)
		layer = next
	}
	return out
}

// TestGlobExhaustive compares contains and intersects with brute force over
// every pattern of up to four symbols of {a, b, *, ?} and every string of up to
// six letters of {a, b, c}: both are exact, not merely safe.
func TestGlobExhaustive(t *testing.T) {
	pats := words("ab*?", 4)
	strs := words("abc", 6)
	match := make([][]bool, len(pats))
	for i, p := range pats {
		match[i] = make([]bool, len(strs))
		for j, s := range strs {
			match[i][j] = wildcard.Match(p, s)
		}
	}
	for i, a := range pats {
		ga := globOf(wildcard.Escape(a), false)
		for k, b := range pats {
			gb := globOf(wildcard.Escape(b), false)
			sub, meet := true, false
			for j := range strs {
				if match[i][j] && !match[k][j] {
					sub = false
				}
				if match[i][j] && match[k][j] {
					meet = true
				}
			}
			if got := contains(newBudget(), gb, ga); got != sub {
				t.Fatalf("contains(newBudget(), %q, %q) = %v, brute force says %v", b, a, got, sub)
			}
			if got := intersects(newBudget(), ga, gb); got != meet {
				t.Fatalf("intersects(newBudget(), %q, %q) = %v, brute force says %v", a, b, got, meet)
			}
		}
	}
}

func TestGlobLiteralStars(t *testing.T) {
	// A literal '*' (from ${*} or a StringEquals value) is not an operator.
	lit := literalGlob("a*")
	if contains(newBudget(), lit, globOf(wildcard.Escape("ab"), false)) {
		t.Fatal(`literal "a*" contains "ab"`)
	}
	if !contains(newBudget(), globOf(wildcard.Escape("a*"), false), lit) {
		t.Fatal(`pattern a* does not contain literal "a*"`)
	}
}

func TestResourceContainment(t *testing.T) {
	for _, c := range []struct {
		sup, sub string
		want     bool
	}{
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/home/*", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b", false},
		{"arn:aws:s3:::b*", "arn:aws:s3:::b", true},
		{"arn:aws:*:*:*:*", "arn:aws:s3:::b", true},
		{"arn:aws:s3:::*", "arn:aws:s3:us-east-1::b", false},
		{"*", "anything", true},
		{"arn:aws:s3:::b/*", "*", false},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:role/a/b", true},
	} {
		sup, sub := newRpat(c.sup, true), newRpat(c.sub, true)
		if got := resContains(newBudget(), &sup, &sub); got != c.want {
			t.Errorf("%s contains %s = %v, want %v", c.sup, c.sub, got, c.want)
		}
	}
}

// TestExpandMatchesEvaluator: the reference actions a pattern expands to are
// exactly those the evaluator's matcher (wildcard.MatchFold) accepts.
func TestExpandMatchesEvaluator(t *testing.T) {
	sp := newSpace()
	for _, p := range []string{"*", "s3:*", "s3:Get*", "S3:get*", "*:Get*", "s3:*Object", "s3:G?tObject", "*:*", "s?:*", "*object*", "iam:*Role*", "s3:Get*:x", "ec2:Describe*s"} {
		sp.note(p)
		o, _ := sp.expand(p)
		for i, n := range sp.cat.names {
			if want := wildcard.MatchFold(p, n); o.has(i) != want {
				t.Fatalf("%s: %s in expansion %v, evaluator says %v", p, n, o.has(i), want)
			}
		}
	}
}

// TestResourceServicesKnown: the services of every resource type are in the
// Service Authorization Reference (else no action could reach the type).
func TestResourceServicesKnown(t *testing.T) {
	c := sar()
	for rt, svcs := range resourceServices {
		for _, s := range svcs {
			if _, ok := c.service[s]; !ok {
				t.Errorf("%s: service %q is not in the reference", rt, s)
			}
		}
	}
}
