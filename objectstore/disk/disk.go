package disk

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// Options configure a Backend; the zero value is usable.
type Options struct {
	// Now is the clock (time.Now when nil); LastModified is its value to
	// the second.
	Now func() time.Time
	// Logger receives warnings about files that could not be removed
	// (slog.Default when nil).
	Logger *slog.Logger
	// Rand is the source of version, upload and blob ids (crypto/rand when
	// nil).
	Rand io.Reader
	// LockTimeout bounds the wait for the index file's lock, held by another
	// process (1 s when zero).
	LockTimeout time.Duration
	// NoSync skips fsync of blobs, directories and the index: for tests and
	// benchmarks only, as a power loss may then lose acknowledged writes.
	NoSync bool
}

// Backend is the embedded objectstore.Backend. Make one with Open.
type Backend struct {
	dir    string
	db     *bolt.DB
	now    func() time.Time
	log    *slog.Logger
	rand   io.Reader
	noSync bool
	bufs   sync.Pool

	// pinMu orders readers taking blobs against removals: a reader pins
	// the blobs of the version it found under it, a removal removes only
	// unpinned blobs under it and dooms the others.
	pinMu  sync.Mutex
	pins   map[string]int
	doomed map[string]bool
}

var _ objectstore.Backend = (*Backend)(nil)

// bufSize is the chunk of streamed I/O: the context is checked between
// chunks, and a write holds one such buffer.
const bufSize = 256 << 10

var (
	rootBucket = []byte("buckets")
	curBucket  = []byte("cur")
	verBucket  = []byte("ver")
	upBucket   = []byte("up")
	versioning = []byte("versioning")
)

// Open opens (creating it if needed) the backend kept in dir. It sweeps the
// temp files a crash left behind.
func Open(dir string, opts Options) (*Backend, error) {
	b := &Backend{
		dir:    dir,
		now:    opts.Now,
		log:    opts.Logger,
		rand:   opts.Rand,
		noSync: opts.NoSync,
		pins:   map[string]int{},
		doomed: map[string]bool{},
	}
	b.bufs.New = func() any { buf := make([]byte, bufSize); return &buf }
	if b.now == nil {
		b.now = time.Now
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.rand == nil {
		b.rand = rand.Reader
	}
	timeout := opts.LockTimeout
	if timeout <= 0 {
		timeout = time.Second
	}
	for _, d := range []string{dir, b.tmpDir(), filepath.Join(dir, "data")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("disk: create %s: %w", d, err)
		}
	}
	for i := range 256 {
		if err := os.MkdirAll(filepath.Join(dir, "data", fmt.Sprintf("%02x", i)), 0o700); err != nil {
			return nil, fmt.Errorf("disk: create blob directories: %w", err)
		}
	}
	if err := b.sweepTemp(); err != nil {
		return nil, err
	}
	db, err := bolt.Open(filepath.Join(dir, "index.db"), 0o600, &bolt.Options{Timeout: timeout, NoSync: opts.NoSync})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("disk: open index in %s: locked by another process: %w", dir, err)
		}
		return nil, fmt.Errorf("disk: open index in %s: %w", dir, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(rootBucket)
		return err
	}); err != nil {
		return nil, errors.Join(fmt.Errorf("disk: init index: %w", err), db.Close())
	}
	b.db = db
	return b, nil
}

// Close closes the index; readers already returned stay usable. Calling it
// again is harmless.
func (b *Backend) Close() error {
	if err := b.db.Close(); err != nil {
		return fmt.Errorf("disk: close index: %w", err)
	}
	return nil
}

func (b *Backend) tmpDir() string { return filepath.Join(b.dir, "tmp") }

func (b *Backend) sweepTemp() error {
	ents, err := os.ReadDir(b.tmpDir())
	if err != nil {
		return fmt.Errorf("disk: sweep temp files: %w", err)
	}
	for _, e := range ents {
		if err := os.RemoveAll(filepath.Join(b.tmpDir(), e.Name())); err != nil {
			return fmt.Errorf("disk: sweep temp files: %w", err)
		}
	}
	return nil
}

func (b *Backend) stamp() time.Time { return b.now().UTC().Truncate(time.Second) }

// newID returns n random bytes in hex.
func (b *Backend) newID(n int) (string, error) {
	buf := make([]byte, n)
	if _, err := io.ReadFull(b.rand, buf); err != nil {
		return "", fmt.Errorf("disk: random id: %w", err)
	}
	return hex.EncodeToString(buf), nil
}

// CreateBucket implements objectstore.Backend.
func (b *Backend) CreateBucket(ctx context.Context, bucket string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := b.db.Update(func(tx *bolt.Tx) error {
		root := tx.Bucket(rootBucket)
		if root.Bucket([]byte(bucket)) != nil {
			return objectstore.ErrBucketExists
		}
		bk, err := root.CreateBucket([]byte(bucket))
		if err != nil {
			return err
		}
		for _, name := range [][]byte{curBucket, verBucket, upBucket} {
			if _, err := bk.CreateBucket(name); err != nil {
				return err
			}
		}
		return bk.Put(versioning, nil)
	})
	if err != nil {
		return fmt.Errorf("disk: create bucket %q: %w", bucket, err)
	}
	return nil
}

// DeleteBucket implements objectstore.Backend.
func (b *Backend) DeleteBucket(ctx context.Context, bucket string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	err := b.db.Update(func(tx *bolt.Tx) error {
		bk, err := bucketOf(tx, bucket)
		if err != nil {
			return err
		}
		for _, name := range [][]byte{verBucket, upBucket} {
			if k, _ := bk.Bucket(name).Cursor().First(); k != nil {
				return objectstore.ErrBucketNotEmpty
			}
		}
		return tx.Bucket(rootBucket).DeleteBucket([]byte(bucket))
	})
	if err != nil {
		return fmt.Errorf("disk: delete bucket %q: %w", bucket, err)
	}
	return nil
}

// SetVersioning implements objectstore.Backend.
func (b *Backend) SetVersioning(ctx context.Context, bucket string, status objectstore.Versioning) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if status != objectstore.Enabled && status != objectstore.Suspended {
		return fmt.Errorf("disk: set versioning of %q to %q: %w", bucket, status, objectstore.ErrIllegalVersioning)
	}
	err := b.db.Update(func(tx *bolt.Tx) error {
		bk, err := bucketOf(tx, bucket)
		if err != nil {
			return err
		}
		return bk.Put(versioning, []byte(status))
	})
	if err != nil {
		return fmt.Errorf("disk: set versioning of %q: %w", bucket, err)
	}
	return nil
}

// Versioning implements objectstore.Backend.
func (b *Backend) Versioning(ctx context.Context, bucket string) (objectstore.Versioning, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var status objectstore.Versioning
	err := b.db.View(func(tx *bolt.Tx) error {
		bk, err := bucketOf(tx, bucket)
		if err != nil {
			return err
		}
		status = versioningOf(bk)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("disk: versioning of %q: %w", bucket, err)
	}
	return status, nil
}

func bucketOf(tx *bolt.Tx, bucket string) (*bolt.Bucket, error) {
	bk := tx.Bucket(rootBucket).Bucket([]byte(bucket))
	if bk == nil {
		return nil, objectstore.ErrNoSuchBucket
	}
	return bk, nil
}

func versioningOf(bk *bolt.Bucket) objectstore.Versioning {
	return objectstore.Versioning(bk.Get(versioning))
}

// seqKey is the ver/<key>/ key of sequence number seq: inverted, so the
// newest version sorts first.
func seqKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(nil, ^seq)
}

// record is one version as the index stores it.
type record struct {
	VersionID    string           `json:"v"`
	Size         int64            `json:"s,omitempty"`
	ETag         string           `json:"e,omitempty"`
	LastModified time.Time        `json:"t"`
	Meta         objectstore.Meta `json:"m,omitzero"`
	DeleteMarker bool             `json:"d,omitempty"`
	PartsCount   int              `json:"p,omitempty"`
	Blobs        []blob           `json:"b,omitempty"`
}

// blob is one data file of an object: a whole body, or one part of a
// multipart object.
type blob struct {
	ID   string `json:"i"`
	Size int64  `json:"s"`
	// Part is the number the part was uploaded under (0 for a PUT's body).
	Part int `json:"n,omitempty"`
	// Checksum is the part's additional checksum.
	Checksum objectstore.Checksum `json:"c,omitzero"`
}

func decode(data []byte, v any) error {
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("disk: corrupt index entry: %w", err)
	}
	return nil
}

func (r *record) info(bucket, key string, status objectstore.Versioning) objectstore.Info {
	id := r.VersionID
	if status == objectstore.Unversioned {
		id = ""
	}
	return objectstore.Info{
		Bucket:         bucket,
		Key:            key,
		VersionID:      id,
		Size:           r.Size,
		ETag:           r.ETag,
		LastModified:   r.LastModified,
		Meta:           r.Meta.Clone(),
		IsDeleteMarker: r.DeleteMarker,
		PartsCount:     r.PartsCount,
	}
}
