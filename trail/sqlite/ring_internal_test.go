package sqlite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse-iam/gatehouse/trail"
)

// crash ends s as a killed process ends: nothing flushed, indexed or
// closed in order. What a write copied into the ring's mapping is in the
// page cache, as it is when the process dies.
func crash(t *testing.T, s *Store) {
	t.Helper()
	close(s.stop)
	<-s.stopped
	s.seg.stopFlusher()
	if s.seg.ring != nil {
		if err := s.seg.ring.close(); err != nil {
			t.Fatal(err)
		}
		s.seg.ring = nil
	}
	if s.seg.fcur != nil {
		s.seg.fcur.Close()
		s.seg.fcur = nil
	}
	s.closed.Store(true)
	s.seg.close()
	s.db.Close()
}

// segmentBytes is the length of the segment files of dir together.
func segmentBytes(t *testing.T, dir string) int64 {
	t.Helper()
	des, err := os.ReadDir(filepath.Join(dir, "trail"))
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, de := range des {
		if strings.HasSuffix(de.Name(), ".seg") {
			fi, err := de.Info()
			if err != nil {
				t.Fatal(err)
			}
			n += fi.Size()
		}
	}
	return n
}

// A write is answered once its records are in the ring; the process may
// die before the flusher has put them in a segment. Open replays them
// into the segments and indexes them, once: a second Open finds each
// event once, at the address its write was given.
func TestRingReplayedAfterACrash(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	var seqs []int64
	for i, id := range []string{"a", "b", "c"} {
		es := []trail.Entry{entry(id, i)}
		if err := s.Write(t.Context(), es); err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, es[0].Seq)
	}
	if n := segmentBytes(t, dir); n != 0 {
		t.Fatalf("the segments hold %d bytes before any flush: the test would not replay the ring", n)
	}
	crash(t, s)
	for round := range 2 {
		s, err = Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		want(t, fmt.Sprint("after the crash, open ", round+1), ids(t, s, trail.Query{}), "c", "b", "a")
		for i, seq := range seqs {
			if e, err := s.seg.read(seq); err != nil || e.EventID != []string{"a", "b", "c"}[i] {
				t.Errorf("open %d: the record at %x: %q, %v", round+1, seq, e.EventID, err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// A torn entry (the process died while it was copied into the ring, so
// its request was never answered) ends the replay: what precedes it is
// replayed, it is not, and writing goes on after what was replayed.
func TestRingTornEntry(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	a := []trail.Entry{entry("a", 0)}
	if err := s.Write(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), []trail.Entry{entry("b", 1)}); err != nil {
		t.Fatal(err)
	}
	q := s.seg.ring.queue
	if len(q) != 2 {
		t.Fatalf("the ring holds %d entries, want 2", len(q))
	}
	second := ringHeader + q[1].v%s.seg.ring.cap + entryHeader
	crash(t, s)
	f, err := os.OpenFile(filepath.Join(dir, "trail", ringName), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("torn"), second+frameHeader+5); err != nil { // in b's body
		t.Fatal(err)
	}
	f.Close()
	s, err = Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want(t, "after the torn entry", ids(t, s, trail.Query{}), "a")
	c := []trail.Entry{entry("c", 2)}
	if err := s.Write(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	if c[0].Seq <= a[0].Seq {
		t.Errorf("c at %x, not after a at %x", c[0].Seq, a[0].Seq)
	}
	want(t, "written after it", ids(t, s, trail.Query{}), "c", "a")
}

// Records written across segments (each rotation begins the next segment
// at offset 0) are replayed into the same segments.
func TestRingReplayAcrossSegments(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	s, err := OpenWith(t.Context(), path, Options{SegmentSize: 300})
	if err != nil {
		t.Fatal(err)
	}
	var wantIDs []string
	for i := range 12 {
		id := fmt.Sprint("e", i)
		if err := s.Write(t.Context(), []trail.Entry{entry(id, i)}); err != nil {
			t.Fatal(err)
		}
		wantIDs = append([]string{id}, wantIDs...)
	}
	crash(t, s)
	s, err = OpenWith(t.Context(), path, Options{SegmentSize: 300})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want(t, "after the crash", ids(t, s, trail.Query{}), wantIDs...)
	if nums, _ := s.seg.list(); len(nums) < 6 {
		t.Errorf("%d segments for 12 records of ~280 bytes in segments of 300", len(nums))
	}
}

// A ring that is full is flushed by the write that needs room (here with
// the flusher stopped, so that only writers flush); nothing is lost.
func TestRingFullIsFlushedByTheWriter(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.seg.stopFlusher()
	big := strings.Repeat("x", 4000)
	const n = 3 * RingSize / 4000 // three rings' worth
	for i := range n {
		e := entry(fmt.Sprint("e", i), 0)
		e.JSON = []byte(`{"eventID":"` + e.EventID + `","pad":"` + big + `"}`)
		if err := s.Write(t.Context(), []trail.Entry{e}); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	for _, id := range []string{"e0", fmt.Sprint("e", n/2), fmt.Sprint("e", n-1)} {
		want(t, "by id", ids(t, s, trail.Query{Key: trail.ByEventID, Value: id}), id)
	}
	p, err := s.Lookup(t.Context(), trail.Query{Account: acct, Limit: 50, Key: trail.ByEventName, Value: "GetUser"})
	if err != nil || len(p.Entries) != 50 || p.Next == nil {
		t.Errorf("a page of the %d events: %d entries, next %v, %v", n, len(p.Entries), p.Next, err)
	}
}

// Writers, the flusher and lookups at once (run with -race): every write
// is found once, in order of its address.
func TestRingConcurrentWrites(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const writers, each = 8, 300
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := s.Write(t.Context(), []trail.Entry{entry(fmt.Sprint("w", w, "-", i), i%60)}); err != nil {
					t.Error(err)
					return
				}
				if i%100 == 0 {
					if _, err := s.Lookup(t.Context(), trail.Query{Account: acct, Limit: 5}); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	q := trail.Query{Account: acct, Limit: 1000}
	for {
		p, err := s.Lookup(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range p.Entries {
			if seen[e.EventID] {
				t.Errorf("%s found twice", e.EventID)
			}
			seen[e.EventID] = true
		}
		if p.Next == nil {
			break
		}
		q.After = p.Next
	}
	if len(seen) != writers*each {
		t.Errorf("%d events found, want %d", len(seen), writers*each)
	}
}

// A write too large for the ring goes to the segment directly, after
// what the ring holds (the segment has no gap a crash would cut at); both
// survive a crash, in order.
func TestLargeWriteAfterTheRing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	small := []trail.Entry{entry("small", 0)}
	if err := s.Write(t.Context(), small); err != nil {
		t.Fatal(err)
	}
	large := []trail.Entry{entry("large", 1)}
	large[0].JSON = []byte(`{"eventID":"large","pad":"` + strings.Repeat("x", RingSize/2) + `"}`)
	if err := s.Write(t.Context(), large); err != nil {
		t.Fatal(err)
	}
	if n := segmentBytes(t, dir); n < RingSize/2 {
		t.Fatalf("the segments hold %d bytes: the large write went to the ring", n)
	}
	if large[0].Seq <= small[0].Seq {
		t.Errorf("large at %x, not after small at %x", large[0].Seq, small[0].Seq)
	}
	crash(t, s)
	s, err = Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want(t, "after the crash", ids(t, s, trail.Query{}), "large", "small")
	after := []trail.Entry{entry("after", 2)}
	if err := s.Write(t.Context(), after); err != nil {
		t.Fatal(err)
	}
	want(t, "written after it", ids(t, s, trail.Query{}), "after", "large", "small")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), []trail.Entry{entry("closed", 3)}); !errors.Is(err, trail.ErrUnavailable) {
		t.Errorf("a write after Close: %v, want ErrUnavailable", err)
	}
}

// A flush the process's death cut short leaves the segment ending inside
// a ring entry (a write of two events, one run): Open cuts the segment at
// the last whole record and replays the rest of that entry, and the
// entries after it.
func TestRingReplayFromInsideAnEntry(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	ab := []trail.Entry{entry("a", 0), entry("b", 1)}
	if err := s.Write(t.Context(), ab); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), []trail.Entry{entry("c", 2)}); err != nil {
		t.Fatal(err)
	}
	s.seg.fl <- struct{}{}
	if err := s.seg.flushLocked(); err != nil {
		t.Fatal(err)
	}
	<-s.seg.fl
	crash(t, s)
	// The flush's pwritev stopped after a's record (and within b's).
	_, bAt := split(ab[1].Seq)
	if err := os.Truncate(segmentPath(filepath.Join(dir, "trail"), 1), bAt+5); err != nil {
		t.Fatal(err)
	}
	s, err = Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want(t, "after the cut flush", ids(t, s, trail.Query{}), "c", "b", "a")
	for _, e := range ab {
		if got, err := s.seg.read(e.Seq); err != nil || got.EventID != e.EventID {
			t.Errorf("the record at %x: %q, %v; want %q", e.Seq, got.EventID, err, e.EventID)
		}
	}
}
