package accessanalyzer

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/store"
)

const own = "123456789012"

func role(doc string) store.Role {
	return store.Role{Name: "R", ARN: "arn:aws:iam::" + own + ":role/R", AssumeRolePolicyDocument: doc}
}

func trust(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func TestAnalyzeRole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		want []access
	}{
		{"another account", trust(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}`),
			[]access{{Principal: map[string]string{"AWS": "arn:aws:iam::111122223333:root"}, Actions: []string{"sts:AssumeRole"}}}},
		{"own account only", trust(`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::` + own + `:root","` + own + `"]},"Action":"sts:AssumeRole"}`), nil},
		{"service", trust(`{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`), nil},
		{"everyone", trust(`{"Effect":"Allow","Principal":"*","Action":"sts:*"}`),
			[]access{{Principal: map[string]string{"AWS": "*"}, Actions: []string{"sts:AssumeRole", "sts:SetSourceIdentity", "sts:TagSession"}, Public: true}}},
		{"everyone with a condition", trust(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":["a","b"]}}}`),
			[]access{{Principal: map[string]string{"AWS": "*"}, Actions: []string{"sts:AssumeRole"}, Condition: map[string]string{"sts:ExternalId": "a,b"}}}},
		{"everyone of this account", trust(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalAccount":"` + own + `"}}}`), nil},
		{"federated", trust(`{"Effect":"Allow","Principal":{"Federated":"accounts.google.com"},"Action":"sts:AssumeRoleWithWebIdentity"}`),
			[]access{{Principal: map[string]string{"Federated": "accounts.google.com"}, Actions: []string{"sts:AssumeRoleWithWebIdentity"}}}},
		{"denied", trust(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}`,
			`{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"sts:*"}`), nil},
		{"deny with a condition does not cancel", trust(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}`,
			`{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}`),
			[]access{{Principal: map[string]string{"AWS": "111122223333"}, Actions: []string{"sts:AssumeRole"}}}},
		{"statements merge", trust(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}`,
			`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:TagSession"}`),
			[]access{{Principal: map[string]string{"AWS": "111122223333"}, Actions: []string{"sts:AssumeRole", "sts:TagSession"}}}},
		{"not principal", trust(`{"Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},"Action":"sts:AssumeRole"}`),
			[]access{{Principal: map[string]string{"AWS": "*"}, Actions: []string{"sts:AssumeRole"}, Public: true}}},
		{"other actions only", trust(`{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"sts:GetCallerIdentity"}`), nil},
		{"not a policy", `{`, nil},
	}
	for _, tt := range tests {
		got := analyzeRole(accountZone(own), role(tt.doc).AssumeRolePolicyDocument)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func TestFilters(t *testing.T) {
	t.Parallel()
	f := &findingRecord{ID: "x", Resource: "arn:aws:iam::" + own + ":role/R", ResourceType: typeRole, Owner: own,
		Principal: map[string]string{"AWS": "111122223333"}, Action: []string{"sts:AssumeRole"}, Status: "ACTIVE",
		Condition: map[string]string{"sts:ExternalId": "abc"}}
	yes, no := true, false
	tests := []struct {
		filter map[string]criterion
		want   bool
	}{
		{map[string]criterion{"resource": {Eq: []string{f.Resource}}}, true},
		{map[string]criterion{"resource": {Neq: []string{f.Resource}}}, false},
		{map[string]criterion{"principal.AWS": {Contains: []string{"1111"}}}, true},
		{map[string]criterion{"principal.Federated": {Exists: &yes}}, false},
		{map[string]criterion{"principal.Federated": {Exists: &no}}, true},
		{map[string]criterion{"condition.sts:externalid": {Eq: []string{"abc"}}}, true},
		{map[string]criterion{"isPublic": {Eq: []string{"false"}}, "status": {Eq: []string{"ACTIVE", "ARCHIVED"}}}, true},
		{map[string]criterion{"isPublic": {Eq: []string{"true"}}, "status": {Eq: []string{"ACTIVE"}}}, false},
	}
	for i, tt := range tests {
		if got := matches(tt.filter, f); got != tt.want {
			t.Errorf("%d %v: got %v", i, tt.filter, got)
		}
	}
}

func TestPaging(t *testing.T) {
	t.Parallel()
	three := int32(3)
	start, limit, err := page(nil, &three, 7)
	if err != nil || start != 0 || limit != 3 {
		t.Fatal(start, limit, err)
	}
	next := nextToken(3, 7)
	if start, _, err = page(next, &three, 7); err != nil || start != 3 {
		t.Fatal(start, err)
	}
	if nextToken(7, 7) != nil {
		t.Error("a token after the last page")
	}
	bad := "not-a-token"
	if _, _, err := page(&bad, nil, 7); err == nil {
		t.Error("a bad token was accepted")
	}
}

// TestNoHTTP: the service speaks Go types, not HTTP.
func TestNoHTTP(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pf, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range pf.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "net/http" || p == "encoding/xml" || p == "database/sql" {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}
