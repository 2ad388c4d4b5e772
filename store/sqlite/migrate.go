package sqlite

import (
	"context"
	"database/sql"
	"embed"

	"github.com/gatehouse-iam/gatehouse/store/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate applies the migrations not yet recorded in schema_migrations, each
// in its own transaction together with its record. It refuses a database
// that has migrations this binary does not know (written by a newer
// version).
func migrate(ctx context.Context, db *sql.DB, ms []sqlstore.Migration) error {
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`
	if _, err := db.ExecContext(ctx, create); err != nil {
		return mapErr(ctx, err, "create schema_migrations")
	}
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return mapErr(ctx, err, "read schema_migrations")
	}
	defer rows.Close()
	var applied []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return mapErr(ctx, err, "scan schema_migrations")
		}
		applied = append(applied, v)
	}
	if err := rows.Err(); err != nil {
		return mapErr(ctx, err, "read schema_migrations")
	}
	rows.Close()
	todo, err := sqlstore.Pending(ms, applied)
	if err != nil {
		return err
	}
	for _, m := range todo {
		if err := applyMigration(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, m sqlstore.Migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(ctx, err, "begin migration "+m.Name)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return mapErr(ctx, err, "apply migration "+m.Name)
	}
	const record = `INSERT INTO schema_migrations (version, name, applied_at)
		VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`
	if _, err := tx.ExecContext(ctx, record, m.Version, m.Name); err != nil {
		return mapErr(ctx, err, "record migration "+m.Name)
	}
	if err := tx.Commit(); err != nil {
		return mapErr(ctx, err, "commit migration "+m.Name)
	}
	return nil
}
