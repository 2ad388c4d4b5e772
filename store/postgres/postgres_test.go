package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-iam/gatehouse/internal/pgtest"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/postgres"
	"github.com/gatehouse-iam/gatehouse/store/storetest"
)

// withAppName returns dsn with the connections' application_name set, so a
// test can find (and kill) exactly its own connections in pg_stat_activity.
func withAppName(dsn, app string) string {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " application_name=" + app
	}
	if strings.Contains(dsn, "?") {
		return dsn + "&application_name=" + app
	}
	return dsn + "?application_name=" + app
}

// killConnections terminates every connection whose application_name is
// app, as a database restart would, and returns how many there were.
func killConnections(t testing.TB, dsn, app string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	const kill = `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()`
	if err := conn.QueryRow(ctx, kill, app).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// freshSchema returns the name of a schema that does not exist yet and drops
// it, with everything in it, when the test ends.
func freshSchema(t testing.TB, dsn string) string {
	t.Helper()
	return pgtest.FreshSchema(t, dsn, "gatehouse_test_")
}

// openFresh opens a store in a fresh schema; it is closed, and the schema
// dropped, when the test ends.
func openFresh(t testing.TB) *postgres.Store {
	t.Helper()
	dsn := pgtest.DSN(t)
	s, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: freshSchema(t, dsn)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	pgtest.DSN(t)
	storetest.Run(t, func(t *testing.T) store.Store { return openFresh(t) })
}

func BenchmarkStore(b *testing.B) {
	pgtest.DSN(b)
	storetest.Bench(b, func(b *testing.B) store.Store { return openFresh(b) })
}
