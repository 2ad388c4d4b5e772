package policy

import (
	"strconv"
	"strings"
	"testing"
)

// TestContextSetOne: single values stored past the context's initial room
// keep their values (a new block does not move the old ones), keys are
// case-insensitive, and a later Set replaces a SetOne value.
func TestContextSetOne(t *testing.T) {
	c := NewContext(2)
	for i := range 40 {
		c.SetOne("Key"+strconv.Itoa(i), "v"+strconv.Itoa(i))
	}
	for i := range 40 {
		if v, ok := c.Get("KEY" + strconv.Itoa(i)); !ok || len(v) != 1 || v[0] != "v"+strconv.Itoa(i) {
			t.Fatalf("key%d = %v, %v", i, v, ok)
		}
	}
	c.Set("key3", "a", "b")
	if v, _ := c.Get("key3"); len(v) != 2 {
		t.Fatalf("key3 = %v", v)
	}
	if v, _ := c.Get("key4"); len(v) != 1 || v[0] != "v4" {
		t.Fatalf("key4 = %v after Set of key3", v)
	}
	var zero Context
	zero.SetOne("aws:username", "alice")
	if v, ok := zero.Get("aws:UserName"); !ok || v[0] != "alice" {
		t.Fatalf("zero context: %v, %v", v, ok)
	}
}

// TestEqualKey compares equalKey with == for every length up to 40 and a
// difference at every position.
func TestEqualKey(t *testing.T) {
	for n := 0; n <= 40; n++ {
		a := strings.Repeat("k", n)
		if !equalKey(a, strings.Clone(a)) {
			t.Fatalf("len %d: equal keys compare unequal", n)
		}
		for i := 0; i < n; i++ {
			b := []byte(a)
			b[i] = 'x'
			if equalKey(a, string(b)) {
				t.Fatalf("len %d: keys differing at %d compare equal", n, i)
			}
		}
	}
}

// TestLowerASCII compares lowerASCII with a byte-by-byte lower-casing for
// every byte value at every position of strings up to 20 bytes.
func TestLowerASCII(t *testing.T) {
	want := func(s string) string {
		b := []byte(s)
		for i, c := range b {
			if 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
		return string(b)
	}
	buf := make([]byte, 32)
	for n := 0; n <= 20; n++ {
		for pos := 0; pos < n; pos++ {
			for c := 0; c < 256; c++ {
				b := []byte(strings.Repeat("aZ:", 7)[:n])
				b[pos] = byte(c)
				lowerASCII(buf, string(b))
				if got := string(buf[:n]); got != want(string(b)) {
					t.Fatalf("lowerASCII(%q) = %q, want %q", b, got, want(string(b)))
				}
			}
		}
	}
}
