package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gatehouse-iam/gatehouse/store"
)

// TestMapErrUnavailable: connection failures become store.ErrUnavailable,
// by SQLSTATE or error type; statement errors do not.
func TestMapErrUnavailable(t *testing.T) {
	for _, err := range []error{
		&pgconn.PgError{Code: "57P01"}, // terminated by the administrator
		&pgconn.PgError{Code: "57P03"}, // the database system is starting up
		&pgconn.PgError{Code: "08006"}, // connection failure
		&pgconn.PgError{Code: "53300"}, // too many connections
		&pgconn.PgError{Code: "57014"}, // statement_timeout
		&pgconn.PgError{Code: "55P03"}, // lock_timeout
		&pgconn.PgError{Code: "25P03"}, // idle_in_transaction_session_timeout
		fmt.Errorf("read: %w", io.ErrUnexpectedEOF),
	} {
		if got := mapErr(context.Background(), err, "op"); !errors.Is(got, store.ErrUnavailable) {
			t.Errorf("%v mapped to %v, want ErrUnavailable", err, got)
		}
	}
	for _, err := range []error{
		&pgconn.PgError{Code: "42P01"}, // undefined table
		&pgconn.PgError{Code: "40001"}, // serialization failure
		errors.New("something else"),
	} {
		if got := mapErr(context.Background(), err, "op"); errors.Is(got, store.ErrUnavailable) {
			t.Errorf("%v mapped to ErrUnavailable", err)
		}
	}
}

// TestMapErrDeadline: a statement cut off by its context's deadline is
// ErrUnavailable and keeps the deadline; one cut off by cancellation is
// not unavailable.
func TestMapErrDeadline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	err := mapErr(ctx, errors.New("timeout"), "op")
	if !errors.Is(err, store.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past the deadline: %v, want ErrUnavailable and DeadlineExceeded", err)
	}
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if err := mapErr(cctx, errors.New("conn closed"), "op"); errors.Is(err, store.ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v, want context.Canceled and not ErrUnavailable", err)
	}
}
