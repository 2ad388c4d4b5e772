package pgclient

import (
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestIsConnectionFailure: a server going away or refusing connections,
// one of the server's timeouts (SQLSTATEs of
// https://www.postgresql.org/docs/current/errcodes-appendix.html), a broken
// or closed connection are failures of the connection; statement errors
// are not.
func TestIsConnectionFailure(t *testing.T) {
	for _, err := range []error{
		&pgconn.PgError{Code: "57P01"}, // admin_shutdown
		&pgconn.PgError{Code: "57P02"}, // crash_shutdown
		&pgconn.PgError{Code: "57P03"}, // cannot_connect_now
		&pgconn.PgError{Code: "08006"}, // connection_failure
		&pgconn.PgError{Code: "53300"}, // too_many_connections
		&pgconn.PgError{Code: "57014"}, // query_canceled (statement_timeout)
		&pgconn.PgError{Code: "55P03"}, // lock_not_available (lock_timeout)
		&pgconn.PgError{Code: "25P03"}, // idle_in_transaction_session_timeout
		fmt.Errorf("read: %w", io.ErrUnexpectedEOF),
		fmt.Errorf("read: %w", io.EOF),
		fmt.Errorf("write: %w", net.ErrClosed),
		&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")},
	} {
		if !IsConnectionFailure(err) {
			t.Errorf("IsConnectionFailure(%v) = false, want true", err)
		}
	}
	for _, err := range []error{
		&pgconn.PgError{Code: "42P01"}, // undefined_table
		&pgconn.PgError{Code: "40001"}, // serialization_failure
		&pgconn.PgError{Code: "23505"}, // unique_violation
		&pgconn.PgError{Code: "0800"},  // not a SQLSTATE
		errors.New("something else"),
	} {
		if IsConnectionFailure(err) {
			t.Errorf("IsConnectionFailure(%v) = true, want false", err)
		}
	}
}
