package sqlite

import "embed"

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrationTable records the migrations applied to the trail's file, at
// Open.
const migrationTable = "schema_migrations"
