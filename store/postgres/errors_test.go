package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gatehouse-iam/gatehouse/store"
)

// TestMapErr: driver errors become the store's sentinels by SQLSTATE, and
// stay wrapped.
func TestMapErr(t *testing.T) {
	for _, tc := range []struct {
		code string
		want error
	}{
		{"40001", store.ErrConflict},
		{"40P01", store.ErrConflict},
		{"23505", store.ErrAlreadyExists},
	} {
		pe := &pgconn.PgError{Code: tc.code, Message: "x"}
		err := mapErr(context.Background(), fmt.Errorf("driver: %w", pe), "op")
		if !errors.Is(err, tc.want) {
			t.Errorf("SQLSTATE %s mapped to %v, want %v", tc.code, err, tc.want)
		}
		var got *pgconn.PgError
		if !errors.As(err, &got) || got.Code != tc.code {
			t.Errorf("SQLSTATE %s: driver error not kept in the chain", tc.code)
		}
	}
	// Other errors, connection failures included, are not retried as
	// conflicts: a lost COMMIT may have succeeded.
	for _, code := range []string{"57P01", "08006", "42P01", "25P02"} {
		err := mapErr(context.Background(), &pgconn.PgError{Code: code}, "op")
		for _, s := range []error{store.ErrConflict, store.ErrAlreadyExists, store.ErrNotFound} {
			if errors.Is(err, s) {
				t.Errorf("SQLSTATE %s mapped to %v", code, s)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := mapErr(ctx, errors.New("conn closed"), "op"); !errors.Is(err, context.Canceled) {
		t.Errorf("error under a cancelled context = %v, want context.Canceled", err)
	}
}
