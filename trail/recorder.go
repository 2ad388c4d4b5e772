package trail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
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
}

type pending struct {
	entries []Entry
	result  chan error
}

// NewRecorder returns a Recorder over store; Run must be running for Record
// to return.
func NewRecorder(store Store, opts RecorderOptions) *Recorder {
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
	return &Recorder{store: store, opts: opts, queue: make(chan *pending, opts.Queue), done: make(chan struct{})}
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
// returns. Calls of Record after Run returned fail.
func (r *Recorder) Run(ctx context.Context) {
	defer close(r.done)
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
					return
				}
			}
		}
	}
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
	ctx, cancel := context.WithTimeout(context.Background(), r.opts.Timeout)
	err := r.store.Append(ctx, entries)
	cancel()
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
			if n < batch {
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
