package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLockClass is the first key of the advisory lock taken while
// migrating ("gate" in ASCII); the second is a hash of the schema name, so
// stores in different schemas migrate independently.
const migrationLockClass = 0x67617465

// migration is one embedded schema change, applied once, in version order.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads the migrations of fsys, named NNNN_description.sql, in
// version order.
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
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	return ms, nil
}

// migrate brings the schema up to date in one transaction that first takes a
// transaction-scoped advisory lock, so that nodes starting together queue
// here and each migration runs exactly once; the lock is released by the
// commit or rollback, even if the connection is lost. PostgreSQL DDL is
// transactional, so a failed migration leaves nothing behind. schema, when
// not empty, is created if missing (the pool's search_path names it). A
// database holding migrations this binary does not know (written by a newer
// version) is refused.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string, ms []migration) (err error) {
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return mapErr(ctx, err, "begin migration")
	}
	defer func() {
		if err != nil {
			rollback(ctx, tx, maxRollbackWait)
		}
	}()
	// DDL may take long on a large database, and a node waits here for
	// another node's migrations: the server's statement and lock timeouts
	// (see Open) are lifted for this transaction, and ctx's deadline alone
	// bounds it.
	if _, err := tx.Exec(ctx, `SELECT set_config('statement_timeout', '0', true), set_config('lock_timeout', '0', true)`); err != nil {
		return mapErr(ctx, err, "lift timeouts for migrations")
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, int32(migrationLockClass), schema); err != nil {
		return mapErr(ctx, err, "lock migrations")
	}
	if schema != "" {
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize()); err != nil {
			return mapErr(ctx, err, "create schema")
		}
	}
	const create = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`
	if _, err := tx.Exec(ctx, create); err != nil {
		return mapErr(ctx, err, "create schema_migrations")
	}
	rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return mapErr(ctx, err, "read schema_migrations")
	}
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return mapErr(ctx, err, "read schema_migrations")
	}
	done := map[int]bool{}
	for _, v := range applied {
		if !slices.ContainsFunc(ms, func(m migration) bool { return m.version == int(v) }) {
			return fmt.Errorf("database has schema migration %d, unknown to this version of gatehouse", v)
		}
		done[int(v)] = true
	}
	for _, m := range ms {
		if done[m.version] {
			continue
		}
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return mapErr(ctx, err, "apply migration "+m.name)
		}
		const record = `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`
		if _, err := tx.Exec(ctx, record, m.version, m.name); err != nil {
			return mapErr(ctx, err, "record migration "+m.name)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return mapErr(ctx, err, "commit migrations")
	}
	return nil
}
