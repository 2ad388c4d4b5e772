package sigv4

import (
	"encoding/base64"
	"encoding/binary"
	"io"
	"slices"
	"strings"
	"testing"
)

// TestChecksums checks each algorithm against published vectors: "hello
// world" from aws-sdk-go-v2's service/internal/checksum/algorithms_test.go
// (CRC32 DUoRhQ==, CRC32C yZRlqg==, CRC64NVME jSnVw/bqjr4=, SHA1
// Kq5sNclPz7QV2+lfQIuc6R7oRu0=, SHA256 uU0n...), and CRC-64/NVME's check
// value 0xAE8B14860A799888 for "123456789".
func TestChecksums(t *testing.T) {
	cases := []struct{ alg, in, want string }{
		{"crc32", "hello world", "DUoRhQ=="},
		{"CRC32C", "hello world", "yZRlqg=="},
		{"crc64nvme", "hello world", "jSnVw/bqjr4="},
		{"sha1", "hello world", "Kq5sNclPz7QV2+lfQIuc6R7oRu0="},
		{"sha256", "hello world", "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="},
		{"crc32c", strings.Repeat("a", 66560), "sOO8/Q=="}, // the trailer example of sigv4-streaming-trailers.html
	}
	for _, c := range cases {
		h, ok := NewChecksum(c.alg)
		if !ok {
			t.Fatalf("NewChecksum(%q) unknown", c.alg)
		}
		io.WriteString(h, c.in)
		if got := sumBase64(h); got != c.want {
			t.Errorf("%s(%q) = %s, want %s", c.alg, c.in, got, c.want)
		}
	}
	h, _ := NewChecksum("CRC64NVME")
	io.WriteString(h, "123456789")
	if got := binary.BigEndian.Uint64(h.Sum(nil)); got != 0xAE8B14860A799888 {
		t.Errorf("CRC-64/NVME check value %#x", got)
	}
	if _, ok := NewChecksum("md4"); ok {
		t.Error("md4 known")
	}
}

func TestChecksumReader(t *testing.T) {
	// Messages: S3's answers recorded in a conformance suite of S3's
	// behaviour (S3's "Checking object integrity" page lists the algorithms).
	cases := []struct {
		name string
		want map[string]string
		code string
		msg  string
	}{
		{name: "match", want: map[string]string{"CRC32": "DUoRhQ==", "sha256": ""}},
		{name: "compute only", want: map[string]string{"CRC64NVME": ""}},
		{name: "mismatch", want: map[string]string{"CRC32C": "AAAAAA=="}, code: CodeBadDigest},
		{name: "unknown", want: map[string]string{"MD4": "x"}, code: CodeInvalidRequest, msg: msgUnsupportedChecksum},
		{name: "two expected", want: map[string]string{"CRC32": "DUoRhQ==", "sha256": "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="},
			code: CodeInvalidRequest, msg: msgTrailerMultiple},
		// A value that is not the base64 of a 4-byte digest.
		{name: "not base64", want: map[string]string{"crc32": "cbf43926"}, code: CodeInvalidRequest, msg: "Value for x-amz-checksum-crc32 header is invalid."},
		{name: "unpadded", want: map[string]string{"crc32": "DUoRhQ"}, code: CodeInvalidRequest, msg: "Value for x-amz-checksum-crc32 header is invalid."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cr, err := NewChecksumReader(strings.NewReader("hello world"), c.want)
			var got []byte
			if err == nil {
				got, err = io.ReadAll(cr)
			}
			code, msg := errCode(t, err)
			if code != c.code {
				t.Fatalf("error %s %q, want %s", code, msg, c.code)
			}
			if code == CodeBadDigest && msg != "The CRC32C you specified did not match the calculated checksum." {
				t.Errorf("message %q", msg)
			}
			if c.msg != "" && msg != c.msg {
				t.Errorf("message %q, want %q", msg, c.msg)
			}
			if err == nil {
				if string(got) != "hello world" {
					t.Errorf("read %q", got)
				}
				for alg, v := range c.want {
					if v != "" && cr.Sum(alg) != v {
						t.Errorf("Sum(%s) = %s", alg, cr.Sum(alg))
					}
				}
				if c.name == "compute only" && cr.Sums()["CRC64NVME"] != "jSnVw/bqjr4=" {
					t.Errorf("Sums %v", cr.Sums())
				}
				if c.name == "match" && cr.Sum("SHA256") != "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=" {
					t.Errorf("Sum(SHA256) = %s", cr.Sum("SHA256"))
				}
			}
		})
	}
}

// TestContentMD5Reader: S3's answers to Content-MD5, as recorded by an S3
// conformance suite ("the payload"): InvalidDigest for a value that is not
// the base64 of 16 bytes, BadDigest with both digests for a mismatch.
func TestContentMD5Reader(t *testing.T) {
	const data, md5 = "123456789", "JfnnlDI7RTiF9RgfG2JNCw=="
	cases := []struct {
		name, value string
		present     bool
		code        string
		fields      []Field
	}{
		{name: "match", value: md5, present: true},
		{name: "absent"},
		{name: "other content", value: "1B2M2Y8AsgTpgAmY7PhCfg==", present: true, code: CodeBadDigest,
			fields: []Field{{"ExpectedDigest", "1B2M2Y8AsgTpgAmY7PhCfg=="}, {"CalculatedDigest", md5}}},
		{name: "not base64", value: "not base64!", present: true, code: CodeInvalidDigest, fields: []Field{{"Content-MD5", "not base64!"}}},
		{name: "11 bytes", value: "YWJyYWNhZGFicmE=", present: true, code: CodeInvalidDigest},
		{name: "hex", value: "25f9e794323b453885f5181f1b624d0b", present: true, code: CodeInvalidDigest},
		{name: "empty", value: "", present: true, code: CodeInvalidDigest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := NewContentMD5Reader(strings.NewReader(data), c.value, c.present)
			if err == nil {
				_, err = io.ReadAll(r)
			}
			if code, msg := errCode(t, err); code != c.code {
				t.Fatalf("got %s %q, want %s", code, msg, c.code)
			}
			if c.fields != nil && !slices.Equal(err.(*Error).Fields, c.fields) {
				t.Errorf("fields %+v", err.(*Error).Fields)
			}
			if err == nil {
				if sum := r.Sum(); base64.StdEncoding.EncodeToString(sum[:]) != md5 {
					t.Errorf("Sum %x", sum)
				}
			}
		})
	}
}
