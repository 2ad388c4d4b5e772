package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gatehouse-iam/gatehouse/internal/sqlitedb"
	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/gatehouse-iam/gatehouse/trail/internal/trailsql"
)

// FileName is the name the server gives the trail's database file inside
// its data directory.
const FileName = "trail.db"

// backend prefixes this package's errors.
const backend = "trail/sqlite"

// Options tune a Store. The zero value is valid.
type Options struct {
	// Timeout bounds every call whose context has no deadline; zero means
	// five seconds (the store's default).
	Timeout time.Duration
}

// Store is a trail.Store kept in a SQLite database file.
type Store struct {
	db      sqlitedb.DB // the writer (BEGIN IMMEDIATE) and the read-only pool
	timeout time.Duration
	closed  atomic.Bool
}

var _ trail.Store = (*Store)(nil)

// dialect is SQLite's, for the statements trail/internal/trailsql builds.
var dialect = trailsql.Dialect{Arg: trailsql.QuestionMark, Events: "events", Resources: "resources", True: "1"}

// Open opens (creating if needed, with mode 0600, and its directory with
// mode 0700) the trail's database file at path and brings its schema up
// to date. It is OpenWith with the default options.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opts Options) (*Store, error) {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = trailsql.DefaultTimeout
	}
	ctx, cancel := trailsql.WithTimeout(ctx, timeout)
	defer cancel()

	db, err := sqlitedb.Open(ctx, path, sqlitedb.Options{
		Migrations: migrationFS, MigrationTable: migrationTable, MapErr: mapErr,
		WriterPragmas: []string{"cache_size(-65536)"},
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", backend, err)
	}
	return &Store{db: db, timeout: timeout}, nil
}

// Close closes the database. It is safe to call more than once; calls
// after it fail with trail.ErrUnavailable.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.db.Close()
}

// start bounds a call's context and reports a call that cannot run: the
// store is closed, or ctx is done already.
func (s *Store) start(ctx context.Context, op string) (context.Context, context.CancelFunc, error) {
	if s.closed.Load() {
		return ctx, func() {}, fmt.Errorf("%s: %s: the store is closed: %w", backend, op, trail.ErrUnavailable)
	}
	if err := trailsql.Done(ctx, backend, op, nil); err != nil {
		return ctx, func() {}, err
	}
	ctx, cancel := trailsql.WithTimeout(ctx, s.timeout)
	return ctx, cancel, nil
}

// Append implements trail.Store. It stores the entries in one
// transaction; an entry whose EventID is stored already is skipped, so an
// Append retried after an error of unknown outcome stores nothing twice.
// When it returns nil it has set the Seq of each entry it stored in
// entries (a skipped entry's stays 0).
func (s *Store) Append(ctx context.Context, entries []trail.Entry) error {
	ctx, cancel, err := s.start(ctx, "append")
	defer cancel()
	if err != nil {
		return err
	}
	for i := range entries {
		if err := trailsql.CheckEntry(&entries[i]); err != nil {
			return fmt.Errorf("%s: append: %w", backend, err)
		}
	}
	if len(entries) == 0 {
		return nil
	}
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(ctx, err, "begin append")
	}
	committed := false
	defer func() {
		if !committed {
			tx.Rollback() //nolint:errcheck // the error returned is the one that matters
		}
	}()
	// The statements run under a context that is never done, and ctx is
	// checked between entries instead: with a context that can be done,
	// the driver starts a goroutine per statement to interrupt it, which
	// cost more than many an insert. An insert does not wait for a lock
	// (BEGIN IMMEDIATE took the writer's), so a deadline is still kept to
	// within one entry's insert.
	sctx := context.WithoutCancel(ctx)
	ins, err := prepare(sctx, tx)
	if err != nil {
		return err
	}
	defer ins.close()
	seqs := make([]int64, len(entries))
	for i := range entries {
		if err := trailsql.Done(ctx, backend, "append", nil); err != nil {
			return err
		}
		if seqs[i], err = ins.insert(sctx, &entries[i]); err != nil {
			return err
		}
	}
	// A caller whose context is done has been told, or will be, that its
	// Append failed: it must not commit behind its back.
	if err := trailsql.Done(ctx, backend, "commit abandoned, the caller's context is done", nil); err != nil {
		return err
	}
	committed = true
	if err := tx.Commit(); err != nil {
		return mapErr(ctx, err, "commit append")
	}
	for i, seq := range seqs {
		entries[i].Seq = seq
	}
	return nil
}

// inserter holds the prepared statements of an Append's transaction.
type inserter struct {
	event, resource *sql.Stmt
}

func prepare(ctx context.Context, tx *sql.Tx) (*inserter, error) {
	const event = `INSERT INTO events (account, event_time, event_id, event_name, event_source,
		username, access_key_id, principal, read_only, management, json)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`
	const resource = `INSERT INTO resources (seq, ord, account, management, event_time,
		type, name, owner, type_first, name_first) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	e, err := tx.PrepareContext(ctx, event)
	if err != nil {
		return nil, mapErr(ctx, err, "prepare insert event")
	}
	r, err := tx.PrepareContext(ctx, resource)
	if err != nil {
		e.Close() //nolint:errcheck // the error returned is the one that matters
		return nil, mapErr(ctx, err, "prepare insert resource")
	}
	return &inserter{event: e, resource: r}, nil
}

// close releases the statements; closing a statement of a transaction
// that ends anyway has nothing to report that matters.
func (in *inserter) close() {
	in.event.Close()    //nolint:errcheck // see above
	in.resource.Close() //nolint:errcheck // see above
}

// insert stores one entry and its resources and returns its seq, or 0 when
// its EventID is stored already.
func (in *inserter) insert(ctx context.Context, e *trail.Entry) (int64, error) {
	sec := trailsql.Seconds(e.Time)
	js := e.JSON
	if js == nil {
		js = []byte{}
	}
	res, err := in.event.ExecContext(ctx, e.Account, sec, e.EventID, e.EventName, e.EventSource,
		e.Username, e.AccessKeyID, e.Principal, e.ReadOnly, e.Management, js)
	if err != nil {
		return 0, mapErr(ctx, err, "insert event "+e.EventID)
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, mapErr(ctx, err, "insert event "+e.EventID)
	} else if n == 0 {
		return 0, nil
	}
	seq, err := res.LastInsertId()
	if err != nil {
		return 0, mapErr(ctx, err, "insert event "+e.EventID)
	}
	for _, r := range trailsql.ResourceRows(e) {
		if _, err := in.resource.ExecContext(ctx, seq, r.Ord, e.Account, e.Management, sec,
			r.Type, r.Name, r.Owner, r.TypeFirst, r.NameFirst); err != nil {
			return 0, mapErr(ctx, err, "insert resource of event "+e.EventID)
		}
	}
	return seq, nil
}

// Lookup implements trail.Store. The page and its entries' resources are
// read in one read transaction: one snapshot.
func (s *Store) Lookup(ctx context.Context, q trail.Query) (trail.Page, error) {
	ctx, cancel, err := s.start(ctx, "lookup")
	defer cancel()
	if err != nil {
		return trail.Page{}, err
	}
	if err := trailsql.CheckQuery(q); err != nil {
		return trail.Page{}, fmt.Errorf("%s: lookup: %w", backend, err)
	}
	tx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return trail.Page{}, mapErr(ctx, err, "begin lookup")
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to lose
	query, args := dialect.Lookup(q)
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return trail.Page{}, mapErr(ctx, err, "lookup")
	}
	defer rows.Close()
	var entries []trail.Entry
	for rows.Next() {
		e, err := trailsql.ScanEntry(rows)
		if err != nil {
			return trail.Page{}, mapErr(ctx, err, "lookup")
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return trail.Page{}, mapErr(ctx, err, "lookup")
	}
	rows.Close()
	page := trailsql.Page(entries, q.Limit)
	if len(page.Entries) == 0 {
		return page, nil
	}
	query, args = dialect.ResourcesOf(trailsql.Seqs(page.Entries))
	rows, err = tx.QueryContext(ctx, query, args...)
	if err != nil {
		return trail.Page{}, mapErr(ctx, err, "lookup resources")
	}
	defer rows.Close()
	attach := trailsql.Attach(page.Entries)
	for rows.Next() {
		var seq int64
		var r trail.Resource
		if err := rows.Scan(&seq, &r.Type, &r.ARN, &r.AccountID); err != nil {
			return trail.Page{}, mapErr(ctx, err, "lookup resources")
		}
		attach(seq, r)
	}
	if err := rows.Err(); err != nil {
		return trail.Page{}, mapErr(ctx, err, "lookup resources")
	}
	return page, nil
}

// DeleteBefore implements trail.Store: it deletes, in one transaction,
// the events (and their resources) before t among the limit first in the
// order of insertion; it returns 0 once none of those is before t.
func (s *Store) DeleteBefore(ctx context.Context, t time.Time, limit int) (int, error) {
	ctx, cancel, err := s.start(ctx, "delete")
	defer cancel()
	if err != nil {
		return 0, err
	}
	if err := trailsql.CheckLimit(limit); err != nil {
		return 0, fmt.Errorf("%s: delete: %w", backend, err)
	}
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return 0, mapErr(ctx, err, "begin delete")
	}
	committed := false
	defer func() {
		if !committed {
			tx.Rollback() //nolint:errcheck // the error returned is the one that matters
		}
	}()
	before := trailsql.Before(t)
	if _, err := tx.ExecContext(ctx, deleteResources, limit, before); err != nil {
		return 0, mapErr(ctx, err, "delete resources")
	}
	res, err := tx.ExecContext(ctx, deleteEvents, limit, before)
	if err != nil {
		return 0, mapErr(ctx, err, "delete events")
	}
	deleted, err := res.RowsAffected()
	if err != nil {
		return 0, mapErr(ctx, err, "delete events")
	}
	if err := trailsql.Done(ctx, backend, "commit abandoned, the caller's context is done", nil); err != nil {
		return 0, err
	}
	committed = true
	if err := tx.Commit(); err != nil {
		return 0, mapErr(ctx, err, "commit delete")
	}
	return int(deleted), nil
}

// The statements of DeleteBefore: of the first entries in the order of
// insertion (seq, the table's rowid: no index on the time is kept for
// retention alone), at most a limit, those before a time (unix seconds);
// their resources, then themselves. The two deletes in one transaction
// select the same entries. Seq follows time except for requests answered
// out of their order of arrival: an entry before the time that follows a
// newer one is deleted by the same call when within the limit, else by a
// later one.
const (
	oldest          = `SELECT seq FROM (SELECT seq, event_time FROM events ORDER BY seq LIMIT ?) WHERE event_time < ?`
	deleteResources = `DELETE FROM resources WHERE seq IN (` + oldest + `)`
	deleteEvents    = `DELETE FROM events WHERE seq IN (` + oldest + `)`
)

// mapErr wraps a driver error with its operation: a statement interrupted
// because ctx is done, or one that waited past busy_timeout for another
// process's lock (SQLITE_BUSY, SQLITE_LOCKED), wraps trail.ErrUnavailable.
// The driver error stays wrapped.
func mapErr(ctx context.Context, err error, op string) error {
	if done := trailsql.Done(ctx, backend, op, err); done != nil {
		return done
	}
	var se *sqlitedrv.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%s: %s: %w: %w", backend, op, trail.ErrUnavailable, err)
		}
	}
	return fmt.Errorf("%s: %s: %w", backend, op, err)
}
