package trail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"
)

// RecorderOptions configure a Recorder.
type RecorderOptions struct {
	// Queue bounds the calls waiting for a batch (default 4096). When it is
	// full, Record waits: a trail that cannot keep up slows requests down
	// rather than dropping their events.
	Queue int
	// MaxBatch bounds the entries one transaction commits (default 512).
	MaxBatch int
	// Timeout bounds each Append (default 5 s).
	Timeout time.Duration
	// Export, when set, receives every committed entry as one JSON line
	// (--audit-log), after its batch is durable in the store.
	Export io.Writer
	// Log receives the failures of the trail; nil discards them.
	Log *slog.Logger
	// Journal, when set, is the path of the recorder's journal: a request
	// then waits only until its events are appended to it, and they are
	// indexed into the store behind it in large batches (journal.go).
	// Unset, a request waits for the store's commit.
	Journal string
	// JournalSync fsyncs the journal after each batch (an acknowledged
	// event then survives a crash of the machine, not only of the process).
	JournalSync bool
}

// A Recorder writes the events of requests to a Store with group commit:
// the events of concurrent requests are gathered into one transaction, and
// each request waits until its own are durable. The server answers a
// request only after Record returned nil, so an acknowledged request always
// has its event; when the trail cannot be written, Record fails and the
// request is answered with an error instead (fail closed).
type Recorder struct {
	store Store
	opts  RecorderOptions
	queue chan *pending
	done  chan struct{}

	// The journal (nil without one), the batches it holds that the store
	// does not yet, and the counts Flush compares.
	j        *journal
	replay   []Entry
	index    chan []Entry
	kick     chan struct{} // a reader is waiting in Flush
	mu       sync.Mutex
	written  uint64 // entries appended to the journal
	indexed  uint64 // of those, entries in the store
	progress chan struct{}
}

type pending struct {
	entries []Entry
	result  chan error
}

// NewRecorder returns a Recorder over store; Run must be running for Record
// to return. With a journal it opens it: the events a previous process left
// there are indexed when Run starts.
func NewRecorder(store Store, opts RecorderOptions) (*Recorder, error) {
	if opts.Queue <= 0 {
		opts.Queue = 4096
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 512
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	r := &Recorder{store: store, opts: opts, queue: make(chan *pending, opts.Queue), done: make(chan struct{}),
		progress: make(chan struct{})}
	if opts.Journal != "" {
		j, left, err := openJournal(opts.Journal, opts.JournalSync)
		if err != nil {
			return nil, err
		}
		r.j, r.replay, r.index, r.kick = j, left, make(chan []Entry, 4096), make(chan struct{}, 1)
		r.written = uint64(len(left)) // Flush waits for them too
	}
	return r, nil
}

// Record stores entries and returns when they are durable, or with an
// error wrapping ErrUnavailable when they could not be written before ctx
// ended or the store failed.
func (r *Recorder) Record(ctx context.Context, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	stopped := fmt.Errorf("%w: the recorder has stopped", ErrUnavailable)
	select {
	case <-r.done:
		return stopped
	default:
	}
	p := &pending{entries: entries, result: make(chan error, 1)}
	select {
	case r.queue <- p:
	case <-r.done:
		return stopped
	case <-ctx.Done():
		return fmt.Errorf("%w: queue full: %w", ErrUnavailable, ctx.Err())
	}
	select {
	case err := <-p.result:
		return err
	case <-r.done:
		// Run answers every call it took before it returns.
		select {
		case err := <-p.result:
			return err
		default:
			return stopped
		}
	case <-ctx.Done():
		// The batch may still commit; the caller is told it did not.
		return fmt.Errorf("%w: %w", ErrUnavailable, ctx.Err())
	}
}

// Run commits batches until ctx ends, then commits what is queued and
// returns (with a journal, once the indexer has caught up or given up: what
// it could not index stays in the journal for the next start). Calls of
// Record after Run returned fail.
func (r *Recorder) Run(ctx context.Context) {
	defer close(r.done)
	indexed := make(chan struct{})
	if r.j != nil {
		go func() { r.runIndexer(ctx); close(indexed) }()
	} else {
		close(indexed)
	}
	for {
		select {
		case p := <-r.queue:
			r.commit(p)
		case <-ctx.Done():
			for {
				select {
				case p := <-r.queue:
					r.commit(p)
				default:
					if r.j != nil {
						close(r.index)
						<-indexed
						_ = r.j.f.Close()
					}
					return
				}
			}
		}
	}
}

// Flush returns once every event recorded before it was called is in the
// store (at once without a journal), so that a lookup sees its own node's
// requests.
func (r *Recorder) Flush(ctx context.Context) error {
	if r.j == nil {
		return nil
	}
	r.mu.Lock()
	target := r.written
	if r.indexed < target {
		select {
		case r.kick <- struct{}{}:
		default:
		}
	}
	for r.indexed < target {
		ch := r.progress
		r.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("%w: waiting for the trail's index: %w", ErrUnavailable, ctx.Err())
		}
		r.mu.Lock()
	}
	r.mu.Unlock()
	return nil
}

// runIndexer appends the journal's batches to the store, gathering what is
// waiting into one transaction, retrying while the store fails; when
// everything journaled is indexed, the journal is emptied. It first indexes
// what a previous process left in the journal.
func (r *Recorder) runIndexer(ctx context.Context) {
	if len(r.replay) > 0 {
		for start := 0; start < len(r.replay); start += maxIndexBatch {
			r.indexBatch(ctx, r.replay[start:min(start+maxIndexBatch, len(r.replay))])
		}
		r.replay = nil
	}
	for {
		batch, ok := <-r.index
		if !ok {
			return
		}
		// Gather for a while: the store writes each page an index insert
		// dirties once per transaction, so a large batch costs far less
		// per event than many small ones. A reader waiting (Flush) cuts
		// the wait short.
		timer := time.NewTimer(indexDelay)
		closed := false
	gather:
		for len(batch) < maxIndexBatch {
			select {
			case more, ok := <-r.index:
				if !ok {
					closed = true
					break gather
				}
				batch = append(batch, more...)
			case <-r.kick:
				break gather
			case <-timer.C:
				break gather
			}
		}
		timer.Stop()
		r.indexBatch(ctx, batch)
		if closed {
			return
		}
	}
}

// indexDelay is how long the indexer gathers events before writing them,
// unless a reader is waiting; maxIndexBatch bounds one transaction.
const (
	indexDelay    = 250 * time.Millisecond
	maxIndexBatch = 8192
)

// indexBatch appends a batch to the store, retrying with backoff while it
// fails; once ctx has ended it tries a few times more, then leaves the batch
// to the journal.
func (r *Recorder) indexBatch(ctx context.Context, batch []Entry) {
	wait := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), r.opts.Timeout)
		err := r.store.Append(actx, batch)
		cancel()
		if err == nil {
			break
		}
		r.opts.Log.Error("indexing the audit trail failed; the events stay in its journal", "events", len(batch), "attempt", attempt, "err", err)
		if ctx.Err() != nil && attempt >= 3 {
			return
		}
		time.Sleep(wait)
		wait = min(2*wait, 5*time.Second)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.indexed += uint64(len(batch))
	if r.indexed == r.written {
		if err := r.j.empty(); err != nil {
			r.opts.Log.Error("emptying the audit trail's journal", "err", err)
		}
	}
	close(r.progress)
	r.progress = make(chan struct{})
}

// commit writes first and whatever else is queued, up to MaxBatch entries,
// in one transaction, then tells every caller.
func (r *Recorder) commit(first *pending) {
	batch := []*pending{first}
	n := len(first.entries)
gather:
	for n < r.opts.MaxBatch {
		select {
		case p := <-r.queue:
			batch = append(batch, p)
			n += len(p.entries)
		default:
			break gather
		}
	}
	entries := make([]Entry, 0, n)
	for _, p := range batch {
		entries = append(entries, p.entries...)
	}
	var err error
	if r.j != nil {
		err = r.journal(entries)
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), r.opts.Timeout)
		err = r.store.Append(ctx, entries)
		cancel()
	}
	if err != nil {
		if !errors.Is(err, ErrUnavailable) {
			err = fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		r.opts.Log.Error("audit trail write failed; the requests are answered with an error", "events", n, "err", err)
	}
	for _, p := range batch {
		p.result <- err
	}
	if err == nil && r.opts.Export != nil {
		r.export(entries)
	}
}

// journal appends entries to the journal and hands them to the indexer.
func (r *Recorder) journal(entries []Entry) error {
	buf, err := encodeJournal(nil, entries)
	if err != nil {
		return err
	}
	r.mu.Lock()
	err = r.j.append(buf)
	if err == nil {
		r.written += uint64(len(entries))
	}
	r.mu.Unlock()
	if err != nil {
		return err
	}
	r.index <- entries // bounded: an indexer that falls behind slows the recorder down
	return nil
}

// export writes committed entries as JSON lines.
func (r *Recorder) export(entries []Entry) {
	size := 0
	for _, e := range entries {
		size += len(e.JSON) + 1
	}
	buf := make([]byte, 0, size)
	for _, e := range entries {
		buf = append(append(buf, e.JSON...), '\n')
	}
	if _, err := r.opts.Export.Write(buf); err != nil {
		r.opts.Log.Error("audit log export failed (the events are in the trail)", "events", len(entries), "err", err)
	}
}

// Retain deletes events older than keep, now and then every interval, until
// ctx ends.
func Retain(ctx context.Context, store Store, keep, every time.Duration, now func() time.Time, log *slog.Logger) {
	const batch = 10000
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		before := now().Add(-keep)
		for {
			dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			n, err := store.DeleteBefore(dctx, before, batch)
			cancel()
			if err != nil {
				if ctx.Err() == nil && log != nil {
					log.Warn("audit trail retention", "err", err)
				}
				break
			}
			if n == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Reader is the store as the node's readers should see it: every Lookup
// first waits (Flush) for the events this recorder has acknowledged, so a
// report or a lookup includes the requests answered before it.
func (r *Recorder) Reader() Store { return flushingStore{Store: r.store, r: r} }

type flushingStore struct {
	Store
	r *Recorder
}

func (f flushingStore) Lookup(ctx context.Context, q Query) (Page, error) {
	if err := f.r.Flush(ctx); err != nil {
		return Page{}, err
	}
	return f.Store.Lookup(ctx, q)
}
