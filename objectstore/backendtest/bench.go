package backendtest

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// Bench runs the backend benchmarks against backends made by newBackend,
// which must return an open backend without buckets; each benchmark gets a
// fresh one and closes it. A backend calls it from a Benchmark function, as
// it calls Run from a Test. Put and Get report MB/s of object bytes.
func Bench(b *testing.B, newBackend func(b *testing.B) objectstore.Backend) {
	benches := []struct {
		name string
		run  func(b *testing.B, be objectstore.Backend)
	}{
		{"Put1KiB", func(b *testing.B, be objectstore.Backend) { benchPut(b, be, 1<<10) }},
		{"Put1MiB", func(b *testing.B, be objectstore.Backend) { benchPut(b, be, 1<<20) }},
		{"Get1KiB", func(b *testing.B, be objectstore.Backend) { benchGet(b, be, 1<<10) }},
		{"Get1MiB", func(b *testing.B, be objectstore.Backend) { benchGet(b, be, 1<<20) }},
		{"List1000", func(b *testing.B, be objectstore.Backend) { benchList(b, be, "") }},
		{"List1000Delimiter", func(b *testing.B, be objectstore.Backend) { benchList(b, be, "/") }},
	}
	for _, bc := range benches {
		b.Run(bc.name, func(b *testing.B) {
			be := newBackend(b)
			b.Cleanup(func() {
				if err := be.Close(); err != nil {
					b.Errorf("Close: %v", err)
				}
			})
			if err := be.CreateBucket(b.Context(), "bench"); err != nil {
				b.Fatal(err)
			}
			bc.run(b, be)
		})
	}
}

// benchPut overwrites one of 100 keys per iteration.
func benchPut(b *testing.B, be objectstore.Backend, size int) {
	ctx := b.Context()
	body := bytes.Repeat([]byte("x"), size)
	r := bytes.NewReader(body)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r.Reset(body)
		if _, err := be.PutObject(ctx, "bench", fmt.Sprintf("k%03d", i%100), r, objectstore.Meta{ContentType: "application/octet-stream"}, nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// benchGet reads one whole object per iteration.
func benchGet(b *testing.B, be objectstore.Backend, size int) {
	ctx := b.Context()
	if _, err := be.PutObject(ctx, "bench", "k", bytes.NewReader(bytes.Repeat([]byte("x"), size)), objectstore.Meta{}, nil); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 256<<10)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		_, rc, err := be.GetObject(ctx, "bench", "k", objectstore.GetOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.CopyBuffer(io.Discard, rc, buf); err != nil || n != int64(size) {
			b.Fatalf("read %d bytes, %v", n, err)
		}
		rc.Close()
	}
}

// benchList lists a bucket of 1000 keys, 100 folders of 10, in one page:
// 1000 objects without a delimiter, 100 common prefixes with "/".
func benchList(b *testing.B, be objectstore.Backend, delim string) {
	ctx := b.Context()
	for i := range 1000 {
		if _, err := be.PutObject(ctx, "bench", fmt.Sprintf("dir%03d/file%02d", i/10, i%10), bytes.NewReader([]byte("x")), objectstore.Meta{}, nil); err != nil {
			b.Fatal(err)
		}
	}
	want := 1000
	if delim != "" {
		want = 100
	}
	b.ReportAllocs()
	for b.Loop() {
		res, err := be.List(ctx, "bench", objectstore.ListOptions{Delimiter: delim, MaxKeys: 1000})
		if err != nil {
			b.Fatal(err)
		}
		if n := len(res.Objects) + len(res.CommonPrefixes); n != want || res.IsTruncated {
			b.Fatalf("listed %d entries, want %d", n, want)
		}
	}
}
