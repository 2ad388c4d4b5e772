package s3_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// crc32b64 is a CRC32 checksum as S3 writes it.
func crc32b64(b []byte) string {
	s := crc32.ChecksumIEEE(b)
	return base64.StdEncoding.EncodeToString([]byte{byte(s >> 24), byte(s >> 16), byte(s >> 8), byte(s)})
}

// chunkedTrailer is an aws-chunked body with a trailing checksum header
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html,
// "Unsigned payload option with trailing checksum").
func chunkedTrailer(data []byte, chunk int, trailer string) []byte {
	var b bytes.Buffer
	for len(data) > 0 {
		n := min(chunk, len(data))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, data[:n])
		data = data[n:]
	}
	fmt.Fprintf(&b, "0\r\n%s\r\n\r\n", trailer)
	return b.Bytes()
}

// putTrailer sends a PutObject whose body is aws-chunked with a trailing
// x-amz-checksum-crc32, signed over the header STREAMING-UNSIGNED-PAYLOAD-TRAILER.
func putTrailer(t *testing.T, srv *testserver.Server, path string, decoded int, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("PUT", srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(decoded))
	req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	req.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: testserver.RootKeyID, SecretAccessKey: testserver.RootSecretKey},
		req, "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "s3", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

// TestIntegrationTrailerOnTheWire sends aws-chunked bodies with trailing
// checksums as an SDK over HTTPS does, and ones that lie: a trailing
// checksum that does not match the data is 400 BadDigest ("The Content-MD5
// or checksum value that you specified did not match what the server
// received.", ErrorResponses.html#ErrorCodeList); a body shorter than
// x-amz-decoded-content-length is 400 IncompleteBody ("You did not provide
// the number of bytes specified by the Content-Length HTTP header.").
func TestIntegrationTrailerOnTheWire(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.RootS3()
	mkBucket(t, root, "wire")
	data := bytes.Repeat([]byte("trailing checksum "), 5000)

	// The trailing checksum is the object's: returned by PutObject and by a
	// GetObject with checksum mode ENABLED, x-amz-trailer alone naming it
	// (x-amz-sdk-checksum-algorithm is what SDKs add, "when you use the
	// SDK", API_PutObject.html).
	resp, b := putTrailer(t, srv, "/wire/good", len(data), chunkedTrailer(data, 64<<10, "x-amz-checksum-crc32:"+crc32b64(data)))
	if resp.StatusCode != 200 || resp.Header.Get("X-Amz-Checksum-Crc32") != crc32b64(data) {
		t.Errorf("good trailer: %d %s, x-amz-checksum-crc32 %q", resp.StatusCode, b, resp.Header.Get("X-Amz-Checksum-Crc32"))
	}
	if got, err := get(root, "wire", "good"); err != nil || got != string(data) {
		t.Errorf("read back %d bytes, %v", len(got), err)
	}
	h, err := root.HeadObject(context.Background(), &awss3.HeadObjectInput{Bucket: aws.String("wire"), Key: aws.String("good"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil || aws.ToString(h.ChecksumCRC32) != crc32b64(data) {
		t.Errorf("HeadObject checksum mode ENABLED: ChecksumCRC32 %q %v, want %q", aws.ToString(h.ChecksumCRC32), err, crc32b64(data))
	}

	resp, b = putTrailer(t, srv, "/wire/bad", len(data), chunkedTrailer(data, 64<<10, "x-amz-checksum-crc32:"+crc32b64([]byte("other"))))
	checkErrorDoc(t, resp, b, 400, "BadDigest")
	_, err = get(root, "wire", "bad")
	wantErr(t, err, "NoSuchKey", 404)

	resp, b = putTrailer(t, srv, "/wire/short", len(data)+10, chunkedTrailer(data, 64<<10, "x-amz-checksum-crc32:"+crc32b64(data)))
	if resp.StatusCode != 400 {
		t.Errorf("decoded length longer than the body: %d %s", resp.StatusCode, b)
	}
	_, err = get(root, "wire", "short")
	wantErr(t, err, "NoSuchKey", 404)
}

// TestIntegrationMore covers behaviour real clients rely on beyond the
// basics.
func TestIntegrationMore(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	const b = "more"
	mkBucket(t, root, b)

	t.Run("ConditionalWrite", func(t *testing.T) {
		// "If-None-Match: * ... Amazon S3 returns a 412 Precondition Failed
		// error if an object with the same key name already exists"
		// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html,
		// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html, "If-None-Match").
		in := func(body string) *awss3.PutObjectInput {
			return &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("once"), Body: strings.NewReader(body), IfNoneMatch: aws.String("*")}
		}
		ok(t)(root.PutObject(ctx, in("first")))
		_, err := root.PutObject(ctx, in("second"))
		wantErr(t, err, "PreconditionFailed", 412)
		if got, _ := get(root, b, "once"); got != "first" {
			t.Errorf("after a refused conditional write: %q", got)
		}
		// If-Match: the write succeeds only over that ETag.
		_, err = root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("once"), Body: strings.NewReader("third"),
			IfMatch: aws.String(`"0123456789abcdef0123456789abcdef"`)})
		wantErr(t, err, "PreconditionFailed", 412)
	})
	t.Run("AnonymousListBuckets", func(t *testing.T) {
		// ListBuckets needs an authenticated sender: 403 AccessDenied
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html).
		_, err := srv.AnonymousS3().ListBuckets(ctx, &awss3.ListBucketsInput{})
		wantErr(t, err, "AccessDenied", 403)
		_, err = srv.AnonymousS3().CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("anon-bucket")})
		wantErr(t, err, "AccessDenied", 403)
	})
	t.Run("RangeAcrossParts", func(t *testing.T) {
		c, err := root.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp")})
		if err != nil {
			t.Fatal(err)
		}
		p1 := bytes.Repeat([]byte("a"), 5<<20)
		p2 := []byte("bbbb")
		u1, err := root.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("mp"), UploadId: c.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader(p1)})
		if err != nil {
			t.Fatal(err)
		}
		u2, err := root.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String(b), Key: aws.String("mp"), UploadId: c.UploadId, PartNumber: aws.Int32(2), Body: bytes.NewReader(p2)})
		if err != nil {
			t.Fatal(err)
		}
		ok(t)(root.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("mp"), UploadId: c.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: u1.ETag}, {PartNumber: aws.Int32(2), ETag: u2.ETag}}}}))
		g, err := root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("mp"), Range: aws.String(fmt.Sprintf("bytes=%d-%d", 5<<20-2, 5<<20+1))})
		if err != nil {
			t.Fatal(err)
		}
		buf := new(bytes.Buffer)
		_, err = buf.ReadFrom(g.Body)
		g.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if buf.String() != "aabb" || aws.ToString(g.ContentRange) != fmt.Sprintf("bytes %d-%d/%d", 5<<20-2, 5<<20+1, 5<<20+4) {
			t.Errorf("range across parts: %q %q", buf.String(), aws.ToString(g.ContentRange))
		}
	})
	t.Run("UploadPartCopy", func(t *testing.T) {
		// https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html:
		// a part copied from an existing object (with x-amz-copy-source-range).
		put(t, root, b, "copy-src", "0123456789")
		c, err := root.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("copied")})
		if err != nil {
			t.Fatal(err)
		}
		up, err := root.UploadPartCopy(ctx, &awss3.UploadPartCopyInput{Bucket: aws.String(b), Key: aws.String("copied"), UploadId: c.UploadId, PartNumber: aws.Int32(1),
			CopySource: aws.String(b + "/copy-src"), CopySourceRange: aws.String("bytes=2-5")})
		if err != nil {
			t.Fatalf("UploadPartCopy: %v", err)
		}
		ok(t)(root.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String(b), Key: aws.String("copied"), UploadId: c.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.CopyPartResult.ETag}}}}))
		if got, err := get(root, b, "copied"); got != "2345" || err != nil {
			t.Errorf("copied part: %q %v", got, err)
		}
	})
	t.Run("PolicyManagement", func(t *testing.T) {
		// A policy that does not parse is 400 MalformedPolicy
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html,
		// ErrorResponses.html); GetBucketPolicy of a bucket without one is 404
		// NoSuchBucketPolicy.
		_, err := root.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: aws.String(b)})
		wantErr(t, err, "NoSuchBucketPolicy", 404)
		_, err = root.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow"`)})
		wantErr(t, err, "MalformedPolicy", 400)
		// A resource outside the bucket: "Policy has invalid resource".
		_, err = root.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other-bucket/*"}]}`)})
		wantErr(t, err, "MalformedPolicy", 400)
		// "As a security precaution, the root user of the AWS account that owns
		// a bucket can always use this operation, even if the policy explicitly
		// denies the root user the ability to perform this action"
		// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketPolicy.html,
		// API_GetBucketPolicy.html, API_PutBucketPolicy.html).
		lockout := `{"Version":"2012-10-17","Statement":[{"Sid":"LockOut","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::more","arn:aws:s3:::more/*"]}]}`
		putPolicy(t, root, b, lockout)
		_, err = get(root, b, "once")
		wantErr(t, err, "AccessDenied", 403)
		if _, err := root.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: aws.String(b)}); err != nil {
			t.Errorf("root GetBucketPolicy despite the deny: %v", err)
		}
		if _, err := root.DeleteBucketPolicy(ctx, &awss3.DeleteBucketPolicyInput{Bucket: aws.String(b)}); err != nil {
			t.Errorf("root DeleteBucketPolicy despite the deny: %v", err)
		}
		if _, err := get(root, b, "once"); err != nil {
			t.Errorf("after deleting the policy: %v", err)
		}
	})
	t.Run("PresignedBySession", func(t *testing.T) {
		// A URL presigned with temporary credentials carries
		// X-Amz-Security-Token and acts as the session
		// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html).
		iamc := srv.RootIAM()
		u := newUser(t, srv, "presigner", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
		trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/presigner"},"Action":"sts:AssumeRole"}]}`
		ok(t)(iamc.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("reader"), AssumeRolePolicyDocument: aws.String(trust)}))
		ok(t)(iamc.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("r"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::more/*"}]}`)}))
		ar, err := srv.STSClient(u.id, u.secret).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/reader"), RoleSessionName: aws.String("sess")})
		if err != nil {
			t.Fatal(err)
		}
		cr := ar.Credentials
		sess := srv.S3Client(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
		put(t, root, b, "for-session", "first")
		p, err := awss3.NewPresignClient(sess).PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("for-session")})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.URL, "X-Amz-Security-Token=") {
			t.Errorf("URL without a security token: %s", p.URL)
		}
		resp, body := do(t, must2(http.NewRequest("GET", p.URL, nil)))
		if resp.StatusCode != 200 || string(body) != "first" {
			t.Errorf("GET by a session's URL: %d %s", resp.StatusCode, body)
		}
		p, err = awss3.NewPresignClient(sess).PresignPutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("by-session")})
		if err != nil {
			t.Fatal(err)
		}
		resp, body = do(t, must2(http.NewRequest("PUT", p.URL, strings.NewReader("x"))))
		d := checkErrorDoc(t, resp, body, 403, "AccessDenied")
		if !strings.Contains(d.Message, "arn:aws:sts::123456789012:assumed-role/reader/sess") {
			t.Errorf("denied session's message %q", d.Message)
		}
	})
}

// TestIntegrationCrossAccountBucketAdmin: other accounts may not manage a
// bucket. DeleteBucket and HeadBucket by another account without a grant
// are 403; for GetBucketPolicy and PutBucketPolicy, "If you have the correct
// permissions, but you're not using an identity that belongs to the bucket
// owner's account, Amazon S3 returns a 405 Method Not Allowed error"
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html,
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketPolicy.html).
func TestIntegrationCrossAccountBucketAdmin(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	member := srv.NewMember(t)
	other := testserver.S3FromConfig(member.Admin)
	mkBucket(t, root, "owned")
	_, err := other.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String("owned")})
	wantErr(t, err, "AccessDenied", 403)
	_, err = other.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String("owned")})
	if httpStatus(err) != 403 {
		t.Errorf("HeadBucket by another account: %v, want 403", err)
	}
	putPolicy(t, root, "owned", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+member.Account+`:root"},
		"Action":["s3:PutBucketPolicy","s3:GetBucketPolicy","s3:ListBucket"],"Resource":"arn:aws:s3:::owned"}]}`)
	if _, err := other.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("owned")}); err != nil {
		t.Errorf("granted ListBucket: %v", err)
	}
	before, err := root.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: aws.String("owned")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = other.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: aws.String("owned")})
	wantErr(t, err, "MethodNotAllowed", 405)
	_, err = other.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String("owned"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + member.Account + `:root"},"Action":"s3:*","Resource":"arn:aws:s3:::owned/*"}]}`)})
	wantErr(t, err, "MethodNotAllowed", 405)
	after, err := root.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: aws.String("owned")})
	if err != nil || aws.ToString(after.Policy) != aws.ToString(before.Policy) {
		t.Errorf("another account replaced the bucket policy:\nbefore %s\nafter  %s (%v)", aws.ToString(before.Policy), aws.ToString(after.Policy), err)
	}
}
