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
// one of the server's timeouts (the SQLSTATEs of
// https://www.postgresql.org/docs/current/errcodes-appendix.html), a broken
// or closed connection are failures of the connection; statement errors
// are not.
func TestIsConnectionFailure(t *testing.T) {
	sqlstate := func(code string) error { return &pgconn.PgError{Code: code} }
	cases := map[string]struct {
		err  error
		want bool
	}{
		"admin_shutdown":                      {sqlstate("57P01"), true},
		"crash_shutdown":                      {sqlstate("57P02"), true},
		"cannot_connect_now":                  {sqlstate("57P03"), true},
		"connection_failure (class 08)":       {sqlstate("08006"), true},
		"too_many_connections":                {sqlstate("53300"), true},
		"statement_timeout (query_canceled)":  {sqlstate("57014"), true},
		"lock_timeout (lock_not_available)":   {sqlstate("55P03"), true},
		"idle_in_transaction_session_timeout": {sqlstate("25P03"), true},
		"unexpected EOF":                      {fmt.Errorf("read: %w", io.ErrUnexpectedEOF), true},
		"EOF":                                 {fmt.Errorf("read: %w", io.EOF), true},
		"closed connection":                   {fmt.Errorf("write: %w", net.ErrClosed), true},
		"network error":                       {&net.OpError{Op: "dial", Net: "tcp", Err: errors.New("refused")}, true},
		"undefined_table":                     {sqlstate("42P01"), false},
		"serialization_failure":               {sqlstate("40001"), false},
		"unique_violation":                    {sqlstate("23505"), false},
		"a code too short for its class":      {sqlstate("08"), false},
		"any other error":                     {errors.New("something else"), false},
	}
	for name, c := range cases {
		if got := IsConnectionFailure(c.err); got != c.want {
			t.Errorf("%s: IsConnectionFailure(%v) = %v, want %v", name, c.err, got, c.want)
		}
	}
}
