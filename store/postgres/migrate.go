package postgres

import (
	"embed"

	"github.com/gatehouse-iam/gatehouse/internal/sqlmigrate"
)

// migrationFS holds the store's schema changes, which Open applies.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationTarget is where Open records the store's migrations in schema:
// schema_migrations, under an advisory lock whose first key is "gate" in
// ASCII (the second, a hash of the schema name, lets stores in different
// schemas migrate independently).
func migrationTarget(schema string) sqlmigrate.PostgresTarget {
	return sqlmigrate.PostgresTarget{LockClass: 0x67617465, Schema: schema, Table: "schema_migrations"}
}
