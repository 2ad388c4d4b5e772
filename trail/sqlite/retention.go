package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-iam/gatehouse/trail/internal/trailsql"
)

// DeleteBefore implements trail.Store. In one transaction it deletes the
// postings of at most limit events before t, the oldest seconds first (in
// a second, the first written first): the whole seconds that fit by one
// range delete, the second cut by the limit by rewriting its rows. Then it
// deletes the segments whose events are all gone (the newest event older
// than every posting left, and not the segment being written) with their
// event ids (of the entries that have one), and removes their files once
// that is committed. It returns the number of events whose postings it
// deleted.
func (s *Store) DeleteBefore(ctx context.Context, t time.Time, limit int) (int, error) {
	ctx, cancel, err := s.start(ctx, "delete")
	defer cancel()
	if err != nil {
		return 0, err
	}
	if err := trailsql.CheckLimit(limit); err != nil {
		return 0, fmt.Errorf("%s: delete: %w", backend, err)
	}
	if err := s.Flush(ctx); err != nil {
		return 0, err
	}
	cutoff := trailsql.Before(t)
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
	deleted, err := deletePostings(ctx, tx, cutoff, limit)
	if err != nil {
		return 0, err
	}
	gone, err := s.deleteSegments(ctx, tx, cutoff)
	if err != nil {
		return 0, err
	}
	if err := trailsql.Done(ctx, backend, "commit abandoned, the caller's context is done", nil); err != nil {
		return 0, err
	}
	committed = true
	if err := tx.Commit(); err != nil {
		return 0, mapErr(ctx, err, "commit delete")
	}
	for _, n := range gone {
		if err := s.seg.remove(n); err != nil {
			s.log.Error("removing an audit trail segment", "segment", n, "err", err)
		}
	}
	return deleted, nil
}

// deletePostings deletes the postings of at most limit events of seconds
// before cutoff, and returns how many.
func deletePostings(ctx context.Context, tx *sql.Tx, cutoff int64, limit int) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT sec, seqs FROM postings WHERE sec < ? AND attr = 0 ORDER BY sec`, cutoff)
	if err != nil {
		return 0, mapErr(ctx, err, "delete: read postings")
	}
	defer rows.Close()
	deleted := 0
	whole := int64(0) // seconds up to it are deleted whole
	hasWhole := false
	var cutSec int64
	var cut []int64 // the seqs of the second the limit cuts
	flushSec := func(sec int64, seqs []int64) bool {
		if deleted+len(seqs) <= limit {
			deleted += len(seqs)
			whole, hasWhole = sec, true
			return deleted < limit
		}
		slices.Sort(seqs)
		cut, cutSec = seqs[:limit-deleted], sec
		deleted = limit
		return false
	}
	var (
		sec     int64
		seqs    []int64
		started bool
	)
	more := true
	for more && rows.Next() {
		var rsec int64
		var b []byte
		if err := rows.Scan(&rsec, &b); err != nil {
			return 0, mapErr(ctx, err, "delete: read postings")
		}
		if started && rsec != sec {
			more = flushSec(sec, seqs)
			seqs = nil
		}
		if !more {
			break
		}
		sec, started = rsec, true
		if seqs, err = decodeSeqs(seqs, b); err != nil {
			return 0, err
		}
	}
	if err := rows.Err(); err != nil {
		return 0, mapErr(ctx, err, "delete: read postings")
	}
	if more && started {
		flushSec(sec, seqs)
	}
	rows.Close()
	if hasWhole {
		if _, err := tx.ExecContext(ctx, `DELETE FROM postings WHERE sec <= ?`, whole); err != nil {
			return 0, mapErr(ctx, err, "delete postings")
		}
	}
	if len(cut) > 0 {
		if err := rewriteSecond(ctx, tx, cutSec, cut); err != nil {
			return 0, err
		}
	}
	return deleted, nil
}

// rewriteSecond removes the seqs gone from every posting row of second sec.
func rewriteSecond(ctx context.Context, tx *sql.Tx, sec int64, gone []int64) error {
	type row struct {
		account    string
		management bool
		attr       int
		value      string
		first      int64
		seqs       []int64
	}
	rows, err := tx.QueryContext(ctx, `SELECT account, management, attr, value, first, seqs FROM postings WHERE sec = ?`, sec)
	if err != nil {
		return mapErr(ctx, err, "delete: read postings")
	}
	var all []row
	for rows.Next() {
		var r row
		var b []byte
		if err := rows.Scan(&r.account, &r.management, &r.attr, &r.value, &r.first, &b); err != nil {
			rows.Close()
			return mapErr(ctx, err, "delete: read postings")
		}
		if r.seqs, err = decodeSeqs(nil, b); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	if err := rows.Err(); err != nil {
		return mapErr(ctx, err, "delete: read postings")
	}
	rows.Close()
	for _, r := range all {
		left := slices.DeleteFunc(slices.Clone(r.seqs), func(q int64) bool { _, found := slices.BinarySearch(gone, q); return found })
		if len(left) == len(r.seqs) {
			continue
		}
		const where = ` WHERE account = ? AND management = ? AND attr = ? AND value = ? AND sec = ? AND first = ?`
		var err error
		if len(left) == 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM postings`+where, r.account, r.management, r.attr, r.value, sec, r.first)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE postings SET seqs = ?`+where, encodeSeqs(left), r.account, r.management, r.attr, r.value, sec, r.first)
		}
		if err != nil {
			return mapErr(ctx, err, "delete: rewrite postings")
		}
	}
	return nil
}

// deleteSegments deletes the rows of the segments none of whose events is
// indexed any longer, and their event ids, and returns their numbers.
func (s *Store) deleteSegments(ctx context.Context, tx *sql.Tx, cutoff int64) ([]int64, error) {
	var oldest sql.NullInt64
	if err := tx.QueryRowContext(ctx, `SELECT min(sec) FROM postings`).Scan(&oldest); err != nil {
		return nil, mapErr(ctx, err, "delete: oldest posting")
	}
	bound := cutoff
	if oldest.Valid {
		bound = min(bound, oldest.Int64)
	}
	rows, err := tx.QueryContext(ctx, `SELECT number FROM segments WHERE max_time < ? AND number < ? ORDER BY number`, bound, s.seg.current())
	if err != nil {
		return nil, mapErr(ctx, err, "delete: segments")
	}
	var nums []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, mapErr(ctx, err, "delete: segments")
		}
		nums = append(nums, n)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(ctx, err, "delete: segments")
	}
	rows.Close()
	for _, n := range nums {
		items, _, _, err := s.seg.scan(n, 0)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if it.located {
				continue // it has no row in event_ids
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM event_ids WHERE id = ? AND seq = ?`, it.eventID, it.seq); err != nil {
				return nil, mapErr(ctx, err, "delete event ids")
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM segments WHERE number = ?`, n); err != nil {
			return nil, mapErr(ctx, err, "delete segment")
		}
	}
	return nums, nil
}
