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
	"log/slog"
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

// item is an entry written to the segments as the indexer reads it: its
// address (seq), the address just after its record, and what its
// postings are made of. Not the whole trail.Entry: every event's item is
// copied into the indexer's queue and read back, and the entry's time,
// record and id were a third of its bytes (#14).
type item struct {
	seq, end, sec                                                     int64
	account, eventName, eventSource, username, accessKeyID, principal string
	resources                                                         []trail.Resource
	// eventID is the entry's id when it is not locatable (it needs a
	// row in event_ids), "" when it is.
	eventID              string
	readOnly, management bool
	// located is locatable(e): decided when the item is made, where
	// the entry's id was just written (the indexer reading it later took
	// a cache miss per event for it).
	located bool
}

// itemOf is the item of e, written at e.Seq, its record ending at end.
func itemOf(e *trail.Entry, end int64) item {
	it := item{seq: e.Seq, end: end, sec: trailsql.Seconds(e.Time), account: e.Account, eventName: e.EventName,
		eventSource: e.EventSource, username: e.Username, accessKeyID: e.AccessKeyID, principal: e.Principal,
		resources: e.Resources, readOnly: e.ReadOnly, management: e.Management}
	sec, ok := trail.EventIDSecond(e.EventID)
	it.located = ok && sec == it.sec // locatable(e), the second reckoned once
	if !it.located {
		it.eventID = e.EventID
	}
	return it
}

// run is whole frames to put at an address of the segments.
type run struct {
	addr int64
	b    []byte
}

// segments writes and reads the segment files of one directory.
//
// A write is given its records' addresses by the writer (wl) and is then
// in the ring (ring.go), a file mapped in memory: once copied there it
// survives the process, and the request is answered. The flusher (fl)
// moves the ring's records into the segment files in large writes, in the
// background (past flushAt bytes) and whenever the indexer is about to
// index them. Without a ring (a platform or file system that cannot map
// it, or a write to be synced) a write goes to the segment file itself
// with the flusher's lock held. Lock order: wl, then fl, then the ring's.
type segments struct {
	dir     string
	maxSize int64

	// wl is the writer's lock (a channel, so that a request waiting for
	// it gives up at its deadline: a write that hangs on the disk holds
	// it). It guards what follows, to fl.
	wl     chan struct{}
	items  []item // the items of a write, kept for the next
	runs   []run  // the runs of a write, kept for the next
	curNum int64  // the segment the next record goes to
	size   int64  // its offset there
	closed bool   // close has run: writes fail

	// ring holds the records written and not yet flushed; nil when the
	// segments are written directly.
	ring *ring

	// fl is the flusher's lock (a channel, as wl). It guards what
	// follows, to rmu: the segment being written and how far.
	fl     chan struct{}
	fcur   *os.File // fNum's write handle, opened on first use
	fNum   int64    // the segment written (or next written)
	fSize  int64    // the end of its records
	synced int64    // the offset of fNum known to be on disk
	fruns  []run    // the flusher's runs, kept for the next
	iovs   [][]byte // the flusher's vector, kept for the next
	kick   chan struct{}
	stop   chan struct{} // closed by close: the flusher returns
	done   chan struct{} // closed when the flusher has returned

	// frames keeps the *framed that writes frame their records in
	// before they take the writer's lock.
	frames sync.Pool

	rmu   sync.Mutex
	files map[int64]*os.File // read handles, opened on first use
}

// framed is the records of a write, framed (one after the other in buf;
// ends[i] is where entry i's ends) before the writer's lock is taken.
type framed struct {
	buf  []byte
	ends []int
}

// frameAll frames the records of entries, in a *framed to give back with
// putFramed once written.
func (s *segments) frameAll(entries []trail.Entry) (*framed, error) {
	f, _ := s.frames.Get().(*framed)
	if f == nil {
		f = &framed{}
	}
	f.buf, f.ends = f.buf[:0], f.ends[:0]
	for i := range entries {
		var err error
		if f.buf, err = frame(f.buf, &entries[i]); err != nil {
			s.putFramed(f)
			return nil, fmt.Errorf("%s: %w", backend, err)
		}
		f.ends = append(f.ends, len(f.buf))
	}
	return f, nil
}

// putFramed keeps f for another write (not a large one's buffer).
func (s *segments) putFramed(f *framed) {
	if cap(f.buf) <= maxKeptBuffer && cap(f.ends) <= maxKeptItems {
		s.frames.Put(f)
	}
}

// lock takes the writer's lock.
func (s *segments) lock() { s.wl <- struct{}{} }

// unlock releases it.
func (s *segments) unlock() { <-s.wl }

// lockCtx takes the writer's lock, waiting no longer than ctx allows, or
// timeout when ctx has no deadline (a timer only when the lock is held).
func (s *segments) lockCtx(ctx context.Context, timeout time.Duration) error {
	return take(ctx, s.wl, timeout, "write: waiting for the segment")
}

// take takes a channel lock, waiting no longer than ctx allows, or
// timeout when ctx has no deadline (a timer only when the lock is held).
func take(ctx context.Context, l chan struct{}, timeout time.Duration, what string) error {
	select {
	case l <- struct{}{}:
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
	case l <- struct{}{}:
		return nil
	case <-ctx.Done():
		return trailsql.Done(ctx, backend, what, nil)
	case <-expired:
		return fmt.Errorf("%s: %s: %w: %w", backend, what, trail.ErrUnavailable, context.DeadlineExceeded)
	}
}

func segmentPath(dir string, n int64) string {
	return filepath.Join(dir, fmt.Sprintf("%010d.seg", n))
}

// openSegments opens the directory (creating it) and finds the end of
// the newest segment, where writing goes on; the ring is opened later
// (openRing), once the segments are recovered.
func openSegments(dir string, maxSize int64) (*segments, error) {
	if maxSize <= 0 {
		maxSize = DefaultSegmentSize
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("%s: segments: %w", backend, err)
	}
	s := &segments{dir: dir, maxSize: maxSize, wl: make(chan struct{}, 1), fl: make(chan struct{}, 1),
		files: map[int64]*os.File{}, curNum: 1, fNum: 1}
	nums, err := s.list()
	if err != nil {
		return nil, err
	}
	if len(nums) > 0 {
		n := nums[len(nums)-1]
		fi, err := os.Stat(segmentPath(dir, n))
		if err != nil {
			return nil, fmt.Errorf("%s: segment %d: %w", backend, n, err)
		}
		s.curNum, s.size = n, fi.Size()
		s.fNum, s.fSize, s.synced = n, fi.Size(), fi.Size()
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
	f, err := s.frameAll(entries)
	if err != nil {
		return nil, err
	}
	defer s.putFramed(f)
	s.lock()
	defer s.unlock()
	items, err := s.writeLocked(context.Background(), entries, f, sync, trailsql.DefaultTimeout)
	return slices.Clone(items), err
}

// writeLocked appends the records of entries (f, as frameAll framed
// them) to the current segment (and
// the next ones, past their size), sets their Seq and returns them as
// items, in s.items (valid until the lock is released): in the ring, or,
// without one or with sync, in the segment files, fsynced before it
// returns. Waits (for the flusher, when the ring is full) end with ctx, or
// after timeout when ctx has no deadline. On failure nothing was written
// but what a ring holds already (a write that spans segments may have put
// its first part there). The writer's lock is held.
func (s *segments) writeLocked(ctx context.Context, entries []trail.Entry, f *framed, sync bool, timeout time.Duration) ([]item, error) {
	if s.closed {
		// A write that waited for the lock while the store closed.
		return nil, fmt.Errorf("%s: write: the store is closed: %w", backend, trail.ErrUnavailable)
	}
	clear(s.items) // the previous write's, handed over by now
	items := s.items[:0]
	buf := f.buf
	runs := s.runs[:0]
	defer func() {
		if cap(items) <= maxKeptItems {
			s.items = items
		} else {
			s.items = nil
		}
		clear(runs)
		s.runs = runs[:0]
	}()
	num, size := s.curNum, s.size
	from := 0
	for i := range entries {
		at := 0
		if i > 0 {
			at = f.ends[i-1]
		}
		n := int64(f.ends[i] - at)
		if size > 0 && size+n > s.maxSize {
			// Rotate: this record begins the next segment (a record
			// alone in a segment may exceed its size).
			if at > from {
				runs = append(runs, run{addr: address(num, size-int64(at-from)), b: buf[from:at]})
			}
			num, size, from = num+1, 0, at
		}
		seq := address(num, size)
		entries[i].Seq = seq
		items = append(items, itemOf(&entries[i], seq+n))
		size += n
	}
	if len(buf) > from {
		runs = append(runs, run{addr: address(num, size-int64(len(buf)-from)), b: buf[from:]})
	}
	if s.ring != nil && !sync && s.ring.fits(len(buf)) {
		if err := s.putRing(ctx, runs, timeout); err != nil {
			return nil, err
		}
		s.curNum, s.size = num, size
		return items, nil
	}
	if err := take(ctx, s.fl, timeout, "write: waiting for the flusher"); err != nil {
		return nil, err
	}
	defer func() { <-s.fl }()
	// What the ring holds goes first: the segments have no gaps.
	if err := s.flushLocked(); err != nil {
		return nil, err
	}
	if err := s.writeRuns(runs); err != nil {
		// Nothing of it is in a segment (cut back) or in the ring.
		s.curNum, s.size = s.fNum, s.fSize
		return nil, err
	}
	s.curNum, s.size = num, size
	if sync {
		if err := s.fcur.Sync(); err != nil {
			return nil, fmt.Errorf("%s: segment %d: %w", backend, s.fNum, err)
		}
		s.synced = s.fSize
	}
	return items, nil
}

// maxKeptItems bounds the items buffer a write keeps for the next.
const maxKeptItems = 4096

// putRing copies a write's runs into the ring, flushing the ring first
// while it has no room (bounded by ctx, or timeout). The writer's lock is
// held.
func (s *segments) putRing(ctx context.Context, runs []run, timeout time.Duration) error {
	for {
		ok, pending, err := s.ring.put(runs)
		if err != nil {
			return fmt.Errorf("%s: ring: %w: %w", backend, trail.ErrUnavailable, err)
		}
		if ok {
			if pending >= flushAt {
				select {
				case s.kick <- struct{}{}:
				default:
				}
			}
			return nil
		}
		// Full: make room (the flusher may be at it already).
		if err := take(ctx, s.fl, timeout, "write: waiting for the flusher"); err != nil {
			return err
		}
		err = s.flushLocked()
		<-s.fl
		if err != nil {
			return err
		}
	}
}

// flushAt is how many bytes the ring holds before the flusher is woken:
// one write of that many records costs a fraction of a write per record.
const flushAt = 128 << 10

// stopFlusher stops the flusher goroutine, if it runs, and waits for it
// to return.
func (s *segments) stopFlusher() {
	if s.stop != nil {
		close(s.stop)
		<-s.done
		s.stop = nil
	}
}

// runFlusher flushes the ring when woken, until close. After a failure
// it waits (100 ms, doubling to 5 s) before it flushes again: every write
// past flushAt wakes it, and a failing disk would otherwise cost a failed
// write and a log line per request.
func (s *segments) runFlusher(log *slog.Logger) {
	defer close(s.done)
	wait := time.Duration(0)
	for {
		select {
		case <-s.kick:
		case <-s.stop:
			return
		}
		s.fl <- struct{}{}
		err := s.flushLocked()
		<-s.fl
		if err == nil {
			wait = 0
			continue
		}
		// The records stay in the ring; writers flush when it is full,
		// and fail when they cannot.
		wait = min(max(2*wait, 100*time.Millisecond), 5*time.Second)
		log.Error("flushing the audit trail's ring to its segments failed; retried", "in", wait, "err", err)
		select {
		case <-time.After(wait):
		case <-s.stop:
			return
		}
	}
}

// flushLocked moves what the ring holds to the segment files. The
// flusher's lock is held.
func (s *segments) flushLocked() error {
	if s.ring == nil {
		return nil
	}
	runs, k := s.ring.pending(s.fruns[:0])
	defer func() {
		clear(runs)
		s.fruns = runs[:0]
	}()
	if k == 0 {
		return nil
	}
	if err := s.writeRuns(runs); err != nil {
		return err
	}
	s.ring.release(k)
	return nil
}

// writeRuns writes runs, in address order, to the segment files: runs
// that follow each other in a segment in one pwritev, a run that begins
// a later segment after the current one is left (synced, closed). What is
// in the files already (a retried flush) is skipped. On failure the
// current segment is cut back to its records written before. The flusher's
// lock is held.
func (s *segments) writeRuns(runs []run) error {
	iovs := s.iovs[:0]
	defer func() {
		clear(iovs)
		s.iovs = iovs[:0]
	}()
	var at int64 // the offset of iovs in fNum
	var n int64  // their length
	put := func() error {
		if len(iovs) == 0 {
			return nil
		}
		if err := writev(s.fcur, iovs, at); err != nil {
			_ = s.fcur.Truncate(s.fSize)
			return fmt.Errorf("%s: segment %d: %w", backend, s.fNum, err)
		}
		s.fSize += n
		clear(iovs)
		iovs, n = iovs[:0], 0
		return nil
	}
	for _, r := range runs {
		num, off := split(r.addr)
		b := r.b
		if num < s.fNum {
			continue // in a segment left already
		}
		if num > s.fNum {
			if err := put(); err != nil {
				return err
			}
			if err := s.leave(); err != nil {
				return err
			}
			s.fNum, s.fSize, s.synced = num, 0, 0
		}
		end := s.fSize + n
		if off+int64(len(b)) <= end {
			continue // written already (a ring replayed over what was flushed)
		}
		if off < end {
			b, off = b[end-off:], end // its first frames are written already
		}
		if off != end {
			return fmt.Errorf("%s: segment %d: a write at %d, its records end at %d", backend, num, off, end)
		}
		if s.fcur == nil {
			f, err := os.OpenFile(segmentPath(s.dir, num), os.O_RDWR|os.O_CREATE, 0o600)
			if err != nil {
				return fmt.Errorf("%s: segment %d: %w", backend, num, err)
			}
			s.fcur = f
		}
		if len(iovs) == 0 {
			at = off
		}
		iovs = append(iovs, b)
		n += int64(len(b))
		if len(iovs) == maxIOVs {
			if err := put(); err != nil {
				return err
			}
		}
	}
	return put()
}

// maxIOVs bounds the vector of one pwritev (IOV_MAX is 1,024 on Linux).
const maxIOVs = 512

// leave ends the current segment: synced, and its write handle closed
// (readers open their own; kept, every rotation would hold a descriptor
// for the process's life). The flusher's lock is held.
func (s *segments) leave() error {
	if s.fcur == nil {
		return nil
	}
	if err := s.fcur.Sync(); err != nil {
		return fmt.Errorf("%s: segment %d: %w", backend, s.fNum, err)
	}
	_ = s.fcur.Close() // synced: nothing left to report
	s.fcur = nil
	return nil
}

// syncTo flushes the ring and fsyncs the current segment when an address
// up to end may not be on disk (earlier segments were synced when they
// were left). The fsync runs without the flusher's lock: writes and
// flushes go on meanwhile (an fsync may take milliseconds).
func (s *segments) syncTo(end int64) error {
	s.fl <- struct{}{}
	if end > address(s.fNum, s.fSize) {
		if err := s.flushLocked(); err != nil {
			<-s.fl
			return err
		}
	}
	num, off := split(end)
	if s.fcur == nil || num != s.fNum || off <= s.synced {
		<-s.fl
		return nil
	}
	f, size := s.fcur, s.fSize
	<-s.fl
	if err := f.Sync(); err != nil {
		s.fl <- struct{}{}
		left := s.fcur != f
		<-s.fl
		if left {
			// Rotated meanwhile: leaving the segment synced it, then
			// closed this handle.
			return nil
		}
		return fmt.Errorf("%s: segment %d: %w", backend, num, err)
	}
	s.fl <- struct{}{}
	if s.fcur == f {
		s.synced = max(s.synced, size)
	}
	<-s.fl
	return nil
}

// current returns the number of the segment being written to (or next):
// the segments before it are whole.
func (s *segments) current() int64 {
	s.fl <- struct{}{}
	defer func() { <-s.fl }()
	return s.fNum
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
		e, ok := trail.DecodeRecordIndex(body)
		if !ok {
			return items, good, true, nil
		}
		e.Seq = address(n, good)
		good += frameHeader + int64(size)
		items = append(items, itemOf(&e, address(n, good)))
	}
}

// truncate cuts the newest segment, n, to off (a torn tail); writing
// goes on there.
func (s *segments) truncate(n, off int64) error {
	s.lock()
	defer s.unlock()
	s.fl <- struct{}{}
	defer func() { <-s.fl }()
	if n != s.fNum {
		return nil
	}
	var err error
	if s.fcur != nil {
		err = s.fcur.Truncate(off)
	} else {
		err = os.Truncate(segmentPath(s.dir, n), off)
	}
	if err != nil {
		return fmt.Errorf("%s: segment %d: %w", backend, n, err)
	}
	s.fSize, s.synced = off, min(s.synced, off)
	s.curNum, s.size = n, off
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

// close stops the flusher, moves what the ring holds to the segments
// (what it cannot move stays in the ring, for the next Open) and closes
// every file.
func (s *segments) close() error {
	s.stopFlusher()
	s.rmu.Lock()
	for n, f := range s.files {
		f.Close()
		delete(s.files, n)
	}
	s.rmu.Unlock()
	s.lock()
	defer s.unlock()
	s.closed = true
	s.fl <- struct{}{}
	defer func() { <-s.fl }()
	err := s.flushLocked()
	if s.ring != nil {
		err = errors.Join(err, s.ring.close())
		s.ring = nil
	}
	if s.fcur != nil {
		err = errors.Join(err, s.fcur.Close())
		s.fcur = nil
	}
	return err
}
