package cloudtrail_test

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/gatehouse-iam/gatehouse/trail/trailtest"
)

// memStore is a trail.Store in memory that keeps the interface's contract
// (TestMemStoreConformance runs the backends' suite on it): Append assigns
// Seq in order, keeps times to the second in UTC and stores an EventID
// once; Lookup filters by account, attribute, principal, inclusive time
// bounds and management/data, lists Time descending then Seq descending,
// continues strictly after a cursor, and returns a Next cursor exactly
// when more entries follow; a done context is trail.ErrUnavailable.
type memStore struct {
	mu      sync.Mutex
	entries []trail.Entry
	seq     int64
	// fail, when set, is what Lookup returns.
	fail error
	// lookups counts the calls of Lookup.
	lookups int
	// closed is set by Close: every call after it is unavailable.
	closed bool
}

// unusable is the error of a call on a closed store or under a done
// context.
func (m *memStore) unusable(ctx context.Context) error {
	m.mu.Lock()
	closed := m.closed
	m.mu.Unlock()
	if closed {
		return fmt.Errorf("memstore: %w: closed", trail.ErrUnavailable)
	}
	return done(ctx)
}

// done is the error of a call under a done context.
func done(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %w: %w", trail.ErrUnavailable, err)
	}
	return nil
}

func (m *memStore) Append(ctx context.Context, entries []trail.Entry) error {
	if err := m.unusable(ctx); err != nil {
		return err
	}
	for _, e := range entries {
		if e.Account == "" || e.EventID == "" {
			return errors.New("memstore: an entry needs an account and an event id")
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, e := range entries {
		if slices.ContainsFunc(m.entries, func(x trail.Entry) bool { return x.EventID == e.EventID }) {
			continue
		}
		m.seq++
		e.Seq = m.seq
		e.Time = e.Time.UTC().Truncate(time.Second)
		e.JSON, e.Compact = bytes.Clone(e.RecordJSON()), nil // the caller may reuse them (trail.Store)
		m.entries = append(m.entries, e)
	}
	return nil
}

func matches(e *trail.Entry, q trail.Query) bool {
	if e.Account != q.Account || (!q.IncludeData && !e.Management) {
		return false
	}
	if q.Principal != "" && e.Principal != q.Principal {
		return false
	}
	if (!q.Start.IsZero() && e.Time.Before(q.Start)) || (!q.End.IsZero() && e.Time.After(q.End)) {
		return false
	}
	switch q.Key {
	case "":
		return true
	case trail.ByEventID:
		return e.EventID == q.Value
	case trail.ByEventName:
		return e.EventName == q.Value
	case trail.ByReadOnly:
		return strconv.FormatBool(e.ReadOnly) == q.Value
	case trail.ByUsername:
		return e.Username == q.Value
	case trail.ByEventSource:
		return e.EventSource == q.Value
	case trail.ByAccessKeyID:
		return e.AccessKeyID == q.Value
	case trail.ByResourceType:
		return slices.ContainsFunc(e.Resources, func(r trail.Resource) bool { return r.Type == q.Value })
	case trail.ByResourceName:
		return slices.ContainsFunc(e.Resources, func(r trail.Resource) bool { return r.ARN == q.Value })
	}
	return false
}

// before reports whether e lists after cursor c (Time desc, Seq desc).
func before(e *trail.Entry, c trail.Cursor) bool {
	return e.Time.Before(c.Time) || (e.Time.Equal(c.Time) && e.Seq < c.Seq)
}

func (m *memStore) Lookup(ctx context.Context, q trail.Query) (trail.Page, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lookups++
	if m.fail != nil {
		return trail.Page{}, m.fail
	}
	if m.closed {
		return trail.Page{}, fmt.Errorf("memstore: %w: closed", trail.ErrUnavailable)
	}
	if err := done(ctx); err != nil {
		return trail.Page{}, err
	}
	if q.Account == "" || q.Limit < 1 {
		return trail.Page{}, errors.New("memstore: a query needs an account and a limit")
	}
	if q.Key == trail.ByReadOnly && q.Value != "true" && q.Value != "false" {
		return trail.Page{}, fmt.Errorf("memstore: ReadOnly value %q", q.Value)
	}
	switch q.Key {
	case "", trail.ByEventID, trail.ByEventName, trail.ByReadOnly, trail.ByUsername, trail.ByResourceType, trail.ByResourceName, trail.ByEventSource, trail.ByAccessKeyID:
	default:
		return trail.Page{}, fmt.Errorf("memstore: attribute %q", q.Key)
	}
	var sel []trail.Entry
	for i := range m.entries {
		e := &m.entries[i]
		if matches(e, q) && (q.After == nil || before(e, *q.After)) {
			sel = append(sel, *e)
		}
	}
	slices.SortFunc(sel, func(a, b trail.Entry) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return cmp.Compare(b.Seq, a.Seq)
	})
	if len(sel) <= q.Limit {
		return trail.Page{Entries: sel}, nil
	}
	last := sel[q.Limit-1]
	return trail.Page{Entries: sel[:q.Limit], Next: &trail.Cursor{Time: last.Time, Seq: last.Seq}}, nil
}

func (m *memStore) DeleteBefore(ctx context.Context, t time.Time, limit int) (int, error) {
	if err := m.unusable(ctx); err != nil {
		return 0, err
	}
	if limit < 1 {
		return 0, errors.New("memstore: DeleteBefore needs a limit")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	m.entries = slices.DeleteFunc(m.entries, func(e trail.Entry) bool {
		if n < limit && e.Time.Before(t) {
			n++
			return true
		}
		return false
	})
	return n, nil
}

func (m *memStore) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}

// The in-memory store keeps the trail.Store contract: it passes the
// conformance suite every backend runs.
func TestMemStoreConformance(t *testing.T) {
	trailtest.Run(t, func(*testing.T) trail.Store { return &memStore{} })
}
