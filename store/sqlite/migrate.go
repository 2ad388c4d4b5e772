package sqlite

import "embed"

// migrationFS holds the store's schema changes; Open applies them (through
// sqlitedb.Open), recording each in migrationTable.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

const migrationTable = "schema_migrations"
