// Package sqlstore holds what the SQL backends of the store package
// (store/sqlite, store/postgres) share and would otherwise each write again:
// the loader of a backend's embedded migration files, and which of them a
// database still needs.
//
// The backends keep what is theirs: the driver, transactions and locking,
// deadlines, applying migrations, and the mapping of driver errors to the
// store's sentinels.
package sqlstore
