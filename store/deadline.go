package store

import (
	"context"
	"time"
)

// DefaultTimeout is how long one store call (an Update with its retries, a
// View, Revision or Changes) may take when neither the caller's context nor
// the backend's options bound it. A database that stops answering (packets
// dropped rather than refused) makes a call fail with ErrUnavailable after
// this long instead of hanging until the operating system gives up on the
// connection, many minutes later.
const DefaultTimeout = 5 * time.Second

// WithDefaultTimeout returns ctx unchanged (with a no-op cancel) when it
// already has a deadline, and otherwise ctx bounded by timeout (by
// DefaultTimeout when timeout is zero or negative). Backends call it at the
// start of every store call, so the caller's deadline wins when there is
// one and no call is ever unbounded.
func WithDefaultTimeout(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return context.WithTimeout(ctx, timeout)
}
