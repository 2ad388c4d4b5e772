package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/gatehouse-iam/gatehouse/store"
)

// restoreBatch is how many records one restore transaction creates.
const restoreBatch = 500

// maxBackupLine bounds one line of a backup file (a record's value).
const maxBackupLine = 64 << 20

func newRestoreCmd() *cobra.Command {
	return newFileCmd(&cobra.Command{
		Use:   "restore",
		Short: "Load a backup into an empty store",
		Long: `Loads a file written by 'gatehouse admin backup' into an empty store: a new
data directory (--data, created if missing) or a PostgreSQL database that no
server has used yet (--store). A store that holds anything is refused. The
file is checked whole before anything is written. Start the servers with the
master key of the deployment the backup came from: the secrets in it are
sealed by that key.`,
	}, "in", "backup file to read", func(ctx context.Context, c *fileConfig) (string, error) {
		n, err := restore(ctx, c)
		return fmt.Sprintf("Restored %d records into the %s.", n, c.storeTarget.String()), err
	})
}

// restore checks the backup c.File, then loads it into the (empty) store.
func restore(ctx context.Context, c *fileConfig) (int, error) {
	if _, err := readBackup(c.File, nil); err != nil {
		return 0, err
	}
	st, err := c.open(ctx, true, discardLog())
	if err != nil {
		return 0, err
	}
	defer st.Close()
	rev, err := st.Revision(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading the store's revision: %w", err)
	}
	if rev != 0 {
		return 0, fmt.Errorf("the %s is not empty (revision %d): restore only into a new store", c.storeTarget.String(), rev)
	}
	batch := make([]store.Record, 0, restoreBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := st.Update(ctx, func(tx store.Tx) error {
			for _, r := range batch {
				if err := tx.Create(ctx, r); err != nil {
					return fmt.Errorf("%s %q in account %q: %w", r.Kind, r.Key, r.Account, err)
				}
			}
			return nil
		})
		batch = batch[:0]
		return err
	}
	n, err := readBackup(c.File, func(r store.Record) error {
		batch = append(batch, r)
		if len(batch) == restoreBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return 0, fmt.Errorf("restoring (the store now holds part of the backup; start again with an empty one): %w", err)
	}
	return n, nil
}

// readBackup reads and checks a backup file, passing each record to fn
// (which may be nil), and returns the number of records. It fails on an
// unknown format or version, a malformed line, or a missing or inconsistent
// trailer (a truncated file).
func readBackup(path string, fn func(store.Record) error) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("opening the backup: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return 0, fmt.Errorf("%s is not a Gatehouse backup: %w", path, err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 0, 64<<10), maxBackupLine)
	if !sc.Scan() {
		return 0, fmt.Errorf("%s is not a Gatehouse backup: %w", path, errOr(sc.Err(), io.ErrUnexpectedEOF))
	}
	var h backupHeader
	if err := json.Unmarshal(sc.Bytes(), &h); err != nil || h.Format != backupFormat {
		return 0, fmt.Errorf("%s is not a Gatehouse backup", path)
	}
	if h.Version != backupVersion {
		return 0, fmt.Errorf("%s is a version %d backup; this Gatehouse reads version %d", path, h.Version, backupVersion)
	}
	n, line := 0, 1
	for sc.Scan() {
		line++
		var probe struct {
			End     bool `json:"end"`
			Records int  `json:"records"`
		}
		if err := json.Unmarshal(sc.Bytes(), &probe); err != nil {
			return 0, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		if probe.End {
			if probe.Records != n {
				return 0, fmt.Errorf("%s: the trailer counts %d records, the file holds %d", path, probe.Records, n)
			}
			if sc.Scan() {
				return 0, fmt.Errorf("%s line %d: data after the trailer", path, line+1)
			}
			return n, errOr(sc.Err(), nil)
		}
		var br backupRecord
		if err := json.Unmarshal(sc.Bytes(), &br); err != nil {
			return 0, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		r := store.Record{Kind: br.Kind, Account: br.Account, Key: br.Key, Data: br.Bytes}
		if br.Value != nil {
			r.Data = br.Value
		}
		if err := store.ValidateAddress(r.Kind, r.Account, r.Key); err != nil {
			return 0, fmt.Errorf("%s line %d: %w", path, line, err)
		}
		n++
		if fn != nil {
			if err := fn(r); err != nil {
				return 0, err
			}
		}
	}
	return 0, fmt.Errorf("%s is truncated (no trailer after %d records): %w", path, n, errOr(sc.Err(), io.ErrUnexpectedEOF))
}

// errOr returns err, or def when err is nil.
func errOr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}
