package main

import "testing"

func TestParseMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", -1, true},
		{"256MiB", 256 << 20, true},
		{"1GiB", 1 << 30, true},
		{"512KiB", 512 << 10, true},
		{"1000000", 1000000, true},
		{"4096B", 4096, true},
		{"2TiB", 2 << 40, true},
		{"0", 0, false},
		{"-1MiB", 0, false},
		{"256MB", 0, false}, // GOMEMLIMIT's units are binary: MiB, not MB
		{"MiB", 0, false},
		{"9999999TiB", 0, false},
	} {
		got, err := parseMemoryLimit(c.in)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("parseMemoryLimit(%q) = %d, %v; want %d, ok %v", c.in, got, err, c.want, c.ok)
		}
	}
}
