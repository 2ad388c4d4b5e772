package authview_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/authview"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/sqlite"
)

const cacheAccount = "123456789012"

// seedUsers writes n users, each with one inline policy of its own (a
// distinct document, as real accounts have), in one transaction per 1,000.
func seedUsers(tb testing.TB, st store.Store, n int) {
	tb.Helper()
	ctx := context.Background()
	for start := 0; start < n; start += 1000 {
		err := st.Update(ctx, func(tx store.Tx) error {
			for i := start; i < min(n, start+1000); i++ {
				name := fmt.Sprintf("user%06d", i)
				u := store.User{ID: fmt.Sprintf("AIDA%016d", i), Name: name, Path: "/", ARN: "arn:aws:iam::" + cacheAccount + ":user/" + name}
				if err := store.PutJSON(ctx, tx, store.KindUser, cacheAccount, store.UserKey(name), u); err != nil {
					return err
				}
				doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::bucket/home/` + name + `/*"}]}`
				ip := store.InlinePolicy{OwnerKind: store.EntityUser, OwnerName: name, PolicyName: "home", Document: doc}
				if err := store.PutJSON(ctx, tx, store.KindInlinePolicy, cacheAccount, store.InlinePolicyKey(store.EntityUser, name, "home"), ip); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func openDirectory(tb testing.TB, principals int) (*authview.Directory, store.Store) {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	d := authview.NewWith(st, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), authview.Options{Principals: principals})
	if err := d.Load(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return d, st
}

// TestPolicySetCacheIsBounded: the cache of policy sets holds at most the
// configured number of principals, evicting, and answers correctly for an
// evicted principal (from the store again).
func TestPolicySetCacheIsBounded(t *testing.T) {
	const limit, users = 50, 400
	d, st := openDirectory(t, limit)
	seedUsers(t, st, users)
	ctx := t.Context()
	for round := range 2 {
		for i := range users {
			name := fmt.Sprintf("user%06d", i)
			set, err := d.UserPolicies(ctx, cacheAccount, name)
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Identity) != 1 || set.Identity[0].Name != "user/"+name+"/home" {
				t.Fatalf("round %d, %s: set %+v", round, name, set.Identity)
			}
		}
	}
	s := d.CacheStats()
	if s.Entries > 2*limit || s.Evictions == 0 || s.Misses < users {
		t.Fatalf("cache stats %+v with a limit of %d", s, limit)
	}
	// A principal read again and again stays cached.
	for range 100 {
		if _, err := d.UserPolicies(ctx, cacheAccount, "user000007"); err != nil {
			t.Fatal(err)
		}
	}
	if after := d.CacheStats(); after.Hits < s.Hits+90 {
		t.Fatalf("hot principal: %+v then %+v", s, after)
	}
}

// TestSharedDocumentKeepsEachName: two principals with the same document
// share its compiled form but each set names its own policy, so an
// explanation never names another principal's (or account's) policy.
func TestSharedDocumentKeepsEachName(t *testing.T) {
	d, _ := openDirectory(t, 0)
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
	a, err := d.Compile("user/alice/read", doc, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.Compile("user/bob/read", doc, 0)
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "user/alice/read" || b.Name != "user/bob/read" {
		t.Fatalf("names %q, %q", a.Name, b.Name)
	}
}

// BenchmarkPrincipals100k has 100,000 principals each make a request (their
// policy set is loaded and cached) and reports the live heap afterwards and
// the cache's hit rate on a second, skewed pass, with the default bound.
//
//	go test ./authview -run '^$' -bench Principals100k -benchtime 1x
func BenchmarkPrincipals100k(b *testing.B) {
	// bound=all caches every principal: the view before it had a bound.
	for _, bc := range []struct {
		name  string
		bound int
	}{{"bound=default", 0}, {"bound=all", 100_000}} {
		b.Run(bc.name, func(b *testing.B) { benchPrincipals(b, bc.bound) })
	}
}

func benchPrincipals(b *testing.B, bound int) {
	const users = 100_000
	d, st := openDirectory(b, bound)
	seedUsers(b, st, users)
	ctx := context.Background()
	var first authview.CacheStats
	for b.Loop() {
		for pass := range 2 {
			if pass == 1 {
				first = d.CacheStats()
			}
			for i := range users {
				// The second pass is skewed, as real traffic is: a tenth
				// of the principals make most requests.
				j := i
				if pass == 1 && i%10 != 0 {
					j = i % (users / 10)
				}
				if _, err := d.UserPolicies(ctx, cacheAccount, fmt.Sprintf("user%06d", j)); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s := d.CacheStats()
	b.ReportMetric(float64(m.HeapInuse)/(1<<20), "heap-MB")
	b.ReportMetric(float64(s.Entries), "cached")
	hits, misses := s.Hits-first.Hits, s.Misses-first.Misses
	b.ReportMetric(100*float64(hits)/float64(hits+misses), "hit-%")
}

// TestCompiledDocumentsAreShared: a document compiled for two holders is
// compiled once (both hold the same parsed document), one compiled again
// under the same name is the same policy, and a document nobody holds any
// more leaves the table of compiled documents.
func TestCompiledDocumentsAreShared(t *testing.T) {
	d, _ := openDirectory(t, 0)
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`
	a, err := d.Compile("user/alice/read", doc, policy.KindIdentity)
	if err != nil {
		t.Fatal(err)
	}
	b, err := d.Compile("user/bob/read", doc, policy.KindIdentity)
	if err != nil {
		t.Fatal(err)
	}
	if a.Doc != b.Doc {
		t.Fatal("the same document was compiled twice")
	}
	runtime.GC()
	a2, err := d.Compile("user/alice/read", doc, policy.KindIdentity)
	if err != nil {
		t.Fatal(err)
	}
	if a2 != a {
		t.Fatal("a document in use under the same name was not shared")
	}
	// The same text as another kind is another document.
	bd, err := d.Compile("boundary", doc, policy.KindBoundary)
	if err != nil {
		t.Fatal(err)
	}
	if bd.Doc == a.Doc {
		t.Fatal("a boundary shares an identity policy's compiled form")
	}
	if n := d.CacheStats().Documents; n < 3 {
		t.Fatalf("%d documents in use, want at least 3", n)
	}
	runtime.KeepAlive(b)
	runtime.KeepAlive(a)
	runtime.KeepAlive(bd)
	// Unreferenced, they are collected and their entries dropped (by
	// cleanups, which run after a collection, in their own goroutine).
	for i := 0; d.CacheStats().Documents > 0; i++ {
		if i == 1000 {
			t.Fatalf("%d documents still in the table", d.CacheStats().Documents)
		}
		runtime.GC()
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}
