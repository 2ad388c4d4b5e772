package upstream_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/objectstore/upstream"
)

// declaredReader is a body that declares its payload SHA-256, as the S3
// layer's bodies of a signed payload do (objectstore.DigestedBody). It does
// not verify it: over plain HTTP the upstream must.
type declaredReader struct {
	r    io.Reader
	size int64
	sum  string
}

func (d *declaredReader) Read(p []byte) (int, error) { return d.r.Read(p) }
func (d *declaredReader) Size() int64                { return d.size }
func (d *declaredReader) PayloadSHA256() string      { return d.sum }

func declaredBody(data []byte, sum string) *declaredReader {
	return &declaredReader{r: bytes.NewReader(data), size: int64(len(data)), sum: sum}
}

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func quotedMD5(b []byte) string {
	s := md5.Sum(b)
	return `"` + hex.EncodeToString(s[:]) + `"`
}

// TestDeclaredDigest: over plain HTTP a body that declares its SHA-256 is
// sent signed with it, not hashed again here; the upstream verifies the
// bytes against it, so a body that does not match is refused there and
// nothing is stored, for PutObject and UploadPart alike (even when the
// body, unlike the S3 layer's, does not verify itself).
func TestDeclaredDigest(t *testing.T) {
	_, b := openGatehouse(t, "dg-")
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "docs"); err != nil {
		t.Fatal(err)
	}
	good := []byte("the bytes the client signed")
	info, err := b.PutObject(ctx, "docs", "k", declaredBody(good, hexSHA256(good)), objectstore.Meta{}, nil)
	if err != nil {
		t.Fatalf("PutObject with its digest: %v", err)
	}
	if info.ETag != quotedMD5(good) || info.Size != int64(len(good)) {
		t.Fatalf("PutObject = ETag %s size %d, want %s %d", info.ETag, info.Size, quotedMD5(good), len(good))
	}
	// Another body under the same digest: the upstream refuses it and the
	// object stays as it was.
	bad := []byte("the bytes the client did not sign")
	if _, err := b.PutObject(ctx, "docs", "k", declaredBody(bad, hexSHA256(good)), objectstore.Meta{}, nil); err == nil {
		t.Fatal("PutObject of a body its digest does not cover succeeded")
	}
	assertObject(ctx, t, b, "docs", "k", good)

	id, err := b.CreateMultipartUpload(ctx, "docs", "big", objectstore.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	part := bytes.Repeat([]byte("p"), 1<<20)
	pi, err := b.UploadPart(ctx, "docs", "big", id, 1, declaredBody(part, hexSHA256(part)), objectstore.Checksum{})
	if err != nil || pi.ETag != quotedMD5(part) || pi.Size != int64(len(part)) {
		t.Fatalf("UploadPart with its digest = %+v, %v", pi, err)
	}
	if _, err := b.UploadPart(ctx, "docs", "big", id, 2, declaredBody(bad, hexSHA256(good)), objectstore.Checksum{}); err == nil {
		t.Fatal("UploadPart of a body its digest does not cover succeeded")
	}
	parts, err := b.ListParts(ctx, "docs", "big", id, objectstore.PartListOptions{})
	if err != nil || len(parts.Parts) != 1 || parts.Parts[0].PartNumber != 1 {
		t.Fatalf("ListParts = %+v, %v; want part 1 only", parts, err)
	}
}

// TestDigestDelegated: over plain HTTP a body that can hand its
// verification over (objectstore.DigestDelegator, as the S3 layer's
// signed bodies can) is not hashed by itself: the write is signed with
// its digest and the upstream verifies the bytes once, and the
// upstream's refusal is answered with the body's own error; over HTTPS
// the body keeps verifying (the write goes UNSIGNED-PAYLOAD).
func TestDigestDelegated(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(map[bool]string{false: "http", true: "https"}[tls], func(t *testing.T) {
			_, b, hop := openGatehouseVia(t, "dl-", tls)
			ctx := t.Context()
			if err := b.CreateBucket(ctx, "docs"); err != nil {
				t.Fatal(err)
			}
			good := bytes.Repeat([]byte("the bytes the client signed "), 40000)
			body := &delegatingReader{verifyingReader: verifyingBody(good, hexSHA256(good))}
			hop.reset()
			info, err := b.PutObject(ctx, "docs", "k", body, objectstore.Meta{}, nil)
			if err != nil || info.ETag != quotedMD5(good) {
				t.Fatalf("PutObject = %+v, %v", info, err)
			}
			// Over plain HTTP the first delegating write is preceded
			// by the backend's probe of the upstream (the uploads
			// bucket made, a PUT it must refuse): the write is last.
			want := map[bool]string{false: hexSHA256(good), true: "UNSIGNED-PAYLOAD"}[tls]
			if got := hop.puts(); len(got) == 0 || got[len(got)-1] != want {
				t.Fatalf("PutObject carried x-amz-content-sha256 %q, want %q last", got, want)
			}
			if body.delegated != !tls {
				t.Fatalf("verification delegated: %v over TLS %v", body.delegated, tls)
			}
			bad := bytes.Clone(good)
			bad[len(bad)-1] ^= 1
			body = &delegatingReader{verifyingReader: verifyingBody(bad, hexSHA256(good))}
			_, err = b.PutObject(ctx, "docs", "k", body, objectstore.Meta{}, nil)
			if !errors.Is(err, errMismatch) {
				t.Fatalf("PutObject of a body its digest does not cover = %v, want the body's error", err)
			}
			assertObject(ctx, t, b, "docs", "k", good)
			id, err := b.CreateMultipartUpload(ctx, "docs", "big", objectstore.Meta{})
			if err != nil {
				t.Fatal(err)
			}
			body = &delegatingReader{verifyingReader: verifyingBody(bad, hexSHA256(good))}
			if _, err := b.UploadPart(ctx, "docs", "big", id, 1, body, objectstore.Checksum{}); !errors.Is(err, errMismatch) {
				t.Fatalf("UploadPart of a body its digest does not cover = %v, want the body's error", err)
			}
			if parts, err := b.ListParts(ctx, "docs", "big", id, objectstore.PartListOptions{}); err != nil || len(parts.Parts) != 0 {
				t.Fatalf("ListParts after the refused UploadPart = %+v, %v; want none", parts, err)
			}
		})
	}
}

// delegatingReader is a verifyingReader that can hand its verification
// over (objectstore.DigestDelegator): once it has, it no longer checks
// the bytes.
type delegatingReader struct {
	*verifyingReader
	delegated bool
}

func (d *delegatingReader) DelegateDigest() string {
	d.delegated = true
	return d.sum
}

func (d *delegatingReader) DigestMismatch(string) error { return errMismatch }

func (d *delegatingReader) Read(p []byte) (int, error) {
	if d.delegated {
		return d.r.Read(p)
	}
	return d.verifyingReader.Read(p)
}

// verifyingReader is a body that verifies itself as the S3 layer's do
// (objectstore.DigestedBody): it hashes the bytes it returns and fails its
// last read, with the last bytes, unless they hash to the declared digest.
type verifyingReader struct {
	r    *bytes.Reader
	h    hash.Hash
	size int64
	sum  string
}

var errMismatch = errors.New("XAmzContentSHA256Mismatch")

func verifyingBody(data []byte, sum string) *verifyingReader {
	return &verifyingReader{r: bytes.NewReader(data), h: sha256.New(), size: int64(len(data)), sum: sum}
}

func (v *verifyingReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	if v.r.Len() == 0 && hex.EncodeToString(v.h.Sum(nil)) != v.sum {
		return n, errMismatch
	}
	return n, err
}
func (v *verifyingReader) Size() int64           { return v.size }
func (v *verifyingReader) PayloadSHA256() string { return v.sum }

// TestDeclaredDigestOverTLS: over HTTPS a body that verifies itself is
// sent UNSIGNED-PAYLOAD, as the SDK sends PutObject and UploadPart over TLS
// (v4.UseDynamicPayloadSigningMiddleware; "UNSIGNED-PAYLOAD" is SigV4's
// payload of an unsigned body,
// https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html),
// so the upstream does not hash it again; a body whose verification fails
// at its end never has its last byte sent, so the upstream stores nothing:
// the object keeps its content and the upload has no such part.
func TestDeclaredDigestOverTLS(t *testing.T) {
	_, b, hop := openGatehouseVia(t, "tls-", true)
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "docs"); err != nil {
		t.Fatal(err)
	}
	good := bytes.Repeat([]byte("the bytes the client signed "), 40000) // over a megabyte: many reads
	hop.reset()
	info, err := b.PutObject(ctx, "docs", "k", verifyingBody(good, hexSHA256(good)), objectstore.Meta{}, nil)
	if err != nil || info.ETag != quotedMD5(good) || info.Size != int64(len(good)) {
		t.Fatalf("PutObject with its digest = %+v, %v", info, err)
	}
	if got := hop.puts(); len(got) != 1 || got[0] != "UNSIGNED-PAYLOAD" {
		t.Fatalf("PutObject over TLS carried x-amz-content-sha256 %q, want UNSIGNED-PAYLOAD", got)
	}
	bad := bytes.Clone(good)
	bad[len(bad)-1] ^= 1
	if _, err := b.PutObject(ctx, "docs", "k", verifyingBody(bad, hexSHA256(good)), objectstore.Meta{}, nil); !errors.Is(err, errMismatch) {
		t.Fatalf("PutObject of a body its digest does not cover = %v, want the body's error", err)
	}
	assertObject(ctx, t, b, "docs", "k", good)
	if _, err := b.PutObject(ctx, "docs", "new", verifyingBody(bad, hexSHA256(good)), objectstore.Meta{}, nil); !errors.Is(err, errMismatch) {
		t.Fatalf("PutObject of a new key with a body its digest does not cover = %v", err)
	}
	if _, err := b.HeadObject(ctx, "docs", "new", ""); !errors.Is(err, objectstore.ErrNoSuchKey) {
		t.Fatalf("HeadObject after the refused PutObject = %v, want ErrNoSuchKey", err)
	}

	id, err := b.CreateMultipartUpload(ctx, "docs", "big", objectstore.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.UploadPart(ctx, "docs", "big", id, 1, verifyingBody(bad, hexSHA256(good)), objectstore.Checksum{}); !errors.Is(err, errMismatch) {
		t.Fatalf("UploadPart of a body its digest does not cover = %v", err)
	}
	if parts, err := b.ListParts(ctx, "docs", "big", id, objectstore.PartListOptions{}); err != nil || len(parts.Parts) != 0 {
		t.Fatalf("ListParts after the refused UploadPart = %+v, %v; want none", parts, err)
	}
	hop.reset()
	pi, err := b.UploadPart(ctx, "docs", "big", id, 1, verifyingBody(good, hexSHA256(good)), objectstore.Checksum{})
	if err != nil || pi.ETag != quotedMD5(good) || pi.Size != int64(len(good)) {
		t.Fatalf("UploadPart with its digest = %+v, %v", pi, err)
	}
	if got := hop.puts(); len(got) != 1 || got[0] != "UNSIGNED-PAYLOAD" {
		t.Fatalf("UploadPart over TLS carried x-amz-content-sha256 %q, want UNSIGNED-PAYLOAD", got)
	}
}

// hopRecorder is a reverse proxy between the upstream backend and a test
// server, over HTTPS or plain HTTP, that records the x-amz-content-sha256
// of each PUT it passes on. It streams bodies both ways, so a request the
// backend cuts short reaches the server cut short.
type hopRecorder struct {
	tls  bool
	mu   sync.Mutex
	seen []string
}

func (h *hopRecorder) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seen = nil
}

// puts returns the x-amz-content-sha256 of the PUTs passed on since the
// last reset.
func (h *hopRecorder) puts() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.seen)
}

// openGatehouseVia is openGatehouse with the backend's requests going
// through a hopRecorder (over HTTPS when tls is set).
func openGatehouseVia(t *testing.T, prefix string, tls bool) (*testserver.Server, *upstream.Backend, *hopRecorder) {
	srv := testserver.Start(t)
	target, err := neturl.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	hop := &hopRecorder{tls: tls}
	proxy := httputil.NewSingleHostReverseProxy(target) // keeps the Host the backend signed
	proxy.ErrorLog = log.New(io.Discard, "", 0)         // requests cut short are the point
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			hop.mu.Lock()
			hop.seen = append(hop.seen, r.Header.Get("X-Amz-Content-Sha256"))
			hop.mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	})
	ts := httptest.NewUnstartedServer(handler)
	if tls {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	b, err := upstream.Open(upstream.Options{Endpoint: ts.URL, Region: "us-east-1", AccessKeyID: testserver.RootKeyID,
		SecretAccessKey: testserver.RootSecretKey, BucketPrefix: prefix, HTTPClient: ts.Client()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return srv, b, hop
}

func assertObject(ctx context.Context, t *testing.T, b objectstore.Backend, bucket, key string, want []byte) {
	t.Helper()
	_, r, err := b.GetObject(ctx, bucket, key, objectstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("%s/%s holds %d bytes, the expected ones %v (%v), want %d", bucket, key, len(got), bytes.Equal(got, want), err, len(want))
	}
}

// TestSignedPayloadMismatchThroughFront: a PUT (and an UploadPart) whose
// body is not the one its x-amz-content-sha256 declares is refused by the
// front with XAmzContentSHA256Mismatch, as S3 does
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html:
// "XAmzContentSHA256Mismatch: The provided 'x-amz-content-sha256' header
// does not match what was computed."), and nothing reaches the store
// behind: the object keeps its content, the upload has no such part.
//
// It runs with the front's upstream hop over plain HTTP, where the front
// signs each write with the client's digest and the upstream verifies it
// again, and over HTTPS, where the front sends UNSIGNED-PAYLOAD (as the
// SDK does over TLS) and only its own verification, with the body's last
// byte held back until it has passed, keeps the bytes from being stored.
func TestSignedPayloadMismatchThroughFront(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(map[bool]string{false: "http", true: "https"}[tls], func(t *testing.T) {
			back, b, hop := openGatehouseVia(t, "front-", tls)
			testSignedPayloadMismatchThroughFront(t, back, b, hop)
		})
	}
}

func testSignedPayloadMismatchThroughFront(t *testing.T, back *testserver.Server, b objectstore.Backend, hop *hopRecorder) {
	url := startFront(t, b)
	ctx := t.Context()
	c := docsBucket(t, url)
	good := bytes.Repeat([]byte("signed "), 200000) // over a megabyte: many reads, many writes upstream
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("docs"), Key: aws.String("k"), Body: bytes.NewReader(good)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.ETag) != quotedMD5(good) {
		t.Fatalf("PutObject ETag %s, want %s", aws.ToString(put.ETag), quotedMD5(good))
	}
	// Same length, last byte changed: only the digest at the end can tell.
	bad := bytes.Clone(good)
	bad[len(bad)-1] ^= 1
	status, body := signedPut(t, url+"/docs/k", bad, hexSHA256(good))
	if status != http.StatusBadRequest || !strings.Contains(body, "<Code>XAmzContentSHA256Mismatch</Code>") {
		t.Fatalf("PUT of a body its digest does not cover = %d %s", status, body)
	}
	assertUpstream(ctx, t, back, "front-docs", "k", good)

	// An unsigned payload's checksum header and Content-MD5 are verified
	// at the end of the body too: BadDigest, and the upstream must not
	// have stored the bytes it was sent before the front found out.
	for name, in := range map[string]*s3.PutObjectInput{
		"x-amz-checksum-crc32": {ChecksumCRC32: aws.String("AAAAAA==")},
		"Content-MD5":          {ContentMD5: aws.String("AAAAAAAAAAAAAAAAAAAAAA==")},
	} {
		in.Bucket, in.Key, in.Body = aws.String("docs"), aws.String("k"), bytes.NewReader(bad)
		_, err := c.PutObject(ctx, in, func(o *s3.Options) {
			o.APIOptions = append(o.APIOptions, v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware)
		})
		if code := errorCode(err); code != "BadDigest" {
			t.Fatalf("PUT with a wrong %s = %v, want BadDigest", name, err)
		}
		assertUpstream(ctx, t, back, "front-docs", "k", good)
	}

	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("docs"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	status, body = signedPut(t, url+"/docs/big?partNumber=1&uploadId="+aws.ToString(mp.UploadId), bad, hexSHA256(good))
	if status != http.StatusBadRequest || !strings.Contains(body, "<Code>XAmzContentSHA256Mismatch</Code>") {
		t.Fatalf("UploadPart of a body its digest does not cover = %d %s", status, body)
	}
	parts, err := rootClient(back).ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("front-docs"), Key: aws.String("big"), UploadId: mp.UploadId})
	if err != nil || len(parts.Parts) != 0 {
		t.Fatalf("upstream parts after the refused UploadPart: %+v, %v", parts.Parts, err)
	}
	hop.reset()
	status, body = signedPut(t, url+"/docs/big?partNumber=1&uploadId="+aws.ToString(mp.UploadId), good, hexSHA256(good))
	if status != http.StatusOK {
		t.Fatalf("UploadPart with its digest = %d %s", status, body)
	}
	want := hexSHA256(good)
	if hop.tls {
		want = "UNSIGNED-PAYLOAD"
	}
	if got := hop.puts(); len(got) != 1 || got[0] != want {
		t.Fatalf("the front's upstream UploadPart carried x-amz-content-sha256 %q, want %q", got, want)
	}
	parts, err = rootClient(back).ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("front-docs"), Key: aws.String("big"), UploadId: mp.UploadId})
	if err != nil || len(parts.Parts) != 1 || aws.ToString(parts.Parts[0].ETag) != quotedMD5(good) {
		t.Fatalf("upstream parts after the UploadPart: %+v, %v", parts.Parts, err)
	}
}

// signedPut sends body with x-amz-content-sha256: declared, signed by the
// SDK's signer as the root user, and returns the status and response body.
func signedPut(t *testing.T, url string, body []byte, declared string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPut, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", declared)
	creds := aws.Credentials{AccessKeyID: testserver.RootKeyID, SecretAccessKey: testserver.RootSecretKey}
	if err := v4.NewSigner().SignHTTP(t.Context(), creds, req, declared, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(out)
}

// assertUpstream checks what the server behind the front holds at key.
func assertUpstream(ctx context.Context, t *testing.T, back *testserver.Server, bucket, key string, want []byte) {
	t.Helper()
	get, err := rootClient(back).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(get.Body)
	get.Body.Close()
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("upstream %s/%s: %d bytes, the expected ones %v, %v", bucket, key, len(got), bytes.Equal(got, want), err)
	}
}

// errorCode is a failed SDK call's error code.
func errorCode(err error) string {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestUnsignedBodyOverTLS: over HTTPS a body that declares no digest (an
// UNSIGNED-PAYLOAD or aws-chunked request, which the S3 layer verifies
// against its checksum as it is read) is sent UNSIGNED-PAYLOAD and not
// hashed here: the upstream's ETag is the object's, and a body whose
// verification fails at its end never has its last byte sent, so the
// upstream stores nothing.
func TestUnsignedBodyOverTLS(t *testing.T) {
	_, b, hop := openGatehouseVia(t, "tlsu-", true)
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "docs"); err != nil {
		t.Fatal(err)
	}
	good := bytes.Repeat([]byte("an unsigned body "), 70000)
	hop.reset()
	info, err := b.PutObject(ctx, "docs", "k", sizedReader{onlyReader{bytes.NewReader(good)}, int64(len(good))}, objectstore.Meta{}, nil)
	if err != nil || info.ETag != quotedMD5(good) || info.Size != int64(len(good)) {
		t.Fatalf("PutObject = %+v, %v", info, err)
	}
	if got := hop.puts(); len(got) != 1 || got[0] != "UNSIGNED-PAYLOAD" {
		t.Fatalf("PutObject over TLS carried x-amz-content-sha256 %q, want UNSIGNED-PAYLOAD", got)
	}
	bad := errors.New("BadDigest")
	other := bytes.Repeat([]byte("x"), len(good))
	if _, err := b.PutObject(ctx, "docs", "k", sizedReader{&badEnd{r: bytes.NewReader(other), err: bad}, int64(len(other))}, objectstore.Meta{}, nil); !errors.Is(err, bad) {
		t.Fatalf("PutObject of a body failing its verification = %v, want its error", err)
	}
	assertObject(ctx, t, b, "docs", "k", good)
	id, err := b.CreateMultipartUpload(ctx, "docs", "big", objectstore.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.UploadPart(ctx, "docs", "big", id, 1, sizedReader{&badEnd{r: bytes.NewReader(other), err: bad}, int64(len(other))}, objectstore.Checksum{}); !errors.Is(err, bad) {
		t.Fatalf("UploadPart of a body failing its verification = %v, want its error", err)
	}
	if parts, err := b.ListParts(ctx, "docs", "big", id, objectstore.PartListOptions{}); err != nil || len(parts.Parts) != 0 {
		t.Fatalf("ListParts after the refused UploadPart = %+v, %v; want none", parts, err)
	}
	pi, err := b.UploadPart(ctx, "docs", "big", id, 1, sizedReader{onlyReader{bytes.NewReader(good)}, int64(len(good))}, objectstore.Checksum{})
	if err != nil || pi.ETag != quotedMD5(good) || pi.Size != int64(len(good)) {
		t.Fatalf("UploadPart = %+v, %v", pi, err)
	}
}

// badEnd yields its bytes, then fails where it would end, as the S3
// layer's verifying readers fail a body whose checksum does not match.
type badEnd struct {
	r   io.Reader
	err error
}

func (f *badEnd) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	return n, err
}
