package sqlite

import (
	"context"
	"database/sql"
	"embed"

	"github.com/gatehouse-iam/gatehouse/trail/internal/trailsql"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate applies the migrations not yet recorded in schema_migrations, each
// in its own transaction together with its record (the writer's BEGIN
// IMMEDIATE keeps two processes from applying one twice). It refuses a
// database that has migrations this binary does not know (written by a
// newer version).
func migrate(ctx context.Context, db *sql.DB, ms []trailsql.Migration) error {
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`
	if _, err := db.ExecContext(ctx, create); err != nil {
		return mapErr(ctx, err, "create schema_migrations")
	}
	for {
		done, err := applyNext(ctx, db, ms)
		if err != nil || done {
			return err
		}
	}
}

// applyNext applies the first pending migration, in a transaction that
// reads which are pending under the write lock, and reports whether none
// was.
func applyNext(ctx context.Context, db *sql.DB, ms []trailsql.Migration) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, mapErr(ctx, err, "begin migration")
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return false, mapErr(ctx, err, "read schema_migrations")
	}
	defer rows.Close()
	var applied []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return false, mapErr(ctx, err, "read schema_migrations")
		}
		applied = append(applied, v)
	}
	if err := rows.Err(); err != nil {
		return false, mapErr(ctx, err, "read schema_migrations")
	}
	rows.Close()
	todo, err := trailsql.Pending(ms, applied)
	if err != nil || len(todo) == 0 {
		return true, err
	}
	m := todo[0]
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, mapErr(ctx, err, "apply migration "+m.Name)
	}
	const record = `INSERT INTO schema_migrations (version, name, applied_at)
		VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`
	if _, err := tx.ExecContext(ctx, record, m.Version, m.Name); err != nil {
		return false, mapErr(ctx, err, "record migration "+m.Name)
	}
	if err := tx.Commit(); err != nil {
		return false, mapErr(ctx, err, "commit migration "+m.Name)
	}
	return false, nil
}
