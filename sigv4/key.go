package sigv4

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"
	"sync"
	"time"
)

// hmacSHA256 computes HMAC-SHA256 (RFC 2104) of msg under key. It is the
// textbook construction over sha256.Sum256, written out so that the signing
// path works on stack buffers instead of allocating a hash.Hash per step;
// tests check it against crypto/hmac.
func hmacSHA256(key, msg []byte) [sha256.Size]byte {
	const block = sha256.BlockSize
	var k [block]byte
	if len(key) > block {
		sum := sha256.Sum256(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	var stack [block + 256]byte
	var inner []byte
	if n := block + len(msg); n <= len(stack) {
		inner = stack[:n]
	} else {
		inner = make([]byte, n)
	}
	for i := range block {
		inner[i] = k[i] ^ 0x36
	}
	copy(inner[block:], msg)
	innerSum := sha256.Sum256(inner)
	var outer [block + sha256.Size]byte
	for i := range block {
		outer[i] = k[i] ^ 0x5c
	}
	copy(outer[block:], innerSum[:])
	clear(k[:])
	clear(inner[:block])
	return sha256.Sum256(outer[:])
}

// deriveKey computes the SigV4 signing key: an HMAC chain from "AWS4"+secret
// over the date (YYYYMMDD), region, service and "aws4_request".
func deriveKey(secret []byte, date, region, service string) [sha256.Size]byte {
	var stack [4 + 128]byte
	var k []byte
	if n := 4 + len(secret); n <= len(stack) {
		k = stack[:n]
	} else {
		k = make([]byte, n)
	}
	copy(k, "AWS4")
	copy(k[4:], secret)
	key := hmacSHA256(k, []byte(date))
	clear(k)
	key = hmacSHA256(key[:], []byte(region))
	key = hmacSHA256(key[:], []byte(service))
	return hmacSHA256(key[:], []byte(terminator))
}

// keyCache keeps derived signing keys so that a busy access key is not
// re-derived on every request. It never holds a secret: an entry is the
// derived key, which is only good for one day, region and service, plus a
// SHA-256 fingerprint of the secret it came from, so a rotated secret is
// noticed and the stale entry replaced.
//
// The cache is bounded and short-lived: entries live in two generations of
// at most max entries each. When the current generation fills up or is older
// than ttl, the previous one is wiped and dropped, and the current one
// becomes the previous. An entry found in the previous generation moves to
// the current one, so keys in use stay cached.
type keyCache struct {
	mu   sync.Mutex
	max  int
	ttl  time.Duration
	born time.Time
	cur  map[cacheKey]*cacheEntry
	prev map[cacheKey]*cacheEntry
}

type cacheKey struct{ accessKeyID, date, region, service string }

type cacheEntry struct {
	fingerprint [sha256.Size]byte
	key         [sha256.Size]byte
}

func newKeyCache(max int, ttl time.Duration) *keyCache {
	return &keyCache{max: max, ttl: ttl}
}

// get returns the signing key for k derived from the secret whose
// fingerprint is fp, if cached.
func (c *keyCache) get(k cacheKey, fp *[sha256.Size]byte, now time.Time) ([sha256.Size]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.age(now)
	e, ok := c.cur[k]
	if !ok {
		if e, ok = c.prev[k]; ok {
			delete(c.prev, k)
			c.insert(k, e, now)
		}
	}
	if !ok || subtle.ConstantTimeCompare(e.fingerprint[:], fp[:]) != 1 {
		return [sha256.Size]byte{}, false
	}
	return e.key, true
}

// put records a derived key.
func (c *keyCache) put(k cacheKey, fp *[sha256.Size]byte, key *[sha256.Size]byte, now time.Time) {
	// The map key must not pin the request's header strings.
	k = cacheKey{strings.Clone(k.accessKeyID), strings.Clone(k.date), strings.Clone(k.region), strings.Clone(k.service)}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.age(now)
	if e, ok := c.cur[k]; ok {
		e.fingerprint, e.key = *fp, *key
		return
	}
	if e, ok := c.prev[k]; ok {
		wipe(e)
		delete(c.prev, k)
	}
	c.insert(k, &cacheEntry{fingerprint: *fp, key: *key}, now)
}

func (c *keyCache) insert(k cacheKey, e *cacheEntry, now time.Time) {
	if len(c.cur) >= c.max {
		c.rotate(now)
	}
	if c.cur == nil {
		c.cur = make(map[cacheKey]*cacheEntry)
		c.born = now
	}
	c.cur[k] = e
}

// age retires the current generation once it is older than the TTL, and
// both generations once the current one is twice as old, so an idle cache
// keeps no key for much longer than two TTLs.
func (c *keyCache) age(now time.Time) {
	if c.cur == nil && c.prev == nil {
		return
	}
	switch d := now.Sub(c.born); {
	case d >= 2*c.ttl || d < 0:
		c.rotate(now)
		c.rotate(now)
	case d >= c.ttl:
		c.rotate(now)
	}
}

func (c *keyCache) rotate(now time.Time) {
	for _, e := range c.prev {
		wipe(e)
	}
	c.prev = c.cur
	c.cur = nil
	c.born = now
}

// len returns the number of cached keys.
func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cur) + len(c.prev)
}

func wipe(e *cacheEntry) {
	clear(e.key[:])
	clear(e.fingerprint[:])
}
