package server

import (
	"sync"
	"time"
)

// failedAuthLimit bounds the events of requests that name a real access key
// but fail to authenticate (a wrong signature, an expired request): anyone
// who has seen a key id can send them, and each would otherwise be one more
// event in the key owner's trail. Each key id gets a bucket of
// failedAuthBurst events refilled at one every failedAuthEvery; past it the
// failures still fail but are counted (gatehouse_audit_suppressed_total)
// instead of recorded. Buckets are kept for at most failedAuthKeys key ids;
// when that many are live the table starts afresh, so its memory is bounded
// whatever an attacker sends.
type failedAuthLimit struct {
	mu      sync.Mutex
	buckets map[string]*authBucket
}

type authBucket struct {
	tokens float64
	last   time.Time
}

const (
	failedAuthBurst = 20
	failedAuthEvery = time.Second
	failedAuthKeys  = 4096
)

// allow reports whether a failed authentication with key id may be
// recorded at now.
func (l *failedAuthLimit) allow(id string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[id]
	if b == nil {
		if l.buckets == nil || len(l.buckets) >= failedAuthKeys {
			l.buckets = make(map[string]*authBucket)
		}
		b = &authBucket{tokens: failedAuthBurst, last: now}
		l.buckets[id] = b
	}
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(failedAuthBurst, b.tokens+d.Seconds()/failedAuthEvery.Seconds())
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
