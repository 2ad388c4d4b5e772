package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The worked examples of "Signature Calculations for the Authorization
// Header: Transferring Payload in Multiple Chunks"
// (docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html) and of
// "Signature calculations for trailing headers"
// (docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html):
// a PUT of 66560 bytes of 'a' in a 65536-byte and a 1024-byte chunk.
const (
	docAKID   = "AKIAIOSFODNN7EXAMPLE"
	docSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	docDate   = "20130524T000000Z"
	docScope  = "20130524/us-east-1/s3/aws4_request"
)

var docTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

// docStreaming is the sigv4-streaming.html example: seed signature and the
// signatures of the three chunks.
var docStreaming = struct {
	auth string
	sigs []string
}{
	auth: "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
	sigs: []string{
		"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
		"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
		"b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
	},
}

// docTrailer is the sigv4-streaming-trailers.html example, with a CRC32C
// trailer "sOO8/Q==" signed by d81f82fc....
var docTrailer = struct {
	auth, trailerSig string
	sigs             []string
}{
	auth:       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
	trailerSig: "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435",
	sigs: []string{
		"b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
		"1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
		"2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
	},
}

func docKeys(_ context.Context, akid string) ([]byte, error) {
	if akid == docAKID {
		return []byte(docSecret), nil
	}
	return nil, fmt.Errorf("key %q: %w", akid, ErrUnknownAccessKey)
}

func newS3Verifier(t testing.TB, now time.Time) *Verifier {
	t.Helper()
	v, err := NewVerifier(Options{Lookup: docKeys, Now: func() time.Time { return now }, S3: true, Service: "s3", Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// chunkSigs is a test-side implementation of the chunk signature chain,
// written from the documentation, to build bodies the verifier did not.
func chunkSigs(secret, amzDate, scope, seed string, chunks [][]byte) []string {
	date, rest, _ := strings.Cut(scope, "/")
	region, rest, _ := strings.Cut(rest, "/")
	service, _, _ := strings.Cut(rest, "/")
	mac := func(k []byte, s string) []byte {
		h := hmac.New(sha256.New, k)
		h.Write([]byte(s))
		return h.Sum(nil)
	}
	key := mac(mac(mac(mac([]byte("AWS4"+secret), date), region), service), "aws4_request")
	prev := seed
	var sigs []string
	for _, c := range chunks {
		sum := sha256.Sum256(c)
		sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + amzDate + "\n" + scope + "\n" + prev + "\n" + emptySHA256 + "\n" + hex.EncodeToString(sum[:])
		prev = hex.EncodeToString(mac(key, sts))
		sigs = append(sigs, prev)
	}
	return sigs
}

// trailerSig signs canonical trailer lines ("name:value\n" each) after prev.
func trailerSig(secret, amzDate, scope, prev, canonical string) string {
	date, rest, _ := strings.Cut(scope, "/")
	region, rest, _ := strings.Cut(rest, "/")
	service, _, _ := strings.Cut(rest, "/")
	mac := func(k []byte, s string) []byte {
		h := hmac.New(sha256.New, k)
		h.Write([]byte(s))
		return h.Sum(nil)
	}
	key := mac(mac(mac(mac([]byte("AWS4"+secret), date), region), service), "aws4_request")
	sum := sha256.Sum256([]byte(canonical))
	return hex.EncodeToString(mac(key, "AWS4-HMAC-SHA256-TRAILER\n"+amzDate+"\n"+scope+"\n"+prev+"\n"+hex.EncodeToString(sum[:])))
}

// encodeChunked writes chunks (the last one empty) in aws-chunked framing,
// with the signatures when sigs is not nil, then the trailer lines.
func encodeChunked(chunks [][]byte, sigs []string, trailer ...string) []byte {
	var b bytes.Buffer
	for i, c := range chunks {
		b.WriteString(strconv.FormatInt(int64(len(c)), 16))
		if sigs != nil {
			b.WriteString(";chunk-signature=" + sigs[i])
		}
		b.WriteString("\r\n")
		if len(c) == 0 {
			break
		}
		b.Write(c)
		b.WriteString("\r\n")
	}
	for _, t := range trailer {
		b.WriteString(t + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func docChunks() [][]byte {
	return [][]byte{bytes.Repeat([]byte("a"), 65536), bytes.Repeat([]byte("a"), 1024), nil}
}

// docRequest builds the documentation's PUT with the given body as a
// server reads it.
func docRequest(t testing.TB, auth, payload string, body []byte, extra map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, "http://s3.amazonaws.com/examplebucket/chunkObject.txt", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Date", docDate)
	req.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	req.Header.Set("Authorization", auth)
	req.Header.Set("X-Amz-Content-Sha256", payload)
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", "66560")
	for k, v := range extra {
		req.Header.Set(k, v)
	}
	r, raw := wire(t, req)
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return r
}

// readBody verifies r with VerifyStream and reads the whole body.
func readBody(t testing.TB, v *Verifier, r *http.Request) ([]byte, *Body, error) {
	t.Helper()
	_, b, err := v.VerifyStream(context.Background(), r)
	if err != nil {
		return nil, nil, err
	}
	defer b.Close()
	data, err := io.ReadAll(b)
	return data, b, err
}

func TestStreamingDocExample(t *testing.T) {
	chunks := docChunks()
	seed := docStreaming.auth[strings.LastIndex(docStreaming.auth, "=")+1:]
	sigs := chunkSigs(docSecret, docDate, docScope, seed, chunks)
	for i, want := range docStreaming.sigs {
		if sigs[i] != want {
			t.Fatalf("test signer: chunk %d signature %s, documented %s", i, sigs[i], want)
		}
	}
	body := encodeChunked(chunks, sigs)
	if len(body) != 66824 { // the documented Content-Length
		t.Fatalf("body is %d bytes, documented 66824", len(body))
	}
	r := docRequest(t, docStreaming.auth, streamingSigned, body, map[string]string{"Content-Length": "66824"})
	data, b, err := readBody(t, newS3Verifier(t, docTime), r)
	if err != nil {
		t.Fatalf("VerifyStream: %v", err)
	}
	if !bytes.Equal(data, bytes.Repeat([]byte("a"), 66560)) {
		t.Fatalf("decoded %d bytes", len(data))
	}
	if b.Length() != 66560 || !b.Chunked() || len(b.Trailer()) != 0 || b.PayloadSHA256() != "" {
		t.Errorf("Length %d, Chunked %v, Trailer %v, PayloadSHA256 %q", b.Length(), b.Chunked(), b.Trailer(), b.PayloadSHA256())
	}

	// Verify (whole body) accepts it too.
	r = docRequest(t, docStreaming.auth, streamingSigned, body, map[string]string{"Content-Length": "66824"})
	if _, err := newS3Verifier(t, docTime).Verify(context.Background(), r, body); err != nil {
		t.Fatalf("Verify: %v", err)
	}
}

func TestStreamingTrailerDocExample(t *testing.T) {
	chunks := docChunks()
	seed := docTrailer.auth[strings.LastIndex(docTrailer.auth, "=")+1:]
	sigs := chunkSigs(docSecret, docDate, docScope, seed, chunks)
	for i, want := range docTrailer.sigs {
		if sigs[i] != want {
			t.Fatalf("test signer: chunk %d signature %s, documented %s", i, sigs[i], want)
		}
	}
	if got := trailerSig(docSecret, docDate, docScope, sigs[2], "x-amz-checksum-crc32c:sOO8/Q==\n"); got != docTrailer.trailerSig {
		t.Fatalf("test signer: trailer signature %s, documented %s", got, docTrailer.trailerSig)
	}
	body := encodeChunked(chunks, sigs, "x-amz-checksum-crc32c:sOO8/Q==", "x-amz-trailer-signature:"+docTrailer.trailerSig)
	if len(body) != 66946 { // 66824 plus the two trailer lines
		t.Fatalf("body is %d bytes", len(body))
	}
	extra := map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32c"}
	r := docRequest(t, docTrailer.auth, streamingSignedTrailer, body, extra)
	data, b, err := readBody(t, newS3Verifier(t, docTime), r)
	if err != nil {
		t.Fatalf("VerifyStream: %v", err)
	}
	if len(data) != 66560 {
		t.Fatalf("decoded %d bytes", len(data))
	}
	if got := b.Trailer().Get("X-Amz-Checksum-Crc32c"); got != "sOO8/Q==" {
		t.Errorf("trailer = %v", b.Trailer())
	}
}

// TestStreamingTampering alters the documented bodies: every change must
// fail with S3's code, and no byte of a chunk whose signature fails is
// returned.
func TestStreamingTampering(t *testing.T) {
	chunks := docChunks()
	seed := docStreaming.auth[strings.LastIndex(docStreaming.auth, "=")+1:]
	sigs := chunkSigs(docSecret, docDate, docScope, seed, chunks)
	good := encodeChunked(chunks, sigs)
	tseed := docTrailer.auth[strings.LastIndex(docTrailer.auth, "=")+1:]
	tsigs := chunkSigs(docSecret, docDate, docScope, tseed, chunks)
	trailerBody := func(checksum string) []byte {
		return encodeChunked(chunks, tsigs, "x-amz-checksum-crc32c:"+checksum,
			"x-amz-trailer-signature:"+trailerSig(docSecret, docDate, docScope, tsigs[2], "x-amz-checksum-crc32c:"+checksum+"\n"))
	}
	flip := func(b []byte, i int) []byte {
		b = bytes.Clone(b)
		b[i] ^= 1
		return b
	}
	chunk2 := bytes.Index(good, []byte("\r\n400;")) + 2 // start of the second chunk's header
	cases := []struct {
		name     string
		auth     string
		payload  string
		body     []byte
		extra    map[string]string
		code     string
		readable int // bytes returned before the error
	}{
		{name: "byte flipped in chunk 1", body: flip(good, 200), code: CodeSignatureDoesNotMatch},
		{name: "byte flipped in chunk 2", body: flip(good, chunk2+100), code: CodeSignatureDoesNotMatch, readable: 65536},
		{name: "wrong chunk signature", body: bytes.Replace(good, []byte(sigs[1]), []byte(sigs[0]), 1), code: CodeSignatureDoesNotMatch, readable: 65536},
		{name: "chunks swapped", body: encodeChunked([][]byte{chunks[1], chunks[0], nil}, []string{sigs[1], sigs[0], sigs[2]}), extra: map[string]string{}, code: CodeSignatureDoesNotMatch},
		{name: "wrong final signature", body: bytes.Replace(good, []byte(sigs[2]), []byte(sigs[1]), 1), code: CodeSignatureDoesNotMatch, readable: 66560},
		{name: "truncated in data", body: good[:40000], code: CodeIncompleteBody},
		{name: "truncated before last chunk", body: good[:chunk2+80], code: CodeIncompleteBody, readable: 65536},
		{name: "truncated before final chunk", body: good[:len(good)-86], code: CodeIncompleteBody, readable: 66560},
		{name: "decoded length too small", body: good, extra: map[string]string{"X-Amz-Decoded-Content-Length": "66000"}, code: CodeSignatureDoesNotMatch},
		{name: "missing chunk signature", body: bytes.Replace(good, []byte(";chunk-signature="+sigs[0]), nil, 1), code: CodeIncompleteBody},
		{name: "bad size digits", body: append([]byte("1000g"), good[5:]...), code: CodeIncompleteBody},
		{name: "size line too long", body: append(bytes.Repeat([]byte("0"), 5000), good...), code: CodeIncompleteBody},
		{name: "bare LF", body: bytes.Replace(good, []byte("\r\n"), []byte("\n"), 1), code: CodeIncompleteBody},
		{name: "trailer checksum wrong", auth: docTrailer.auth, payload: streamingSignedTrailer, body: trailerBody("AAAAAA=="),
			extra: map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32c"}, code: CodeBadDigest, readable: 66560},
		{name: "trailer signature wrong", auth: docTrailer.auth, payload: streamingSignedTrailer,
			body:  bytes.Replace(trailerBody("sOO8/Q=="), []byte("sOO8/Q==\r\n"), []byte("sOO8/Q=A\r\n"), 1),
			extra: map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32c"}, code: CodeSignatureDoesNotMatch, readable: 66560},
		{name: "signed header changed", auth: docTrailer.auth, payload: streamingSignedTrailer, body: trailerBody("sOO8/Q=="),
			extra: map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32c", "X-Amz-Storage-Class": "STANDARD"}, code: CodeSignatureDoesNotMatch},
		{name: "declared hash wrong", payload: hexSHA256([]byte("x")), body: bytes.Repeat([]byte("a"), 10), code: CodeSignatureDoesNotMatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			auth, payload := c.auth, c.payload
			if auth == "" {
				auth = docStreaming.auth
			}
			if payload == "" {
				payload = streamingSigned
			}
			extra := map[string]string{"Content-Length": "66824"}
			if auth == docTrailer.auth {
				extra = map[string]string{}
			}
			for k, v := range c.extra {
				extra[k] = v
			}
			r := docRequest(t, auth, payload, c.body, extra)
			r.ContentLength = int64(len(c.body))
			r.Header.Del("Content-Length")
			if auth == docStreaming.auth {
				// content-length is signed: keep the documented value.
				r.Header.Set("Content-Length", "66824")
			}
			_, b, err := newS3Verifier(t, docTime).VerifyStream(context.Background(), r)
			var n int
			if err == nil {
				var data []byte
				data, err = io.ReadAll(b)
				n = len(data)
				if err2 := b.Close(); err2 != nil {
					t.Fatal(err2)
				}
			}
			if code, msg := errCode(t, err); code != c.code {
				t.Fatalf("error %s %q, want %s", code, msg, c.code)
			}
			if n != c.readable {
				t.Errorf("read %d bytes before failing, want %d", n, c.readable)
			}
		})
	}
}

// TestStreamingUnsignedTrailer decodes STREAMING-UNSIGNED-PAYLOAD-TRAILER,
// what aws-sdk-go-v2 and the AWS CLI send for PutObject over TLS: the body
// as aws-sdk-go-v2 writes it (service/internal/checksum
// aws_chunked_encoding.go), and its failures.
func TestStreamingUnsignedTrailer(t *testing.T) {
	data := []byte("hello world")
	build := func(body []byte, extra map[string]string) *http.Request {
		req, err := http.NewRequest(http.MethodPut, "http://bucket.s3.amazonaws.com/key", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Encoding", "aws-chunked")
		req.Header.Set("X-Amz-Decoded-Content-Length", "11")
		req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
		for k, v := range extra {
			req.Header.Set(k, v)
		}
		r, raw := wire(t, req)
		r.Body = io.NopCloser(bytes.NewReader(raw))
		return r
	}
	// "hello world": CRC32 DUoRhQ==, from aws-sdk-go-v2's algorithms_test.go.
	good := []byte("b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n")
	cases := []struct {
		name  string
		body  []byte
		extra map[string]string
		code  string
	}{
		{name: "valid", body: good},
		// S3 refuses chunks below 8192 bytes but the last, signed or not.
		{name: "small chunk", body: []byte("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"), code: CodeInvalidChunkSizeError},
		{name: "invalid trailer value", body: bytes.Replace(good, []byte("DUoRhQ=="), []byte("DUoRhQ"), 1), code: CodeInvalidRequest},
		{name: "checksum header and trailer", body: good, extra: map[string]string{"X-Amz-Checksum-Crc32": "DUoRhQ=="}, code: CodeInvalidRequest},
		{name: "blank line before trailer", body: []byte("b\r\nhello world\r\n0\r\n\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n")},
		{name: "no final CRLF", body: []byte("b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n")},
		{name: "wrong checksum", body: bytes.Replace(good, []byte("DUoRhQ=="), []byte("DUoRhA=="), 1), code: CodeBadDigest},
		{name: "flipped byte", body: bytes.Replace(good, []byte("hello"), []byte("hallo"), 1), code: CodeBadDigest},
		{name: "missing trailer", body: []byte("b\r\nhello world\r\n0\r\n\r\n"), code: CodeMalformedTrailerError},
		{name: "other trailer", body: bytes.Replace(good, []byte("crc32:"), []byte("sha1:"), 1), code: CodeMalformedTrailerError},
		{name: "trailer without colon", body: bytes.Replace(good, []byte("crc32:"), []byte("crc32 "), 1), code: CodeMalformedTrailerError},
		{name: "truncated", body: good[:10], code: CodeIncompleteBody},
		{name: "more than declared", body: []byte("c\r\nhello world!\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"), code: CodeIncompleteBody},
		{name: "less than declared", body: []byte("a\r\nhello worl\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"), code: CodeIncompleteBody},
		{name: "sha256 trailer", body: []byte("b\r\nhello world\r\n0\r\nx-amz-checksum-sha256:uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=\r\n\r\n"),
			extra: map[string]string{"X-Amz-Trailer": "x-amz-checksum-sha256"}},
		{name: "crc64nvme trailer", body: []byte("b\r\nhello world\r\n0\r\nx-amz-checksum-crc64nvme:jSnVw/bqjr4=\r\n\r\n"),
			extra: map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc64nvme"}},
		{name: "unknown trailer declared", body: good, extra: map[string]string{"X-Amz-Trailer": "x-amz-checksum-md4"}, code: CodeInvalidRequest},
		{name: "two checksums declared", body: good, extra: map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32,x-amz-checksum-sha1"}, code: CodeInvalidRequest},
		{name: "no decoded length", body: good, extra: map[string]string{"X-Amz-Decoded-Content-Length": ""}, code: CodeMissingContentLength},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := build(c.body, c.extra)
			b, err := DecodeChunked(r)
			var got []byte
			if err == nil {
				got, err = io.ReadAll(b)
			}
			if code, msg := errCode(t, err); code != c.code {
				t.Fatalf("error %s %q, want %s", code, msg, c.code)
			}
			if c.code == "" {
				if !bytes.Equal(got, data) {
					t.Errorf("decoded %q", got)
				}
				if len(b.Trailer()) != 1 {
					t.Errorf("trailer %v", b.Trailer())
				}
			}
		})
	}
}

// TestPayloadHash covers x-amz-content-sha256 of header-signed requests
// under the S3 rules, with requests signed by aws-sdk-go-v2's signer.
func TestPayloadHash(t *testing.T) {
	body := "some object data"
	cases := []struct {
		name     string
		declared string // "" for no header
		omit     bool
		sendBody string
		code     string
		fields   []string
	}{
		{name: "hex", declared: hexSHA256([]byte(body)), sendBody: body},
		{name: "unsigned", declared: unsignedPayload, sendBody: body},
		{name: "hex mismatch", declared: hexSHA256([]byte("other")), sendBody: body, code: CodeXAmzContentSHA256Mismatch,
			fields: []string{"ClientComputedContentSHA256", "S3ComputedContentSHA256"}},
		{name: "missing", omit: true, sendBody: body, code: CodeInvalidRequest},
		{name: "upper-case hex", declared: strings.ToUpper(hexSHA256([]byte(body))), sendBody: body, code: CodeInvalidArgument,
			fields: []string{"ArgumentName", "ArgumentValue"}},
		{name: "garbage", declared: "STREAMING-FOO", sendBody: body, code: CodeInvalidArgument},
		{name: "ecdsa", declared: streamingECDSA, sendBody: body, code: CodeNotImplemented},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hdr := map[string][]string{}
			if !c.omit {
				hdr["X-Amz-Content-Sha256"] = []string{c.declared}
			}
			r := s3Sign(t, http.MethodPut, "https://bucket.s3.amazonaws.com/key", c.sendBody, hdr, c.declared, t0)
			_, b, err := newTestVerifier(t, 0, func(o *Options) { o.S3 = true }).VerifyStream(context.Background(), r)
			var got []byte
			if err == nil {
				got, err = io.ReadAll(b)
			}
			code, msg := errCode(t, err)
			if code != c.code {
				t.Fatalf("error %s %q, want %s", code, msg, c.code)
			}
			if err == nil && string(got) != c.sendBody {
				t.Errorf("body %q", got)
			}
			// The declared hex digest is passed on (for a backend to
			// declare to its own store), an unsigned payload has none.
			if b != nil {
				want := ""
				if c.declared != unsignedPayload {
					want = c.declared
				}
				if d := b.PayloadSHA256(); d != want {
					t.Errorf("PayloadSHA256() = %q, want %q", d, want)
				}
			}
			if err != nil {
				e := err.(*Error)
				for _, f := range c.fields {
					if _, ok := e.Field(f); !ok {
						t.Errorf("no field %s in %+v", f, e.Fields)
					}
				}
			}
		})
	}
}

// TestChunkSize: a signed chunk other than the last must have 8192 bytes or
// more (docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html:
// "Chunk size must be at least 8 KB").
func TestChunkSize(t *testing.T) {
	chunks := [][]byte{bytes.Repeat([]byte("a"), 100), bytes.Repeat([]byte("b"), 100), nil}
	r, body := signChunked(t, chunks, "")
	_, b, err := newS3Verifier(t, docTime).VerifyStream(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, b)
	if code, _ := errCode(t, err); code != CodeInvalidChunkSizeError || n != 100 {
		t.Fatalf("read %d, error %v", n, err)
	}
	if v, _ := err.(*Error).Field("BadChunkSize"); v != "100" {
		t.Errorf("fields %+v", err.(*Error).Fields)
	}
	_ = body
}

// signChunked signs a STREAMING-AWS4-HMAC-SHA256-PAYLOAD request whose
// chunks are given with aws-sdk-go-v2's signer for the seed and the test
// signer for the chunks, and returns it as the server reads it.
func signChunked(t testing.TB, chunks [][]byte, path string) (*http.Request, []byte) {
	t.Helper()
	if path == "" {
		path = "/examplebucket/chunkObject.txt"
	}
	total := 0
	for _, c := range chunks {
		total += len(c)
	}
	hdr := map[string][]string{
		"Content-Encoding":             {"aws-chunked"},
		"X-Amz-Decoded-Content-Length": {strconv.Itoa(total)},
		"X-Amz-Content-Sha256":         {streamingSigned},
	}
	req := s3SignRequest(t, http.MethodPut, "http://s3.amazonaws.com"+path, hdr, streamingSigned, docTime, docAKID, docSecret)
	auth := req.Header.Get("Authorization")
	seed := auth[strings.LastIndex(auth, "=")+1:]
	body := encodeChunked(chunks, chunkSigs(docSecret, docDate, docScope, seed, chunks))
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	r, raw := wire(t, req)
	r.Body = io.NopCloser(bytes.NewReader(raw))
	return r, raw
}

func TestVerifyStreamNeedsS3(t *testing.T) {
	r, _ := sign(t, clientRequest{url: "https://iam.amazonaws.com/?Action=ListUsers"})
	_, _, err := newTestVerifier(t, 0, nil).VerifyStream(context.Background(), r)
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeInternalFailure {
		t.Fatalf("err = %v", err)
	}
}

func TestS3CanonicalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/b/k":              "/b/k",
		"/b/100%":           "/b/100%25",
		"/b/%zz":            "/b/%25zz",
		"/b/%7e%41%2f":      "/b/~A/",
		"/b/a b+c":          "/b/a%20b%2Bc",
		"/b/%C3%BC":         "/b/%C3%BC",
		"/b/%c3%bc":         "/b/%C3%BC",
		"/b//./../":         "/b//./../",
		"/b/ü":              "/b/%C3%BC",
		"":                  "",
		"%":                 "%25",
		"/b/%2":             "/b/%252",
		"/b/%E4%B8%AD?x=%7": "/b/%E4%B8%AD%3Fx%3D%257",
	} {
		if got := s3CanonicalPath(in); got != want {
			t.Errorf("s3CanonicalPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTrailerWithoutTrailer: a body that announces a trailer in
// x-amz-trailer and sends none is MalformedTrailerError, whether its chunks
// are signed or not.
func TestTrailerWithoutTrailer(t *testing.T) {
	chunks := [][]byte{[]byte("hello"), nil}
	seed := strings.Repeat("0", 64)
	for _, kind := range []payloadKind{payloadSigned, payloadSignedTrailer, payloadUnsignedTrailer} {
		hdr := http.Header{}
		hdr.Set("X-Amz-Decoded-Content-Length", "5")
		hdr.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
		var sigs []string
		if kind != payloadUnsignedTrailer {
			sigs = chunkSigs(docSecret, docDate, docScope, seed, chunks)
		}
		body := encodeChunked(chunks, sigs)
		if kind == payloadSignedTrailer {
			body = encodeChunked(chunks, sigs, "x-amz-trailer-signature:"+trailerSig(docSecret, docDate, docScope, sigs[1], ""))
		}
		sig := &chunkSigner{key: deriveKey([]byte(docSecret), "20130524", "us-east-1", "s3"), amzDate: docDate, scope: docScope, prev: seed}
		b, err := newBody(io.NopCloser(bytes.NewReader(body)), hdr, int64(len(body)), "", kind, sig)
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(b)
		if code, msg := errCode(t, err); code != CodeMalformedTrailerError {
			t.Errorf("kind %d: %s %q", kind, code, msg)
		}
	}
}

// TestBodyReadError: a failing request body (here a size limit) is
// IncompleteBody for the client, with the cause kept for the server.
func TestBodyReadError(t *testing.T) {
	for _, payload := range []string{"", unsignedPayload} {
		r := s3Sign(t, http.MethodPut, "https://bucket.s3.amazonaws.com/key", "0123456789", map[string][]string{"X-Amz-Content-Sha256": {payload}}, payload, t0)
		if payload == "" {
			r = s3Sign(t, http.MethodPut, "https://bucket.s3.amazonaws.com/key", "0123456789", map[string][]string{"X-Amz-Content-Sha256": {hexSHA256([]byte("0123456789"))}}, "", t0)
		}
		r.Body = http.MaxBytesReader(nil, r.Body, 4)
		_, b, err := newS3TestVerifier(t, 0).VerifyStream(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(b)
		var mbe *http.MaxBytesError
		if code, _ := errCode(t, err); code != CodeIncompleteBody || !errors.As(err, &mbe) {
			t.Errorf("payload %q: %v", payload, err)
		}
	}
}
