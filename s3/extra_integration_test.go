package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestIntegrationPresignedMisuse: what a presigned URL does not allow
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
func TestIntegrationPresignedMisuse(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	mkBucket(t, root, "misuse")
	put(t, root, "misuse", "k", "v")
	k := newUser(t, srv, "presigner", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	pre := awss3.NewPresignClient(k.s3(srv))

	t.Run("OtherMethod", func(t *testing.T) {
		// The method is part of the canonical request: a GET URL used for a
		// DELETE does not match its signature.
		p, err := pre.PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("misuse"), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		resp, b := do(t, must2(http.NewRequest("DELETE", p.URL, nil)))
		checkErrorDoc(t, resp, b, 403, "SignatureDoesNotMatch")
		if _, err := get(root, "misuse", "k"); err != nil {
			t.Errorf("the object after a DELETE with a GET URL: %v", err)
		}
	})
	t.Run("UnsignedAmzHeader", func(t *testing.T) {
		// x-amz-* headers a request carries must be signed: S3 answers 403
		// AccessDenied "There were headers present in the request which were
		// not signed" with <HeadersNotSigned> (sig-v4-header-based-auth.html:
		// "x-amz-* headers that you plan to add to the request" are signed;
		// S3's answer as quoted in soto-project/soto#374 for an unsigned
		// x-amz-acl on a presigned URL). Else the holder of a presigned PUT
		// sets metadata, tags or ACLs the presigner never signed.
		p, err := pre.PresignPutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("misuse"), Key: aws.String("meta")})
		if err != nil {
			t.Fatal(err)
		}
		req := must2(http.NewRequest("PUT", p.URL, strings.NewReader("x")))
		req.Header.Set("X-Amz-Meta-Injected", "yes")
		resp, b := do(t, req)
		if h, err := root.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("misuse"), Key: aws.String("meta")}); err == nil {
			t.Errorf("the object was stored, with metadata %v", h.Metadata)
		}
		d := checkErrorDoc(t, resp, b, 403, "AccessDenied")
		if !strings.Contains(d.Message, "headers present in the request which were not signed") {
			t.Errorf("message %q", d.Message)
		}
	})
	t.Run("UnsignedAmzHeaderAuthorization", func(t *testing.T) {
		// The same holds with the Authorization header: an x-amz-* header added
		// after signing is refused.
		body := []byte("x")
		req := must2(http.NewRequest("PUT", srv.URL+"/misuse/meta2", bytes.NewReader(body)))
		sum := sha256.Sum256(body)
		h := hex.EncodeToString(sum[:])
		req.Header.Set("X-Amz-Content-Sha256", h)
		if err := v4.NewSigner().SignHTTP(ctx, aws.Credentials{AccessKeyID: k.id, SecretAccessKey: k.secret}, req, h, "s3", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Tagging", "injected=yes")
		resp, b := do(t, req)
		if _, err := root.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("misuse"), Key: aws.String("meta2")}); err == nil {
			var tags []string
			if out, err := root.GetObjectTagging(ctx, &awss3.GetObjectTaggingInput{Bucket: aws.String("misuse"), Key: aws.String("meta2")}); err == nil {
				for _, tg := range out.TagSet {
					tags = append(tags, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
				}
			}
			t.Errorf("the object was stored, with tags %v", tags)
		}
		d := checkErrorDoc(t, resp, b, 403, "AccessDenied")
		if !strings.Contains(d.Message, "headers present in the request which were not signed") {
			t.Errorf("message %q", d.Message)
		}
	})
	t.Run("InactiveKey", func(t *testing.T) {
		// A URL signed with a key since made inactive: 403 InvalidAccessKeyId.
		p, err := pre.PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("misuse"), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		if resp, b := do(t, must2(http.NewRequest("GET", p.URL, nil))); resp.StatusCode != 200 {
			t.Fatalf("before: %d %s", resp.StatusCode, b)
		}
		ok(t)(srv.RootIAM().UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("presigner"), AccessKeyId: aws.String(k.id), Status: iamtypes.StatusTypeInactive}))
		resp, b := do(t, must2(http.NewRequest("GET", p.URL, nil)))
		checkErrorDoc(t, resp, b, 403, "InvalidAccessKeyId")
	})
}

// TestIntegrationPolicyTypes: the AccessDenied message names the policy type
// that denied (troubleshoot-403-errors.html#access-denied-message-examples:
// "because no permissions boundary allows", "because no session policy
// allows"); boundaries and session policies limit S3 as every service
// (reference_policies_evaluation-logic.md).
func TestIntegrationPolicyTypes(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	mkBucket(t, root, "types")
	put(t, root, "types", "k", "v")
	iamc := srv.RootIAM()
	all := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","sts:AssumeRole"],"Resource":"*"}]}`
	readOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`

	t.Run("Boundary", func(t *testing.T) {
		bp, err := iamc.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("s3-read-boundary"), PolicyDocument: aws.String(readOnly)})
		if err != nil {
			t.Fatal(err)
		}
		k := newUser(t, srv, "bounded", all)
		ok(t)(iamc.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: bp.Policy.Arn}))
		c := k.s3(srv)
		if _, err := get(c, "types", "k"); err != nil {
			t.Errorf("within the boundary: %v", err)
		}
		_, err = c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("types"), Key: aws.String("x"), Body: strings.NewReader("x")})
		wantDenied(t, err, `User: arn:aws:iam::123456789012:user/bounded is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::types/x" because no permissions boundary allows the s3:PutObject action`)
	})
	t.Run("SessionPolicy", func(t *testing.T) {
		dk := newUser(t, srv, "session-maker", all)
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/session-maker"},"Action":"sts:AssumeRole"}]}`
		ok(t)(iamc.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("wide"), AssumeRolePolicyDocument: aws.String(trust)}))
		ok(t)(iamc.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("wide"), PolicyName: aws.String("all"), PolicyDocument: aws.String(all)}))
		ar, err := srv.STSClient(dk.id, dk.secret).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/wide"),
			RoleSessionName: aws.String("narrow"), Policy: aws.String(readOnly)})
		if err != nil {
			t.Fatal(err)
		}
		cr := ar.Credentials
		c := srv.S3Client(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
		if _, err := get(c, "types", "k"); err != nil {
			t.Errorf("within the session policy: %v", err)
		}
		_, err = c.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("types"), Key: aws.String("k")})
		wantDenied(t, err, `User: arn:aws:sts::123456789012:assumed-role/wide/narrow is not authorized to perform: s3:DeleteObject on resource: "arn:aws:s3:::types/k" because no session policy allows the s3:DeleteObject action`)
	})
}

// TestIntegrationMiscErrors covers more documented errors.
func TestIntegrationMiscErrors(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	mkBucket(t, root, "misc")
	put(t, root, "misc", "k", "v")

	t.Run("BadContinuationToken", func(t *testing.T) {
		// "InvalidArgument: The continuation token provided is incorrect" (400).
		_, err := root.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("misc"), ContinuationToken: aws.String("not-a-token")})
		wantErr(t, err, "InvalidArgument", 400)
	})
	t.Run("CopySourceIfMatch", func(t *testing.T) {
		// x-amz-copy-source-if-match not matching: 412 PreconditionFailed
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html).
		_, err := root.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("misc"), Key: aws.String("copy"), CopySource: aws.String("misc/k"),
			CopySourceIfMatch: aws.String(`"0123456789abcdef0123456789abcdef"`)})
		wantErr(t, err, "PreconditionFailed", 412)
		_, err = get(root, "misc", "copy")
		wantErr(t, err, "NoSuchKey", 404)
	})
	t.Run("BucketTagging", func(t *testing.T) {
		// GetBucketTagging of a bucket without tags: 404 NoSuchTagSet
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketTagging.html).
		_, err := root.GetBucketTagging(ctx, &awss3.GetBucketTaggingInput{Bucket: aws.String("misc")})
		wantErr(t, err, "NoSuchTagSet", 404)
		ok(t)(root.PutBucketTagging(ctx, &awss3.PutBucketTaggingInput{Bucket: aws.String("misc"), Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}}))
		out, err := root.GetBucketTagging(ctx, &awss3.GetBucketTaggingInput{Bucket: aws.String("misc")})
		if err != nil || len(out.TagSet) != 1 || aws.ToString(out.TagSet[0].Key) != "env" {
			t.Errorf("GetBucketTagging: %+v %v", out, err)
		}
		// Bucket tags are aws:ResourceTag/<key> for its bucket-level checks
		// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/buckets-tagging.html, ABAC).
		u := newUser(t, srv, "abac", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"test"}}}]}`).s3(srv)
		if _, err := u.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("misc")}); err != nil {
			t.Errorf("ListBucket on a bucket tagged env=test: %v", err)
		}
		mkBucket(t, root, "misc-untagged")
		_, err = u.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("misc-untagged")})
		wantDenied(t, err, "")
	})
}

// TestIntegrationHeaders: system metadata stored and returned, and the
// date preconditions of GET
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
// "If-Modified-Since", "If-Unmodified-Since").
func TestIntegrationHeaders(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	mkBucket(t, root, "headers")
	ok(t)(root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("headers"), Key: aws.String("k"), Body: strings.NewReader("v"),
		CacheControl: aws.String("max-age=60"), ContentDisposition: aws.String(`attachment; filename="k.txt"`), ContentLanguage: aws.String("fr"),
		ContentEncoding: aws.String("identity"), WebsiteRedirectLocation: aws.String("/other")}))
	h, err := root.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("headers"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(h.CacheControl) != "max-age=60" || aws.ToString(h.ContentDisposition) != `attachment; filename="k.txt"` ||
		aws.ToString(h.ContentLanguage) != "fr" || aws.ToString(h.ContentEncoding) != "identity" || aws.ToString(h.WebsiteRedirectLocation) != "/other" {
		t.Errorf("HeadObject: Cache-Control %q, Content-Disposition %q, Content-Language %q, Content-Encoding %q, redirect %q",
			aws.ToString(h.CacheControl), aws.ToString(h.ContentDisposition), aws.ToString(h.ContentLanguage), aws.ToString(h.ContentEncoding), aws.ToString(h.WebsiteRedirectLocation))
	}
	mod := aws.ToTime(h.LastModified)
	_, err = root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("headers"), Key: aws.String("k"), IfModifiedSince: aws.Time(mod.Add(time.Hour))})
	if httpStatus(err) != 304 {
		t.Errorf("If-Modified-Since after the last modification: %v, want 304", err)
	}
	_, err = root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("headers"), Key: aws.String("k"), IfUnmodifiedSince: aws.Time(mod.Add(-time.Hour))})
	wantErr(t, err, "PreconditionFailed", 412)
	g, err := root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("headers"), Key: aws.String("k"), IfModifiedSince: aws.Time(mod.Add(-time.Hour))})
	if err != nil {
		t.Errorf("If-Modified-Since before: %v", err)
	} else {
		g.Body.Close()
	}
}
