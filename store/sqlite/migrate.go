package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one embedded schema change, applied once, in version order.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the embedded migrations, named NNNN_description.sql,
// in version order.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %q: name must start with a positive version and '_'", name)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %q and %q share version %d", prev, name, v)
		}
		seen[v] = name
		body, err := fs.ReadFile(fsys, path.Join("migrations", name))
		if err != nil {
			return nil, fmt.Errorf("read migration %q: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies the migrations not yet recorded in schema_migrations, each
// in its own transaction together with its record. It refuses a database
// that has migrations this binary does not know (written by a newer
// version).
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	)`
	if _, err := db.ExecContext(ctx, create); err != nil {
		return mapErr(ctx, err, "create schema_migrations")
	}
	applied := map[int]bool{}
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return mapErr(ctx, err, "read schema_migrations")
	}
	defer rows.Close()
	known := map[int]bool{}
	for _, m := range ms {
		known[m.version] = true
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return mapErr(ctx, err, "scan schema_migrations")
		}
		if !known[v] {
			return fmt.Errorf("database has schema migration %d, unknown to this version of gatehouse", v)
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return mapErr(ctx, err, "read schema_migrations")
	}
	rows.Close()

	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		if err := applyMigration(ctx, db, m); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(ctx, err, "begin migration "+m.name)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return mapErr(ctx, err, "apply migration "+m.name)
	}
	const record = `INSERT INTO schema_migrations (version, name, applied_at)
		VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`
	if _, err := tx.ExecContext(ctx, record, m.version, m.name); err != nil {
		return mapErr(ctx, err, "record migration "+m.name)
	}
	if err := tx.Commit(); err != nil {
		return mapErr(ctx, err, "commit migration "+m.name)
	}
	return nil
}
