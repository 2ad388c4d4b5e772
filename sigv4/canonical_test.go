package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestHMACMatchesCryptoHMAC(t *testing.T) {
	for _, keyLen := range []int{0, 1, 32, 44, 63, 64, 65, 200} {
		for _, msgLen := range []int{0, 1, 55, 56, 64, 100, 256, 257, 1000} {
			key := []byte(strings.Repeat("k", keyLen))
			msg := []byte(strings.Repeat("m", msgLen))
			got := hmacSHA256(key, msg)
			m := hmac.New(sha256.New, key)
			m.Write(msg)
			if want := m.Sum(nil); !hmac.Equal(got[:], want) {
				t.Errorf("key %d msg %d: got %x want %x", keyLen, msgLen, got, want)
			}
		}
	}
}

func TestCanonicalComponent(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"abcXYZ019-_.~", "abcXYZ019-_.~"},
		{"a b", "a%20b"},
		{"a+b", "a%20b"},
		{"a%20b", "a%20b"},
		{"a%2bb", "a%2Bb"},
		{"a%2Bb", "a%2Bb"},
		{"%7E", "~"},
		{"%41", "A"},
		{"ü", "%C3%BC"},
		{"%C3%bc", "%C3%BC"},
		{"=", "%3D"},
		{"/", "%2F"},
		{"*", "%2A"},
		{"%", "%25"},
		{"%4", "%254"},
		{"%zz", "%25zz"},
		{"100%", "100%25"},
	}
	for _, tt := range tests {
		if got := canonicalComponent(tt.in); got != tt.want {
			t.Errorf("canonicalComponent(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestCanonicalQueryMatchesURLQueryEscape compares the encoding with the one
// aws-sdk-go-v2 uses: url.QueryEscape with '+' turned into %20.
func TestCanonicalQueryMatchesURLQueryEscape(t *testing.T) {
	for _, s := range []string{"a b", odd, "€ 100", "\x00\xff", "~!*'()", "a/b;c:d@e"} {
		want := strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
		if got := canonicalComponent(url.QueryEscape(s)); got != want {
			t.Errorf("%q: got %q want %q", s, got, want)
		}
		if got := string(appendEncoded(nil, s, false)); got != want {
			t.Errorf("%q: appendEncoded %q want %q", s, got, want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct {
		raw       string
		presigned bool
		want      string
	}{
		{"", false, ""},
		{"Version=2010-05-08&Action=ListUsers", false, "Action=ListUsers&Version=2010-05-08"},
		{"a=2&a=1&a=10", false, "a=1&a=10&a=2"},
		{"b&a=", false, "a=&b="},
		{"a=1&&b=2&", false, "a=1&b=2"},
		{"k=a%2Fb&k=a-b", false, "k=a%2Fb&k=a-b"}, // sorted after encoding: '%' < '-'
		{"X-Amz-Signature=abc&X-Amz-Date=1", true, "X-Amz-Date=1"},
		{"X-Amz-Signature=abc&X-Amz-Date=1", false, "X-Amz-Date=1&X-Amz-Signature=abc"},
		{"q=a+b&q=a%20b", false, "q=a%20b&q=a%20b"},
		{"%3D=%3d", false, "%3D=%3D"},
		{"a=b=c", false, "a=b%3Dc"},
	}
	for _, tt := range tests {
		got := string(appendCanonicalQuery(nil, parseQuery(tt.raw, nil), tt.presigned))
		if got != tt.want {
			t.Errorf("%q (presigned %v): got %q want %q", tt.raw, tt.presigned, got, tt.want)
		}
	}
}

func TestNormalizePath(t *testing.T) {
	tests := []struct {
		in, want string
		changed  bool
	}{
		{"/", "/", false},
		{"/a/b", "/a/b", false},
		{"/a/b/", "/a/b/", false},
		{"/./", "/", true},
		{"//", "/", true},
		{"/foo/bar/../..", "/", true},
		{"/foo/..", "/", true},
		{"/a/./b/../c//", "/a/c/", true},
		{"/a//b", "/a/b", true},
		{"/..", "/", true},
		{"/a/b/.", "/a/b/", true},
		{"a/b", "/a/b", true},
	}
	for _, tt := range tests {
		got, changed := normalizePath(tt.in)
		if got != tt.want || changed != tt.changed {
			t.Errorf("normalizePath(%q) = %q, %v; want %q, %v", tt.in, got, changed, tt.want, tt.changed)
		}
	}
}

func TestCanonicalHeaders(t *testing.T) {
	r, err := http.NewRequest(http.MethodPost, "https://iam.amazonaws.com:443/", nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Host = "iam.amazonaws.com"
	r.Header["X-Amz-Meta-List"] = []string{"  a   b  ", "\tc"}
	r.Header["x-lower"] = []string{"raw key"} // not in canonical form
	r.Header.Set("Content-Type", "text/plain")
	r.ContentLength = 42
	got := string(appendCanonicalHeaders(nil, r, "content-length;content-type;host;missing;x-amz-meta-list;x-lower"))
	want := "content-length:42\ncontent-type:text/plain\nhost:iam.amazonaws.com\nmissing:\nx-amz-meta-list:a b,c\nx-lower:raw key\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestParseAuthorization(t *testing.T) {
	f, err := parseAuthorization("  AWS4-HMAC-SHA256 Credential=A/B/C/D/E ,SignedHeaders=host,Signature=1, Signature=2, Extra=x ,, ")
	if err != nil {
		t.Fatal(err)
	}
	if f.credential != "A/B/C/D/E" || f.signedHeaders != "host" || f.signature != "2" || !f.hasCredential || !f.hasSignature || !f.hasSignedHeaders {
		t.Errorf("fields = %+v", f)
	}
}
