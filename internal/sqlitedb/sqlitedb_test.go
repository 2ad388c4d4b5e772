package sqlitedb

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

// TestCreateFile: the file and its directory are the owner's only; a path
// the driver would read as a URI query or fragment is refused.
func TestCreateFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	file := filepath.Join(dir, "x.db")
	if err := CreateFile(file); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, file: 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got&^want != 0 {
			t.Errorf("%s mode = %v, want at most %v", path, got, want)
		}
	}
	if err := CreateFile(file); err != nil {
		t.Errorf("CreateFile of an existing file: %v", err)
	}
	for _, bad := range []string{"a?mode=ro", "a#b"} {
		if err := CreateFile(filepath.Join(t.TempDir(), bad)); err == nil {
			t.Errorf("CreateFile accepted %q", bad)
		}
	}
}

// TestPragmas: the writer and the readers get the shared pragmas and the
// caller's, the writer WAL mode, the readers query_only
// (https://www.sqlite.org/pragma.html).
func TestPragmas(t *testing.T) {
	ctx := t.Context()
	file := filepath.Join(t.TempDir(), "x.db")
	if err := CreateFile(file); err != nil {
		t.Fatal(err)
	}
	w, err := OpenWriter(file, "foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	r, err := OpenReaders(file, "cache_size(-1000)")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, c := range []struct {
		name string
		db   *sql.DB
		want map[string]string
	}{
		{"writer", w, map[string]string{"journal_mode": "wal", "busy_timeout": "10000", "synchronous": "2", "foreign_keys": "1", "query_only": "0"}},
		{"readers", r, map[string]string{"busy_timeout": "10000", "synchronous": "2", "cache_size": "-1000", "query_only": "1", "foreign_keys": "0"}},
	} {
		for pragma, want := range c.want {
			var got string
			if err := c.db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("%s: %s = %s, want %s", c.name, pragma, got, want)
			}
		}
	}
	if _, err := w.ExecContext(ctx, `CREATE TABLE t (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	if _, err := r.ExecContext(ctx, `INSERT INTO t VALUES (1)`); err == nil {
		t.Error("a reader wrote")
	}
	if st := w.Stats(); st.MaxOpenConnections != 1 {
		t.Errorf("writer pool of %d connections, want 1", st.MaxOpenConnections)
	}
}
