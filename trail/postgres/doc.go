// Package postgres keeps the audit trail in PostgreSQL, for clusters:
// every node appends to the same tables (trail_events, trail_resources),
// normally in the store's own database and schema, with pgx
// (github.com/jackc/pgx/v5) and its connection pool.
//
// Seq is a bigserial, so entries get increasing Seqs across nodes in the
// order they are inserted. Commits are not ordered by it: an entry whose
// transaction commits after a lookup has paged past its position is not in
// that listing (CloudTrail's event history, too, shows events minutes after
// the call).
//
// The schema (migrations/, embedded) is the one trail/internal/trailsql
// describes; migrations are versioned in trail_schema_migrations and
// applied at Open in one transaction under an advisory lock of their own,
// so nodes starting together apply each exactly once and the store's
// migrations, in the same database, are not waited on. Every lookup is an
// index range scan; a page and its entries' resources are one statement,
// one snapshot. An Append is one statement and one round trip: the
// batch's columns as arrays, unnested into the events and resources
// tables by one INSERT ... SELECT each (atomic as any statement; no BEGIN
// or COMMIT to wait for).
//
// Deadlines and errors, as with the store's PostgreSQL backend: every call
// runs under its context's deadline, or [Options.Timeout] when the context
// has none; connections send TCP keepalives and, unless the DSN sets them,
// the server gets statement_timeout, lock_timeout and
// idle_in_transaction_session_timeout, so a database that stops answering
// fails calls instead of hanging them. A call whose context is done fails
// with an error wrapping trail.ErrUnavailable and the context's cause; so
// does one whose connection failed, or that the server ended by one of its
// timeouts, and any call after Close. An Append whose context ends while
// its statement runs is cancelled, and rolls back unless the statement had
// already committed (the caller is told it failed either way; a retry
// stores nothing twice). Invalid entries and queries fail with an error
// that does not wrap trail.ErrUnavailable.
package postgres
