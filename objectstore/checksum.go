package objectstore

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"hash/crc32"
	"strconv"
)

// ComposeChecksum is a multipart object's COMPOSITE checksum: the algorithm
// applied to the concatenation of the parts' binary checksums, base64, then
// "-" and the number of parts ("checksum of checksums", as
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
// describes for multipart uploads). Every part must carry a checksum of
// algorithm (CRC32, CRC32C, SHA1 or SHA256; CRC64NVME has only full-object
// checksums); else the error names the part.
func ComposeChecksum(algorithm string, parts []PartInfo) (Checksum, error) {
	var h hash.Hash
	switch algorithm {
	case "CRC32":
		h = crc32.NewIEEE()
	case "CRC32C":
		h = crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case "SHA1":
		h = sha1.New()
	case "SHA256":
		h = sha256.New()
	default:
		return Checksum{}, fmt.Errorf("objectstore: no composite checksum for algorithm %q", algorithm)
	}
	for _, p := range parts {
		if p.Checksum.Algorithm != algorithm || p.Checksum.Value == "" {
			return Checksum{}, fmt.Errorf("objectstore: part %d has no %s checksum", p.PartNumber, algorithm)
		}
		sum, err := base64.StdEncoding.DecodeString(p.Checksum.Value)
		if err != nil {
			return Checksum{}, fmt.Errorf("objectstore: part %d checksum: %w", p.PartNumber, err)
		}
		h.Write(sum)
	}
	return Checksum{
		Algorithm: algorithm,
		Value:     base64.StdEncoding.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)),
		Type:      "COMPOSITE",
	}, nil
}
