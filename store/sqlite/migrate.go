package sqlite

import "embed"

// migrationFS holds the store's schema changes; Open applies them with
// sqlmigrate.SQLite, recording each in migrationTable.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

const migrationTable = "schema_migrations"
