// Package sqlitedb opens a Gatehouse SQLite database file (the store's
// gatehouse.db, the audit trail's trail.db) the one way both want it, with
// modernc.org/sqlite: a single writer connection in WAL mode whose
// transactions begin with BEGIN IMMEDIATE, so writers queue in process
// instead of failing with SQLITE_BUSY, and a pool of read-only
// connections, each of which sees one snapshot and never blocks the
// writer. Every connection waits busy_timeout for another process's lock
// and commits with synchronous(FULL): a commit is on disk when it returns,
// even across a power loss.
//
// [Open] does it all, the schema's migrations included (internal/sqlmigrate
// runs them on the writer). The backends keep what is theirs and pass it
// in: the file's place, their own pragmas, their migrations and table, and
// the mapping of driver errors to their sentinels.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" driver

	"github.com/gatehouse-iam/gatehouse/internal/sqlmigrate"
)

// BusyTimeoutMillis bounds how long a connection waits for a lock held by
// another process before reporting SQLITE_BUSY.
const BusyTimeoutMillis = 10000

// DB is a database file opened by [Open]: its writer and its readers.
type DB struct {
	W *sql.DB // one connection; BEGIN IMMEDIATE
	R *sql.DB // read-only pool
}

// Close closes the readers and the writer.
func (db DB) Close() error { return errors.Join(db.R.Close(), db.W.Close()) }

// Options are what a backend asks of [Open] beyond the shared settings.
type Options struct {
	// Migrations holds the backend's embedded migrations (see
	// sqlmigrate.Load), applied at Open and recorded in MigrationTable.
	Migrations     fs.FS
	MigrationTable string
	// MapErr maps the driver's errors to the backend's sentinels.
	MapErr sqlmigrate.WrapFunc
	// WriterPragmas and ReaderPragmas are the backend's own pragmas of
	// the writer and of the readers.
	WriterPragmas, ReaderPragmas []string
}

// Open opens the database file path: it creates it if missing (see
// [CreateFile]), opens its writer ([OpenWriter]), brings its schema up to
// date through the writer (sqlmigrate.SQLite, within ctx) and opens its
// readers ([OpenReaders]).
func Open(ctx context.Context, path string, o Options) (DB, error) {
	if err := CreateFile(path); err != nil {
		return DB{}, err
	}
	w, err := OpenWriter(path, o.WriterPragmas...)
	if err != nil {
		return DB{}, err
	}
	if err := sqlmigrate.SQLite(ctx, w, o.Migrations, o.MigrationTable, o.MapErr); err != nil {
		w.Close()
		return DB{}, fmt.Errorf("migrate %s: %w", path, err)
	}
	r, err := OpenReaders(path, o.ReaderPragmas...)
	if err != nil {
		w.Close()
		return DB{}, err
	}
	return DB{W: w, R: r}, nil
}

// CreateFile creates the database file path, if missing, with mode 0600,
// and its directory with mode 0700. A path holding '?' or '#' is refused:
// the driver would read them as the start of the connection string's query
// or fragment.
func CreateFile(path string) error {
	if strings.ContainsAny(path, "?#") {
		return fmt.Errorf("path %q: '?' and '#' are not supported", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create directory: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	return nil
}

// dsn returns the connection string of the database file path: busy_timeout
// and synchronous(FULL), then pragmas, in that order.
func dsn(path string, pragmas ...string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeoutMillis))
	q.Add("_pragma", "synchronous(FULL)")
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	return path + "?" + q.Encode()
}

// OpenWriter opens the writer of the database file path: one connection,
// never closed for age or idleness, in WAL mode, beginning transactions
// with BEGIN IMMEDIATE; pragmas (such as "foreign_keys(1)") are applied
// after busy_timeout and synchronous. path must not hold '?' or '#'.
func OpenWriter(path string, pragmas ...string) (*sql.DB, error) {
	w, err := sql.Open("sqlite", dsn(path, slices.Concat(pragmas, []string{"journal_mode(WAL)"})...)+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	return w, nil
}

// OpenReaders opens the pool of read-only connections (query_only) of the
// database file path, as many as the greater of 4 and GOMAXPROCS; pragmas
// are applied after busy_timeout and synchronous. path must not hold '?'
// or '#'.
func OpenReaders(path string, pragmas ...string) (*sql.DB, error) {
	r, err := sql.Open("sqlite", dsn(path, slices.Concat(pragmas, []string{"query_only(1)"})...))
	if err != nil {
		return nil, fmt.Errorf("open readers: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	return r, nil
}
