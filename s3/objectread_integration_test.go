package s3_test

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// countingBackend counts the reads of an object's index entry (GetObject,
// HeadObject).
type countingBackend struct {
	objectstore.Backend
	reads atomic.Int64
}

func (b *countingBackend) GetObject(ctx context.Context, bucket, key string, opt objectstore.GetOptions) (objectstore.Info, io.ReadCloser, error) {
	b.reads.Add(1)
	return b.Backend.GetObject(ctx, bucket, key, opt)
}

func (b *countingBackend) HeadObject(ctx context.Context, bucket, key, versionID string) (objectstore.Info, error) {
	b.reads.Add(1)
	return b.Backend.HeadObject(ctx, bucket, key, versionID)
}

// A GetObject or HeadObject reads the object's index entry once:
// authorization decides with the read, and the operation serves it.
func TestIntegrationObjectReadOnce(t *testing.T) {
	t.Parallel()
	cb := &countingBackend{}
	srv := testserver.StartWith(t, testserver.Options{WrapObjects: func(b objectstore.Backend) objectstore.Backend {
		cb.Backend = b
		return cb
	}})
	ctx := t.Context()
	c := srv.RootS3()
	mkBucket(t, c, "once")
	put(t, c, "once", "k", "0123456789")

	for _, tc := range []struct {
		name string
		call func() (string, error)
		want string
	}{
		{"GetObject", func() (string, error) { return get(c, "once", "k") }, "0123456789"},
		{"GetObject range", func() (string, error) {
			out, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("once"), Key: aws.String("k"), Range: aws.String("bytes=2-4")})
			if err != nil {
				return "", err
			}
			defer out.Body.Close()
			b, err := io.ReadAll(out.Body)
			return string(b), err
		}, "234"},
		{"HeadObject", func() (string, error) {
			out, err := c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("once"), Key: aws.String("k")})
			if err != nil {
				return "", err
			}
			return strings.Repeat("x", int(aws.ToInt64(out.ContentLength))), nil
		}, "xxxxxxxxxx"},
	} {
		before := cb.reads.Load()
		got, err := tc.call()
		if err != nil || got != tc.want {
			t.Fatalf("%s = %q, %v", tc.name, got, err)
		}
		if n := cb.reads.Load() - before; n != 1 {
			t.Errorf("%s read the object %d times, want 1", tc.name, n)
		}
	}

	// A range the object cannot satisfy is still InvalidRange (416).
	_, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("once"), Key: aws.String("k"), Range: aws.String("bytes=100-200")})
	wantErr(t, err, "InvalidRange", 416)
	// A denied read leaves nothing open: the object can be replaced and
	// deleted afterwards.
	_, err = srv.AnonymousS3().GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("once"), Key: aws.String("k")})
	wantErr(t, err, "AccessDenied", 403)
	put(t, c, "once", "k", "new")
	ok(t)(c.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("once"), Key: aws.String("k")}))
}
