package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MaxAttempts is how many times [RetryConflicts] runs a transaction that keeps
// failing with ErrConflict.
const MaxAttempts = 8

// RetryConflicts runs attempt until it returns something other than an error
// wrapping ErrConflict, at most MaxAttempts times, waiting a little longer
// before each retry. Backends wrap one whole transaction (begin, fn, commit)
// in it to implement the retry contract of [Store.Update]. It stops early
// when ctx is done; when ctx's deadline ends the retries, the error wraps
// ErrUnavailable and the last conflict as well.
func RetryConflicts(ctx context.Context, attempt func() error) error {
	wait := time.Millisecond
	var err error
	for i := range MaxAttempts {
		err = attempt()
		if err == nil || !errors.Is(err, ErrConflict) {
			return err
		}
		if i == MaxAttempts-1 {
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
				// Still conflicting when time ran out: the store is too
				// busy to answer in time.
				return fmt.Errorf("store: retrying after conflict: %w: %w: %w", ErrUnavailable, context.Cause(ctx), err)
			}
			return fmt.Errorf("store: retrying after conflict: %w", context.Cause(ctx))
		case <-t.C:
		}
		wait *= 2
	}
	return fmt.Errorf("store: gave up after %d attempts: %w", MaxAttempts, err)
}

// CutChanges applies the paging rule of [Store.Changes] to rows, which a
// backend fetched in feed order with a limit of limit+1. It returns the page
// to answer with, or whole=true when rows[0]'s revision alone holds more than
// limit changes; the backend must then answer with every change of that
// revision instead. With limit <= 0 rows is returned unchanged.
func CutChanges(rows []Change, limit int) (page []Change, whole bool) {
	if limit <= 0 || len(rows) <= limit {
		return rows, false
	}
	boundary := rows[limit].Revision
	if rows[limit-1].Revision != boundary {
		return rows[:limit], false
	}
	cut := limit - 1
	for cut > 0 && rows[cut-1].Revision == boundary {
		cut--
	}
	if cut == 0 {
		return nil, true
	}
	return rows[:cut], false
}
