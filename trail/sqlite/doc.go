// Package sqlite keeps the audit trail in a SQLite database file of its
// own (the server puts it at DIR/trail.db, beside the store's
// gatehouse.db), with the store's driver and settings: modernc.org/sqlite,
// WAL, synchronous(FULL) so an Append that returned is on disk, a
// busy_timeout for other processes, one writer connection that begins
// transactions with BEGIN IMMEDIATE (concurrent Appends queue in process)
// and a pool of read-only connections, each Lookup one snapshot.
//
// The schema (migrations/, embedded, applied at Open and versioned in the
// file's schema_migrations) is the one trail/internal/trailsql describes:
// an events table whose seq is an AUTOINCREMENT rowid, so Seq grows and is
// never reused, and a resources table; one index per lookup attribute, so
// every lookup is an index range scan (a test checks the plans).
//
// Errors. Every call runs under its context's deadline, or [Options.Timeout]
// when the context has none. A call whose context is done (before it
// starts or while it runs) fails with an error wrapping trail.ErrUnavailable
// and the context's cause (context.Canceled, context.DeadlineExceeded); so
// does one that waited past busy_timeout for another process's lock, and
// any call after Close. An Append whose context is done before COMMIT rolls
// back. Invalid entries and queries fail with an error that does not wrap
// trail.ErrUnavailable.
package sqlite
