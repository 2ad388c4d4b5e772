package postgres

import (
	"context"
	"embed"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gatehouse-iam/gatehouse/internal/sqlmigrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationLockClass is the first key of the advisory lock taken while
// migrating ("gate" in ASCII); the second is a hash of the schema name, so
// stores in different schemas migrate independently.
const migrationLockClass = 0x67617465

// migrationTable records the versions applied.
const migrationTable = "schema_migrations"

// migrate brings the schema up to date under the store's advisory lock, in
// one transaction (see sqlmigrate.Postgres). schema, when not empty, is
// created if missing (the pool's search_path names it). A database holding
// migrations this binary does not know (written by a newer version) is
// refused.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string, ms []sqlmigrate.Migration) error {
	to := sqlmigrate.PostgresTarget{LockClass: migrationLockClass, Schema: schema, Table: migrationTable}
	return sqlmigrate.Postgres(ctx, pool, to, ms, mapErr)
}
