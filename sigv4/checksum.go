package sigv4

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"io"
	"net/http"
	"strings"
)

// Checksum algorithms of S3's additional checksums (x-amz-checksum-<alg>),
// in the upper-case form S3's API uses for them.
const (
	ChecksumCRC32     = "CRC32"
	ChecksumCRC32C    = "CRC32C"
	ChecksumCRC64NVME = "CRC64NVME"
	ChecksumSHA1      = "SHA1"
	ChecksumSHA256    = "SHA256"
)

// msgUnsupportedChecksum is S3's InvalidRequest for an unknown algorithm.
const msgUnsupportedChecksum = "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"

// crc64NVMEPoly is the CRC-64/NVME polynomial 0xAD93D23594C93659 in the
// reflected (LSB-first) form hash/crc64 takes; with crc64's initial value
// and final XOR of all ones this is CRC-64/NVME (check value of "123456789":
// 0xAE8B14860A799888), the algorithm aws-sdk-go-v2 and S3 call CRC64NVME.
const crc64NVMEPoly = 0x9A6C9329AC4BC9B5

// checksumAlg is one algorithm of S3's additional checksums.
type checksumAlg struct {
	name   string // upper-case API name, e.g. "CRC32C"
	header string // header and trailer name, e.g. "x-amz-checksum-crc32c"
}

var checksumAlgs = [...]checksumAlg{
	{ChecksumCRC32, "x-amz-checksum-crc32"},
	{ChecksumCRC32C, "x-amz-checksum-crc32c"},
	{ChecksumCRC64NVME, "x-amz-checksum-crc64nvme"},
	{ChecksumSHA1, "x-amz-checksum-sha1"},
	{ChecksumSHA256, "x-amz-checksum-sha256"},
}

// findChecksum returns the algorithm named alg (any case: "crc32c") or
// whose header is alg ("x-amz-checksum-crc32c").
func findChecksum(alg string) (checksumAlg, bool) {
	for _, c := range checksumAlgs {
		if strings.EqualFold(alg, c.name) || strings.EqualFold(alg, c.header) {
			return c, true
		}
	}
	return checksumAlg{}, false
}

// validValue reports whether v is a base64 digest of this algorithm.
func (c checksumAlg) validValue(v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	return err == nil && len(b) == c.newHash().Size()
}

// checksumHeaders returns the algorithms of the x-amz-checksum-<alg>
// headers of h.
func checksumHeaders(h http.Header) []checksumAlg {
	var algs []checksumAlg
	for _, c := range checksumAlgs {
		if len(headerValues(h, c.header)) > 0 {
			algs = append(algs, c)
		}
	}
	return algs
}

func (c checksumAlg) newHash() hash.Hash {
	switch c.name {
	case ChecksumCRC32:
		return crc32.NewIEEE()
	case ChecksumCRC32C:
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case ChecksumCRC64NVME:
		return crc64.New(crc64.MakeTable(crc64NVMEPoly))
	case ChecksumSHA1:
		return sha1.New()
	}
	return sha256.New()
}

// errBadDigest is S3's BadDigest for a checksum of this algorithm.
func (c checksumAlg) errBadDigest() *Error {
	return s3Error(CodeBadDigest, http.StatusBadRequest, "The "+c.name+" you specified did not match the calculated checksum.")
}

// NewChecksum returns a hash computing S3's checksum alg ("CRC32",
// "CRC32C", "CRC64NVME", "SHA1" or "SHA256", in any case); its Sum is the
// big-endian digest, which S3 sends base64-encoded. ok is false for an
// unknown algorithm.
func NewChecksum(alg string) (h hash.Hash, ok bool) {
	c, ok := findChecksum(alg)
	if !ok {
		return nil, false
	}
	return c.newHash(), true
}

// ChecksumReader computes S3 checksums of what is read through it and,
// when given an expected value, verifies it at EOF.
type ChecksumReader struct {
	r    io.Reader
	algs []checksumAlg
	hs   []hash.Hash
	want []string // expected base64 values, "" when none
	done bool
}

// NewChecksumReader wraps r to compute the checksums of the algorithms named
// in want's keys (e.g. "CRC32", any case), and to check, at EOF, each one
// whose value in want is not empty: a request's x-amz-checksum-<alg> header
// sent with a plain body. Read returns S3's BadDigest (*Error) at EOF on a
// mismatch; a caller must discard what it read. An unknown algorithm, more
// than one expected value, or a value that is not the base64 of a digest of
// the algorithm's size is S3's InvalidRequest.
func NewChecksumReader(r io.Reader, want map[string]string) (*ChecksumReader, error) {
	c := &ChecksumReader{r: r}
	expected := 0
	for name, v := range want {
		alg, ok := findChecksum(name)
		if !ok {
			return nil, s3Error(CodeInvalidRequest, http.StatusBadRequest, msgUnsupportedChecksum)
		}
		if v != "" {
			if expected++; expected > 1 {
				return nil, s3Error(CodeInvalidRequest, http.StatusBadRequest, msgTrailerMultiple)
			}
			if !alg.validValue(v) {
				return nil, s3Error(CodeInvalidRequest, http.StatusBadRequest, "Value for "+alg.header+" header is invalid.")
			}
		}
		c.algs = append(c.algs, alg)
		c.hs = append(c.hs, alg.newHash())
		c.want = append(c.want, v)
	}
	return c, nil
}

// Read reads from the underlying reader, hashing what it reads.
func (c *ChecksumReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	for _, h := range c.hs {
		h.Write(p[:n])
	}
	if err == io.EOF && !c.done {
		c.done = true
		for i, alg := range c.algs {
			if c.want[i] != "" && c.want[i] != sumBase64(c.hs[i]) {
				return n, alg.errBadDigest()
			}
		}
	}
	return n, err
}

// Sum returns the base64 checksum of what has been read so far with the
// named algorithm (any case), or "" when it is not computed.
func (c *ChecksumReader) Sum(alg string) string {
	for i, a := range c.algs {
		if strings.EqualFold(a.name, alg) {
			return sumBase64(c.hs[i])
		}
	}
	return ""
}

// Sums returns the base64 checksums of what has been read so far, by the
// algorithms' upper-case names.
func (c *ChecksumReader) Sums() map[string]string {
	m := make(map[string]string, len(c.algs))
	for i, a := range c.algs {
		m[a.name] = sumBase64(c.hs[i])
	}
	return m
}

func sumBase64(h hash.Hash) string {
	var buf [sha256.Size]byte
	return base64.StdEncoding.EncodeToString(h.Sum(buf[:0]))
}

// ContentMD5Reader computes the MD5 of what is read through it (S3's ETag
// of a single-part object) and, when the request sent a Content-MD5
// header, verifies it at EOF.
type ContentMD5Reader struct {
	r    io.Reader
	h    hash.Hash
	want string // Content-MD5 as sent, "" when none
	done bool
}

// NewContentMD5Reader wraps r to compute its MD5 and check it against
// contentMD5, the request's Content-MD5 header ("" for none). A value that
// is not the base64 of 16 bytes is S3's InvalidDigest; a mismatch, found at
// EOF, is BadDigest with the ExpectedDigest and CalculatedDigest fields,
// returned by Read (the caller must discard what it read).
func NewContentMD5Reader(r io.Reader, contentMD5 string, present bool) (*ContentMD5Reader, error) {
	if present {
		if b, err := base64.StdEncoding.DecodeString(contentMD5); err != nil || len(b) != md5.Size {
			return nil, s3Error(CodeInvalidDigest, http.StatusBadRequest, "The Content-MD5 you specified was invalid.",
				Field{"Content-MD5", contentMD5})
		}
	}
	return &ContentMD5Reader{r: r, h: md5.New(), want: contentMD5}, nil
}

// Read reads from the underlying reader, hashing what it reads.
func (c *ContentMD5Reader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.h.Write(p[:n])
	if err == io.EOF && !c.done {
		c.done = true
		if got := sumBase64(c.h); c.want != "" && got != c.want {
			return n, s3Error(CodeBadDigest, http.StatusBadRequest, "The Content-MD5 you specified did not match what we received.",
				Field{"ExpectedDigest", c.want}, Field{"CalculatedDigest", got})
		}
	}
	return n, err
}

// Sum returns the MD5 of what has been read so far.
func (c *ContentMD5Reader) Sum() [md5.Size]byte {
	var out [md5.Size]byte
	c.h.Sum(out[:0])
	return out
}
