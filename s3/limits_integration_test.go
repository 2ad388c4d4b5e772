package s3_test

import (
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
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestIntegrationLimits covers S3's documented limits and the errors for
// them (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList).
func TestIntegrationLimits(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	const b = "limits"
	mkBucket(t, root, b)

	t.Run("KeyTooLong", func(t *testing.T) {
		// "KeyTooLongError: Your key is too long" (400); keys are at most 1,024
		// bytes of UTF-8 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html).
		put(t, root, b, strings.Repeat("k", 1024), "max")
		_, err := root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String(strings.Repeat("k", 1025)), Body: strings.NewReader("x")})
		wantErr(t, err, "KeyTooLongError", 400)
	})
	t.Run("MetadataTooLarge", func(t *testing.T) {
		// "The PUT request header is limited to 8 KB in size. Within the PUT
		// request header, the user-defined metadata is limited to 2 KB in size"
		// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingMetadata.html);
		// "MetadataTooLarge: Your metadata headers exceed the maximum allowed
		// metadata size." (400).
		_, err := root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("meta"), Body: strings.NewReader("x"),
			Metadata: map[string]string{"big": strings.Repeat("m", 2100)}})
		wantErr(t, err, "MetadataTooLarge", 400)
	})
	t.Run("DeleteObjectsTooMany", func(t *testing.T) {
		// "The request can contain a list of up to 1,000 keys"
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html);
		// more is 400 MalformedXML.
		var ids []types.ObjectIdentifier
		for i := range 1001 {
			ids = append(ids, types.ObjectIdentifier{Key: aws.String(fmt.Sprint(i))})
		}
		_, err := root.DeleteObjects(ctx, &awss3.DeleteObjectsInput{Bucket: aws.String(b), Delete: &types.Delete{Objects: ids}})
		wantErr(t, err, "MalformedXML", 400)
	})
	t.Run("MissingContentLength", func(t *testing.T) {
		// "MissingContentLength: You must provide the Content-Length HTTP
		// header." (411) — a PUT sent with Transfer-Encoding: chunked.
		req, _ := http.NewRequest("PUT", srv.URL+"/limits/no-length", io.NopCloser(strings.NewReader("no length")))
		req.ContentLength = -1
		sum := sha256.Sum256([]byte("no length"))
		h := hex.EncodeToString(sum[:])
		req.Header.Set("X-Amz-Content-Sha256", h)
		if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: testserver.RootKeyID, SecretAccessKey: testserver.RootSecretKey}, req, h, "s3", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, body := do(t, req)
		checkErrorDoc(t, resp, body, 411, "MissingContentLength")
	})
	t.Run("ListBucketsPaged", func(t *testing.T) {
		// ListBuckets takes max-buckets, prefix and continuation-token
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html).
		for _, n := range []string{"page-a", "page-b", "page-c"} {
			mkBucket(t, root, n)
		}
		out, err := root.ListBuckets(ctx, &awss3.ListBucketsInput{Prefix: aws.String("page-"), MaxBuckets: aws.Int32(2)})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, bk := range out.Buckets {
			names = append(names, aws.ToString(bk.Name))
		}
		if len(out.Buckets) != 2 || aws.ToString(out.ContinuationToken) == "" || aws.ToString(out.Prefix) != "page-" {
			t.Fatalf("first page (prefix page-, max-buckets 2): buckets %v, ContinuationToken %q, Prefix %q", names, aws.ToString(out.ContinuationToken), aws.ToString(out.Prefix))
		}
		out2, err := root.ListBuckets(ctx, &awss3.ListBucketsInput{Prefix: aws.String("page-"), MaxBuckets: aws.Int32(2), ContinuationToken: out.ContinuationToken})
		if err != nil || len(out2.Buckets) != 1 || aws.ToString(out2.Buckets[0].Name) != "page-c" || out2.ContinuationToken != nil {
			t.Errorf("second page: %+v %v", out2, err)
		}
		if aws.ToString(out.Buckets[0].BucketRegion) != "us-east-1" {
			t.Errorf("BucketRegion %q", aws.ToString(out.Buckets[0].BucketRegion))
		}
	})
	t.Run("HeadBucketRegion", func(t *testing.T) {
		// HeadBucket answers x-amz-bucket-region
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html).
		h, err := root.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String(b)})
		if err != nil || aws.ToString(h.BucketRegion) != "us-east-1" {
			t.Errorf("HeadBucket: region %q %v", aws.ToString(h.BucketRegion), err)
		}
	})
	t.Run("WrongRegion", func(t *testing.T) {
		// A request signed for another region than the bucket's: 400
		// AuthorizationHeaderMalformed "The authorization header is malformed;
		// the region 'us-east-1' is wrong; expecting 'eu-west-1'", with
		// <Region> (ErrorResponses.html#ErrorCodeList,
		// "AuthorizationHeaderMalformed").
		eu := srv.RootS3(func(o *awss3.Options) { o.Region = "eu-west-1" })
		ok(t)(eu.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("in-ireland"),
			CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}))
		put(t, eu, "in-ireland", "k", "v")
		resp, body := signed(t, srv, key{testserver.RootKeyID, testserver.RootSecretKey}, "GET", "/in-ireland/k", nil)
		checkErrorDoc(t, resp, body, 400, "AuthorizationHeaderMalformed")
		if !strings.Contains(string(body), "<Region>eu-west-1</Region>") {
			t.Errorf("no <Region>: %s", body)
		}
	})
}
