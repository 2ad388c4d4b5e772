package postgres

import (
	"context"
	"fmt"
	"net"
	"regexp"
	"sync/atomic"
	"time"

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

// insertEntries inserts a batch of entries and their resources in one
// statement (atomic on its own: no transaction, one round trip), the
// entries in the order of their ordinal so that their seqs follow it, and
// returns the seq and ordinal of each entry inserted; an entry whose event
// id is stored already is not inserted, nor are its resources. Each
// array holds one element per entry ($1-$11) or per resource ($12-$18,
// $12 the ordinal of its entry, 1-based).
const insertEntries = `WITH input AS (
	SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
		$8::text[], $9::boolean[], $10::boolean[], $11::bytea[])
		WITH ORDINALITY AS x (account, event_time, event_id, event_name, event_source, username, access_key_id,
			principal, read_only, management, json, ord)
), e AS (
	INSERT INTO trail_events (account, event_time, event_id, event_name, event_source,
		username, access_key_id, principal, read_only, management, json)
	SELECT account, event_time, event_id, event_name, event_source, username, access_key_id,
		principal, read_only, management, json
	FROM input ORDER BY ord
	ON CONFLICT (event_id) DO NOTHING
	RETURNING seq, event_id
), r AS (
	INSERT INTO trail_resources (seq, ord, account, management, event_time, type, name, owner, type_first, name_first)
	SELECT e.seq, x.ord, i.account, i.management, i.event_time, x.type, x.name, x.owner, x.type_first, x.name_first
	FROM unnest($12::bigint[], $13::integer[], $14::text[], $15::text[], $16::text[], $17::boolean[], $18::boolean[])
		AS x (entry, ord, type, name, owner, type_first, name_first)
	JOIN input i ON i.ord = x.entry
	JOIN e ON e.event_id = i.event_id COLLATE "C"
)
SELECT e.seq, i.ord FROM e JOIN input i ON i.event_id COLLATE "C" = e.event_id`

// Append implements trail.Store. It stores the entries in one statement
// (atomic, one round trip: the cost of a recorder's batch in a cluster is
// the database's latency, once); an entry whose EventID is stored already
// (by any node, or earlier in entries) is skipped, so an Append retried
// after an error of unknown outcome stores nothing twice. When it returns
// nil it has set the Seq of each entry it stored in entries (a skipped
// entry's stays 0).
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
	var (
		accounts, ids, names, sources, users, keys, principals []string
		times                                                  []int64
		readOnly, management                                   []bool
		records                                                [][]byte
		at                                                     []int // entries' index of each input row
		resEntry                                               []int64
		resOrd                                                 []int32
		resTypes, resNames, resOwners                          []string
		typeFirst, nameFirst                                   []bool
	)
	seen := make(map[string]bool, len(entries))
	for i := range entries {
		e := &entries[i]
		if seen[e.EventID] {
			continue // the first of the batch's copies is the one stored
		}
		seen[e.EventID] = true
		js := e.RecordJSON()
		if js == nil {
			js = []byte{}
		}
		accounts, ids, names, sources = append(accounts, e.Account), append(ids, e.EventID), append(names, e.EventName), append(sources, e.EventSource)
		users, keys, principals = append(users, e.Username), append(keys, e.AccessKeyID), append(principals, e.Principal)
		times, readOnly, management, records = append(times, trailsql.Seconds(e.Time)), append(readOnly, e.ReadOnly), append(management, e.Management), append(records, js)
		at = append(at, i)
		for _, r := range trailsql.ResourceRows(e) {
			resEntry, resOrd = append(resEntry, int64(len(at))), append(resOrd, int32(r.Ord))
			resTypes, resNames, resOwners = append(resTypes, r.Type), append(resNames, r.Name), append(resOwners, r.Owner)
			typeFirst, nameFirst = append(typeFirst, r.TypeFirst), append(nameFirst, r.NameFirst)
		}
	}
	rows, err := s.pool.Query(ctx, insertEntries, accounts, times, ids, names, sources, users, keys, principals,
		readOnly, management, records, resEntry, resOrd, resTypes, resNames, resOwners, typeFirst, nameFirst)
	if err != nil {
		return mapErr(ctx, err, "insert events")
	}
	defer rows.Close()
	seqs := make([]int64, len(entries))
	for rows.Next() {
		var seq, ord int64
		if err := rows.Scan(&seq, &ord); err != nil {
			return mapErr(ctx, err, "insert events")
		}
		if ord < 1 || ord > int64(len(at)) {
			return fmt.Errorf("%s: insert events: the database returned row %d of %d", backend, ord, len(at))
		}
		seqs[at[ord-1]] = seq
	}
	if err := rows.Err(); err != nil {
		return mapErr(ctx, err, "insert events")
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
