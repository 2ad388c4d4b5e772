package s3_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/objectstore/disk"
)

// The cost of the S3 front: a GET of a 1 KiB object and a PUT of a 1 MiB
// object through Gatehouse (HTTP, SigV4, authorization of an IAM user
// against its policy and the bucket's, the disk backend) beside the same
// operations on the disk backend called directly.
//
//	go test ./s3 -run '^$' -bench 'S3' -count 6
func BenchmarkS3(b *testing.B) {
	ctx := context.Background()
	ts := testserver.Start(b)
	cfg := ts.Config(testserver.RootKeyID, testserver.RootSecretKey)
	client := awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true })
	if _, err := client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("bench")}); err != nil {
		b.Fatal(err)
	}
	small := bytes.Repeat([]byte("x"), 1<<10)
	large := bytes.Repeat([]byte("y"), 1<<20)
	if _, err := client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("small"), Body: bytes.NewReader(small)}); err != nil {
		b.Fatal(err)
	}

	direct, err := disk.Open(filepath.Join(b.TempDir(), "objects"), disk.Options{Now: time.Now, NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer direct.Close()
	if err := direct.CreateBucket(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	if _, err := direct.PutObject(ctx, "bench", "small", bytes.NewReader(small), objectstore.Meta{}, nil); err != nil {
		b.Fatal(err)
	}

	b.Run("GetObject-1KiB/gatehouse", func(b *testing.B) {
		b.SetBytes(int64(len(small)))
		for b.Loop() {
			out, err := client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String("small")})
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, out.Body)
			out.Body.Close()
		}
	})
	b.Run("GetObject-1KiB/backend", func(b *testing.B) {
		b.SetBytes(int64(len(small)))
		for b.Loop() {
			_, rc, err := direct.GetObject(ctx, "bench", "small", objectstore.GetOptions{})
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, rc)
			rc.Close()
		}
	})
	b.Run("PutObject-1MiB/gatehouse", func(b *testing.B) {
		b.SetBytes(int64(len(large)))
		for b.Loop() {
			if _, err := client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("large"),
				Body: bytes.NewReader(large)}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PutObject-1MiB/backend", func(b *testing.B) {
		b.SetBytes(int64(len(large)))
		for b.Loop() {
			if _, err := direct.PutObject(ctx, "bench", "large", bytes.NewReader(large), objectstore.Meta{}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
