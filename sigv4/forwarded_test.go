package sigv4

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// forwarded signs a request with the SDK's signer and rebuilds it as a
// service forwards it: method, path as sent, query, headers, no body.
func forwarded(t *testing.T, service, method, target string, body []byte, hash string, s3 bool) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if s3 {
		r.Header.Set("X-Amz-Content-Sha256", hash)
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = s3 })
	creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
	if err := signer.SignHTTP(context.Background(), creds, r, hash, service, "eu-west-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	fr := &http.Request{Method: method, Host: r.Host, Header: r.Header.Clone(), URL: r.URL, RequestURI: r.URL.EscapedPath()}
	if len(body) > 0 {
		fr.Header.Set("Content-Length", "15")
	}
	return fr
}

func TestVerifyForwarded(t *testing.T) {
	v, err := NewVerifier(Options{Lookup: testKeys, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"thing":"a b"}`)
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	tests := []struct {
		name    string
		r       *http.Request
		payload string
		code    string
	}{
		{"service", forwarded(t, "myservice", "POST", "https://svc.example.com/things/a%20b?y=2&x=1", body, hash, false), hash, ""},
		{"s3 path as sent", forwarded(t, "s3", "GET", "https://b.s3.example.com/a%20b/c", nil, UnsignedPayload, true), UnsignedPayload, ""},
		{"wrong payload", forwarded(t, "myservice", "POST", "https://svc.example.com/x", body, hash, false), strings.Repeat("0", 64), CodeSignatureDoesNotMatch},
		{"declared payload differs", forwarded(t, "s3", "GET", "https://b.s3.example.com/k", nil, UnsignedPayload, true), hash, CodeXAmzContentSHA256Mismatch},
		{"malformed payload", forwarded(t, "myservice", "GET", "https://svc.example.com/x", nil, hash, false), "abc", CodeXAmzContentSHA256Mismatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := v.VerifyForwarded(context.Background(), tc.r, tc.payload)
			if tc.code == "" {
				if err != nil || a.AccessKeyID != testAKID {
					t.Fatalf("VerifyForwarded: %v", err)
				}
				return
			}
			if e, ok := err.(*Error); !ok || e.Code != tc.code {
				t.Fatalf("VerifyForwarded = %v, want %s", err, tc.code)
			}
		})
	}
	// Presigned URLs: STS's signed with the empty body's hash, S3's with
	// UNSIGNED-PAYLOAD; the service forwards the empty body's hash.
	empty := sha256.Sum256(nil)
	emptyHash := hex.EncodeToString(empty[:])
	creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
	for _, p := range []struct{ service, target, hash string }{
		{"sts", "https://sts.example.com/?Action=GetCallerIdentity&Version=2011-06-15", emptyHash},
		{"s3", "https://b.s3.example.com/k", UnsignedPayload},
	} {
		r, _ := http.NewRequest("GET", p.target, nil)
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = p.service == "s3" })
		u, _, err := signer.PresignHTTP(context.Background(), creds, r, p.hash, p.service, "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		pr, _ := http.NewRequest("GET", u, nil)
		fr := &http.Request{Method: "GET", Host: pr.Host, Header: http.Header{}, URL: pr.URL, RequestURI: pr.URL.EscapedPath()}
		if _, err := v.VerifyForwarded(context.Background(), fr, emptyHash); err != nil {
			t.Errorf("presigned %s: %v", p.service, err)
		}
	}

	// A changed path, method or header fails.
	r := forwarded(t, "myservice", "GET", "https://svc.example.com/x", nil, hash, false)
	r.RequestURI = "/y"
	if _, err := v.VerifyForwarded(context.Background(), r, hash); err == nil {
		t.Fatal("a changed path verified")
	}
}
