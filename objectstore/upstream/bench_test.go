package upstream_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// BenchmarkPut1MiB and BenchmarkGet1KiB compare the upstream backend with
// the SDK used directly against the same server (Gatehouse S3 over disk):
// the difference is what the backend adds. The backend's PUT body declares
// its length but cannot seek, as the S3 layer's does, and a PUT heads the
// new object for its LastModified.
func BenchmarkPut1MiB(b *testing.B) {
	srv, be := openGatehouse(b, "")
	ctx := b.Context()
	if err := be.CreateBucket(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	b.Run("upstream", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := be.PutObject(ctx, "bench", "k", sizedReader{onlyReader{bytes.NewReader(data)}, int64(len(data))}, objectstore.Meta{ContentType: "text/plain"}, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	c := rootClient(srv)
	b.Run("direct", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("k"),
				Body: bytes.NewReader(data), ContentType: aws.String("text/plain")}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkGet1KiB(b *testing.B) {
	srv, be := openGatehouse(b, "")
	ctx := b.Context()
	if err := be.CreateBucket(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("x"), 1<<10)
	if _, err := be.PutObject(ctx, "bench", "k", bytes.NewReader(data), objectstore.Meta{}, nil); err != nil {
		b.Fatal(err)
	}
	b.Run("upstream", func(b *testing.B) {
		for b.Loop() {
			_, rc, err := be.GetObject(ctx, "bench", "k", objectstore.GetOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, rc); err != nil || n != int64(len(data)) {
				b.Fatal(n, err)
			}
			rc.Close()
		}
	})
	c := rootClient(srv)
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String("k")})
			if err != nil {
				b.Fatal(err)
			}
			if n, err := io.Copy(io.Discard, out.Body); err != nil || n != int64(len(data)) {
				b.Fatal(n, err)
			}
			out.Body.Close()
		}
	})
}

// BenchmarkPut1MiBKnownLength is the backend's PUT of a body it can measure
// itself (a Len() reader).
func BenchmarkPut1MiBKnownLength(b *testing.B) {
	_, be := openGatehouse(b, "")
	ctx := b.Context()
	if err := be.CreateBucket(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := be.PutObject(ctx, "bench", "k", bytes.NewReader(data), objectstore.Meta{ContentType: "text/plain"}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPut1MiBConditional is a PUT with If-Match on the current ETag:
// a HEAD, the precondition, then the PUT sent with If-Match.
func BenchmarkPut1MiBConditional(b *testing.B) {
	_, be := openGatehouse(b, "")
	ctx := b.Context()
	if err := be.CreateBucket(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	info, err := be.PutObject(ctx, "bench", "k", bytes.NewReader(data), objectstore.Meta{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	etag := info.ETag // the same bytes keep the same ETag
	ifMatch := func(cur *objectstore.Info) error {
		if cur == nil || cur.ETag != etag {
			return errors.New("PreconditionFailed")
		}
		return nil
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := be.PutObject(ctx, "bench", "k", sizedReader{onlyReader{bytes.NewReader(data)}, int64(len(data))}, objectstore.Meta{}, ifMatch); err != nil {
			b.Fatal(err)
		}
	}
}
