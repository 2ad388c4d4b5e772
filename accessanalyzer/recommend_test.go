package accessanalyzer

import (
	"strings"
	"testing"
)

// without narrows Allow statements: patterns of the finding's service are
// expanded and lose the unused actions; NotAction, "*", Deny and other
// services stay as written; a document left without statements is
// detached (IAM User Guide, "Remediate unused access findings").
func TestWithout(t *testing.T) {
	unusedListUsers := func(a string) bool { return strings.EqualFold(a, "iam:ListUsers") }
	allIAM := func(a string) bool { return strings.HasPrefix(strings.ToLower(a), "iam:") }
	for _, tc := range []struct {
		name, doc      string
		unused         func(string) bool
		changed, empty bool
		has, hasNot    []string
	}{
		{"an action removed from a list", `{"Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:ListUsers","s3:ListAllMyBuckets"],"Resource":"*"}]}`,
			unusedListUsers, true, false, []string{`"iam:GetUser"`, `"s3:ListAllMyBuckets"`}, []string{"ListUsers"}},
		{"a pattern expanded", `{"Statement":{"Effect":"Allow","Action":"iam:List*Users","Resource":"*"}}`,
			unusedListUsers, true, true, nil, nil},
		{"a pattern not touching the unused action", `{"Statement":{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}}`,
			unusedListUsers, false, false, nil, nil},
		{"NotAction, star and Deny stay", `{"Statement":[{"Effect":"Allow","NotAction":"iam:ListUsers","Resource":"*"},{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}`,
			allIAM, false, false, nil, nil},
		{"a statement of the service dropped", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`,
			allIAM, true, false, []string{`"sts:GetCallerIdentity"`, `"Version":"2012-10-17"`}, []string{"iam:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, changed, empty, err := without(tc.doc, "iam", tc.unused)
			if err != nil {
				t.Fatal(err)
			}
			if changed != tc.changed || empty != tc.empty {
				t.Fatalf("changed %v empty %v, want %v %v: %s", changed, empty, tc.changed, tc.empty, doc)
			}
			for _, h := range tc.has {
				if !strings.Contains(doc, h) {
					t.Errorf("%s lacks %s", doc, h)
				}
			}
			for _, h := range tc.hasNot {
				if strings.Contains(doc, h) {
					t.Errorf("%s has %s", doc, h)
				}
			}
		})
	}
}
