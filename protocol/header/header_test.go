package header

import (
	"net/http"
	"testing"
)

// Set stores what Header.Set would, and an Add to one header leaves the
// other alone.
func TestSet(t *testing.T) {
	h := http.Header{}
	Set(h, []string{"text/xml"}, 1234, "req-1")
	want := http.Header{}
	want.Set("Content-Type", "text/xml")
	want.Set("Content-Length", "1234")
	want.Set("x-amzn-RequestId", "req-1")
	for k, v := range want {
		if got := h.Values(k); len(got) != 1 || got[0] != v[0] {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if len(h) != len(want) {
		t.Errorf("headers %v, want %v", h, want)
	}
	h.Add("Content-Length", "5")
	if got := h.Get("x-amzn-RequestId"); got != "req-1" {
		t.Errorf("after Add: x-amzn-RequestId %q", got)
	}
	h2 := http.Header{"Content-Type": {"application/json"}}
	Set(h2, nil, 0, "r")
	if got := h2.Get("Content-Type"); got != "application/json" {
		t.Errorf("nil content type replaced the caller's: %q", got)
	}
}
