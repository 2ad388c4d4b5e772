package server

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// TestOutboundDocument: only unsigned GET and HEAD requests of an issuer's
// two documents, under an id of IAM's form, reach the discovery endpoints;
// everything else stays an AWS request (an S3 object of a bucket named
// outbound-federation, a signed request).
func TestOutboundDocument(t *testing.T) {
	const id = "3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b"
	for _, c := range []struct {
		method, target, auth string
		want                 string
	}{
		{"GET", "/outbound-federation/" + id + "/.well-known/openid-configuration", "", "/.well-known/openid-configuration"},
		{"HEAD", "/outbound-federation/" + id + "/.well-known/jwks.json", "", "/.well-known/jwks.json"},
		{"GET", "/outbound-federation/" + id + "/.well-known/jwks.json", "AWS4-HMAC-SHA256 Credential=x", ""},
		{"GET", "/outbound-federation/" + id + "/.well-known/jwks.json?X-Amz-Credential=x", "", ""},
		{"PUT", "/outbound-federation/" + id + "/.well-known/jwks.json", "", ""},
		{"GET", "/outbound-federation/" + strings.ToUpper(id) + "/.well-known/jwks.json", "", ""},
		{"GET", "/outbound-federation/../" + id + "/.well-known/jwks.json", "", ""},
		{"GET", "/outbound-federation/" + id + "/.well-known/other", "", ""},
		{"GET", "/bucket/outbound-federation/" + id + "/.well-known/jwks.json", "", ""},
	} {
		r := httptest.NewRequest(c.method, c.target, nil)
		if c.auth != "" {
			r.Header.Set("Authorization", c.auth)
		}
		gotID, doc, ok := (&Server{}).outboundDocument(r)
		if ok != (c.want != "") || doc != c.want || (ok && gotID != id) {
			t.Errorf("%s %s: (%q, %q, %v), want %q", c.method, c.target, gotID, doc, ok, c.want)
		}
	}
}

// FuzzOutboundDocument: any path is parsed without panicking, and an
// accepted one names an id of IAM's form and one of the two documents.
func FuzzOutboundDocument(f *testing.F) {
	f.Add("/outbound-federation/3f2b8c1e-9a4d-4e6f-8b7a-0c1d2e3f4a5b/.well-known/jwks.json")
	f.Add("/outbound-federation//.well-known/openid-configuration")
	f.Fuzz(func(t *testing.T, path string) {
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: path}, Header: http.Header{}}
		id, doc, ok := (&Server{}).outboundDocument(r)
		if ok && (!validIssuerID(id) || r.URL.Path != "/outbound-federation/"+id+doc) {
			t.Fatalf("%q accepted as %q %q", path, id, doc)
		}
	})
}
