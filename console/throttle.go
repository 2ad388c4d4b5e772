package console

import (
	"sync"
	"time"
)

// Sign-in backoff. Failures are counted per account+user and per client IP;
// after freeFailures of them each further attempt must wait twice as long as
// the last (1 s, 2 s, 4 s … up to maxLock), and a success clears the
// account+user's count. The table is in memory and bounded: when it is
// full, entries whose lock has lapsed are dropped, then the oldest.
const (
	freeFailures = 5
	maxLock      = 15 * time.Minute
	// forgetAfter: a key without failures for this long starts afresh.
	forgetAfter = time.Hour
	maxThrottle = 50_000
)

type throttle struct {
	mu sync.Mutex
	m  map[string]*failures
}

type failures struct {
	n     int
	until time.Time
	last  time.Time
}

// wait returns how long the key must still wait before its next attempt.
func (t *throttle) wait(key string, now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.m[key]
	if f == nil || now.Sub(f.last) > forgetAfter {
		return 0
	}
	if d := f.until.Sub(now); d > 0 {
		return d
	}
	return 0
}

// fail counts a failure of key.
func (t *throttle) fail(key string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]*failures{}
	}
	f := t.m[key]
	if f == nil || now.Sub(f.last) > forgetAfter {
		if len(t.m) >= maxThrottle {
			t.evict(now)
		}
		f = &failures{}
		t.m[key] = f
	}
	f.n++
	f.last = now
	if f.n >= freeFailures {
		d := time.Second << min(f.n-freeFailures, 20)
		f.until = now.Add(min(d, maxLock))
	}
}

// succeed clears key's failures.
func (t *throttle) succeed(key string) {
	t.mu.Lock()
	delete(t.m, key)
	t.mu.Unlock()
}

// evict makes room: lapsed entries first, then the least recent.
func (t *throttle) evict(now time.Time) {
	var oldest string
	var at time.Time
	for k, f := range t.m {
		if now.Sub(f.last) > forgetAfter || (now.After(f.until) && f.n < freeFailures) {
			delete(t.m, k)
			continue
		}
		if oldest == "" || f.last.Before(at) {
			oldest, at = k, f.last
		}
	}
	if len(t.m) >= maxThrottle && oldest != "" {
		delete(t.m, oldest)
	}
}
