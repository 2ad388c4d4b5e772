package s3

import (
	"github.com/gatehouse-iam/gatehouse/objectstore"

	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"io"
	"strings"

	"github.com/gatehouse-iam/gatehouse/awserr"
)

// The additional checksums S3 verifies and stores
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
var checksumAlgorithms = map[string]func() hash.Hash{
	"CRC32":  func() hash.Hash { return crc32.NewIEEE() },
	"CRC32C": func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) },
	"SHA1":   sha1.New,
	"SHA256": sha256.New,
}

// checksumReader verifies, at the end of the body, the checksum a request
// declared in a header (x-amz-checksum-<alg>) and the Content-MD5, and
// computes the checksum of the algorithm the request asked for.
type checksumReader struct {
	r        io.Reader
	alg      string
	sum      hash.Hash
	want     string // base64, "" when only computed
	md5      hash.Hash
	wantMD5  []byte
	verified bool
}

// newChecksumReader wraps body. alg is the checksum algorithm ("" for
// none), want its declared value ("" when not declared); contentMD5 the
// Content-MD5 header ("" when absent). A malformed Content-MD5 is
// InvalidDigest.
func newChecksumReader(body io.Reader, alg, want, contentMD5 string) (*checksumReader, error) {
	cr := &checksumReader{r: body, alg: strings.ToUpper(alg), want: want}
	if cr.alg != "" {
		newHash, ok := checksumAlgorithms[cr.alg]
		if !ok {
			return nil, errInvalidRequest("Value for x-amz-checksum-algorithm header is invalid.")
		}
		cr.sum = newHash()
	}
	if contentMD5 != "" {
		b, err := base64.StdEncoding.DecodeString(contentMD5)
		if err != nil || len(b) != md5.Size {
			return nil, s3err("InvalidDigest", 400, "The Content-MD5 you specified is not valid.")
		}
		cr.md5, cr.wantMD5 = md5.New(), b
	}
	return cr, nil
}

func (cr *checksumReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	if n > 0 {
		if cr.sum != nil {
			cr.sum.Write(p[:n])
		}
		if cr.md5 != nil {
			cr.md5.Write(p[:n])
		}
	}
	if err == io.EOF {
		if verr := cr.verify(); verr != nil {
			return n, verr
		}
	}
	return n, err
}

func (cr *checksumReader) verify() *awserr.Error {
	if cr.verified {
		return nil
	}
	cr.verified = true
	if cr.md5 != nil && string(cr.md5.Sum(nil)) != string(cr.wantMD5) {
		return s3err("BadDigest", 400, "The Content-MD5 you specified did not match what we received.")
	}
	if cr.sum != nil && cr.want != "" && cr.value() != cr.want {
		return s3err("BadDigest", 400, "The "+cr.alg+" you specified did not match the calculated checksum.")
	}
	return nil
}

// Checksum is the checksum the body had, once read to its end: the one
// computed while reading it (its algorithm declared or named), else the
// one its aws-chunked trailer carried (objectstore.ChecksummedBody).
func (cr *checksumReader) Checksum() objectstore.Checksum {
	if cr.alg != "" {
		return objectstore.Checksum{Algorithm: cr.alg, Value: cr.value(), Type: "FULL_OBJECT"}
	}
	if t, ok := cr.r.(trailed); ok {
		if alg, v := t.TrailerChecksum(); alg != "" {
			return objectstore.Checksum{Algorithm: alg, Value: v, Type: "FULL_OBJECT"}
		}
	}
	return objectstore.Checksum{}
}

// trailed is a body that carried its checksum in an aws-chunked trailer,
// verified by the time the body has been read to its end.
type trailed interface {
	TrailerChecksum() (algorithm, value string)
}

// PayloadSHA256 passes on the payload digest the body underneath is
// verified against (objectstore.DigestedBody).
func (cr *checksumReader) PayloadSHA256() string {
	return objectstore.PayloadSHA256(cr.r)
}

// DelegateDigest and DigestMismatch pass on the delegation of the body
// underneath's verification (objectstore.DigestDelegator); the checksum
// and Content-MD5 checks here stay.
func (cr *checksumReader) DelegateDigest() string { return objectstore.DelegateDigest(cr.r) }

// DigestMismatch: see DelegateDigest.
func (cr *checksumReader) DigestMismatch(computed string) error {
	return objectstore.DigestMismatch(cr.r, computed)
}

// Size is the body's declared length, -1 when unknown.
func (cr *checksumReader) Size() int64 {
	if s, ok := cr.r.(interface{ Size() int64 }); ok {
		return s.Size()
	}
	return -1
}

// value is the computed checksum, base64.
func (cr *checksumReader) value() string {
	if cr.sum == nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(cr.sum.Sum(nil))
}
