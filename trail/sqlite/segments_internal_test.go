package sqlite

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gatehouse-iam/gatehouse/internal/sqlitedb"
	"github.com/gatehouse-iam/gatehouse/trail"
)

const acct = "111122223333"

var t0 = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

func entry(id string, sec int) trail.Entry {
	return trail.Entry{Account: acct, EventID: id, Time: t0.Add(time.Duration(sec) * time.Second), EventName: "GetUser",
		EventSource: "iam.amazonaws.com", Username: "alice", Principal: "arn:aws:iam::" + acct + ":user/alice", Management: true,
		Resources: []trail.Resource{{ARN: "arn:aws:iam::" + acct + ":user/bob", AccountID: acct, Type: "AWS::IAM::User"}},
		JSON:      []byte(`{"eventID":"` + id + `"}`)}
}

func ids(t *testing.T, s *Store, q trail.Query) []string {
	t.Helper()
	if q.Account == "" {
		q.Account = acct
	}
	if q.Limit == 0 {
		q.Limit = 3
	}
	var out []string
	for {
		p, err := s.Lookup(t.Context(), q)
		if err != nil {
			t.Fatalf("Lookup %+v: %v", q, err)
		}
		for _, e := range p.Entries {
			out = append(out, e.EventID)
		}
		if p.Next == nil {
			return out
		}
		q.After = p.Next
	}
}

func want(t *testing.T, what string, got []string, w ...string) {
	t.Helper()
	if !slices.Equal(got, w) {
		t.Errorf("%s: %q, want %q", what, got, w)
	}
}

// Seq is the record's address: segment << 40 | offset, growing.
func TestSeqIsTheAddress(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	es := []trail.Entry{entry("a", 0), entry("b", 0)}
	if err := s.Write(t.Context(), es); err != nil {
		t.Fatal(err)
	}
	if es[0].Seq != 1<<40 || es[1].Seq <= es[0].Seq || es[1].Seq>>40 != 1 {
		t.Errorf("seqs %x %x, want 1<<40 and after it in segment 1", es[0].Seq, es[1].Seq)
	}
	// Read once flushed from the ring to the segment (as a lookup
	// does: it waits for the index, which flushes first).
	if err := s.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	e, err := s.seg.read(es[1].Seq)
	if err != nil || e.EventID != "b" {
		t.Errorf("read(%x) = %+v, %v", es[1].Seq, e, err)
	}
}

// Segments rotate at their size; a lookup reads across them in order;
// files are the owner's only.
func TestSegmentRotation(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenWith(t.Context(), filepath.Join(dir, FileName), Options{SegmentSize: 300})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var wantIDs []string
	for i := range 20 {
		if err := s.Write(t.Context(), []trail.Entry{entry(fmt.Sprint("e", i), i/3), entry(fmt.Sprint("f", i), i/3)}); err != nil {
			t.Fatal(err)
		}
		wantIDs = append([]string{fmt.Sprint("f", i), fmt.Sprint("e", i)}, wantIDs...)
	}
	if err := s.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	nums, _ := s.seg.list()
	if len(nums) < 10 {
		t.Errorf("%d segments of at most 300 bytes for 40 records of ~280", len(nums))
	}
	want(t, "across segments", ids(t, s, trail.Query{}), wantIDs...)
	want(t, "by resource", ids(t, s, trail.Query{Key: trail.ByResourceName, Value: "arn:aws:iam::" + acct + ":user/bob"}), wantIDs...)
	fi, err := os.Stat(filepath.Join(dir, "trail"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("segment directory: %v, %v; want mode 0700", fi, err)
	}
	fi, err = os.Stat(segmentPath(filepath.Join(dir, "trail"), 1))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("segment: %v, %v; want mode 0600", fi, err)
	}
}

// Leaving a segment closes its write handle: rotations do not pile up
// open descriptors (only the current segment's writer and the segments
// read stay open).
func TestRotationClosesTheSegmentLeft(t *testing.T) {
	fds := func() int {
		ents, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd on this system:", err)
		}
		return len(ents)
	}
	s, err := OpenWith(t.Context(), filepath.Join(t.TempDir(), FileName), Options{SegmentSize: 300})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write(t.Context(), []trail.Entry{entry("first", 0)}); err != nil {
		t.Fatal(err)
	}
	before := fds()
	for i := range 50 {
		if err := s.Write(t.Context(), []trail.Entry{entry(fmt.Sprint("e", i), 1)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.seg.syncTo(address(s.seg.current(), 1)); err != nil {
		t.Fatal(err)
	}
	nums, _ := s.seg.list()
	if len(nums) < 25 {
		t.Fatalf("%d segments after 50 records of ~280 bytes in segments of 300", len(nums))
	}
	// Other goroutines (SQLite, the indexer) may hold a few descriptors of
	// their own at either count; 50 rotations must not add 50.
	if after := fds(); after-before > 5 {
		t.Errorf("%d open descriptors after %d rotations, %d before", after, len(nums)-1, before)
	}
}

// A torn or corrupt tail (a write cut by a crash) is cut off at Open;
// what was written but not indexed before the crash is indexed before the
// first lookup; writing goes on after the last whole record.
func TestTornTailAndRecovery(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(t.Context(), []trail.Entry{entry("indexed", 0)}); err != nil {
		t.Fatal(err)
	}
	// Written, never indexed: the indexer is stopped first, as a crash
	// would stop it.
	close(s.stop)
	<-s.stopped
	if err := s.Write(t.Context(), []trail.Entry{entry("written", 1)}); err != nil {
		t.Fatal(err)
	}
	_, good := split(s.written) // the end of the records
	s.closed.Store(true)
	s.seg.close()
	s.db.Close()
	seg := segmentPath(filepath.Join(dir, "trail"), 1)
	for _, tail := range [][]byte{
		{0, 0, 1},                                      // a torn header
		binary.BigEndian.AppendUint32(nil, 1000),       // a length past the end
		{0, 0, 0, 2, 0xde, 0xad, 0xbe, 0xef, '{', '}'}, // a bad checksum
	} {
		f, err := os.OpenFile(seg, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		f.WriteAt(tail, good) // after the records
		f.Close()
		s, err = Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(seg); fi.Size() != good {
			t.Errorf("tail %x: segment is %d bytes after Open, want %d", tail, fi.Size(), good)
		}
		want(t, "after the crash", ids(t, s, trail.Query{}), "written", "indexed")
		s.Close()
	}
	s, err = Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Append(t.Context(), []trail.Entry{entry("after", 2)}); err != nil {
		t.Fatal(err)
	}
	want(t, "written after the cut", ids(t, s, trail.Query{}), "after", "written", "indexed")
}

// Retention deletes whole segments once their events' postings are gone,
// with their event ids; a lookup whose record's segment is gone skips it.
func TestRetentionBySegment(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenWith(t.Context(), filepath.Join(dir, FileName), Options{SegmentSize: 300})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 10 {
		if err := s.Append(t.Context(), []trail.Entry{entry(fmt.Sprint("e", i), i)}); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := s.seg.list()
	n, err := s.DeleteBefore(t.Context(), t0.Add(5*time.Second), 100)
	if err != nil || n != 5 {
		t.Fatalf("DeleteBefore = %d, %v; want 5", n, err)
	}
	after, _ := s.seg.list()
	if len(after) >= len(before) || after[0] <= before[0] {
		t.Errorf("segments %v before retention, %v after: the oldest not deleted", before, after)
	}
	var left int
	s.db.R.QueryRowContext(t.Context(), `SELECT count(*) FROM event_ids WHERE id IN ('e0', 'e1', 'e2')`).Scan(&left)
	if left != 0 {
		t.Errorf("%d event ids of deleted segments left", left)
	}
	want(t, "after retention", ids(t, s, trail.Query{}), "e9", "e8", "e7", "e6", "e5")
	// A segment removed behind the index's back: its events are skipped.
	if err := s.seg.remove(after[0]); err != nil {
		t.Fatal(err)
	}
	got := ids(t, s, trail.Query{})
	if len(got) >= 5 || len(got) == 0 {
		t.Errorf("with segment %d gone: %q", after[0], got)
	}
}

// The old schema's statements (0001), to build a trail as the previous
// version wrote it.
const (
	oldEvent = `INSERT INTO events (account, event_time, event_id, event_name, event_source,
		username, access_key_id, principal, read_only, management, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	oldResource = `INSERT INTO resources (seq, ord, account, management, event_time,
		type, name, owner, type_first, name_first) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// oldTrail builds, at path, a trail.db as the previous version left it
// (its migrations 0001 and 0002, rows inserted by its statements) and a
// journal beside it holding events not yet in the database.
func oldTrail(t *testing.T, path string, rows, journaled []trail.Entry) {
	t.Helper()
	old := fstest.MapFS{}
	for _, name := range []string{"migrations/0001_init.sql", "migrations/0002_retention_by_seq.sql"} {
		b, err := migrationFS.ReadFile(name)
		if err != nil {
			t.Fatalf("the old migrations: %v", err)
		}
		old[name] = &fstest.MapFile{Data: b}
	}
	db, err := sqlitedb.Open(t.Context(), path, sqlitedb.Options{Migrations: old, MigrationTable: migrationTable, MapErr: mapErr})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range rows {
		res, err := db.W.ExecContext(t.Context(), oldEvent, e.Account, e.Time.Unix(), e.EventID, e.EventName, e.EventSource,
			e.Username, e.AccessKeyID, e.Principal, e.ReadOnly, e.Management, e.JSON)
		if err != nil {
			t.Fatal(err)
		}
		seq, _ := res.LastInsertId()
		for i, r := range e.Resources {
			if _, err := db.W.ExecContext(t.Context(), oldResource, seq, i, e.Account, e.Management, e.Time.Unix(), r.Type, r.ARN, r.AccountID, true, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	db.Close()
	var j []byte
	for _, e := range journaled {
		rec, err := trail.AppendRecord(nil, &e)
		if err != nil {
			t.Fatal(err)
		}
		j = append(binary.BigEndian.AppendUint32(j, uint32(len(rec))), rec...)
	}
	if err := os.WriteFile(filepath.Join(filepath.Dir(path), "trail.journal"), j, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A data directory of the previous version opens with every event found
// (rows and journal), the old tables dropped and the journal removed; an
// interrupted conversion (here: the old rows written to a segment, not
// indexed, the rows still in the old tables) finishes with each event once.
func TestUpgrade(t *testing.T) {
	for _, interrupted := range []bool{false, true} {
		t.Run(fmt.Sprint("interrupted=", interrupted), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			var rows []trail.Entry
			var wantIDs []string
			for i := range 10 {
				e := entry(fmt.Sprint("old", i), i)
				e.Management = i != 3
				rows = append(rows, e)
				if e.Management {
					wantIDs = append([]string{e.EventID}, wantIDs...)
				}
			}
			journaled := []trail.Entry{entry("j0", 20), entry("old9", 9)} // old9 also in the rows (replayed)
			wantIDs = append([]string{"j0"}, wantIDs...)
			oldTrail(t, path, rows, journaled)
			if interrupted {
				seg, err := openSegments(filepath.Join(dir, "trail"), 0)
				if err != nil {
					t.Fatal(err)
				}
				half := slices.Clone(rows[:5])
				if _, err := seg.write(half, true); err != nil {
					t.Fatal(err)
				}
				seg.close()
			}
			s, err := Open(t.Context(), path)
			if err != nil {
				t.Fatalf("opening the old trail: %v", err)
			}
			defer s.Close()
			want(t, "after the upgrade", ids(t, s, trail.Query{}), wantIDs...)
			want(t, "a data event", ids(t, s, trail.Query{IncludeData: true, Key: trail.ByEventID, Value: "old3"}), "old3")
			want(t, "by resource", ids(t, s, trail.Query{Key: trail.ByResourceType, Value: "AWS::IAM::User", Start: t0.Add(8 * time.Second), End: t0.Add(9 * time.Second)}), "old9", "old8")
			var n int
			s.db.R.QueryRowContext(t.Context(), `SELECT count(*) FROM sqlite_master WHERE name IN ('events', 'resources')`).Scan(&n)
			if n != 0 {
				t.Errorf("%d old tables left", n)
			}
			if _, err := os.Stat(filepath.Join(dir, "trail.journal")); !os.IsNotExist(err) {
				t.Errorf("the old journal is still there: %v", err)
			}
			s.Close()
			s, err = Open(t.Context(), path)
			if err != nil {
				t.Fatal(err)
			}
			want(t, "reopened", ids(t, s, trail.Query{}), wantIDs...)
		})
	}
}

// A segment as an earlier version wrote it (with pwrite: the file ends
// where its records do) opens, is read, and is written on after its last
// record; every event is found after another reopening.
func TestSegmentOfAnEarlierVersion(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(t.Context(), []trail.Entry{entry("old1", 0), entry("old2", 1)}); err != nil {
		t.Fatal(err)
	}
	_, end := split(s.written)
	s.Close()
	seg := segmentPath(filepath.Join(dir, "trail"), 1)
	if err := os.Truncate(seg, end); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"new1", "new2"} {
		s, err = Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Append(t.Context(), []trail.Entry{entry(id, 2)}); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	s, err = Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want(t, "after reopening", ids(t, s, trail.Query{}), "new2", "new1", "old2", "old1")
	for _, id := range []string{"old1", "new2"} {
		want(t, "by id", ids(t, s, trail.Query{Key: trail.ByEventID, Value: id}), id)
	}
}

// A write that waits for the segment (held by a write that hangs on the
// disk) gives up at its context's deadline, or at the store's timeout
// when its context has none.
func TestWriteWaitForTheSegmentIsBounded(t *testing.T) {
	s, err := OpenWith(t.Context(), filepath.Join(t.TempDir(), FileName), Options{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.seg.lock() // the hung write
	err = s.Write(context.Background(), []trail.Entry{entry("a", 0)})
	if !errors.Is(err, trail.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Write without a deadline = %v, want ErrUnavailable and DeadlineExceeded", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Write(ctx, []trail.Entry{entry("b", 0)}); !errors.Is(err, trail.ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("Write with a canceled context = %v, want ErrUnavailable and Canceled", err)
	}
	s.seg.unlock()
	if err := s.Write(t.Context(), []trail.Entry{entry("c", 0)}); err != nil {
		t.Errorf("Write once the segment is free: %v", err)
	}
}

// Events written one after the other that differ in one of the values
// their postings are keyed by are each found by their own value: the
// indexer gives an event the previous one's posting lists only when
// every key is the same.
func TestIndexTellsNeighboursApart(t *testing.T) {
	ctx := t.Context()
	s, err := OpenWith(ctx, filepath.Join(t.TempDir(), "trail.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other := trail.Resource{ARN: "arn:aws:iam::" + acct + ":user/carol", AccountID: acct, Type: "AWS::IAM::User"}
	changes := []struct {
		name   string
		change func(e *trail.Entry)
		q      trail.Query
	}{
		{"username", func(e *trail.Entry) { e.Username = "dave" }, trail.Query{Key: trail.ByUsername, Value: "dave"}},
		{"event name", func(e *trail.Entry) { e.EventName = "ListUsers" }, trail.Query{Key: trail.ByEventName, Value: "ListUsers"}},
		{"event source", func(e *trail.Entry) { e.EventSource = "sts.amazonaws.com" }, trail.Query{Key: trail.ByEventSource, Value: "sts.amazonaws.com"}},
		{"access key", func(e *trail.Entry) { e.AccessKeyID = "AKIAOTHER" }, trail.Query{Key: trail.ByAccessKeyID, Value: "AKIAOTHER"}},
		{"read only", func(e *trail.Entry) { e.ReadOnly = true }, trail.Query{Key: trail.ByReadOnly, Value: "true"}},
		{"resource name", func(e *trail.Entry) { e.Resources = []trail.Resource{other} }, trail.Query{Key: trail.ByResourceName, Value: other.ARN}},
		{"resource type", func(e *trail.Entry) {
			e.Resources = []trail.Resource{{ARN: e.Resources[0].ARN, Type: "AWS::IAM::Role"}}
		},
			trail.Query{Key: trail.ByResourceType, Value: "AWS::IAM::Role"}},
		{"a second resource", func(e *trail.Entry) { e.Resources = append(e.Resources, other) }, trail.Query{Key: trail.ByResourceName, Value: other.ARN}},
		{"account", func(e *trail.Entry) { e.Account = "444455556666" }, trail.Query{Account: "444455556666"}},
		{"data event", func(e *trail.Entry) { e.Management = false }, trail.Query{Key: trail.ByUsername, Value: "alice"}},
		{"principal", func(e *trail.Entry) { e.Principal = "arn:aws:iam::" + acct + ":user/erin" }, trail.Query{Principal: "arn:aws:iam::" + acct + ":user/erin"}},
	}
	for i, c := range changes {
		base := entry(fmt.Sprintf("base-%d", i), 10*i)
		changed := entry(fmt.Sprintf("changed-%d", i), 10*i)
		c.change(&changed)
		after := entry(fmt.Sprintf("after-%d", i), 10*i)
		if err := s.Write(ctx, []trail.Entry{base, changed, after}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for i, c := range changes {
		q := c.q
		q.Start, q.End = t0.Add(time.Duration(10*i)*time.Second), t0.Add(time.Duration(10*i+1)*time.Second)
		got := ids(t, s, q)
		w := []string{fmt.Sprintf("changed-%d", i)}
		if c.name == "data event" {
			// Alice's management events: not the data event between them.
			w = []string{fmt.Sprintf("after-%d", i), fmt.Sprintf("base-%d", i)}
		}
		want(t, c.name, got, w...)
	}
}
