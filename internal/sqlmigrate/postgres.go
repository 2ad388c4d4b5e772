package sqlmigrate

import (
	"context"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// PostgresTarget is where a PostgreSQL backend's migrations go and how
// nodes starting together take turns.
type PostgresTarget struct {
	// LockClass is the first key of the transaction-scoped advisory lock
	// taken while migrating, one per backend; the second is a hash of
	// Schema, so databases in different schemas migrate independently.
	LockClass int32
	// Schema, when not empty, is created if missing (the pool's
	// search_path names it).
	Schema string
	// Table records the applied versions; a plain identifier (a backend's
	// constant), created if missing.
	Table string
}

// maxRollbackWait bounds the rollback of a failed migration: a healthy
// server answers within milliseconds; if it does not, pgx closes the
// connection, which rolls back as well.
const maxRollbackWait = time.Second

// Postgres applies the migrations of fsys (see [Load]) not yet recorded in
// the target's table, in one transaction that first takes a
// transaction-scoped advisory lock, so that nodes starting together queue
// there and each migration runs exactly once; the lock is released by the
// commit or rollback, even if the connection is lost. PostgreSQL DDL is
// transactional, so a failed migration leaves nothing behind. A database
// holding migrations fsys does not have (written by a newer version) is
// refused.
func Postgres(ctx context.Context, pool *pgxpool.Pool, fsys fs.FS, to PostgresTarget, wrap WrapFunc) (err error) {
	ms, err := Load(fsys)
	if err != nil {
		return err
	}
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return wrap(ctx, err, "begin migration")
	}
	defer func() {
		if err != nil {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), maxRollbackWait)
			defer cancel()
			tx.Rollback(rctx) //nolint:errcheck // see maxRollbackWait
		}
	}()
	// DDL may take long on a large database, and a node waits here for
	// another node's migrations: the server's statement and lock timeouts
	// (which the backends set on every connection) are lifted for this
	// transaction, and ctx's deadline alone bounds it.
	if _, err := tx.Exec(ctx, `SELECT set_config('statement_timeout', '0', true), set_config('lock_timeout', '0', true)`); err != nil {
		return wrap(ctx, err, "lift timeouts for migrations")
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, to.LockClass, to.Schema); err != nil {
		return wrap(ctx, err, "lock migrations")
	}
	if to.Schema != "" {
		if _, err := tx.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{to.Schema}.Sanitize()); err != nil {
			return wrap(ctx, err, "create schema")
		}
	}
	create := `CREATE TABLE IF NOT EXISTS ` + to.Table + ` (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`
	if _, err := tx.Exec(ctx, create); err != nil {
		return wrap(ctx, err, "create "+to.Table)
	}
	rows, err := tx.Query(ctx, `SELECT version FROM `+to.Table)
	if err != nil {
		return wrap(ctx, err, "read "+to.Table)
	}
	applied, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		return wrap(ctx, err, "read "+to.Table)
	}
	todo, err := Pending(ms, applied, to.Table)
	if err != nil {
		return err
	}
	record := `INSERT INTO ` + to.Table + ` (version, name) VALUES ($1, $2)`
	for _, m := range todo {
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return wrap(ctx, err, "apply migration "+m.Name)
		}
		if _, err := tx.Exec(ctx, record, m.Version, m.Name); err != nil {
			return wrap(ctx, err, "record migration "+m.Name)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return wrap(ctx, err, "commit migrations")
	}
	return nil
}
