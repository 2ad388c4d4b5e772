package policy

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
)

// The messages below are AWS's MalformedPolicyDocument messages, as IAM returns
// them (seen in AWS SDK error reports, e.g. aws/aws-cdk#7615 "Policy statement must
// contain actions.", garnaat/kappa#111 "Actions/Condition can contain only one
// colon.") and the IAM User Guide's grammar page (reference_policies_grammar.md).
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		doc  string
		want string
	}{
		{"not json", KindIdentity, `{`, "Syntax errors in policy."},
		{"array top", KindIdentity, `[]`, "Syntax errors in policy."},
		{"no statement", KindIdentity, `{"Version":"2012-10-17"}`, "Missing required field Statement"},
		{"empty statements", KindIdentity, `{"Version":"2012-10-17","Statement":[]}`, "Syntax errors in policy."},
		{"bad version", KindIdentity, `{"Version":"2013-01-01","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, "The policy failed legacy parsing"},
		{"unknown top element", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"},"Foo":1}`, "Syntax errors in policy."},
		{"unknown statement element", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Bar":1}}`, "Syntax errors in policy."},
		{"duplicate key", KindIdentity, `{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}}`, "Syntax errors in policy."},
		{"no effect", KindIdentity, `{"Statement":{"Action":"s3:*","Resource":"*"}}`, "Missing required field Effect"},
		{"bad effect", KindIdentity, `{"Statement":{"Effect":"allow","Action":"s3:*","Resource":"*"}}`, "Invalid effect: allow"},
		{"no action", KindIdentity, `{"Statement":{"Effect":"Allow","Resource":"*"}}`, "Policy statement must contain actions."},
		{"empty action", KindIdentity, `{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, "Policy statement must contain actions."},
		{"no resource", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*"}}`, "Policy statement must contain resources."},
		{"action without vendor", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"action two colons", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"}}`, "Actions/Condition can contain only one colon."},
		{"identity with principal", KindIdentity, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, "Policy document should not specify a principal."},
		{"trust without principal", KindTrust, `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, "Missing required field Principal"},
		{"resource policy without principal", KindResource, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, "Missing required field Principal"},
		{"bad principal", KindResource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"s3:*","Resource":"*"}}`, `Invalid principal in policy: "AWS":"bob"`},
		{"wildcard in principal arn", KindResource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"s3:*","Resource":"*"}}`, `Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:user/*"`},
		{"bad condition operator", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"a"}}}}`, "Invalid Condition type : StringEqualz"},
		{"duplicate sid", KindIdentity, `{"Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, "Statement IDs (SID) in a single policy must be unique."},
		{"non-alphanumeric sid", KindIdentity, `{"Statement":{"Sid":"a b","Effect":"Allow","Action":"s3:*","Resource":"*"}}`, "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"},
		{"resource not arn", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}}`, `Resource bucket must be in ARN format or "*".`},
		{"rcp principal must be star", KindRCP, `{"Statement":{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}}`, `Resource control policies must use "Principal": "*".`},
		{"deep nesting", KindIdentity, strings.Repeat("[", 100) + strings.Repeat("]", 100), "Syntax errors in policy."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.doc, tt.kind)
			if err == nil {
				t.Fatalf("Parse accepted %s", tt.doc)
			}
			se, ok := err.(*SyntaxError)
			if !ok {
				t.Fatalf("error %T, want *SyntaxError", err)
			}
			if se.Message != tt.want {
				t.Errorf("message %q, want %q", se.Message, tt.want)
			}
		})
	}
}

func TestParseForms(t *testing.T) {
	// One statement as an object, strings for one-element lists, numbers and
	// booleans as condition values, 2008 and absent versions.
	d, err := Parse(`{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
		"Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true}}}}`, KindIdentity)
	if err != nil {
		t.Fatal(err)
	}
	s := d.Statements[0]
	if d.Version != "" || d.VariablesEnabled() {
		t.Error("absent Version must disable variables")
	}
	if !reflect.DeepEqual(s.Actions, []string{"s3:GetObject"}) || !reflect.DeepEqual(s.Resources, []string{"arn:aws:s3:::b/*"}) {
		t.Errorf("actions %v resources %v", s.Actions, s.Resources)
	}
	if len(s.Conditions) != 2 || s.Conditions[0].Values[0] != "10" || s.Conditions[1].Values[0] != "true" {
		t.Errorf("conditions %+v", s.Conditions)
	}
	if got := d.Source[s.Span.Start:s.Span.End]; !strings.HasPrefix(got, "{") || !strings.HasSuffix(got, "}") {
		t.Errorf("statement span %q", got)
	}
	// A trust policy may omit Resource.
	if _, err := Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, KindTrust); err != nil {
		t.Errorf("trust policy: %v", err)
	}
}

func TestSize(t *testing.T) {
	if got := Size("{ \"a\" :\n\t1 }"); got != 7 {
		t.Errorf("Size = %d, want 7 (white space is not counted)", got)
	}
}

// TestManagedPolicies parses every AWS managed policy: real documents exercise the
// grammar more than any hand-written list.
func TestManagedPolicies(t *testing.T) {
	f, err := os.Open("../../shared/reference/managed-policies/aws-managed-policies.json.gz")
	if err != nil {
		t.Skip("reference data not present:", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Policies []struct {
			PolicyName string
			Document   json.RawMessage
		} `json:"policies"`
	}
	if err := json.NewDecoder(zr).Decode(&data); err != nil {
		t.Fatal(err)
	}
	for _, p := range data.Policies {
		d, err := Parse(string(p.Document), KindIdentity)
		if err != nil {
			t.Errorf("%s: %v", p.PolicyName, err)
			continue
		}
		if _, err := Compile(p.PolicyName, d); err != nil {
			t.Errorf("%s: compile: %v", p.PolicyName, err)
		}
		roundTrip(t, d, KindIdentity)
	}
	if len(data.Policies) < 1000 {
		t.Errorf("only %d managed policies", len(data.Policies))
	}
}

// roundTrip checks that Format's output parses to the same document.
func roundTrip(t *testing.T, d *Document, kind Kind) {
	t.Helper()
	out := d.Format()
	d2, err := Parse(out, kind)
	if err != nil {
		t.Fatalf("reparse of %s: %v", out, err)
	}
	if d2.Format() != out {
		t.Fatalf("format is not stable:\n%s\n%s", out, d2.Format())
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`)
	f.Add(`{"Statement":[{"Sid":"1","Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::x/*","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*",1,true]}}}]}`)
	f.Add(`{"Statement":{"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:role/r"]},"Action":"sts:AssumeRole"}}`)
	f.Fuzz(func(t *testing.T, doc string) {
		for _, kind := range []Kind{KindIdentity, KindTrust, KindResource} {
			d, err := Parse(doc, kind)
			if err != nil {
				continue
			}
			if _, err := Compile("fuzz", d); err != nil {
				continue
			}
			roundTrip(t, d, kind)
		}
	})
}
