package authref

import (
	"strings"
	"testing"
)

// TestAccessLevels checks that the access levels alone give, for every
// action of the reference and in any case, the level that the whole
// reference gives, and know no other action.
func TestAccessLevels(t *testing.T) {
	d := Lookup()
	l, err := LoadAccessLevels()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, prefix := range d.Services() {
		s, _ := d.Service(prefix)
		for _, a := range s.Actions {
			for _, name := range []string{a.FullName(), strings.ToUpper(a.FullName())} {
				want, _ := d.Action(name)
				got, ok := l.Level(name)
				if !ok || got != want.AccessLevel {
					t.Fatalf("Level(%q) = %q, %v; want %q", name, got, ok, want.AccessLevel)
				}
			}
			n++
		}
	}
	if n < 10000 {
		t.Fatalf("only %d actions", n)
	}
	for _, name := range []string{"s3:NoSuchAction", "nosuchservice:GetObject", "s3", "", ":", "s3:"} {
		if lv, ok := l.Level(name); ok {
			t.Errorf("Level(%q) = %q, want unknown", name, lv)
		}
	}
	if lv, _ := l.Level("s3:GetObject"); lv != "Read" {
		t.Errorf("s3:GetObject is %q, want Read", lv)
	}
}
