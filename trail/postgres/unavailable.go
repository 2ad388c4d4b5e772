package postgres

import (
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATEs of a server that is going away or not accepting connections,
// and of the server giving up on a statement or session by one of the
// timeouts Open sets (the same list as the store's PostgreSQL backend).
const (
	codeAdminShutdown            = "57P01"
	codeCrashShutdown            = "57P02"
	codeCannotConnectNow         = "57P03"
	codeTooManyConnections       = "53300"
	codeQueryCanceled            = "57014"
	codeLockNotAvailable         = "55P03"
	codeIdleInTransactionTimeout = "25P03"
	classConnection              = "08"
)

// isConnectionFailure reports whether err means the database could not be
// reached, the connection broke, or the server ended the statement or
// session by one of its timeouts.
func isConnectionFailure(err error) bool {
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
