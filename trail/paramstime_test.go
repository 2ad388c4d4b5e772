package trail

import (
	"math/rand/v2"
	"testing"
	"time"
)

// appendTime writes what AppendFormat(timeLayout) writes, for every
// month, both halves of the day, midnight and noon, the smallest and
// largest years, and random times.
func TestAppendTimeIsTheLayouts(t *testing.T) {
	times := []time.Time{
		time.Date(2026, 12, 6, 22, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 2, 28, 11, 59, 59, 999999999, time.UTC),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 1, 2, 3, 0, time.UTC),
		time.Date(-1, 3, 4, 5, 6, 7, 0, time.UTC),
		time.Date(999, 7, 9, 13, 5, 0, 0, time.UTC),
	}
	for m := range 12 {
		times = append(times, time.Date(2025, time.Month(m+1), 10+m, 2*m, 5*m, 3*m, 0, time.UTC))
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 2000 {
		times = append(times, time.Unix(r.Int64N(400*365*86400)-100*365*86400, 0).UTC())
	}
	for _, tm := range times {
		if got, want := string(appendTime(nil, tm)), tm.Format(timeLayout); got != want {
			t.Errorf("%v: %q, want %q", tm, got, want)
		}
	}
}
