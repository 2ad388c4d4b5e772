package ids

import (
	"bytes"
	"errors"
	"regexp"
	"testing"
	"testing/iotest"
)

func TestGen(t *testing.T) {
	uniqueRE := regexp.MustCompile(`^[A-Z]{4}[A-Z2-7]{17}$`)
	keyRE := regexp.MustCompile(`^(AKIA|ASIA)[A-Z2-7]{16}$`)
	g := NewGen(bytes.NewReader(bytes.Repeat([]byte{0, 1, 31, 32, 255}, 100)))
	for _, prefix := range []string{PrefixUser, PrefixGroup, PrefixRole, PrefixPolicy, PrefixInstanceProfile} {
		id, err := g.UniqueID(prefix)
		if err != nil {
			t.Fatal(err)
		}
		if !uniqueRE.MatchString(id) || id[:4] != prefix {
			t.Errorf("UniqueID(%s) = %q", prefix, id)
		}
	}
	for _, prefix := range []string{PrefixAccessKey, PrefixTemporaryKey} {
		id, err := g.AccessKeyID(prefix)
		if err != nil {
			t.Fatal(err)
		}
		if !keyRE.MatchString(id) || id[:4] != prefix {
			t.Errorf("AccessKeyID(%s) = %q", prefix, id)
		}
	}
	// The mapping is fixed: byte b gives alphabet[b%32].
	g = NewGen(bytes.NewReader([]byte{0, 1, 25, 26, 31, 32, 63, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0}))
	if id, _ := g.UniqueID("AIDA"); id != "AIDAABZ27A77AAAAAAAAA" {
		t.Errorf("UniqueID from a fixed stream = %q", id)
	}
	// Short or failing randomness is an error, never a short id.
	for name, r := range map[string]*Gen{
		"short":   NewGen(bytes.NewReader([]byte{1, 2, 3})),
		"failing": NewGen(iotest.ErrReader(errors.New("no entropy"))),
		"nil":     NewGen(nil),
	} {
		if id, err := r.UniqueID("AIDA"); err == nil {
			t.Errorf("%s reader: UniqueID = %q, want an error", name, id)
		}
	}
}
