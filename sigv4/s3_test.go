package sigv4

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// s3Signer is aws-sdk-go-v2's signer configured as its S3 client uses it:
// the path is signed as sent, not escaped again.
func s3Signer() *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
}

// s3SignRequest signs a client request for S3 with aws-sdk-go-v2's signer.
func s3SignRequest(t testing.TB, method, rawURL string, hdr map[string][]string, payloadHash string, when time.Time, akid, secret string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	creds := aws.Credentials{AccessKeyID: akid, SecretAccessKey: secret}
	if err := s3Signer().SignHTTP(context.Background(), creds, req, payloadHash, "s3", "us-east-1", when); err != nil {
		t.Fatal(err)
	}
	return req
}

// s3Sign signs a request with body and returns it as a server reads it,
// body unread. An empty payloadHash signs the body's hash.
func s3Sign(t testing.TB, method, rawURL, body string, hdr map[string][]string, payloadHash string, when time.Time) *http.Request {
	t.Helper()
	if payloadHash == "" {
		payloadHash = hexSHA256([]byte(body))
	}
	req := s3SignRequest(t, method, rawURL, hdr, payloadHash, when, testAKID, testSecret)
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	r, raw := wire(t, req)
	r.Body = io.NopCloser(strings.NewReader(string(raw)))
	return r
}

func newS3TestVerifier(t testing.TB, skew time.Duration) *Verifier {
	return newTestVerifier(t, skew, func(o *Options) {
		o.S3, o.Service, o.Regions = true, "s3", []string{"us-east-1"}
	})
}

// TestS3CanonicalURI signs object keys with awkward characters as the S3
// client does (each key byte outside the unreserved characters and '/'
// percent-encoded once, aws-sdk-go-v2's httpbinding.EscapePath; botocore
// quotes with safe "/~" the same way) and checks the verifier neither
// encodes the path again nor normalises it.
func TestS3CanonicalURI(t *testing.T) {
	keys := []string{
		"plain.txt",
		"with space.txt",
		"a+b=c&d.txt",
		"ünïcødé/日本語.txt",
		"double//slash",
		"dot/./segment/../x",
		"trailing/",
		"!$'()*,;:@[]",
		"percent%2Fliteral",
		"~tilde_-.",
	}
	v := newS3TestVerifier(t, 0)
	for _, key := range keys {
		t.Run(key, func(t *testing.T) {
			path := "/bucket/" + escapeKey(key)
			u := "https://s3.amazonaws.com" + path
			hdr := map[string][]string{"X-Amz-Content-Sha256": {unsignedPayload}}
			r := s3Sign(t, http.MethodGet, u, "", hdr, unsignedPayload, t0)
			if got := requestPath(r); got != path {
				t.Fatalf("wire path %q, want %q", got, path)
			}
			if _, err := v.Verify(context.Background(), r, nil); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
	// A client that sends reserved characters unescaped but signs them
	// escaped once (minio-go's escaping differs from the SDK's for some).
	t.Run("unescaped on the wire", func(t *testing.T) {
		hdr := map[string][]string{"X-Amz-Content-Sha256": {unsignedPayload}}
		r := s3Sign(t, http.MethodGet, "https://s3.amazonaws.com/bucket/a%21b%24c", "", hdr, unsignedPayload, t0)
		r.RequestURI = "/bucket/a!b$c"
		if _, err := v.Verify(context.Background(), r, nil); err != nil {
			t.Fatalf("Verify: %v", err)
		}
	})
	// The IAM rules encode again: the same request fails without S3.
	t.Run("double encoding is not S3's", func(t *testing.T) {
		hdr := map[string][]string{"X-Amz-Content-Sha256": {unsignedPayload}}
		r := s3Sign(t, http.MethodGet, "https://s3.amazonaws.com/bucket/with%20space", "", hdr, unsignedPayload, t0)
		if _, err := newTestVerifier(t, 0, nil).Verify(context.Background(), r, nil); err == nil {
			t.Fatal("IAM rules accepted a path signed without double encoding")
		}
	})
}

// escapeKey escapes an S3 key as aws-sdk-go-v2 does: every byte but the
// unreserved characters and '/' as %XX.
func escapeKey(key string) string {
	return string(appendEncoded(nil, key, true))
}

// TestS3Errors checks S3's codes, statuses, messages and fields for
// failures that IAM reports differently. Sources: S3's error code list
// (docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html) and S3's
// answers recorded by minio (cmd/api-errors.go) and versitygw
// (s3err/s3err.go).
func TestS3Errors(t *testing.T) {
	hdr := func() map[string][]string {
		return map[string][]string{"X-Amz-Content-Sha256": {unsignedPayload}}
	}
	get := func(mod func(*http.Request)) *http.Request {
		r := s3Sign(t, http.MethodGet, "https://bucket.s3.amazonaws.com/key", "", hdr(), unsignedPayload, t0)
		if mod != nil {
			mod(r)
		}
		return r
	}
	replaceAuth := func(old, new string) func(*http.Request) {
		return func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
		}
	}
	cases := []struct {
		name   string
		r      func() *http.Request
		skew   time.Duration
		code   string
		status int
		msg    string
		fields []string
	}{
		{name: "unknown key", r: func() *http.Request { return get(replaceAuth(testAKID, "AKIDNOPE")) },
			code: CodeInvalidAccessKeyID, status: 403, msg: msgS3InvalidAccessKey, fields: []string{"AWSAccessKeyId"}},
		{name: "bad signature", r: func() *http.Request { return get(replaceAuth("Signature=", "Signature=00")) },
			code: CodeSignatureDoesNotMatch, status: 403, msg: msgS3SignatureMismatch,
			fields: []string{"AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes", "CanonicalRequest", "CanonicalRequestBytes"}},
		{name: "tampered header", r: func() *http.Request { return get(func(r *http.Request) { r.Host = "other.s3.amazonaws.com" }) },
			code: CodeSignatureDoesNotMatch, status: 403, msg: msgS3SignatureMismatch},
		{name: "skew", r: func() *http.Request { return get(nil) }, skew: 16 * time.Minute,
			code: CodeRequestTimeTooSkewed, status: 403, msg: msgS3TooSkewed, fields: []string{"RequestTime", "ServerTime", "MaxAllowedSkewMilliseconds"}},
		{name: "future skew", r: func() *http.Request { return get(nil) }, skew: -16 * time.Minute,
			code: CodeRequestTimeTooSkewed, status: 403, msg: msgS3TooSkewed},
		{name: "wrong region", r: func() *http.Request { return get(replaceAuth("us-east-1", "eu-west-1")) },
			code: CodeAuthorizationHeaderMalformed, status: 400,
			msg: "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'", fields: []string{"Region"}},
		{name: "wrong service", r: func() *http.Request { return get(replaceAuth("/s3/", "/iam/")) },
			code: CodeAuthorizationHeaderMalformed, status: 400,
			msg: `The authorization header is malformed; incorrect service "iam". This endpoint belongs to "s3".`},
		{name: "credential shape", r: func() *http.Request { return get(replaceAuth("/aws4_request", "")) },
			code: CodeAuthorizationHeaderMalformed, status: 400, msg: msgS3HeaderMalformed + msgS3CredentialShape},
		{name: "credential date", r: func() *http.Request { return get(replaceAuth("/20260101/", "/20260102/")) },
			code: CodeAuthorizationHeaderMalformed, status: 400,
			msg: `The authorization header is malformed; Invalid credential date "20260102". This date is not the same as X-Amz-Date: "20260101".`},
		{name: "no signature component", r: func() *http.Request {
			return get(func(r *http.Request) {
				a := r.Header.Get("Authorization")
				r.Header.Set("Authorization", a[:strings.Index(a, ", Signature=")])
			})
		}, code: CodeAuthorizationHeaderMalformed, status: 400, msg: msgS3HeaderComponents},
		{name: "unsupported algorithm", r: func() *http.Request { return get(replaceAuth("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512")) },
			code: CodeInvalidArgument, status: 400, msg: msgS3AuthType, fields: []string{"ArgumentName", "ArgumentValue"}},
		{name: "no date", r: func() *http.Request { return get(func(r *http.Request) { r.Header.Del("X-Amz-Date") }) },
			code: CodeAccessDenied, status: 403, msg: msgS3HeaderDate},
		{name: "missing x-amz-content-sha256", r: func() *http.Request {
			return get(func(r *http.Request) { r.Header.Del("X-Amz-Content-Sha256") })
		}, code: CodeInvalidRequest, status: 400, msg: msgS3MissingContentHash},
		{name: "header and query", r: func() *http.Request {
			return get(func(r *http.Request) { r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256" })
		}, code: CodeInvalidArgument, status: 400, msg: msgS3OneMechanism},
		{name: "anonymous", r: func() *http.Request { return get(func(r *http.Request) { r.Header.Del("Authorization") }) },
			code: CodeAccessDenied, status: 403, msg: msgS3AccessDenied},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.r()
			_, err := newS3TestVerifier(t, c.skew).Verify(context.Background(), r, nil)
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("err = %v", err)
			}
			if e.Code != c.code || e.Status != c.status || e.Message != c.msg {
				t.Fatalf("got %s %d %q, want %s %d %q", e.Code, e.Status, e.Message, c.code, c.status, c.msg)
			}
			for _, f := range c.fields {
				if _, ok := e.Field(f); !ok {
					t.Errorf("no field %s in %+v", f, e.Fields)
				}
			}
			for _, f := range e.Fields {
				if strings.Contains(f.Value, testSecret) {
					t.Errorf("field %s carries the secret", f.Name)
				}
			}
			// Precheck reports the same as Verify for failures before the
			// signature.
			if e.Code != CodeSignatureDoesNotMatch {
				if _, perr := newS3TestVerifier(t, c.skew).Precheck(context.Background(), c.r()); perr == nil || perr.(*Error).Code != e.Code {
					t.Errorf("Precheck: %v", perr)
				}
			}
		})
	}
}

// TestS3SignatureMismatchFields checks the diagnostic fields S3 returns
// with SignatureDoesNotMatch: the string to sign and canonical request the
// server computed, and their bytes as space-separated hex.
func TestS3SignatureMismatchFields(t *testing.T) {
	hdr := map[string][]string{"X-Amz-Content-Sha256": {unsignedPayload}}
	r := s3Sign(t, http.MethodGet, "https://bucket.s3.amazonaws.com/a%20b?list-type=2&prefix=x", "", hdr, unsignedPayload, t0)
	sig := r.Header.Get("Authorization")[len(r.Header.Get("Authorization"))-64:]
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), sig, strings.Repeat("0", 64), 1))
	_, err := newS3TestVerifier(t, 0).Verify(context.Background(), r, nil)
	e := err.(*Error)
	var names []string
	for _, f := range e.Fields {
		names = append(names, f.Name)
	}
	if got := strings.Join(names, ","); got != "AWSAccessKeyId,StringToSign,SignatureProvided,StringToSignBytes,CanonicalRequest,CanonicalRequestBytes" {
		t.Fatalf("fields %s", got)
	}
	cr, _ := e.Field("CanonicalRequest")
	wantCR := "GET\n/a%20b\nlist-type=2&prefix=x\nhost:bucket.s3.amazonaws.com\nx-amz-content-sha256:UNSIGNED-PAYLOAD\nx-amz-date:20260101T120000Z\n\nhost;x-amz-content-sha256;x-amz-date\nUNSIGNED-PAYLOAD"
	if cr != wantCR {
		t.Errorf("CanonicalRequest\n%s\nwant\n%s", cr, wantCR)
	}
	sts, _ := e.Field("StringToSign")
	if !strings.HasPrefix(sts, "AWS4-HMAC-SHA256\n20260101T120000Z\n20260101/us-east-1/s3/aws4_request\n") {
		t.Errorf("StringToSign %q", sts)
	}
	if b, _ := e.Field("StringToSignBytes"); !strings.HasPrefix(b, "41 57 53 34 2d") {
		t.Errorf("StringToSignBytes %q", b)
	}
	if p, _ := e.Field("SignatureProvided"); p != strings.Repeat("0", 64) {
		t.Errorf("SignatureProvided %q", p)
	}
}

// TestS3Presigned covers presigned URLs under the S3 rules: UNSIGNED-PAYLOAD
// as the payload, X-Amz-Expires required and at most a week, expiry
// reported as AccessDenied "Request has expired" with S3's fields.
func TestS3Presigned(t *testing.T) {
	presignS3 := func(t *testing.T, method, rawURL string, expires string) *http.Request {
		req, err := http.NewRequest(method, rawURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		if expires != "" {
			q := req.URL.Query()
			q.Set("X-Amz-Expires", expires)
			req.URL.RawQuery = q.Encode()
		}
		creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
		u, hdr, err := s3Signer().PresignHTTP(context.Background(), creds, req, unsignedPayload, "s3", "us-east-1", t0)
		if err != nil {
			t.Fatal(err)
		}
		out, err := http.NewRequest(method, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range hdr {
			if k != "Host" {
				out.Header[k] = vs
			}
		}
		r, _ := wire(t, out)
		return r
	}
	cases := []struct {
		name    string
		expires string
		skew    time.Duration
		code    string
		msg     string
		fields  []string
	}{
		{name: "valid", expires: "3600", skew: 59 * time.Minute},
		{name: "a week", expires: "604800", skew: 24 * time.Hour},
		{name: "expired", expires: "60", skew: 61 * time.Second, code: CodeAccessDenied, msg: msgRequestExpired,
			fields: []string{"X-Amz-Expires", "Expires", "ServerTime"}},
		{name: "over a week", expires: "604801", code: CodeAuthorizationQueryParametersError, msg: msgExpiresTooLarge},
		{name: "no expires", code: CodeAuthorizationQueryParametersError, msg: msgS3QueryParams},
		{name: "not yet valid", expires: "60", skew: -20 * time.Minute, code: CodeAccessDenied, msg: msgS3NotYetValid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := presignS3(t, http.MethodGet, "https://bucket.s3.amazonaws.com/some%20key.txt?versionId=3", c.expires)
			_, b, err := newS3TestVerifier(t, c.skew).VerifyStream(context.Background(), r)
			if err == nil {
				b.Close()
			}
			code, msg := errCode(t, err)
			if code != c.code || msg != c.msg {
				t.Fatalf("got %s %q, want %s %q", code, msg, c.code, c.msg)
			}
			for _, f := range c.fields {
				if _, ok := err.(*Error).Field(f); !ok {
					t.Errorf("no field %s in %+v", f, err.(*Error).Fields)
				}
			}
		})
	}
	t.Run("expired fields", func(t *testing.T) {
		r := presignS3(t, http.MethodGet, "https://bucket.s3.amazonaws.com/k", "60")
		_, err := newS3TestVerifier(t, time.Hour).Verify(context.Background(), r, nil)
		e := err.(*Error)
		want := []Field{{"X-Amz-Expires", "60"}, {"Expires", "2026-01-01T12:01:00Z"}, {"ServerTime", "2026-01-01T13:00:00Z"}}
		if len(e.Fields) != 3 || e.Fields[0] != want[0] || e.Fields[1] != want[1] || e.Fields[2] != want[2] {
			t.Errorf("fields %+v, want %+v", e.Fields, want)
		}
	})
	t.Run("query errors", func(t *testing.T) {
		r := presignS3(t, http.MethodGet, "https://bucket.s3.amazonaws.com/k", "60")
		q, _ := url.ParseQuery(r.URL.RawQuery)
		q.Set("X-Amz-Credential", strings.Replace(q.Get("X-Amz-Credential"), "us-east-1", "eu-west-1", 1))
		r.URL.RawQuery = q.Encode()
		_, err := newS3TestVerifier(t, 0).Verify(context.Background(), r, nil)
		if code, msg := errCode(t, err); code != CodeAuthorizationQueryParametersError ||
			msg != "Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'" {
			t.Errorf("got %s %q", code, msg)
		}
	})
}

func TestIsAnonymous(t *testing.T) {
	for raw, want := range map[string]bool{
		"https://b.s3.amazonaws.com/k":                                       true,
		"https://b.s3.amazonaws.com/k?versionId=1":                           true,
		"https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256":      false,
		"https://b.s3.amazonaws.com/k?X-Amz-Credential=a":                    false,
		"https://b.s3.amazonaws.com/k?X-Amz-Signature=a&X-Amz-Expires=1&a=b": false,
	} {
		r, err := http.NewRequest(http.MethodGet, raw, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := IsAnonymous(r); got != want {
			t.Errorf("IsAnonymous(%s) = %v", raw, got)
		}
	}
	r, _ := http.NewRequest(http.MethodGet, "https://b.s3.amazonaws.com/k", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x")
	if IsAnonymous(r) {
		t.Error("a request with an Authorization header is anonymous")
	}
}
