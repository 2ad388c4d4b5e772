package sqlmigrate_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/gatehouse-iam/gatehouse/internal/sqlitedb"
	"github.com/gatehouse-iam/gatehouse/internal/sqlmigrate"
)

// errWrapped marks the errors the runner passed through the backend's
// mapping.
var errWrapped = errors.New("wrapped")

func wrap(_ context.Context, err error, op string) error {
	return fmt.Errorf("%s: %w: %w", op, errWrapped, err)
}

// writer opens a backend's writer of the database file, closed when the
// test ends.
func writer(t *testing.T, file string) *sql.DB {
	t.Helper()
	if err := sqlitedb.CreateFile(file); err != nil {
		t.Fatal(err)
	}
	w, err := sqlitedb.OpenWriter(file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

var twoMigrations = fstest.MapFS{
	// Not idempotent: applied twice, the second CREATE fails.
	"migrations/0001_a.sql": {Data: []byte("CREATE TABLE a (x INTEGER)")},
	"migrations/0002_b.sql": {Data: []byte("CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (1)")},
}

// TestSQLite: pending migrations are applied in order and recorded in the
// table given; a second run applies nothing; a database with a version
// this binary does not know is refused, naming it.
func TestSQLite(t *testing.T) {
	ctx := t.Context()
	w := writer(t, filepath.Join(t.TempDir(), "m.db"))
	for range 2 {
		if err := sqlmigrate.SQLite(ctx, w, twoMigrations, "my_migrations", wrap); err != nil {
			t.Fatal(err)
		}
	}
	var n, rows int
	if err := w.QueryRowContext(ctx, `SELECT count(*), (SELECT count(*) FROM a) FROM my_migrations`).Scan(&n, &rows); err != nil {
		t.Fatal(err)
	}
	if n != 2 || rows != 1 {
		t.Errorf("%d migrations recorded, %d rows in a; want 2 and 1", n, rows)
	}
	older := fstest.MapFS{"migrations/0001_a.sql": twoMigrations["migrations/0001_a.sql"]}
	err := sqlmigrate.SQLite(ctx, w, older, "my_migrations", wrap)
	if err == nil || !strings.Contains(err.Error(), "migration 2 in my_migrations") {
		t.Errorf("older binary over a newer database: %v, want a refusal naming migration 2", err)
	}
}

// TestSQLiteFailure: a failing migration is rolled back and not recorded,
// those before it stay applied, and its error comes through the
// backend's mapping with the migration's name.
func TestSQLiteFailure(t *testing.T) {
	ctx := t.Context()
	w := writer(t, filepath.Join(t.TempDir(), "m.db"))
	ms := fstest.MapFS{
		"migrations/0001_a.sql":   {Data: []byte("CREATE TABLE a (x INTEGER)")},
		"migrations/0002_bad.sql": {Data: []byte("CREATE TABLE b (x INTEGER); SELEC 1")},
	}
	err := sqlmigrate.SQLite(ctx, w, ms, "schema_migrations", wrap)
	if !errors.Is(err, errWrapped) || !strings.Contains(err.Error(), "apply migration 0002_bad.sql") {
		t.Fatalf("err = %v, want the mapped error of applying 0002_bad.sql", err)
	}
	var versions string
	if err := w.QueryRowContext(ctx, `SELECT group_concat(version) FROM schema_migrations`).Scan(&versions); err != nil {
		t.Fatal(err)
	}
	if versions != "1" {
		t.Errorf("recorded versions %q, want 1", versions)
	}
	var tables int
	if err := w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'b'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Error("the failed migration's table b was left behind")
	}
}

// TestSQLiteConcurrent: writers of two processes (two pools on one file)
// migrating at once apply each migration once, as the pending versions are
// read under the write lock.
func TestSQLiteConcurrent(t *testing.T) {
	ctx := t.Context()
	file := filepath.Join(t.TempDir(), "m.db")
	const writers = 4
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		w := writer(t, file)
		wg.Go(func() { errs[i] = sqlmigrate.SQLite(ctx, w, twoMigrations, "schema_migrations", wrap) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("writer %d: %v", i, err)
		}
	}
}
