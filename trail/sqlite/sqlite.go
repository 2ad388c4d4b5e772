package sqlite

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gatehouse-iam/gatehouse/internal/sqlitedb"
	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/gatehouse-iam/gatehouse/trail/internal/trailsql"
)

// FileName is the name the server gives the trail's database file inside
// its data directory.
const FileName = "trail.db"

// backend prefixes this package's errors.
const backend = "trail/sqlite"

// Options tune a Store. The zero value is valid.
type Options struct {
	// Timeout bounds every call whose context has no deadline; zero means
	// five seconds (the store's default).
	Timeout time.Duration
	// Sync fsyncs the segment before Write returns (--audit-fsync): an
	// event then survives a crash of the machine, not only of the
	// process. Unset, a segment is fsynced before its records are indexed,
	// a fraction of a second later. Append always syncs.
	Sync bool
	// SegmentSize is the size past which a new segment is begun (zero:
	// DefaultSegmentSize).
	SegmentSize int64
	// Log receives the indexer's failures; nil discards them.
	Log *slog.Logger
}

// Store is a trail.Store whose records are kept in segment files and
// whose indexes are kept in a SQLite database file.
type Store struct {
	db      sqlitedb.DB // the writer (BEGIN IMMEDIATE) and the read-only pool
	seg     *segments
	timeout time.Duration
	sync    bool
	log     *slog.Logger
	closed  atomic.Bool
	// appendMu makes Appends one at a time (their lookups of the ids
	// stored already, then their writes).
	appendMu sync.Mutex

	mu       sync.Mutex
	queue    []item        // written, not yet indexed, in order
	written  int64         // the address after the last record written
	indexed  int64         // the address after the last record indexed
	progress chan struct{} // closed (and replaced) when indexed moves
	more     chan struct{} // the queue has entries
	kick     chan struct{} // a reader waits
	stop     chan struct{} // Close
	stopped  chan struct{} // the indexer has returned

	// scratchMu guards scratch, index's posting lists kept from one
	// batch to the next (their sequence slices reused: growing them anew
	// for every batch was most of the garbage the trail made per event).
	scratchMu sync.Mutex
	scratch   indexScratch
}

// indexScratch is what index builds a batch's posting lists in.
type indexScratch struct {
	lists []postingList
	at    map[postingKey]int
}

// postingList is one posting key's sequence numbers in a batch.
type postingList struct {
	key  postingKey
	seqs []int64
}

// add returns the index of a new list for key in sc.lists, reusing the
// sequence slice a list at that place had in an earlier batch.
func (sc *indexScratch) add(key postingKey) int {
	n := len(sc.lists)
	if n < cap(sc.lists) {
		sc.lists = sc.lists[:n+1]
		sc.lists[n].key, sc.lists[n].seqs = key, sc.lists[n].seqs[:0]
	} else {
		sc.lists = append(sc.lists, postingList{key: key})
	}
	sc.at[key] = n
	return n
}

// maxKeptQueue bounds the capacity of the indexer's queue kept once it
// is empty: kept, the writes of the next batch append to it without
// allocating.
const maxKeptQueue = maxIndexBatch

// maxKeptLists bounds the posting lists (and so the sequence slices) kept
// between batches: a burst of many distinct keys is not held on to.
const maxKeptLists = 4096

var (
	_ trail.Store        = (*Store)(nil)
	_ trail.DirectWriter = (*Store)(nil)
)

// Direct implements trail.DirectWriter: a write is one pwrite of its
// records, unless every write is fsynced (Options.Sync), which group
// commit amortizes.
func (s *Store) Direct() bool { return !s.sync }

// WritesCompact implements trail.CompactWriter: entries in compact form
// are kept as compact records, their JSON rendered when they are read.
func (s *Store) WritesCompact() bool { return true }

// dialect is SQLite's, for the statements trail/internal/trailsql builds
// (upgrade.go reads the tables of earlier versions with them).
var dialect = trailsql.Dialect{Arg: trailsql.QuestionMark, Events: "events", Resources: "resources", True: "1"}

// Open opens (creating if needed, with mode 0600, and its directory with
// mode 0700) the trail's database file at path and its segments beside it
// (DIR/trail/ for DIR/trail.db), brings the schema up to date, indexes
// what was written but not indexed (truncating a torn tail) and converts
// the trail of an earlier version. It is OpenWith with the default options.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opts Options) (*Store, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = trailsql.DefaultTimeout
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	db, err := sqlitedb.Open(ctx, path, sqlitedb.Options{
		Migrations: migrationFS, MigrationTable: migrationTable, MapErr: mapErr,
		// A 4 MiB page cache for the writer (the indexer): each page costs
		// about twice its size outside the Go heap (modernc's allocator),
		// and a full cache stays resident; 64 MiB held ~90 MB after 200,000
		// requests, 16 MiB ~30 MB (server BenchmarkPrincipalsRSS,
		// bench/results/REQUEST_PATH.md, "#17 memory, session 10").
		WriterPragmas: []string{"cache_size(-4096)"},
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", backend, err)
	}
	dir := filepath.Join(filepath.Dir(path), strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	seg, err := openSegments(dir, opts.SegmentSize)
	if err != nil {
		_ = db.Close() // the error returned is the one that matters
		return nil, err
	}
	s := &Store{db: db, seg: seg, timeout: timeout, sync: opts.Sync, log: opts.Log,
		progress: make(chan struct{}), more: make(chan struct{}, 1), kick: make(chan struct{}, 1),
		stop: make(chan struct{}), stopped: make(chan struct{})}
	// Opening may convert a large trail: it is bounded by the caller's
	// context only.
	if err := s.recover(ctx); err != nil {
		_ = s.seg.close() // the error returned is the one that matters
		_ = db.Close()
		return nil, err
	}
	if err := s.upgrade(ctx, filepath.Join(filepath.Dir(path), "trail.journal")); err != nil {
		_ = s.seg.close() // the error returned is the one that matters
		_ = db.Close()
		return nil, err
	}
	go s.runIndexer()
	return s, nil
}

// recover reads the high-water mark and indexes every record written
// after it, truncating a torn or corrupt tail of the newest segment; then
// replays the ring (what was written but not yet flushed to the segments
// when the process ended) and indexes that too, and opens the ring anew.
func (s *Store) recover(ctx context.Context) error {
	var hwm int64
	err := s.db.W.QueryRowContext(ctx, `SELECT value FROM trail_state WHERE name = 'indexed'`).Scan(&hwm)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return mapErr(ctx, err, "read the high-water mark")
	}
	s.written, s.indexed = hwm, hwm
	if err := s.indexFrom(ctx, hwm); err != nil {
		return err
	}
	gen, replayed, from, stranded, err := s.seg.replayRing()
	if err != nil {
		return err
	}
	if stranded > 0 {
		s.log.Error("the audit trail's ring holds entries past a gap; they are not replayed", "entries", stranded, "from", from)
	}
	if replayed {
		s.log.Info("the audit trail's ring held events not yet in its segments; they are written there", "from", from)
		if err := s.indexFrom(ctx, from); err != nil {
			return err
		}
	}
	if !s.sync {
		if err := s.seg.openRing(gen + 1); err != nil {
			s.log.Warn("the audit trail's ring cannot be mapped; every write goes to its segment", "err", err)
		}
		s.seg.startFlusher(s.log)
	}
	return nil
}

// indexFrom indexes the records of the segments from address from on,
// truncating a torn or corrupt tail of the newest segment.
func (s *Store) indexFrom(ctx context.Context, from int64) error {
	nums, err := s.seg.list()
	if err != nil {
		return err
	}
	hnum, hoff := split(from)
	for i, n := range nums {
		if n < hnum {
			continue
		}
		off := int64(0)
		if n == hnum {
			off = hoff
		}
		items, good, torn, err := s.seg.scan(n, off)
		if err != nil {
			return err
		}
		if torn {
			if i == len(nums)-1 {
				s.log.Warn("the audit trail's last segment ends with a torn record; it is cut off", "segment", n, "offset", good)
				if err := s.seg.truncate(n, good); err != nil {
					return err
				}
			} else {
				s.log.Error("an audit trail segment holds a corrupt record; what follows it in the segment is not indexed", "segment", n, "offset", good)
			}
		}
		for len(items) > 0 {
			k := min(len(items), maxIndexBatch)
			if err := s.index(ctx, items[:k], nil); err != nil {
				return err
			}
			items = items[k:]
		}
	}
	return nil
}

// Close stops the indexer (what it has not indexed is indexed at the next
// Open) and closes the files. It is safe to call more than once; calls
// after it fail with trail.ErrUnavailable.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	close(s.stop)
	<-s.stopped
	err := s.seg.close()
	return errors.Join(err, s.db.Close())
}

// start bounds a call's context and reports a call that cannot run: the
// store is closed, or ctx is done already.
func (s *Store) start(ctx context.Context, op string) (context.Context, context.CancelFunc, error) {
	if err := s.usable(ctx, op); err != nil {
		return ctx, func() {}, err
	}
	ctx, cancel := trailsql.WithTimeout(ctx, s.timeout)
	return ctx, cancel, nil
}

// usable reports a call that cannot run: the store is closed, or ctx is
// done already.
func (s *Store) usable(ctx context.Context, op string) error {
	if s.closed.Load() {
		return fmt.Errorf("%s: %s: the store is closed: %w", backend, op, trail.ErrUnavailable)
	}
	return trailsql.Done(ctx, backend, op, nil)
}

// maxQueued bounds the entries written but not yet indexed that the store
// holds in memory: past it, Write waits for the indexer (a trail that
// cannot keep up slows requests down).
const maxQueued = 1 << 16

// Write implements trail.Writer: the entries' records are appended to the
// current segment in one write (fsynced with Options.Sync) and handed to
// the indexer. An entry whose id is locatable (trail.NewEventID's: fresh
// for every event) is trusted to be new, and indexed without a lookup; an
// entry with another id that is indexed already keeps its record but is
// not indexed again.
func (s *Store) Write(ctx context.Context, entries []trail.Entry) error {
	return s.write(ctx, entries, s.sync)
}

func (s *Store) write(ctx context.Context, entries []trail.Entry, sync bool) error {
	// No timer unless the write must wait for the indexer (below): the
	// segment's write itself cannot be interrupted, and a timer per
	// request's batch costs more than the write.
	if err := s.usable(ctx, "write"); err != nil {
		return err
	}
	for i := range entries {
		if err := trailsql.CheckEntry(&entries[i]); err != nil {
			return fmt.Errorf("%s: write: %w", backend, err)
		}
	}
	if len(entries) == 0 {
		return nil
	}
	// Bounded queue: wait while the indexer is far behind, for as long
	// as the store's timeout when ctx has no deadline.
	s.mu.Lock()
	if len(s.queue) >= maxQueued {
		wctx, cancel := trailsql.WithTimeout(ctx, s.timeout)
		defer cancel()
		for len(s.queue) >= maxQueued {
			ch := s.progress
			s.mu.Unlock()
			select {
			case <-ch:
			case <-wctx.Done():
				return trailsql.Done(wctx, backend, "write: waiting for the indexer", nil)
			}
			s.mu.Lock()
		}
	}
	s.mu.Unlock()
	// Framed before the writer's lock: held, it is a copy into the ring.
	f, err := s.seg.frameAll(entries)
	if err != nil {
		return err
	}
	defer s.seg.putFramed(f)
	if err := s.seg.lockCtx(ctx, s.timeout); err != nil {
		return err
	}
	defer s.seg.unlock()
	items, err := s.seg.writeLocked(ctx, entries, f, sync, s.timeout)
	if err != nil {
		return err
	}
	// Queued under the writer's lock: the indexer's queue is in address
	// order (its high-water mark says everything before it is indexed).
	s.mu.Lock()
	before := len(s.queue)
	s.queue = append(s.queue, items...)
	s.written = items[len(items)-1].end
	// Wake the indexer only when it waits for entries (the queue was
	// empty) or when its gathering can end (the queue reached a batch):
	// waking it for every write cost every request a goroutine switch.
	wake := before == 0 || (before < maxIndexBatch && len(s.queue) >= maxIndexBatch)
	s.mu.Unlock()
	if wake {
		select {
		case s.more <- struct{}{}:
		default:
		}
	}
	return nil
}

// Append implements trail.Store: Write, synced, then Flush. An entry whose
// EventID is stored already is not stored again: one whose id is
// locatable (trail.NewEventID's) is looked up first and not written (its
// Seq stays 0); another's record is written but not indexed (its Seq is
// set all the same, and never found). Appends run one at a time.
func (s *Store) Append(ctx context.Context, entries []trail.Entry) error {
	s.appendMu.Lock()
	defer s.appendMu.Unlock()
	for i := range entries {
		if err := trailsql.CheckEntry(&entries[i]); err != nil {
			return fmt.Errorf("%s: append: %w", backend, err)
		}
	}
	keep, err := s.fresh(ctx, entries)
	if err != nil {
		return err
	}
	if len(keep) == len(entries) {
		if err := s.write(ctx, entries, true); err != nil {
			return err
		}
	} else if len(keep) > 0 {
		sub := make([]trail.Entry, len(keep))
		for j, i := range keep {
			sub[j] = entries[i]
		}
		if err := s.write(ctx, sub, true); err != nil {
			return err
		}
		for j, i := range keep {
			entries[i].Seq = sub[j].Seq
		}
	}
	return s.Flush(ctx)
}

// fresh returns the indexes of the entries to write: all but those whose
// locatable id is stored already or earlier in entries.
func (s *Store) fresh(ctx context.Context, entries []trail.Entry) ([]int, error) {
	keep := make([]int, 0, len(entries))
	some := false
	for i := range entries {
		some = some || locatable(&entries[i])
	}
	if !some {
		for i := range entries {
			keep = append(keep, i)
		}
		return keep, nil
	}
	if err := s.Flush(ctx); err != nil {
		return nil, err
	}
	ctx, cancel, err := s.start(ctx, "append")
	defer cancel()
	if err != nil {
		return nil, err
	}
	tx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, mapErr(ctx, err, "append: begin lookup")
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to lose
	seen := map[string]bool{}
	for i := range entries {
		e := &entries[i]
		if !locatable(e) {
			keep = append(keep, i)
			continue
		}
		if seen[e.EventID] {
			continue
		}
		seen[e.EventID] = true
		_, found, err := s.findEventID(ctx, tx, e.Account, e.EventID)
		if err != nil {
			return nil, err
		}
		if !found {
			keep = append(keep, i)
		}
	}
	return keep, nil
}

// Flush implements trail.Writer.
func (s *Store) Flush(ctx context.Context) error {
	ctx, cancel, err := s.start(ctx, "flush")
	defer cancel()
	if err != nil {
		return err
	}
	s.mu.Lock()
	target := s.written
	if s.indexed < target {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	for s.indexed < target {
		ch := s.progress
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return trailsql.Done(ctx, backend, "waiting for the index", nil)
		case <-s.stopped:
			return fmt.Errorf("%s: the store is closed: %w", backend, trail.ErrUnavailable)
		}
		s.mu.Lock()
	}
	s.mu.Unlock()
	return nil
}

// indexDelay is how long the indexer gathers records before indexing
// them, unless a reader is waiting; maxIndexBatch bounds one transaction.
const (
	indexDelay    = 250 * time.Millisecond
	maxIndexBatch = 8192
)

// runIndexer indexes the queue in batches until Close.
func (s *Store) runIndexer() {
	defer close(s.stopped)
	wait := 100 * time.Millisecond
	for {
		s.mu.Lock()
		n := len(s.queue)
		s.mu.Unlock()
		if n == 0 {
			select {
			case <-s.more:
			case <-s.stop:
				return
			}
		}
		// Gather for a while: a large batch costs far less per event.
		if n < maxIndexBatch {
			timer := time.NewTimer(indexDelay)
		gather:
			for {
				select {
				case <-s.kick:
					break gather
				case <-timer.C:
					break gather
				case <-s.stop:
					timer.Stop()
					return
				case <-s.more:
					s.mu.Lock()
					n = len(s.queue)
					s.mu.Unlock()
					if n >= maxIndexBatch {
						break gather
					}
				}
			}
			timer.Stop()
		}
		s.mu.Lock()
		batch := s.queue[:min(len(s.queue), maxIndexBatch)]
		s.mu.Unlock()
		if len(batch) == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), max(s.timeout, 30*time.Second))
		err := s.index(ctx, batch, nil)
		cancel()
		if err != nil {
			s.log.Error("indexing the audit trail failed; the events stay in its segments", "events", len(batch), "err", err)
			select {
			case <-time.After(wait):
			case <-s.stop:
				return
			}
			wait = min(2*wait, 5*time.Second)
			continue
		}
		wait = 100 * time.Millisecond
		s.mu.Lock()
		s.queue = slices.Delete(s.queue, 0, len(batch))
		if len(s.queue) == 0 && cap(s.queue) > maxKeptQueue {
			s.queue = nil // a burst's buffer is not held on to
		}
		s.mu.Unlock()
	}
}

// The lookup attributes as the postings table numbers them.
const (
	attrAll = iota
	attrEventName
	attrReadOnly
	attrUsername
	attrEventSource
	attrAccessKeyID
	attrPrincipal
	attrResourceType
	attrResourceName
)

var attrOf = map[trail.AttributeKey]int{
	"": attrAll, trail.ByEventName: attrEventName, trail.ByReadOnly: attrReadOnly, trail.ByUsername: attrUsername,
	trail.ByEventSource: attrEventSource, trail.ByAccessKeyID: attrAccessKeyID,
	trail.ByResourceType: attrResourceType, trail.ByResourceName: attrResourceName,
}

// postingKey is a posting row's key but its first seq.
type postingKey struct {
	account    string
	management bool
	attr       int
	value      string
	sec        int64
}

// keys returns the posting keys of e: one per attribute, a resource type
// or name once however many of its resources have it.
// They are appended to out (the indexer reuses one slice for every event).
func keys(out []postingKey, it *item) []postingKey {
	k := func(attr int, v string) postingKey {
		return postingKey{account: it.account, management: it.management, attr: attr, value: v, sec: it.sec}
	}
	out = append(out, k(attrAll, ""), k(attrEventName, it.eventName), k(attrReadOnly, strconv.FormatBool(it.readOnly)),
		k(attrUsername, it.username), k(attrEventSource, it.eventSource), k(attrAccessKeyID, it.accessKeyID))
	if it.principal != "" {
		out = append(out, k(attrPrincipal, it.principal))
	}
	for i, r := range it.resources {
		seenType, seenName := false, false
		for _, p := range it.resources[:i] {
			seenType = seenType || p.Type == r.Type
			seenName = seenName || p.ARN == r.ARN
		}
		if !seenType {
			out = append(out, k(attrResourceType, r.Type))
		}
		if !seenName {
			out = append(out, k(attrResourceName, r.ARN))
		}
	}
	return out
}

// sameKeys reports whether a and b have the same posting keys: they agree
// on everything keys reads.
func sameKeys(a, b *item) bool {
	if a.sec != b.sec || a.management != b.management || a.readOnly != b.readOnly || a.account != b.account ||
		a.eventName != b.eventName || a.username != b.username || a.eventSource != b.eventSource ||
		a.accessKeyID != b.accessKeyID || a.principal != b.principal || len(a.resources) != len(b.resources) {
		return false
	}
	for i := range a.resources {
		if a.resources[i].ARN != b.resources[i].ARN || a.resources[i].Type != b.resources[i].Type {
			return false
		}
	}
	return true
}

// encodeSeqs is a posting row's seqs: ascending, delta-varint.
func encodeSeqs(seqs []int64) []byte {
	buf := make([]byte, 0, 2*len(seqs)+8)
	prev := int64(0)
	for _, q := range seqs {
		buf = binary.AppendUvarint(buf, uint64(q-prev))
		prev = q
	}
	return buf
}

// decodeSeqs appends the seqs of a posting row to out.
func decodeSeqs(out []int64, b []byte) ([]int64, error) {
	prev := int64(0)
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 {
			return out, fmt.Errorf("%s: a malformed posting list", backend)
		}
		prev += int64(d)
		out = append(out, prev)
		b = b[n:]
	}
	return out, nil
}

// locatable reports whether e's EventID says the second e happened in
// (trail.NewEventID's ids): a lookup by such an id reads that second's
// postings (lookup.go), so the id needs no row of its own in event_ids.
// Other ids (an earlier version's random UUIDs, a caller's own) have one.
func locatable(e *trail.Entry) bool {
	sec, ok := trail.EventIDSecond(e.EventID)
	return ok && sec == trailsql.Seconds(e.Time)
}

// index writes the postings, event ids (of entries not locatable),
// segments and high-water mark of items in one transaction (after the
// segments holding them are synced), and runs also, when set, in that
// transaction.
func (s *Store) index(ctx context.Context, items []item, also func(ctx context.Context, tx *sql.Tx) error) error {
	end := items[len(items)-1].end
	if err := s.seg.syncTo(end); err != nil {
		return err
	}
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(ctx, err, "begin index")
	}
	committed := false
	defer func() {
		if !committed {
			tx.Rollback() //nolint:errcheck // the error returned is the one that matters
		}
	}()
	// Statements run under a context that is never done (no interrupt
	// goroutine per statement); ctx is checked between them.
	sctx := context.WithoutCancel(ctx)
	var ins *sql.Stmt // prepared at the first event id to insert
	defer func() {
		if ins != nil {
			ins.Close() //nolint:errcheck // a statement of a transaction that ends anyway
		}
	}()
	// The batch's posting lists in their first key's order; at finds a
	// key's list. Consecutive events mostly share their keys (one
	// caller, one operation, one second): recent[j] is the list the j-th
	// key of the previous event went to, compared before the map is.
	s.scratchMu.Lock()
	defer s.scratchMu.Unlock()
	sc := &s.scratch
	if sc.at == nil {
		sc.at = map[postingKey]int{}
	}
	sc.lists = sc.lists[:0]
	clear(sc.at)
	defer func() {
		if cap(sc.lists) > maxKeptLists {
			sc.lists, sc.at = nil, nil
		}
	}()
	var (
		ks     []postingKey
		recent [16]int
		// prev is the last event indexed, prevLists the lists its keys
		// went to: an event with the same keys (sameKeys: one caller,
		// one operation, one second, the usual run) goes to them.
		prev      *item
		prevLists []int
	)
	type segInfo struct{ first, last, maxTime int64 }
	segs := map[int64]*segInfo{}
	for i := range items {
		if i%256 == 0 {
			if err := trailsql.Done(ctx, backend, "index", nil); err != nil {
				return err
			}
		}
		it := &items[i]
		num, _ := split(it.seq)
		if si, ok := segs[num]; ok {
			si.last, si.maxTime = it.seq, max(si.maxTime, it.sec)
		} else {
			segs[num] = &segInfo{first: it.seq, last: it.seq, maxTime: it.sec}
		}
		if !it.located {
			if ins == nil {
				if ins, err = tx.PrepareContext(sctx, `INSERT INTO event_ids (id, seq) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`); err != nil {
					return mapErr(ctx, err, "prepare insert event id")
				}
			}
			res, err := ins.ExecContext(sctx, it.eventID, it.seq)
			if err != nil {
				return mapErr(ctx, err, "insert event id")
			}
			if n, err := res.RowsAffected(); err != nil {
				return mapErr(ctx, err, "insert event id")
			} else if n == 0 {
				continue // written twice: indexed once
			}
		}
		if prev != nil && sameKeys(prev, it) {
			// The previous event's keys: its lists, without making them.
			for _, n := range prevLists {
				sc.lists[n].seqs = append(sc.lists[n].seqs, it.seq)
			}
			prev = it
			continue
		}
		ks = keys(ks[:0], it)
		prevLists = prevLists[:0]
		for j, k := range ks {
			var n int
			if j < len(recent) && recent[j] < len(sc.lists) && sc.lists[recent[j]].key == k {
				n = recent[j]
			} else {
				var ok bool
				if n, ok = sc.at[k]; !ok {
					n = sc.add(k)
				}
				if j < len(recent) {
					recent[j] = n
				}
			}
			sc.lists[n].seqs = append(sc.lists[n].seqs, it.seq)
			prevLists = append(prevLists, n)
		}
		prev = it
	}
	post, err := tx.PrepareContext(sctx, `INSERT INTO postings (account, management, attr, value, sec, first, seqs)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return mapErr(ctx, err, "prepare insert posting")
	}
	defer post.Close() //nolint:errcheck // a statement of a transaction that ends anyway
	for _, l := range sc.lists {
		k, seqs := l.key, l.seqs
		if _, err := post.ExecContext(sctx, k.account, k.management, k.attr, k.value, k.sec, seqs[0], encodeSeqs(seqs)); err != nil {
			return mapErr(ctx, err, "insert posting")
		}
	}
	for num, si := range segs {
		if _, err := tx.ExecContext(sctx, `INSERT INTO segments (number, first_seq, last_seq, max_time) VALUES (?, ?, ?, ?)
			ON CONFLICT (number) DO UPDATE SET first_seq = min(first_seq, excluded.first_seq),
			last_seq = max(last_seq, excluded.last_seq), max_time = max(max_time, excluded.max_time)`,
			num, si.first, si.last, si.maxTime); err != nil {
			return mapErr(ctx, err, "update segments")
		}
	}
	if _, err := tx.ExecContext(sctx, `INSERT INTO trail_state (name, value) VALUES ('indexed', ?)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value`, end); err != nil {
		return mapErr(ctx, err, "update the high-water mark")
	}
	if also != nil {
		if err := also(sctx, tx); err != nil {
			return err
		}
	}
	if err := trailsql.Done(ctx, backend, "commit abandoned, the context is done", nil); err != nil {
		return err
	}
	committed = true
	if err := tx.Commit(); err != nil {
		return mapErr(ctx, err, "commit index")
	}
	s.mu.Lock()
	s.indexed = max(s.indexed, end)
	s.written = max(s.written, end)
	close(s.progress)
	s.progress = make(chan struct{})
	s.mu.Unlock()
	return nil
}

// mapErr wraps a driver error with its operation: a statement interrupted
// because ctx is done, or one that waited past busy_timeout for another
// process's lock (SQLITE_BUSY, SQLITE_LOCKED), wraps trail.ErrUnavailable.
// The driver error stays wrapped.
func mapErr(ctx context.Context, err error, op string) error {
	if done := trailsql.Done(ctx, backend, op, err); done != nil {
		return done
	}
	var se *sqlitedrv.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%s: %s: %w: %w", backend, op, trail.ErrUnavailable, err)
		}
	}
	return fmt.Errorf("%s: %s: %w", backend, op, err)
}
