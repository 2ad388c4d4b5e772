package server

import (
	"testing"
	"time"
)

func TestFailedAuthLimit(t *testing.T) {
	var l failedAuthLimit
	t0 := time.Unix(1_800_000_000, 0)
	for i := range failedAuthBurst {
		if !l.allow("AKIAEXAMPLE", t0) {
			t.Fatalf("event %d of the burst refused", i)
		}
	}
	if l.allow("AKIAEXAMPLE", t0) {
		t.Fatal("event past the burst recorded")
	}
	if !l.allow("AKIAOTHER", t0) {
		t.Fatal("another key shares the first key's bucket")
	}
	if !l.allow("AKIAEXAMPLE", t0.Add(failedAuthEvery)) || l.allow("AKIAEXAMPLE", t0.Add(failedAuthEvery)) {
		t.Fatal("the bucket refills one event per interval")
	}
	for i := range 3 * failedAuthKeys {
		l.allow(string(rune('a'+i%26))+time.Duration(i).String(), t0)
	}
	if len(l.buckets) > failedAuthKeys {
		t.Fatalf("%d buckets, more than %d", len(l.buckets), failedAuthKeys)
	}
}
