package s3_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// lockClock is a server clock a test moves forward (within SigV4's 15
// minutes of skew, so the SDK's requests still verify).
type lockClock struct{ off atomic.Int64 }

func (c *lockClock) now() time.Time      { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *lockClock) add(d time.Duration) { c.off.Add(int64(d)) }
func putLocked(t *testing.T, c *awss3.Client, bucket, key string, mode types.ObjectLockMode, until time.Time) string {
	t.Helper()
	out, err := c.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: strings.NewReader("locked"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, ObjectLockMode: mode, ObjectLockRetainUntilDate: aws.Time(until)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.VersionId)
}

func deleteVersion(c *awss3.Client, bucket, key, version string, bypass bool) error {
	in := &awss3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), VersionId: aws.String(version)}
	if bypass {
		in.BypassGovernanceRetention = aws.Bool(true)
	}
	_, err := c.DeleteObject(context.Background(), in)
	return err
}

// TestIntegrationObjectLock: retention and legal holds enforced on
// versions, as the S3 User Guide describes them (object-lock.html,
// object-lock-managing.html); the error codes and messages as recorded
// against S3 (s3/objectlock.go cites each).
func TestIntegrationObjectLock(t *testing.T) {
	clock := &lockClock{}
	srv := testserver.StartWith(t, testserver.Options{Now: clock.now})
	c := srv.RootS3()
	ctx := context.Background()
	future := time.Now().Add(time.Hour).UTC().Truncate(time.Second)

	// A bucket without Object Lock refuses lock parameters.
	mkBucket(t, c, "plain")
	put(t, c, "plain", "k", "x")
	_, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("plain"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(future)})
	if ae := wantErr(t, err, "InvalidRequest", 400); ae != nil && ae.ErrorMessage() != "Bucket is missing ObjectLockConfiguration" {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	_, err = c.PutObjectRetention(ctx, &awss3.PutObjectRetentionInput{Bucket: aws.String("plain"), Key: aws.String("k"),
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(future)}})
	if ae := wantErr(t, err, "InvalidRequest", 400); ae != nil && ae.ErrorMessage() != "Bucket is missing Object Lock Configuration" {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	_, err = c.GetObjectLegalHold(ctx, &awss3.GetObjectLegalHoldInput{Bucket: aws.String("plain"), Key: aws.String("k")})
	wantErr(t, err, "InvalidRequest", 400)

	ok(t)(c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("vault"), ObjectLockEnabledForBucket: aws.Bool(true)}))

	t.Run("compliance", func(t *testing.T) {
		v := putLocked(t, c, "vault", "comp", types.ObjectLockModeCompliance, future)
		got, err := c.GetObjectRetention(ctx, &awss3.GetObjectRetentionInput{Bucket: aws.String("vault"), Key: aws.String("comp"), VersionId: aws.String(v)})
		if err != nil {
			t.Fatal(err)
		}
		if got.Retention.Mode != types.ObjectLockRetentionModeCompliance || !aws.ToTime(got.Retention.RetainUntilDate).Equal(future) {
			t.Errorf("retention %+v", got.Retention)
		}
		head, err := c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("vault"), Key: aws.String("comp")})
		if err != nil {
			t.Fatal(err)
		}
		if head.ObjectLockMode != types.ObjectLockModeCompliance || !aws.ToTime(head.ObjectLockRetainUntilDate).Equal(future) ||
			head.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOff {
			t.Errorf("head lock %q %v %q", head.ObjectLockMode, head.ObjectLockRetainUntilDate, head.ObjectLockLegalHoldStatus)
		}
		// The version cannot be deleted, with the bypass or without.
		for _, bypass := range []bool{false, true} {
			ae := wantErr(t, deleteVersion(c, "vault", "comp", v, bypass), "AccessDenied", 403)
			if ae != nil && ae.ErrorMessage() != "Access Denied because object protected by object lock." {
				t.Errorf("message %q", ae.ErrorMessage())
			}
		}
		// A delete without a version id adds a delete marker.
		del, err := c.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("vault"), Key: aws.String("comp")})
		if err != nil || !aws.ToBool(del.DeleteMarker) {
			t.Fatalf("delete marker: %v %+v", err, del)
		}
		// Retention extended, never shortened nor weakened, bypass or not.
		retain := func(mode types.ObjectLockRetentionMode, until time.Time, bypass bool) error {
			_, err := c.PutObjectRetention(ctx, &awss3.PutObjectRetentionInput{Bucket: aws.String("vault"), Key: aws.String("comp"), VersionId: aws.String(v),
				Retention: &types.ObjectLockRetention{Mode: mode, RetainUntilDate: aws.Time(until)}, BypassGovernanceRetention: aws.Bool(bypass)})
			return err
		}
		wantErr(t, retain(types.ObjectLockRetentionModeCompliance, future.Add(-time.Minute), true), "AccessDenied", 403)
		wantErr(t, retain(types.ObjectLockRetentionModeGovernance, future.Add(time.Hour), true), "AccessDenied", 403)
		if err := retain(types.ObjectLockRetentionModeCompliance, future.Add(time.Hour), false); err != nil {
			t.Fatalf("extend: %v", err)
		}
		// DeleteObjects reports the version as AccessDenied.
		out, err := c.DeleteObjects(ctx, &awss3.DeleteObjectsInput{Bucket: aws.String("vault"), Delete: &types.Delete{
			Objects: []types.ObjectIdentifier{{Key: aws.String("comp"), VersionId: aws.String(v)}}}})
		if err != nil || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "AccessDenied" {
			t.Fatalf("DeleteObjects: %v %+v", err, out)
		}
		// The bucket cannot be emptied of it, so it cannot be deleted.
		_, err = c.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String("vault")})
		wantErr(t, err, "BucketNotEmpty", 409)
	})

	t.Run("governance", func(t *testing.T) {
		v := putLocked(t, c, "vault", "gov", types.ObjectLockModeGovernance, future)
		wantErr(t, deleteVersion(c, "vault", "gov", v, false), "AccessDenied", 403)
		// Shortening needs the bypass.
		_, err := c.PutObjectRetention(ctx, &awss3.PutObjectRetentionInput{Bucket: aws.String("vault"), Key: aws.String("gov"), VersionId: aws.String(v),
			Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(future.Add(-time.Minute))}})
		wantErr(t, err, "AccessDenied", 403)
		ok(t)(c.PutObjectRetention(ctx, &awss3.PutObjectRetentionInput{Bucket: aws.String("vault"), Key: aws.String("gov"), VersionId: aws.String(v),
			Retention:                 &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(future.Add(-time.Minute))},
			BypassGovernanceRetention: aws.Bool(true)}))
		// The root user may bypass governance retention.
		if err := deleteVersion(c, "vault", "gov", v, true); err != nil {
			t.Fatalf("bypass delete: %v", err)
		}
	})

	t.Run("legal hold", func(t *testing.T) {
		out, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String("held"), Body: strings.NewReader("x"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
			ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
		if err != nil {
			t.Fatal(err)
		}
		v := aws.ToString(out.VersionId)
		hold, err := c.GetObjectLegalHold(ctx, &awss3.GetObjectLegalHoldInput{Bucket: aws.String("vault"), Key: aws.String("held"), VersionId: aws.String(v)})
		if err != nil || hold.LegalHold.Status != types.ObjectLockLegalHoldStatusOn {
			t.Fatalf("legal hold: %v %+v", err, hold)
		}
		// No retention: GetObjectRetention has nothing to answer.
		_, err = c.GetObjectRetention(ctx, &awss3.GetObjectRetentionInput{Bucket: aws.String("vault"), Key: aws.String("held"), VersionId: aws.String(v)})
		wantErr(t, err, "NoSuchObjectLockConfiguration", 404)
		// A legal hold blocks the delete whatever the bypass.
		wantErr(t, deleteVersion(c, "vault", "held", v, true), "AccessDenied", 403)
		ok(t)(c.PutObjectLegalHold(ctx, &awss3.PutObjectLegalHoldInput{Bucket: aws.String("vault"), Key: aws.String("held"), VersionId: aws.String(v),
			LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOff}}))
		if err := deleteVersion(c, "vault", "held", v, false); err != nil {
			t.Fatalf("delete after hold removed: %v", err)
		}
		// Put on an existing version.
		v2 := putLocked(t, c, "vault", "held2", types.ObjectLockModeGovernance, future)
		ok(t)(c.PutObjectLegalHold(ctx, &awss3.PutObjectLegalHoldInput{Bucket: aws.String("vault"), Key: aws.String("held2"), VersionId: aws.String(v2),
			LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}}))
		wantErr(t, deleteVersion(c, "vault", "held2", v2, true), "AccessDenied", 403)
	})

	t.Run("expiry", func(t *testing.T) {
		soon := clock.now().Add(time.Minute)
		v := putLocked(t, c, "vault", "soon", types.ObjectLockModeCompliance, soon)
		wantErr(t, deleteVersion(c, "vault", "soon", v, false), "AccessDenied", 403)
		clock.add(2 * time.Minute)
		if err := deleteVersion(c, "vault", "soon", v, false); err != nil {
			t.Fatalf("delete after retention: %v", err)
		}
	})

	t.Run("validation", func(t *testing.T) {
		_, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String("past"), Body: strings.NewReader("x"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
			ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(time.Now().Add(-time.Hour))})
		if ae := wantErr(t, err, "InvalidArgument", 400); ae != nil && ae.ErrorMessage() != "The retain until date must be in the future!" {
			t.Errorf("message %q", ae.ErrorMessage())
		}
		_, err = c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String("half"), Body: strings.NewReader("x"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
			ObjectLockMode: types.ObjectLockModeGovernance})
		wantErr(t, err, "InvalidArgument", 400)
		_, err = c.PutObjectRetention(ctx, &awss3.PutObjectRetentionInput{Bucket: aws.String("vault"), Key: aws.String("held2"),
			Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(-time.Hour))}})
		wantErr(t, err, "InvalidArgument", 400)
		// Without a checksum of the body, lock parameters are refused.
		_, err = c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String("nosum"), Body: strings.NewReader("x"),
			ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
		if ae := wantErr(t, err, "InvalidRequest", 400); ae != nil && !strings.HasPrefix(ae.ErrorMessage(), "Content-MD5 OR x-amz-checksum-") {
			t.Errorf("message %q", ae.ErrorMessage())
		}
		// Nor may versioning be suspended on the bucket.
		_, err = c.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: aws.String("vault"),
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
		wantErr(t, err, "InvalidBucketState", 409)
	})

	t.Run("default retention", func(t *testing.T) {
		ok(t)(c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("dflt"), ObjectLockEnabledForBucket: aws.Bool(true)}))
		ok(t)(c.PutObjectLockConfiguration(ctx, &awss3.PutObjectLockConfigurationInput{Bucket: aws.String("dflt"),
			ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
				Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(2)}}}}))
		before := clock.now()
		// The default retention is Object Lock parameters: the body needs a
		// checksum (aws/aws-sdk-php issue 1694).
		_, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("dflt"), Key: aws.String("k"), Body: strings.NewReader("x")})
		wantErr(t, err, "InvalidRequest", 400)
		out, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("dflt"), Key: aws.String("k"), Body: strings.NewReader("x"), ContentMD5: aws.String("ndTkYSaMgDT1yFZOFVxnpg==")})
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.GetObjectRetention(ctx, &awss3.GetObjectRetentionInput{Bucket: aws.String("dflt"), Key: aws.String("k"), VersionId: out.VersionId})
		if err != nil {
			t.Fatal(err)
		}
		until := aws.ToTime(got.Retention.RetainUntilDate)
		if got.Retention.Mode != types.ObjectLockRetentionModeGovernance || until.Before(before.Add(48*time.Hour-time.Second)) || until.After(clock.now().Add(48*time.Hour+time.Second)) {
			t.Errorf("default retention %q until %v", got.Retention.Mode, until)
		}
		wantErr(t, deleteVersion(c, "dflt", "k", aws.ToString(out.VersionId), false), "AccessDenied", 403)
		// A copy is a new version: the bucket's default, not the source's
		// retention (the source here is COMPLIANCE).
		src := putLocked(t, c, "vault", "src", types.ObjectLockModeCompliance, future)
		cp, err := c.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("dflt"), Key: aws.String("copy"), CopySource: aws.String("vault/src?versionId=" + src)})
		if err != nil {
			t.Fatal(err)
		}
		got, err = c.GetObjectRetention(ctx, &awss3.GetObjectRetentionInput{Bucket: aws.String("dflt"), Key: aws.String("copy"), VersionId: cp.VersionId})
		if err != nil || got.Retention.Mode != types.ObjectLockRetentionModeGovernance {
			t.Errorf("copy retention: %v %+v", err, got)
		}
		// A multipart upload takes its lock when it is created.
		mp, err := c.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("vault"), Key: aws.String("mp"),
			ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: aws.Time(future)})
		if err != nil {
			t.Fatal(err)
		}
		// Its parts need a checksum, as a PutObject's body (partLockChecksum).
		_, err = c.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String("vault"), Key: aws.String("mp"), UploadId: mp.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
		wantErr(t, err, "InvalidRequest", 400)
		part, err := c.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String("vault"), Key: aws.String("mp"), UploadId: mp.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("part"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		if err != nil {
			t.Fatal(err)
		}
		done, err := c.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String("vault"), Key: aws.String("mp"), UploadId: mp.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32}}}})
		if err != nil {
			t.Fatal(err)
		}
		wantErr(t, deleteVersion(c, "vault", "mp", aws.ToString(done.VersionId), true), "AccessDenied", 403)
	})
}

// TestIntegrationObjectLockAuthorization: the bypass needs
// s3:BypassGovernanceRetention, and the Object Lock condition keys reach
// policies (object-lock-managing.html: s3:object-lock-remaining-retention-days
// to cap retention periods).
func TestIntegrationObjectLockAuthorization(t *testing.T) {
	srv := testserver.Start(t)
	root := srv.RootS3()
	ctx := context.Background()
	ok(t)(root.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("vault"), ObjectLockEnabledForBucket: aws.Bool(true)}))
	future := time.Now().Add(time.Hour).UTC().Truncate(time.Second)

	plain := newUser(t, srv, "plain", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:DeleteObjectVersion","s3:PutObjectRetention","s3:GetObjectRetention"],"Resource":"arn:aws:s3:::vault/*"},
		{"Effect":"Deny","Action":"s3:PutObjectRetention","Resource":"*","Condition":{"NumericGreaterThan":{"s3:object-lock-remaining-retention-days":"30"}}}]}`).s3(srv)
	bypasser := newUser(t, srv, "bypasser", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:DeleteObjectVersion","s3:BypassGovernanceRetention"],"Resource":"arn:aws:s3:::vault/*"}]}`).s3(srv)

	v := putLocked(t, plain, "vault", "k", types.ObjectLockModeGovernance, future)
	wantErr(t, deleteVersion(plain, "vault", "k", v, true), "AccessDenied", 403)
	wantErr(t, deleteVersion(plain, "vault", "k", v, false), "AccessDenied", 403)

	// A retention over 30 days is denied by the condition key, 10 days is not.
	retain := func(days int) error {
		_, err := plain.PutObjectRetention(ctx, &awss3.PutObjectRetentionInput{Bucket: aws.String("vault"), Key: aws.String("k"), VersionId: aws.String(v),
			Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(time.Duration(days) * 24 * time.Hour))}})
		return err
	}
	wantErr(t, retain(60), "AccessDenied", 403)
	if err := retain(10); err != nil {
		t.Fatalf("10 days: %v", err)
	}
	// The same limit on PutObject's headers.
	_, err := plain.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String("k2"), Body: strings.NewReader("x"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
		ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: aws.Time(time.Now().Add(60 * 24 * time.Hour))})
	wantErr(t, err, "AccessDenied", 403)

	// The lock headers of a GET are for callers allowed to read them.
	head, err := bypasser.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("vault"), Key: aws.String("k")})
	if err == nil && head.ObjectLockMode != "" {
		t.Errorf("lock mode shown without s3:GetObjectRetention: %q", head.ObjectLockMode)
	}

	if err := deleteVersion(bypasser, "vault", "k", v, true); err != nil {
		t.Fatalf("bypass with s3:BypassGovernanceRetention: %v", err)
	}
}
