package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

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
