package authview

import (
	"testing"
	"time"
	"unsafe"

	"github.com/gatehouse-iam/gatehouse/store"
)

// TestAccessKeyCompact checks that the view's entry of a key stays small
// (one per key of the store: 100,000 and more) and gives back the key's
// creation as the same instant, in UTC, whatever its zone.
func TestAccessKeyCompact(t *testing.T) {
	if n := unsafe.Sizeof(accessKey{}); n > 40 {
		t.Errorf("accessKey is %d bytes, want at most 40", n)
	}
	strs := newStrTable()
	for _, created := range []time.Time{
		time.Date(2026, 12, 7, 4, 30, 0, 123456789, time.FixedZone("UTC+2", 2*3600)),
		time.Date(2026, 12, 7, 4, 30, 0, 0, time.UTC),
		{},
	} {
		r := store.AccessKey{ID: "AKIAEXAMPLE", Account: "123456789012", UserName: "alice", SecretCiphertext: []byte("sealed"), Status: store.StatusActive, CreateDate: created}
		id, k := compactKey(strs, r)
		if id != r.ID || !k.same(strs, r) {
			t.Fatalf("%v: compactKey gave %q, %+v, not the same key", created, id, k)
		}
		if got := k.createDate(); !got.Equal(created) || got.Location() != time.UTC || got.IsZero() != created.IsZero() {
			t.Errorf("createDate() = %v, want %v in UTC", got, created)
		}
	}
	if len(strs.list) != 2 {
		t.Errorf("the table holds %q, want the account and the status once", strs.list)
	}
}
