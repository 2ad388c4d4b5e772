package iam

import (
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
)

const testTemplate = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::@{bucketName}/*"},
{"Effect":"Allow","Action":"iam:GetRole","Resource":"@{roles}"}]}`

// TestRenderDelegationTemplate follows temporary-delegation-policy-templates.html:
// @{name} parameters replaced by the request's values.
func TestRenderDelegationTemplate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		params  []store.DelegationParameter
		want    string // a substring of the rendered policy
		wantErr string // a substring of the InvalidInput message
	}{
		{name: "doc example", params: []store.DelegationParameter{
			{Name: "bucketName", Values: []string{"customer-data-bucket"}, Type: "string"},
			{Name: "roles", Values: []string{"arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:role/b"}, Type: "stringList"}},
			want: `"Resource":"arn:aws:s3:::customer-data-bucket/*"`},
		{name: "list becomes an array", params: []store.DelegationParameter{
			{Name: "bucketName", Values: []string{"b"}},
			{Name: "roles", Values: []string{"arn:aws:iam::1:role/x", "arn:aws:iam::1:role/y"}, Type: "stringList"}},
			want: `"Resource":["arn:aws:iam::1:role/x","arn:aws:iam::1:role/y"]`},
		{name: "quotes cannot escape the string", params: []store.DelegationParameter{
			{Name: "bucketName", Values: []string{`b"},{"Effect":"Allow","Action":"*","Resource":"*`}},
			{Name: "roles", Values: []string{"*"}, Type: "stringList"}},
			want: `arn:aws:s3:::b\"},{\"Effect\"`},
		{name: "missing", params: []store.DelegationParameter{{Name: "bucketName", Values: []string{"b"}}}, wantErr: "The policy parameter roles is missing."},
		{name: "unknown", params: []store.DelegationParameter{{Name: "bucketName", Values: []string{"b"}}, {Name: "nope", Values: []string{"b"}}}, wantErr: "has no parameter nope"},
		{name: "twice", params: []store.DelegationParameter{{Name: "bucketName", Values: []string{"b"}}, {Name: "bucketName", Values: []string{"b"}}}, wantErr: "given twice"},
		{name: "string with two values", params: []store.DelegationParameter{{Name: "bucketName", Values: []string{"a", "b"}}}, wantErr: "exactly one value"},
		{name: "list inside a string", params: []store.DelegationParameter{{Name: "bucketName", Values: []string{"a"}, Type: "stringList"}}, wantErr: "whole string"},
		{name: "too large", params: []store.DelegationParameter{{Name: "bucketName", Values: []string{strings.Repeat("b", 2100)}}, {Name: "roles", Values: []string{"x"}, Type: "stringList"}}, wantErr: "the limit is 2048"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := RenderDelegationTemplate(testTemplate, tc.params)
			if tc.wantErr != "" {
				ae, ok := awserr.As(err)
				if !ok || ae.Code != awserr.CodeInvalidInput || !strings.Contains(ae.Message, tc.wantErr) {
					t.Fatalf("error %v, want InvalidInput containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(got, tc.want) {
				t.Fatalf("rendered %s, want it to contain %s", got, tc.want)
			}
		})
	}
}

// FuzzRenderDelegationTemplate: whatever the values, a rendered policy is a
// valid policy whose statements are the template's (a value cannot add one).
func FuzzRenderDelegationTemplate(f *testing.F) {
	f.Add("customer-data-bucket", "arn:aws:iam::1:role/x", "*")
	f.Add(`b"},{"Effect":"Allow"`, `\`, `@{roles}`)
	f.Fuzz(func(t *testing.T, bucket, r1, r2 string) {
		got, err := RenderDelegationTemplate(testTemplate, []store.DelegationParameter{
			{Name: "bucketName", Values: []string{bucket}},
			{Name: "roles", Values: []string{r1, r2}, Type: "stringList"}})
		if err != nil {
			if _, ok := awserr.As(err); !ok {
				t.Fatalf("error %v is not an AWS error", err)
			}
			return
		}
		d, err := policy.Parse(got, policy.KindSession)
		if err != nil {
			t.Fatalf("rendered an invalid policy %s: %v", got, err)
		}
		if len(d.Statements) != 2 || d.Statements[0].Actions[0] != "s3:GetObject" || len(d.Statements[1].Resources) != 2 {
			t.Fatalf("a value changed the policy's structure: %s", got)
		}
	})
}

// TestDelegationSummary: the summary names each action from the Service
// Authorization Reference, deterministically.
func TestDelegationSummary(t *testing.T) {
	r := store.DelegationRequest{RequestorName: "Example", RequestorAccount: "210987654321", SessionDuration: 5400, Description: "Set up.",
		PermissionPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:List*"],"Resource":"*"},` +
			`{"Effect":"Deny","Action":"iam:DeleteRole","Resource":"arn:aws:iam::111122223333:role/x","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}`}
	got, err := DelegationSummary(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Example (AWS account 210987654321) asks for temporary access to your account for 1 hour 30 minutes: Set up.\n",
		"If you approve, it will be able to:\n- Amazon S3: get object (Read, s3:GetObject) on any resource\n",
		"actions matching s3:List* (List)",
		"It will not be able to:\n- AWS Identity and Access Management (IAM): delete role (Write, iam:DeleteRole) on arn:aws:iam::111122223333:role/x, only when aws:MultiFactorAuthPresent Bool false\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary\n%s\nlacks %q", got, want)
		}
	}
	again, _ := DelegationSummary(r)
	if again != got {
		t.Error("the summary is not deterministic")
	}
	if w := words("GetObjectACL"); w != "get object acl" {
		t.Errorf("words = %q", w)
	}
}
