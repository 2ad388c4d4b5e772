// Package trailsql holds what the SQL backends of the audit trail
// (trail/sqlite, trail/postgres) share and would otherwise each write again:
// the checks of entries and queries, the time bounds in whole seconds, the
// Lookup statement built for either dialect's placeholders with the row
// scanning that goes with it, the resource rows an entry is indexed by, and
// the error a call whose context is done returns. What they share with the
// store's backends is in internal/sqlmigrate (migrations), internal/sqlitedb
// (opening a SQLite file) and internal/pgclient (PostgreSQL connection
// settings and failures).
//
// The backends keep what is theirs: the driver, connections and
// transactions, the write statements, and the mapping of driver errors to
// trail.ErrUnavailable.
//
// # Schema both backends share
//
// (trail/sqlite keeps it no longer: it reads these tables once, to convert
// a trail of an earlier version to its segments and posting lists.)
//
// An events table holds one row per entry: the indexed columns (account,
// event_time in unix seconds, seq, event_id, event_name, event_source,
// username, access_key_id, principal, read_only, management) and the
// record's JSON. A resources table holds one row per resource of an entry
// (seq, ord, account, management, event_time, type, name, owner), with
// type_first and name_first set on the first row of the entry with that
// type (name): the partial indexes on type and name cover those rows only,
// so an entry naming two users is found once by ResourceType, not twice.
//
// Every lookup is an index range scan: each attribute has an index on
// (account, management, attribute, event_time[, seq]) — SQLite's indexes
// end with the rowid, which is seq —, a lookup without an attribute uses
// (account, management, event_time[, seq]), and the page's position is a
// row-value bound on (event_time, seq). A query with IncludeData is two such
// scans, one per value of management, merged by a UNION ALL that keeps the
// order and the limit.
package trailsql
