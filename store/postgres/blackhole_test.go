package postgres_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/internal/blackhole"
	"github.com/gatehouse-iam/gatehouse/internal/pgtest"
	"github.com/gatehouse-iam/gatehouse/keyring"
	"github.com/gatehouse-iam/gatehouse/store"
	"github.com/gatehouse-iam/gatehouse/store/postgres"
)

// The store timeout the black-hole tests configure, and the generous bound
// they hold answers to: a noisy machine must not fail them, a hang must.
const (
	holeTimeout = 2 * time.Second
	holeBound   = 15 * time.Second
)

// proxied returns a black-hole proxy in front of the test database, the DSN
// that goes through it, the direct DSN and a fresh schema.
func proxied(t *testing.T) (p *blackhole.Proxy, viaDSN, directDSN, schema string) {
	t.Helper()
	directDSN = pgtest.DSN(t)
	u, err := url.Parse(directDSN)
	if err != nil {
		t.Fatal(err)
	}
	p = blackhole.New(t, u.Host)
	return p, viaProxy(t, directDSN, p.Addr()), directDSN, freshSchema(t, directDSN)
}

// within runs call and returns its error and duration, failing the test if
// it has not returned after holeBound; it then closes the proxy p, which
// ends the stuck call, so the test fails rather than hangs.
func within(t *testing.T, p *blackhole.Proxy, what string, call func() error) (error, time.Duration) {
	t.Helper()
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- call() }()
	select {
	case err := <-done:
		return err, time.Since(start)
	case <-time.After(holeBound):
		p.Close()
		t.Fatalf("%s: no answer after %v", what, holeBound)
		return nil, 0
	}
}

func putKey(ctx context.Context, st store.Store, key string) error {
	return st.Update(ctx, func(tx store.Tx) error {
		return tx.Put(ctx, store.Record{Kind: "test", Key: key, Data: []byte(`{}`)})
	})
}

// TestBlackholeStoreCalls: with the database silent (packets dropped, not
// refused), every store call fails with store.ErrUnavailable within the
// bound instead of hanging, and once the network is back new writes
// succeed promptly.
func TestBlackholeStoreCalls(t *testing.T) {
	p, dsn, _, schema := proxied(t)
	ctx := context.Background() // no deadline: the store's own must apply
	st, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema, Timeout: holeTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := putKey(ctx, st, "before"); err != nil {
		t.Fatal(err)
	}
	p.Blackhole()
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"Revision", func() error { _, err := st.Revision(ctx); return err }},
		{"View", func() error {
			return st.View(ctx, func(tx store.ReadTx) error { _, err := tx.Get(ctx, "test", "", "before"); return err })
		}},
		{"Update", func() error { return putKey(ctx, st, "during") }},
		{"Changes", func() error { _, err := st.Changes(ctx, 0, 10); return err }},
		{"Exclusive", func() error { return st.Exclusive(ctx, "x", func(context.Context) error { return nil }) }},
	} {
		err, took := within(t, p, c.name, c.call)
		t.Logf("%s with the database silent: %v after %v", c.name, err, took.Round(time.Millisecond))
		if !errors.Is(err, store.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v, want store.ErrUnavailable and context.DeadlineExceeded", c.name, err)
		}
	}
	// A caller's own, shorter deadline wins over the store's.
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	err, took := within(t, p, "Revision with a short deadline", func() error { _, err := st.Revision(short); return err })
	cancel()
	t.Logf("Revision with a 200ms deadline of its own: %v after %v", err, took.Round(time.Millisecond))
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Revision with a short deadline: %v, want store.ErrUnavailable", err)
	}

	// The network comes back; connections caught in the black hole stay
	// silent, as TCP connections backing off do.
	p.Recover()
	start := time.Now()
	for {
		err, _ := within(t, p, "Update after recovery", func() error { return putKey(ctx, st, "after") })
		if err == nil {
			break
		}
		if time.Since(start) > holeBound {
			t.Fatalf("Update after recovery: still failing after %v: %v", holeBound, err)
		}
	}
	t.Logf("first write after recovery succeeded after %v", time.Since(start).Round(time.Millisecond))
}

// TestBlackholeWriteDoesNotCommitLate: a write whose deadline passes while
// the database is silent fails, and does not commit when the held packets
// are finally delivered.
func TestBlackholeWriteDoesNotCommitLate(t *testing.T) {
	p, dsn, direct, schema := proxied(t)
	ctx := context.Background()
	st, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema, Timeout: holeTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err, took := within(t, p, "Update cut off before COMMIT", func() error {
		return st.Update(ctx, func(tx store.Tx) error {
			if err := tx.Put(ctx, store.Record{Kind: "test", Key: "late", Data: []byte(`{}`)}); err != nil {
				return err
			}
			p.Blackhole() // the rest of the transaction, COMMIT included, goes nowhere
			return nil
		})
	})
	t.Logf("Update with the database gone silent before COMMIT: %v after %v", err, took.Round(time.Millisecond))
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Update: %v, want store.ErrUnavailable", err)
	}
	// Everything held is delivered now, as TCP retransmission would.
	p.Resume()
	other, err := postgres.Open(ctx, direct, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	// Writers queue on the revision lock the cut-off transaction took, so
	// this write completes only after that transaction has ended.
	if err := putKey(ctx, other, "next"); err != nil {
		t.Fatal(err)
	}
	err = other.View(ctx, func(tx store.ReadTx) error {
		_, err := tx.Get(ctx, "test", "", "late")
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the write whose caller got an error committed anyway (Get: %v)", err)
	}
}

// TestOpenBlackhole: opening the store against a silent database fails
// within the bound, with a message naming the address and the timeout.
func TestOpenBlackhole(t *testing.T) {
	p, dsn, _, schema := proxied(t)
	p.Blackhole()
	var st *postgres.Store
	err, took := within(t, p, "Open", func() error {
		var err error
		st, err = postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema, Timeout: holeTimeout})
		return err
	})
	if st != nil {
		st.Close()
	}
	t.Logf("Open against a silent database: %v after %v", err, took.Round(time.Millisecond))
	if err == nil || !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Open: %v, want store.ErrUnavailable", err)
	}
	for _, want := range []string{p.Addr(), "did not answer within 2s"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Open's error %q does not say %q", err, want)
		}
	}
}

// holeNode starts a node whose store goes through a black-hole proxy.
func holeNode(t *testing.T) (*node, *blackhole.Proxy) {
	t.Helper()
	p, dsn, _, schema := proxied(t)
	masterKey, err := keyring.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	n, err := startNodeTimeout(t, dsn, schema, keyring.EncodeKey(masterKey), holeTimeout)
	if err != nil {
		t.Fatal(err)
	}
	return n, p
}

func getStatus(t *testing.T, p *blackhole.Proxy, url string) (int, string) {
	t.Helper()
	var code int
	var body []byte
	err, _ := within(t, p, "GET "+url, func() error {
		resp, err := http.Get(url)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		code = resp.StatusCode
		body, err = io.ReadAll(resp.Body)
		return err
	})
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return code, string(body)
}

// TestBlackholeServer: with the database silent, requests that need the
// store answer 503 ServiceUnavailable within the bound, /readyz says 503
// while /healthz stays 200; after recovery writes succeed promptly (no
// background sync holds a lock across a dead connection) and /readyz is
// 200 again.
func TestBlackholeServer(t *testing.T) {
	n, p := holeNode(t)
	ctx := context.Background()
	root := n.root()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("before")}); err != nil {
		t.Fatal(err)
	}
	if code, body := getStatus(t, p, n.url+"/readyz"); code != 200 || body != "ok\n" {
		t.Errorf("/readyz before: %d %q, want 200 ok", code, body)
	}
	p.Blackhole()
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"CreateUser", func() error {
			_, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("during")})
			return err
		}},
		{"ListUsers", func() error { _, err := root.ListUsers(ctx, &awsiam.ListUsersInput{}); return err }},
		{"GetUser", func() error {
			_, err := root.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("before")})
			return err
		}},
	} {
		err, took := within(t, p, c.name, c.call)
		t.Logf("%s with the database silent: HTTP %d %s after %v", c.name, httpStatus(err), errorCode(err), took.Round(time.Millisecond))
		if code, status := errorCode(err), httpStatus(err); code != "ServiceUnavailable" || status != 503 {
			t.Errorf("%s: code %q, HTTP %d (%v); want ServiceUnavailable, 503", c.name, code, status, err)
		}
	}
	start := time.Now()
	code, body := getStatus(t, p, n.url+"/readyz")
	t.Logf("/readyz with the database silent: %d %q after %v", code, body, time.Since(start).Round(time.Millisecond))
	if code != 503 || body != "store unavailable\n" {
		t.Errorf("/readyz: %d %q, want 503 store unavailable", code, body)
	}
	if code, _ := getStatus(t, p, n.url+"/healthz"); code != 200 {
		t.Errorf("/healthz: %d, want 200 (liveness does not depend on the store)", code)
	}
	// Let the directory's 1 s poll get caught on a silent connection.
	time.Sleep(3 * time.Second)

	p.Recover() // the connections caught stay silent, as TCP's backing off do
	start = time.Now()
	for i := 0; ; i++ {
		err, _ := within(t, p, "CreateUser after recovery", func() error {
			_, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("after")})
			return err
		})
		if err == nil {
			t.Logf("first write after recovery succeeded after %v (%d failed attempts)", time.Since(start).Round(time.Millisecond), i)
			break
		}
		if errorCode(err) != "ServiceUnavailable" || time.Since(start) > holeBound {
			t.Fatalf("CreateUser after recovery: %v", err)
		}
	}
	if code, body := getStatus(t, p, n.url+"/readyz"); code != 200 || body != "ok\n" {
		t.Errorf("/readyz after recovery: %d %q, want 200 ok", code, body)
	}
	// The node's own writes are in force at once: a second write right
	// after the first returns promptly too.
	err, took := within(t, p, "CreateUser", func() error {
		_, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("after2")})
		return err
	})
	if err != nil {
		t.Fatalf("second CreateUser after recovery: %v", err)
	}
	t.Logf("second write after recovery: %v", took.Round(time.Millisecond))
}

// TestBlackholeListen: a listener whose connection goes silent notices it
// by itself (it checks an idle connection with a bounded round trip) and
// reconnects once the network is back, even though the silent connection
// never fails on its own; commits made meanwhile are then reported.
func TestBlackholeListen(t *testing.T) {
	p, dsn, direct, schema := proxied(t)
	writer, err := postgres.Open(t.Context(), direct, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	listener, err := postgres.Open(t.Context(), dsn, postgres.Options{Schema: schema, Timeout: holeTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	revs := newRevisions()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- listener.Listen(ctx, revs.add) }()
	revs.await(t, 0, holeBound)
	putOne(t, writer, "a")
	revs.await(t, 1, holeBound)

	p.Blackhole()
	putOne(t, writer, "b") // not delivered: the listener's connection is silent
	time.Sleep(time.Second)
	p.Recover() // the silent connection stays silent, as TCP's backing off does
	start := time.Now()
	// Detection takes up to the 10 s check interval plus the timeout.
	revs.await(t, 2, 10*time.Second+holeTimeout+holeBound)
	t.Logf("commit made while the listener's connection was silent reported %v after recovery", time.Since(start).Round(time.Millisecond))
	putOne(t, writer, "c")
	revs.await(t, 3, holeBound)
	cancel()
	select {
	case <-done:
	case <-time.After(holeBound):
		t.Fatal("Listen did not return after its context ended")
	}
}
