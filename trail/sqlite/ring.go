package sqlite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"

	"github.com/gatehouse-iam/gatehouse/trail"
)

// The ring is where a write's records are kept until the flusher has put
// them in the segment files: DIR/trail/ring, a file of RingSize bytes
// mapped in memory (MAP_SHARED). A record copied into the mapping is in
// the kernel's page cache at once, so it survives the process (kill -9)
// as a pwrite would, without a system call per request; the flusher then
// writes the records of hundreds of requests to the segments in one
// pwritev. A machine's crash may lose the last fraction of a second of
// either, as it may lose a segment's unsynced tail; --audit-fsync syncs
// every write to its segment and does not use the ring.
//
// The file: a header page (ringMagic, the generation, their CRC-32C),
// then entries, each 8-byte aligned: the address of its run in the
// segments (8 bytes, big-endian), the generation (8), the run's length
// (4), the CRC-32C of those 20 bytes (4), then the run: whole frames, as
// the segment holds them. An entry never straddles the end: one that
// does not fit begins again after the header. Space is reused only once
// the flusher has written its entry to the segments.
//
// Open replays it (replayRing): the entries of the header's generation
// whose addresses follow the end of the segments, one after the other
// (a run at the start of the next segment follows a segment's end), are
// written to the segments, which are synced; the header then takes the
// next generation, so that no entry of the last one is replayed again.
// Entries are found by trying every 8-byte aligned offset, so that a
// wrapped ring needs no pointer kept anywhere; a torn entry (its frames
// not whole or not intact) ends the replay: it was being copied when the
// process died, so its request was not answered.
const (
	// RingSize is the ring's size: room for about 1,300 requests' events
	// while the flusher is at work (it is woken at every 128 KiB), and
	// small enough that the lines a request writes are still in a cache
	// (an 8 MiB ring served 2.7% fewer requests at c = 1, each copy a
	// miss: bench/results/REQUEST_PATH.md, "#14 the ring, session 12").
	RingSize    = 1 << 20
	ringHeader  = 4096
	entryHeader = 24
	ringName    = "ring"
)

var ringMagic = [8]byte{'G', 'H', 'T', 'R', 'I', 'N', 'G', '1'}

// ring is the mapped ring of one segments directory.
type ring struct {
	f   *os.File
	mem []byte // the mapping, len(mem) is the file's size
	gen uint64
	cap int64 // len(mem) - ringHeader: the entries' space

	mu sync.Mutex
	// head and tail are virtual offsets (they grow without bound; an
	// entry is at ringHeader + v % cap): where the next entry goes, and
	// the oldest entry not yet flushed (head when there is none).
	head, tail int64
	queue      []ringEntry // the entries not yet flushed, oldest first
}

// ringEntry is an entry of the ring: its virtual offset, its run's
// address and length.
type ringEntry struct {
	v, addr int64
	n       int
}

// align8 rounds n up to a multiple of 8.
func align8(n int64) int64 { return (n + 7) &^ 7 }

// fits reports whether a write of n bytes goes through the ring: one
// larger than a quarter of it is written to the segments directly (after
// the ring is flushed), so that a large event does not wait for the
// whole ring to empty.
func (r *ring) fits(n int) bool { return int64(n)+entryHeader <= r.cap/4 }

// put copies runs into the ring, all of them or none (a write's runs,
// more than one when it begins a segment: a part of a write in the ring
// would be flushed, and found, although its request failed); ok is false
// when the ring has no room for them (flush, then put again). pending is
// what the ring then holds. An error is a fault of the mapping (the file
// cut short under it).
func (r *ring) put(runs []run) (ok bool, pending int64, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	v := r.head
	for _, x := range runs {
		need := align8(entryHeader + int64(len(x.b)))
		if phys := v % r.cap; phys+need > r.cap {
			v += r.cap - phys // to the start: entries do not straddle the end
		}
		if v+need-r.tail > r.cap {
			return false, r.head - r.tail, nil
		}
		v += need
	}
	for _, x := range runs {
		need := align8(entryHeader + int64(len(x.b)))
		v := r.head
		if phys := v % r.cap; phys+need > r.cap {
			v += r.cap - phys
		}
		if err := r.copyEntry(ringHeader+v%r.cap, x.addr, x.b); err != nil {
			return false, 0, err
		}
		r.queue = append(r.queue, ringEntry{v: v, addr: x.addr, n: len(x.b)})
		r.head = v + need
	}
	return true, r.head - r.tail, nil
}

// copyEntry writes an entry at offset at of the mapping: the run, then
// its header. A fault (the file truncated under the mapping) is returned
// as an error rather than crashing the process.
func (r *ring) copyEntry(at, addr int64, b []byte) (err error) {
	defer faultToError(debug.SetPanicOnFault(true), &err)
	copy(r.mem[at+entryHeader:], b)
	h := r.mem[at : at+entryHeader]
	binary.BigEndian.PutUint64(h[0:], uint64(addr))
	binary.BigEndian.PutUint64(h[8:], r.gen)
	binary.BigEndian.PutUint32(h[16:], uint32(len(b)))
	binary.BigEndian.PutUint32(h[20:], crc32.Checksum(h[:20], castagnoli))
	return nil
}

// faultToError, deferred by a write into the mapping made with
// debug.SetPanicOnFault(true) (which returned old), restores old and
// turns a fault (the file cut short under the mapping, a page the disk
// has no room for) into *err rather than a crash.
func faultToError(old bool, err *error) {
	debug.SetPanicOnFault(old)
	if p := recover(); p != nil {
		*err = fmt.Errorf("writing the mapped ring: %v", p)
	}
}

// zero writes zeros over the whole mapping; a fault (a page the disk has
// no room for) is an error.
func (r *ring) zero() (err error) {
	defer faultToError(debug.SetPanicOnFault(true), &err)
	clear(r.mem)
	return nil
}

// pending appends the runs of the entries not yet flushed to runs (their
// bytes in the mapping, which no writer touches until release) and
// returns them with their count.
func (r *ring) pending(runs []run) ([]run, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.queue {
		at := ringHeader + e.v%r.cap + entryHeader
		runs = append(runs, run{addr: e.addr, b: r.mem[at : at+int64(e.n) : at+int64(e.n)]})
	}
	return runs, len(r.queue)
}

// release frees the space of the first k entries, flushed.
func (r *ring) release(k int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queue = r.queue[:copy(r.queue, r.queue[k:])]
	if len(r.queue) > 0 {
		r.tail = r.queue[0].v
	} else {
		r.tail = r.head
	}
	if len(r.queue) == 0 && cap(r.queue) > maxKeptQueue {
		r.queue = nil
	}
}

// close unmaps the ring and closes its file.
func (r *ring) close() error {
	return errors.Join(unmapFile(r.mem), r.f.Close())
}

// replayRing replays the ring of s's directory, if it has one, onto the
// segments, whose newest one ends at s's position: what it held but the
// segments did not is written to them and synced (replayed is set, and
// from is where it begins, to be indexed). gen is the ring's generation
// (0 when there is no ring); stranded counts its entries past the
// segments' end that could not be replayed (after a gap: they were never
// acknowledged, or the ring was damaged). The file is read, not mapped:
// a platform that cannot map it replays it all the same.
func (s *segments) replayRing() (gen uint64, replayed bool, from int64, stranded int, err error) {
	from = address(s.curNum, s.size)
	f, err := os.Open(filepath.Join(s.dir, ringName))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, from, 0, nil
	}
	if err != nil {
		return 0, false, from, 0, fmt.Errorf("%s: ring: %w", backend, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, false, from, 0, fmt.Errorf("%s: ring: %w", backend, err)
	}
	size := min(fi.Size(), maxRingRead)
	if size <= ringHeader {
		return 0, false, from, 0, nil
	}
	mem := make([]byte, size)
	if _, err := f.ReadAt(mem, 0); err != nil && !errors.Is(err, io.EOF) {
		return 0, false, from, 0, fmt.Errorf("%s: ring: %w", backend, err)
	}
	gen, runs, stranded := replayable(mem, from)
	if len(runs) > 0 {
		s.fl <- struct{}{}
		err = s.writeRuns(runs)
		if err == nil && s.fcur != nil {
			err = s.fcur.Sync()
			s.synced = s.fSize
		}
		s.curNum, s.size = s.fNum, s.fSize
		<-s.fl
		if err != nil {
			return 0, false, from, 0, fmt.Errorf("%s: ring: replaying: %w", backend, err)
		}
		replayed = true
	}
	return gen, replayed, from, stranded, nil
}

// maxRingRead bounds what replayRing reads of a ring file (an earlier
// version's ring was 8 MiB).
const maxRingRead = 64 << 20

// openRing maps the ring of s's directory (creating it), empty, of
// generation gen, and s writes through it from now on. On failure (a
// platform or file system that cannot map it) s writes the segments
// directly, and the error says why.
func (s *segments) openRing(gen uint64) error {
	f, err := os.OpenFile(filepath.Join(s.dir, ringName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("%s: ring: %w", backend, err)
	}
	r := &ring{f: f, gen: gen}
	// A ring of another size (an earlier version's) is cut or grown to
	// this one's: what it held is replayed by now.
	if err := f.Truncate(RingSize); err != nil {
		f.Close()
		return fmt.Errorf("%s: ring: %w", backend, err)
	}
	if err := reserve(f, RingSize); err != nil {
		f.Close()
		return fmt.Errorf("%s: ring: %w", backend, err)
	}
	if r.mem, err = mapFile(f, RingSize); err != nil {
		f.Close()
		// What it held is replayed by now: no file is left for the
		// next Open to read again.
		_ = os.Remove(filepath.Join(s.dir, ringName))
		return fmt.Errorf("%s: ring: %w", backend, err)
	}
	r.cap = int64(len(r.mem)) - ringHeader
	// Every page is written once now: the first write to a page of the
	// mapping faults (tens of microseconds each on some virtual machines),
	// which would otherwise fall on the requests of the first lap. It
	// also clears the entries replayed.
	if err := r.zero(); err != nil {
		_ = r.close() // the error returned is the one that matters
		return fmt.Errorf("%s: ring: %w", backend, err)
	}
	copy(r.mem, ringMagic[:])
	binary.BigEndian.PutUint64(r.mem[8:], r.gen)
	binary.BigEndian.PutUint32(r.mem[16:], crc32.Checksum(r.mem[:16], castagnoli))
	// The new generation is on disk before any entry of it: entries of
	// the one replayed are never replayed twice.
	if err := f.Sync(); err != nil {
		_ = r.close() // the error returned is the one that matters
		return fmt.Errorf("%s: ring: %w", backend, err)
	}
	s.ring = r
	return nil
}

// startFlusher starts the goroutine that flushes the ring past flushAt.
func (s *segments) startFlusher(log *slog.Logger) {
	if s.ring == nil {
		return
	}
	s.kick, s.stop, s.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
	go s.runFlusher(log)
}

// replayable returns the generation of a ring's header (0 when it has
// none) and the runs of its entries that follow from, in order: the
// first is the entry that holds from (a flush the process's death cut
// short ends the segment inside an entry, at a frame's end: what of the
// entry the segment has is skipped as it is written) or begins there, or
// the entry at the start of the next segment; each next one begins where
// the one before ends, or at the start of the next segment. stranded
// counts the entries past from that the chain did not reach.
func replayable(mem []byte, from int64) (gen uint64, runs []run, stranded int) {
	if len(mem) < ringHeader || [8]byte(mem[:8]) != ringMagic ||
		binary.BigEndian.Uint32(mem[16:]) != crc32.Checksum(mem[:16], castagnoli) {
		return 0, nil, 0
	}
	gen = binary.BigEndian.Uint64(mem[8:])
	at := map[int64][]byte{}
	for o := int64(ringHeader); o+entryHeader <= int64(len(mem)); o += 8 {
		h := mem[o : o+entryHeader]
		if binary.BigEndian.Uint64(h[8:]) != gen {
			continue
		}
		if binary.BigEndian.Uint32(h[20:]) != crc32.Checksum(h[:20], castagnoli) {
			continue
		}
		addr := int64(binary.BigEndian.Uint64(h))
		n := int64(binary.BigEndian.Uint32(h[16:]))
		if o+entryHeader+n > int64(len(mem)) || addr+n <= from {
			continue // cut short, or flushed already
		}
		at[addr] = mem[o+entryHeader : o+entryHeader+n]
	}
	next := from
	if _, ok := at[from]; !ok {
		fromNum, _ := split(from)
		for addr, b := range at {
			if num, _ := split(addr); num == fromNum && addr < from && from < addr+int64(len(b)) {
				next = addr // holds from: its first frames are in the segment
			}
		}
	}
	for {
		b, ok := at[next]
		if !ok {
			num, _ := split(next)
			if b, ok = at[address(num+1, 0)]; !ok {
				break
			}
			next = address(num+1, 0)
		}
		if !wholeFrames(b) {
			break // torn: being copied when the process died
		}
		runs = append(runs, run{addr: next, b: b})
		next += int64(len(b))
	}
	for addr := range at {
		if addr >= from {
			stranded++
		}
	}
	for _, r := range runs {
		if r.addr >= from {
			stranded--
		}
	}
	return gen, runs, stranded
}

// wholeFrames reports whether b is whole, intact frames.
func wholeFrames(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for len(b) > 0 {
		if len(b) < frameHeader {
			return false
		}
		n := int64(binary.BigEndian.Uint32(b))
		if n == 0 || n > trail.MaxRecord || frameHeader+n > int64(len(b)) {
			return false
		}
		body := b[frameHeader : frameHeader+n]
		if crc32.Checksum(body, castagnoli) != binary.BigEndian.Uint32(b[4:]) {
			return false
		}
		b = b[frameHeader+n:]
	}
	return true
}

// writeZeros writes zeros over f's first size bytes (a sparse file's
// holes would be allocated as the mapping is written).
func writeZeros(f *os.File, size int64) error {
	zeros := make([]byte, min(size, 1<<20))
	for off := int64(0); off < size; {
		n := min(int64(len(zeros)), size-off)
		if _, err := f.WriteAt(zeros[:n], off); err != nil {
			return err
		}
		off += n
	}
	return nil
}
