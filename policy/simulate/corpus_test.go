package simulate

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// corpusCase is one conformance case: a simulate input, the decision AWS makes,
// and the documentation it encodes.
type corpusCase struct {
	Name   string          `json:"name"`
	Source string          `json:"source"`
	Note   string          `json:"note"`
	Input  json.RawMessage `json:"input"`
	Expect string          `json:"expect"`
}

func loadCorpus(t *testing.T) map[string][]corpusCase {
	t.Helper()
	files, err := filepath.Glob("testdata/corpus/*.json")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]corpusCase{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cases []corpusCase
		if err := json.Unmarshal(data, &cases); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[filepath.Base(f)] = cases
	}
	return out
}

// TestCorpus replays the conformance corpus: every case's decision must be the one
// the AWS documentation it cites describes.
func TestCorpus(t *testing.T) {
	corpus := loadCorpus(t)
	names := map[string]string{}
	total := 0
	files := make([]string, 0, len(corpus))
	for f := range corpus {
		files = append(files, f)
	}
	sort.Strings(files)
	for _, f := range files {
		for _, c := range corpus[f] {
			total++
			if prev, dup := names[c.Name]; dup {
				t.Errorf("%s: case name %q also used in %s", f, c.Name, prev)
			}
			names[c.Name] = f
			if c.Source == "" {
				t.Errorf("%s/%s: no source cited", f, c.Name)
			}
			t.Run(f+"/"+c.Name, func(t *testing.T) {
				out, err := Run(c.Input)
				if err != nil {
					t.Fatalf("simulate: %v\nsource: %s", err, c.Source)
				}
				if out.Decision != c.Expect {
					ex, _ := json.MarshalIndent(out.Explanation, "", "  ")
					t.Errorf("decision %s, want %s (%s)\nnote: %s\nexplanation: %s", out.Decision, c.Expect, c.Source, c.Note, ex)
				}
				// Evaluate's short cuts (the set's identity policies alone,
				// the candidate indexes, a prepared set's merged index) give
				// the explanation's result, down to the deny reported.
				in, err := Decode(c.Input)
				if err != nil {
					t.Fatal(err)
				}
				set, req, err := in.Build()
				if err != nil {
					t.Fatal(err)
				}
				want := policy.Explain(set, req).Result
				if got := policy.Evaluate(set, req); got != want {
					t.Errorf("Evaluate %+v, Explain %+v", got, want)
				}
				if got := policy.Evaluate(set.Prepare(), req); got != want {
					t.Errorf("Evaluate of the prepared set %+v, Explain %+v", got, want)
				}
			})
		}
	}
	if total == 0 {
		t.Fatal("the corpus is empty")
	}
	t.Logf("%d corpus cases", total)
}
