package check

import (
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/wildcard"
)

// TestContainsBounded: pathological patterns (many stars and question marks
// over a small alphabet, as long as a policy allows) are decided, or given up
// on, quickly.
func TestContainsBounded(t *testing.T) {
	for _, c := range [][2]string{
		{strings.Repeat("a*", 600), strings.Repeat("*a", 600)},
		{strings.Repeat("?*", 500), strings.Repeat("*?a", 400)},
		{strings.Repeat("*ab?", 300), strings.Repeat("a*b", 300)},
		{strings.Repeat("*", 1) + strings.Repeat("ab", 800) + "*", strings.Repeat("*a*b", 400)},
	} {
		a, b := globOf(wildcard.Escape(c[0]), false), globOf(wildcard.Escape(c[1]), false)
		start := time.Now()
		contains(newBudget(), b, a)
		contains(newBudget(), a, b)
		intersects(newBudget(), a, b)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%.20s… vs %.20s…: %v", c[0], c[1], d)
		}
		t.Logf("%.12s… vs %.12s…: %v", c[0], c[1], time.Since(start))
	}
}

// TestCheckBounded: a pair of documents built to be slow (many long patterns
// whose containment needs large subset constructions) is decided quickly, as
// FAIL once the check's budget is spent.
func TestCheckBounded(t *testing.T) {
	stmts := func(p string) string {
		var out []string
		for i := range 40 {
			out = append(out, `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b`+strings.Repeat(p, 150)+strings.Repeat("c", i%3)+`"}`)
		}
		return `{"Version":"2012-10-17","Statement":[` + strings.Join(out, ",") + `]}`
	}
	nd, err := Parse(stmts("?*a"), IdentityPolicy)
	if err != nil {
		t.Fatal(err)
	}
	ed, err := Parse(stmts("*a?"), IdentityPolicy)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	r := CheckNoNewAccess(nd, ed, IdentityPolicy)
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %v", d)
	}
	t.Logf("%s in %v", r.Result, time.Since(start))
}
