package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testAKID   = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	otherAKID  = "AKIDOTHER"
	otherKey   = "otherSecretKeyOtherSecretKeyOtherSecret0"
)

// t0 is the signing time of the tests' requests.
var t0 = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// testKeys is a lookup over a fixed set of keys.
func testKeys(ctx context.Context, akid string) ([]byte, error) {
	switch akid {
	case testAKID:
		return []byte(testSecret), nil
	case otherAKID:
		return []byte(otherKey), nil
	}
	return nil, fmt.Errorf("key %q: %w", akid, ErrUnknownAccessKey)
}

// newTestVerifier returns a verifier whose clock reads t0+skew.
func newTestVerifier(t testing.TB, skew time.Duration, mod func(*Options)) *Verifier {
	t.Helper()
	opts := Options{Lookup: testKeys, Now: func() time.Time { return t0.Add(skew) }}
	if mod != nil {
		mod(&opts)
	}
	v, err := NewVerifier(opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// clientRequest is a request to sign with the SDK.
type clientRequest struct {
	method  string
	url     string // absolute URL, path and query as they go on the wire
	body    string
	header  map[string][]string
	token   string // session token
	region  string
	service string
	akid    string
	secret  string
	when    time.Time
	expires int // X-Amz-Expires for presigning, if > 0
}

func (c clientRequest) defaults() clientRequest {
	if c.method == "" {
		c.method = http.MethodGet
	}
	if c.region == "" {
		c.region = "us-east-1"
	}
	if c.service == "" {
		c.service = "iam"
	}
	if c.akid == "" {
		c.akid, c.secret = testAKID, testSecret
	}
	if c.when.IsZero() {
		c.when = t0
	}
	return c
}

func (c clientRequest) build(t testing.TB) *http.Request {
	t.Helper()
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequest(c.method, c.url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range c.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return req
}

func (c clientRequest) creds() aws.Credentials {
	return aws.Credentials{AccessKeyID: c.akid, SecretAccessKey: c.secret, SessionToken: c.token}
}

// sign signs c in the Authorization header with aws-sdk-go-v2's signer and
// returns the request as a server would read it off the wire.
func sign(t testing.TB, c clientRequest) (*http.Request, []byte) {
	t.Helper()
	c = c.defaults()
	req := c.build(t)
	err := v4.NewSigner().SignHTTP(context.Background(), c.creds(), req, hexSHA256([]byte(c.body)), c.service, c.region, c.when)
	if err != nil {
		t.Fatal(err)
	}
	return wire(t, req)
}

// presign presigns c with aws-sdk-go-v2's signer and returns the request a
// client would send with the URL, as a server reads it.
func presign(t testing.TB, c clientRequest, payloadHash string) (*http.Request, []byte) {
	t.Helper()
	c = c.defaults()
	req := c.build(t)
	if c.expires > 0 {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", fmt.Sprint(c.expires))
		req.URL.RawQuery = q.Encode()
	}
	if payloadHash == "" {
		payloadHash = hexSHA256([]byte(c.body))
	}
	u, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), c.creds(), req, payloadHash, c.service, c.region, c.when)
	if err != nil {
		t.Fatal(err)
	}
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	out, err := http.NewRequest(c.method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		if strings.EqualFold(k, "host") {
			continue
		}
		out.Header[k] = vs
	}
	return wire(t, out)
}

// wire writes a client request as HTTP/1.1 and reads it back as a server
// request, with its body.
func wire(t testing.TB, req *http.Request) (*http.Request, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return readWire(t, buf.Bytes())
}

func readWire(t testing.TB, raw []byte) (*http.Request, []byte) {
	t.Helper()
	sr, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatalf("read request: %v\n%s", err, raw)
	}
	body, err := io.ReadAll(sr.Body)
	if err != nil {
		t.Fatal(err)
	}
	return sr, body
}

// errCode returns the AWS code of err, or "" for nil.
func errCode(t testing.TB, err error) (code, msg string) {
	t.Helper()
	if err == nil {
		return "", ""
	}
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error %v (%T) is not *Error", err, err)
	}
	return e.Code, e.Message
}
