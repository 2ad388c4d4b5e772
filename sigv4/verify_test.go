package sigv4

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// TestAWSDocumentedExample verifies the IAM ListUsers example of AWS's
// "Create a signed AWS API request" documentation
// (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
// canonical request hash f536975d..., signature 5d672d79....
func TestAWSDocumentedExample(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	req.Header.Set("X-Amz-Date", "20150830T123600Z")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
	when := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	v, err := NewVerifier(Options{Lookup: testKeys, Now: func() time.Time { return when }, Service: "iam", Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := v.Verify(context.Background(), req, nil)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if a.AccessKeyID != testAKID || a.Region != "us-east-1" || a.Service != "iam" || !a.Date.Equal(when) || a.Presigned {
		t.Errorf("auth = %+v", a)
	}
	if want := []string{"content-type", "host", "x-amz-date"}; !slices.Equal(a.SignedHeaders, want) {
		t.Errorf("SignedHeaders = %q, want %q", a.SignedHeaders, want)
	}
	// The documented intermediate values.
	key := deriveKey([]byte(testSecret), "20150830", "us-east-1", "iam")
	if got := hexString(key[:]); got != "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9" {
		t.Errorf("signing key = %s", got)
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// odd is a query value with characters that need encoding.
const odd = "a b~c+d=e&f/ü*é%"

func TestVerifyHeaderSigned(t *testing.T) {
	form := "Action=CreateUser&UserName=alice&Version=2010-05-08&Path=%2Fdivision%2F"
	tests := []struct {
		name string
		req  clientRequest
	}{
		{"GET query", clientRequest{url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"}},
		{"GET no query", clientRequest{url: "https://iam.amazonaws.com/"}},
		{"GET empty path", clientRequest{url: "https://iam.amazonaws.com"}},
		{"POST form", clientRequest{method: "POST", url: "https://iam.amazonaws.com/", body: form,
			header: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}}},
		{"session token", clientRequest{method: "POST", url: "https://sts.amazonaws.com/", service: "sts", body: "Action=GetCallerIdentity&Version=2011-06-15",
			token: "FwoGZXIvYXdzEBYaDH+token/with=odd+chars"}},
		{"regional sts", clientRequest{method: "POST", url: "https://sts.eu-west-1.amazonaws.com/", service: "sts", region: "eu-west-1", body: "Action=GetCallerIdentity&Version=2011-06-15"}},
		{"odd query values", clientRequest{url: "https://iam.amazonaws.com/?v=" + strings.NewReplacer("%", "%25", " ", "%20", "+", "%2B", "=", "%3D", "&", "%26", "/", "%2F", "ü", "%C3%BC", "é", "%C3%A9").Replace(odd)}},
		{"repeated keys", clientRequest{url: "https://iam.amazonaws.com/?b=2&a=z&a=y&a=&c&a=x"}},
		{"keys that sort differently encoded", clientRequest{url: "https://iam.amazonaws.com/?k=a%2Fb&k=a-b&k%2F=1&k-=2"}},
		{"odd path", clientRequest{url: "https://example.com/a%20b/~tilde/%C3%BC/plus+/eq=/%2F/x"}},
		{"dot segments kept", clientRequest{url: "https://example.com/a/./b/../c//d"}},
		{"port", clientRequest{url: "http://127.0.0.1:9000/?Action=ListUsers"}},
		{"multi-value header", clientRequest{url: "https://iam.amazonaws.com/", header: map[string][]string{"X-Amz-Meta-Thing": {" one  two ", "three"}}}},
		{"header with inner spaces", clientRequest{method: "POST", url: "https://iam.amazonaws.com/", body: "x=1",
			header: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded;   charset=utf-8"}}}},
		{"long body", clientRequest{method: "POST", url: "https://iam.amazonaws.com/", body: strings.Repeat("Param=value&", 500)}},
		{"PUT", clientRequest{method: "PUT", url: "https://iam.amazonaws.com/x", body: "{}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := sign(t, tt.req)
			c := tt.req.defaults()
			a, err := newTestVerifier(t, 0, nil).Verify(context.Background(), r, body)
			if err != nil {
				t.Fatalf("Verify: %v\nAuthorization: %s\nURI: %s", err, r.Header.Get("Authorization"), r.RequestURI)
			}
			if a.AccessKeyID != c.akid || a.Region != c.region || a.Service != c.service || !a.Date.Equal(t0) ||
				a.SessionToken != c.token || a.Presigned || a.Signature == "" || !slices.Contains(a.SignedHeaders, "host") {
				t.Errorf("auth = %+v", a)
			}
		})
	}
}

func TestVerifyPresigned(t *testing.T) {
	tests := []struct {
		name    string
		req     clientRequest
		payload string
	}{
		{"GET", clientRequest{url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"}, ""},
		{"expires", clientRequest{url: "https://iam.amazonaws.com/?Action=ListUsers", expires: 3600}, ""},
		{"session token", clientRequest{url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", service: "sts", token: "tok/en+with=stuff"}, ""},
		{"unsigned payload", clientRequest{url: "https://s3.amazonaws.com/bucket/key", service: "s3"}, "UNSIGNED-PAYLOAD"},
		{"odd query", clientRequest{url: "https://iam.amazonaws.com/?q=%20%2B%7E%C3%BC&q=a&r"}, ""},
		{"signed extra header", clientRequest{url: "https://sts.amazonaws.com/?Action=GetCallerIdentity", service: "sts",
			header: map[string][]string{"X-K8s-Aws-Id": {"my-cluster"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := presign(t, tt.req, tt.payload)
			c := tt.req.defaults()
			a, err := newTestVerifier(t, time.Minute, nil).Verify(context.Background(), r, body)
			if err != nil {
				t.Fatalf("Verify: %v\nURI: %s", err, r.RequestURI)
			}
			if !a.Presigned || a.AccessKeyID != c.akid || a.SessionToken != c.token || a.Service != c.service ||
				a.Expires != time.Duration(c.expires)*time.Second {
				t.Errorf("auth = %+v", a)
			}
		})
	}
}

// TestTamper changes one part of a signed request at a time; each change
// must be caught.
func TestTamper(t *testing.T) {
	base := clientRequest{
		method: "POST",
		url:    "https://iam.amazonaws.com/path?Action=ListUsers&Version=2010-05-08",
		body:   "Action=CreateUser&UserName=alice",
		header: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}},
	}
	mismatch := CodeSignatureDoesNotMatch
	tests := []struct {
		name   string
		tamper func(r *http.Request, body []byte) []byte
		opts   func(*Options)
		code   string
		msg    string // substring of the message
	}{
		{"untouched", nil, nil, "", ""},
		{"method", func(r *http.Request, b []byte) []byte { r.Method = "PUT"; return b }, nil, mismatch, msgSignatureMismatch},
		{"path", func(r *http.Request, b []byte) []byte {
			r.RequestURI = strings.Replace(r.RequestURI, "/path", "/pat", 1)
			return b
		}, nil, mismatch, msgSignatureMismatch},
		{"query value", func(r *http.Request, b []byte) []byte {
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "ListUsers", "ListRoles", 1)
			return b
		}, nil, mismatch, msgSignatureMismatch},
		{"query added", func(r *http.Request, b []byte) []byte { r.URL.RawQuery += "&x=1"; return b }, nil, mismatch, msgSignatureMismatch},
		{"header value", func(r *http.Request, b []byte) []byte { r.Header.Set("Content-Type", "text/plain"); return b }, nil, mismatch, msgSignatureMismatch},
		{"header repeated", func(r *http.Request, b []byte) []byte { r.Header.Add("Content-Type", "text/plain"); return b }, nil, mismatch, msgSignatureMismatch},
		{"host", func(r *http.Request, b []byte) []byte { r.Host = "evil.example.com"; return b }, nil, mismatch, msgSignatureMismatch},
		{"body", func(r *http.Request, b []byte) []byte { return []byte("Action=CreateUser&UserName=mallory") }, nil, mismatch, msgSignatureMismatch},
		{"body emptied", func(r *http.Request, b []byte) []byte { return nil }, nil, mismatch, msgSignatureMismatch},
		{"date", func(r *http.Request, b []byte) []byte { r.Header.Set("X-Amz-Date", "20260101T120001Z"); return b }, nil, mismatch, msgSignatureMismatch},
		{"signature", func(r *http.Request, b []byte) []byte { editAuth(r, "Signature=", "Signature=0"); return b }, nil, mismatch, msgSignatureMismatch},
		{"signature upper case", func(r *http.Request, b []byte) []byte {
			h := r.Header.Get("Authorization")
			i := strings.Index(h, "Signature=") + len("Signature=")
			r.Header.Set("Authorization", h[:i]+strings.ToUpper(h[i:]))
			return b
		}, nil, mismatch, msgSignatureMismatch},
		{"signed headers", func(r *http.Request, b []byte) []byte { editAuth(r, "content-type;", ""); return b }, nil, mismatch, msgSignatureMismatch},
		{"region, any accepted", func(r *http.Request, b []byte) []byte { editAuth(r, "/us-east-1/", "/us-west-2/"); return b }, nil, mismatch, msgSignatureMismatch},
		{"region, us-east-1 expected", func(r *http.Request, b []byte) []byte { editAuth(r, "/us-east-1/", "/us-west-2/"); return b },
			func(o *Options) { o.Regions = []string{"us-east-1"} }, mismatch, "Credential should be scoped to a valid region, not 'us-west-2'."},
		{"service, any accepted", func(r *http.Request, b []byte) []byte { editAuth(r, "/iam/", "/sts/"); return b }, nil, mismatch, msgSignatureMismatch},
		{"service, iam expected", func(r *http.Request, b []byte) []byte { editAuth(r, "/iam/", "/sts/"); return b },
			func(o *Options) { o.Service = "iam" }, mismatch, "Credential should be scoped to correct service: 'iam'."},
		{"other known key", func(r *http.Request, b []byte) []byte { editAuth(r, testAKID+"/", otherAKID+"/"); return b }, nil, mismatch, msgSignatureMismatch},
		{"unknown key", func(r *http.Request, b []byte) []byte { editAuth(r, testAKID+"/", "AKIDNOPE/"); return b }, nil, CodeInvalidClientTokenID, msgInvalidToken},
		{"scope date", func(r *http.Request, b []byte) []byte { editAuth(r, "/20260101/", "/20251231/"); return b }, nil, mismatch,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20251231' != '20260101', from '20260101T120000Z'."},
		{"terminator", func(r *http.Request, b []byte) []byte { editAuth(r, "/aws4_request", "/aws5_request"); return b }, nil, mismatch,
			"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."},
		{"content sha256 lies", func(r *http.Request, b []byte) []byte {
			r.Header.Set("X-Amz-Content-Sha256", hexSHA256([]byte("other")))
			return b
		}, nil, CodeXAmzContentSHA256Mismatch, msgPayloadMismatch},
		{"unsigned payload with a body", func(r *http.Request, b []byte) []byte {
			r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
			return b
		}, nil, CodeXAmzContentSHA256Mismatch, msgPayloadMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := sign(t, base)
			if tt.tamper != nil {
				body = tt.tamper(r, body)
			}
			_, err := newTestVerifier(t, 0, tt.opts).Verify(context.Background(), r, body)
			code, msg := errCode(t, err)
			if code != tt.code || !strings.Contains(msg, tt.msg) {
				t.Errorf("got %s %q, want %s %q", code, msg, tt.code, tt.msg)
			}
		})
	}
}

func editAuth(r *http.Request, old, repl string) {
	h := r.Header.Get("Authorization")
	if !strings.Contains(h, old) {
		panic("no " + old + " in " + h)
	}
	r.Header.Set("Authorization", strings.Replace(h, old, repl, 1))
}

// TestTamperPresigned changes the query of a presigned URL.
func TestTamperPresigned(t *testing.T) {
	base := clientRequest{url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", service: "sts", token: "tok", expires: 900}
	tests := []struct {
		name   string
		tamper func(q string) string
		code   string
	}{
		{"untouched", func(q string) string { return q }, ""},
		{"action", func(q string) string { return strings.Replace(q, "GetCallerIdentity", "AssumeRole", 1) }, CodeSignatureDoesNotMatch},
		{"token", func(q string) string {
			return strings.Replace(q, "X-Amz-Security-Token=tok", "X-Amz-Security-Token=tik", 1)
		}, CodeSignatureDoesNotMatch},
		{"expires", func(q string) string { return strings.Replace(q, "X-Amz-Expires=900", "X-Amz-Expires=901", 1) }, CodeSignatureDoesNotMatch},
		{"signed headers", func(q string) string {
			return strings.Replace(q, "X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=host%3Bx", 1)
		}, CodeSignatureDoesNotMatch},
		{"extra param", func(q string) string { return q + "&RoleArn=x" }, CodeSignatureDoesNotMatch},
		{"reordered", func(q string) string {
			parts := strings.Split(q, "&")
			slices.Reverse(parts)
			return strings.Join(parts, "&")
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := presign(t, base, "")
			r.URL.RawQuery = tt.tamper(r.URL.RawQuery)
			_, err := newTestVerifier(t, 0, nil).Verify(context.Background(), r, body)
			if code, msg := errCode(t, err); code != tt.code {
				t.Errorf("got %s %q, want %s", code, msg, tt.code)
			}
		})
	}
}

// TestPlusOnTheWire sends a space as '+' in the query instead of %20, as
// form encoders do; it decodes to the same value, so it verifies.
func TestPlusOnTheWire(t *testing.T) {
	r, body := sign(t, clientRequest{url: "https://iam.amazonaws.com/?UserName=a%20b"})
	if !strings.Contains(r.URL.RawQuery, "a%20b") {
		t.Fatalf("query %q", r.URL.RawQuery)
	}
	r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "a%20b", "a+b", 1)
	if _, err := newTestVerifier(t, 0, nil).Verify(context.Background(), r, body); err != nil {
		t.Fatal(err)
	}
}

// TestNormalisedPath accepts the signature of a client that removed dot
// segments before signing (botocore, the Java SDK).
func TestNormalisedPath(t *testing.T) {
	r, body := sign(t, clientRequest{url: "https://example.com/a/c/"})
	r.RequestURI = "/a/./b/../c//"
	if _, err := newTestVerifier(t, 0, nil).Verify(context.Background(), r, body); err != nil {
		t.Fatal(err)
	}
}

func TestClockSkew(t *testing.T) {
	tests := []struct {
		name  string
		clock time.Duration // server clock minus signing time
		code  string
		msg   string
	}{
		{"exact", 0, "", ""},
		{"server 15 min ahead", 15 * time.Minute, "", ""},
		{"server 15 min behind", -15 * time.Minute, "", ""},
		{"server 15 min 1 s ahead", 15*time.Minute + time.Second, CodeSignatureDoesNotMatch,
			"Signature expired: 20260101T120000Z is now earlier than 20260101T120001Z (20260101T121501Z - 15 min.)"},
		{"server 30 min behind", -30 * time.Minute, CodeSignatureDoesNotMatch,
			"Signature not yet current: 20260101T120000Z is still later than 20260101T114500Z (20260101T113000Z + 15 min.)"},
		{"server a day ahead", 24 * time.Hour, CodeSignatureDoesNotMatch,
			"Signature expired: 20260101T120000Z is now earlier than 20260102T114500Z (20260102T120000Z - 15 min.)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := sign(t, clientRequest{url: "https://iam.amazonaws.com/?Action=ListUsers"})
			_, err := newTestVerifier(t, tt.clock, nil).Verify(context.Background(), r, body)
			if code, msg := errCode(t, err); code != tt.code || msg != tt.msg {
				t.Errorf("got %s %q\nwant %s %q", code, msg, tt.code, tt.msg)
			}
		})
	}
}

func TestPresignedExpiry(t *testing.T) {
	tests := []struct {
		name    string
		expires int
		clock   time.Duration
		code    string
		msg     string
	}{
		{"within expiry", 3600, 59 * time.Minute, "", ""},
		{"at expiry", 3600, time.Hour, "", ""},
		{"past expiry", 3600, time.Hour + time.Second, CodeAccessDenied, msgRequestExpired},
		{"a week", 604800, 6 * 24 * time.Hour, "", ""},
		{"short expiry", 60, 61 * time.Second, CodeAccessDenied, msgRequestExpired},
		{"no expiry, within skew", 0, 14 * time.Minute, "", ""},
		{"no expiry, past skew", 0, 16 * time.Minute, CodeSignatureDoesNotMatch, "Signature expired: 20260101T120000Z is now earlier than 20260101T120100Z (20260101T121600Z - 15 min.)"},
		{"signed in the future", 3600, -20 * time.Minute, CodeSignatureDoesNotMatch,
			"Signature not yet current: 20260101T120000Z is still later than 20260101T115500Z (20260101T114000Z + 15 min.)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := presign(t, clientRequest{url: "https://iam.amazonaws.com/?Action=ListUsers", expires: tt.expires}, "")
			_, err := newTestVerifier(t, tt.clock, nil).Verify(context.Background(), r, body)
			if code, msg := errCode(t, err); code != tt.code || msg != tt.msg {
				t.Errorf("got %s %q\nwant %s %q", code, msg, tt.code, tt.msg)
			}
		})
	}
}

func TestLookupFailure(t *testing.T) {
	boom := errors.New("store is down")
	r, body := sign(t, clientRequest{url: "https://iam.amazonaws.com/"})
	v := newTestVerifier(t, 0, func(o *Options) {
		o.Lookup = func(context.Context, string) ([]byte, error) { return nil, boom }
	})
	_, err := v.Verify(context.Background(), r, body)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInternalFailure || e.Status != http.StatusInternalServerError || !errors.Is(err, boom) {
		t.Fatalf("err = %#v", err)
	}
	if strings.Contains(e.Message, "store is down") {
		t.Errorf("internal cause leaked into the message: %q", e.Message)
	}
}

func TestUnknownKeyIsWrapped(t *testing.T) {
	r, body := sign(t, clientRequest{url: "https://iam.amazonaws.com/", akid: "AKIDNOPE", secret: "x"})
	_, err := newTestVerifier(t, 0, nil).Verify(context.Background(), r, body)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInvalidClientTokenID || e.Status != http.StatusForbidden || !errors.Is(err, ErrUnknownAccessKey) {
		t.Fatalf("err = %#v", err)
	}
}

func TestNewVerifierValidates(t *testing.T) {
	now := func() time.Time { return t0 }
	for _, o := range []Options{
		{Now: now},
		{Lookup: testKeys},
		{Lookup: testKeys, Now: now, MaxSkew: -1},
		{Lookup: testKeys, Now: now, CacheTTL: -1},
	} {
		if _, err := NewVerifier(o); err == nil {
			t.Errorf("NewVerifier(%+v) succeeded", o)
		}
	}
}

// TestContentSHA256Header covers X-Amz-Content-Sha256 when it is truthful:
// the body's hash, or UNSIGNED-PAYLOAD with no body.
func TestContentSHA256Header(t *testing.T) {
	tests := []struct {
		name, body, claim string
	}{
		{"body hash", "Action=ListUsers", hexSHA256([]byte("Action=ListUsers"))},
		{"unsigned, no body", "", "UNSIGNED-PAYLOAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clientRequest{method: "POST", url: "https://iam.amazonaws.com/", body: tt.body,
				header: map[string][]string{"X-Amz-Content-Sha256": {tt.claim}}}.defaults()
			req := c.build(t)
			if err := v4.NewSigner().SignHTTP(context.Background(), c.creds(), req, tt.claim, c.service, c.region, c.when); err != nil {
				t.Fatal(err)
			}
			r, body := wire(t, req)
			if _, err := newTestVerifier(t, 0, nil).Verify(context.Background(), r, body); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCustomSkewAndLongSecret(t *testing.T) {
	long := strings.Repeat("s", 300)
	v := newTestVerifier(t, 2*time.Minute, func(o *Options) {
		o.MaxSkew = 90 * time.Second
		o.Lookup = func(context.Context, string) ([]byte, error) { return []byte(long), nil }
	})
	r, body := sign(t, clientRequest{url: "https://iam.amazonaws.com/", secret: long, akid: "AKIDLONG", when: t0.Add(time.Minute)})
	if _, err := v.Verify(context.Background(), r, body); err != nil {
		t.Fatal(err)
	}
	r, body = sign(t, clientRequest{url: "https://iam.amazonaws.com/", secret: long, akid: "AKIDLONG"})
	_, err := v.Verify(context.Background(), r, body)
	if _, msg := errCode(t, err); msg != "Signature expired: 20260101T120000Z is now earlier than 20260101T120030Z (20260101T120200Z - 90 sec.)" {
		t.Errorf("msg = %q", msg)
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Code: CodeInternalFailure, Status: 500, Message: "m", Err: errors.New("cause")}
	if got := e.Error(); got != "sigv4: InternalFailure: m: cause" {
		t.Errorf("Error() = %q", got)
	}
	e.Err = nil
	if got := e.Error(); got != "sigv4: InternalFailure: m" {
		t.Errorf("Error() = %q", got)
	}
}
