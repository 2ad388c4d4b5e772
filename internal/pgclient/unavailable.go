package pgclient

import (
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATEs of a server that is going away or not accepting connections.
const (
	codeAdminShutdown      = "57P01"
	codeCrashShutdown      = "57P02"
	codeCannotConnectNow   = "57P03"
	codeTooManyConnections = "53300"
	classConnection        = "08"
)

// SQLSTATEs of the server giving up on a statement or a session by one of
// the timeouts [Configure] sets (statement_timeout, lock_timeout,
// idle_in_transaction_session_timeout): the database is too slow or a lock
// is held too long, which callers see as the database being unavailable.
const (
	codeQueryCanceled            = "57014"
	codeLockNotAvailable         = "55P03"
	codeIdleInTransactionTimeout = "25P03"
)

// IsConnectionFailure reports whether err means the database could not be
// reached or the connection broke, by type and SQLSTATE: a failed connect
// (refused, DNS, authentication timeout), a network error or an unexpected
// EOF on an established connection, a connection the server terminated
// (pg_terminate_backend, shutdown, crash recovery), a server refusing
// new connections, or a statement or session ended by one of the server's
// timeouts.
func IsConnectionFailure(err error) bool {
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case codeAdminShutdown, codeCrashShutdown, codeCannotConnectNow, codeTooManyConnections,
			codeQueryCanceled, codeLockNotAvailable, codeIdleInTransactionTimeout:
			return true
		}
		return len(pe.Code) == 5 && pe.Code[:2] == classConnection
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}
