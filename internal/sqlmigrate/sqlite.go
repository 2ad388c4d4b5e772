package sqlmigrate

import (
	"context"
	"database/sql"
	"io/fs"
)

// WrapFunc wraps a driver error of the operation op with context, mapping it
// to the calling backend's sentinels (its store.ErrUnavailable or
// trail.ErrUnavailable, for a connection lost or ctx's deadline passed).
// The runners call it with non-nil errors only.
type WrapFunc func(ctx context.Context, err error, op string) error

// SQLite applies to db the migrations of fsys (see [Load]) not yet recorded in table
// (created if missing), each in its own transaction together with its
// record. Each transaction reads what is pending after taking the write
// lock — db is a backend's writer, whose transactions begin with BEGIN
// IMMEDIATE —, so two processes opening one file at once apply no
// migration twice. A database holding migrations fsys does not have
// (written by a newer version) is refused. table must be a plain
// identifier (a backend's constant).
func SQLite(ctx context.Context, db *sql.DB, fsys fs.FS, table string, wrap WrapFunc) error {
	ms, err := Load(fsys)
	if err != nil {
		return err
	}
	create := `CREATE TABLE IF NOT EXISTS ` + table + ` (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`
	if _, err := db.ExecContext(ctx, create); err != nil {
		return wrap(ctx, err, "create "+table)
	}
	for {
		done, err := applyNextSQLite(ctx, db, table, ms, wrap)
		if err != nil || done {
			return err
		}
	}
}

// applyNextSQLite applies the first pending migration, in a transaction
// that reads which are pending under the write lock, and reports whether
// none was.
func applyNextSQLite(ctx context.Context, db *sql.DB, table string, ms []Migration, wrap WrapFunc) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, wrap(ctx, err, "begin migration")
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	rows, err := tx.QueryContext(ctx, `SELECT version FROM `+table)
	if err != nil {
		return false, wrap(ctx, err, "read "+table)
	}
	defer rows.Close()
	var applied []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return false, wrap(ctx, err, "read "+table)
		}
		applied = append(applied, v)
	}
	if err := rows.Err(); err != nil {
		return false, wrap(ctx, err, "read "+table)
	}
	rows.Close()
	todo, err := Pending(ms, applied, table)
	if err != nil || len(todo) == 0 {
		return true, err
	}
	m := todo[0]
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, wrap(ctx, err, "apply migration "+m.Name)
	}
	record := `INSERT INTO ` + table + ` (version, name, applied_at)
		VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`
	if _, err := tx.ExecContext(ctx, record, m.Version, m.Name); err != nil {
		return false, wrap(ctx, err, "record migration "+m.Name)
	}
	if err := tx.Commit(); err != nil {
		return false, wrap(ctx, err, "commit migration "+m.Name)
	}
	return false, nil
}
