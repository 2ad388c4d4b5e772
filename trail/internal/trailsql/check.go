package trailsql

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-iam/gatehouse/trail"
)

// ErrInvalid is wrapped by the error a backend returns for an entry or a
// query that breaks the Store's contract (a caller's bug, not the store's
// state): it is never trail.ErrUnavailable.
var ErrInvalid = errors.New("invalid argument")

// CheckEntry reports what is wrong with an entry given to Append, or nil.
func CheckEntry(e *trail.Entry) error {
	switch {
	case e.Account == "":
		return fmt.Errorf("%w: entry %q has no account", ErrInvalid, e.EventID)
	case e.EventID == "":
		return fmt.Errorf("%w: entry of account %s has no event id", ErrInvalid, e.Account)
	}
	return nil
}

// CheckQuery reports what is wrong with a query, or nil.
func CheckQuery(q trail.Query) error {
	if q.Account == "" {
		return fmt.Errorf("%w: query without an account", ErrInvalid)
	}
	if q.Limit < 1 {
		return fmt.Errorf("%w: query limit %d: need 1 or more", ErrInvalid, q.Limit)
	}
	switch q.Key {
	case "":
	case trail.ByEventID, trail.ByEventName, trail.ByUsername, trail.ByResourceType,
		trail.ByResourceName, trail.ByEventSource, trail.ByAccessKeyID:
	case trail.ByReadOnly:
		if q.Value != "true" && q.Value != "false" {
			return fmt.Errorf("%w: ReadOnly value %q: must be true or false", ErrInvalid, q.Value)
		}
	default:
		return fmt.Errorf("%w: unknown lookup attribute %q", ErrInvalid, q.Key)
	}
	return nil
}

// Seconds is the stored form of an entry's time: unix seconds (the record's
// eventTime is to the second, and a fraction is dropped).
func Seconds(t time.Time) int64 { return t.Unix() }

// Time is the time of stored unix seconds, in UTC.
func Time(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

// ceil returns the first whole second at or after t: a stored second s is
// at or after t exactly when s >= ceil(t), and before t when s < ceil(t).
func ceil(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// Before is the bound of DeleteBefore: entries whose stored second is less
// than it are older than t.
func Before(t time.Time) int64 { return ceil(t) }

// CheckLimit reports a DeleteBefore limit below 1.
func CheckLimit(limit int) error {
	if limit < 1 {
		return fmt.Errorf("%w: delete limit %d: need 1 or more", ErrInvalid, limit)
	}
	return nil
}

// DefaultTimeout bounds a call whose context has no deadline, when the
// backend's options do not say otherwise.
const DefaultTimeout = 5 * time.Second

// WithTimeout returns ctx unchanged (with a no-op cancel) when it has a
// deadline, and ctx bounded by timeout (DefaultTimeout when not positive)
// otherwise, so no call is ever unbounded.
func WithTimeout(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return context.WithTimeout(ctx, timeout)
}

// Done returns, when ctx is done, the error every call gives then: it wraps
// trail.ErrUnavailable and the context's cause (context.Canceled or
// context.DeadlineExceeded, or the cause given to the cancel), and err, the
// driver's error, when there is one. It returns nil while ctx is live.
func Done(ctx context.Context, backend, op string, err error) error {
	if ctx.Err() == nil {
		return nil
	}
	if err == nil {
		return fmt.Errorf("%s: %s: %w: %w", backend, op, trail.ErrUnavailable, context.Cause(ctx))
	}
	return fmt.Errorf("%s: %s: %w: %w: %w", backend, op, trail.ErrUnavailable, context.Cause(ctx), err)
}
