package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/internal/sqlmigrate"
	"github.com/gatehouse-iam/gatehouse/store"
)

func TestEmbeddedMigrationsLoad(t *testing.T) {
	ms, err := sqlmigrate.Load(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].Version != 1 {
		t.Fatalf("embedded migrations = %+v, want 0001 first", ms)
	}
}

func TestReopenKeepsDataAndMigratesOnce(t *testing.T) {
	ctx := t.Context()
	dir := filepath.Join(t.TempDir(), "data")
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		return tx.Put(ctx, store.Record{Kind: store.KindUser, Account: "123456789012", Key: "alice", Data: []byte("v")})
	})
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	for range 2 {
		s, err = Open(ctx, dir)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		var n int
		if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if want := len(mustLoad(t)); n != want {
			t.Errorf("schema_migrations has %d rows, want %d", n, want)
		}
		if rev, err := s.Revision(ctx); err != nil || rev != 1 {
			t.Errorf("Revision after reopen = %d, %v; want 1", rev, err)
		}
		if err := s.View(ctx, func(tx store.ReadTx) error {
			_, err := tx.Get(ctx, store.KindUser, "123456789012", "alice")
			return err
		}); err != nil {
			t.Errorf("record lost across reopen: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func mustLoad(t *testing.T) []sqlmigrate.Migration {
	t.Helper()
	ms, err := sqlmigrate.Load(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.W.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 'x')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(ctx, dir); err == nil {
		s.Close()
		t.Fatal("Open accepted a database with an unknown migration")
	} else if !strings.Contains(err.Error(), "9999") {
		t.Errorf("err = %v, want it to name migration 9999", err)
	}
}

func TestOpenPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	s, err := Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, FileName): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got&^want != 0 {
			t.Errorf("%s mode = %v, want at most %v", path, got, want)
		}
	}
	var mode string
	if err := s.db.R.QueryRowContext(t.Context(), `PRAGMA journal_mode`).Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
}

func TestOpenRejectsURIMetacharacters(t *testing.T) {
	if s, err := Open(t.Context(), filepath.Join(t.TempDir(), "a?mode=ro")); err == nil {
		s.Close()
		t.Fatal("Open accepted a path with '?'")
	}
}

func TestReadersCannotWrite(t *testing.T) {
	s, err := Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.db.R.ExecContext(t.Context(), `UPDATE revision SET current = 42`); err == nil {
		t.Fatal("the read pool accepted a write")
	}
}

func TestMapErr(t *testing.T) {
	s, err := Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := t.Context()
	// A real driver error for a primary-key violation.
	_, dupErr := s.db.W.ExecContext(ctx, `INSERT INTO revision (id, current) VALUES (1, 0)`)
	_, syntaxErr := s.db.W.ExecContext(ctx, `SELEC 1`)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want error
	}{
		{"nil", ctx, nil, nil},
		{"primary key", ctx, dupErr, store.ErrAlreadyExists},
		{"cancelled context", cancelled, sql.ErrConnDone, context.Canceled},
		{"deadline in driver error", ctx, context.DeadlineExceeded, context.DeadlineExceeded},
		{"other", ctx, syntaxErr, syntaxErr},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := mapErr(tc.ctx, tc.err, "op")
			if tc.want == nil {
				if got != nil {
					t.Fatalf("mapErr = %v, want nil", got)
				}
				return
			}
			if !errors.Is(got, tc.want) {
				t.Errorf("mapErr = %v, want it to wrap %v", got, tc.want)
			}
			if !strings.Contains(got.Error(), "op") {
				t.Errorf("mapErr = %v lost the operation", got)
			}
		})
	}
	if dupErr == nil || syntaxErr == nil {
		t.Fatal("the driver accepted an invalid statement")
	}
}

// TestTwoStoresOneFile runs two Stores over one database, as two processes
// would: BEGIN IMMEDIATE and busy_timeout must serialise their writers with
// no lost update and no error.
func TestTwoStoresOneFile(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	a, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	const perWorker = 25
	key := store.Record{Kind: "counter", Account: "", Key: "n"}
	incr := func(s *Store) error {
		return s.Update(ctx, func(tx store.Tx) error {
			r, err := tx.Get(ctx, key.Kind, key.Account, key.Key)
			n := 0
			if err == nil {
				n = int(r.Data[0]) | int(r.Data[1])<<8
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			n++
			return tx.Put(ctx, store.Record{Kind: key.Kind, Key: key.Key, Data: []byte{byte(n), byte(n >> 8)}})
		})
	}
	errs := make(chan error, 4)
	for _, s := range []*Store{a, b, a, b} {
		go func() {
			for range perWorker {
				if err := incr(s); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatalf("increment: %v", err)
		}
	}
	var got store.Record
	if err := a.View(ctx, func(tx store.ReadTx) error {
		got, err = tx.Get(ctx, key.Kind, key.Account, key.Key)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n := int(got.Data[0]) | int(got.Data[1])<<8; n != 4*perWorker {
		t.Errorf("counter = %d, want %d", n, 4*perWorker)
	}
	if rev, _ := b.Revision(ctx); rev != 4*perWorker {
		t.Errorf("revision = %d, want %d", rev, 4*perWorker)
	}
}
