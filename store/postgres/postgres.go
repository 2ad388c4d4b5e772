// Package postgres is the PostgreSQL backend of the store package, built on
// pgx (github.com/jackc/pgx/v5) and its connection pool. Several Gatehouse
// nodes share one database: this is how Gatehouse runs as a cluster.
//
// Concurrency. Every read-write transaction (Update) runs at READ COMMITTED
// and begins by locking the single row of the revision table (SELECT ... FOR
// UPDATE). Writers are therefore serialised across every node, as SQLite's
// BEGIN IMMEDIATE serialises them in one process: a transaction's reads after
// the lock see every earlier commit, so read-check-write sequences (a name
// that must be unique, a count that must stay under a limit) hold without
// serialization failures, and revisions are handed out consecutively in
// commit order. Because the lock is held until the commit is visible, a
// reader of the change feed never sees revision N+1 without N. SQLSTATE 40001
// and 40P01 still map to ErrConflict (and Update retries them) should they
// arise.
//
// Read-only transactions (View, Changes) run at REPEATABLE READ READ ONLY:
// one snapshot for the whole function, never blocking or blocked by writers.
//
// Create uses INSERT ... ON CONFLICT DO NOTHING rather than catching a unique
// violation, which would abort the whole PostgreSQL transaction; so the
// transaction stays usable after ErrAlreadyExists, as the contract requires.
// Each write and its change-feed row are one statement (a data-modifying
// CTE), one round trip.
//
// Notifications. A commit that takes a revision also runs pg_notify on the
// store's channel with the revision as payload, in the same transaction, so
// the notification is delivered exactly when the commit is visible. [Store.Listen]
// follows the channel on a dedicated connection and reconnects by itself.
//
// Deadlines. A database that stops answering (packets dropped, not refused)
// must not hang the node. Every store call runs under a deadline: the
// caller's, or [Options.Timeout] when the caller's context has none; the
// statements of a transaction share the deadline of their Update or View
// whatever context they are given. Past the deadline a call fails with an
// error wrapping store.ErrUnavailable and context.DeadlineExceeded. An Update
// whose context is done before COMMIT rolls back instead of committing, so a
// caller that gave up never finds its write applied later; COMMIT itself is
// bounded by the same deadline, and a COMMIT interrupted that way has an
// unknown outcome, as for any connection lost during COMMIT. Open applies the
// same timeout to its first connection, so starting against an unreachable
// database fails with a clear error. Connections use TCP keepalives, and
// unless the DSN sets them: connect_timeout, and the server-side
// statement_timeout, lock_timeout and idle_in_transaction_session_timeout,
// so the server, too, gives up on a node that has vanished and releases the
// revision lock it held (see [Open]).
//
// Schema. Tables live in the schema named by [Options.Schema] (created if
// missing), else in the first schema of the DSN's search_path (normally
// public). Migrations are embedded, versioned in schema_migrations and applied
// at Open under an advisory lock.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gatehouse-iam/gatehouse/internal/pgclient"
	"github.com/gatehouse-iam/gatehouse/internal/sqlmigrate"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/internal/sqlstore"
)

// Channel is the LISTEN/NOTIFY channel of a store in the default schema.
// A store with [Options.Schema] set uses Channel + "_" + schema, so stores in
// different schemas of one database do not wake each other.
const Channel = "gatehouse_revision"

// Options tune a Store. The zero value is valid.
type Options struct {
	// Schema, when set, is the schema holding Gatehouse's tables; it is
	// created if missing and becomes the connections' search_path. It must
	// match [a-z_][a-z0-9_]* and be at most 40 bytes long.
	Schema string
	// MaxConns caps the connection pool; zero means pgx's default (the
	// greater of 4 and the number of CPUs), and it is at least 2.
	MaxConns int32
	// Log receives connection trouble seen by Listen; nil discards it.
	Log *slog.Logger
	// Timeout bounds every store call whose context has no deadline, and
	// the first connection made by Open; zero means store.DefaultTimeout.
	// It is also the default of the connection settings Open applies when
	// the DSN does not set them.
	Timeout time.Duration
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,39}$`)

// Store is a store.Store kept in a PostgreSQL database.
type Store struct {
	pool    *pgxpool.Pool
	listen  *pgx.ConnConfig // for Listen's dedicated connection
	schema  string
	channel string
	log     *slog.Logger
	timeout time.Duration // bound of a store call whose context has none
	closed  atomic.Bool
}

var _ store.Store = (*Store)(nil)

// Open connects to the database dsn (a postgres:// URL or a key=value
// connection string, as pgx accepts), brings its schema up to date and
// returns the store. The first connection, and the migrations, are bounded
// by ctx's deadline or else by [Options.Timeout]: an unreachable database
// makes Open fail with an error that names its address and the bound.
//
// Connection settings the DSN may set (postgres://...?name=value), and their
// defaults when it does not, with T the timeout:
//   - connect_timeout (seconds): T, rounded up to a whole second;
//   - statement_timeout: T; lock_timeout: T;
//   - idle_in_transaction_session_timeout: 2T, so a transaction whose node
//     vanished releases its locks;
//   - tcp_keepalives_idle, tcp_keepalives_interval, tcp_keepalives_count
//     (the server's side): 15 s, 5 s, 3.
//
// The client's side of each connection always sends TCP keepalives (after
// 15 s idle, every 5 s, 3 probes), and a pooled connection idle for over a
// second is pinged before use within pool_ping_timeout (pgx's DSN setting,
// a Go duration; default T/4).
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.Schema != "" && !schemaName.MatchString(opts.Schema) {
		return nil, fmt.Errorf("postgres: schema %q must match %s", opts.Schema, schemaName)
	}
	if opts.MaxConns != 0 && opts.MaxConns < 2 {
		return nil, fmt.Errorf("postgres: MaxConns %d: need at least 2", opts.MaxConns)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the DSN, password included: keep it out.
		return nil, errors.New("postgres: cannot parse the DSN (expected postgres://user@host:port/database?sslmode=...)")
	}
	if opts.MaxConns != 0 {
		cfg.MaxConns = opts.MaxConns
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = store.DefaultTimeout
	}
	pgclient.Configure(cfg, timeout, opts.Schema)
	cfg.MaxConns = max(cfg.MaxConns, 2)
	channel := Channel
	if opts.Schema != "" {
		channel = Channel + "_" + opts.Schema
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := ping(ctx, pool, timeout); err != nil {
		pool.Close()
		return nil, err
	}
	mctx, cancel := store.WithDefaultTimeout(ctx, timeout)
	defer cancel()
	if err := sqlmigrate.Postgres(mctx, pool, migrationFS, migrationTarget(opts.Schema), mapErr); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	return &Store{pool: pool, listen: cfg.ConnConfig.Copy(), schema: opts.Schema, channel: channel, log: log, timeout: timeout}, nil
}

// ping makes the pool's first connection, within ctx's deadline or else
// timeout, and explains a failure: the address tried and the bound, never
// the DSN (it may hold a password).
func ping(ctx context.Context, pool *pgxpool.Pool, timeout time.Duration) error {
	pctx, cancel := store.WithDefaultTimeout(ctx, timeout)
	defer cancel()
	err := pool.Ping(pctx)
	if err == nil {
		return nil
	}
	cc := pool.Config().ConnConfig
	addr := net.JoinHostPort(cc.Host, fmt.Sprint(cc.Port))
	silent := pctx.Err() != nil || pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded)
	if silent && ctx.Err() == nil {
		return fmt.Errorf("postgres: the database at %s did not answer within %v, the store timeout (is it running, and reachable from here?): %w",
			addr, timeout, mapErr(pctx, err, "connect"))
	}
	return fmt.Errorf("postgres: cannot connect to the database at %s: %w", addr, mapErr(pctx, err, "connect"))
}

// Close closes the connection pool. It is safe to call more than once.
func (s *Store) Close() error {
	if !s.closed.Swap(true) {
		s.pool.Close()
	}
	return nil
}

// Channel returns the LISTEN/NOTIFY channel this store notifies on.
func (s *Store) Channel() string { return s.channel }

// maxLostConnections is how many times Update reruns a transaction whose
// connection died before COMMIT was sent.
const maxLostConnections = 3

// Update implements store.Store.
//
// Besides ErrConflict, Update reruns fn (at once, on another connection) when
// the connection died before COMMIT was sent — a database restart leaves
// dead connections in the pool, and such a transaction certainly did not
// commit. A connection lost during COMMIT is not rerun: the commit may have
// happened.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	ctx, cancel := store.WithDefaultTimeout(ctx, s.timeout)
	defer cancel()
	return store.RetryConflicts(ctx, func() error {
		var err error
		for range maxLostConnections {
			var lost bool
			if lost, err = s.update(ctx, fn); !lost {
				return err
			}
		}
		return err
	})
}

// update runs one attempt of Update. lost reports that it failed because its
// connection died before COMMIT was sent.
func (s *Store) update(ctx context.Context, fn func(store.Tx) error) (lost bool, err error) {
	pgTx, err := s.begin(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return false, mapErr(ctx, err, "begin update")
	}
	t := &tx{readTx: readTx{q: pgTx, ctx: ctx}}
	committing := false
	defer func() {
		t.done = true
		if err != nil && !committing {
			lost = ctx.Err() == nil && pgTx.Conn().IsClosed()
		}
		if !committing {
			rollback(ctx, pgTx, s.timeout)
		}
	}()
	// The lock every writer queues on; see the package comment.
	var cur int64
	if err := pgTx.QueryRow(ctx, `SELECT current FROM revision WHERE id = 1 FOR UPDATE`).Scan(&cur); err != nil {
		return false, mapErr(ctx, err, "lock revision")
	}
	t.rev = cur + 1
	if err := fn(t); err != nil {
		return false, err
	}
	if t.wrote {
		const bump = `WITH bumped AS (UPDATE revision SET current = $1 WHERE id = 1)
			SELECT pg_notify($2, $3)`
		if _, err := pgTx.Exec(ctx, bump, t.rev, s.channel, fmt.Sprint(t.rev)); err != nil {
			return false, mapErr(ctx, err, "set revision")
		}
	}
	// A caller that has gone (cancelled) or whose deadline has passed has
	// been told, or will be, that its write failed: it must not commit
	// behind its back. Rolled back by the deferred function.
	if err := ctx.Err(); err != nil {
		return false, mapErr(ctx, err, "commit abandoned, the caller's context is done")
	}
	committing = true
	if err := pgTx.Commit(ctx); err != nil {
		return false, mapErr(ctx, err, "commit")
	}
	return false, nil
}

// begin starts a transaction on a pooled connection. A failed BEGIN did
// nothing, so it is retried, a bounded number of times, on another
// connection: after a database restart the pool holds dead connections, and
// each would otherwise fail one request.
func (s *Store) begin(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error) {
	var err error
	for range maxLostConnections {
		var t pgx.Tx
		if t, err = s.pool.BeginTx(ctx, opts); err == nil || ctx.Err() != nil {
			return t, err
		}
	}
	return nil, err
}

// maxRollbackWait bounds a rollback: a healthy server answers within
// milliseconds, and one that does not answer must not delay the caller's
// error much longer.
const maxRollbackWait = time.Second

// rollback ends a transaction that will not commit. It runs even when ctx is
// done, briefly (the smaller of timeout and maxRollbackWait), so that the
// connection goes back to the pool clean; if it fails, pgx closes the
// connection, which rolls back just as well (the server also ends a
// transaction left idle by idle_in_transaction_session_timeout).
func rollback(ctx context.Context, t pgx.Tx, timeout time.Duration) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), min(timeout, maxRollbackWait))
	defer cancel()
	t.Rollback(rctx) //nolint:errcheck // see above
}

// View implements store.Store.
func (s *Store) View(ctx context.Context, fn func(store.ReadTx) error) error {
	ctx, cancel := store.WithDefaultTimeout(ctx, s.timeout)
	defer cancel()
	pgTx, err := s.begin(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return mapErr(ctx, err, "begin view")
	}
	t := &readTx{q: pgTx, ctx: ctx}
	defer func() {
		t.done = true
		rollback(ctx, pgTx, s.timeout)
	}()
	return fn(t)
}

// Revision implements store.Store.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	ctx, cancel := store.WithDefaultTimeout(ctx, s.timeout)
	defer cancel()
	var rev int64
	if err := s.pool.QueryRow(ctx, `SELECT current FROM revision WHERE id = 1`).Scan(&rev); err != nil {
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

// dialect is PostgreSQL's, for the statements store/internal/sqlstore builds.
var dialect = sqlstore.Dialect{Arg: sqlstore.Dollar, NoLimit: (*int64)(nil), MapErr: mapErr}

// errTxDone reports use of a transaction after its function returned.
var errTxDone = errors.New("postgres: transaction used after its function returned")

// readTx implements store.ReadTx over a pgx transaction. ctx is the context
// of the Update or View that began it: its deadline and cancellation bound
// every statement, whatever context the statement is given.
type readTx struct {
	q    pgx.Tx
	ctx  context.Context
	done bool
}

// bound returns ctx limited by the transaction's context as well: done when
// either is. Callers defer the returned cancel.
func (t *readTx) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx == t.ctx {
		return ctx, func() {}
	}
	c, cancel := context.WithCancelCause(ctx)
	if t.ctx.Err() != nil {
		cancel(context.Cause(t.ctx))
		return c, func() { cancel(nil) }
	}
	stop := context.AfterFunc(t.ctx, func() { cancel(context.Cause(t.ctx)) })
	return c, func() { stop(); cancel(nil) }
}

// Get implements store.ReadTx.
func (t *readTx) Get(ctx context.Context, kind store.Kind, account, key string) (store.Record, error) {
	if t.done {
		return store.Record{}, errTxDone
	}
	if err := store.ValidateAddress(kind, account, key); err != nil {
		return store.Record{}, err
	}
	ctx, cancel := t.bound(ctx)
	defer cancel()
	r := store.Record{Kind: kind, Account: account, Key: key}
	const get = `SELECT data, revision FROM records WHERE kind = $1 AND account = $2 AND key = $3`
	err := t.q.QueryRow(ctx, get, string(kind), account, []byte(key)).Scan(&r.Data, &r.Revision)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Record{}, fmt.Errorf("postgres: get %s %q in account %q: %w", kind, key, account, store.ErrNotFound)
	}
	if err != nil {
		return store.Record{}, mapErr(ctx, err, "get "+string(kind))
	}
	return r, nil
}

// query runs a query for store/internal/sqlstore, as it is: the caller
// bounds ctx.
func (t *readTx) query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	return t.q.Query(ctx, query, args...)
}

// List implements store.ReadTx.
func (t *readTx) List(ctx context.Context, opts store.ListOptions) ([]store.Record, error) {
	if t.done {
		return nil, errTxDone
	}
	if err := store.ValidateList(opts); err != nil {
		return nil, err
	}
	ctx, cancel := t.bound(ctx)
	defer cancel()
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
	ctx, cancel := t.bound(ctx)
	defer cancel()
	count, args := dialect.Count(kind, account, prefix)
	var n int
	if err := t.q.QueryRow(ctx, count, args...).Scan(&n); err != nil {
		return 0, mapErr(ctx, err, "count "+string(kind))
	}
	return n, nil
}

// tx implements store.Tx. rev is the revision this transaction takes if it
// writes: the locked current revision plus one, which no other transaction
// can take while the lock is held. wrote reports that it wrote something.
type tx struct {
	readTx
	rev   int64
	wrote bool
}

func data(r store.Record) []byte {
	if r.Data == nil {
		return []byte{}
	}
	return r.Data
}

// The write statements: the record and its change-feed row in one statement.
// The change row is inserted from the RETURNING of the record statement, so a
// Create that finds the key taken, or a Delete that finds nothing, writes no
// change and affects no row. A key written twice in one transaction keeps one
// change row holding the last operation.
const (
	createSQL = `WITH r AS (
		INSERT INTO records (kind, account, key, data, revision) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (kind, account, key) DO NOTHING
		RETURNING kind, account, key, revision)
	INSERT INTO changes (revision, kind, account, key, op) SELECT revision, kind, account, key, 'put' FROM r
	ON CONFLICT (revision, kind, account, key) DO UPDATE SET op = excluded.op`

	putSQL = `WITH r AS (
		INSERT INTO records (kind, account, key, data, revision) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (kind, account, key) DO UPDATE SET data = excluded.data, revision = excluded.revision
		RETURNING kind, account, key, revision)
	INSERT INTO changes (revision, kind, account, key, op) SELECT revision, kind, account, key, 'put' FROM r
	ON CONFLICT (revision, kind, account, key) DO UPDATE SET op = excluded.op`

	deleteSQL = `WITH r AS (
		DELETE FROM records WHERE kind = $1 AND account = $2 AND key = $3
		RETURNING kind, account, key)
	INSERT INTO changes (revision, kind, account, key, op) SELECT $4::bigint, kind, account, key, 'delete' FROM r
	ON CONFLICT (revision, kind, account, key) DO UPDATE SET op = excluded.op`
)

// write runs one of the write statements and reports whether it wrote.
func (t *tx) write(ctx context.Context, op, query string, kind store.Kind, args ...any) (bool, error) {
	ctx, cancel := t.bound(ctx)
	defer cancel()
	tag, err := t.q.Exec(ctx, query, args...)
	if err != nil {
		return false, mapErr(ctx, err, op+" "+string(kind))
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	t.wrote = true
	return true, nil
}

// Create implements store.Tx.
func (t *tx) Create(ctx context.Context, r store.Record) error {
	if t.done {
		return errTxDone
	}
	if err := store.ValidateAddress(r.Kind, r.Account, r.Key); err != nil {
		return err
	}
	ok, err := t.write(ctx, "create", createSQL, r.Kind, string(r.Kind), r.Account, []byte(r.Key), data(r), t.rev)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("postgres: create %s %q in account %q: %w", r.Kind, r.Key, r.Account, store.ErrAlreadyExists)
	}
	return nil
}

// Put implements store.Tx.
func (t *tx) Put(ctx context.Context, r store.Record) error {
	if t.done {
		return errTxDone
	}
	if err := store.ValidateAddress(r.Kind, r.Account, r.Key); err != nil {
		return err
	}
	_, err := t.write(ctx, "put", putSQL, r.Kind, string(r.Kind), r.Account, []byte(r.Key), data(r), t.rev)
	return err
}

// Delete implements store.Tx.
func (t *tx) Delete(ctx context.Context, kind store.Kind, account, key string) error {
	if t.done {
		return errTxDone
	}
	if err := store.ValidateAddress(kind, account, key); err != nil {
		return err
	}
	ok, err := t.write(ctx, "delete", deleteSQL, kind, string(kind), account, []byte(key), t.rev)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("postgres: delete %s %q in account %q: %w", kind, key, account, store.ErrNotFound)
	}
	return nil
}

// SQLSTATE codes the store translates.
const (
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeUniqueViolation      = "23505"
)

// mapErr wraps a driver error with context, translating it to the store's
// sentinels by SQLSTATE: serialization failures and deadlocks become
// ErrConflict, unique violations ErrAlreadyExists, connection failures and
// the server's timeouts ErrUnavailable, a statement interrupted by ctx's
// deadline ErrUnavailable and the deadline, and one interrupted by ctx's
// cancellation the cancellation's cause. The driver error stays wrapped too.
//
// Connection failures are deliberately not ErrConflict: when a connection
// drops during COMMIT the outcome is unknown, and rerunning the transaction
// could apply it twice.
func mapErr(ctx context.Context, err error, op string) error {
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		if errors.Is(context.Cause(ctx), context.DeadlineExceeded) {
			// The database did not answer in time: for the caller it is
			// unavailable, and the deadline stays visible.
			return fmt.Errorf("postgres: %s: no answer before the deadline: %w: %w: %w", op, store.ErrUnavailable, context.Cause(ctx), err)
		}
		return fmt.Errorf("postgres: %s: %w: %w", op, context.Cause(ctx), err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case codeSerializationFailure, codeDeadlockDetected:
			return fmt.Errorf("postgres: %s: %w: %w", op, store.ErrConflict, err)
		case codeUniqueViolation:
			return fmt.Errorf("postgres: %s: %w: %w", op, store.ErrAlreadyExists, err)
		}
	}
	if pgclient.IsConnectionFailure(err) {
		return fmt.Errorf("postgres: %s: %w: %w", op, store.ErrUnavailable, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}
