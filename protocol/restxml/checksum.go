package restxml

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"net/http"
	"strings"

	"github.com/gatehouse-iam/gatehouse/awserr"
)

// checksumHeaders are the flexible checksums S3 verifies on a request body,
// by header, with the algorithm name its BadDigest message gives
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
// CRC64NVME is accepted unverified.
var checksumHeaders = []struct {
	header, name string
	newHash      func() hash.Hash
}{
	{"x-amz-checksum-crc32", "CRC32", func() hash.Hash { return crc32.NewIEEE() }},
	{"x-amz-checksum-crc32c", "CRC32C", func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) }},
	{"x-amz-checksum-sha1", "SHA1", sha1.New},
	{"x-amz-checksum-sha256", "SHA256", sha256.New},
}

// hasChecksum reports whether h carries a checksum of the body: Content-MD5,
// an x-amz-checksum-* header, or one announced as a trailer.
func hasChecksum(h http.Header) bool {
	if h.Get("Content-MD5") != "" || strings.HasPrefix(strings.ToLower(h.Get("x-amz-trailer")), "x-amz-checksum-") {
		return true
	}
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") && k != http.CanonicalHeaderKey("x-amz-checksum-type") {
			return true
		}
	}
	return false
}

// missingChecksum is S3's answer to an operation that requires a checksum
// sent without one, as recorded against S3 in versity/versitygw issue 1040
// ("Missing required header for this request: Content-MD5 OR
// x-amz-checksum-*").
func missingChecksum() *awserr.Error {
	return InvalidRequest("Missing required header for this request: Content-MD5 OR x-amz-checksum-*")
}

// verifyDigests checks a fully read body against its Content-MD5 and
// x-amz-checksum-* headers: a header that is not a base64 digest of the
// right size is InvalidDigest (Content-MD5) or InvalidRequest, a mismatch
// BadDigest, with S3's messages
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
func verifyDigests(h http.Header, body []byte) *awserr.Error {
	if v := h.Get("Content-MD5"); v != "" {
		want, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(want) != md5.Size {
			return &awserr.Error{Code: "InvalidDigest", Status: http.StatusBadRequest, Sender: true,
				Message: "The Content-MD5 you specified was not valid."}
		}
		got := md5.Sum(body)
		if string(got[:]) != string(want) {
			return &awserr.Error{Code: "BadDigest", Status: http.StatusBadRequest, Sender: true,
				Message: "The Content-MD5 you specified did not match what we received."}
		}
	}
	for _, c := range checksumHeaders {
		v := h.Get(c.header)
		if v == "" {
			continue
		}
		hs := c.newHash()
		want, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(want) != hs.Size() {
			return InvalidRequest("Value for " + c.header + " header is invalid.")
		}
		hs.Write(body)
		if string(hs.Sum(nil)) != string(want) {
			return &awserr.Error{Code: "BadDigest", Status: http.StatusBadRequest, Sender: true,
				Message: "The " + c.name + " you specified did not match the calculated checksum."}
		}
	}
	return nil
}
