package trail

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"sync"
	"time"
)

// randomBits are random bytes read from crypto/rand a kilobyte at a time
// and handed out ten at a time to event ids: reading ten each time cost
// 0.2 µs per request (perf, #14), a kilobyte about as much. Bytes handed
// out are zeroed.
type randomBits struct {
	b    [1020]byte
	used int
}

// randomPool keeps randomBits, one per P as sync.Pool does.
var randomPool = sync.Pool{New: func() any { return &randomBits{used: len(randomBits{}.b)} }}

// read fills p (at most len(r.b) bytes) with random bytes.
func (r *randomBits) read(p []byte) {
	if r.used+len(p) > len(r.b) {
		_, _ = rand.Read(r.b[:]) // crypto/rand.Read never fails (Go 1.24)
		r.used = 0
	}
	copy(p, r.b[r.used:])
	clear(r.b[r.used : r.used+len(p)])
	r.used += len(p)
}

// NewEventID returns a fresh event id for an event that happened at t: a
// UUID version 7 (RFC 9562, section 5.7) whose 48-bit timestamp is t's
// Unix time in milliseconds and whose other 74 bits are random (crypto/rand),
// in the canonical lowercase form. CloudTrail's event ids are UUIDs; the
// time in this one lets a store find the event by its id through the
// index of its second (trail/sqlite keeps no index by id for them). The
// random bits keep ids unguessable as version 4's 122 do, less the time,
// which the event states anyway. A time the timestamp cannot hold (before
// 1970, after 10889) gives a version 4 UUID.
func NewEventID(t time.Time) string {
	var u [16]byte
	r := randomPool.Get().(*randomBits)
	r.read(u[6:]) // the bits the timestamp leaves
	if ms := t.UnixMilli(); ms >= 0 && ms < 1<<48 {
		var ts [8]byte
		binary.BigEndian.PutUint64(ts[:], uint64(ms))
		copy(u[:6], ts[2:])
		u[6] = u[6]&0x0f | 0x70
	} else {
		r.read(u[:6])
		u[6] = u[6]&0x0f | 0x40
	}
	randomPool.Put(r)
	u[8] = u[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	return string(s[:])
}

// EventIDSecond returns the Unix second an event id of NewEventID's (a
// canonical lowercase UUID version 7 of RFC 9562's variant) says its
// event happened in; ok is false for any other string.
func EventIDSecond(id string) (sec int64, ok bool) {
	if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' || id[14] != '7' {
		return 0, false
	}
	switch id[19] {
	case '8', '9', 'a', 'b':
	default:
		return 0, false
	}
	var ms int64
	for i := range len(id) {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			continue
		}
		v := hexValue[id[i]]
		if v > 15 {
			return 0, false
		}
		if i < 13 {
			ms = ms<<4 | int64(v)
		}
	}
	return ms / 1000, true
}

// hexValue is the value of a lowercase hex digit, 255 for any other byte.
var hexValue = func() (t [256]byte) {
	for i := range t {
		t[i] = 255
	}
	for i := range 10 {
		t['0'+i] = byte(i)
	}
	for i := range 6 {
		t['a'+i] = byte(10 + i)
	}
	return t
}()
