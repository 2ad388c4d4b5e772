package sqlite

import (
	"context"
	"database/sql"
	"embed"

	"github.com/gatehouse-iam/gatehouse/internal/sqlmigrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate applies the migrations not yet recorded in the trail file's
// schema_migrations, each in its own transaction together with its record
// (see sqlmigrate.SQLite). It refuses a database that has migrations this
// binary does not know (written by a newer version).
func migrate(ctx context.Context, db *sql.DB, ms []sqlmigrate.Migration) error {
	return sqlmigrate.SQLite(ctx, db, "schema_migrations", ms, mapErr)
}
