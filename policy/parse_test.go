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
		{"bad version", KindIdentity, `{"Version":"2013-01-01","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, "Syntax errors in policy."},
		{"unknown top element", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"},"Foo":1}`, "Syntax errors in policy."},
		{"unknown statement element", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Bar":1}}`, "Syntax errors in policy."},
		{"duplicate key", KindIdentity, `{"Statement":{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}}`, "Syntax errors in policy."},
		{"no effect", KindIdentity, `{"Statement":{"Action":"s3:*","Resource":"*"}}`, "Missing required field Effect"},
		{"effect wrong case", KindIdentity, `{"Statement":{"Effect":"allow","Action":"s3:*","Resource":"*"}}`, "The policy failed legacy parsing"},
		{"effect unknown", KindIdentity, `{"Statement":{"Effect":"Permit","Action":"s3:*","Resource":"*"}}`, "Syntax errors in policy."},
		{"no action", KindIdentity, `{"Statement":{"Effect":"Allow","Resource":"*"}}`, "Policy statement must contain actions."},
		{"empty action", KindIdentity, `{"Statement":{"Effect":"Allow","Action":[],"Resource":"*"}}`, "Policy statement must contain actions."},
		{"no resource", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*"}}`, "Policy statement must contain resources."},
		{"action without vendor", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"GetObject","Resource":"*"}}`, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"action two colons", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"}}`, "Actions/Condition can contain only one colon."},
		{"identity with principal", KindIdentity, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, "Policy document should not specify a principal."},
		{"trust without principal", KindTrust, `{"Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}`, "Missing required field Principal"},
		{"trust policy with no principals", KindTrust, `{"Statement":{"Effect":"Allow","Principal":{"AWS":[]},"Action":"sts:AssumeRole"}}`, "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"},
		{"boundary with principal", KindBoundary, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}`, "Policy document should not specify a principal."},
		{"scp with principal", KindSCP, `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}`, "Has prohibited field Principal"},
		{"resource policy without principal", KindResource, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, "Missing required field Principal"},
		{"bad principal", KindResource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"s3:*","Resource":"*"}}`, `Invalid principal in policy: "AWS":"bob"`},
		{"wildcard in principal arn", KindResource, `{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/*"},"Action":"s3:*","Resource":"*"}}`, `Invalid principal in policy: "AWS":"arn:aws:iam::111122223333:user/*"`},
		{"bad condition operator", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"aws:username":"a"}}}}`, "Syntax errors in policy."},
		{"double colon operator", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAnyValue::StringEqualsIfExists":{"a":"asf"}}}}`, "Syntax errors in policy."},
		{"key in place of operator", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"servicecatalog:accountLevel":"self"}}}`, "Syntax errors in policy."},
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

// TestParseWriteRules: documents IAM refuses when they are written, each with
// IAM's MalformedPolicyDocument message. Sources: getmoto/moto
// tests/test_iam/test_iam_policies.py (cases recorded from IAM's CreatePolicy,
// moto PR #2269), aws/aws-cdk#22445 (S3 ARN with a Region), the 2026 quote of
// IAM's resource path message (with "root") for CreatePolicyVersion, the
// Organizations SCP syntax page (Version), Meteor-CollectionFS#630 (a customer
// managed policy without Version).
func TestParseWriteRules(t *testing.T) {
	const iamPath = `IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.`
	stmt := func(s string) string { return `{"Version":"2012-10-17","Statement":` + s + `}` }
	tests := []struct {
		name string
		kind Kind
		doc  string
		want string // "" when the document is accepted
	}{
		{"managed without version", KindManaged, `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Policy document must be version 2012-10-17 or greater."},
		{"managed 2008", KindManaged, `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Policy document must be version 2012-10-17 or greater."},
		{"managed without version, duplicate sids", KindManaged, `{"Statement":[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"},{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`, "Policy document must be version 2012-10-17 or greater."},
		{"managed without version, bad date", KindManaged, `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}}`, "Policy document must be version 2012-10-17 or greater."},
		{"managed without version, wrong-case effect", KindManaged, `{"Statement":{"Effect":"denY","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, "Policy document must be version 2012-10-17 or greater."},
		{"managed without version, not json", KindManaged, `{"Statement":`, "Syntax errors in policy."},
		{"managed 2012", KindManaged, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}`), ""},
		{"inline without version", KindIdentity, `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, ""},
		{"inline 2008", KindIdentity, `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket"}}`, ""},
		{"scp without version", KindSCP, `{"Statement":{"Effect":"Deny","Action":"s3:*","Resource":"*"}}`, "Policy document must be version 2012-10-17 or greater."},
		{"iam arn with region", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:us-east-1::example_bucket"}`), "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."},
		{"iam arn with region in NotResource", KindIdentity, stmt(`{"Effect":"Deny","Action":"iam:*","NotResource":"arn:aws:iam:us-east-1:123456789012:role/a"}`), "IAM resource arn:aws:iam:us-east-1:123456789012:role/a cannot contain region information."},
		{"s3 bucket with region", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:us-east-1::example_bucket"}`), "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."},
		{"s3 object with region and account", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:us-west-2:123456789:test/athena"}`), "Resource arn:aws:s3:us-west-2:123456789:test/athena can not contain region information."},
		{"s3 access point with region", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point","arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/*"]}`), ""},
		{"s3 job with region", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:DescribeJob","Resource":"arn:aws:s3:us-east-1:123456789012:job/*"}`), ""},
		{"ec2 with region", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:ec2:us-east-1::example_bucket"}`), ""},
		{"iam path unknown type", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::example_bucket"}`), iamPath},
		{"iam path foo", KindManaged, stmt(`{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam::123456789012:foo/bar"}`), iamPath},
		{"iam path user", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::user/example_bucket"}`), ""},
		{"iam root and star", KindIdentity, stmt(`{"Effect":"Allow","Action":"iam:*","Resource":["arn:aws:iam::123456789012:root","arn:aws:iam::123456789012:*"]}`), ""},
		{"iam path in trust policy", KindTrust, stmt(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"sts:AssumeRole","Resource":"arn:aws:iam::123456789012:foo/bar"}`), iamPath},
		{"bucket policy with regional bucket arn", KindResource, stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1::b/*"}`), ""},
		{"date not a date", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}}`), "The policy failed legacy parsing"},
		{"date month 13", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThanEquals":{"a":"234-13"}}}`), "The policy failed legacy parsing"},
		{"date one-digit zone", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+1"}}}`), "The policy failed legacy parsing"},
		{"date ten fraction digits", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.1999999999+10:59"}}}`), "The policy failed legacy parsing"},
		{"date epoch overflow", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThan":{"a":"9223372036854775808"}}}`), "The policy failed legacy parsing"},
		{"date in list", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateNotEquals":{"aws:CurrentTime":["2020-01-01","never"]}}}`), "The policy failed legacy parsing"},
		{"date variable in 2012", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"${aws:TokenIssueTime}"}}}`), "The policy failed legacy parsing"},
		{"date 01T", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"01T"}}}`), ""},
		{"date zone +23", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+23"}}}`), ""},
		{"date negative year", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"DateLessThan":{"a":"-292275054"}}}`), ""},
		{"date negative offset", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2020-01-01T10:00:00-05:00"}}}`), ""},
		{"date in resource policy not checked", KindResource, stmt(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"never"}}}`), ""},
		{"numeric not a number accepted", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}}`), ""},
		{"ip not an ip accepted", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.300"}}}`), ""},
		{"unknown operator empty block", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::example_bucket","Condition":{"x":{},"y":{}}}`), ""},
		{"for-any-value string-like-if-exists", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":"a*"},"ForAllValues:StringEqualsIfExists":{"aws:TagKeys":"b"}}}`), ""},
		{"for-any-value null", KindIdentity, stmt(`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"ForAnyValue:Null":{"aws:TagKeys":"true"}}}`), ""},
		{"empty sid and empty value list", KindIdentity, stmt(`[{"Sid":"","Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"DateGreaterThan":{"a":[]}}},{"Sid":"","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]`), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.doc, tt.kind)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("accepted, want %q", tt.want)
			case tt.want != "" && err.Error() != tt.want:
				t.Fatalf("message %q, want %q", err.Error(), tt.want)
			}
			// Access Analyzer reads every document the grammar allows.
			if tt.want != "" && tt.want != "Syntax errors in policy." && !strings.Contains(tt.name, "effect") && !strings.Contains(tt.name, "sids") {
				if _, err := ParseGrammar(tt.doc, tt.kind); err != nil {
					t.Errorf("ParseGrammar refused: %v", err)
				}
			}
		})
	}
}

// TestParsePrincipalForms: every form of principal the IAM User Guide shows
// (reference_policies_elements_principal.md) parses in resource-based and trust
// policies and compiles.
func TestParsePrincipalForms(t *testing.T) {
	for _, p := range []string{
		`"*"`,
		`{"AWS":"*"}`,
		`{"AWS":"123456789012"}`,
		`{"AWS":"arn:aws:iam::123456789012:root"}`,
		`{"AWS":["123456789012","555555555555"]}`,
		`{"AWS":"arn:aws:iam::123456789012:role/role-name"}`,
		`{"AWS":"arn:aws:iam::123456789012:role/path/role-name"}`,
		`{"AWS":"arn:aws:sts::123456789012:assumed-role/role-name/role-session-name"}`,
		`{"AWS":"arn:aws:iam::123456789012:user/user-name"}`,
		`{"AWS":"arn:aws:sts::123456789012:federated-user/user-name"}`,
		`{"Service":"ecs.amazonaws.com"}`,
		`{"Service":["ecs.amazonaws.com","elasticloadbalancing.amazonaws.com"]}`,
		`{"Federated":"cognito-identity.amazonaws.com"}`,
		`{"Federated":"accounts.google.com"}`,
		`{"Federated":"arn:aws:iam::123456789012:saml-provider/provider-name"}`,
		`{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}`,
		`{"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}`,
		`{"AWS":"123456789012","CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}`,
	} {
		for _, kind := range []Kind{KindResource, KindTrust} {
			doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":` + p + `,"Action":"sts:AssumeRole","Resource":"*"}}`
			if kind == KindTrust {
				doc = `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":` + p + `,"Action":"sts:AssumeRole"}}`
			}
			if _, err := ParseAndCompile("p", doc, kind); err != nil {
				t.Errorf("%s principal %s: %v", kind, p, err)
			}
		}
	}
	// A VPC endpoint policy may omit Principal (it then applies to all).
	if _, err := Parse(`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, KindVPCEndpoint); err != nil {
		t.Errorf("vpce without principal: %v", err)
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
	// The catalogue the binary embeds (the same file as the shared reference).
	f, err := os.Open("../managedpolicies/aws-managed-policies.json.gz")
	if err != nil {
		t.Fatal(err)
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
