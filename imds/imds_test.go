package imds

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/workload"
)

// fakeSource hands out numbered credentials valid for an hour from the
// fake clock, or fails while failing is set.
type fakeSource struct {
	mu      sync.Mutex
	now     time.Time
	calls   int
	failing bool
}

func (f *fakeSource) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeSource) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func (f *fakeSource) fetch(context.Context) (*workload.Credentials, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failing {
		return nil, errors.New("gatehouse unreachable")
	}
	f.calls++
	return &workload.Credentials{AccessKeyId: "ASIA" + strconv.Itoa(f.calls), RoleArn: "arn:aws:iam::123456789012:role/r",
		Expiration: f.now.Add(time.Hour).UTC().Format(time.RFC3339), WorkloadId: "i-0123456789abcdef0", Region: "eu-west-1"}, nil
}

// TestRefresh: credentials are reused while fresh, replaced RefreshBefore
// before they expire, and served until they expire while the source fails.
func TestRefresh(t *testing.T) {
	f := &fakeSource{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	a := New(Config{Source: f.fetch, Now: f.clock})
	ctx := context.Background()
	key := func() string {
		t.Helper()
		cr, _, err := a.current(ctx)
		if err != nil {
			return "error: " + err.Error()
		}
		return cr.AccessKeyId
	}
	if got := key(); got != "ASIA1" {
		t.Fatalf("first: %s", got)
	}
	f.advance(54 * time.Minute)
	if got := key(); got != "ASIA1" {
		t.Fatalf("at 54 minutes: %s, want the same credentials", got)
	}
	f.advance(2 * time.Minute)
	if got := key(); got != "ASIA2" {
		t.Fatalf("at 56 minutes (4 left): %s, want new credentials", got)
	}
	f.failing = true
	f.advance(56 * time.Minute)
	if got := key(); got != "ASIA2" {
		t.Fatalf("source failing, 4 minutes left: %s, want the held credentials", got)
	}
	f.advance(5 * time.Minute)
	if got := key(); got != "error: gatehouse unreachable" {
		t.Fatalf("source failing, expired: %s", got)
	}
	f.failing = false
	if got := key(); got != "ASIA3" {
		t.Fatalf("source back: %s", got)
	}
}

// TestTokens: session tokens expire with their TTL, and the agent holds a
// bounded number of them.
func TestTokens(t *testing.T) {
	f := &fakeSource{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	a := New(Config{Source: f.fetch, Now: f.clock})
	h := a.Handler()
	put := func(ttl string) string {
		req := httptest.NewRequest("PUT", "/latest/api/token", nil)
		req.Host = "127.0.0.1:1338"
		req.Header.Set(TTLHeader, ttl)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 || rec.Header().Get(TTLHeader) != ttl {
			t.Fatalf("PUT: %d %v", rec.Code, rec.Header())
		}
		return rec.Body.String()
	}
	get := func(tok string) int {
		req := httptest.NewRequest("GET", "/latest/meta-data/placement/region", nil)
		req.Host = "127.0.0.1:1338"
		req.Header.Set(TokenHeader, tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code == 200 && rec.Body.String() != "eu-west-1" {
			t.Errorf("region %q", rec.Body.String())
		}
		return rec.Code
	}
	tok := put("60")
	if code := get(tok); code != 200 {
		t.Fatalf("GET with a fresh token: %d", code)
	}
	f.advance(61 * time.Second)
	if code := get(tok); code != http.StatusUnauthorized {
		t.Fatalf("GET with an expired token: %d", code)
	}
	first := put("600")
	for range maxTokens {
		put("600")
	}
	if code := get(first); code != http.StatusUnauthorized {
		t.Errorf("the oldest token past the bound: %d", code)
	}
	if len(a.tokens) > maxTokens {
		t.Errorf("%d tokens held", len(a.tokens))
	}
}

// The agent answers only requests that address it by IP or as localhost:
// a name an attacker rebinds to the loopback address is refused (DNS
// rebinding).
func TestLiteralHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"127.0.0.1:1338": true, "169.254.169.254": true, "[::1]:80": true, "localhost:8080": true, "LOCALHOST": true,
		"evil.example:1338": false, "127.0.0.1.nip.io": false, "": false,
	} {
		if got := literalHost(host); got != want {
			t.Errorf("literalHost(%q) = %v, want %v", host, got, want)
		}
	}
}
