package postgres

import (
	"context"
	"embed"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gatehouse-iam/gatehouse/trail/internal/trailsql"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLockClass is the first key of the advisory lock taken while
// migrating ("trai" in ASCII; the store's is "gate"); the second is a hash
// of the schema name, so trails in different schemas migrate
// independently.
const migrationLockClass = 0x74726169

// migrate brings the trail's tables up to date in one transaction that
// first takes a transaction-scoped advisory lock, so that nodes starting
// together queue here and each migration runs exactly once; the lock goes
// with the commit or rollback, even if the connection is lost. PostgreSQL
// DDL is transactional, so a failed migration leaves nothing behind.
// schema, when not empty, is created if missing (the pool's search_path
// names it). The versions applied are kept in trail_schema_migrations,
// apart from the store's schema_migrations in the same schema. A database
// holding migrations this binary does not know is refused.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string, ms []trailsql.Migration) (err error) {
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return mapErr(ctx, err, "begin migration")
	}
	defer func() {
		if err != nil {
			rollback(ctx, tx)
		}
	}()
	// DDL may take long on a large table, and a node waits here for
	// another's migrations: the server's statement and lock timeouts are
	// lifted for this transaction, and ctx's deadline alone bounds it.
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
	const create = `CREATE TABLE IF NOT EXISTS trail_schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`
	if _, err := tx.Exec(ctx, create); err != nil {
		return mapErr(ctx, err, "create trail_schema_migrations")
	}
	rows, err := tx.Query(ctx, `SELECT version FROM trail_schema_migrations`)
	if err != nil {
		return mapErr(ctx, err, "read trail_schema_migrations")
	}
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return mapErr(ctx, err, "read trail_schema_migrations")
	}
	todo, err := trailsql.Pending(ms, applied)
	if err != nil {
		return err
	}
	for _, m := range todo {
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return mapErr(ctx, err, "apply migration "+m.Name)
		}
		const record = `INSERT INTO trail_schema_migrations (version, name) VALUES ($1, $2)`
		if _, err := tx.Exec(ctx, record, m.Version, m.Name); err != nil {
			return mapErr(ctx, err, "record migration "+m.Name)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return mapErr(ctx, err, "commit migrations")
	}
	return nil
}
