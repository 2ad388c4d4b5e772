// Package sqlmigrate holds the schema migrations of Gatehouse's SQL
// backends (the store's and the audit trail's, SQLite and PostgreSQL): the
// loader of a backend's embedded NNNN_description.sql files, the check of
// the versions a database has recorded, and the two runners that apply what
// is pending — SQLite's, one migration per transaction under the writer's
// lock, and PostgreSQL's, all in one transaction under an advisory lock.
//
// Each backend keeps what is its own and passes it in: the table recording
// the applied versions, the advisory lock's key, and the mapping of driver
// errors to its package's sentinels (see [WrapFunc]).
package sqlmigrate
