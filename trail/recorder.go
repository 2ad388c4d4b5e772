package trail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"
)

// RecorderOptions configure a Recorder.
type RecorderOptions struct {
	// Queue bounds the calls waiting for a write (default 4096). When it is
	// full, Record waits: a trail that cannot keep up slows requests down
	// rather than dropping their events.
	Queue int
	// MaxBatch bounds the entries one write holds (default 512).
	MaxBatch int
	// Timeout bounds how long Record waits, when its context has no
	// deadline, for a place in the queue and for its batch, and each
	// Append of a shared batch (default 5 s). A Writer's Write bounds its
	// own waits by the store's timeout.
	Timeout time.Duration
	// Export, when set, receives every committed entry as one JSON line
	// (--audit-log), after its batch is durable in the store.
	Export io.Writer
	// Log receives the failures of the trail; nil discards them.
	Log *slog.Logger
}

// A Recorder writes the events of requests to a Store with group commit:
// the events of concurrent requests are gathered into one write, and each
// request waits until its own are durable. The server answers a request
// only after Record returned nil, so an acknowledged request always has its
// event; when the trail cannot be written, Record fails and the request is
// answered with an error instead (fail closed).
//
// The group commit has no goroutine of its own (leader and followers): the
// first caller that finds no write in progress becomes the writer and
// writes its events with every call queued by then; the callers that come
// while it writes queue theirs, and when the write is done the first of
// them writes the next batch. Over a Writer (trail/sqlite) a write is
// Write: the events are in the store's record when Record returns, and
// indexed behind it; over another Store it is Append.
//
// Over a DirectWriter (trail/sqlite without --audit-fsync) and with no
// Export, there is no group commit: each call is one Write of its own
// events. A batch saves the calls that join it their pwrite, but each of
// them then waits for its leader, and the goroutine switches that waiting
// costs (the wake-up, the scheduler, net/http's background read that runs
// while the handler is parked) cost more than the pwrite.
type Recorder struct {
	store  Store
	writer Writer // store as a Writer, or nil
	opts   RecorderOptions
	// direct: every call writes its own events (a DirectWriter, no
	// Export). live is held shared by those calls and exclusively by Run
	// as it stops them (directStopped).
	direct bool
	live   sync.RWMutex
	// compact: the store takes entries in compact form (a CompactWriter,
	// no Export).
	compact       bool
	directStopped bool
	// slots holds one token per call queued or being written: the bound
	// of the queue.
	slots chan struct{}

	mu      sync.Mutex
	queue   []*pending // calls waiting for a write, oldest first
	writing bool       // a caller is writing (false implies queue is empty)
	stopped bool       // Run has ended: calls fail
	idle    chan struct{}
	done    chan struct{} // closed when Run returns

	// pendings recycles the calls of Record (a struct and a channel per
	// request otherwise).
	pendings sync.Pool
	// batch and entries are the leader's buffers (one leader at a time).
	batch   []*pending
	entries []Entry
}

// pending is one call of Record, waiting for its write.
type pending struct {
	entries []Entry
	wake    chan struct{} // receives once: the call is done, or leads
	lead    bool          // the call writes the next batch
	taken   bool          // the call's entries are in a batch being written
	done    bool          // err is the call's result
	err     error
}

func (r *Recorder) getPending(entries []Entry) *pending {
	p, _ := r.pendings.Get().(*pending)
	if p == nil {
		p = &pending{wake: make(chan struct{}, 1)}
	}
	p.entries = entries
	return p
}

// putPending recycles a call once Record returns, when no leader can
// still reach it: it is answered (done), or it left the queue before a
// batch took it.
func (r *Recorder) putPending(p *pending) {
	select {
	case <-p.wake: // a token the call did not take (woken as it gave up)
	default:
	}
	*p = pending{wake: p.wake}
	r.pendings.Put(p)
}

// NewRecorder returns a Recorder over store. Its error is always nil; it
// is kept for callers that open a recorder as they open a file.
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
	r := &Recorder{store: store, opts: opts, slots: make(chan struct{}, opts.Queue), done: make(chan struct{})}
	r.writer, _ = store.(Writer)
	if dw, ok := store.(DirectWriter); ok && opts.Export == nil {
		r.direct = dw.Direct()
	}
	if cw, ok := store.(CompactWriter); ok && opts.Export == nil {
		r.compact = cw.WritesCompact()
	}
	return r, nil
}

// Compact reports whether the recorder's store takes entries in compact
// form, and no export needs their JSON as they are written: its Builder
// is then to make them so (Builder.Compact).
func (r *Recorder) Compact() bool { return r.compact }

// errStopped is Record's error once Run has ended (made once: Record is on
// every request's path).
var errStopped = fmt.Errorf("%w: the recorder has stopped", ErrUnavailable)

// Record stores entries and returns when they are durable, or with an
// error wrapping ErrUnavailable when they could not be written before ctx
// ended (or, when ctx has no deadline, within the Timeout) or the store
// failed.
func (r *Recorder) Record(ctx context.Context, entries []Entry) error {
	if len(entries) == 0 {
		return nil
	}
	if r.direct {
		return r.recordDirect(ctx, entries)
	}
	// expired is armed (a timer) only when the call must wait and ctx
	// has no deadline.
	var timer *time.Timer
	var expired <-chan time.Time
	arm := func() {
		if _, ok := ctx.Deadline(); !ok && timer == nil {
			timer = time.NewTimer(r.opts.Timeout)
			expired = timer.C
		}
	}
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	select {
	case r.slots <- struct{}{}:
	default:
		arm()
		select {
		case r.slots <- struct{}{}:
		case <-r.done:
			return errStopped
		case <-ctx.Done():
			return fmt.Errorf("%w: queue full: %w", ErrUnavailable, ctx.Err())
		case <-expired:
			return fmt.Errorf("%w: queue full: %w", ErrUnavailable, context.DeadlineExceeded)
		}
	}
	p := r.getPending(entries)
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		<-r.slots
		r.putPending(p)
		return errStopped
	}
	r.queue = append(r.queue, p)
	// lead is this goroutine's copy of p.lead, which other goroutines
	// write under r.mu (handOver, lead).
	lead := false
	if !r.writing {
		r.writing, p.lead, lead = true, true, true
	}
	r.mu.Unlock()
	if !lead {
		arm()
	}
	for {
		if lead {
			// Let the goroutines ready to run reach Record first: under
			// load their calls join this batch, one write for all
			// (a write per call costs a system call each); alone, the
			// leader goes on at once.
			runtime.Gosched()
			r.lead(ctx)
			// The leader's own call is in the first batch it writes.
			err := p.err
			r.putPending(p)
			return err
		}
		select {
		case <-p.wake:
			r.mu.Lock()
			isDone, isLead, err := p.done, p.lead, p.err
			r.mu.Unlock()
			if isDone {
				r.putPending(p)
				return err
			}
			lead = isLead // woken to lead
		case <-ctx.Done():
			return r.abandon(p, ctx.Err())
		case <-expired:
			return r.abandon(p, context.DeadlineExceeded)
		}
	}
}

// recordDirect is Record over a DirectWriter: one Write of the call's
// own entries.
func (r *Recorder) recordDirect(ctx context.Context, entries []Entry) error {
	r.live.RLock()
	defer r.live.RUnlock()
	if r.directStopped {
		return errStopped
	}
	return r.failed(r.writer.Write(ctx, entries), len(entries))
}

// failed is a write's error as Record returns it (wrapping
// ErrUnavailable), logged; nil stays nil.
func (r *Recorder) failed(err error, events int) error {
	if err == nil {
		return nil
	}
	if !errors.Is(err, ErrUnavailable) {
		err = fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	r.opts.Log.Error("audit trail write failed; the requests are answered with an error", "events", events, "err", err)
	return err
}

// abandon is a waiting call whose context ended or whose wait expired
// (cause): when its entries are not yet being written it leaves the queue
// (and, were it the next leader, passes the lead on); otherwise the batch
// may still commit, and the caller is told it did not.
//
// A call still in a batch being written is not recycled: the batch's
// leader answers it later.
func (r *Recorder) abandon(p *pending, cause error) error {
	r.mu.Lock()
	if p.done {
		err := p.err
		r.mu.Unlock()
		r.putPending(p)
		return err
	}
	taken := p.taken
	if !taken {
		if i := slices.Index(r.queue, p); i >= 0 {
			r.queue = slices.Delete(r.queue, i, i+1)
			<-r.slots
		}
		if p.lead {
			r.handOver()
		}
	}
	r.mu.Unlock()
	if !taken {
		r.putPending(p)
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, cause)
}

// handOver passes the lead to the first queued call, or ends the writing.
// r.mu is held.
func (r *Recorder) handOver() {
	if len(r.queue) > 0 {
		next := r.queue[0]
		next.lead = true
		next.wake <- struct{}{}
		return
	}
	r.writing = false
	if r.idle != nil {
		close(r.idle)
		r.idle = nil
	}
}

// lead writes one batch: the queued calls from the first, up to MaxBatch
// entries; then answers them, exports the batch, and passes the lead on.
// ctx is the leader's: a batch of its own call only is written under it,
// one shared with other calls under the recorder's Timeout only (one
// caller's deadline does not fail the others).
func (r *Recorder) lead(ctx context.Context) {
	r.mu.Lock()
	n := 0
	k := 0
	for k < len(r.queue) && (k == 0 || n+len(r.queue[k].entries) <= r.opts.MaxBatch) {
		n += len(r.queue[k].entries)
		r.queue[k].taken = true
		k++
	}
	// The batch and its entries are in the leader's buffers: one leader
	// at a time uses them, and the next leads only after handOver.
	batch := append(r.batch[:0], r.queue[:k]...)
	r.queue = slices.Delete(r.queue, 0, k)
	r.mu.Unlock()

	var entries []Entry
	wctx := ctx
	if len(batch) == 1 {
		entries = batch[0].entries
	} else {
		entries = r.entries[:0]
		for _, p := range batch {
			entries = append(entries, p.entries...)
		}
		wctx = context.WithoutCancel(ctx)
	}
	var err error
	if r.writer != nil {
		// A Writer bounds its own waits (by the store's timeout).
		err = r.writer.Write(wctx, entries)
	} else {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(wctx, r.opts.Timeout)
		err = r.store.Append(wctx, entries)
		cancel()
	}
	err = r.failed(err, n)
	var export []byte
	if err == nil && r.opts.Export != nil {
		// Copied before the calls are answered (their callers may then
		// reuse the entries' JSON: Builder.Release); written after, so
		// that a slow audit log does not hold the batch's responses, and
		// before the next batch (the export keeps the order).
		export = exportLines(entries)
	}
	r.mu.Lock()
	for _, p := range batch {
		p.done, p.err, p.lead = true, err, false
		select {
		case p.wake <- struct{}{}:
		default:
		}
	}
	r.mu.Unlock()
	for range batch {
		<-r.slots
	}
	if export != nil {
		if _, err := r.opts.Export.Write(export); err != nil {
			r.opts.Log.Error("audit log export failed (the events are in the trail)", "events", n, "err", err)
		}
	}
	if len(batch) > 1 && cap(entries) <= maxKeptBatch {
		clear(entries)
		r.entries = entries[:0]
	}
	if cap(batch) <= maxKeptBatch {
		clear(batch)
		r.batch = batch[:0]
	}
	r.mu.Lock()
	r.handOver()
	r.mu.Unlock()
}

// maxKeptBatch bounds the leader's buffers kept for the next batch.
const maxKeptBatch = 4096

// Run returns when ctx ends, once the writes in progress and queued are
// done; calls of Record after that fail. Record does not need Run: it is
// the recorder's lifetime.
func (r *Recorder) Run(ctx context.Context) {
	<-ctx.Done()
	// The direct calls in progress end first; those after fail.
	r.live.Lock()
	r.directStopped = true
	r.live.Unlock()
	r.mu.Lock()
	r.stopped = true
	var idle chan struct{}
	if r.writing {
		idle = make(chan struct{})
		r.idle = idle
	}
	r.mu.Unlock()
	if idle != nil {
		<-idle
	}
	close(r.done)
}

// Flush returns once every event recorded before it was called is
// indexed (at once for a store without a Writer's record), so that a
// lookup sees its own node's requests.
func (r *Recorder) Flush(ctx context.Context) error {
	if r.writer == nil {
		return nil
	}
	return r.writer.Flush(ctx)
}

// exportLines is committed entries as JSON lines, in a buffer of their own.
func exportLines(entries []Entry) []byte {
	size := 0
	for i := range entries {
		size += len(entries[i].JSON) + 2*len(entries[i].Compact) + 1
	}
	buf := make([]byte, 0, size)
	for i := range entries {
		buf = append(append(buf, entries[i].RecordJSON()...), '\n')
	}
	return buf
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
