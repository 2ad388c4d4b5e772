package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/gatehouse-iam/gatehouse/trail/internal/trailsql"
)

// Lookup implements trail.Store. It first waits for the index to hold
// every record written before it was called (Flush), then reads the posting
// rows of the query's attribute, newest second first, in one read
// transaction (one snapshot), sorting the seqs of each second, and reads
// the page's records from the segments. A record whose segment retention
// deleted is skipped.
func (s *Store) Lookup(ctx context.Context, q trail.Query) (trail.Page, error) {
	ctx, cancel, err := s.start(ctx, "lookup")
	defer cancel()
	if err != nil {
		return trail.Page{}, err
	}
	if err := trailsql.CheckQuery(q); err != nil {
		return trail.Page{}, fmt.Errorf("%s: lookup: %w", backend, err)
	}
	if err := s.Flush(ctx); err != nil {
		return trail.Page{}, err
	}
	tx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return trail.Page{}, mapErr(ctx, err, "begin lookup")
	}
	defer tx.Rollback() //nolint:errcheck // read-only: nothing to lose
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if !q.Start.IsZero() {
		lo = trailsql.Before(q.Start)
	}
	if !q.End.IsZero() {
		hi = trailsql.Seconds(q.End)
	}
	var after *cursor
	if q.After != nil {
		after = &cursor{sec: trailsql.Seconds(q.After.Time), seq: q.After.Seq}
		hi = min(hi, after.sec)
	}
	want := q.Limit + 1
	var entries []trail.Entry
	if q.Key == trail.ByEventID {
		entries, err = s.byEventID(ctx, tx, q, lo, hi, after)
		if err != nil {
			return trail.Page{}, err
		}
		return trailsql.Page(entries, q.Limit), nil
	}
	attr, value := attrOf[q.Key], q.Value
	filterPrincipal := q.Principal != ""
	if q.Key == "" && q.Principal != "" {
		attr, value, filterPrincipal = attrPrincipal, q.Principal, false
	}
	var streams []*stream
	for _, m := range []bool{true, false} {
		if !m && !q.IncludeData {
			continue
		}
		st, err := openStream(ctx, tx, postingKey{account: q.Account, management: m, attr: attr, value: value}, lo, hi, after)
		if err != nil {
			return trail.Page{}, err
		}
		defer st.close()
		streams = append(streams, st)
	}
	for len(entries) < want {
		// The newest of the streams' next seqs.
		var best *stream
		for _, st := range streams {
			ok, err := st.peek()
			if err != nil {
				return trail.Page{}, mapErr(ctx, err, "lookup")
			}
			if ok && (best == nil || st.sec > best.sec || st.sec == best.sec && st.buf[0] > best.buf[0]) {
				best = st
			}
		}
		if best == nil {
			break
		}
		sec, seq := best.sec, best.buf[0]
		best.buf = best.buf[1:]
		e, err := s.seg.read(seq)
		if errors.Is(err, errGone) {
			continue
		}
		if err != nil {
			s.log.Error("the audit trail's record is unreadable; skipped", "seq", seq, "err", err)
			continue
		}
		if e.Account != q.Account || filterPrincipal && e.Principal != q.Principal {
			continue
		}
		e.Time = trailsql.Time(sec)
		entries = append(entries, e)
	}
	return trailsql.Page(entries, q.Limit), nil
}

// cursor is a Query's After in stored form.
type cursor struct{ sec, seq int64 }

// byEventID finds the entry with q.Value's id, when it is still indexed
// (retention may have deleted its postings before its segment) and the
// query selects it.
func (s *Store) byEventID(ctx context.Context, tx *sql.Tx, q trail.Query, lo, hi int64, after *cursor) ([]trail.Entry, error) {
	e, ok, err := s.findEventID(ctx, tx, q.Account, q.Value)
	if err != nil || !ok {
		return nil, err
	}
	sec := trailsql.Seconds(e.Time)
	if !e.Management && !q.IncludeData || sec < lo || sec > hi ||
		after != nil && sec == after.sec && e.Seq >= after.seq || q.Principal != "" && e.Principal != q.Principal {
		return nil, nil
	}
	e.Time = trailsql.Time(sec)
	return []trail.Entry{e}, nil
}

// findEventID returns account's indexed entry whose EventID is id. An id
// of trail.NewEventID's says its event's second: the entry is among the
// records of that second's postings (of every event of the account), whose
// ids are compared. Other ids, and an id whose time is not its event's,
// are in event_ids (the event ids of an earlier version's trail are
// there too).
func (s *Store) findEventID(ctx context.Context, tx *sql.Tx, account, id string) (trail.Entry, bool, error) {
	if sec, ok := trail.EventIDSecond(id); ok {
		seqs, err := secondSeqs(ctx, tx, account, sec)
		if err != nil {
			return trail.Entry{}, false, err
		}
		buf := make([]byte, 256)
		for _, seq := range seqs {
			got, err := s.seg.eventIDAt(seq, buf)
			if errors.Is(err, errGone) {
				continue
			}
			if err != nil {
				s.log.Error("the audit trail's record is unreadable; skipped", "seq", seq, "err", err)
				continue
			}
			if got != id {
				continue
			}
			e, err := s.seg.read(seq)
			if errors.Is(err, errGone) {
				continue
			}
			if err != nil {
				return trail.Entry{}, false, err
			}
			return e, e.Account == account && e.EventID == id, nil
		}
	}
	var seq int64
	err := tx.QueryRowContext(ctx, `SELECT seq FROM event_ids WHERE id = ?`, id).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return trail.Entry{}, false, nil
	}
	if err != nil {
		return trail.Entry{}, false, mapErr(ctx, err, "lookup event id")
	}
	e, err := s.seg.read(seq)
	if errors.Is(err, errGone) {
		return trail.Entry{}, false, nil
	}
	if err != nil {
		return trail.Entry{}, false, err
	}
	if e.Account != account || e.EventID != id {
		return trail.Entry{}, false, nil
	}
	// Still indexed: in its second's posting rows of every event.
	seqs, err := secondSeqs(ctx, tx, account, trailsql.Seconds(e.Time))
	if err != nil {
		return trail.Entry{}, false, err
	}
	return e, slices.Contains(seqs, seq), nil
}

// secondSeqs returns the seqs of account's events of second sec,
// management and data events, as indexed.
func secondSeqs(ctx context.Context, tx *sql.Tx, account string, sec int64) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT seqs FROM postings
		WHERE account = ? AND management IN (0, 1) AND attr = 0 AND value = '' AND sec = ?`, account, sec)
	if err != nil {
		return nil, mapErr(ctx, err, "lookup event id")
	}
	defer rows.Close()
	var seqs []int64
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, mapErr(ctx, err, "lookup event id")
		}
		if seqs, err = decodeSeqs(seqs, b); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(ctx, err, "lookup event id")
	}
	return seqs, nil
}

// stream reads one posting list newest first: the rows of a second
// gathered, their seqs sorted descending.
type stream struct {
	rows  *sql.Rows
	after *cursor
	sec   int64   // the second of buf
	buf   []int64 // the seqs of sec not yet taken, descending
	// The first row of the next second, read ahead.
	nextSec  int64
	nextSeqs []byte
	hasNext  bool
	done     bool
}

func openStream(ctx context.Context, tx *sql.Tx, k postingKey, lo, hi int64, after *cursor) (*stream, error) {
	rows, err := tx.QueryContext(ctx, `SELECT sec, seqs FROM postings
		WHERE account = ? AND management = ? AND attr = ? AND value = ? AND sec >= ? AND sec <= ?
		ORDER BY sec DESC`, k.account, k.management, k.attr, k.value, lo, hi)
	if err != nil {
		return nil, mapErr(ctx, err, "lookup")
	}
	return &stream{rows: rows, after: after}, nil
}

func (st *stream) close() { st.rows.Close() }

// row reads the next row into next*; false at the end.
func (st *stream) row() (bool, error) {
	if !st.rows.Next() {
		return false, st.rows.Err()
	}
	st.nextSeqs = nil
	if err := st.rows.Scan(&st.nextSec, &st.nextSeqs); err != nil {
		return false, err
	}
	return true, nil
}

// peek fills buf with the next second's seqs when it is empty; false when
// the list is done.
func (st *stream) peek() (bool, error) {
	for len(st.buf) == 0 {
		if st.done {
			return false, nil
		}
		if !st.hasNext {
			ok, err := st.row()
			if err != nil || !ok {
				st.done = true
				return false, err
			}
			st.hasNext = true
		}
		st.sec = st.nextSec
		var seqs []int64
		for st.hasNext && st.nextSec == st.sec {
			var err error
			if seqs, err = decodeSeqs(seqs, st.nextSeqs); err != nil {
				return false, err
			}
			ok, err := st.row()
			if err != nil {
				return false, err
			}
			st.hasNext = ok
		}
		if !st.hasNext {
			st.done = true
		}
		if st.after != nil && st.sec == st.after.sec {
			seqs = slices.DeleteFunc(seqs, func(q int64) bool { return q >= st.after.seq })
		}
		slices.Sort(seqs)
		slices.Reverse(seqs)
		st.buf = seqs
		if st.done && len(st.buf) == 0 {
			return false, nil
		}
	}
	return true, nil
}
