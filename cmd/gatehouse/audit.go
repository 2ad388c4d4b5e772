package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/gatehouse-iam/gatehouse/trail"
	trailpg "github.com/gatehouse-iam/gatehouse/trail/postgres"
	trailsqlite "github.com/gatehouse-iam/gatehouse/trail/sqlite"
)

// auditConfig is the audit trail's part of `gatehouse serve`.
type auditConfig struct {
	// On records every request (--audit, the default); off, nothing is
	// recorded.
	On bool
	// Log is where every event is also written as a JSON line: a file
	// (rotated), "-" for standard output, "" for nowhere.
	Log string
	// LogMaxMB and LogMaxFiles bound the rotated files.
	LogMaxMB, LogMaxFiles int
	// Retention is how long events are kept.
	Retention time.Duration
	// Sync fsyncs the trail's record before answering (--audit-fsync).
	Sync bool
}

// DefaultRetention is how long the trail keeps events unless told
// otherwise: the 90 days of CloudTrail's event history.
const DefaultRetention = 90 * 24 * time.Hour

func (a *auditConfig) validate() error {
	if !a.On {
		if a.Log != "" {
			return errors.New("--audit-log needs the audit trail: drop --audit=false")
		}
		return nil
	}
	if a.Retention <= 0 {
		return fmt.Errorf("--audit-retention must be positive, not %v", a.Retention)
	}
	if a.Log != "" && (a.LogMaxMB <= 0 || a.LogMaxFiles < 0) {
		return errors.New("--audit-log-max-mb must be positive and --audit-log-max-files not negative")
	}
	return nil
}

// openTrail opens the trail's store (a database file beside the embedded
// store's, or tables in the cluster's PostgreSQL) and the export, and
// returns what closes them.
func openTrail(ctx context.Context, c *serveConfig, stdout io.Writer) (trail.Store, io.Writer, func(), error) {
	a := &c.Audit
	if !a.On {
		return nil, nil, func() {}, nil
	}
	var (
		st  trail.Store
		err error
	)
	if c.StoreDSN != "" {
		st, err = trailpg.Open(ctx, c.StoreDSN)
	} else {
		st, err = trailsqlite.OpenWith(ctx, filepath.Join(c.DataDir, trailsqlite.FileName), trailsqlite.Options{Sync: a.Sync})
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("opening the audit trail: %w", err)
	}
	var export io.Writer
	closeExport := func() error { return nil }
	switch a.Log {
	case "":
	case "-":
		export = stdout
	default:
		if err := os.MkdirAll(filepath.Dir(a.Log), 0o700); err != nil {
			_ = st.Close()
			return nil, nil, nil, fmt.Errorf("--audit-log: %w", err)
		}
		lj := &lumberjack.Logger{Filename: a.Log, MaxSize: a.LogMaxMB, MaxBackups: a.LogMaxFiles}
		export, closeExport = lj, lj.Close
	}
	return st, export, func() {
		_ = closeExport()
		_ = st.Close()
	}, nil
}

// runRetention deletes events older than the retention, hourly.
func runRetention(ctx context.Context, st trail.Store, keep time.Duration, log *slog.Logger) {
	trail.Retain(ctx, st, keep, time.Hour, time.Now, log)
}
