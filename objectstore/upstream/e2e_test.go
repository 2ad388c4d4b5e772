package upstream_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gatehouse-iam/gatehouse/app"
	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/objectstore/upstream"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

// startFront starts a Gatehouse whose S3 objects live on objects, as
// `serve --s3-upstream` wires it, and returns its URL.
func startFront(t testing.TB, objects objectstore.Backend) string {
	ts := httptest.NewServer(frontHandler(t, objects))
	t.Cleanup(ts.Close)
	return ts.URL
}

// frontHandler is the handler of a Gatehouse whose S3 objects live on
// objects.
func frontHandler(t testing.TB, objects objectstore.Backend) http.Handler {
	ctx := context.Background()
	dir := t.TempDir()
	key, err := keyring.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := keyring.Load(keyring.Options{EnvValue: keyring.EncodeKey(key), DataDir: dir, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	gh, err := app.New(ctx, app.Config{Store: st, Keys: keys, Rand: rand.Reader, Now: time.Now,
		Log: slog.New(slog.DiscardHandler), Registry: prometheus.NewRegistry(), Objects: objects})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gh.IAM.Bootstrap(ctx, iam.BootstrapOptions{AccountID: testserver.AccountID,
		RootAccessKeyID: testserver.RootKeyID, RootSecretAccessKey: testserver.RootSecretKey}); err != nil {
		t.Fatal(err)
	}
	return gh.Server.Handler()
}

// docsBucket creates the bucket "docs" through the front at url, as its
// account's root, and returns that root's SDK client of the front.
func docsBucket(t testing.TB, url string) *s3.Client {
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(testserver.RootKeyID, testserver.RootSecretKey, "")})
	if _, err := c.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("docs")}); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestThroughS3Layer drives a Gatehouse over the upstream backend with the
// SDK — client → Gatehouse (upstream backend) → Gatehouse (disk) — so the
// S3 layer's own bodies and calls (a PUT with a checksum is a PutObject
// then an UpdateMeta) cross the backend.
func TestThroughS3Layer(t *testing.T) {
	back, b := openGatehouse(t, "front-")
	url := startFront(t, b)
	ctx := t.Context()
	c := docsBucket(t, url)
	body := bytes.Repeat([]byte("gatehouse "), 100000)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("docs"), Key: aws.String("a/b.txt"), Body: bytes.NewReader(body),
		ContentType: aws.String("text/plain"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c,
		Metadata: map[string]string{"team": "blue"}, Tagging: aws.String("k=v")})
	if err != nil {
		t.Fatal(err)
	}
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("a/b.txt"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(get.Body)
	get.Body.Close()
	if err != nil || !bytes.Equal(data, body) || aws.ToString(get.ETag) != aws.ToString(put.ETag) ||
		aws.ToString(get.ChecksumCRC32C) != aws.ToString(put.ChecksumCRC32C) || get.Metadata["team"] != "blue" || aws.ToInt32(get.TagCount) != 1 {
		t.Fatalf("GetObject = %d bytes, ETag %s, CRC32C %s (put %s), metadata %v, tags %d, %v",
			len(data), aws.ToString(get.ETag), aws.ToString(get.ChecksumCRC32C), aws.ToString(put.ChecksumCRC32C), get.Metadata, aws.ToInt32(get.TagCount), err)
	}
	// Upstream, the object sits in front-docs with Gatehouse's reserved
	// metadata.
	h, err := rootClient(back).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("front-docs"), Key: aws.String("a/b.txt")})
	if err != nil || h.Metadata["gatehouse-owner"] == "" || h.Metadata["gatehouse-checksum"] == "" || h.Metadata["team"] != "blue" {
		t.Fatalf("upstream object: %+v, %v", h, err)
	}
	list, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("docs"), FetchOwner: aws.Bool(true)})
	if err != nil || len(list.Contents) != 1 || list.Contents[0].Owner == nil || aws.ToString(list.Contents[0].Key) != "a/b.txt" {
		t.Fatalf("ListObjectsV2 = %+v, %v", list, err)
	}
	// Multipart: the initiator comes from the uploads bucket.
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("docs"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	p1 := bytes.Repeat([]byte{1}, objectstore.MinPartSize)
	up1, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("docs"), Key: aws.String("big"), UploadId: mp.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(p1)})
	if err != nil {
		t.Fatal(err)
	}
	up2, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("docs"), Key: aws.String("big"), UploadId: mp.UploadId,
		PartNumber: aws.Int32(2), Body: bytes.NewReader([]byte("tail"))})
	if err != nil {
		t.Fatal(err)
	}
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("docs"), Key: aws.String("big"), UploadId: mp.UploadId})
	if err != nil || len(parts.Parts) != 2 || parts.Initiator == nil {
		t.Fatalf("ListParts = %+v, %v", parts, err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("docs"), Key: aws.String("big"),
		UploadId: mp.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: up1.ETag}, {PartNumber: aws.Int32(2), ETag: up2.ETag}}}}); err != nil {
		t.Fatal(err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("docs"), Key: aws.String("big")})
	if err != nil || aws.ToInt64(head.ContentLength) != int64(len(p1)+4) {
		t.Fatalf("HeadObject big = %+v, %v", head, err)
	}
	// Ranges and misses keep S3's answers.
	rg, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("a/b.txt"), Range: aws.String("bytes=-4")})
	if err != nil {
		t.Fatal(err)
	}
	tailData, _ := io.ReadAll(rg.Body)
	rg.Body.Close()
	if string(tailData) != "use " {
		t.Fatalf("range read %q", tailData)
	}
	var nsk *types.NoSuchKey
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("missing")}); !errors.As(err, &nsk) {
		t.Fatalf("GetObject missing: %v", err)
	}
	for _, k := range []string{"a/b.txt", "big"} {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("docs"), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("docs")}); err != nil {
		t.Fatal(err)
	}
}

// TestThroughS3LayerConditionsAndParts drives what the current Backend
// interface added through a Gatehouse over the upstream backend:
// conditional writes, part checksums and the object's composite checksum,
// reads by part number and UploadPartCopy; and checks that a completion
// leaves only the object's record in the uploads bucket.
func TestThroughS3LayerConditionsAndParts(t *testing.T) {
	back, b := openGatehouse(t, "front-")
	url := startFront(t, b)
	ctx := t.Context()
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(testserver.RootKeyID, testserver.RootSecretKey, "")})
	bucket := aws.String("parts")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}); err != nil {
		t.Fatal(err)
	}
	// If-None-Match: * creates once; If-Match needs the current ETag.
	first, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("k"), Body: strings.NewReader("one"), IfNoneMatch: aws.String("*")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("k"), Body: strings.NewReader("two"), IfNoneMatch: aws.String("*")})
	if status := httpStatus(err); status != 412 {
		t.Fatalf("If-None-Match on an existing key: %v, want 412", err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("k"), Body: strings.NewReader("two"), IfMatch: first.ETag}); err != nil {
		t.Fatalf("If-Match with the current ETag: %v", err)
	}
	// A multipart upload with CRC32 part checksums, one part copied.
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("big"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatal(err)
	}
	p1 := bytes.Repeat([]byte{7}, objectstore.MinPartSize)
	up1, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: aws.String("big"), UploadId: mp.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(p1), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil || aws.ToString(up1.ChecksumCRC32) == "" {
		t.Fatalf("UploadPart 1 = %+v, %v", up1, err)
	}
	up2, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: bucket, Key: aws.String("big"), UploadId: mp.UploadId,
		PartNumber: aws.Int32(2), CopySource: aws.String("parts/k")})
	if err != nil || up2.CopyPartResult == nil || aws.ToString(up2.CopyPartResult.ETag) == "" {
		t.Fatalf("UploadPartCopy = %+v, %v", up2, err)
	}
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: bucket, Key: aws.String("big"), UploadId: mp.UploadId})
	if err != nil || len(parts.Parts) != 2 || aws.ToString(parts.Parts[0].ChecksumCRC32) != aws.ToString(up1.ChecksumCRC32) {
		t.Fatalf("ListParts = %+v, %v", parts, err)
	}
	// UploadPartCopy computes no checksum, so the object has none of its
	// own: complete with part 1 alone.
	done, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: aws.String("big"),
		UploadId: mp.UploadId, IfNoneMatch: aws.String("*"), MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: up1.ETag, ChecksumCRC32: up1.ChecksumCRC32}}}})
	if err != nil {
		t.Fatal(err)
	}
	if v := aws.ToString(done.ChecksumCRC32); !strings.HasSuffix(v, "-1") {
		t.Fatalf("object checksum %q, want a composite of 1 part", v)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("big"), PartNumber: aws.Int32(1), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil || aws.ToInt32(head.PartsCount) != 1 || aws.ToInt64(head.ContentLength) != int64(len(p1)) {
		t.Fatalf("HeadObject part 1 = %+v, %v", head, err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("big"), PartNumber: aws.Int32(2)})
	if status := httpStatus(err); status != 416 {
		t.Fatalf("GetObject of a part left out: %v, want 416", err)
	}
	// The upload's records are gone; the object's stays.
	list, err := rootClient(back).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("front-" + upstream.DefaultUploadsBucket)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range list.Contents {
		names = append(names, aws.ToString(o.Key))
	}
	if len(names) != 1 || !strings.HasPrefix(names[0], "front-parts/o/") {
		t.Fatalf("uploads bucket holds %q, want only the object's record", names)
	}
}

// httpStatus is a failed SDK call's HTTP status.
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}
