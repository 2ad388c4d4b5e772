package trail

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"
)

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
	_, _ = rand.Read(u[:]) // crypto/rand.Read never fails (Go 1.24)
	if ms := t.UnixMilli(); ms >= 0 && ms < 1<<48 {
		var ts [8]byte
		binary.BigEndian.PutUint64(ts[:], uint64(ms))
		copy(u[:6], ts[2:])
		u[6] = u[6]&0x0f | 0x70
	} else {
		u[6] = u[6]&0x0f | 0x40
	}
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
		c := id[i]
		var v int64
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			continue
		case '0' <= c && c <= '9':
			v = int64(c - '0')
		case 'a' <= c && c <= 'f':
			v = int64(c-'a') + 10
		default:
			return 0, false
		}
		if i < 13 {
			ms = ms<<4 | v
		}
	}
	return ms / 1000, true
}
