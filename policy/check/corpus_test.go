package check

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// corpusCase is one case of testdata/corpus.json: a check, its documents, the
// expected result and the reasoning in one line.
type corpusCase struct {
	Name         string          `json:"name"`
	Check        string          `json:"check"`
	PolicyType   PolicyType      `json:"policyType"`
	New          json.RawMessage `json:"new"`
	Existing     json.RawMessage `json:"existing"`
	Policy       json.RawMessage `json:"policy"`
	Access       []Access        `json:"access"`
	ResourceType string          `json:"resourceType"`
	Expect       Outcome         `json:"expect"`
	Why          string          `json:"why"`
	Source       string          `json:"source"`
}

func loadCorpus(t testing.TB) []corpusCase {
	t.Helper()
	data, err := os.ReadFile("testdata/corpus.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []corpusCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func mustParse(t testing.TB, raw json.RawMessage, pt PolicyType) *policy.Document {
	t.Helper()
	d, err := Parse(string(raw), pt)
	if err != nil {
		t.Fatalf("parse %s: %v", raw, err)
	}
	return d
}

// run decides one corpus case.
func (c *corpusCase) run(t testing.TB) Result {
	switch c.Check {
	case "no-new-access":
		return CheckNoNewAccess(mustParse(t, c.New, c.PolicyType), mustParse(t, c.Existing, c.PolicyType), c.PolicyType)
	case "access-not-granted":
		return CheckAccessNotGranted(mustParse(t, c.Policy, c.PolicyType), c.Access, c.PolicyType)
	case "no-public-access":
		r, err := CheckNoPublicAccess(mustParse(t, c.Policy, ResourcePolicy), c.ResourceType)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	t.Fatalf("unknown check %q", c.Check)
	return Result{}
}

// TestCorpus replays testdata/corpus.json: every case's result must be the one
// its reasoning gives.
func TestCorpus(t *testing.T) {
	names := map[string]bool{}
	for _, c := range loadCorpus(t) {
		if names[c.Name] {
			t.Errorf("duplicate case %q", c.Name)
		}
		names[c.Name] = true
		if c.Why == "" || (c.Expect != Pass && c.Expect != Fail) {
			t.Errorf("%s: a case needs an expected result and its reasoning", c.Name)
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			r := c.run(t)
			if r.Result != c.Expect {
				t.Fatalf("got %s, want %s (%s); result %+v", r.Result, c.Expect, c.Why, r)
			}
			if r.Result == Fail && len(r.Reasons) == 0 {
				t.Fatalf("FAIL without a reason")
			}
		})
	}
}
