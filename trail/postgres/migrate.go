package postgres

import (
	"embed"

	"github.com/gatehouse-iam/gatehouse/internal/sqlmigrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationTarget names the trail's own table of applied versions,
// trail_schema_migrations, apart from the store's schema_migrations in the
// same schema, and its own advisory lock ("trai" in ASCII; the store's is
// "gate"), taken with a hash of schema so that trails in different schemas
// migrate independently.
func migrationTarget(schema string) sqlmigrate.PostgresTarget {
	return sqlmigrate.PostgresTarget{LockClass: 0x74726169, Schema: schema, Table: "trail_schema_migrations"}
}
