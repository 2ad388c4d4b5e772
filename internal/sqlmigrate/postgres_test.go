package sqlmigrate_test

import (
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gatehouse-iam/gatehouse/internal/pgtest"
	"github.com/gatehouse-iam/gatehouse/internal/sqlmigrate"
)

// TestPostgres: nodes migrating one schema at once queue on the advisory
// lock (https://www.postgresql.org/docs/current/explicit-locking.html#ADVISORY-LOCKS)
// and apply each migration once; the schema is created; a second set of
// migrations with its own table and lock key lives beside the first; a
// version this binary does not know is refused.
func TestPostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := pgtest.FreshSchema(t, dsn, "sqlmigrate_test_")
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ms := fstest.MapFS{
		// Not idempotent: applied twice, the second CREATE fails.
		"migrations/0001_a.sql": {Data: []byte("CREATE TABLE a (x integer)")},
		"migrations/0002_b.sql": {Data: []byte("INSERT INTO a VALUES (1)")},
	}
	to := sqlmigrate.PostgresTarget{LockClass: 0x74657374, Schema: schema, Table: "one_migrations"}
	const nodes = 4
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() { errs[i] = sqlmigrate.Postgres(t.Context(), pool, ms, to, wrap) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
	}
	var n, rows int
	if err := pool.QueryRow(t.Context(), `SELECT (SELECT count(*) FROM one_migrations), (SELECT count(*) FROM a)`).Scan(&n, &rows); err != nil {
		t.Fatal(err)
	}
	if n != 2 || rows != 1 {
		t.Errorf("%d migrations recorded, %d rows in a; want 2 and 1", n, rows)
	}

	other := fstest.MapFS{"migrations/0001_c.sql": {Data: []byte("CREATE TABLE c (x integer)")}}
	if err := sqlmigrate.Postgres(t.Context(), pool, other, sqlmigrate.PostgresTarget{LockClass: 0x6f746872, Schema: schema, Table: "two_migrations"}, wrap); err != nil {
		t.Fatalf("a second set beside the first: %v", err)
	}

	older := fstest.MapFS{"migrations/0001_a.sql": ms["migrations/0001_a.sql"]}
	err = sqlmigrate.Postgres(t.Context(), pool, older, to, wrap)
	if err == nil || !strings.Contains(err.Error(), "migration 2 in one_migrations") {
		t.Errorf("older binary over a newer schema: %v, want a refusal naming migration 2", err)
	}
}
