package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/session/tokenkeys"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

// TestBackupKindsCoverModule: every store kind declared anywhere in the
// module (a constant of type store.Kind, or store.Kind("...")) is in
// backupKinds, so a backup of a store whose change feed was lost would still
// be complete.
func TestBackupKindsCoverModule(t *testing.T) {
	have := map[string]bool{}
	for _, k := range backupKinds {
		have[string(k)] = true
	}
	root := filepath.Join("..", "..")
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); path != root && (strings.HasPrefix(n, ".") || n == "testdata" || n == "bench" || n == "storetest") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		inStore := f.Name.Name == "store"
		isKind := func(e ast.Expr) bool {
			switch e := e.(type) {
			case *ast.Ident:
				return inStore && e.Name == "Kind"
			case *ast.SelectorExpr:
				x, ok := e.X.(*ast.Ident)
				return ok && x.Name == "store" && e.Sel.Name == "Kind"
			}
			return false
		}
		check := func(lit ast.Expr) {
			bl, ok := lit.(*ast.BasicLit)
			if !ok || bl.Kind != token.STRING {
				return
			}
			s, _ := strconv.Unquote(bl.Value)
			found++
			if !have[s] {
				t.Errorf("%s declares store kind %q, which backupKinds lacks", path, s)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				if n.Type != nil && isKind(n.Type) {
					for _, v := range n.Values {
						check(v)
					}
				}
			case *ast.CallExpr:
				if isKind(n.Fun) && len(n.Args) == 1 {
					check(n.Args[0])
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 20 {
		t.Errorf("found only %d kind declarations; is the scan broken?", found)
	}
}

// dumpStore returns every record of st, found independently of backup: the
// change feed names every address ever written, and each is read back.
func dumpStore(t *testing.T, st store.Store) []store.Record {
	t.Helper()
	ctx := context.Background()
	type addr struct {
		kind         store.Kind
		account, key string
	}
	seen := map[addr]bool{}
	changes, err := st.Changes(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range changes {
		seen[addr{c.Kind, c.Account, c.Key}] = true
	}
	var out []store.Record
	err = st.View(ctx, func(tx store.ReadTx) error {
		for a := range seen {
			r, err := tx.Get(ctx, a.kind, a.account, a.key)
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			r.Revision = 0 // a restore writes new revisions
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b store.Record) int {
		return strings.Compare(string(a.Kind)+"\x00"+a.Account+"\x00"+a.Key, string(b.Kind)+"\x00"+b.Account+"\x00"+b.Key)
	})
	return out
}

func sameRecords(t *testing.T, what string, got, want []store.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Kind != w.Kind || g.Account != w.Account || g.Key != w.Key || !bytes.Equal(g.Data, w.Data) {
			t.Errorf("%s: record %d is %s/%s/%s %q, want %s/%s/%s %q", what, i, g.Kind, g.Account, g.Key, g.Data, w.Kind, w.Account, w.Key, w.Data)
		}
	}
}

func runOK(t *testing.T, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(args, nil, &out, &errb); code != 0 {
		t.Fatalf("gatehouse %s: exit %d: %s", strings.Join(args, " "), code, errb.String())
	}
	return out.String()
}

func runFails(t *testing.T, want string, args ...string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(args, nil, &out, &errb); code == 0 || !strings.Contains(errb.String(), want) {
		t.Errorf("gatehouse %s: exit %d, stderr %q; want a failure saying %q", strings.Join(args, " "), code, errb.String(), want)
	}
}

// TestBackupRestoreRoundTrip: a SQLite store backed up and restored into a
// new SQLite store, and (with GATEHOUSE_TEST_POSTGRES) into PostgreSQL and
// back, holds the same records byte for byte; non-empty targets and damaged
// files are refused.
func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	t.Setenv(keyring.EnvVar, "")
	src := t.TempDir()
	runOK(t, "admin", "create-account", "--data", src, "--account-id", "210987654321", "--name", "second")
	st, err := sqlite.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	master, err := keyring.Load(keyring.Options{DataDir: src, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tokenkeys.Open(ctx, tokenkeys.Config{Store: st, Master: master, Rand: rand.Reader, Now: time.Now}); err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx store.Tx) error {
		for _, r := range []store.Record{
			{Kind: store.KindUser, Account: "210987654321", Key: "alice", Data: []byte(`{"name":"Alice","note":"<&> \u2028"}`)},
			{Kind: "org", Account: "210987654321", Key: "o-1", Data: []byte(`{"id":"o-1"}`)},
			{Kind: store.KindPolicy, Account: store.AWSAccount, Key: "readonly", Data: []byte(`{"name":"ReadOnly"}`)},
			// A kind no package declares, found through the change feed,
			// with a value that is not compact JSON.
			{Kind: "future-kind", Account: "", Key: "k\u00e9y", Data: []byte{0, 1, 2, 0xff}},
			{Kind: "future-kind", Account: "", Key: "spaced", Data: []byte(`{ "a": 1 }`)},
		} {
			if err := tx.Create(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Deleted records are not in the backup.
	err = st.Update(ctx, func(tx store.Tx) error {
		if err := tx.Create(ctx, store.Record{Kind: store.KindGroup, Account: "210987654321", Key: "gone", Data: []byte(`{}`)}); err != nil {
			return err
		}
		return nil
	})
	if err == nil {
		err = st.Update(ctx, func(tx store.Tx) error { return tx.Delete(ctx, store.KindGroup, "210987654321", "gone") })
	}
	if err != nil {
		t.Fatal(err)
	}
	want := dumpStore(t, st)
	st.Close()
	if len(want) < 8 {
		t.Fatalf("source store holds only %d records", len(want))
	}

	file := filepath.Join(t.TempDir(), "gatehouse.backup")
	if out := runOK(t, "admin", "backup", "--data", src, "--out", file); !strings.Contains(out, "Wrote "+strconv.Itoa(len(want))+" records") {
		t.Errorf("backup output %q, want %d records", out, len(want))
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}

	dst := filepath.Join(t.TempDir(), "restored")
	runOK(t, "admin", "restore", "--data", dst, "--in", file)
	sameRecords(t, "SQLite -> SQLite", dumpDir(t, dst), want)
	runFails(t, "not empty", "admin", "restore", "--data", dst, "--in", file)

	// A truncated file is refused before anything is written.
	raw := gunzip(t, file)
	lines := strings.SplitAfter(strings.TrimSuffix(raw, "\n"), "\n")
	truncated := writeGzip(t, strings.Join(lines[:len(lines)-1], ""))
	empty := filepath.Join(t.TempDir(), "empty")
	runFails(t, "truncated", "admin", "restore", "--data", empty, "--in", truncated)
	if _, err := os.Stat(empty); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused restore created the data directory: %v", err)
	}
	runFails(t, "not a Gatehouse backup", "admin", "restore", "--data", empty, "--in", writeGzip(t, `{"format":"other"}`+"\n"))

	dsn := os.Getenv("GATEHOUSE_TEST_POSTGRES")
	if dsn == "" {
		t.Log("PostgreSQL part skipped: GATEHOUSE_TEST_POSTGRES is not set")
		return
	}
	pgDSN := freshPostgresSchema(t, dsn)
	runOK(t, "admin", "restore", "--store", pgDSN, "--in", file)
	runFails(t, "not empty", "admin", "restore", "--store", pgDSN, "--in", file)
	back := filepath.Join(t.TempDir(), "from-postgres.backup")
	runOK(t, "admin", "backup", "--store", pgDSN, "--out", back)
	again := filepath.Join(t.TempDir(), "again")
	runOK(t, "admin", "restore", "--data", again, "--in", back)
	sameRecords(t, "SQLite -> PostgreSQL -> SQLite", dumpDir(t, again), want)
}

func dumpDir(t *testing.T, dir string) []store.Record {
	t.Helper()
	st, err := sqlite.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	return dumpStore(t, st)
}

func gunzip(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeGzip(t *testing.T, text string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(text)) //nolint:errcheck // bytes.Buffer
	zw.Close()
	path := filepath.Join(t.TempDir(), "file.backup")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// freshPostgresSchema creates a schema, dropped when the test ends, and
// returns dsn with it as the search_path, as an operator would point a new
// deployment at an empty database.
func freshPostgresSchema(t *testing.T, dsn string) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "gatehouse_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
