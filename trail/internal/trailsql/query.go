package trailsql

import (
	"math"
	"strconv"
	"strings"

	"github.com/gatehouse-iam/gatehouse/trail"
)

// Dialect is what differs between the SQL backends in the statements of
// this package.
type Dialect struct {
	// Arg returns the placeholder of the n-th bound argument of a
	// statement, counting from 1: "?" (SQLite) or "$n" (PostgreSQL).
	Arg func(n int) string
	// Events and Resources are the names of the two tables.
	Events, Resources string
	// True is the literal of a true boolean ("1" in SQLite, "true" in
	// PostgreSQL), as the partial indexes' predicates spell it.
	True string
}

// QuestionMark is Dialect.Arg for SQLite, whose placeholders are all "?".
func QuestionMark(int) string { return "?" }

// Dollar is Dialect.Arg for PostgreSQL, whose placeholders are numbered: $n.
func Dollar(n int) string { return "$" + strconv.Itoa(n) }

// Columns are the events columns a lookup returns, in the order ScanEntry
// reads them.
const Columns = "seq, account, event_id, event_time, event_name, event_source, username, access_key_id, principal, read_only, management, json"

// eColumns is Columns of the events table aliased e.
var eColumns = "e." + strings.ReplaceAll(Columns, ", ", ", e.")

// column is the events column each plain lookup attribute matches.
var column = map[trail.AttributeKey]string{
	trail.ByEventID:     "event_id",
	trail.ByEventName:   "event_name",
	trail.ByReadOnly:    "read_only",
	trail.ByUsername:    "username",
	trail.ByEventSource: "event_source",
	trail.ByAccessKeyID: "access_key_id",
}

// statement accumulates SQL text and its bound arguments.
type statement struct {
	d    Dialect
	b    strings.Builder
	args []any
}

// arg binds v and returns its placeholder.
func (s *statement) arg(v any) string {
	s.args = append(s.args, v)
	return s.d.Arg(len(s.args))
}

// Lookup returns the statement, and its arguments, that reads one page of
// q (checked by CheckQuery) plus one entry, which tells whether there is a
// next page. Its rows are Columns, newest first. Every value is a bound
// argument; the SQL text is built from fixed fragments only.
func (d Dialect) Lookup(q trail.Query) (string, []any) {
	s := &statement{d: d}
	limit := int64(q.Limit)
	if limit < math.MaxInt64 {
		limit++
	}
	if !q.IncludeData {
		s.arm(q, true, limit)
		return s.b.String(), s.args
	}
	// Two index scans, one per value of management, each ordered and
	// limited, merged.
	s.b.WriteString("SELECT " + Columns + " FROM (")
	s.arm(q, true, limit)
	s.b.WriteString(") AS management_events UNION ALL SELECT " + Columns + " FROM (")
	s.arm(q, false, limit)
	s.b.WriteString(") AS data_events ORDER BY event_time DESC, seq DESC LIMIT " + s.arg(limit))
	return s.b.String(), s.args
}

// arm writes the SELECT of q's entries with one value of management.
func (s *statement) arm(q trail.Query, management bool, limit int64) {
	d := s.d
	// t is the table whose index the scan walks: resources for the
	// resource attributes, events otherwise.
	t := "e"
	s.b.WriteString("SELECT " + eColumns + " FROM ")
	switch q.Key {
	case trail.ByResourceType, trail.ByResourceName:
		t = "r"
		c := "type"
		if q.Key == trail.ByResourceName {
			c = "name"
		}
		s.b.WriteString(d.Resources + " r JOIN " + d.Events + " e ON e.seq = r.seq")
		s.b.WriteString(" WHERE r.account = " + s.arg(q.Account))
		s.b.WriteString(" AND r.management = " + s.arg(management))
		s.b.WriteString(" AND r." + c + " = " + s.arg(q.Value))
		s.b.WriteString(" AND r." + c + "_first = " + d.True)
	default:
		s.b.WriteString(d.Events + " e WHERE e.account = " + s.arg(q.Account))
		s.b.WriteString(" AND e.management = " + s.arg(management))
		if c, ok := column[q.Key]; ok {
			var v any = q.Value
			if q.Key == trail.ByReadOnly {
				v = q.Value == "true"
			}
			s.b.WriteString(" AND e." + c + " = " + s.arg(v))
		}
	}
	if !q.Start.IsZero() {
		s.b.WriteString(" AND " + t + ".event_time >= " + s.arg(ceil(q.Start)))
	}
	// One upper bound, the tighter, so the scan starts there: the cursor
	// when it is at or before End (a cursor of this query always is), End
	// otherwise. A planner given both may start at End and filter its way
	// down to the cursor, which makes a page deep in the range slow.
	switch {
	case q.After != nil && (q.End.IsZero() || Seconds(q.After.Time) <= Seconds(q.End)):
		s.b.WriteString(" AND (" + t + ".event_time, " + t + ".seq) < (" + s.arg(Seconds(q.After.Time)) + ", " + s.arg(q.After.Seq) + ")")
	case !q.End.IsZero():
		s.b.WriteString(" AND " + t + ".event_time <= " + s.arg(Seconds(q.End)))
	}
	if q.Principal != "" {
		s.b.WriteString(" AND e.principal = " + s.arg(q.Principal))
	}
	s.b.WriteString(" ORDER BY " + t + ".event_time DESC, " + t + ".seq DESC LIMIT " + s.arg(limit))
}

// ResourcesOf returns the statement, and its arguments, that reads the
// resources of the entries whose seqs are given (one placeholder each),
// in (seq, ord) order: seq, type, name, owner.
func (d Dialect) ResourcesOf(seqs []int64) (string, []any) {
	s := &statement{d: d}
	s.b.WriteString("SELECT seq, type, name, owner FROM " + d.Resources + " WHERE seq IN (")
	for i, seq := range seqs {
		if i > 0 {
			s.b.WriteString(", ")
		}
		s.b.WriteString(s.arg(seq))
	}
	s.b.WriteString(") ORDER BY seq, ord")
	return s.b.String(), s.args
}

// Scanner is a row being read: *sql.Rows, *sql.Row, pgx.Rows.
type Scanner interface {
	Scan(dest ...any) error
}

// ScanEntry reads one row of Columns, and into extra the columns after
// them.
func ScanEntry(r Scanner, extra ...any) (trail.Entry, error) {
	var e trail.Entry
	var sec int64
	dest := append([]any{&e.Seq, &e.Account, &e.EventID, &sec, &e.EventName, &e.EventSource,
		&e.Username, &e.AccessKeyID, &e.Principal, &e.ReadOnly, &e.Management, &e.JSON}, extra...)
	err := r.Scan(dest...)
	if err != nil {
		return trail.Entry{}, err
	}
	e.Time = Time(sec)
	if e.JSON == nil {
		e.JSON = []byte{}
	}
	return e, nil
}

// Page makes a page of the entries a Lookup statement returned: at most
// limit of them, and the cursor of the last when there were more.
func Page(entries []trail.Entry, limit int) trail.Page {
	if len(entries) <= limit {
		return trail.Page{Entries: entries}
	}
	entries = entries[:limit]
	last := entries[limit-1]
	return trail.Page{Entries: entries, Next: &trail.Cursor{Time: last.Time, Seq: last.Seq}}
}

// ResourceRow is one row of the resources table for an entry.
type ResourceRow struct {
	Ord       int
	Type      string
	Name      string
	Owner     string
	TypeFirst bool
	NameFirst bool
}

// ResourceRows returns the resources rows of e: one per resource, in order,
// TypeFirst (NameFirst) on the first with its type (name).
func ResourceRows(e *trail.Entry) []ResourceRow {
	rows := make([]ResourceRow, len(e.Resources))
	for i, r := range e.Resources {
		rows[i] = ResourceRow{Ord: i, Type: r.Type, Name: r.ARN, Owner: r.AccountID, TypeFirst: true, NameFirst: true}
		for _, p := range e.Resources[:i] {
			if p.Type == r.Type {
				rows[i].TypeFirst = false
			}
			if p.ARN == r.ARN {
				rows[i].NameFirst = false
			}
		}
	}
	return rows
}

// Attach returns the function that adds a resource, read by the
// ResourcesOf statement, to the entry of entries with its seq.
func Attach(entries []trail.Entry) func(seq int64, r trail.Resource) {
	at := make(map[int64]int, len(entries))
	for i, e := range entries {
		at[e.Seq] = i
	}
	return func(seq int64, r trail.Resource) {
		if i, ok := at[seq]; ok {
			entries[i].Resources = append(entries[i].Resources, r)
		}
	}
}

// Seqs returns the seqs of entries.
func Seqs(entries []trail.Entry) []int64 {
	seqs := make([]int64, len(entries))
	for i, e := range entries {
		seqs[i] = e.Seq
	}
	return seqs
}
