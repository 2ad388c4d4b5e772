package s3_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestIntegrationAnonymousStreaming: an unsigned upload the SDK streams
// with a trailing checksum (aws-chunked, STREAMING-UNSIGNED-PAYLOAD-TRAILER,
// no Authorization) to a bucket whose policy lets anyone write
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html) is
// stored decoded.
func TestIntegrationAnonymousStreaming(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	const b = "dropbox"
	mkBucket(t, root, b)
	ok(t)(root.PutPublicAccessBlock(ctx, &awss3.PutPublicAccessBlockInput{Bucket: aws.String(b), PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}))
	putPolicy(t, root, b, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::dropbox/*"}]}`)

	rec := &recorder{}
	c := tlsFront(t, srv, rec)
	anonCfg := c.Options()
	anonCfg.Credentials = aws.AnonymousCredentials{}
	anon := awss3.New(anonCfg)
	data := bytes.Repeat([]byte("anonymous upload "), 8000)
	p, err := anon.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("drop"), Body: bytes.NewReader(data), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatal(err)
	}
	h := rec.reqs[len(rec.reqs)-1]
	if h.Get("Authorization") != "" || h.Get("X-Amz-Content-Sha256") != "STREAMING-UNSIGNED-PAYLOAD-TRAILER" {
		t.Errorf("the SDK sent Authorization %q, x-amz-content-sha256 %q", h.Get("Authorization"), h.Get("X-Amz-Content-Sha256"))
	}
	if aws.ToString(p.ChecksumCRC32) != crc32b64(data) {
		t.Errorf("ChecksumCRC32 %q, want %q", aws.ToString(p.ChecksumCRC32), crc32b64(data))
	}
	got, err := get(root, b, "drop")
	if err != nil || got != string(data) {
		t.Errorf("stored %d bytes (%v), want the %d sent, decoded", len(got), err, len(data))
	}
	// Anonymous reads are not granted.
	_, err = get(anon, b, "drop")
	wantDenied(t, err, "Access Denied")
}

// TestIntegrationMultipartListing pages ListParts and filters
// ListMultipartUploads
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html).
func TestIntegrationMultipartListing(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	c := srv.RootS3()
	const b = "mp-list"
	mkBucket(t, c, b)
	ids := map[string]string{}
	for _, k := range []string{"logs/a", "logs/b", "data/c"} {
		out, err := c.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		ids[k] = aws.ToString(out.UploadId)
	}
	for n := int32(1); n <= 3; n++ {
		ok(t)(c.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("logs/a"), UploadId: aws.String(ids["logs/a"]), PartNumber: aws.Int32(n), Body: strings.NewReader("part")}))
	}
	lp, err := c.ListParts(ctx, &awss3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("logs/a"), UploadId: aws.String(ids["logs/a"]), MaxParts: aws.Int32(2)})
	if err != nil || len(lp.Parts) != 2 || !aws.ToBool(lp.IsTruncated) || aws.ToString(lp.NextPartNumberMarker) != "2" {
		t.Fatalf("ListParts max-parts 2: %+v %v", lp, err)
	}
	lp, err = c.ListParts(ctx, &awss3.ListPartsInput{Bucket: aws.String(b), Key: aws.String("logs/a"), UploadId: aws.String(ids["logs/a"]), PartNumberMarker: lp.NextPartNumberMarker})
	if err != nil || len(lp.Parts) != 1 || aws.ToInt32(lp.Parts[0].PartNumber) != 3 || aws.ToBool(lp.IsTruncated) {
		t.Errorf("ListParts after marker 2: %+v %v", lp, err)
	}
	lu, err := c.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: aws.String(b), Prefix: aws.String("logs/")})
	if err != nil || len(lu.Uploads) != 2 {
		t.Errorf("ListMultipartUploads prefix logs/: %+v %v", lu, err)
	}
	lu, err = c.ListMultipartUploads(ctx, &awss3.ListMultipartUploadsInput{Bucket: aws.String(b), Delimiter: aws.String("/")})
	if err != nil || len(lu.Uploads) != 0 || len(lu.CommonPrefixes) != 2 {
		t.Errorf("ListMultipartUploads delimiter /: %+v %v", lu, err)
	}
	// Response header overrides on a signed GET
	// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
	// "response-content-type", "response-cache-control").
	put(t, c, b, "plain", "x")
	g, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("plain"), ResponseContentType: aws.String("image/png"), ResponseCacheControl: aws.String("no-cache")})
	if err != nil || aws.ToString(g.ContentType) != "image/png" || aws.ToString(g.CacheControl) != "no-cache" {
		t.Errorf("response overrides: %v %v", g, err)
	} else {
		g.Body.Close()
	}
}
