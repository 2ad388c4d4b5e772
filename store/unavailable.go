package store

import "errors"

// ErrUnavailable reports that the store could not be reached: the database is
// down or restarting, refuses connections, the connection broke, or the
// database did not answer before the call's deadline (the caller's, or the
// backend's default timeout; such an error also wraps
// context.DeadlineExceeded). Nothing
// is known to have been written (a write whose connection broke during COMMIT
// may or may not have committed); the request may succeed if retried later.
// Backends map their connection failures to it at the backend boundary; the
// services answer AWS's ServiceUnavailable (HTTP 503).
var ErrUnavailable = errors.New("store: unavailable")
