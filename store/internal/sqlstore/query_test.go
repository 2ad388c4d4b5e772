package sqlstore

import (
	"reflect"
	"testing"
)

// TestWhere: both dialects select the same keys, each with its own
// placeholders, and a prefix is a key range.
func TestWhere(t *testing.T) {
	for _, tc := range []struct {
		arg  func(int) string
		want string
	}{
		{QuestionMark, " WHERE kind = ? AND account = ? AND key >= ? AND key < ? AND key > ?"},
		{Dollar, " WHERE kind = $1 AND account = $2 AND key >= $3 AND key < $4 AND key > $5"},
	} {
		d := Dialect{Arg: tc.arg}
		cond, args := d.Where("user", "123456789012", "a/", "a/b")
		if cond != tc.want {
			t.Errorf("cond = %q, want %q", cond, tc.want)
		}
		want := []any{"user", "123456789012", []byte("a/"), []byte("a0"), []byte("a/b")}
		if !reflect.DeepEqual(args, want) {
			t.Errorf("args = %q, want %q", args, want)
		}
	}
	cond, args := Dialect{Arg: Dollar}.Count("user", "", "")
	if cond != "SELECT count(*) FROM records WHERE kind = $1 AND account = $2" || len(args) != 2 {
		t.Errorf("count = %q %q", cond, args)
	}
}
