package disk

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/objectstore/backendtest"
)

func open(t testing.TB, dir string) *Backend {
	t.Helper()
	b, err := Open(dir, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) objectstore.Backend {
		return open(t, t.TempDir())
	})
}

// TestConformanceSynced runs the suite once with fsync on, as production
// runs.
func TestConformanceSynced(t *testing.T) {
	if testing.Short() {
		t.Skip("fsync is slow")
	}
	backendtest.Run(t, func(t *testing.T) objectstore.Backend {
		b, err := Open(t.TempDir(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		return b
	})
}

// files counts the regular files under dir/sub.
func files(t *testing.T, dir, sub string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(dir, sub), func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func setup(t *testing.T) (string, *Backend, context.Context) {
	dir := t.TempDir()
	b := open(t, dir)
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "bk"); err != nil {
		t.Fatal(err)
	}
	return dir, b, ctx
}

type failAfter struct {
	n   int
	err error
}

func (r *failAfter) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, r.err
	}
	m := min(len(p), r.n)
	r.n -= m
	return m, nil
}

// TestBlobLifecycle: every blob the index stops naming is removed, and a
// failed write leaves neither a blob nor a temp file.
func TestBlobLifecycle(t *testing.T) {
	dir, b, ctx := setup(t)
	want := func(data int) {
		t.Helper()
		if got := files(t, dir, "data"); got != data {
			t.Fatalf("%d blobs, want %d", got, data)
		}
		if got := files(t, dir, "tmp"); got != 0 {
			t.Fatalf("%d temp files left", got)
		}
	}
	put := func(key, body string) {
		t.Helper()
		if _, err := b.PutObject(ctx, "bk", key, strings.NewReader(body), objectstore.Meta{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	boom := errors.New("boom")
	if _, err := b.PutObject(ctx, "bk", "k", &failAfter{n: 1 << 20, err: boom}, objectstore.Meta{}, nil); !errors.Is(err, boom) {
		t.Fatalf("failed put: %v", err)
	}
	want(0)
	put("k", "one")
	put("k", "two")
	want(1)
	refused := errors.New("refused")
	if _, err := b.PutObject(ctx, "bk", "k", strings.NewReader("three"), objectstore.Meta{}, func(*objectstore.Info) error { return refused }); err != refused {
		t.Fatalf("refused put: %v", err)
	}
	want(1)
	if _, err := b.CopyObject(ctx, objectstore.ObjectRef{Bucket: "bk", Key: "k"}, "bk", "k", nil); err != nil {
		t.Fatal(err)
	}
	want(1)
	if _, err := b.DeleteObject(ctx, "bk", "k", ""); err != nil {
		t.Fatal(err)
	}
	want(0)

	id, err := b.CreateMultipartUpload(ctx, "bk", "mp", objectstore.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	part := func(n int, body string) objectstore.PartInfo {
		t.Helper()
		p, err := b.UploadPart(ctx, "bk", "mp", id, n, strings.NewReader(body), objectstore.Checksum{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	part(1, "a")
	p1 := part(1, "b") // replaces
	part(2, "c")
	if _, err := b.UploadPart(ctx, "bk", "mp", id, 3, &failAfter{n: 10, err: boom}, objectstore.Checksum{}); !errors.Is(err, boom) {
		t.Fatalf("failed part: %v", err)
	}
	want(2)
	if _, err := b.CompleteMultipartUpload(ctx, "bk", "mp", id, []objectstore.CompletedPart{{PartNumber: 1, ETag: p1.ETag}}, objectstore.CompleteOptions{}); err != nil {
		t.Fatal(err)
	}
	want(1) // part 2 was left out
	id2, _ := b.CreateMultipartUpload(ctx, "bk", "mp2", objectstore.Meta{})
	if _, err := b.UploadPart(ctx, "bk", "mp2", id2, 1, strings.NewReader("x"), objectstore.Checksum{}); err != nil {
		t.Fatal(err)
	}
	want(2)
	if err := b.AbortMultipartUpload(ctx, "bk", "mp2", id2); err != nil {
		t.Fatal(err)
	}
	want(1)

	// Versions keep their blobs until removed by id.
	if err := b.SetVersioning(ctx, "bk", objectstore.Enabled); err != nil {
		t.Fatal(err)
	}
	put("v", "1")
	put("v", "2")
	if _, err := b.DeleteObject(ctx, "bk", "v", ""); err != nil {
		t.Fatal(err)
	}
	want(3)
	vs, _ := b.ListVersions(ctx, "bk", objectstore.VersionListOptions{Prefix: "v"})
	for _, v := range vs.Versions {
		if _, err := b.DeleteObject(ctx, "bk", "v", v.VersionID); err != nil {
			t.Fatal(err)
		}
	}
	want(1)
}

// TestPinnedBlob: a blob deleted while a reader holds it goes when the
// reader closes.
func TestPinnedBlob(t *testing.T) {
	dir, b, ctx := setup(t)
	if _, err := b.PutObject(ctx, "bk", "k", strings.NewReader("data"), objectstore.Meta{}, nil); err != nil {
		t.Fatal(err)
	}
	_, rc, err := b.GetObject(ctx, "bk", "k", objectstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.DeleteObject(ctx, "bk", "k", ""); err != nil {
		t.Fatal(err)
	}
	if n := files(t, dir, "data"); n != 1 {
		t.Fatalf("blob removed under a reader: %d blobs", n)
	}
	if data, err := io.ReadAll(rc); err != nil || string(data) != "data" {
		t.Fatalf("read = %q, %v", data, err)
	}
	rc.Close()
	rc.Close()
	if n := files(t, dir, "data"); n != 0 {
		t.Fatalf("%d blobs after the reader closed", n)
	}
}

func TestReopenAndSweep(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "bk"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObject(ctx, "bk", "k", strings.NewReader("kept"), objectstore.Meta{ContentType: "a/b"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// A crash mid-write leaves a temp file; Open sweeps it.
	if err := os.WriteFile(filepath.Join(dir, "tmp", "w-123"), []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	b = open(t, dir)
	if n := files(t, dir, "tmp"); n != 0 {
		t.Fatalf("%d temp files after Open", n)
	}
	info, rc, err := b.GetObject(ctx, "bk", "k", objectstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if data, _ := io.ReadAll(rc); string(data) != "kept" || info.Meta.ContentType != "a/b" {
		t.Fatalf("after reopen: %+v %q", info, data)
	}
}

// TestLockTimeout: a second Open of the same directory (another process,
// or this one) fails after the timeout instead of hanging.
func TestLockTimeout(t *testing.T) {
	dir := t.TempDir()
	open(t, dir)
	start := time.Now()
	b, err := Open(dir, Options{LockTimeout: 100 * time.Millisecond})
	if err == nil {
		b.Close()
		t.Fatal("second Open succeeded")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("second Open took %v", d)
	}
	if !strings.Contains(err.Error(), "locked") {
		t.Errorf("error %q does not say the index is locked", err)
	}
}

func TestClock(t *testing.T) {
	now := time.Date(2026, 12, 6, 8, 30, 15, 999_000_000, time.FixedZone("x", 3600))
	b, err := Open(t.TempDir(), Options{Now: func() time.Time { return now }, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "bk"); err != nil {
		t.Fatal(err)
	}
	info, err := b.PutObject(ctx, "bk", "k", strings.NewReader("x"), objectstore.Meta{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 12, 6, 7, 30, 15, 0, time.UTC)
	if !info.LastModified.Equal(want) || info.LastModified.Location() != time.UTC {
		t.Fatalf("LastModified = %v, want %v", info.LastModified, want)
	}
	id, _ := b.CreateMultipartUpload(ctx, "bk", "m", objectstore.Meta{})
	ups, _ := b.ListUploads(ctx, "bk", objectstore.UploadListOptions{})
	if len(ups.Uploads) != 1 || ups.Uploads[0].UploadID != id || !ups.Uploads[0].Initiated.Equal(want) {
		t.Fatalf("uploads = %+v", ups.Uploads)
	}
}

// pattern is an endless reader of a repeating pattern, so a large body is
// streamed without being held in memory.
type pattern struct{ n, off int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.n {
		return 0, io.EOF
	}
	m := int(min(int64(len(b)), p.n-p.off))
	for i := range b[:m] {
		b[i] = byte((p.off + int64(i)) % 251)
	}
	p.off += int64(m)
	return m, nil
}

// TestBoundedMemory streams a 64 MiB object in and out and checks the bytes
// allocated stay far below its size: nothing is buffered whole.
func TestBoundedMemory(t *testing.T) {
	const size = 64 << 20
	b, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "bk"); err != nil {
		t.Fatal(err)
	}
	var before, mid, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	info, err := b.PutObject(ctx, "bk", "big", &pattern{n: size}, objectstore.Meta{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&mid)
	_, rc, err := b.GetObject(ctx, "bk", "big", objectstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.CopyBuffer(io.Discard, rc, make([]byte, 64<<10))
	rc.Close()
	if err != nil || n != size || info.Size != size {
		t.Fatalf("read %d bytes, %v", n, err)
	}
	runtime.ReadMemStats(&after)
	put, get := mid.TotalAlloc-before.TotalAlloc, after.TotalAlloc-mid.TotalAlloc
	t.Logf("64 MiB object: put allocated %d KiB, get %d KiB (peak heap in use %d KiB)", put>>10, get>>10, max(mid.HeapInuse, after.HeapInuse)>>10)
	if put > 4<<20 || get > 4<<20 {
		t.Fatalf("a 64 MiB object allocated %d bytes to put and %d to get: buffered, not streamed", put, get)
	}
}

// slowBody yields a chunk per tick, for ever.
type slowBody struct{ tick time.Duration }

func (s slowBody) Read(p []byte) (int, error) {
	time.Sleep(s.tick)
	return copy(p, bytes.Repeat([]byte("x"), 1024)), nil
}

// TestDeadline: a deadline ends a write between chunks, leaving nothing,
// and ends a read.
func TestDeadline(t *testing.T) {
	dir, b, ctx := setup(t)
	dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := b.PutObject(dctx, "bk", "k", slowBody{tick: 5 * time.Millisecond}, objectstore.Meta{}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("PutObject past its deadline: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("PutObject ran %v past a 100 ms deadline", d)
	}
	if files(t, dir, "tmp")+files(t, dir, "data") != 0 {
		t.Fatal("a write cut by its deadline left files")
	}
	if _, err := b.PutObject(ctx, "bk", "k", &pattern{n: 1 << 20}, objectstore.Meta{}, nil); err != nil {
		t.Fatal(err)
	}
	rctx, rcancel := context.WithCancel(ctx)
	_, rc, err := b.GetObject(rctx, "bk", "k", objectstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	buf := make([]byte, 1000)
	if _, err := rc.Read(buf); err != nil {
		t.Fatal(err)
	}
	rcancel()
	if _, err := rc.Read(buf); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read after cancel: %v", err)
	}
}

// BenchmarkBackend runs the shared benchmarks without fsync: the backend's
// own cost.
func BenchmarkBackend(b *testing.B) {
	backendtest.Bench(b, func(b *testing.B) objectstore.Backend {
		be, err := Open(b.TempDir(), Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		return be
	})
}

// BenchmarkBackendSynced runs them as production does, with fsync: writes
// then cost what the disk takes to sync.
func BenchmarkBackendSynced(b *testing.B) {
	backendtest.Bench(b, func(b *testing.B) objectstore.Backend {
		be, err := Open(b.TempDir(), Options{})
		if err != nil {
			b.Fatal(err)
		}
		return be
	})
}

func TestSweepOrphans(t *testing.T) {
	dir, b, ctx := setup(t)
	if _, err := b.PutObject(ctx, "bk", "k", strings.NewReader("kept"), objectstore.Meta{}, nil); err != nil {
		t.Fatal(err)
	}
	id, err := b.CreateMultipartUpload(ctx, "bk", "mp", objectstore.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.UploadPart(ctx, "bk", "mp", id, 1, strings.NewReader("part"), objectstore.Checksum{}); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * time.Hour)
	// Every blob so far is referenced: age them all.
	filepath.WalkDir(filepath.Join(dir, "data"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			os.Chtimes(p, old, old)
		}
		return nil
	})
	orphan := func(name string, mtime time.Time) {
		p := filepath.Join(dir, "data", name[:2], name)
		if err := os.WriteFile(p, []byte("orphan"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	orphan("ab00000000000000000000000000000a", old)
	orphan("cd00000000000000000000000000000b", time.Now())
	n, err := b.SweepOrphans(ctx, time.Hour)
	if err != nil || n != 1 {
		t.Fatalf("SweepOrphans = %d, %v; want 1", n, err)
	}
	if got := files(t, dir, "data"); got != 3 {
		t.Fatalf("%d blobs after the sweep, want 3 (object, part, young orphan)", got)
	}
	_, rc, err := b.GetObject(ctx, "bk", "k", objectstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if data, _ := io.ReadAll(rc); string(data) != "kept" {
		t.Fatalf("object after the sweep: %q", data)
	}
}
