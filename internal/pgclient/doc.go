// Package pgclient holds what every PostgreSQL client of Gatehouse (the
// store's backend and the audit trail's) does alike with its connections:
// the settings a database that stops answering must not hang a node
// without ([Configure]: connect timeout, TCP keepalives on both sides, the
// server-side statement, lock and idle-in-transaction timeouts), and which
// driver errors mean the database is unavailable ([IsConnectionFailure]).
//
// It returns classifications, never sentinels: each backend wraps its own
// package's ErrUnavailable.
package pgclient
