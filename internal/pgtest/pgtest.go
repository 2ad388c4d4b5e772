// Package pgtest holds the helpers the PostgreSQL backends' tests (the
// store's and the audit trail's) share: the test server's DSN from the
// environment, a fresh schema per test dropped when it ends, and a plain
// connection for inspecting the database.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the environment variable holding the DSN of the PostgreSQL
// server the tests use; they skip when it is empty. CI sets it to
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvDSN = "GATEHOUSE_TEST_POSTGRES"

// DSN returns the test server's DSN, or skips the test.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		t.Skipf("PostgreSQL tests need a server: set %s to its DSN (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", EnvDSN)
	}
	return dsn
}

// FreshSchema returns the name of a schema that does not exist yet, prefix
// and random hex digits, and drops it, with everything in it, when the test
// ends.
func FreshSchema(t testing.TB, dsn, prefix string) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := prefix + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx) //nolint:errcheck // the drop's outcome is what the test reports
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return schema
}

// Connect opens a plain connection to dsn for inspecting the database; it
// is closed when the test ends.
func Connect(t testing.TB, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) }) //nolint:errcheck // a read-only inspecting connection: nothing to lose
	return conn
}
