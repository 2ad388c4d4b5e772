package s3_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// pausingDeletes is an object backend whose permanent deletes of a
// version run hook first: a test's way to let another request in between
// Object Lock's check of a version and its delete.
type pausingDeletes struct {
	objectstore.Backend
	hook atomic.Pointer[func()]
}

func (b *pausingDeletes) DeleteObject(ctx context.Context, bucket, key, versionID string) (objectstore.DeleteResult, error) {
	if h := b.hook.Load(); h != nil && versionID != "" {
		(*h)()
	}
	return b.Backend.DeleteObject(ctx, bucket, key, versionID)
}

// TestIntegrationObjectLockDeleteRace: a legal hold or a retention set
// while a permanent delete of the version is under way is never reported
// as set on a version the delete then removes (s3/keylock.go). The
// backend holds each delete back until the protecting request has
// answered, or for a second at most: without the key's lock the
// protection lands between the delete's check and its delete, and both
// requests succeed; with it, the protection waits for the delete and
// finds no version. Whatever the timing, the test asserts only the
// invariant: not both succeed, and the version is there exactly when the
// protection succeeded.
func TestIntegrationObjectLockDeleteRace(t *testing.T) {
	pd := &pausingDeletes{}
	srv := testserver.StartWith(t, testserver.Options{WrapObjects: func(b objectstore.Backend) objectstore.Backend {
		pd.Backend = b
		return pd
	}})
	c := srv.RootS3()
	ctx := context.Background()
	ok(t)(c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("race"), ObjectLockEnabledForBucket: aws.Bool(true)}))
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)

	protections := map[string]func(version string) error{
		"legal hold": func(v string) error {
			_, err := c.PutObjectLegalHold(ctx, &awss3.PutObjectLegalHoldInput{Bucket: aws.String("race"), Key: aws.String("k"), VersionId: aws.String(v),
				LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
			return err
		},
		"retention": func(v string) error {
			_, err := c.PutObjectRetention(ctx, &awss3.PutObjectRetentionInput{Bucket: aws.String("race"), Key: aws.String("k"), VersionId: aws.String(v),
				Retention:         &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeCompliance, RetainUntilDate: aws.Time(until)},
				ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
			return err
		},
	}
	deletes := map[string]func(version string) error{
		"DeleteObject": func(v string) error { return deleteVersion(c, "race", "k", v, false) },
		"DeleteObjects": func(v string) error {
			out, err := c.DeleteObjects(ctx, &awss3.DeleteObjectsInput{Bucket: aws.String("race"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
				Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("k"), VersionId: aws.String(v)}}}})
			if err != nil {
				return err
			}
			if len(out.Errors) > 0 {
				return errors.New(aws.ToString(out.Errors[0].Code))
			}
			return nil
		},
	}
	for pname, protect := range protections {
		for dname, del := range deletes {
			t.Run(pname+" during "+dname, func(t *testing.T) {
				put, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("race"), Key: aws.String("k"), Body: strings.NewReader("x")})
				if err != nil {
					t.Fatal(err)
				}
				v := aws.ToString(put.VersionId)
				var once sync.Once
				checked, answered := make(chan struct{}), make(chan struct{})
				hook := func() {
					once.Do(func() { close(checked) })
					select {
					case <-answered:
					case <-time.After(time.Second):
					}
				}
				pd.hook.Store(&hook)
				defer pd.hook.Store(nil)

				var delErr, protErr error
				var wg sync.WaitGroup
				wg.Add(2)
				go func() { defer wg.Done(); delErr = del(v) }()
				go func() {
					defer wg.Done()
					<-checked
					protErr = protect(v)
					close(answered)
				}()
				wg.Wait()

				_, headErr := c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("race"), Key: aws.String("k"), VersionId: aws.String(v)})
				switch {
				case delErr == nil && protErr == nil:
					t.Fatalf("both the delete and the %s succeeded; the version exists: %v", pname, headErr == nil)
				case delErr == nil:
					if headErr == nil {
						t.Errorf("the delete succeeded but the version is still there")
					}
				case protErr == nil:
					if headErr != nil {
						t.Errorf("the %s succeeded but the version is gone: %v", pname, headErr)
					}
				default:
					t.Errorf("both failed: delete %v, %s %v", delErr, pname, protErr)
				}
			})
		}
	}
}
