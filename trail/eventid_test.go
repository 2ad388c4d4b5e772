package trail

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestNewEventID: an event id is a valid UUID version 7 of RFC 9562's
// variant (as a separate parser, google/uuid, reads it) whose timestamp is
// the event's time in milliseconds, and EventIDSecond reads the second back;
// the random bits differ from one id to the next; a time version 7 cannot
// hold gives a version 4 UUID, which EventIDSecond does not locate.
func TestNewEventID(t *testing.T) {
	for _, at := range []time.Time{
		time.Date(2026, 12, 7, 1, 2, 3, 456_000_000, time.UTC),
		time.Unix(0, 0),
		time.Unix(1<<47/1000, 999_000_000), // near the end of the 48-bit range
		time.Date(2026, 12, 7, 1, 2, 3, 999_999_999, time.FixedZone("x", 3600)),
	} {
		id := NewEventID(at)
		u, err := uuid.Parse(id)
		if err != nil {
			t.Fatalf("%v: %q is not a UUID: %v", at, id, err)
		}
		if u.Version() != 7 || u.Variant() != uuid.RFC4122 || u.String() != id {
			t.Errorf("%v: %q: version %d, variant %v, canonical %q; want 7, RFC 4122, itself", at, id, u.Version(), u.Variant(), u.String())
		}
		sec, nsec := u.Time().UnixTime()
		if ms := sec*1000 + nsec/1e6; ms != at.UnixMilli() {
			t.Errorf("%v: the UUID's time is %d ms, want %d", at, ms, at.UnixMilli())
		}
		if got, ok := EventIDSecond(id); !ok || got != at.Unix() {
			t.Errorf("EventIDSecond(%q) = %d, %v; want %d", id, got, ok, at.Unix())
		}
	}
	at := time.Now()
	seen := map[string]bool{}
	for range 1000 {
		id := NewEventID(at)
		if seen[id] {
			t.Fatalf("%q twice", id)
		}
		seen[id] = true
	}
	for _, at := range []time.Time{time.Unix(-1, 0), time.Unix(1<<48/1000+1, 0)} {
		id := NewEventID(at)
		if u, err := uuid.Parse(id); err != nil || u.Version() != 4 {
			t.Errorf("%v: %q, want a version 4 UUID (%v)", at, id, err)
		}
		if _, ok := EventIDSecond(id); ok {
			t.Errorf("EventIDSecond(%q) locates a version 4 UUID", id)
		}
		// All of a version 4 id but its version and variant is random,
		// its first 48 bits too (the timestamp's in version 7).
		firsts := map[string]bool{}
		for range 200 {
			firsts[NewEventID(at)[:12]] = true
		}
		if len(firsts) < 199 {
			t.Errorf("%v: 200 version 4 ids have %d first 48 bits", at, len(firsts))
		}
	}
}

// TestEventIDSecondRefuses: only a canonical lowercase UUIDv7 of RFC 9562's
// variant says its second.
func TestEventIDSecondRefuses(t *testing.T) {
	good := "019af6a1-6f2c-7abc-8def-0123456789ab"
	if sec, ok := EventIDSecond(good); !ok || sec != 0x019af6a16f2c/1000 {
		t.Fatalf("EventIDSecond(%q) = %d, %v", good, sec, ok)
	}
	for _, id := range []string{
		"",
		strings.ToUpper(good),
		"019af6a1-6f2c-4abc-8def-0123456789ab", // version 4
		"019af6a1-6f2c-7abc-cdef-0123456789ab", // another variant
		"019af6a1-6f2c-7abc-8def-0123456789a",  // short
		"019af6a1-6f2c-7abc-8def-0123456789abc",
		"019af6a16f2c-7abc-8def-0123456789ab-",
		"019af6a1-6f2c-7abc-8def-0123456789ag",
		"{19af6a1-6f2c-7abc-8def-0123456789ab",
		"e1",
	} {
		if sec, ok := EventIDSecond(id); ok {
			t.Errorf("EventIDSecond(%q) = %d, true; want false", id, sec)
		}
	}
}

// FuzzEventIDSecond: EventIDSecond accepts exactly what google/uuid parses
// as a lowercase canonical version 7 UUID of RFC 9562's variant, and reads
// its timestamp's second; NewEventID of any millisecond in range is read
// back.
func FuzzEventIDSecond(f *testing.F) {
	f.Add("019af6a1-6f2c-7abc-8def-0123456789ab", int64(0))
	f.Add("not a uuid", int64(1_790_000_000_123))
	f.Fuzz(func(t *testing.T, id string, ms int64) {
		sec, ok := EventIDSecond(id)
		u, err := uuid.Parse(id)
		canonical := err == nil && u.String() == id && u.Version() == 7 && u.Variant() == uuid.RFC4122
		if ok != canonical {
			t.Fatalf("EventIDSecond(%q) ok = %v; google/uuid: %v, %v", id, ok, u, err)
		}
		if ok {
			s, _ := u.Time().UnixTime()
			if s != sec {
				t.Fatalf("EventIDSecond(%q) = %d, google/uuid's time %d", id, sec, s)
			}
		}
		if ms = ms % (1 << 48); ms < 0 {
			ms = -ms
		}
		at := time.UnixMilli(ms)
		if got, ok := EventIDSecond(NewEventID(at)); !ok || got != at.Unix() {
			t.Fatalf("NewEventID(%v) read back as %d, %v", at, got, ok)
		}
	})
}
