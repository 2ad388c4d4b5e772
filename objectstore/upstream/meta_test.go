package upstream

import (
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/objectstore"
)

// TestMetaWire round-trips metas through the request fields and back, as
// an upstream that keeps the user metadata as sent returns them.
func TestMetaWire(t *testing.T) {
	tests := []objectstore.Meta{
		{},
		{ContentType: "text/plain", Expires: "Thu, 01 Dec 1994 16:00:00 GMT"},
		{Expires: "not a date", SSE: "aws:kms"},
		{Expires: "Thu, 1 Dec 1994 16:00:00 GMT"}, // an HTTP date, not in its canonical form
		{UserMetadata: map[string]string{"ctl": "a\x01b", "enc": "=?UTF-8?B?eA==?=", "utf8": "żółw 日本", "gatehouse-acl": "mine", "gatehouse-x-": "esc"}},
		{Owner: "o", ACL: []byte(strings.Repeat(`{"grant":"x"}`, 100)), Checksum: objectstore.Checksum{Algorithm: "CRC64NVME", Value: "AAAAAAAAAAA=-3", Type: "COMPOSITE"}},
		{ACL: []byte{}, Checksum: objectstore.Checksum{Algorithm: "SHA256", Value: "x"}},
		{Lock: objectstore.Lock{Mode: "COMPLIANCE", RetainUntil: time.Date(2031, 2, 3, 4, 5, 6, 7000, time.UTC), LegalHold: true}},
		{Lock: objectstore.Lock{LegalHold: true}},
		// Kept in reserved metadata too: SeaweedFS drops the S3 field
		// (this read carries no websiteRedirect, as SeaweedFS's does not).
		{WebsiteRedirect: "/other"},
		{WebsiteRedirect: "https://example.com/żółw"},
		{Lock: objectstore.Lock{Mode: "GOVERNANCE", RetainUntil: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for _, m := range tests {
		w := toWire(m)
		for k, v := range w.metadata {
			for i := 0; i < len(v); i++ {
				if v[i] < 0x20 || v[i] >= 0x7f {
					t.Fatalf("%+v: header value %s=%q is not printable ASCII", m, k, v)
				}
			}
		}
		r := read{contentType: w.contentType, metadata: maps.Clone(w.metadata)}
		if w.expires != nil {
			s := w.expires.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
			r.expiresString = &s
		}
		if got := fromWire(r); !reflect.DeepEqual(got, m) {
			t.Errorf("round trip of %+v = %+v", m, got)
		}
	}
}

func TestTagsHeader(t *testing.T) {
	got := encodeTags([]objectstore.Tag{{Key: "a b", Value: "c&d=e"}, {Key: "z", Value: ""}})
	if got != "a+b=c%26d%3De&z=" {
		t.Fatalf("encodeTags = %q", got)
	}
}
