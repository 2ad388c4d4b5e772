package upstream

import (
	"reflect"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// TestStartAfter: a marker ending with a delimiter other than '/' past the
// prefix is sent with U+10FFFF after it (SeaweedFS would drop the
// delimiter and list from before the marker); any other marker as is.
func TestStartAfter(t *testing.T) {
	tests := []struct{ prefix, marker, delimiter, want string }{
		{"", "", "", ""},
		{"", "a/", "/", "a/"},
		{"", "-é", "é", "-é\U0010FFFF"},
		{"a", "ab/é", "é", "ab/é\U0010FFFF"},
		{"", "xb", "b", "xb\U0010FFFF"},
		{"", "xb", "", "xb"},
		// Keys under the prefix that start with the marker are listed:
		// the marker's delimiter is not past the prefix.
		{"-éx", "-é", "é", "-é"},
		{"-é", "-é", "é", "-é"},
		// A marker outside the prefix.
		{"z", "-é", "é", "-é"},
	}
	for _, tc := range tests {
		if got := startAfter(tc.prefix, tc.marker, tc.delimiter); got != tc.want {
			t.Errorf("startAfter(%q, %q, %q) = %q, want %q", tc.prefix, tc.marker, tc.delimiter, got, tc.want)
		}
	}
}

// TestLatestParts: one part per number, the latest by LastModified.
func TestLatestParts(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := func(n int, etag string, at time.Time) objectstore.PartInfo {
		return objectstore.PartInfo{PartNumber: n, ETag: etag, LastModified: at}
	}
	tests := []struct{ in, want []objectstore.PartInfo }{
		{nil, nil},
		{[]objectstore.PartInfo{p(1, "a", t0), p(2, "b", t0)}, []objectstore.PartInfo{p(1, "a", t0), p(2, "b", t0)}},
		{[]objectstore.PartInfo{p(1, "new", t0.Add(time.Second)), p(1, "old", t0), p(2, "b", t0)},
			[]objectstore.PartInfo{p(1, "new", t0.Add(time.Second)), p(2, "b", t0)}},
		{[]objectstore.PartInfo{p(1, "old", t0), p(1, "new", t0.Add(time.Second)), p(1, "newer", t0.Add(2*time.Second))},
			[]objectstore.PartInfo{p(1, "newer", t0.Add(2*time.Second))}},
	}
	for _, tc := range tests {
		if got := latestParts(append([]objectstore.PartInfo(nil), tc.in...)); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("latestParts(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestRecordValue: a part record's checksum value has no '/' and reads
// back, as does one written in the standard alphabet before.
func TestRecordValue(t *testing.T) {
	for _, v := range []string{"AAAAAA==", "//8=", "a+b/c+/==", ""} {
		enc := recordValue.Replace(v)
		for i := 0; i < len(enc); i++ {
			if enc[i] == '/' {
				t.Fatalf("recordValue(%q) = %q holds a '/'", v, enc)
			}
		}
		if back := recordValueBack.Replace(enc); back != v {
			t.Errorf("recordValueBack(recordValue(%q)) = %q", v, back)
		}
		if back := recordValueBack.Replace(v); back != v {
			t.Errorf("recordValueBack(%q) (standard alphabet) = %q", v, back)
		}
	}
	if recordSegment("") != "-" || recordSegment("COMPOSITE") != "COMPOSITE" {
		t.Error("recordSegment")
	}
}

// TestOutside: listed names outside the prefix asked are dropped.
func TestOutside(t *testing.T) {
	got := outside([]string{"home/a/", "/home/b/", "/homes/"}, "/home/")
	if !reflect.DeepEqual(got, []string{"/home/b/"}) {
		t.Fatalf("outside = %q", got)
	}
}
