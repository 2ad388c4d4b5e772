package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-iam/gatehouse/internal/pgtest"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/postgres"
)

// TestOpenConcurrently starts several nodes on one empty schema at once: the
// advisory lock lets exactly one apply each migration, and all of them open.
func TestOpenConcurrently(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := freshSchema(t, dsn)
	const nodes = 6
	stores := make([]*postgres.Store, nodes)
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() {
			stores[i], errs[i] = postgres.Open(t.Context(), dsn, postgres.Options{Schema: schema})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: Open: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	conn := pgtest.Connect(t, dsn)
	var n, rev int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM `+pgx.Identifier{schema, "schema_migrations"}.Sanitize()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("schema_migrations has %d rows, want 1", n)
	}
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM `+pgx.Identifier{schema, "revision"}.Sanitize()).Scan(&rev); err != nil {
		t.Fatal(err)
	}
	if rev != 1 {
		t.Errorf("revision table has %d rows, want 1 (the initial migration ran more than once?)", rev)
	}
	// Every node sees the others' writes.
	if err := stores[0].Update(t.Context(), func(tx store.Tx) error {
		return tx.Put(t.Context(), store.Record{Kind: "k", Key: "a", Data: []byte("1")})
	}); err != nil {
		t.Fatal(err)
	}
	if got, err := stores[nodes-1].Revision(t.Context()); err != nil || got != 1 {
		t.Errorf("another node's Revision = %d, %v; want 1", got, err)
	}
}

// TestOpenRefusesNewerSchema: a database migrated by a newer Gatehouse is
// refused rather than used half-understood.
func TestOpenRefusesNewerSchema(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := freshSchema(t, dsn)
	s, err := postgres.Open(t.Context(), dsn, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	conn := pgtest.Connect(t, dsn)
	if _, err := conn.Exec(t.Context(), `INSERT INTO `+pgx.Identifier{schema, "schema_migrations"}.Sanitize()+` (version, name) VALUES (9999, '9999_future.sql')`); err != nil {
		t.Fatal(err)
	}
	s, err = postgres.Open(t.Context(), dsn, postgres.Options{Schema: schema})
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded over a schema with an unknown migration")
	}
	if !strings.Contains(err.Error(), "9999") {
		t.Errorf("error does not name the unknown migration: %v", err)
	}
}

func TestOpenRejectsBadOptions(t *testing.T) {
	for _, o := range []postgres.Options{{Schema: "Public"}, {Schema: "a;drop"}, {Schema: strings.Repeat("a", 41)}, {MaxConns: 1}} {
		if s, err := postgres.Open(context.Background(), "postgres://127.0.0.1:1/none", o); err == nil {
			s.Close()
			t.Errorf("Open with %+v succeeded", o)
		}
	}
	// A DSN that does not parse: the error must not echo it (it may hold a
	// password).
	_, err := postgres.Open(context.Background(), "postgres://u:s3cret@[bad", postgres.Options{})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Open with a malformed DSN: %v", err)
	}
}
