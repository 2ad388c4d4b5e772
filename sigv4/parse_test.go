package sigv4

import (
	"context"
	"net/http"
	"testing"
	"time"
)

const validAuth = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=" +
	"0000000000000000000000000000000000000000000000000000000000000000"

// TestErrors checks code, status and AWS's wording for malformed
// authentication. Wording from scratchstack-aws-signature's record of AWS
// errors (src/canonical.rs, src/auth.rs), aws/chalice#828 and
// brendanhay/amazonka#316 (IncompleteSignature with "Authorization=..."),
// versity/versitygw and minio (X-Amz-Expires limits).
func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		query  string
		header map[string]string
		code   string
		status int
		msg    string
	}{
		{"nothing", "Action=ListUsers", nil, CodeMissingAuthenticationToken, 403, "Request is missing Authentication Token"},
		{"empty authorization", "", map[string]string{"Authorization": ""}, CodeMissingAuthenticationToken, 403, "Request is missing Authentication Token"},
		{"unsupported algorithm", "", map[string]string{"Authorization": "AWS4-HMAC-SHA512 Credential=x", "X-Amz-Date": "20260101T120000Z"},
			CodeIncompleteSignature, 400, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'."},
		{"basic auth", "", map[string]string{"Authorization": "Basic dXNlcjpwYXNz"},
			CodeIncompleteSignature, 400, "Unsupported AWS 'algorithm': 'Basic'."},
		{"nothing but the algorithm", "", map[string]string{"Authorization": "AWS4-HMAC-SHA256"}, CodeIncompleteSignature, 400,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
				"Authorization=AWS4-HMAC-SHA256"},
		{"no signature", "", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iam/aws4_request, SignedHeaders=host", "X-Amz-Date": "20260101T120000Z"},
			CodeIncompleteSignature, 400, "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/iam/aws4_request, SignedHeaders=host"},
		{"no date", "", map[string]string{"Authorization": validAuth},
			CodeIncompleteSignature, 400, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + validAuth},
		{"missing equal sign", "", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential AKID/20260101/us-east-1/iam/aws4_request", "X-Amz-Date": "20260101T120000Z"},
			CodeIncompleteSignature, 400, "'Credential AKID/20260101/us-east-1/iam/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential AKID/20260101/us-east-1/iam/aws4_request'."},
		{"host not signed", "", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=x-amz-date, Signature=00", "X-Amz-Date": "20260101T120000Z"},
			CodeSignatureDoesNotMatch, 403, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{"bad date", "", map[string]string{"Authorization": validAuth, "X-Amz-Date": "2026-01-01T12:00:00Z"},
			CodeIncompleteSignature, 400, "Date must be in ISO-8601 'basic format'. Got '2026-01-01T12:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"impossible date", "", map[string]string{"Authorization": validAuth, "X-Amz-Date": "20261301T120000Z"},
			CodeIncompleteSignature, 400, "Date must be in ISO-8601 'basic format'. Got '20261301T120000Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"bad Date header", "", map[string]string{"Authorization": validAuth, "Date": "yesterday"},
			CodeIncompleteSignature, 400, "Date must be in ISO-8601 'basic format'. Got 'yesterday'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"credential with 3 parts", "", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1, SignedHeaders=host, Signature=00", "X-Amz-Date": "20260101T120000Z"},
			CodeIncompleteSignature, 400, "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20260101/us-east-1'"},
		{"every scope part wrong", "", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/eu-west-1/sts/aws5_request, SignedHeaders=host, Signature=00", "X-Amz-Date": "20260101T120000Z"},
			CodeSignatureDoesNotMatch, 403, "Credential should be scoped to a valid region, not 'eu-west-1'. Credential should be scoped to correct service: 'iam'. " +
				"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. " +
				"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20250101' != '20260101', from '20260101T120000Z'."},
		{"malformed signature", "", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=zz", "X-Amz-Date": "20260101T120000Z"},
			CodeSignatureDoesNotMatch, 403, msgSignatureMismatch},
		{"both header and query", "X-Amz-Algorithm=AWS4-HMAC-SHA256", map[string]string{"Authorization": validAuth, "X-Amz-Date": "20260101T120000Z"},
			CodeSignatureDoesNotMatch, 403, msgSignatureMismatch},
		{"query: other algorithm", "X-Amz-Algorithm=AWS4-HMAC-SHA1", nil, CodeMissingAuthenticationToken, 403, "Request is missing Authentication Token"},
		{"query: nothing else", "X-Amz-Algorithm=AWS4-HMAC-SHA256", nil, CodeIncompleteSignature, 400,
			"AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include 'X-Amz-Signature'. " +
				"AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
		{"query: no signature", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=20260101T120000Z&X-Amz-SignedHeaders=host", nil,
			CodeIncompleteSignature, 400, "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters."},
		{"query: expires not a number", presignedQuery("X-Amz-Expires=soon"), nil, CodeAuthorizationQueryParametersError, 400, "X-Amz-Expires should be a number"},
		{"query: expires negative", presignedQuery("X-Amz-Expires=-5"), nil, CodeAuthorizationQueryParametersError, 400, "X-Amz-Expires must be non-negative"},
		{"query: expires over a week", presignedQuery("X-Amz-Expires=604801"), nil, CodeAuthorizationQueryParametersError, 400,
			"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"},
		{"query: expires overflows", presignedQuery("X-Amz-Expires=99999999999999999999999"), nil, CodeAuthorizationQueryParametersError, 400,
			"X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"},
		{"query: bad date", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=now&X-Amz-SignedHeaders=host&X-Amz-Signature=00", nil,
			CodeIncompleteSignature, 400, "Date must be in ISO-8601 'basic format'. Got 'now'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"query: host not signed", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Fus-east-1%2Fiam%2Faws4_request&X-Amz-Date=20260101T120000Z&X-Amz-SignedHeaders=x-amz-date&X-Amz-Signature=00", nil,
			CodeSignatureDoesNotMatch, 403, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
	}
	v := newTestVerifier(t, 0, func(o *Options) { o.Service = "iam"; o.Regions = []string{"us-east-1"} })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := http.NewRequest(http.MethodGet, "https://iam.amazonaws.com/?"+tt.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			for k, val := range tt.header {
				r.Header.Set(k, val)
			}
			_, err = v.Verify(context.Background(), r, nil)
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("err = %v", err)
			}
			if e.Code != tt.code || e.Status != tt.status || e.Message != tt.msg {
				t.Errorf("got %s %d %q\nwant %s %d %q", e.Code, e.Status, e.Message, tt.code, tt.status, tt.msg)
			}
		})
	}
}

func presignedQuery(extra string) string {
	return "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20260101%2Fus-east-1%2Fiam%2Faws4_request" +
		"&X-Amz-Date=20260101T120000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00&" + extra
}

func TestParse(t *testing.T) {
	r, _ := sign(t, clientRequest{method: "POST", url: "https://sts.amazonaws.com/", service: "sts", body: "Action=GetCallerIdentity", token: "tok"})
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if a.AccessKeyID != testAKID || a.Service != "sts" || a.Region != "us-east-1" || a.SessionToken != "tok" || !a.Date.Equal(t0) || a.Presigned || len(a.Signature) != 64 {
		t.Errorf("auth = %+v", a)
	}
	r, _ = presign(t, clientRequest{url: "https://sts.amazonaws.com/?Action=GetCallerIdentity", service: "sts", token: "tok", expires: 60}, "")
	a, err = Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if !a.Presigned || a.Expires != time.Minute || a.SessionToken != "tok" || a.Service != "sts" {
		t.Errorf("auth = %+v", a)
	}
	if _, err := Parse(httpRequest(t, "https://iam.amazonaws.com/")); err == nil {
		t.Error("Parse of an unsigned request succeeded")
	}
}

// TestDateHeader signs with the Date header (RFC 1123) instead of X-Amz-Date.
func TestDateHeader(t *testing.T) {
	for _, date := range []string{"Thu, 01 Jan 2026 12:00:00 GMT", "20260101T120000Z"} {
		r := httpRequest(t, "https://iam.amazonaws.com/?Action=ListUsers")
		r.Header.Set("Date", date)
		a := &Auth{amzDate: "20260101T120000Z", scope: "20260101/us-east-1/iam/aws4_request", signedHeaders: "date;host"}
		key := deriveKey([]byte(testSecret), "20260101", "us-east-1", "iam")
		params := parseQuery(r.URL.RawQuery, nil)
		sig := signature(&key, a, r, params, "/", true, []byte(hexSHA256(nil)))
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=date;host, Signature="+hexString(sig[:]))
		got, err := newTestVerifier(t, 0, nil).Verify(context.Background(), r, nil)
		if err != nil {
			t.Fatalf("Date %q: %v", date, err)
		}
		if !got.Date.Equal(t0) {
			t.Errorf("Date %q: time %v", date, got.Date)
		}
	}
}

func httpRequest(t testing.TB, url string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestParseISOBasic(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"20260101T120000Z", true},
		{"20240229T235959Z", true},
		{"20250229T000000Z", false},
		{"20260101T240000Z", false},
		{"20260101T120060Z", false},
		{"20260101T120000", false},
		{"20260101 120000Z", false},
		{"2026010aT120000Z", false},
		{"+0260101T120000Z", false},
		{"", false},
	}
	for _, tt := range tests {
		var got time.Time
		if ok := parseISOBasic(tt.in, &got); ok != tt.ok {
			t.Errorf("parseISOBasic(%q) = %v, want %v", tt.in, ok, tt.ok)
		} else if ok && got.Format(isoBasic) != tt.in {
			t.Errorf("parseISOBasic(%q) = %v", tt.in, got)
		}
	}
}

// TestBareRequest verifies that a request without URL or headers is refused,
// not a panic.
func TestBareRequest(t *testing.T) {
	_, err := newTestVerifier(t, 0, nil).Verify(context.Background(), &http.Request{}, nil)
	if code, _ := errCode(t, err); code != CodeMissingAuthenticationToken {
		t.Errorf("code = %q", code)
	}
}
