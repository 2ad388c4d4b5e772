package organizations

import (
	"encoding/json"
	"testing"
)

// The cases follow the Organizations User Guide's "Inheritance operators"
// (https://docs.aws.amazon.com/organizations/latest/userguide/policy-operators.html)
// and "Policy syntax and inheritance for management policy types"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_mgmt.html),
// with the tag policy settings of their examples.
func TestMergeEffective(t *testing.T) {
	const root = `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]},"enforced_for":{"@@assign":["secretsmanager:*"]}}}}`
	for _, c := range []struct {
		name   string
		levels [][]string
		want   string
	}{
		{"no policy", [][]string{{}, {}}, ""},
		{"the root's policy, operators removed", [][]string{{root}},
			`{"tags":{"costcenter":{"enforced_for":["secretsmanager:*"],"tag_key":"CostCenter","tag_value":["100","200"]}}}`},
		{"@@append adds to the inherited array, without duplicates", [][]string{{root}, {`{"tags":{"costcenter":{"tag_value":{"@@append":["300","100"]}}}}`}},
			`{"tags":{"costcenter":{"enforced_for":["secretsmanager:*"],"tag_key":"CostCenter","tag_value":["100","200","300"]}}}`},
		{"@@remove removes inherited values", [][]string{{root}, {`{"tags":{"costcenter":{"tag_value":{"@@remove":["100"]}}}}`}},
			`{"tags":{"costcenter":{"enforced_for":["secretsmanager:*"],"tag_key":"CostCenter","tag_value":["200"]}}}`},
		{"@@assign overwrites a single value and a whole array", [][]string{{root}, {`{"tags":{"costcenter":{"tag_key":{"@@assign":"costcenter"},"tag_value":{"@@assign":["900"]}}}}`}},
			`{"tags":{"costcenter":{"enforced_for":["secretsmanager:*"],"tag_key":"costcenter","tag_value":["900"]}}}`},
		{"@@append on a single-valued setting changes nothing", [][]string{{root}, {`{"tags":{"costcenter":{"tag_key":{"@@append":"x"}}}}`}},
			`{"tags":{"costcenter":{"enforced_for":["secretsmanager:*"],"tag_key":"CostCenter","tag_value":["100","200"]}}}`},
		{"a new setting is added by @@assign and by @@append", [][]string{{root}, {`{"tags":{"project":{"tag_key":{"@@assign":"Project"},"tag_value":{"@@append":["a"]}}}}`}},
			`{"tags":{"costcenter":{"enforced_for":["secretsmanager:*"],"tag_key":"CostCenter","tag_value":["100","200"]},"project":{"tag_key":"Project","tag_value":["a"]}}}`},
		{"@@none forbids every change below the setting", [][]string{
			{`{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100"]},"@@operators_allowed_for_child_policies":["@@none"]}}}`},
			{`{"tags":{"costcenter":{"tag_key":{"@@assign":"cc"},"tag_value":{"@@append":["200"]}}}}`},
		}, `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["100"]}}}`},
		{"a list of operators allows those only", [][]string{
			{`{"tags":{"costcenter":{"tag_value":{"@@assign":["100"],"@@operators_allowed_for_child_policies":["@@append"]}}}}`},
			{`{"tags":{"costcenter":{"tag_value":{"@@append":["200"]}}}}`, `{"tags":{"costcenter":{"tag_value":{"@@remove":["100"]}}}}`},
		}, `{"tags":{"costcenter":{"tag_value":["100","200"]}}}`},
		{"a child cannot reverse an inherited limit", [][]string{
			{`{"tags":{"costcenter":{"tag_value":{"@@assign":["100"],"@@operators_allowed_for_child_policies":["@@append"]}}}}`},
			{`{"tags":{"costcenter":{"tag_value":{"@@operators_allowed_for_child_policies":["@@all"]}}}}`},
			{`{"tags":{"costcenter":{"tag_value":{"@@assign":["300"]}}}}`},
		}, `{"tags":{"costcenter":{"tag_value":["100"]}}}`},
		{"a limit binds the levels below, not its own level", [][]string{
			{`{"tags":{"costcenter":{"tag_value":{"@@assign":["100"],"@@operators_allowed_for_child_policies":["@@none"]}}}}`, `{"tags":{"costcenter":{"tag_value":{"@@append":["150"]}}}}`},
		}, `{"tags":{"costcenter":{"tag_value":["100","150"]}}}`},
		{"the root, an OU and the account, in that order", [][]string{
			{`{"tags":{"env":{"tag_value":{"@@assign":["prod","dev"]}}}}`},
			{`{"tags":{"env":{"tag_value":{"@@append":["test"]}}}}`},
			{`{"tags":{"env":{"tag_value":{"@@remove":["prod"]}}}}`},
		}, `{"tags":{"env":{"tag_value":["dev","test"]}}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			var levels [][]mgmtPolicy
			for _, l := range c.levels {
				var ps []mgmtPolicy
				for i, p := range l {
					ps = append(ps, mgmtPolicy{ID: "p-" + string(rune('a'+i)), Content: p})
				}
				levels = append(levels, ps)
			}
			got, err := mergeEffective(levels)
			if err != nil {
				t.Fatal(err)
			}
			if c.want == "" {
				if got != nil {
					t.Fatalf("got %v, want none", got)
				}
				return
			}
			b, _ := json.Marshal(got)
			if string(b) != c.want {
				t.Fatalf("got  %s\nwant %s", b, c.want)
			}
		})
	}
	if _, err := mergeEffective([][]mgmtPolicy{{{ID: "p-x", Content: "[1]"}}}); err == nil {
		t.Fatal("a policy that is not an object merged")
	}
}

// TestCheckManagementContent: the operators of "Inheritance operators" pass,
// anything else starting with "@@" and documents that are not JSON objects
// do not.
func TestCheckManagementContent(t *testing.T) {
	for _, c := range []struct {
		doc string
		ok  bool
	}{
		{`{"tags":{"cc":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@append":["1"],"@@remove":["2"]}}}}`, true},
		{`{"services":{"@@operators_allowed_for_child_policies":["@@none"],"default":{"opt_out_policy":{"@@assign":"optOut"}}}}`, true},
		{`{"services":{"@@operators_allowed_for_child_policies":["@@assign","@@append"]}}`, true},
		{`{}`, true},
		{`{"tags":{"cc":{"@@replace":"x"}}}`, false},
		{`{"services":{"@@operators_allowed_for_child_policies":[]}}`, false},
		{`{"services":{"@@operators_allowed_for_child_policies":["@@some"]}}`, false},
		{`{"services":{"@@operators_allowed_for_child_policies":"@@none"}}`, false},
		{`[]`, false},
		{`{"tags":`, false},
	} {
		if err := checkManagementContent(c.doc); (err == nil) != c.ok {
			t.Errorf("checkManagementContent(%s) = %v, want ok %v", c.doc, err, c.ok)
		}
	}
}

// FuzzCheckManagementContent: the checker never panics, and what it accepts
// the effective policy merge reads.
func FuzzCheckManagementContent(f *testing.F) {
	f.Add(`{"tags":{"cc":{"tag_key":{"@@assign":"CostCenter"}}}}`)
	f.Add(`{"s":{"@@operators_allowed_for_child_policies":["@@none"],"d":{"@@append":[1]}}}`)
	f.Add(`{"a":[{"@@x":1}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		if checkManagementContent(doc) != nil {
			return
		}
		if _, err := mergeEffective([][]mgmtPolicy{{{ID: "p", Content: doc}}}); err != nil {
			t.Fatalf("accepted %q, merge fails: %v", doc, err)
		}
	})
}
