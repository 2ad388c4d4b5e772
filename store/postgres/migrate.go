package postgres

import (
	"context"
	"embed"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gatehouse-iam/gatehouse/store/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLockClass is the first key of the advisory lock taken while
// migrating ("gate" in ASCII); the second is a hash of the schema name, so
// stores in different schemas migrate independently.
const migrationLockClass = 0x67617465

// migrate brings the schema up to date in one transaction that first takes a
// transaction-scoped advisory lock, so that nodes starting together queue
// here and each migration runs exactly once; the lock is released by the
// commit or rollback, even if the connection is lost. PostgreSQL DDL is
// transactional, so a failed migration leaves nothing behind. schema, when
// not empty, is created if missing (the pool's search_path names it). A
// database holding migrations this binary does not know (written by a newer
// version) is refused.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string, ms []sqlstore.Migration) (err error) {
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
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return mapErr(ctx, err, "read schema_migrations")
	}
	todo, err := sqlstore.Pending(ms, applied)
	if err != nil {
		return err
	}
	for _, m := range todo {
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return mapErr(ctx, err, "apply migration "+m.Name)
		}
		const record = `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`
		if _, err := tx.Exec(ctx, record, m.Version, m.Name); err != nil {
			return mapErr(ctx, err, "record migration "+m.Name)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return mapErr(ctx, err, "commit migrations")
	}
	return nil
}
