package s3_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestIntegrationObjectLockPartChecksum: a part of an object that will
// carry Object Lock parameters needs Content-MD5 or an x-amz-checksum-*
// header, as the object of a PutObject does. API_UploadPart: "This header
// is required for any request to upload an object with a retention period
// configured using Amazon S3 Object Lock"; S3's code and message as
// recorded in s3tools/s3cmd issue 1436 (InvalidRequest, "Content-MD5 OR
// x-amz-checksum- HTTP header is required for Put Part requests with
// Object Lock parameters").
func TestIntegrationObjectLockPartChecksum(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.RootS3() // computes a request checksum only when required
	ctx := context.Background()
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	ok(t)(c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("locks"), ObjectLockEnabledForBucket: aws.Bool(true)}))
	ok(t)(c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("dflt"), ObjectLockEnabledForBucket: aws.Bool(true)}))
	ok(t)(c.PutObjectLockConfiguration(ctx, &awss3.PutObjectLockConfigurationInput{Bucket: aws.String("dflt"),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(1)}}}}))

	const msg = "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Part requests with Object Lock parameters"
	for _, tc := range []struct {
		name, bucket string
		create       awss3.CreateMultipartUploadInput
		need         bool
	}{
		{"retention", "locks", awss3.CreateMultipartUploadInput{ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(until)}, true},
		{"legal hold", "locks", awss3.CreateMultipartUploadInput{ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn}, true},
		{"default retention", "dflt", awss3.CreateMultipartUploadInput{}, true},
		{"none", "locks", awss3.CreateMultipartUploadInput{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.create
			in.Bucket, in.Key = aws.String(tc.bucket), aws.String(tc.name)
			mp, err := c.CreateMultipartUpload(ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			part := func(opt func(*awss3.UploadPartInput)) error {
				up := &awss3.UploadPartInput{Bucket: in.Bucket, Key: in.Key, UploadId: mp.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("part")}
				if opt != nil {
					opt(up)
				}
				_, err := c.UploadPart(ctx, up)
				return err
			}
			err = part(nil)
			if !tc.need {
				if err != nil {
					t.Fatalf("a part of an upload without Object Lock parameters: %v", err)
				}
				return
			}
			if ae := wantErr(t, err, "InvalidRequest", 400); ae != nil && ae.ErrorMessage() != msg {
				t.Errorf("message %q", ae.ErrorMessage())
			}
			if err := part(func(u *awss3.UploadPartInput) { u.ContentMD5 = aws.String("9Mk4XxkC9zNLALm07NFk3g==") }); err != nil {
				t.Errorf("with Content-MD5: %v", err)
			}
			if err := part(func(u *awss3.UploadPartInput) { u.ChecksumAlgorithm = types.ChecksumAlgorithmSha256 }); err != nil {
				t.Errorf("with x-amz-checksum-sha256: %v", err)
			}
		})
	}
}
