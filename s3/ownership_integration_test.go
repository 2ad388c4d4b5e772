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

// TestIntegrationObjectOwnership: who owns an object another account
// writes, per the bucket's Object Ownership
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html):
// BucketOwnerEnforced — the bucket owner, whatever the ACL; BucketOwnerPreferred
// — the bucket owner when the write carries bucket-owner-full-control;
// ObjectWriter — the writer, and the bucket owner reads it only if the
// object's ACL grants it.
func TestIntegrationObjectOwnership(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	member := srv.NewMember(t)
	writer := testserver.S3FromConfig(member.NewUserWithKey(t, srv, "writer", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`))
	lb, err := root.ListBuckets(ctx, &awss3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	ownerID := aws.ToString(lb.Owner.ID)
	grantWrites := func(b string) {
		putPolicy(t, root, b, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+member.Account+`:root"},
			"Action":["s3:PutObject","s3:PutObjectAcl","s3:GetObject","s3:GetObjectAcl"],"Resource":"arn:aws:s3:::`+b+`/*"}]}`)
	}
	objOwner := func(b, k string) string {
		out, err := root.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(b), Prefix: aws.String(k), FetchOwner: aws.Bool(true)})
		if err != nil || len(out.Contents) != 1 || out.Contents[0].Owner == nil {
			t.Fatalf("listing %s/%s: %+v %v", b, k, out, err)
		}
		return aws.ToString(out.Contents[0].Owner.ID)
	}

	t.Run("BucketOwnerEnforced", func(t *testing.T) {
		mkBucket(t, root, "enforced-own")
		grantWrites("enforced-own")
		put(t, writer, "enforced-own", "k", "from the member")
		if got := objOwner("enforced-own", "k"); got != ownerID {
			t.Errorf("owner %s, want the bucket owner %s", got, ownerID)
		}
		if got, err := get(root, "enforced-own", "k"); err != nil || got != "from the member" {
			t.Errorf("bucket owner reads: %q %v", got, err)
		}
	})
	t.Run("BucketOwnerPreferred", func(t *testing.T) {
		ok(t)(root.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("preferred-own"), ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}))
		grantWrites("preferred-own")
		ok(t)(writer.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("preferred-own"), Key: aws.String("full"), Body: strings.NewReader("x"),
			ACL: types.ObjectCannedACLBucketOwnerFullControl}))
		if got := objOwner("preferred-own", "full"); got != ownerID {
			t.Errorf("with bucket-owner-full-control: owner %s, want the bucket owner %s", got, ownerID)
		}
		put(t, writer, "preferred-own", "plain", "x")
		if got := objOwner("preferred-own", "plain"); got == ownerID {
			t.Errorf("without bucket-owner-full-control the writer owns the object, got the bucket owner")
		}
	})
	t.Run("ObjectWriter", func(t *testing.T) {
		ok(t)(root.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("writer-own"), ObjectOwnership: types.ObjectOwnershipObjectWriter}))
		grantWrites("writer-own")
		put(t, writer, "writer-own", "mine", "member's")
		if got := objOwner("writer-own", "mine"); got == ownerID {
			t.Errorf("ObjectWriter: the bucket owner owns the member's object")
		}
		// The object's ACL grants only its owner: the bucket owner may not read
		// it (about-object-ownership.html; the bucket policy does not apply to
		// objects the bucket owner does not own).
		_, err := get(root, "writer-own", "mine")
		wantErr(t, err, "AccessDenied", 403)
		if got, err := get(writer, "writer-own", "mine"); err != nil || got != "member's" {
			t.Errorf("the writer reads its object: %q %v", got, err)
		}
		ok(t)(writer.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("writer-own"), Key: aws.String("shared"), Body: strings.NewReader("shared"),
			ACL: types.ObjectCannedACLBucketOwnerFullControl}))
		if got, err := get(root, "writer-own", "shared"); err != nil || got != "shared" {
			t.Errorf("bucket owner reads a bucket-owner-full-control object: %q %v", got, err)
		}
	})
	t.Run("RequireFullControl", func(t *testing.T) {
		// The S3 user guide's "Granting s3:PutObject permission with a
		// condition requiring the bucket owner to get full control": the bucket
		// owner grants s3:PutObject alone, with the s3:x-amz-acl condition, and
		// the other account uploads with the canned ACL
		// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies-condition-keys.html,
		// https://docs.aws.amazon.com/AmazonS3/latest/userguide/ensure-object-ownership.html).
		// The Service Authorization Reference lists no dependent action for
		// s3:PutObject and gives it the s3:x-amz-acl condition key
		// (reference/service-authorization, s3 PutObject).
		ok(t)(root.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("require-acl"), ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}))
		putPolicy(t, root, "require-acl", `{"Version":"2012-10-17","Statement":[{"Sid":"Only if full control","Effect":"Allow",
			"Principal":{"AWS":"arn:aws:iam::`+member.Account+`:root"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::require-acl/*",
			"Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}]}`)
		_, err := writer.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("require-acl"), Key: aws.String("no-acl"), Body: strings.NewReader("x")})
		wantErr(t, err, "AccessDenied", 403)
		if _, err := writer.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("require-acl"), Key: aws.String("acl"), Body: strings.NewReader("x"),
			ACL: types.ObjectCannedACLBucketOwnerFullControl}); err != nil {
			t.Errorf("with bucket-owner-full-control: %v", err)
		}
	})
	t.Run("ExpectedBucketOwner", func(t *testing.T) {
		// "If the bucket is owned by a different account, the request fails
		// with the HTTP status code 403 Forbidden (access denied)"
		// (x-amz-expected-bucket-owner,
		// https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-owner-condition.html).
		mkBucket(t, root, "expect-owner")
		put(t, root, "expect-owner", "k", "v")
		_, err := root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("expect-owner"), Key: aws.String("k"), ExpectedBucketOwner: aws.String(member.Account)})
		wantErr(t, err, "AccessDenied", 403)
		g, err := root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("expect-owner"), Key: aws.String("k"), ExpectedBucketOwner: aws.String(testserver.AccountID)})
		if err != nil {
			t.Errorf("with the right expected owner: %v", err)
		} else {
			g.Body.Close()
		}
		_, err = root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("expect-owner"), Key: aws.String("k2"), Body: strings.NewReader("x"), ExpectedBucketOwner: aws.String(member.Account)})
		wantErr(t, err, "AccessDenied", 403)
		_, err = root.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("expect-owner"), ExpectedBucketOwner: aws.String(member.Account)})
		wantErr(t, err, "AccessDenied", 403)
	})
}

// TestIntegrationCopyAuthorization: CopyObject needs s3:GetObject on the
// source and s3:PutObject on the destination
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html,
// "Permissions").
func TestIntegrationCopyAuthorization(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	mkBucket(t, root, "copy-src")
	mkBucket(t, root, "copy-dst")
	put(t, root, "copy-src", "k", "v")
	readOnly := newUser(t, srv, "read-src", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::copy-src/*"}]}`).s3(srv)
	writeOnly := newUser(t, srv, "write-dst", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::copy-dst/*"}]}`).s3(srv)
	both := newUser(t, srv, "both", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::copy-src/*"},
		{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::copy-dst/*"}]}`).s3(srv)
	in := &awss3.CopyObjectInput{Bucket: aws.String("copy-dst"), Key: aws.String("k"), CopySource: aws.String("copy-src/k")}
	_, err := readOnly.CopyObject(ctx, in)
	wantDenied(t, err, `User: arn:aws:iam::123456789012:user/read-src is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::copy-dst/k" because no identity-based policy allows the s3:PutObject action`)
	_, err = writeOnly.CopyObject(ctx, in)
	wantDenied(t, err, `User: arn:aws:iam::123456789012:user/write-dst is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::copy-src/k" because no identity-based policy allows the s3:GetObject action`)
	if _, err := both.CopyObject(ctx, in); err != nil {
		t.Errorf("copy with both permissions: %v", err)
	}
}

// TestIntegrationClockSkew: a request signed more than 15 minutes from the
// server's time is 403 RequestTimeTooSkewed ("The difference between the
// request time and the server's time is too large.",
// ErrorResponses.html#ErrorCodeList).
func TestIntegrationClockSkew(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	mkBucket(t, srv.RootS3(), "skew")
	req, _ := http.NewRequest("GET", srv.URL+"/skew", nil)
	const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	req.Header.Set("X-Amz-Content-Sha256", empty)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testserver.RootKeyID, SecretAccessKey: testserver.RootSecretKey},
		req, empty, "s3", "us-east-1", time.Now().Add(-20*time.Minute)); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, req)
	checkErrorDoc(t, resp, b, 403, "RequestTimeTooSkewed")
}
