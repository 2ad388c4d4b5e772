package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// rawClient sends requests signed with one access key, byte for byte as
// given, so that input the SDKs would refuse client-side reaches the server.
type rawClient struct {
	t                     *testing.T
	url, keyID, secretKey string
}

func (c rawClient) do(req *http.Request, body, service string) (*http.Response, string) {
	c.t.Helper()
	creds := aws.Credentials{AccessKeyID: c.keyID, SecretAccessKey: c.secretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256Hex(body), service, "us-east-1", time.Now()); err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// query posts an AWS Query form to service (iam or sts).
func (c rawClient) query(service string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	body := form.Encode()
	req, _ := http.NewRequest(http.MethodPost, c.url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return c.do(req, body, service)
}

// orgs sends an AWS JSON 1.1 Organizations request.
func (c rawClient) orgs(action, body string) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+action)
	return c.do(req, body, "organizations")
}

// rest sends a REST-JSON IAM Access Analyzer request.
func (c rawClient) rest(method, path, body string) (*http.Response, string) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return c.do(req, body, "access-analyzer")
}

// newRawUser creates a user without any policy and returns a raw client
// signed with its access key: every authorization it asks for is denied.
func newRawUser(t *testing.T, srv *testserver.Server, name string) rawClient {
	t.Helper()
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return rawClient{t: t, url: srv.URL, keyID: *k.AccessKey.AccessKeyId, secretKey: *k.AccessKey.SecretAccessKey}
}

func form(action, version string, kv ...string) url.Values {
	f := url.Values{"Action": {action}, "Version": {version}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// queryErr is the error of an AWS Query error document.
func queryErr(body string) (code, message string) {
	code = between(body, "<Code>", "</Code>")
	message = between(body, "<Message>", "</Message>")
	return code, message
}

func between(s, open, close string) string {
	i := strings.Index(s, open)
	if i < 0 {
		return ""
	}
	s = s[i+len(open):]
	j := strings.Index(s, close)
	if j < 0 {
		return ""
	}
	return s[:j]
}

// TestModelValidationPrecedesAuthorization pins that input breaking the API
// model's constraints is refused with the protocol's validation error before
// anything else is decided: a caller without any permission sees the
// validation error, not AccessDenied, and a semantic check (no such entity,
// a limit) never answers first.
//
// The messages are AWS's as recorded against AWS in localstack/localstack
// (tests/aws/services/iam/test_iam_policies.snapshot.json,
// test_iam_roles.snapshot.json, February 2026; tests/aws/services/sts/
// test_sts.snapshot.json): IAM leaves the value out ("1 validation error
// detected: Value at 'versionId' failed to satisfy constraint: Member must
// satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?",
// "Value at 'tags.1.member.key' ...") and reports a list of scalars once,
// with all the constraints of its member shape ("Value at 'tagKeys' failed
// to satisfy constraint: Member must satisfy constraint: [Member must have
// length less than or equal to 128, Member must have length greater than or
// equal to 1, Member must satisfy regular expression pattern:
// [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]"); STS quotes it
// ("Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint:
// ..."). The member is named in lower camel case, several errors are joined
// by "; " after "N validation errors detected: ".
func TestModelValidationPrecedesAuthorization(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	nobody := newRawUser(t, srv, "nobody")
	root := rawClient{t: t, url: srv.URL, keyID: testserver.RootKeyID, secretKey: testserver.RootSecretKey}
	const iamV, stsV = "2010-05-08", "2011-06-15"
	long := strings.Repeat("a", 65)
	tests := []struct {
		name    string
		service string
		form    url.Values
		want    string
	}{
		{"pattern", "iam", form("CreateUser", iamV, "UserName", "a b"),
			`1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"length", "iam", form("CreateUser", iamV, "UserName", long),
			"1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"required", "iam", form("CreateUser", iamV),
			"1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must not be null"},
		{"two errors", "iam", form("CreateUser", iamV, "UserName", ""),
			`2 validation errors detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+; Value at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1`},
		// IAM's own message for a malformed path, before authorization
		// (test_iam_mfa.snapshot.json: create-invalid-path-no-trailing-slash-error);
		// a path too long gets the model's message (create-path-too-long-error),
		// and so does a path with another member failing.
		{"path pattern", "iam", form("CreateUser", iamV, "UserName", "ok", "Path", "/no-trailing-slash"),
			"The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters."},
		{"path pattern, mfa device", "iam", form("CreateVirtualMFADevice", iamV, "VirtualMFADeviceName", "d", "Path", "test"),
			"The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters."},
		{"path length", "iam", form("CreateUser", iamV, "UserName", "ok", "Path", "/"+strings.Repeat("a", 511)+"/"),
			"1 validation error detected: Value at 'path' failed to satisfy constraint: Member must have length less than or equal to 512"},
		{"path pattern beside a model error", "iam", form("CreateUser", iamV, "UserName", "a b", "Path", "nope"),
			`1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"enum", "iam", form("UpdateAccessKey", iamV, "AccessKeyId", "AKIAIOSFODNN7EXAMPLE", "Status", "Enabled"),
			"1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]"},
		{"range", "iam", form("ListUsers", iamV, "MaxItems", "0"),
			"1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"nested member", "iam", form("TagUser", iamV, "UserName", "ghost", "Tags.member.1.Key", "a*b", "Tags.member.1.Value", "v"),
			`1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`},
		{"nested required", "iam", form("TagUser", iamV, "UserName", "ghost", "Tags.member.1.Value", "v"),
			"1 validation error detected: Value at 'tags.1.member.key' failed to satisfy constraint: Member must not be null"},
		// NoSuchEntity would be the answer to a valid name.
		{"before NoSuchEntity", "iam", form("GetUser", iamV, "UserName", "no/such"),
			`1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		// A list of scalars is reported once, with every constraint of its
		// member shape (test_iam_policies.snapshot.json: err-untag-large-key).
		{"list member", "iam", form("UntagUser", iamV, "UserName", "ghost", "TagKeys.member.1", "ok", "TagKeys.member.2", "a*b", "TagKeys.member.3", ""),
			`1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+, Member must not be null]`},
		// A missing required list (as IAM reports a missing thumbprintList:
		// "Value at 'thumbprintList' failed to satisfy constraint: Member must
		// not be null").
		{"required list", "iam", form("UntagUser", iamV, "UserName", "ghost"),
			"1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must not be null"},
		// Not recorded: the form of the lists above, whose members are not
		// known to be non-null.
		{"list of enums", "iam", form("GetAccountAuthorizationDetails", iamV, "Filter.member.1", "Bogus"),
			"1 validation error detected: Value at 'filter' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [User, Role, Group, LocalManagedPolicy, AWSManagedPolicy]]"},
		// Without "Member must not be null" for these lists; AWS's order of
		// the three differs from the model's, unexplained, so one list here
		// (test_iam_oidc.snapshot.json: multiple-validation-errors).
		{"list member without not-null", "iam", form("CreateOpenIDConnectProvider", iamV, "Url", "https://x.example.com", "ThumbprintList.member.1", "short"),
			"1 validation error detected: Value at 'thumbprintList' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 40, Member must have length greater than or equal to 40]"},
		{"sts quotes the value", "sts", form("AssumeRole", stsV, "RoleArn", "arn:aws:iam::123456789012:role/r", "RoleSessionName", "Session1:2"),
			`1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{"sts range", "sts", form("GetSessionToken", stsV, "DurationSeconds", "899"),
			"1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"},
		{"sts length", "sts", form("AssumeRole", stsV, "RoleArn", "arn:aws:iam::1:role/r", "RoleSessionName", "s"),
			"1 validation error detected: Value 's' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"},
	}
	for _, tt := range tests {
		for _, who := range []struct {
			name string
			c    rawClient
		}{{"nobody", nobody}, {"root", root}} {
			t.Run(tt.name+"/"+who.name, func(t *testing.T) {
				who.c.t = t
				resp, body := who.c.query(tt.service, tt.form)
				code, msg := queryErr(body)
				if resp.StatusCode != http.StatusBadRequest || code != "ValidationError" {
					t.Fatalf("status %d code %q, want 400 ValidationError: %s", resp.StatusCode, code, body)
				}
				if unescaped := xmlUnescape(msg); unescaped != tt.want {
					t.Errorf("message\n got %s\nwant %s", unescaped, tt.want)
				}
			})
		}
	}

	// Unsigned STS actions are decoded before the token is examined.
	t.Run("unsigned web identity", func(t *testing.T) {
		f := form("AssumeRoleWithWebIdentity", stsV, "RoleArn", "arn:aws:iam::123456789012:role/r",
			"RoleSessionName", "bad name", "WebIdentityToken", "xxxx")
		resp, err := http.PostForm(srv.URL+"/", f)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		code, msg := queryErr(string(b))
		want := `1 validation error detected: Value 'bad name' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`
		if resp.StatusCode != 400 || code != "ValidationError" || xmlUnescape(msg) != want {
			t.Errorf("%d %s %s", resp.StatusCode, code, b)
		}
	})

	// Organizations (AWS JSON 1.1) reports a model constraint as
	// InvalidInputException with a Reason and a generic message ("You
	// provided a value that does not match the required pattern.", as
	// reported in boto/boto3#4565 for ListPoliciesForTarget; the reasons are
	// the model's InvalidInputExceptionReason enumeration).
	orgTests := []struct {
		name, action, body, reason, message string
	}{
		{"pattern", "DescribeAccount", `{"AccountId":"abc"}`, "INVALID_PATTERN", "You provided a value that does not match the required pattern."},
		{"required", "DescribeAccount", `{}`, "INPUT_REQUIRED", "You must specify a value for all required parameters."},
		{"enum", "ListPolicies", `{"Filter":"NO_SUCH_POLICY"}`, "INVALID_ENUM", "You specified an invalid value."},
		{"range", "ListAccounts", `{"MaxResults":0}`, "MIN_VALUE_EXCEEDED", "You provided a numeric parameter that has a smaller value than allowed."},
	}
	for _, tt := range orgTests {
		t.Run("organizations "+tt.name, func(t *testing.T) {
			nobody.t = t
			resp, body := nobody.orgs(tt.action, tt.body)
			var e struct {
				Type    string `json:"__type"`
				Message string `json:"Message"`
				Reason  string `json:"Reason"`
			}
			if err := json.Unmarshal([]byte(body), &e); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			if resp.StatusCode != 400 || e.Type != "InvalidInputException" || e.Message != tt.message || e.Reason != tt.reason {
				t.Errorf("got %d %s, want 400 InvalidInputException %s %q", resp.StatusCode, body, tt.reason, tt.message)
			}
		})
	}

	// IAM Access Analyzer (REST-JSON) answers ValidationException with the
	// Query services' message form and the members in lower camel case, as
	// its model names them.
	t.Run("access analyzer enum", func(t *testing.T) {
		nobody.t = t
		resp, body := nobody.rest(http.MethodPost, "/policy/validation", `{"policyDocument":"{}","policyType":"BAD"}`)
		var e struct {
			Message   string `json:"message"`
			Reason    string `json:"reason"`
			FieldList []struct {
				Name string `json:"name"`
			} `json:"fieldList"`
		}
		if err := json.Unmarshal([]byte(body), &e); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		want := "1 validation error detected: Value 'BAD' at 'policyType' failed to satisfy constraint: Member must satisfy enum value set: [IDENTITY_POLICY, RESOURCE_POLICY, SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY]"
		if resp.StatusCode != 400 || resp.Header.Get("x-amzn-ErrorType") != "ValidationException" || e.Message != want ||
			e.Reason != "fieldValidationFailed" || len(e.FieldList) != 1 || e.FieldList[0].Name != "policyType" {
			t.Errorf("got %d %s %s", resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), body)
		}
	})

	// The same requests with valid input are denied to nobody: the
	// validation errors above were not an accident of the caller.
	t.Run("valid input is denied", func(t *testing.T) {
		nobody.t = t
		resp, body := nobody.query("iam", form("GetUser", iamV, "UserName", "nobody2"))
		if code, _ := queryErr(body); resp.StatusCode != 403 || code != "AccessDenied" {
			t.Errorf("IAM: %d %s", resp.StatusCode, body)
		}
		resp, body = nobody.orgs("DescribeAccount", `{"AccountId":"123456789012"}`)
		if !strings.Contains(body, `"__type":"AccessDeniedException"`) {
			t.Errorf("Organizations: %d %s", resp.StatusCode, body)
		}
		resp, body = nobody.rest(http.MethodPost, "/policy/validation", `{"policyDocument":"{}","policyType":"IDENTITY_POLICY"}`)
		if resp.StatusCode != 403 || resp.Header.Get("x-amzn-ErrorType") != "AccessDeniedException" {
			t.Errorf("Access Analyzer: %d %s", resp.StatusCode, body)
		}
	})
}

// xmlUnescape undoes the escaping of XML text.
func xmlUnescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#34;", `"`, "&apos;", "'", "&#39;", "'", "&#x9;", "\t", "&#xA;", "\n", "&#xD;", "\r", "&amp;", "&").Replace(s)
}
