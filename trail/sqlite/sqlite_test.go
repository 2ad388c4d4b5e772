package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/gatehouse-iam/gatehouse/trail/sqlite"
	"github.com/gatehouse-iam/gatehouse/trail/trailtest"
)

func TestConformance(t *testing.T) {
	trailtest.Run(t, func(t *testing.T) trail.Store {
		s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), sqlite.FileName))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

// TestReopen: entries survive closing and opening the file again, which
// applies no migration twice; the file is the owner's only.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", sqlite.FileName)
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	e := trail.Entry{Account: "111122223333", EventID: "e1", Time: time.Unix(1790000000, 0).UTC(), Management: true, JSON: []byte(`{"eventID":"e1"}`)}
	if err := s.Append(t.Context(), []trail.Entry{e}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode %v, want 0600", fi.Mode().Perm())
	}
	s, err = sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	p, err := s.Lookup(t.Context(), trail.Query{Account: e.Account, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != 1 || p.Entries[0].EventID != "e1" || string(p.Entries[0].JSON) != string(e.JSON) {
		t.Errorf("after reopening: %+v, want e1", p.Entries)
	}
}

// TestNewerSchemaRefused: a file migrated by a newer Gatehouse (a version
// this one does not know) is refused, not written to.
func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), sqlite.FileName)
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 'now')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if s, err := sqlite.Open(t.Context(), path); err == nil {
		s.Close()
		t.Fatal("a trail with an unknown migration opened")
	} else if !strings.Contains(err.Error(), "9999") {
		t.Errorf("error %q does not name the unknown migration", err)
	}
}

// TestLockedByAnotherProcess: while another connection (another process,
// for SQLite) holds the database's write lock, a Write still returns (the
// record is in a segment: the lock is the index's), an Append (which waits
// for the index) and a Lookup (which waits for every written record to be
// indexed) wait no longer than their deadline and fail with
// trail.ErrUnavailable; once the lock is released, the lookup finds both.
func TestLockedByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), sqlite.FileName)
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other, err := sql.Open("sqlite", path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), []trail.Entry{{Account: "111122223333", EventID: "w1", Time: time.Now(), Management: true, JSON: []byte("{}")}}); err != nil {
		t.Errorf("Write while another holds the lock: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = s.Append(ctx, []trail.Entry{{Account: "111122223333", EventID: "e1", Time: time.Now(), Management: true, JSON: []byte("{}")}})
	took := time.Since(start)
	if !errors.Is(err, trail.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Append while another holds the lock: %v, want trail.ErrUnavailable and the deadline", err)
	}
	if took > 3*time.Second {
		t.Errorf("Append waited %v, past its 300ms deadline", took)
	}
	lctx, lcancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer lcancel()
	if _, err := s.Lookup(lctx, trail.Query{Account: "111122223333", Limit: 1}); !errors.Is(err, trail.ErrUnavailable) {
		t.Errorf("Lookup while the index cannot be written: %v, want trail.ErrUnavailable", err)
	}
	tx.Rollback()
	p, err := s.Lookup(t.Context(), trail.Query{Account: "111122223333", Limit: 10})
	if err != nil || len(p.Entries) != 2 {
		t.Errorf("Lookup after the lock is released: %+v, %v; want e1 and w1", p.Entries, err)
	}
}
