package disk

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func (b *Backend) blobPath(id string) string {
	return filepath.Join(b.dir, "data", id[:2], id)
}

// writeBlob streams r into a new blob and returns it with the MD5 of its
// bytes. The body goes to a temp file, is fsynced and renamed into data/;
// on any error (r's, the context's, the disk's) the temp file is removed.
func (b *Backend) writeBlob(ctx context.Context, r io.Reader) (blob, []byte, error) {
	f, err := os.CreateTemp(b.tmpDir(), "w-")
	if err != nil {
		return blob{}, nil, fmt.Errorf("disk: create temp file: %w", err)
	}
	tmp := f.Name()
	fail := func(err error) (blob, []byte, error) {
		f.Close()
		os.Remove(tmp)
		return blob{}, nil, err
	}
	h := md5.New()
	n, err := b.copyChunks(ctx, io.MultiWriter(f, h), r)
	if err != nil {
		return fail(err)
	}
	if !b.noSync {
		if err := f.Sync(); err != nil {
			return fail(fmt.Errorf("disk: sync %s: %w", tmp, err))
		}
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return blob{}, nil, fmt.Errorf("disk: close %s: %w", tmp, err)
	}
	id, err := b.newID(16)
	if err != nil {
		os.Remove(tmp)
		return blob{}, nil, err
	}
	dst := b.blobPath(id)
	err = os.Rename(tmp, dst)
	if errors.Is(err, os.ErrNotExist) { // data/ab/ removed by hand: make it again
		if err = os.MkdirAll(filepath.Dir(dst), 0o700); err == nil {
			err = os.Rename(tmp, dst)
		}
	}
	if err != nil {
		os.Remove(tmp)
		return blob{}, nil, fmt.Errorf("disk: move blob into place: %w", err)
	}
	if !b.noSync {
		if err := syncDir(filepath.Dir(dst)); err != nil {
			os.Remove(dst)
			return blob{}, nil, err
		}
	}
	return blob{ID: id, Size: n}, h.Sum(nil), nil
}

// copyChunks copies r to w a buffer at a time, checking ctx between chunks.
// A read error is wrapped as the body's, a write error as the disk's.
func (b *Backend) copyChunks(ctx context.Context, w io.Writer, r io.Reader) (int64, error) {
	bp := b.bufs.Get().(*[]byte)
	defer b.bufs.Put(bp)
	buf := *bp
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, fmt.Errorf("disk: write aborted: %w", err)
		}
		m, rerr := r.Read(buf)
		if m > 0 {
			if _, err := w.Write(buf[:m]); err != nil {
				return n, fmt.Errorf("disk: write blob: %w", err)
			}
			n += int64(m)
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, fmt.Errorf("disk: read body: %w", rerr)
		}
	}
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("disk: sync directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("disk: sync directory %s: %w", dir, err)
	}
	return nil
}

// pin marks blobs as in use by a reader; it must be called under pinMu.
func (b *Backend) pinLocked(blobs []blob) {
	for _, bl := range blobs {
		b.pins[bl.ID]++
	}
}

// unpin releases a reader's blobs, removing those deleted meanwhile.
func (b *Backend) unpin(blobs []blob) {
	var gone []string
	b.pinMu.Lock()
	for _, bl := range blobs {
		b.pins[bl.ID]--
		if b.pins[bl.ID] > 0 {
			continue
		}
		delete(b.pins, bl.ID)
		if b.doomed[bl.ID] {
			delete(b.doomed, bl.ID)
			gone = append(gone, bl.ID)
		}
	}
	b.pinMu.Unlock()
	for _, id := range gone {
		b.removeFile(id)
	}
}

// removeBlobs removes blobs the index no longer names (call it after the
// commit); a pinned blob goes when its last reader closes. The files are
// removed outside pinMu: no reader can pin a blob the index no longer
// names, so once it is found unpinned it stays so.
func (b *Backend) removeBlobs(blobs []blob) {
	if len(blobs) == 0 {
		return
	}
	gone := make([]string, 0, len(blobs))
	b.pinMu.Lock()
	for _, bl := range blobs {
		if b.pins[bl.ID] > 0 {
			b.doomed[bl.ID] = true
			continue
		}
		gone = append(gone, bl.ID)
	}
	b.pinMu.Unlock()
	for _, id := range gone {
		b.removeFile(id)
	}
}

func (b *Backend) removeFile(id string) {
	if err := os.Remove(b.blobPath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		// An orphan blob is harmless: it only takes space.
		b.log.Warn("objectstore: could not remove blob", "blob", id, "err", err)
	}
}

// reader reads a range of an object across its blobs, opening each when the
// read reaches it; it holds the blobs pinned until Close.
type reader struct {
	ctx    context.Context
	b      *Backend
	blobs  []blob
	off    int64 // offset in the object of the next byte
	end    int64 // offset in the object after the last byte
	cur    *os.File
	sec    *io.SectionReader
	secEnd int64 // offset in the object where sec ends
	closed bool
}

func (r *reader) Read(p []byte) (int, error) {
	if r.closed {
		return 0, os.ErrClosed
	}
	if r.off >= r.end {
		return 0, io.EOF
	}
	if err := r.ctx.Err(); err != nil {
		return 0, fmt.Errorf("disk: read aborted: %w", err)
	}
	if r.sec == nil || r.off >= r.secEnd {
		if err := r.openAt(r.off); err != nil {
			return 0, err
		}
	}
	if max := r.end - r.off; int64(len(p)) > max {
		p = p[:max]
	}
	n, err := r.sec.Read(p)
	r.off += int64(n)
	if err == io.EOF {
		err = nil
		if n == 0 {
			return 0, fmt.Errorf("disk: blob shorter than indexed: %w", io.ErrUnexpectedEOF)
		}
	}
	return n, err
}

// openAt opens the blob holding object offset off, positioned there.
func (r *reader) openAt(off int64) error {
	if r.cur != nil {
		r.cur.Close()
		r.cur, r.sec = nil, nil
	}
	var start int64
	for _, bl := range r.blobs {
		if off < start+bl.Size {
			f, err := os.Open(r.b.blobPath(bl.ID))
			if err != nil {
				return fmt.Errorf("disk: open blob: %w", err)
			}
			end := min(start+bl.Size, r.end)
			r.cur = f
			r.sec = io.NewSectionReader(f, off-start, end-off)
			r.secEnd = end
			return nil
		}
		start += bl.Size
	}
	return fmt.Errorf("disk: offset %d past the object's blobs: %w", off, io.ErrUnexpectedEOF)
}

func (r *reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.cur != nil {
		r.cur.Close()
	}
	r.b.unpin(r.blobs)
	return nil
}
