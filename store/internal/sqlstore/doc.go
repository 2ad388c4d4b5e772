// Package sqlstore holds what the SQL backends of the store package
// (store/sqlite, store/postgres) share and would otherwise each write again:
// the statements that read records and the change feed, built for either
// dialect's placeholders, the loops that scan their rows into store values,
// and the loader of a backend's embedded migration files.
//
// The backends keep what is theirs: the driver, transactions and locking,
// deadlines, the write statements, applying migrations, and the mapping of
// driver errors to the store's sentinels, which they pass in (see [Dialect]).
package sqlstore
