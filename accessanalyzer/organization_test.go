package accessanalyzer

import (
	"reflect"
	"testing"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/organizations"
	"github.com/gatehouse-iam/gatehouse/s3/acl"
	"github.com/gatehouse-iam/gatehouse/store"
)

// TestOrganizationZone: with the organization as the zone of trust,
// principals of member accounts are trusted and others are not; "*" is kept
// in the zone by aws:PrincipalAccount naming members or aws:PrincipalOrgID
// naming the organization (IAM User Guide, access-analyzer-findings.md: "If
// you grant permissions ... to a principal in another organization member
// account, IAM Access Analyzer does not generate a finding").
func TestOrganizationZone(t *testing.T) {
	t.Parallel()
	const member, outsider = "111122223333", "444455556666"
	org := zone{accounts: []string{own, member}, orgID: "o-abcdefghij"}
	allow := func(principal, cond string) string {
		st := `{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"`
		if cond != "" {
			st += `,"Condition":` + cond
		}
		return trust(st + "}")
	}
	assume := []string{"sts:AssumeRole"}
	tests := []struct {
		name    string
		z       zone
		doc     string
		wantAny bool
	}{
		{"member, account zone", accountZone(own), allow(`{"AWS":"`+member+`"}`, ""), true},
		{"member, organization zone", org, allow(`{"AWS":"arn:aws:iam::`+member+`:root"}`, ""), false},
		{"outsider, organization zone", org, allow(`{"AWS":"`+outsider+`"}`, ""), true},
		{"anyone of the organization", org, allow(`"*"`, `{"StringEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}}`), false},
		{"anyone of the organization, account zone", accountZone(own), allow(`"*"`, `{"StringEquals":{"aws:PrincipalOrgID":"o-abcdefghij"}}`), true},
		{"anyone of another organization", org, allow(`"*"`, `{"StringEquals":{"aws:PrincipalOrgID":"o-zzzzzzzzzz"}}`), true},
		{"anyone of member accounts", org, allow(`"*"`, `{"StringEquals":{"aws:PrincipalAccount":["`+own+`","`+member+`"]}}`), false},
		{"anyone of a member or an outsider", org, allow(`"*"`, `{"StringEquals":{"aws:PrincipalAccount":["`+member+`","`+outsider+`"]}}`), true},
	}
	for _, tt := range tests {
		got := analyzeRole(tt.z, tt.doc)
		if (len(got) > 0) != tt.wantAny {
			t.Errorf("%s: %+v", tt.name, got)
		}
		if len(got) > 0 && !reflect.DeepEqual(got[0].Actions, assume) {
			t.Errorf("%s: actions %v", tt.name, got[0].Actions)
		}
	}
	// A bucket ACL grant to a member's canonical user is inside the zone.
	b := bucketConfig{Name: "b", ACLsEnabled: true, Grants: []acl.Grant{{Grantee: acl.User(acl.CanonicalID(member)), Permission: acl.Read}}}
	if got := analyzeBucket(org, b); len(got) != 0 {
		t.Errorf("ACL grant to a member: %+v", got)
	}
	if got := analyzeBucket(accountZone(own), b); len(got) != 1 {
		t.Errorf("ACL grant to another account, account zone: %+v", got)
	}
}

// TestOrgStanding: who may keep an organization analyzer, and the reason
// codes of the model's ReasonCode otherwise.
func TestOrgStanding(t *testing.T) {
	t.Parallel()
	base := organizations.Zone{OrgID: "o-1", Management: "111111111111", Accounts: []string{"111111111111", "222222222222"}, TrustedAccess: true}
	code := func(r *analyzerapi.ReasonCode) string {
		if r == nil {
			return ""
		}
		return string(*r)
	}
	noTrust := base
	noTrust.TrustedAccess = false
	admin := base
	admin.DelegatedAdmin = true
	tests := []struct {
		name    string
		z       *organizations.Zone
		account string
		want    string
	}{
		{"management", &base, "111111111111", ""},
		{"delegated administrator", &admin, "222222222222", ""},
		{"plain member", &base, "222222222222", "DELEGATED_ADMINISTRATOR_DEREGISTERED"},
		{"no trusted access", &noTrust, "111111111111", "AWS_SERVICE_ACCESS_DISABLED"},
		{"no organization", nil, "111111111111", "ORGANIZATION_DELETED"},
	}
	for _, tt := range tests {
		if got := code(orgStanding(tt.z, tt.account)); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestExclusions: the model's AnalysisRuleCriteria, checked and matched.
func TestExclusions(t *testing.T) {
	t.Parallel()
	const owner, other = "111111111111", "222222222222"
	bad := []struct {
		name string
		org  bool
		in   analyzerapi.AnalysisRuleCriteria
	}{
		{"empty", true, analyzerapi.AnalysisRuleCriteria{}},
		{"accounts on an account analyzer", false, analyzerapi.AnalysisRuleCriteria{AccountIds: []string{other}}},
		{"owner account", true, analyzerapi.AnalysisRuleCriteria{AccountIds: []string{owner}}},
		{"not an account id", true, analyzerapi.AnalysisRuleCriteria{AccountIds: []string{"12"}}},
		{"aws: tag key", false, analyzerapi.AnalysisRuleCriteria{ResourceTags: []map[string]string{{"aws:x": "y"}}}},
		{"empty tag map", false, analyzerapi.AnalysisRuleCriteria{ResourceTags: []map[string]string{{}}}},
	}
	for _, tt := range bad {
		if _, err := checkExclusions(owner, tt.org, []analyzerapi.AnalysisRuleCriteria{tt.in}); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	excl, err := checkExclusions(owner, true, []analyzerapi.AnalysisRuleCriteria{
		{AccountIds: []string{other}, ResourceTags: []map[string]string{{"team": "red", "env": ""}}},
		{ResourceTags: []map[string]string{{"skip": ""}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tags := func(kv ...string) []store.Tag {
		var out []store.Tag
		for i := 0; i < len(kv); i += 2 {
			out = append(out, store.Tag{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	matches := []struct {
		name    string
		account string
		tags    []store.Tag
		want    bool
	}{
		{"every pair, named account", other, tags("team", "red", "env", "prod"), true},
		{"every pair, other account", owner, tags("team", "red", "env", "prod"), false},
		{"one pair missing", other, tags("team", "red"), false},
		{"value differs", other, tags("team", "blue", "env", "prod"), false},
		{"key only, any account", owner, tags("skip", "anything"), true},
		{"no tags", other, nil, false},
	}
	for _, tt := range matches {
		if got := excluded(excl, tt.account, tt.tags); got != tt.want {
			t.Errorf("%s: excluded %v, want %v", tt.name, got, tt.want)
		}
	}
	if accountExcluded(excl, other) {
		t.Error("an exclusion with tags excludes the whole account")
	}
	whole, _ := checkExclusions(owner, true, []analyzerapi.AnalysisRuleCriteria{{AccountIds: []string{other}}})
	if !accountExcluded(whole, other) || accountExcluded(whole, owner) {
		t.Error("an exclusion of accounts alone")
	}
}
