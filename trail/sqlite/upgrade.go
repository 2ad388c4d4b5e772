package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/gatehouse-iam/gatehouse/trail/internal/trailsql"
)

// upgradeBatch is the number of old rows converted per transaction.
const upgradeBatch = 4096

// upgrade converts the trail of an earlier version, once: the rows of the
// events and resources tables become records in the segments and postings
// (each batch's rows deleted in the transaction that indexes them), then
// the tables are dropped; the journal at journalPath, when there is one,
// is written and indexed, then removed. Interrupted, it starts again where
// it stopped: a batch written to the segments but not indexed is indexed
// when the store opens, and written again by the conversion, which the
// event ids' deduplication indexes once.
func (s *Store) upgrade(ctx context.Context, journalPath string) error {
	var n int
	if err := s.db.W.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'`).Scan(&n); err != nil {
		return mapErr(ctx, err, "upgrade")
	}
	if n > 0 {
		for {
			entries, last, err := s.oldRows(ctx)
			if err != nil {
				return err
			}
			if len(entries) == 0 {
				break
			}
			items, err := s.seg.write(entries, true)
			if err != nil {
				return err
			}
			if err := s.index(ctx, items, func(ctx context.Context, tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, `DELETE FROM resources WHERE seq <= ?`, last); err != nil {
					return mapErr(ctx, err, "upgrade: delete converted resources")
				}
				if _, err := tx.ExecContext(ctx, `DELETE FROM events WHERE seq <= ?`, last); err != nil {
					return mapErr(ctx, err, "upgrade: delete converted events")
				}
				return nil
			}); err != nil {
				return err
			}
		}
		if _, err := s.db.W.ExecContext(ctx, `DROP TABLE resources; DROP TABLE events`); err != nil {
			return mapErr(ctx, err, "upgrade: drop the old tables")
		}
	}
	f, err := os.Open(journalPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: upgrade: %w", backend, err)
	}
	entries := trail.ReadJournal(f)
	f.Close()
	for len(entries) > 0 {
		k := min(len(entries), maxIndexBatch)
		items, err := s.seg.write(entries[:k], true)
		if err != nil {
			return err
		}
		if err := s.index(ctx, items, nil); err != nil {
			return err
		}
		entries = entries[k:]
	}
	if err := os.Remove(journalPath); err != nil {
		return fmt.Errorf("%s: upgrade: %w", backend, err)
	}
	return nil
}

// oldRows reads the first rows of the old tables, with their resources, in
// the order of their seq, and the last seq read.
func (s *Store) oldRows(ctx context.Context) ([]trail.Entry, int64, error) {
	rows, err := s.db.W.QueryContext(ctx, `SELECT `+trailsql.Columns+` FROM events ORDER BY seq LIMIT ?`, upgradeBatch)
	if err != nil {
		return nil, 0, mapErr(ctx, err, "upgrade: read events")
	}
	var entries []trail.Entry
	for rows.Next() {
		e, err := trailsql.ScanEntry(rows)
		if err != nil {
			rows.Close()
			return nil, 0, mapErr(ctx, err, "upgrade: read events")
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, mapErr(ctx, err, "upgrade: read events")
	}
	rows.Close()
	if len(entries) == 0 {
		return nil, 0, nil
	}
	last := entries[len(entries)-1].Seq
	q, args := dialect.ResourcesOf(trailsql.Seqs(entries))
	rows, err = s.db.W.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, mapErr(ctx, err, "upgrade: read resources")
	}
	defer rows.Close()
	attach := trailsql.Attach(entries)
	for rows.Next() {
		var seq int64
		var r trail.Resource
		if err := rows.Scan(&seq, &r.Type, &r.ARN, &r.AccountID); err != nil {
			return nil, 0, mapErr(ctx, err, "upgrade: read resources")
		}
		attach(seq, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, mapErr(ctx, err, "upgrade: read resources")
	}
	for i := range entries {
		entries[i].Seq = 0
	}
	return entries, last, nil
}
