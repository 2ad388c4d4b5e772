package iam

import (
	"slices"
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// scpAllowedServices applies SCP logic only (GenerateOrganizationsAccessReport:
// "It only applies SCP logic"; IAM User Guide, access_policies_access-advisor.md
// "Organizations policy types"): every level must allow a service (an SCP
// of the root and one of the account), and a Deny of the whole service
// removes it, one with conditions or on some resources does not.
func TestSCPAllowedServices(t *testing.T) {
	compile := func(doc string) *policy.Policy {
		t.Helper()
		d, err := policy.Parse(doc, policy.KindSCP)
		if err != nil {
			t.Fatal(err)
		}
		p, err := policy.Compile("p", d)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	allow := func(actions string) *policy.Policy {
		return compile(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` + actions + `,"Resource":"*"}]}`)
	}
	keys := func(m map[string]bool) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		slices.Sort(out)
		return out
	}
	for _, tc := range []struct {
		name   string
		levels [][]*policy.Policy
		want   []string
	}{
		{"levels intersect", [][]*policy.Policy{{allow(`["sts:*","iam:ListUsers","s3:GetObject"]`)}, {allow(`["iam:*","s3:*"]`), allow(`"ec2:*"`)}}, []string{"iam", "s3"}},
		{"a level without policies allows nothing", [][]*policy.Policy{{allow(`"*"`)}, {}}, nil},
		{"a whole-service deny removes it", [][]*policy.Policy{{allow(`["iam:*","s3:*"]`), compile(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`)}}, []string{"iam"}},
		{"a NotAction deny removes what it does not name", [][]*policy.Policy{{allow(`["iam:*","s3:*","sts:*"]`), compile(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":"sts:*","Resource":"*"}}`)}}, []string{"sts"}},
		{"a partial deny keeps it", [][]*policy.Policy{{allow(`["iam:*","s3:*"]`), compile(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:Put*","Resource":"*"}}`)}}, []string{"iam", "s3"}},
		{"a conditional deny keeps it", [][]*policy.Policy{{allow(`["s3:*"]`), compile(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}`)}}, []string{"s3"}},
		{"a deny on some resources keeps it", [][]*policy.Policy{{allow(`["s3:*"]`), compile(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::secret/*"}}`)}}, []string{"s3"}},
	} {
		if got := keys(scpAllowedServices(tc.levels)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
