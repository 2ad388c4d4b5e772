package sigv4

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestKeyCache(t *testing.T) {
	now := t0
	c := newKeyCache(2, time.Hour)
	fp := func(s string) *[sha256.Size]byte { f := sha256.Sum256([]byte(s)); return &f }
	key := func(b byte) *[sha256.Size]byte { var k [sha256.Size]byte; k[0] = b; return &k }
	k := func(akid string) cacheKey { return cacheKey{akid, "20260101", "us-east-1", "iam"} }

	if _, ok := c.get(k("a"), fp("s"), now); ok {
		t.Fatal("hit in an empty cache")
	}
	c.put(k("a"), fp("s"), key(1), now)
	if got, ok := c.get(k("a"), fp("s"), now); !ok || got[0] != 1 {
		t.Fatalf("get = %v, %v", got[0], ok)
	}
	if _, ok := c.get(k("a"), fp("rotated secret"), now); ok {
		t.Error("hit with another secret's fingerprint")
	}
	if _, ok := c.get(cacheKey{"a", "20260102", "us-east-1", "iam"}, fp("s"), now); ok {
		t.Error("hit for another date")
	}

	// Bounded: never more than two generations of two.
	for i := range 10 {
		c.put(k(fmt.Sprint(i)), fp("s"), key(byte(i)), now)
		if n := c.len(); n > 4 {
			t.Fatalf("cache holds %d keys, max 4", n)
		}
	}
	// Keys in use survive rotation: "9" is in the current generation.
	if got, ok := c.get(k("9"), fp("s"), now); !ok || got[0] != 9 {
		t.Error("most recent key evicted")
	}
	// Idle keys expire after two TTLs.
	if _, ok := c.get(k("9"), fp("s"), now.Add(2*time.Hour)); ok {
		t.Error("key survived two TTLs")
	}
	if n := c.len(); n != 0 {
		t.Errorf("cache holds %d keys after expiry", n)
	}
}

// TestVerifierCache counts derivations through the lookup: a cached key must
// still follow a rotated secret.
func TestVerifierCache(t *testing.T) {
	secret := testSecret
	v := newTestVerifier(t, 0, func(o *Options) {
		o.Lookup = func(context.Context, string) ([]byte, error) { return []byte(secret), nil }
	})
	r, body := sign(t, clientRequest{url: "https://iam.amazonaws.com/?Action=ListUsers"})
	for range 3 {
		if _, err := v.Verify(context.Background(), r, body); err != nil {
			t.Fatal(err)
		}
	}
	if n := v.cache.len(); n != 1 {
		t.Errorf("cache holds %d keys, want 1", n)
	}
	secret = otherKey // the key's secret changed: the old signature must fail
	if _, err := v.Verify(context.Background(), r, body); err == nil {
		t.Fatal("verified with a stale cached key")
	}
	r, body = sign(t, clientRequest{url: "https://iam.amazonaws.com/?Action=ListUsers", secret: otherKey, akid: testAKID})
	if _, err := v.Verify(context.Background(), r, body); err != nil {
		t.Fatal(err)
	}
}

func TestVerifierCacheDisabled(t *testing.T) {
	v := newTestVerifier(t, 0, func(o *Options) { o.CacheSize = -1 })
	if v.cache != nil {
		t.Fatal("cache enabled")
	}
	r, body := sign(t, clientRequest{url: "https://iam.amazonaws.com/"})
	if _, err := v.Verify(context.Background(), r, body); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentVerify runs verifications of several keys and scopes at once
// with a tiny cache (run with -race).
func TestConcurrentVerify(t *testing.T) {
	v := newTestVerifier(t, 0, func(o *Options) { o.CacheSize = 2 })
	type signed struct {
		r    *requestAndBody
		fail bool
	}
	var reqs []signed
	for _, region := range []string{"us-east-1", "eu-west-1", "ap-south-1"} {
		r, b := sign(t, clientRequest{url: "https://sts.amazonaws.com/?Action=GetCallerIdentity", service: "sts", region: region})
		reqs = append(reqs, signed{&requestAndBody{r, b}, false})
		r, b = sign(t, clientRequest{url: "https://sts.amazonaws.com/?Action=GetCallerIdentity", service: "sts", region: region, akid: otherAKID, secret: otherKey})
		reqs = append(reqs, signed{&requestAndBody{r, b}, false})
		r, b = sign(t, clientRequest{url: "https://sts.amazonaws.com/?Action=GetCallerIdentity", service: "sts", region: region, akid: otherAKID, secret: testSecret})
		reqs = append(reqs, signed{&requestAndBody{r, b}, true})
	}
	var wg sync.WaitGroup
	var failures atomic.Int32
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				s := reqs[(g+i)%len(reqs)]
				_, err := v.Verify(context.Background(), s.r.r, s.r.body)
				if (err != nil) != s.fail {
					failures.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := failures.Load(); n != 0 {
		t.Errorf("%d wrong outcomes", n)
	}
}

type requestAndBody struct {
	r    *http.Request
	body []byte
}
