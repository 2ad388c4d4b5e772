package objectstore

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/crc64"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// TestParseRange: the Range forms S3 honours, and those it ignores (serving
// the whole object with 200): several ranges ("Amazon S3 doesn't support
// retrieving multiple ranges of data per GET request", API_GetObject.html),
// other units and malformed specs (RFC 9110 §14.2: "a server MAY ignore the
// Range header field").
func TestParseRange(t *testing.T) {
	tests := []struct {
		in   string
		want Range
		ok   bool
	}{
		{"bytes=0-9", Range{First: 0, Last: 9}, true},
		{"bytes=10-", Range{First: 10, Last: -1}, true},
		{"bytes=-5", Range{Suffix: 5, SuffixOnly: true}, true},
		{"bytes=-0", Range{Suffix: 0, SuffixOnly: true}, true},
		{"bytes=5-5", Range{First: 5, Last: 5}, true},
		{" bytes=1-2 ", Range{First: 1, Last: 2}, true},
		{"bytes= 1 - 2", Range{First: 1, Last: 2}, true},
		{"bytes=9-0", Range{}, false},
		{"bytes=0-1,3-4", Range{}, false},
		{"items=0-1", Range{}, false},
		{"bytes=", Range{}, false},
		{"bytes=-", Range{}, false},
		{"bytes=a-b", Range{}, false},
		{"bytes=+1-2", Range{}, false},
		{"bytes=1", Range{}, false},
		{"bytes=99999999999999999999-", Range{}, false},
		{"", Range{}, false},
	}
	for _, tc := range tests {
		got, ok := ParseRange(tc.in)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseRange(%q) = %+v, %v; want %+v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestResolve: Content-Range arithmetic; unsatisfiable ranges are
// InvalidRange with the size (ErrorResponses.html: InvalidRange, 416, "The
// requested range cannot be satisfied").
func TestResolve(t *testing.T) {
	tests := []struct {
		r             Range
		size          int64
		start, length int64
		invalid       bool
	}{
		{Range{First: 0, Last: 9}, 36, 0, 10, false},
		{Range{First: 10, Last: -1}, 36, 10, 26, false},
		{Range{Suffix: 5, SuffixOnly: true}, 36, 31, 5, false},
		{Range{Suffix: 50, SuffixOnly: true}, 36, 0, 36, false},
		{Range{First: 30, Last: 100}, 36, 30, 6, false},
		{Range{First: 35, Last: 35}, 36, 35, 1, false},
		{Range{First: 36, Last: -1}, 36, 0, 0, true},
		{Range{First: 0, Last: 0}, 0, 0, 0, true},
		{Range{First: 0, Last: -1}, 0, 0, 0, true},
		{Range{Suffix: 0, SuffixOnly: true}, 36, 0, 0, true},
		// A suffix of an empty object reads nothing rather than failing
		// (RFC 9110 §14.1.2; floci-io/floci#1141 reports AWS so).
		{Range{Suffix: 1, SuffixOnly: true}, 0, 0, 0, false},
	}
	for _, tc := range tests {
		start, length, err := tc.r.Resolve(tc.size)
		if tc.invalid {
			var re *RangeError
			if !errors.Is(err, ErrInvalidRange) || !errors.As(err, &re) || re.Size != tc.size {
				t.Errorf("%v.Resolve(%d) = %v, want a RangeError of size %d", tc.r, tc.size, err, tc.size)
			}
			continue
		}
		if err != nil || start != tc.start || length != tc.length {
			t.Errorf("%v.Resolve(%d) = %d, %d, %v; want %d, %d", tc.r, tc.size, start, length, err, tc.start, tc.length)
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-9", "bytes=-5", "bytes=10-", "bytes=9-0", "bytes=0-1,2-3", "bytes=--1"} {
		f.Add(s, int64(36))
	}
	f.Fuzz(func(t *testing.T, h string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 {
			return
		}
		r, ok := ParseRange(h)
		if !ok {
			return
		}
		// A parsed range formats back to itself.
		if again, ok := ParseRange(r.String()); !ok || again != r {
			t.Fatalf("ParseRange(%q) = %+v; its String %q parses to %+v, %v", h, r, r.String(), again, ok)
		}
		start, length, err := r.Resolve(size)
		if err != nil {
			if !errors.Is(err, ErrInvalidRange) {
				t.Fatalf("Resolve: %v", err)
			}
			return
		}
		if start < 0 || length < 0 || start+length > size || (length == 0 && size != 0) {
			t.Fatalf("%+v.Resolve(%d) = %d, %d: outside the object", r, size, start, length)
		}
	})
}

func TestMetaClone(t *testing.T) {
	m := Meta{UserMetadata: map[string]string{"a": "1"}, Tags: []Tag{{"k", "v"}}, ACL: []byte("x")}
	c := m.Clone()
	if !reflect.DeepEqual(c, m) {
		t.Fatalf("Clone = %+v", c)
	}
	c.UserMetadata["a"] = "2"
	c.Tags[0].Value = "w"
	c.ACL[0] = 'y'
	if m.UserMetadata["a"] != "1" || m.Tags[0].Value != "v" || string(m.ACL) != "x" {
		t.Fatalf("Clone shares storage: %+v", m)
	}
	if z := (Meta{}).Clone(); !reflect.DeepEqual(z, Meta{}) {
		t.Fatalf("zero Clone = %+v", z)
	}
}

func TestLimit(t *testing.T) {
	for _, tc := range []struct{ in, want int }{{0, 1000}, {-1, 1000}, {1, 1}, {1000, 1000}, {1001, 1000}, {37, 37}} {
		if got := Limit(tc.in); got != tc.want {
			t.Errorf("Limit(%d) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestPartError(t *testing.T) {
	err := fmt.Errorf("complete: %w", &PartError{Err: ErrEntityTooSmall, PartNumber: 2, ETag: `"x"`})
	var pe *PartError
	if !errors.Is(err, ErrEntityTooSmall) || errors.Is(err, ErrInvalidPart) || !errors.As(err, &pe) || pe.PartNumber != 2 {
		t.Fatalf("PartError: %v", err)
	}
}

func TestPartRange(t *testing.T) {
	multi := Info{Size: 12, PartsCount: 3, Parts: []ObjectPart{{PartNumber: 1, Size: 5}, {PartNumber: 3, Size: 5}, {PartNumber: 7, Size: 2}}}
	single := Info{Size: 9}
	tests := []struct {
		in            Info
		n             int
		start, length int64
		err           error
	}{
		{multi, 1, 0, 5, nil},
		{multi, 3, 5, 5, nil},
		{multi, 7, 10, 2, nil},
		{multi, 2, 0, 0, ErrPartNotSatisfiable},
		{multi, 8, 0, 0, ErrPartNotSatisfiable},
		{single, 1, 0, 9, nil},
		{single, 2, 0, 0, ErrPartNotSatisfiable},
	}
	for _, tc := range tests {
		start, length, err := tc.in.PartRange(tc.n)
		if start != tc.start || length != tc.length || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
			t.Errorf("PartRange(%d) of %+v = %d, %d, %v", tc.n, tc.in.Parts, start, length, err)
		}
	}
}

// TestComposeChecksum: a composite checksum is the checksum of the parts'
// binary checksums, "-N" (checking-object-integrity.html, "Using part-level
// checksums for multipart uploads").
func TestComposeChecksum(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	part := func(n int, crc uint32) PartInfo {
		return PartInfo{PartNumber: n, Checksum: Checksum{Algorithm: "CRC32", Value: b64(binary.BigEndian.AppendUint32(nil, crc))}}
	}
	// crc32("hello") = 0x3610a686, crc32("world") = 0x3a771143.
	parts := []PartInfo{part(1, 0x3610a686), part(2, 0x3a771143)}
	got, err := ComposeChecksum("CRC32", parts)
	want := b64(binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte{0x36, 0x10, 0xa6, 0x86, 0x3a, 0x77, 0x11, 0x43}))) + "-2"
	if err != nil || got.Value != want || got.Algorithm != "CRC32" || got.Type != "COMPOSITE" {
		t.Fatalf("ComposeChecksum = %+v, %v; want %s", got, err, want)
	}
	if crc32.ChecksumIEEE([]byte("hello")) != 0x3610a686 {
		t.Fatal("crc32 test vector")
	}
	for _, tc := range []struct {
		alg   string
		parts []PartInfo
	}{
		{"CRC64NVME", parts},
		{"MD5", parts},
		{"CRC32C", parts},
		{"CRC32", []PartInfo{part(1, 1), {PartNumber: 2}}},
		{"CRC32", []PartInfo{{PartNumber: 1, Checksum: Checksum{Algorithm: "CRC32", Value: "!!"}}}},
	} {
		if _, err := ComposeChecksum(tc.alg, tc.parts); err == nil {
			t.Errorf("ComposeChecksum(%s, %+v) succeeded", tc.alg, tc.parts)
		}
	}
	for _, alg := range []string{"CRC32C", "SHA1", "SHA256"} {
		p := []PartInfo{{PartNumber: 1, Checksum: Checksum{Algorithm: alg, Value: b64([]byte("abcd"))}}}
		if got, err := ComposeChecksum(alg, p); err != nil || !strings.HasSuffix(got.Value, "-1") {
			t.Errorf("ComposeChecksum(%s) = %+v, %v", alg, got, err)
		}
	}
}

// crcOf computes algorithm's CRC of data with the standard library, as
// the big-endian bytes S3 base64-encodes. CRC-64/NVME is the reflected
// polynomial 0x9a6c9329ac4bc9b5 with pre- and post-inversion, as hash/crc64
// computes it (its check value, of "123456789", is 0xae8b14860a799888).
func crcOf(algorithm string, data []byte) []byte {
	switch algorithm {
	case "CRC32":
		return binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE(data))
	case "CRC32C":
		return binary.BigEndian.AppendUint32(nil, crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
	}
	return binary.BigEndian.AppendUint64(nil, crc64.Checksum(data, crc64.MakeTable(0x9a6c9329ac4bc9b5)))
}

// TestCombineChecksum: the combined CRC of the parts equals the CRC of the
// whole object (a FULL_OBJECT checksum, checking-object-integrity.html).
func TestCombineChecksum(t *testing.T) {
	if got := crcOf("CRC64NVME", []byte("123456789")); binary.BigEndian.Uint64(got) != 0xae8b14860a799888 {
		t.Fatalf("CRC-64/NVME check value = %x", got)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, alg := range []string{"CRC32", "CRC32C", "CRC64NVME"} {
		for range 20 {
			var whole []byte
			var parts []PartInfo
			for n := range 1 + rng.IntN(5) {
				data := make([]byte, rng.IntN(3000))
				for i := range data {
					data[i] = byte(rng.Uint32())
				}
				whole = append(whole, data...)
				parts = append(parts, PartInfo{PartNumber: n + 1, Size: int64(len(data)), Checksum: Checksum{Algorithm: alg, Value: base64.StdEncoding.EncodeToString(crcOf(alg, data))}})
			}
			got, err := CombineChecksum(alg, parts)
			want := base64.StdEncoding.EncodeToString(crcOf(alg, whole))
			if err != nil || got.Value != want || got.Type != "FULL_OBJECT" || got.Algorithm != alg {
				t.Fatalf("%s over %d parts = %+v, %v; want %s", alg, len(parts), got, err, want)
			}
		}
	}
	if _, err := CombineChecksum("SHA256", nil); err == nil {
		t.Error("CombineChecksum(SHA256) succeeded")
	}
	bad := []PartInfo{{PartNumber: 1, Checksum: Checksum{Algorithm: "CRC32", Value: base64.StdEncoding.EncodeToString([]byte{1, 2, 3})}}}
	if _, err := CombineChecksum("CRC32", bad); err == nil {
		t.Error("CombineChecksum of a 3-byte CRC32 succeeded")
	}
}
