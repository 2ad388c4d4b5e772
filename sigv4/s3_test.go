package sigv4

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
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
		{name: "component without equal sign", r: func() *http.Request {
			return get(func(r *http.Request) {
				a := r.Header.Get("Authorization")
				r.Header.Set("Authorization", a[:strings.Index(a, "Signature=")]+"Signature")
			})
		}, code: CodeAuthorizationHeaderMalformed, status: 400, msg: msgS3HeaderMalformed + `the authorization component "Signature" is malformed.`},
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

// TestS3DocExamples verifies the worked examples of "Signature Calculations
// for the Authorization Header: Transferring Payload in a Single Chunk"
// (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html)
// and of "Authenticating Requests: Using Query Parameters"
// (docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html),
// sent as raw HTTP.
func TestS3DocExamples(t *testing.T) {
	const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	auth := func(signed, sig string) string {
		return "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=" + signed + ",Signature=" + sig
	}
	cases := []struct {
		name string
		raw  []string
		body string
	}{
		{name: "GET Object", raw: []string{"GET /test.txt HTTP/1.1", "Host: examplebucket.s3.amazonaws.com", "Range: bytes=0-9",
			"x-amz-content-sha256: " + empty, "x-amz-date: 20130524T000000Z",
			auth("host;range;x-amz-content-sha256;x-amz-date", "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")}},
		{name: "PUT Object", body: "Welcome to Amazon S3.", raw: []string{"PUT /test%24file.text HTTP/1.1", "Host: examplebucket.s3.amazonaws.com",
			"Date: Fri, 24 May 2013 00:00:00 GMT", "x-amz-date: 20130524T000000Z", "x-amz-storage-class: REDUCED_REDUNDANCY",
			"x-amz-content-sha256: 44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", "Content-Length: 21",
			auth("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")}},
		{name: "GET Bucket Lifecycle", raw: []string{"GET /?lifecycle HTTP/1.1", "Host: examplebucket.s3.amazonaws.com",
			"x-amz-content-sha256: " + empty, "x-amz-date: 20130524T000000Z",
			auth("host;x-amz-content-sha256;x-amz-date", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")}},
		{name: "GET Bucket (List Objects)", raw: []string{"GET /?max-keys=2&prefix=J HTTP/1.1", "Host: examplebucket.s3.amazonaws.com",
			"x-amz-content-sha256: " + empty, "x-amz-date: 20130524T000000Z",
			auth("host;x-amz-content-sha256;x-amz-date", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")}},
		{name: "presigned GET Object", raw: []string{"GET /test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404 HTTP/1.1",
			"Host: examplebucket.s3.amazonaws.com"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, body := readWire(t, []byte(strings.Join(c.raw, "\r\n")+"\r\n\r\n"+c.body))
			if _, err := newS3Verifier(t, docTime).Verify(context.Background(), r, body); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			_, b, err := newS3Verifier(t, docTime.Add(time.Hour)).VerifyStream(context.Background(), r)
			if c.name != "presigned GET Object" {
				if code, _ := errCode(t, err); code != CodeRequestTimeTooSkewed {
					t.Fatalf("an hour later: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("presigned URL an hour later: %v", err)
			}
			b.Close()
		})
	}
}

// TestS3CanonicalURIRaw sends request targets as raw HTTP and reads the
// canonical URI S3 computes from SignatureDoesNotMatch's CanonicalRequest:
// the path decoded and encoded again once. The expectations follow S3's
// answers as recorded by an S3 conformance suite ("the canonical request").
func TestS3CanonicalURIRaw(t *testing.T) {
	cases := []struct{ target, uri, query string }{
		{"/test-bucket?b=2&a=1", "/test-bucket", "a=1&b=2"},
		{"/test-bucket?acl&b=", "/test-bucket", "acl=&b="},
		{"/test-bucket?a=b+c&d=e%2Bf&g=%20", "/test-bucket", "a=b%20c&d=e%2Bf&g=%20"},
		{"/test-bucket/a%20b/a+b", "/test-bucket/a%20b/a%2Bb", ""},
		{"/test-bucket/%c3%bc/%E4%B8%AD", "/test-bucket/%C3%BC/%E4%B8%AD", ""},
		{"/test-bucket/!*'()~=&:@$,;", "/test-bucket/%21%2A%27%28%29~%3D%26%3A%40%24%2C%3B", ""},
		{"/test-bucket/%21%2A%27%28%29%7E%3D%26%3A", "/test-bucket/%21%2A%27%28%29~%3D%26%3A", ""},
		// (A lone '%', which S3 encodes as %25, never reaches a Go server:
		// net/http refuses the request line.)
		{"/test-bucket/100%25", "/test-bucket/100%25", ""},
		{"/test-bucket//a//b/", "/test-bucket//a//b/", ""},
		{"/test-bucket/./a/../b", "/test-bucket/./a/../b", ""},
	}
	for _, c := range cases {
		t.Run(c.target, func(t *testing.T) {
			raw := "GET " + c.target + " HTTP/1.1\r\nHost: s3.amazonaws.com\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\nx-amz-date: 20130524T000000Z\r\n" +
				"Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=00\r\n\r\n"
			r, _ := readWire(t, []byte(raw))
			_, err := newS3Verifier(t, docTime).Verify(context.Background(), r, nil)
			e, ok := err.(*Error)
			if !ok || e.Code != CodeSignatureDoesNotMatch {
				t.Fatalf("err = %v", err)
			}
			cr, _ := e.Field("CanonicalRequest")
			lines := strings.Split(cr, "\n")
			if lines[1] != c.uri || lines[2] != c.query {
				t.Errorf("canonical URI %q, query %q; want %q, %q", lines[1], lines[2], c.uri, c.query)
			}
		})
	}
}

// TestS3AuthRules covers rules of S3's authentication that IAM's lacks,
// with S3's answers as recorded by an S3 conformance suite ("the
// Authorization header", "a presigned URL").
func TestS3AuthRules(t *testing.T) {
	hdr := func() map[string][]string {
		return map[string][]string{"X-Amz-Content-Sha256": {unsignedPayload}, "X-Amz-Meta-Color": {"red"}}
	}
	get := func(mod func(*http.Request)) func() *http.Request {
		return func() *http.Request {
			r := s3Sign(t, http.MethodGet, "https://bucket.s3.amazonaws.com/key", "", hdr(), unsignedPayload, t0)
			if mod != nil {
				mod(r)
			}
			return r
		}
	}
	setAuth := func(f func(string) string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", f(r.Header.Get("Authorization"))) }
	}
	cases := []struct {
		name  string
		r     func() *http.Request
		skew  time.Duration
		code  string
		msg   string
		field Field
	}{
		{name: "signature in upper case", r: get(setAuth(func(a string) string { return a[:len(a)-64] + strings.ToUpper(a[len(a)-64:]) }))},
		{name: "unsigned x-amz header", r: get(func(r *http.Request) { r.Header.Set("X-Amz-Meta-Size", "1") }),
			code: CodeAccessDenied, msg: msgS3NotSigned, field: Field{"HeadersNotSigned", "x-amz-meta-size"}},
		{name: "host not signed", r: get(setAuth(func(a string) string { return strings.Replace(a, "SignedHeaders=host;", "SignedHeaders=", 1) })),
			code: CodeAccessDenied, msg: msgS3NotSigned, field: Field{"HeadersNotSigned", "host"}},
		{name: "Signature Version 2", r: get(setAuth(func(string) string { return "AWS " + testAKID + ":frJIUN8DYpKDtOLCwo//yllqDzg=" })),
			code: CodeInvalidRequest, msg: msgS3Version2},
		{name: "Signature Version 2 query", r: get(func(r *http.Request) {
			r.Header.Del("Authorization")
			r.URL.RawQuery = "AWSAccessKeyId=" + testAKID + "&Expires=1&Signature=frJIUN8DYpKDtOLCwo%2F%2FyllqDzg%3D"
		}), code: CodeInvalidRequest, msg: msgS3Version2},
		{name: "Bearer", r: get(setAuth(func(string) string { return "Bearer token" })),
			code: CodeInvalidArgument, msg: msgS3AuthType, field: Field{"ArgumentValue", "Bearer token"}},
		{name: "scope date of seven digits", r: get(setAuth(func(a string) string { return strings.Replace(a, "/20260101/", "/2026010/", 1) })),
			code: CodeAuthorizationHeaderMalformed,
			msg:  `The authorization header is malformed; incorrect date format "2026010". This date in the credential must be in the format "yyyyMMdd".`},
		{name: "terminator", r: get(setAuth(func(a string) string { return strings.Replace(a, "aws4_request", "aws4_reques", 1) })),
			code: CodeAuthorizationHeaderMalformed,
			msg:  `The authorization header is malformed; incorrect terminal "aws4_reques". This endpoint uses "aws4_request".`},
		// The server looks at the access key and the signature before it
		// looks at the time.
		{name: "skewed and badly signed", skew: time.Hour, r: get(setAuth(func(a string) string { return a[:len(a)-64] + strings.Repeat("0", 64) })),
			code: CodeSignatureDoesNotMatch, msg: msgS3SignatureMismatch},
		{name: "skewed with an unknown key", skew: time.Hour, r: get(setAuth(func(a string) string { return strings.Replace(a, testAKID, "AKIAUNKNOWN", 1) })),
			code: CodeInvalidAccessKeyID, msg: msgS3InvalidAccessKey, field: Field{"AWSAccessKeyId", "AKIAUNKNOWN"}},
		{name: "skewed", skew: 901 * time.Second, r: get(nil), code: CodeRequestTimeTooSkewed, msg: msgS3TooSkewed,
			field: Field{"MaxAllowedSkewMilliseconds", "900000"}},
		{name: "skew at the limit", skew: 900 * time.Second, r: get(nil)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, verify := range []func(*Verifier, *http.Request) error{
				func(v *Verifier, r *http.Request) error { _, err := v.Verify(context.Background(), r, nil); return err },
				func(v *Verifier, r *http.Request) error { _, err := v.Precheck(context.Background(), r); return err },
			} {
				err := verify(newS3TestVerifier(t, c.skew), c.r())
				code, msg := errCode(t, err)
				if code != c.code || msg != c.msg {
					t.Fatalf("got %s %q, want %s %q", code, msg, c.code, c.msg)
				}
				if c.field.Name != "" {
					if v, _ := err.(*Error).Field(c.field.Name); v != c.field.Value {
						t.Errorf("field %s = %q, want %q", c.field.Name, v, c.field.Value)
					}
				}
			}
		})
	}
}

// TestS3PresignedWindow: a presigned URL is valid from 15 minutes before
// X-Amz-Date to X-Amz-Expires seconds after it, inclusive; X-Amz-Expires=0
// is never valid; the access key and signature are checked first.
func TestS3PresignedWindow(t *testing.T) {
	presigned := func(expires string, sig string) *http.Request {
		req, err := http.NewRequest(http.MethodGet, "https://bucket.s3.amazonaws.com/k?X-Amz-Expires="+expires, nil)
		if err != nil {
			t.Fatal(err)
		}
		creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
		u, _, err := s3Signer().PresignHTTP(context.Background(), creds, req, unsignedPayload, "s3", "us-east-1", t0)
		if err != nil {
			t.Fatal(err)
		}
		if sig != "" {
			u = u[:len(u)-64] + sig
		}
		out, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := wire(t, out)
		return r
	}
	cases := []struct {
		name    string
		expires string
		sig     string
		skew    time.Duration
		code    string
		fields  []Field
	}{
		{name: "at the end", expires: "60", skew: 60 * time.Second},
		{name: "a second after the end", expires: "60", skew: 61 * time.Second, code: CodeAccessDenied,
			fields: []Field{{"X-Amz-Expires", "60"}, {"Expires", "2026-01-01T12:01:00Z"}, {"ServerTime", "2026-01-01T12:01:01Z"}}},
		{name: "zero", expires: "0", code: CodeAccessDenied},
		{name: "15 minutes early", expires: "60", skew: -15 * time.Minute},
		{name: "too early", expires: "60", skew: -16 * time.Minute, code: CodeAccessDenied,
			fields: []Field{{"X-Amz-Date", "20260101T120000Z"}, {"ServerTime", "2026-01-01T11:44:00Z"}}},
		{name: "expired and badly signed", expires: "60", skew: time.Hour, sig: strings.Repeat("0", 64), code: CodeSignatureDoesNotMatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := newS3TestVerifier(t, c.skew).Verify(context.Background(), presigned(c.expires, c.sig), nil)
			if code, msg := errCode(t, err); code != c.code {
				t.Fatalf("got %s %q, want %s", code, msg, c.code)
			}
			if c.fields != nil && !slices.Equal(err.(*Error).Fields, c.fields) {
				t.Errorf("fields %+v, want %+v", err.(*Error).Fields, c.fields)
			}
		})
	}
}

// TestS3PresignedNameCase: S3 reads the names of the presigning parameters
// in any letter case (the signature covers them as sent).
func TestS3PresignedNameCase(t *testing.T) {
	const host = "bucket.s3.amazonaws.com"
	query := "X-AMZ-CREDENTIAL=" + testAKID + "%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signedheaders=host&x-amz-algorithm=AWS4-HMAC-SHA256&x-amz-date=20260101T120000Z&x-amz-expires=60"
	cr := "GET\n/k\n" + query + "\nhost:" + host + "\n\nhost\nUNSIGNED-PAYLOAD"
	key := deriveKey([]byte(testSecret), "20260101", "us-east-1", "s3")
	sts := "AWS4-HMAC-SHA256\n20260101T120000Z\n20260101/us-east-1/s3/aws4_request\n" + hexSHA256([]byte(cr))
	sig := hmacSHA256(key[:], []byte(sts))
	for _, c := range []struct {
		query string
		code  string
	}{
		{query + "&x-amz-SIGNATURE=" + hexString(sig[:]), ""},
		{strings.NewReplacer("X-AMZ-CREDENTIAL", "x-amz-credential", "X-Amz-Signedheaders", "X-Amz-SignedHeaders").Replace(query) +
			"&X-Amz-Signature=" + hexString(sig[:]), CodeSignatureDoesNotMatch},
	} {
		r, _ := readWire(t, []byte("GET /k?"+c.query+" HTTP/1.1\r\nHost: "+host+"\r\n\r\n"))
		if IsAnonymous(r) {
			t.Error("anonymous")
		}
		_, err := newS3TestVerifier(t, 0).Verify(context.Background(), r, nil)
		if code, msg := errCode(t, err); code != c.code {
			t.Errorf("%s: got %s %q, want %s", c.query, code, msg, c.code)
		}
	}
}

// TestIAMErrorsHaveNoFields: without Options.S3, errors are IAM's, with no
// S3 fields.
func TestIAMErrorsHaveNoFields(t *testing.T) {
	r, body := sign(t, clientRequest{url: "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08"})
	for _, mod := range []func(*http.Request){
		func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature=", "Signature", 1))
		},
		func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), testAKID, "AKIDNOPE", 1))
		},
		func(r *http.Request) {
			r.Header.Set("Authorization", r.Header.Get("Authorization")[:len(r.Header.Get("Authorization"))-1]+"0")
		},
		func(r *http.Request) { r.Header.Set("X-Amz-Date", "20250101T000000Z") },
	} {
		req := r.Clone(context.Background())
		mod(req)
		_, err := newTestVerifier(t, 0, nil).Verify(context.Background(), req, body)
		e, ok := err.(*Error)
		if !ok || e.Fields != nil || strings.HasPrefix(e.Message, "The authorization header is malformed") {
			t.Errorf("err = %#v", err)
		}
	}
}
