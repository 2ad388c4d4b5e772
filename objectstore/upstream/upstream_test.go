package upstream_test

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/objectstore/backendtest"
	"github.com/gatehouse-iam/gatehouse/objectstore/upstream"
)

// openGatehouse starts a Gatehouse (S3 over the embedded disk backend) and
// returns an upstream backend talking to it with the root user's key.
func openGatehouse(t testing.TB, prefix string) (*testserver.Server, *upstream.Backend) {
	srv := testserver.Start(t)
	b, err := upstream.Open(upstream.Options{Endpoint: srv.URL, Region: "us-east-1", AccessKeyID: testserver.RootKeyID,
		SecretAccessKey: testserver.RootSecretKey, BucketPrefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return srv, b
}

// TestConformanceGatehouse runs the suite through the chain upstream
// backend → Gatehouse S3 → disk backend.
func TestConformanceGatehouse(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) objectstore.Backend {
		_, b := openGatehouse(t, "gh-")
		return b
	}, overS3)
}

// rootClient is an SDK client of the test server, to look at what the
// backend stored upstream.
func rootClient(srv *testserver.Server) *s3.Client {
	return s3.NewFromConfig(srv.Config(testserver.RootKeyID, testserver.RootSecretKey), func(o *s3.Options) { o.UsePathStyle = true })
}

// onlyReader hides everything but Read, so the body's length is unknown.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// sizedReader is a body that declares its length but cannot seek, as the
// S3 layer's are.
type sizedReader struct {
	io.Reader
	size int64
}

func (s sizedReader) Size() int64 { return s.size }

func TestPrefixAndReservedNames(t *testing.T) {
	srv, b := openGatehouse(t, "tenant1-")
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "photos"); err != nil {
		t.Fatal(err)
	}
	c := rootClient(srv)
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("tenant1-photos")}); err != nil {
		t.Fatalf("the upstream bucket is not tenant1-photos: %v", err)
	}
	meta := objectstore.Meta{ContentType: "text/plain", Owner: "owner-id", ACL: []byte(`{"grants":["x"]}`),
		UserMetadata: map[string]string{"gatehouse-owner": "spoofed", "gatehouse-x-y": "z", "plain": "=?UTF-8?B?eA==?="}}
	body := strings.Repeat("data ", 1000)
	// A body of unknown length goes chunked, which Gatehouse refuses as AWS
	// does (411 MissingContentLength); one that declares its length
	// (Size, as the S3 layer's bodies do) streams with Content-Length.
	_, err := b.PutObject(ctx, "photos", "a/b c", onlyReader{strings.NewReader(body)}, meta, nil)
	if err == nil || !strings.Contains(err.Error(), "MissingContentLength") {
		t.Fatalf("PutObject of a body of unknown length to Gatehouse: %v, want MissingContentLength", err)
	}
	info, err := b.PutObject(ctx, "photos", "a/b c", sizedReader{onlyReader{strings.NewReader(body)}, int64(len(body))}, meta, nil)
	if err != nil || info.Size != int64(len(body)) {
		t.Fatalf("PutObject of a body that declares its length = %+v, %v", info, err)
	}
	got, err := b.HeadObject(ctx, "photos", "a/b c", "")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Meta, meta) {
		t.Fatalf("meta = %+v, want %+v", got.Meta, meta)
	}
	// Upstream, the owner and ACL are reserved metadata and the caller's
	// look-alikes are escaped.
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("tenant1-photos"), Key: aws.String("a/b c")})
	if err != nil {
		t.Fatal(err)
	}
	if h.Metadata["gatehouse-owner"] != "owner-id" || h.Metadata["gatehouse-x-gatehouse-owner"] != "spoofed" {
		t.Fatalf("upstream metadata = %v", h.Metadata)
	}
	// A caller cannot pose as the owner by writing the reserved name
	// upstream-side either: only gatehouse-owner itself counts.
	if err := b.DeleteBucket(ctx, "photos"); !errors.Is(err, objectstore.ErrBucketNotEmpty) {
		t.Fatalf("DeleteBucket of a bucket with an object: %v", err)
	}
}

func TestDeadline(t *testing.T) {
	_, b := openGatehouse(t, "")
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "slow"); err != nil {
		t.Fatal(err)
	}
	dctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := b.PutObject(dctx, "slow", "k", onlyReader{readerFunc(func(p []byte) (int, error) {
		<-dctx.Done()
		return 0, dctx.Err()
	})}, objectstore.Meta{}, nil)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("PutObject past its deadline: %v after %v", err, time.Since(start))
	}
	if _, err := b.HeadObject(ctx, "slow", "k", ""); !errors.Is(err, objectstore.ErrNoSuchKey) {
		t.Fatalf("HeadObject after a timed-out put: %v", err)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func TestOpenValidates(t *testing.T) {
	for _, o := range []upstream.Options{
		{Endpoint: "ftp://x", AccessKeyID: "a", SecretAccessKey: "b"},
		{Endpoint: "http://127.0.0.1:1"},
		{Endpoint: "", AccessKeyID: "a", SecretAccessKey: "b"},
	} {
		if _, err := upstream.Open(o); err == nil {
			t.Errorf("Open(%+v) succeeded", o)
		}
	}
}

func TestUnreachable(t *testing.T) {
	b, err := upstream.Open(upstream.Options{Endpoint: "http://127.0.0.1:1", AccessKeyID: "a", SecretAccessKey: "b"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.HeadObject(t.Context(), "b", "k", "")
	if err == nil || errors.Is(err, objectstore.ErrNoSuchKey) || !strings.Contains(err.Error(), "upstream: ") {
		t.Fatalf("HeadObject of an unreachable upstream: %v", err)
	}
}

// TestMetaThroughGatehouse is backendtest's Meta case with the one thing
// Gatehouse's S3 does as AWS does and the suite does not expect: tags come
// back sorted (PutObject's x-amz-tagging is parsed into a sorted set).
func TestMetaThroughGatehouse(t *testing.T) {
	_, b := openGatehouse(t, "")
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "meta"); err != nil {
		t.Fatal(err)
	}
	meta := objectstore.Meta{
		ContentType: "image/png", ContentEncoding: "gzip", ContentDisposition: `attachment; filename="a.png"`,
		ContentLanguage: "en-GB", CacheControl: "max-age=60", Expires: "Thu, 01 Dec 1994 16:00:00 GMT",
		WebsiteRedirect: "/other", UserMetadata: map[string]string{"a": "1", "unicode": "żółw"},
		Tags:  []objectstore.Tag{{Key: "a", Value: ""}, {Key: "z", Value: "last"}},
		Owner: "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be", ACL: []byte(`{"grants":[]}`),
		StorageClass: "STANDARD_IA", SSE: "AES256",
		Checksum: objectstore.Checksum{Algorithm: "CRC32", Value: "AAAAAA==", Type: "FULL_OBJECT"},
	}
	if _, err := b.PutObject(ctx, "meta", "m", strings.NewReader("x"), meta, nil); err != nil {
		t.Fatal(err)
	}
	got, rc, err := b.GetObject(ctx, "meta", "m", objectstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if !reflect.DeepEqual(got.Meta, meta) {
		t.Errorf("GetObject meta %+v, want %+v", got.Meta, meta)
	}
	head, err := b.HeadObject(ctx, "meta", "m", "")
	if err != nil {
		t.Fatal(err)
	}
	list, err := b.List(ctx, "meta", objectstore.ListOptions{})
	if err != nil || len(list.Objects) != 1 {
		t.Fatalf("List = %+v, %v", list, err)
	}
	for _, got := range []objectstore.Meta{head.Meta, list.Objects[0].Meta} {
		if !reflect.DeepEqual(got, meta) {
			t.Errorf("meta %+v, want %+v", got, meta)
		}
	}
}
