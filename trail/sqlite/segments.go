package sqlite

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/gatehouse-iam/gatehouse/trail/internal/trailsql"
)

// The segments are the trail's record: append-only files in a directory
// beside the database (DIR/trail/0000000001.seg, mode 0600, the directory
// 0700), each up to a size (DefaultSegmentSize), numbered from 1. A record
// is its body's length (4 bytes, big-endian), the body's CRC-32C (4 bytes),
// then the body (trail.AppendRecord). An entry's Seq is its record's
// address: the segment's number << segmentShift | the record's offset.
const (
	segmentShift = 40
	offsetMask   = 1<<segmentShift - 1
	frameHeader  = 8
	// DefaultSegmentSize is the size past which a new segment is begun.
	DefaultSegmentSize = 64 << 20
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maxKeptBuffer bounds the buffer a write keeps for the next.
const maxKeptBuffer = 1 << 20

// address is a segment's number and an offset in it, as one int64.
func address(num, off int64) int64 { return num<<segmentShift | off }

// split is the inverse of address.
func split(a int64) (num, off int64) { return a >> segmentShift, a & offsetMask }

// item is an entry written to the segments: its Seq set, and the address
// just after its record.
type item struct {
	e   trail.Entry
	end int64
}

// segments writes and reads the segment files of one directory.
type segments struct {
	dir     string
	maxSize int64

	// wl is the writer's lock (a channel, so that a request waiting for
	// it gives up at its deadline: a write that hangs on the disk holds
	// it). It guards what follows, to rmu.
	wl     chan struct{}
	buf    []byte // the frames of a write, kept for the next
	items  []item // the items of a write, kept for the next
	cur    *os.File
	curNum int64
	size   int64
	synced int64 // the offset of cur known to be on disk

	rmu   sync.Mutex
	files map[int64]*os.File // read handles, opened on first use
}

// lock takes the writer's lock.
func (s *segments) lock() { s.wl <- struct{}{} }

// unlock releases it.
func (s *segments) unlock() { <-s.wl }

// lockCtx takes the writer's lock, waiting no longer than ctx allows, or
// timeout when ctx has no deadline (a timer only when the lock is held).
func (s *segments) lockCtx(ctx context.Context, timeout time.Duration) error {
	select {
	case s.wl <- struct{}{}:
		return nil
	default:
	}
	var expired <-chan time.Time
	if _, ok := ctx.Deadline(); !ok {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	select {
	case s.wl <- struct{}{}:
		return nil
	case <-ctx.Done():
		return trailsql.Done(ctx, backend, "write: waiting for the segment", nil)
	case <-expired:
		return fmt.Errorf("%s: write: waiting for the segment: %w: %w", backend, trail.ErrUnavailable, context.DeadlineExceeded)
	}
}

func segmentPath(dir string, n int64) string {
	return filepath.Join(dir, fmt.Sprintf("%010d.seg", n))
}

// openSegments opens the directory (creating it) and the newest segment
// for writing.
func openSegments(dir string, maxSize int64) (*segments, error) {
	if maxSize <= 0 {
		maxSize = DefaultSegmentSize
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("%s: segments: %w", backend, err)
	}
	s := &segments{dir: dir, maxSize: maxSize, wl: make(chan struct{}, 1), files: map[int64]*os.File{}}
	nums, err := s.list()
	if err != nil {
		return nil, err
	}
	if len(nums) > 0 {
		if err := s.openWriter(nums[len(nums)-1]); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// list returns the numbers of the segment files, ascending.
func (s *segments) list() ([]int64, error) {
	des, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("%s: segments: %w", backend, err)
	}
	var nums []int64
	for _, de := range des {
		name, ok := strings.CutSuffix(de.Name(), ".seg")
		if !ok {
			continue
		}
		if n, err := strconv.ParseInt(name, 10, 64); err == nil && n > 0 {
			nums = append(nums, n)
		}
	}
	slices.Sort(nums)
	return nums, nil
}

func (s *segments) openWriter(n int64) error {
	f, err := os.OpenFile(segmentPath(s.dir, n), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("%s: segment %d: %w", backend, n, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("%s: segment %d: %w", backend, n, err)
	}
	s.cur, s.curNum, s.size, s.synced = f, n, fi.Size(), fi.Size()
	return nil
}

// frame appends e's record to buf.
func frame(buf []byte, e *trail.Entry) ([]byte, error) {
	at := len(buf)
	buf = append(buf, make([]byte, frameHeader)...)
	buf, err := trail.AppendRecord(buf, e)
	if err != nil {
		return buf[:at], err
	}
	body := buf[at+frameHeader:]
	binary.BigEndian.PutUint32(buf[at:], uint32(len(body)))
	binary.BigEndian.PutUint32(buf[at+4:], crc32.Checksum(body, castagnoli))
	return buf, nil
}

// write appends the records of entries and returns them as items (their
// Seq set), synced with sync; for one writer at a time (Open's conversion
// of an earlier trail, tests).
func (s *segments) write(entries []trail.Entry, sync bool) ([]item, error) {
	s.lock()
	defer s.unlock()
	items, err := s.writeLocked(entries, sync)
	return slices.Clone(items), err
}

// writeLocked appends the records of entries to the current segment (and
// the next ones, past their size), sets their Seq and returns them as
// items, in s.items (valid until the lock is released); with sync it
// fsyncs before returning. On failure the current segment is cut back to
// its length before the failed write. The writer's lock is held.
func (s *segments) writeLocked(entries []trail.Entry, sync bool) ([]item, error) {
	clear(s.items) // the previous write's, handed over by now
	items := s.items[:0]
	buf := s.buf[:0]
	defer func() {
		if cap(buf) <= maxKeptBuffer {
			s.buf = buf[:0]
		}
		if cap(items) <= maxKeptItems {
			s.items = items
		} else {
			s.items = nil
		}
	}()
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if err := s.put(buf); err != nil {
			return err
		}
		buf = buf[:0]
		return nil
	}
	for i := range entries {
		if s.cur == nil {
			// The first segment, or the one after a segment left when
			// opening the next failed.
			if err := s.openWriter(s.curNum + 1); err != nil {
				return nil, err
			}
		}
		start := len(buf)
		var err error
		if buf, err = frame(buf, &entries[i]); err != nil {
			return nil, fmt.Errorf("%s: %w", backend, err)
		}
		n := int64(len(buf) - start)
		if s.size+int64(start) > 0 && s.size+int64(start)+n > s.maxSize {
			// Rotate: what precedes this record goes to the current
			// segment, which is then cut to its records, synced and left.
			rec := slices.Clone(buf[start:])
			buf = buf[:start]
			if err := flush(); err != nil {
				return nil, err
			}
			if err := s.leave(); err != nil {
				return nil, err
			}
			if err := s.openWriter(s.curNum + 1); err != nil {
				return nil, err
			}
			buf = append(buf, rec...)
			start = 0
		}
		seq := address(s.curNum, s.size+int64(start))
		entries[i].Seq = seq
		it := item{e: entries[i], end: seq + n}
		it.e.JSON = nil // the indexer does not read it: not held until it runs
		items = append(items, it)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if sync {
		if err := s.cur.Sync(); err != nil {
			return nil, fmt.Errorf("%s: segment %d: %w", backend, s.curNum, err)
		}
		s.synced = s.size
	}
	return items, nil
}

// maxKeptItems bounds the items buffer a write keeps for the next.
const maxKeptItems = 4096

// put writes frames at the end of the current segment, in one pwrite.
func (s *segments) put(frames []byte) error {
	if _, err := s.cur.WriteAt(frames, s.size); err != nil {
		_ = s.cur.Truncate(s.size)
		return fmt.Errorf("%s: segment %d: %w", backend, s.curNum, err)
	}
	s.size += int64(len(frames))
	return nil
}

// leave ends the current segment: synced, and its write handle closed
// (readers open their own; kept, every rotation would hold a descriptor
// for the process's life).
func (s *segments) leave() error {
	if err := s.cur.Sync(); err != nil {
		return fmt.Errorf("%s: segment %d: %w", backend, s.curNum, err)
	}
	_ = s.cur.Close() // synced: nothing left to report
	s.cur = nil
	return nil
}

// syncTo fsyncs the current segment when an address up to end may not be
// on disk (earlier segments were synced when they were left). The fsync
// runs without the writer's lock: the requests' writes go on meanwhile
// (an fsync may take milliseconds; held under the lock, it stalled every
// request for as long, once per index batch).
func (s *segments) syncTo(end int64) error {
	s.lock()
	num, off := split(end)
	if s.cur == nil || num != s.curNum || off <= s.synced {
		s.unlock()
		return nil
	}
	f, size := s.cur, s.size
	s.unlock()
	if err := f.Sync(); err != nil {
		s.lock()
		left := s.cur != f
		s.unlock()
		if left {
			// Rotated meanwhile: leaving the segment synced it, then
			// closed this handle.
			return nil
		}
		return fmt.Errorf("%s: segment %d: %w", backend, num, err)
	}
	s.lock()
	if s.cur == f {
		s.synced = max(s.synced, size)
	}
	s.unlock()
	return nil
}

// current returns the number of the segment being written (0 for none).
func (s *segments) current() int64 {
	s.lock()
	defer s.unlock()
	return s.curNum
}

// errGone is a record whose segment was deleted (by retention).
var errGone = errors.New("segment deleted")

// reader returns a read handle of segment n.
func (s *segments) reader(n int64) (*os.File, error) {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	if f, ok := s.files[n]; ok {
		return f, nil
	}
	f, err := os.Open(segmentPath(s.dir, n))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errGone
	}
	if err != nil {
		return nil, fmt.Errorf("%s: segment %d: %w", backend, n, err)
	}
	s.files[n] = f
	return f, nil
}

// read returns the entry whose record is at seq (its Seq set). A record of
// a deleted segment fails with errGone; a corrupt one with another error.
func (s *segments) read(seq int64) (trail.Entry, error) {
	num, off := split(seq)
	f, err := s.reader(num)
	if err != nil {
		return trail.Entry{}, err
	}
	buf := make([]byte, 4096)
	n, err := f.ReadAt(buf, off)
	if n < frameHeader {
		if err == nil || errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) {
			return trail.Entry{}, errGone
		}
		return trail.Entry{}, fmt.Errorf("%s: reading record %d: %w", backend, seq, err)
	}
	size := int(binary.BigEndian.Uint32(buf))
	if size > trail.MaxRecord {
		return trail.Entry{}, fmt.Errorf("%s: record %d: length %d", backend, seq, size)
	}
	if frameHeader+size > n {
		more := make([]byte, frameHeader+size)
		copy(more, buf[:n])
		if _, err := f.ReadAt(more[n:], off+int64(n)); err != nil {
			if errors.Is(err, os.ErrClosed) {
				return trail.Entry{}, errGone
			}
			return trail.Entry{}, fmt.Errorf("%s: reading record %d: %w", backend, seq, err)
		}
		buf = more
	}
	body := buf[frameHeader : frameHeader+size]
	if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(buf[4:]) {
		return trail.Entry{}, fmt.Errorf("%s: record %d: checksum mismatch", backend, seq)
	}
	e, ok := trail.DecodeRecord(body)
	if !ok {
		return trail.Entry{}, fmt.Errorf("%s: record %d: malformed", backend, seq)
	}
	e.Seq = seq
	return e, nil
}

// eventIDAt returns the EventID of the record at seq, read from the
// record's start without checking the whole record (read does): a lookup
// by id compares it with the ids of a second's records. A record of a
// deleted segment fails with errGone.
func (s *segments) eventIDAt(seq int64, buf []byte) (string, error) {
	num, off := split(seq)
	f, err := s.reader(num)
	if err != nil {
		return "", err
	}
	n, err := f.ReadAt(buf, off)
	if n < frameHeader {
		if err == nil || errors.Is(err, io.EOF) || errors.Is(err, os.ErrClosed) {
			return "", errGone
		}
		return "", fmt.Errorf("%s: reading record %d: %w", backend, seq, err)
	}
	size := int(binary.BigEndian.Uint32(buf))
	body := buf[frameHeader:n]
	if size < len(body) {
		body = body[:size]
	}
	if id, ok := trail.RecordEventID(body); ok {
		return id, nil
	}
	if size <= len(body) {
		return "", fmt.Errorf("%s: record %d: malformed", backend, seq)
	}
	e, err := s.read(seq) // a record whose first fields are longer than buf
	return e.EventID, err
}

// scan returns the whole records of segment n from offset off on, and the
// offset after the last; torn is set when something follows it that is not
// a whole, intact record.
func (s *segments) scan(n, off int64) (items []item, good int64, torn bool, err error) {
	f, err := os.Open(segmentPath(s.dir, n))
	if err != nil {
		return nil, 0, false, fmt.Errorf("%s: segment %d: %w", backend, n, err)
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return nil, 0, false, fmt.Errorf("%s: segment %d: %w", backend, n, err)
	}
	r := bufio.NewReaderSize(f, 1<<20)
	good = off
	var hdr [frameHeader]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return items, good, !errors.Is(err, io.EOF), nil
		}
		size := binary.BigEndian.Uint32(hdr[:])
		if size == 0 || size > trail.MaxRecord {
			return items, good, true, nil
		}
		body := make([]byte, size)
		if _, err := io.ReadFull(r, body); err != nil {
			return items, good, true, nil
		}
		if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(hdr[4:]) {
			return items, good, true, nil
		}
		e, ok := trail.DecodeRecord(body)
		if !ok {
			return items, good, true, nil
		}
		e.Seq = address(n, good)
		good += frameHeader + int64(size)
		items = append(items, item{e: e, end: address(n, good)})
	}
}

// truncate cuts the segment being written to off (a torn tail).
func (s *segments) truncate(n, off int64) error {
	s.lock()
	defer s.unlock()
	if s.cur == nil || n != s.curNum {
		return nil
	}
	if err := s.cur.Truncate(off); err != nil {
		return fmt.Errorf("%s: segment %d: %w", backend, n, err)
	}
	s.size, s.synced = off, min(s.synced, off)
	return nil
}

// remove deletes segment n's file, closing its read handle.
func (s *segments) remove(n int64) error {
	s.rmu.Lock()
	if f, ok := s.files[n]; ok {
		f.Close()
		delete(s.files, n)
	}
	s.rmu.Unlock()
	if err := os.Remove(segmentPath(s.dir, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: segment %d: %w", backend, n, err)
	}
	return nil
}

// close closes every file.
func (s *segments) close() error {
	s.rmu.Lock()
	for n, f := range s.files {
		f.Close()
		delete(s.files, n)
	}
	s.rmu.Unlock()
	s.lock()
	defer s.unlock()
	if s.cur != nil {
		err := s.cur.Close()
		s.cur = nil
		return err
	}
	return nil
}
