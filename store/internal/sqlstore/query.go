package sqlstore

import (
	"context"
	"strconv"
	"strings"

	"github.com/gatehouse-iam/gatehouse/store"
)

// Rows is a result set being read: pgx.Rows as it is; a database/sql
// backend wraps *sql.Rows, whose Close also returns an error (rows report
// theirs through Err).
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Query runs a query in a backend's transaction and returns its rows, or the
// driver's error as it is (the [Dialect]'s MapErr translates it).
type Query func(ctx context.Context, query string, args ...any) (Rows, error)

// Dialect is what differs between the SQL backends in the statements and
// loops of this package.
type Dialect struct {
	// Arg returns the placeholder of the n-th bound argument of a
	// statement, counting from 1: "?" (SQLite) or "$n" (PostgreSQL).
	Arg func(n int) string
	// NoLimit is the LIMIT argument that means every row: -1 (SQLite) or
	// NULL (PostgreSQL).
	NoLimit any
	// MapErr wraps a driver error with op, translating it to the store's
	// sentinels; ctx is the context the statement ran under.
	MapErr func(ctx context.Context, err error, op string) error
}

// QuestionMark is Dialect.Arg for SQLite, whose placeholders are all "?".
func QuestionMark(int) string { return "?" }

// Dollar is Dialect.Arg for PostgreSQL, whose placeholders are numbered: $n.
func Dollar(n int) string { return "$" + strconv.Itoa(n) }

// limit returns the LIMIT argument for at most n rows, every row when n is
// not positive.
func (d Dialect) limit(n int) any {
	if n <= 0 {
		return d.NoLimit
	}
	return int64(n)
}

// Where builds the parameterised selection of one (kind, account) with an
// optional key prefix and exclusive start key: fixed SQL fragments, every
// value a bound argument numbered from 1. A prefix becomes a key range,
// never LIKE.
func (d Dialect) Where(kind store.Kind, account, prefix, after string) (string, []any) {
	var b strings.Builder
	args := []any{string(kind), account}
	b.WriteString(" WHERE kind = " + d.Arg(1) + " AND account = " + d.Arg(2))
	key := func(op, v string) {
		args = append(args, []byte(v))
		b.WriteString(" AND key " + op + " " + d.Arg(len(args)))
	}
	if prefix != "" {
		key(">=", prefix)
		if end, ok := store.PrefixEnd(prefix); ok {
			key("<", end)
		}
	}
	if after != "" {
		key(">", after)
	}
	return b.String(), args
}

// Count returns the statement, and its arguments, that counts the records
// of (kind, account) whose keys start with prefix.
func (d Dialect) Count(kind store.Kind, account, prefix string) (string, []any) {
	cond, args := d.Where(kind, account, prefix, "")
	return "SELECT count(*) FROM records" + cond, args
}

// List reads the records opts selects (opts already validated), in key
// order, with q.
func (d Dialect) List(ctx context.Context, q Query, opts store.ListOptions) ([]store.Record, error) {
	cond, args := d.Where(opts.Kind, opts.Account, opts.Prefix, opts.After)
	args = append(args, d.limit(opts.Limit))
	query := "SELECT key, data, revision FROM records" + cond + " ORDER BY key LIMIT " + d.Arg(len(args))
	rows, err := q(ctx, query, args...)
	if err != nil {
		return nil, d.MapErr(ctx, err, "list "+string(opts.Kind))
	}
	defer rows.Close()
	var out []store.Record
	for rows.Next() {
		r := store.Record{Kind: opts.Kind, Account: opts.Account}
		var key []byte
		if err := rows.Scan(&key, &r.Data, &r.Revision); err != nil {
			return nil, d.MapErr(ctx, err, "scan "+string(opts.Kind))
		}
		r.Key = string(key)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, d.MapErr(ctx, err, "list "+string(opts.Kind))
	}
	return out, nil
}

// Changes reads the change feed after revision after, at most limit changes
// (every one when limit is not positive) but whole revisions, as
// store.Store's Changes does, with q: both queries should run in one
// read-only transaction, so that they see one snapshot.
func (d Dialect) Changes(ctx context.Context, q Query, after int64, limit int) ([]store.Change, error) {
	// One row more than asked shows whether the last revision is cut.
	sqlLimit := d.NoLimit
	if limit > 0 {
		sqlLimit = int64(limit) + 1
	}
	page := "SELECT revision, kind, account, key, op FROM changes WHERE revision > " + d.Arg(1) +
		" ORDER BY revision, kind, account, key LIMIT " + d.Arg(2)
	rows, err := d.scanChanges(ctx, q, page, after, sqlLimit)
	if err != nil {
		return nil, err
	}
	out, whole := store.CutChanges(rows, limit)
	if whole {
		one := "SELECT revision, kind, account, key, op FROM changes WHERE revision = " + d.Arg(1) +
			" ORDER BY kind, account, key"
		return d.scanChanges(ctx, q, one, rows[0].Revision)
	}
	return out, nil
}

func (d Dialect) scanChanges(ctx context.Context, q Query, query string, args ...any) ([]store.Change, error) {
	rows, err := q(ctx, query, args...)
	if err != nil {
		return nil, d.MapErr(ctx, err, "query changes")
	}
	defer rows.Close()
	var out []store.Change
	for rows.Next() {
		var c store.Change
		var kind, op string
		var key []byte
		if err := rows.Scan(&c.Revision, &kind, &c.Account, &key, &op); err != nil {
			return nil, d.MapErr(ctx, err, "scan change")
		}
		c.Kind, c.Key, c.Op = store.Kind(kind), string(key), store.Op(op)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, d.MapErr(ctx, err, "read changes")
	}
	return out, nil
}
