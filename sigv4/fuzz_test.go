package sigv4

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func fuzzVerifier(t testing.TB) *Verifier {
	return newTestVerifier(t, 0, func(o *Options) { o.CacheSize = 4 })
}

// fuzzS3Verifier applies the S3 rules.
func fuzzS3Verifier(t testing.TB) *Verifier {
	return newTestVerifier(t, 0, func(o *Options) { o.CacheSize, o.S3, o.Service = 4, true, "s3" })
}

// checkErr fails unless err is nil or an *Error with a code, status and
// message.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	e, ok := err.(*Error)
	if !ok || e.Code == "" || e.Status < 400 || e.Message == "" {
		t.Fatalf("bad error %#v", err)
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add(validAuth, "20260101T120000Z")
	f.Add("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/iam/aws4_request,SignedHeaders=host,Signature=", "")
	f.Add("AWS4-HMAC-SHA256 Credential=//////, SignedHeaders=;;;, Signature=zz", "Thu, 01 Jan 2026 12:00:00 GMT")
	f.Add("AWS4-HMAC-SHA256 ,,,=,= ,Credential", "2026")
	f.Add("Basic x", "")
	f.Fuzz(func(t *testing.T, header, date string) {
		if _, err := parseAuthorization(header); err != nil && err.Code != CodeIncompleteSignature {
			t.Fatalf("parseAuthorization: %v", err)
		}
		r, err := http.NewRequest(http.MethodGet, "https://iam.amazonaws.com/", nil)
		if err != nil {
			t.Fatal(err)
		}
		r.Header["Authorization"] = []string{header}
		r.Header["X-Amz-Date"] = []string{date}
		a, err := Parse(r)
		checkErr(t, err)
		if err == nil && (a.AccessKeyID+"/"+a.scope != a.credential || a.Date.IsZero()) {
			t.Fatalf("inconsistent auth %+v", a)
		}
		_, err = fuzzVerifier(t).Verify(context.Background(), r, []byte(header))
		checkErr(t, err)
		r.Header["X-Amz-Content-Sha256"] = []string{date}
		_, err = fuzzS3Verifier(t).Verify(context.Background(), r, []byte(header))
		checkErr(t, err)
	})
}

func FuzzPresignedQuery(f *testing.F) {
	f.Add(presignedQuery("X-Amz-Expires=60"))
	f.Add(presignedQuery("X-Amz-Security-Token=a%2Bb&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD"))
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%%%&X-Amz-Date=&X-Amz-SignedHeaders=&X-Amz-Signature")
	f.Add("a=%zz&=&&b+c=%2&X-Amz-Algorithm=AWS4-HMAC-SHA256")
	f.Fuzz(func(t *testing.T, query string) {
		params := parseQuery(query, nil)
		for _, p := range params {
			for _, s := range []string{p.key, p.value} {
				if canonicalComponent(s) != s {
					t.Fatalf("%q is not canonical", s)
				}
			}
		}
		_ = appendCanonicalQuery(nil, params, true)
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/", RawQuery: query}, Header: http.Header{}, Host: "iam.amazonaws.com"}
		a, err := Parse(r)
		checkErr(t, err)
		if err == nil && !a.Presigned {
			t.Fatalf("presigned query parsed as %+v", a)
		}
		_, err = fuzzVerifier(t).Verify(context.Background(), r, nil)
		checkErr(t, err)
		_, err = fuzzS3Verifier(t).Verify(context.Background(), r, nil)
		checkErr(t, err)
		IsAnonymous(r)
	})
}

// FuzzCanonical checks the encoders against each other: canonical forms are
// fixed points, and decoding a canonical form gives the decoded input back.
func FuzzCanonical(f *testing.F) {
	f.Add("a b+c%2F%2f%zz%", "/a/./b/../c//d/")
	f.Fuzz(func(t *testing.T, s, path string) {
		c := canonicalComponent(s)
		if canonicalComponent(c) != c {
			t.Fatalf("canonicalComponent(%q) = %q is not a fixed point", s, c)
		}
		if decodeComponent(c) != decodeComponent(s) {
			t.Fatalf("decode(%q) = %q, decode(%q) = %q", c, decodeComponent(c), s, decodeComponent(s))
		}
		if want := strings.ReplaceAll(url.QueryEscape(s), "+", "%20"); string(appendEncoded(nil, s, false)) != want {
			t.Fatalf("appendEncoded(%q) = %q, want %q", s, appendEncoded(nil, s, false), want)
		}
		if n, _ := normalizePath(path); !strings.HasPrefix(n, "/") || strings.Contains(n, "//") {
			t.Fatalf("normalizePath(%q) = %q", path, n)
		}
	})
}

// FuzzChunked feeds arbitrary bodies to the aws-chunked decoder, unsigned
// and signed: it must never panic, must fail only with an *Error, and must
// yield exactly the declared length when it succeeds. It also encodes the
// input as a valid signed body, in chunks of a fuzzed size, and checks that
// the decoder gives it back.
func FuzzChunked(f *testing.F) {
	f.Add([]byte("b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"), uint16(11), uint16(3))
	f.Add([]byte("5;chunk-signature=ab\r\nhello\r\n0\r\n\r\n"), uint16(5), uint16(9000))
	f.Add([]byte("ffffffffffffffff\r\n"), uint16(0), uint16(0))
	f.Add([]byte("0\r\n\r\n\r\n:\r\n"), uint16(0), uint16(1))
	f.Add(encodeChunked(docChunks()[1:], chunkSigs(docSecret, docDate, docScope, strings.Repeat("0", 64), docChunks()[1:])), uint16(1024), uint16(8192))
	f.Fuzz(func(t *testing.T, body []byte, declared, chunkSize uint16) {
		hdr := http.Header{}
		hdr.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(int(declared)))
		hdr.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
		for _, signed := range []bool{false, true} {
			kind := payloadUnsignedTrailer
			if signed {
				kind = payloadSignedTrailer
			}
			key := deriveKey([]byte(docSecret), "20130524", "us-east-1", "s3")
			sig := &chunkSigner{key: key, amzDate: docDate, scope: docScope, prev: strings.Repeat("0", 64)}
			b, err := newBody(io.NopCloser(bytes.NewReader(body)), hdr, int64(len(body)), "", kind, sig)
			if err != nil {
				t.Fatal(err)
			}
			out, err := io.ReadAll(b)
			checkErr(t, err)
			if err == nil && len(out) != int(declared) {
				t.Fatalf("decoded %d bytes, declared %d", len(out), declared)
			}
		}

		// Round trip: body as the payload of a valid signed body.
		size := int(chunkSize)%(3*minChunkSize) + minChunkSize
		var chunks [][]byte
		for rest := body; len(rest) > 0; {
			n := min(size, len(rest))
			chunks = append(chunks, rest[:n])
			rest = rest[n:]
		}
		chunks = append(chunks, nil)
		seed := strings.Repeat("1", 64)
		enc := encodeChunked(chunks, chunkSigs(docSecret, docDate, docScope, seed, chunks))
		hdr = http.Header{}
		hdr.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(body)))
		sig := &chunkSigner{key: deriveKey([]byte(docSecret), "20130524", "us-east-1", "s3"), amzDate: docDate, scope: docScope, prev: seed}
		b, err := newBody(io.NopCloser(bytes.NewReader(enc)), hdr, int64(len(enc)), "", payloadSigned, sig)
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(b)
		if err != nil || !bytes.Equal(out, body) {
			t.Fatalf("round trip: %d bytes, %v", len(out), err)
		}
	})
}
