// Package sqlstore holds what the SQL backends of the store package
// (store/sqlite, store/postgres) share and would otherwise each write again:
// the statements that read records and the change feed, built for either
// dialect's placeholders, and the loops that scan their rows into store
// values. What they share with the audit trail's backends is in
// internal/sqlmigrate (migrations), internal/sqlitedb (opening a SQLite
// file) and internal/pgclient (PostgreSQL connection settings and failures).
//
// The backends keep what is theirs: the driver, transactions and locking,
// deadlines, the write statements, and the mapping of driver errors to the
// store's sentinels, which they pass in (see [Dialect]).
package sqlstore
