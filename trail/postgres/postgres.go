package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gatehouse-iam/gatehouse/internal/pgclient"
	"github.com/gatehouse-iam/gatehouse/internal/sqlmigrate"
	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/gatehouse-iam/gatehouse/trail/internal/trailsql"
)

// backend prefixes this package's errors.
const backend = "trail/postgres"

// Options tune a Store. The zero value is valid.
type Options struct {
	// Schema, when set, is the schema holding the trail's tables; it is
	// created if missing and becomes the connections' search_path. It must
	// match [a-z_][a-z0-9_]* and be at most 40 bytes long. Unset, the
	// tables are in the first schema of the DSN's search_path.
	Schema string
	// MaxConns caps the connection pool; zero means pgx's default (the
	// greater of 4 and the number of CPUs).
	MaxConns int32
	// Timeout bounds every call whose context has no deadline, and the
	// first connection made by Open; zero means five seconds (the store's
	// default). It is also the default of the server-side timeouts.
	Timeout time.Duration
}

var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,39}$`)

// Store is a trail.Store kept in PostgreSQL.
type Store struct {
	pool    *pgxpool.Pool
	timeout time.Duration
	closed  atomic.Bool
}

var _ trail.Store = (*Store)(nil)

// dialect is PostgreSQL's, for the statements trail/internal/trailsql
// builds.
var dialect = trailsql.Dialect{Arg: trailsql.Dollar, Events: "trail_events", Resources: "trail_resources", True: "true"}

// Open connects to the database dsn (a postgres:// URL or a key=value
// connection string, as pgx accepts), brings the trail's tables up to date
// and returns the store. It is OpenWith with the default options.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with options. The first connection and the migrations
// are bounded by ctx's deadline or else by [Options.Timeout].
//
// Connection settings the DSN may set, and their defaults when it does
// not, with T the timeout: connect_timeout T (rounded up to a second);
// statement_timeout T; lock_timeout T; idle_in_transaction_session_timeout
// 2T; tcp_keepalives_idle, _interval, _count 15 s, 5 s, 3. The client's
// side always sends keepalives (15 s idle, every 5 s, 3 probes).
func OpenWith(ctx context.Context, dsn string, opts Options) (*Store, error) {
	if opts.Schema != "" && !schemaName.MatchString(opts.Schema) {
		return nil, fmt.Errorf("%s: schema %q must match %s", backend, opts.Schema, schemaName)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message may quote the DSN, password included: keep it out.
		return nil, fmt.Errorf("%s: cannot parse the DSN (expected postgres://user@host:port/database?sslmode=...)", backend)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = trailsql.DefaultTimeout
	}
	pgclient.Configure(cfg, timeout, opts.Schema)
	ctx, cancel := trailsql.WithTimeout(ctx, timeout)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", backend, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		cc := cfg.ConnConfig
		return nil, fmt.Errorf("%s: cannot connect to the database at %s within %v: %w",
			backend, net.JoinHostPort(cc.Host, fmt.Sprint(cc.Port)), timeout, mapErr(ctx, err, "connect"))
	}
	if err := sqlmigrate.Postgres(ctx, pool, migrationFS, migrationTarget(opts.Schema), mapErr); err != nil {
		pool.Close()
		return nil, fmt.Errorf("%s: migrate: %w", backend, err)
	}
	return &Store{pool: pool, timeout: timeout}, nil
}

// Close closes the connection pool. It is safe to call more than once;
// calls after it fail with trail.ErrUnavailable.
func (s *Store) Close() error {
	if !s.closed.Swap(true) {
		s.pool.Close()
	}
	return nil
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

// maxRollbackWait bounds a rollback after a failure: a healthy server
// answers within milliseconds; if it does not, pgx closes the connection,
// which rolls back as well.
const maxRollbackWait = time.Second

func rollback(ctx context.Context, tx pgx.Tx) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), maxRollbackWait)
	defer cancel()
	tx.Rollback(rctx) //nolint:errcheck // see maxRollbackWait
}

// insertEntry inserts one entry and its resources in one statement and
// returns its seq, or no row when its event id is stored already (then
// nothing is inserted).
const insertEntry = `WITH e AS (
	INSERT INTO trail_events (account, event_time, event_id, event_name, event_source,
		username, access_key_id, principal, read_only, management, json)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
	ON CONFLICT (event_id) DO NOTHING
	RETURNING seq
), r AS (
	INSERT INTO trail_resources (seq, ord, account, management, event_time, type, name, owner, type_first, name_first)
	SELECT e.seq, x.ord - 1, $1, $10, $2, x.type, x.name, x.owner, x.type_first, x.name_first
	FROM e, unnest($12::text[], $13::text[], $14::text[], $15::boolean[], $16::boolean[])
		WITH ORDINALITY AS x (type, name, owner, type_first, name_first, ord)
)
SELECT seq FROM e`

// Append implements trail.Store. It stores the entries in one
// transaction, sent in one round trip; an entry whose EventID is stored
// already (by any node) is skipped, so an Append retried after an error of
// unknown outcome stores nothing twice. When it returns nil it has set the
// Seq of each entry it stored in entries (a skipped entry's stays 0).
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
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return mapErr(ctx, err, "begin append")
	}
	committing := false
	defer func() {
		if !committing {
			rollback(ctx, tx)
		}
	}()
	b := &pgx.Batch{}
	for i := range entries {
		e := &entries[i]
		rows := trailsql.ResourceRows(e)
		types, names, owners := make([]string, len(rows)), make([]string, len(rows)), make([]string, len(rows))
		typeFirst, nameFirst := make([]bool, len(rows)), make([]bool, len(rows))
		for j, r := range rows {
			types[j], names[j], owners[j], typeFirst[j], nameFirst[j] = r.Type, r.Name, r.Owner, r.TypeFirst, r.NameFirst
		}
		js := e.JSON
		if js == nil {
			js = []byte{}
		}
		b.Queue(insertEntry, e.Account, trailsql.Seconds(e.Time), e.EventID, e.EventName, e.EventSource,
			e.Username, e.AccessKeyID, e.Principal, e.ReadOnly, e.Management, js,
			types, names, owners, typeFirst, nameFirst)
	}
	seqs := make([]int64, len(entries))
	br := tx.SendBatch(ctx, b)
	for i := range entries {
		err := br.QueryRow().Scan(&seqs[i])
		if errors.Is(err, pgx.ErrNoRows) {
			continue // stored already
		}
		if err != nil {
			br.Close() //nolint:errcheck // the statement's error is the one that matters
			return mapErr(ctx, err, "insert event "+entries[i].EventID)
		}
	}
	if err := br.Close(); err != nil {
		return mapErr(ctx, err, "insert events")
	}
	// A caller whose context is done has been told, or will be, that its
	// Append failed: it must not commit behind its back.
	if err := trailsql.Done(ctx, backend, "commit abandoned, the caller's context is done", nil); err != nil {
		return err
	}
	committing = true
	if err := tx.Commit(ctx); err != nil {
		return mapErr(ctx, err, "commit append")
	}
	for i, seq := range seqs {
		entries[i].Seq = seq
	}
	return nil
}

// Lookup implements trail.Store: the page and its entries' resources in
// one statement.
func (s *Store) Lookup(ctx context.Context, q trail.Query) (trail.Page, error) {
	ctx, cancel, err := s.start(ctx, "lookup")
	defer cancel()
	if err != nil {
		return trail.Page{}, err
	}
	if err := trailsql.CheckQuery(q); err != nil {
		return trail.Page{}, fmt.Errorf("%s: lookup: %w", backend, err)
	}
	query, args := lookup(q)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return trail.Page{}, mapErr(ctx, err, "lookup")
	}
	defer rows.Close()
	var entries []trail.Entry
	for rows.Next() {
		var types, names, owners []string
		e, err := trailsql.ScanEntry(rows, &types, &names, &owners)
		if err != nil {
			return trail.Page{}, mapErr(ctx, err, "lookup")
		}
		if len(types) != len(names) || len(types) != len(owners) {
			return trail.Page{}, fmt.Errorf("%s: lookup: entry %s: %d resource types, %d names, %d owners", backend, e.EventID, len(types), len(names), len(owners))
		}
		for i := range types {
			e.Resources = append(e.Resources, trail.Resource{Type: types[i], ARN: names[i], AccountID: owners[i]})
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return trail.Page{}, mapErr(ctx, err, "lookup")
	}
	return trailsql.Page(entries, q.Limit), nil
}

// lookup returns the statement of a Lookup and its arguments: the page
// (see trailsql.Dialect.Lookup) with each entry's resources, in order, as
// three arrays.
func lookup(q trail.Query) (string, []any) {
	page, args := dialect.Lookup(q)
	return `SELECT p.*, res.types, res.names, res.owners FROM (` + page + `) p
		LEFT JOIN LATERAL (
			SELECT array_agg(type ORDER BY ord) AS types, array_agg(name ORDER BY ord) AS names,
				array_agg(owner ORDER BY ord) AS owners
			FROM trail_resources r WHERE r.seq = p.seq
		) res ON true
		ORDER BY p.event_time DESC, p.seq DESC`, args
}

// deleteBefore deletes the oldest entries before a time (unix seconds), at
// most a limit, with their resources, in one statement.
const deleteBefore = `WITH old AS (
	SELECT seq FROM trail_events WHERE event_time < $1 ORDER BY event_time, seq LIMIT $2
), r AS (
	DELETE FROM trail_resources WHERE seq IN (SELECT seq FROM old)
)
DELETE FROM trail_events WHERE seq IN (SELECT seq FROM old)`

// DeleteBefore implements trail.Store. Nodes deleting at once may each
// report fewer than they selected: an entry is deleted once.
func (s *Store) DeleteBefore(ctx context.Context, t time.Time, limit int) (int, error) {
	ctx, cancel, err := s.start(ctx, "delete")
	defer cancel()
	if err != nil {
		return 0, err
	}
	if err := trailsql.CheckLimit(limit); err != nil {
		return 0, fmt.Errorf("%s: delete: %w", backend, err)
	}
	tag, err := s.pool.Exec(ctx, deleteBefore, trailsql.Before(t), int64(limit))
	if err != nil {
		return 0, mapErr(ctx, err, "delete")
	}
	return int(tag.RowsAffected()), nil
}

// mapErr wraps a driver error with its operation: one that came because
// ctx is done, a connection failure or one of the server's timeouts wraps
// trail.ErrUnavailable. The driver error stays wrapped.
func mapErr(ctx context.Context, err error, op string) error {
	if done := trailsql.Done(ctx, backend, op, err); done != nil {
		return done
	}
	if pgclient.IsConnectionFailure(err) {
		return fmt.Errorf("%s: %s: %w: %w", backend, op, trail.ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %s: %w", backend, op, err)
}
