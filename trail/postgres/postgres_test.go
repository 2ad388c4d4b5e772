package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-iam/gatehouse/internal/pgtest"
	"github.com/gatehouse-iam/gatehouse/store"
	storepg "github.com/gatehouse-iam/gatehouse/store/postgres"
	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/gatehouse-iam/gatehouse/trail/postgres"
	"github.com/gatehouse-iam/gatehouse/trail/trailtest"
)

// freshSchema returns the name of a schema that does not exist yet and
// drops it, with everything in it, when the test ends.
func freshSchema(t testing.TB, dsn string) string {
	t.Helper()
	return pgtest.FreshSchema(t, dsn, "trail_test_")
}

// open opens a store in schema; it is closed when the test ends.
func open(t testing.TB, dsn, schema string) *postgres.Store {
	t.Helper()
	s, err := postgres.OpenWith(context.Background(), dsn, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	dsn := pgtest.DSN(t)
	trailtest.Run(t, func(t *testing.T) trail.Store { return open(t, dsn, freshSchema(t, dsn)) })
}

// TestNodes: several nodes opening one schema at once migrate it once,
// and their Appends, at once, all land with distinct Seqs, each seen by
// every node.
func TestNodes(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := freshSchema(t, dsn)
	const nodes, calls, per = 3, 10, 8
	stores := make([]*postgres.Store, nodes)
	errs := make(chan error, nodes*calls)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() {
			s, err := postgres.OpenWith(t.Context(), dsn, postgres.Options{Schema: schema})
			if err != nil {
				errs <- err
				return
			}
			stores[i] = s
		})
	}
	wg.Wait()
	for _, s := range stores {
		if s != nil {
			t.Cleanup(func() { s.Close() })
		}
	}
	select {
	case err := <-errs:
		t.Fatalf("Open at once: %v", err)
	default:
	}
	now := time.Now().UTC().Truncate(time.Second)
	for n, s := range stores {
		wg.Go(func() {
			for c := range calls {
				batch := make([]trail.Entry, per)
				for i := range batch {
					id := fmt.Sprintf("node%d-%02d-%d", n, c, i)
					batch[i] = trail.Entry{Account: "111122223333", EventID: id, Time: now, EventName: "GetUser",
						EventSource: "iam.amazonaws.com", Management: true, JSON: []byte(`{"eventID":"` + id + `"}`)}
				}
				if err := s.Append(t.Context(), batch); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Append: %v", err)
	}
	for n, s := range stores {
		seen := map[int64]bool{}
		q := trail.Query{Account: "111122223333", Limit: 37}
		for {
			p, err := s.Lookup(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range p.Entries {
				if seen[e.Seq] {
					t.Errorf("node %d: seq %d twice", n, e.Seq)
				}
				seen[e.Seq] = true
			}
			if p.Next == nil {
				break
			}
			q.After = p.Next
		}
		if len(seen) != nodes*calls*per {
			t.Errorf("node %d sees %d entries, want %d", n, len(seen), nodes*calls*per)
		}
	}
}

// TestBesideTheStore: the trail's tables and migrations live in the
// store's schema without touching the store's (schema_migrations is the
// store's; the trail's versions are in trail_schema_migrations), and
// reopening applies nothing twice.
func TestBesideTheStore(t *testing.T) {
	dsn := pgtest.DSN(t)
	schema := freshSchema(t, dsn)
	st, err := storepg.Open(t.Context(), dsn, storepg.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tr := open(t, dsn, schema)
	tr.Close()
	tr = open(t, dsn, schema)
	if err := tr.Append(t.Context(), []trail.Entry{{Account: "111122223333", EventID: "e1", Time: time.Now(), Management: true, JSON: []byte("{}")}}); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(t.Context(), func(tx store.Tx) error {
		return tx.Put(t.Context(), store.Record{Kind: store.KindAccount, Account: "111122223333", Key: "111122223333", Data: []byte("{}")})
	}); err != nil {
		t.Fatalf("the store beside the trail: %v", err)
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var trailVersions, storeTrailRows int
	q := `SELECT (SELECT count(*) FROM ` + pgx.Identifier{schema, "trail_schema_migrations"}.Sanitize() + `),
		(SELECT count(*) FROM ` + pgx.Identifier{schema, "schema_migrations"}.Sanitize() + ` WHERE name LIKE '%trail%')`
	if err := conn.QueryRow(t.Context(), q).Scan(&trailVersions, &storeTrailRows); err != nil {
		t.Fatal(err)
	}
	if trailVersions != 1 || storeTrailRows != 0 {
		t.Errorf("trail_schema_migrations has %d rows (want 1, the one migration), the store's schema_migrations %d of the trail's (want 0)", trailVersions, storeTrailRows)
	}
}
