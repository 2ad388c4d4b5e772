package s3_test

import (
	"context"
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

// TestReviewCopySourceExistingObjectTag: the source check of a CopyObject
// (s3:GetObject on the source) must be decided with the source object's
// tags as s3:ExistingObjectTag/<key>, not the destination's: otherwise a
// caller allowed to read only objects tagged classification=public copies
// a confidential object over a destination it tagged public itself.
func TestReviewCopySourceExistingObjectTag(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	const b = "review-tags"
	mkBucket(t, root, b)
	ok(t)(root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("conf"), Body: strings.NewReader("secret"), Tagging: aws.String("classification=confidential")}))
	u := newUser(t, srv, "tag-copier", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::review-tags/*",
		 "Condition":{"StringEquals":{"s3:ExistingObjectTag/classification":"public"}}},
		{"Effect":"Allow","Action":["s3:PutObject","s3:PutObjectTagging"],"Resource":"arn:aws:s3:::review-tags/drop/*"}]}`).s3(srv)
	if _, err := get(u, b, "conf"); err == nil {
		t.Fatal("the confidential object is readable directly")
	}
	// The destination exists, tagged public by the caller.
	ok(t)(u.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("drop/x"), Body: strings.NewReader("mine"), Tagging: aws.String("classification=public")}))
	_, err := u.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("drop/x"), CopySource: aws.String(b + "/conf"),
		TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("classification=public")})
	wantDenied(t, err, "")
	if got, _ := get(u, b, "drop/x"); got == "secret" {
		t.Errorf("the confidential object was copied to a readable destination")
	}
}

// TestReviewCopySourceRepeatedHeader: a request that repeats
// x-amz-copy-source is authorized for the object its copy reads. The
// operation reads the header's values joined with "," (as HTTP combines a
// repeated field, RFC 9110 §5.3); authorization must not check the first
// value alone ("pub") while the copy reads "pub,x".
func TestReviewCopySourceRepeatedHeader(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.RootS3()
	const b = "review-dup"
	mkBucket(t, root, b)
	put(t, root, b, "pub", "public")
	put(t, root, b, "pub,x", "secret")
	u := newUser(t, srv, "dup-copier", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::review-dup/pub"},
		{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::review-dup/drop/*"}]}`)
	req, err := http.NewRequest(http.MethodPut, srv.URL+"/"+b+"/drop/y", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Add("X-Amz-Copy-Source", "/"+b+"/pub")
	req.Header.Add("X-Amz-Copy-Source", "x")
	req.Header.Set("X-Amz-Content-Sha256", emptyHash)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: u.id, SecretAccessKey: u.secret}, req, emptyHash, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("copy with a repeated x-amz-copy-source: %d %s, want 403", resp.StatusCode, body)
	}
	if got, _ := get(root, b, "drop/y"); got == "secret" {
		t.Errorf("the object pub,x, which the caller may not read, was copied")
	}
}

const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// TestReviewCopyObjectCopiesTagsNeedsTagging: a CopyObject that copies the
// source's tags (x-amz-tagging-directive COPY, the default) reads them and
// writes them, needing s3:GetObjectTagging on the source and
// s3:PutObjectTagging on the destination, as access.Describe says when
// Request.SourceHasTags is set. The service never set it, so a caller
// without either permission copied tags onto its object.
func TestReviewCopyObjectCopiesTagsNeedsTagging(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	const b = "review-copytags"
	mkBucket(t, root, b)
	ok(t)(root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("src"), Body: strings.NewReader("x"), Tagging: aws.String("secret=s3cr3t")}))
	put(t, root, b, "plain", "y")
	u := newUser(t, srv, "tagless-copier", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::review-copytags/*"},
		{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::review-copytags/drop/*"}]}`).s3(srv)
	_, err := u.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("drop/x"), CopySource: aws.String(b + "/src")})
	wantDenied(t, err, "")
	// An untagged source copies with s3:GetObject and s3:PutObject alone.
	if _, err := u.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String(b), Key: aws.String("drop/y"), CopySource: aws.String(b + "/plain")}); err != nil {
		t.Errorf("copy of an untagged object: %v", err)
	}
}

// TestReviewAnonymousResponseOverrides: GetObject's response-* parameters
// "cannot be used with an unsigned (anonymous) request" (API reference,
// GetObject, "Overriding response header values through the request"):
// S3 answers 400 InvalidRequest. Served, they let anyone make a public
// object render as text/html inline from the S3 origin.
func TestReviewAnonymousResponseOverrides(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	const b = "review-public"
	mkBucket(t, root, b)
	ok(t)(root.PutPublicAccessBlock(ctx, &awss3.PutPublicAccessBlockInput{Bucket: aws.String(b), PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}))
	putPolicy(t, root, b, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::review-public/*"}]}`)
	ok(t)(root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("upload.png"), Body: strings.NewReader("<script>alert(1)</script>"), ContentType: aws.String("image/png")}))

	req, err := http.NewRequest(http.MethodGet, srv.URL+"/"+b+"/upload.png", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("anonymous GET of the public object: %d %s", resp.StatusCode, body)
	}
	req, err = http.NewRequest(http.MethodGet, srv.URL+"/"+b+"/upload.png?response-content-type=text%2Fhtml&response-content-disposition=inline", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, body = do(t, req)
	checkErrorDoc(t, resp, body, http.StatusBadRequest, "InvalidRequest")
	if ct := resp.Header.Get("Content-Type"); ct == "text/html" {
		t.Errorf("an anonymous request set the response's Content-Type to %s", ct)
	}
	// Signed, the overrides apply.
	out, err := root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("upload.png"), ResponseContentType: aws.String("text/plain")})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if got := aws.ToString(out.ContentType); got != "text/plain" {
		t.Errorf("signed override: Content-Type %q", got)
	}
}
