package postgres_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/internal/blackhole"
	"github.com/gatehouse-iam/gatehouse/internal/pgtest"
	"github.com/gatehouse-iam/gatehouse/trail"
	"github.com/gatehouse-iam/gatehouse/trail/postgres"
)

// The timeout the black-hole test configures, and the generous bound it
// holds answers to: a noisy machine must not fail it, a hang must.
const (
	holeTimeout = 2 * time.Second
	holeBound   = 15 * time.Second
)

// TestBlackhole: with the database silent (packets dropped, not refused),
// every call fails with trail.ErrUnavailable and the deadline within the
// bound instead of hanging, under the store's timeout or the caller's
// shorter deadline; once the network is back, calls succeed again.
func TestBlackhole(t *testing.T) {
	direct := pgtest.DSN(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	p := blackhole.New(t, u.Host)
	u.Host = p.Addr()
	ctx := context.Background() // no deadline: the store's own must apply
	s, err := postgres.OpenWith(ctx, u.String(), postgres.Options{Schema: freshSchema(t, direct), Timeout: holeTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	entry := func(id string) []trail.Entry {
		return []trail.Entry{{Account: "111122223333", EventID: id, Time: time.Now(), Management: true, JSON: []byte("{}")}}
	}
	if err := s.Append(ctx, entry("before")); err != nil {
		t.Fatal(err)
	}
	within := func(what string, call func() error) error {
		t.Helper()
		start := time.Now()
		done := make(chan error, 1)
		go func() { done <- call() }()
		select {
		case err := <-done:
			t.Logf("%s with the database silent: %v after %v", what, err, time.Since(start).Round(time.Millisecond))
			return err
		case <-time.After(holeBound):
			p.Close() // ends the stuck call, so the test fails rather than hangs
			t.Fatalf("%s: no answer after %v", what, holeBound)
			return nil
		}
	}
	p.Blackhole()
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"Append", func() error { return s.Append(ctx, entry("during")) }},
		{"Lookup", func() error { _, err := s.Lookup(ctx, trail.Query{Account: "111122223333", Limit: 5}); return err }},
		{"DeleteBefore", func() error { _, err := s.DeleteBefore(ctx, time.Now().Add(-time.Hour), 5); return err }},
		{"Lookup with a 200ms deadline", func() error {
			short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
			defer cancel()
			_, err := s.Lookup(short, trail.Query{Account: "111122223333", Limit: 5})
			return err
		}},
	} {
		err := within(c.name, c.call)
		if !errors.Is(err, trail.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v, want trail.ErrUnavailable and context.DeadlineExceeded", c.name, err)
		}
	}
	p.Recover()
	deadline := time.Now().Add(holeBound)
	for {
		err := s.Append(ctx, entry("after"))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Append after the network came back: %v", err)
		}
	}
	page, err := s.Lookup(ctx, trail.Query{Account: "111122223333", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(page.Entries); n != 2 {
		t.Errorf("%d entries after recovery, want 2 (before, after; the Append during the outage failed)", n)
	}
}
