package upstream_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// BenchmarkPut1MiB and BenchmarkGet1KiB compare the upstream backend with
// the SDK used directly against the same server (Gatehouse S3 over disk):
// the difference is what the backend adds. The backend's PUT body is of
// unknown length (sent chunked), as the S3 layer's is, and a PUT heads
// the new object for its LastModified.
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
			if _, err := be.PutObject(ctx, "bench", "k", onlyReader{bytes.NewReader(data)}, objectstore.Meta{ContentType: "text/plain"}, nil); err != nil {
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

// BenchmarkPut1MiBKnownLength is the backend's PUT of a body whose length
// it knows (sent with Content-Length instead of chunked).
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
