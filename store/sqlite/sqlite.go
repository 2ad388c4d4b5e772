// Package sqlite is the embedded SQLite backend of the store package, built
// on modernc.org/sqlite (pure Go, no cgo).
//
// The database is one file, gatehouse.db, in WAL mode inside the data
// directory. Writes go through a single connection that begins transactions
// with BEGIN IMMEDIATE, so concurrent Update calls queue in process instead
// of failing with SQLITE_BUSY, and other processes are held off by
// busy_timeout. Reads use a separate pool of read-only connections; in WAL
// mode each read transaction sees one snapshot and never blocks the writer.
// The schema is migrated at Open from the embedded migrations directory.
//
// Every store call runs under the caller's deadline, or [Options.Timeout]
// when its context has none, as with the PostgreSQL backend: a write queued
// too long behind others (or behind another process's lock) fails with an
// error wrapping store.ErrUnavailable and context.DeadlineExceeded instead of
// waiting without bound, and an Update whose context is done before COMMIT
// rolls back.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"time"

	sqlitedrv "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gatehouse-iam/gatehouse/internal/sqlitedb"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/internal/sqlstore"
)

// FileName is the name of the database file inside the data directory.
const FileName = "gatehouse.db"

// Options tune a Store. The zero value is valid.
type Options struct {
	// Timeout bounds every store call whose context has no deadline; zero
	// means store.DefaultTimeout.
	Timeout time.Duration
}

// Store is a store.Store kept in a SQLite database.
type Store struct {
	db      sqlitedb.DB // the writer (BEGIN IMMEDIATE) and the read-only pool
	timeout time.Duration
	closed  atomic.Bool
	// getR and getW are Get's statement prepared on the readers and on the
	// writer: database/sql keeps each prepared on every connection that
	// ran it, so the hot path never has SQLite parse its text again.
	getR, getW *sql.Stmt
}

// getSQL reads one record.
const getSQL = `SELECT data, revision FROM records WHERE kind = ? AND account = ? AND key = ?`

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the store in directory dir, which is
// created with mode 0700 if missing, and brings its schema up to date. The
// database file is created with mode 0600. It is OpenWith with the default
// options.
func Open(ctx context.Context, dir string) (*Store, error) {
	return OpenWith(ctx, dir, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dir string, opts Options) (*Store, error) {
	// synchronous(FULL) (sqlitedb's): a commit is on disk when Update
	// returns, even across a power loss; a revoked access key must not
	// come back.
	fk := []string{"foreign_keys(1)"}
	db, err := sqlitedb.Open(ctx, filepath.Join(dir, FileName), sqlitedb.Options{
		Migrations: migrationFS, MigrationTable: migrationTable, MapErr: mapErr,
		WriterPragmas: fk, ReaderPragmas: fk,
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = store.DefaultTimeout
	}
	st := &Store{db: db, timeout: timeout}
	if st.getR, err = db.R.PrepareContext(ctx, getSQL); err == nil {
		st.getW, err = db.W.PrepareContext(ctx, getSQL)
	}
	if err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: preparing statements: %w", mapErr(ctx, err, "prepare")), db.Close())
	}
	return st, nil
}

// Close closes the database. It is safe to call more than once.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return errors.Join(s.getR.Close(), s.getW.Close(), s.db.Close())
}

// Update implements store.Store.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	ctx, cancel := store.WithDefaultTimeout(ctx, s.timeout)
	defer cancel()
	return store.RetryConflicts(ctx, func() error { return s.update(ctx, fn) })
}

func (s *Store) update(ctx context.Context, fn func(store.Tx) error) (err error) {
	sqlTx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(ctx, err, "begin update")
	}
	t := &tx{readTx: readTx{q: bounded{q: sqlTx, txCtx: ctx}, sqlTx: sqlTx, getStmt: s.getW}, sqlTx: sqlTx}
	committed := false
	defer func() {
		t.done = true
		if !committed {
			if rbErr := sqlTx.Rollback(); rbErr != nil && err == nil {
				err = mapErr(ctx, rbErr, "rollback")
			}
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if t.rev != 0 {
		const bump = `UPDATE revision SET current = ? WHERE id = 1`
		if _, err := sqlTx.ExecContext(ctx, bump, t.rev); err != nil {
			return mapErr(ctx, err, "set revision")
		}
	}
	// A caller that has gone, or whose deadline has passed, must not find
	// its write committed behind its back (database/sql would refuse too,
	// for the context given to BeginTx; this says so explicitly).
	if err := ctx.Err(); err != nil {
		return mapErr(ctx, err, "commit abandoned, the caller's context is done")
	}
	committed = true
	if err := sqlTx.Commit(); err != nil {
		return mapErr(ctx, err, "commit")
	}
	return nil
}

// View implements store.Store.
func (s *Store) View(ctx context.Context, fn func(store.ReadTx) error) error {
	ctx, cancel := store.WithDefaultTimeout(ctx, s.timeout)
	defer cancel()
	sqlTx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return mapErr(ctx, err, "begin view")
	}
	t := &readTx{q: bounded{q: sqlTx, txCtx: ctx}, sqlTx: sqlTx, getStmt: s.getR}
	defer func() {
		t.done = true
		sqlTx.Rollback() //nolint:errcheck // read-only: nothing to lose
	}()
	return fn(t)
}

// Revision implements store.Store.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	ctx, cancel := store.WithDefaultTimeout(ctx, s.timeout)
	defer cancel()
	var rev int64
	err := s.db.R.QueryRowContext(ctx, `SELECT current FROM revision WHERE id = 1`).Scan(&rev)
	if err != nil {
		return 0, mapErr(ctx, err, "read revision")
	}
	return rev, nil
}

// Changes implements store.Store.
func (s *Store) Changes(ctx context.Context, after int64, limit int) ([]store.Change, error) {
	ctx, cancel := store.WithDefaultTimeout(ctx, s.timeout)
	defer cancel()
	var out []store.Change
	err := s.View(ctx, func(rt store.ReadTx) (err error) {
		out, err = dialect.Changes(ctx, rt.(*readTx).query, after, limit)
		return err
	})
	return out, err
}

// dialect is SQLite's, for the statements store/internal/sqlstore builds.
var dialect = sqlstore.Dialect{Arg: sqlstore.QuestionMark, NoLimit: -1, MapErr: mapErr}

// querier is what readTx needs of a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// bounded runs a transaction's statements within the transaction's deadline,
// whatever context each statement is given: once the transaction's context
// is done, statements run under it and so fail at once. (database/sql rolls
// the transaction back when that context ends, but from another goroutine:
// a statement issued in between could still succeed.)
type bounded struct {
	q     querier
	txCtx context.Context
}

// ctx is the context a statement given ctx runs under.
func (b bounded) ctx(ctx context.Context) context.Context {
	if b.txCtx.Err() != nil {
		return b.txCtx
	}
	return ctx
}

func (b bounded) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return b.q.QueryContext(b.ctx(ctx), query, args...)
}

func (b bounded) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return b.q.QueryRowContext(b.ctx(ctx), query, args...)
}

func (b bounded) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return b.q.ExecContext(b.ctx(ctx), query, args...)
}

// errTxDone reports use of a transaction after its function returned.
var errTxDone = errors.New("sqlite: transaction used after its function returned")

// readTx implements store.ReadTx over a SQL transaction.
type readTx struct {
	q    bounded
	done bool
	// sqlTx and getStmt give Get its prepared statement in this
	// transaction (get, once made).
	sqlTx   *sql.Tx
	getStmt *sql.Stmt
	get     *sql.Stmt
}

// Get implements store.ReadTx.
func (t *readTx) Get(ctx context.Context, kind store.Kind, account, key string) (store.Record, error) {
	if t.done {
		return store.Record{}, errTxDone
	}
	if err := store.ValidateAddress(kind, account, key); err != nil {
		return store.Record{}, err
	}
	r := store.Record{Kind: kind, Account: account, Key: key}
	ctx = t.q.ctx(ctx)
	if t.get == nil {
		t.get = t.sqlTx.StmtContext(ctx, t.getStmt)
	}
	err := t.get.QueryRowContext(ctx, string(kind), account, []byte(key)).Scan(&r.Data, &r.Revision)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Record{}, fmt.Errorf("sqlite: get %s %q in account %q: %w", kind, key, account, store.ErrNotFound)
	}
	if err != nil {
		return store.Record{}, mapErr(ctx, err, "get "+string(kind))
	}
	return r, nil
}

// query runs a query for store/internal/sqlstore.
func (t *readTx) query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := t.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

// sqlRows is *sql.Rows as a sqlstore.Rows: reading rows, Close has nothing
// to report that Err does not.
type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { r.Rows.Close() }

// List implements store.ReadTx.
func (t *readTx) List(ctx context.Context, opts store.ListOptions) ([]store.Record, error) {
	if t.done {
		return nil, errTxDone
	}
	if err := store.ValidateList(opts); err != nil {
		return nil, err
	}
	return dialect.List(ctx, t.query, opts)
}

// Count implements store.ReadTx.
func (t *readTx) Count(ctx context.Context, kind store.Kind, account, prefix string) (int, error) {
	if t.done {
		return 0, errTxDone
	}
	if err := store.ValidateList(store.ListOptions{Kind: kind, Account: account}); err != nil {
		return 0, err
	}
	count, args := dialect.Count(kind, account, prefix)
	var n int
	if err := t.q.QueryRowContext(ctx, count, args...).Scan(&n); err != nil {
		return 0, mapErr(ctx, err, "count "+string(kind))
	}
	return n, nil
}

// tx implements store.Tx. rev is the revision this commit will take; it is
// chosen at the first successful write (the writer holds the database's
// write lock from BEGIN IMMEDIATE, so current+1 cannot be taken by another
// commit) and stays 0 when nothing is written.
type tx struct {
	readTx
	sqlTx *sql.Tx
	rev   int64
}

// nextRevision returns the revision of this commit, reading it on first use.
func (t *tx) nextRevision(ctx context.Context) (int64, error) {
	if t.rev != 0 {
		return t.rev, nil
	}
	var cur int64
	if err := t.q.QueryRowContext(ctx, `SELECT current FROM revision WHERE id = 1`).Scan(&cur); err != nil {
		return 0, mapErr(ctx, err, "read revision")
	}
	return cur + 1, nil
}

// wrote records a change of (kind, account, key) at revision rev.
func (t *tx) wrote(ctx context.Context, rev int64, kind store.Kind, account, key string, op store.Op) error {
	const change = `INSERT INTO changes (revision, kind, account, key, op) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (revision, kind, account, key) DO UPDATE SET op = excluded.op`
	if _, err := t.q.ExecContext(ctx, change, rev, string(kind), account, []byte(key), string(op)); err != nil {
		return mapErr(ctx, err, "record change")
	}
	t.rev = rev
	return nil
}

func data(r store.Record) []byte {
	if r.Data == nil {
		return []byte{}
	}
	return r.Data
}

// Create implements store.Tx.
func (t *tx) Create(ctx context.Context, r store.Record) error {
	if t.done {
		return errTxDone
	}
	if err := store.ValidateAddress(r.Kind, r.Account, r.Key); err != nil {
		return err
	}
	rev, err := t.nextRevision(ctx)
	if err != nil {
		return err
	}
	const create = `INSERT INTO records (kind, account, key, data, revision) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind, account, key) DO NOTHING`
	res, err := t.q.ExecContext(ctx, create, string(r.Kind), r.Account, []byte(r.Key), data(r), rev)
	if err != nil {
		return mapErr(ctx, err, "create "+string(r.Kind))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapErr(ctx, err, "create "+string(r.Kind))
	}
	if n == 0 {
		return fmt.Errorf("sqlite: create %s %q in account %q: %w", r.Kind, r.Key, r.Account, store.ErrAlreadyExists)
	}
	return t.wrote(ctx, rev, r.Kind, r.Account, r.Key, store.OpPut)
}

// Put implements store.Tx.
func (t *tx) Put(ctx context.Context, r store.Record) error {
	if t.done {
		return errTxDone
	}
	if err := store.ValidateAddress(r.Kind, r.Account, r.Key); err != nil {
		return err
	}
	rev, err := t.nextRevision(ctx)
	if err != nil {
		return err
	}
	const put = `INSERT INTO records (kind, account, key, data, revision) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (kind, account, key) DO UPDATE SET data = excluded.data, revision = excluded.revision`
	if _, err := t.q.ExecContext(ctx, put, string(r.Kind), r.Account, []byte(r.Key), data(r), rev); err != nil {
		return mapErr(ctx, err, "put "+string(r.Kind))
	}
	return t.wrote(ctx, rev, r.Kind, r.Account, r.Key, store.OpPut)
}

// Delete implements store.Tx.
func (t *tx) Delete(ctx context.Context, kind store.Kind, account, key string) error {
	if t.done {
		return errTxDone
	}
	if err := store.ValidateAddress(kind, account, key); err != nil {
		return err
	}
	const del = `DELETE FROM records WHERE kind = ? AND account = ? AND key = ?`
	res, err := t.q.ExecContext(ctx, del, string(kind), account, []byte(key))
	if err != nil {
		return mapErr(ctx, err, "delete "+string(kind))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return mapErr(ctx, err, "delete "+string(kind))
	}
	if n == 0 {
		return fmt.Errorf("sqlite: delete %s %q in account %q: %w", kind, key, account, store.ErrNotFound)
	}
	rev, err := t.nextRevision(ctx)
	if err != nil {
		return err
	}
	return t.wrote(ctx, rev, kind, account, key, store.OpDelete)
}

// mapErr wraps a driver error with context, translating it to the store's
// sentinels by SQLite result code: BUSY and LOCKED become ErrConflict,
// primary-key and unique violations ErrAlreadyExists, a statement
// interrupted by ctx's deadline ErrUnavailable and the deadline, and one
// interrupted by ctx's cancellation its cause. The driver error stays
// wrapped too.
func mapErr(ctx context.Context, err error, op string) error {
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
			return fmt.Errorf("sqlite: %s: no answer before the deadline: %w: %w: %w", op, store.ErrUnavailable, context.Cause(ctx), err)
		}
		return fmt.Errorf("sqlite: %s: %w: %w", op, context.Cause(ctx), err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	var se *sqlitedrv.Error
	if errors.As(err, &se) {
		code := se.Code()
		switch code & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("sqlite: %s: %w: %w", op, store.ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT:
			if code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || code == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
				return fmt.Errorf("sqlite: %s: %w: %w", op, store.ErrAlreadyExists, err)
			}
		}
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}
