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

// crcParams are the reflected polynomials of the CRCs S3 can combine into a
// full-object checksum, and their widths in bits.
var crcParams = map[string]struct {
	poly  uint64
	width int
}{
	"CRC32":     {0xedb88320, 32},
	"CRC32C":    {0x82f63b78, 32},
	"CRC64NVME": {0x9a6c9329ac4bc9b5, 64},
}

// CombineChecksum is a multipart object's FULL_OBJECT checksum: the CRC of
// the whole object, computed from the parts' CRCs and sizes without reading
// the bytes (zlib's crc32_combine, generalised to 64 bits). Every part must
// carry a checksum of algorithm (CRC32, CRC32C or CRC64NVME); the value has
// no "-N" suffix.
func CombineChecksum(algorithm string, parts []PartInfo) (Checksum, error) {
	p, ok := crcParams[algorithm]
	if !ok {
		return Checksum{}, fmt.Errorf("objectstore: no full-object checksum for algorithm %q", algorithm)
	}
	var crc uint64
	for i, part := range parts {
		if part.Checksum.Algorithm != algorithm || part.Checksum.Value == "" {
			return Checksum{}, fmt.Errorf("objectstore: part %d has no %s checksum", part.PartNumber, algorithm)
		}
		raw, err := base64.StdEncoding.DecodeString(part.Checksum.Value)
		if err != nil || len(raw) != p.width/8 {
			return Checksum{}, fmt.Errorf("objectstore: part %d checksum %q is not a %s", part.PartNumber, part.Checksum.Value, algorithm)
		}
		var c uint64
		for _, b := range raw {
			c = c<<8 | uint64(b)
		}
		if i == 0 {
			crc = c
			continue
		}
		crc = crcCombine(crc, c, part.Size, p.poly, p.width)
	}
	out := make([]byte, p.width/8)
	for i := range out {
		out[len(out)-1-i] = byte(crc >> (8 * i))
	}
	return Checksum{Algorithm: algorithm, Value: base64.StdEncoding.EncodeToString(out), Type: "FULL_OBJECT"}, nil
}

// crcCombine returns the CRC of A‖B from crc1 = CRC(A), crc2 = CRC(B) and
// len2 = len(B), for a reflected CRC with pre- and post-inversion: crc1 is
// advanced over len2 zero bytes by repeated squaring of the CRC's GF(2)
// shift operator, then crc2 is added.
func crcCombine(crc1, crc2 uint64, len2 int64, poly uint64, width int) uint64 {
	if len2 <= 0 {
		return crc1
	}
	even := make([]uint64, width) // operator for 2^k zero bits, k even
	odd := make([]uint64, width)  // and k odd
	odd[0] = poly                 // one zero bit
	row := uint64(1)
	for n := 1; n < width; n++ {
		odd[n] = row
		row <<= 1
	}
	gf2Square(even, odd) // two zero bits
	gf2Square(odd, even) // four zero bits
	for {
		gf2Square(even, odd) // the first pass gives one zero byte
		if len2&1 != 0 {
			crc1 = gf2Times(even, crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
		gf2Square(odd, even)
		if len2&1 != 0 {
			crc1 = gf2Times(odd, crc1)
		}
		len2 >>= 1
		if len2 == 0 {
			break
		}
	}
	return crc1 ^ crc2
}

func gf2Times(mat []uint64, vec uint64) uint64 {
	var sum uint64
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(square, mat []uint64) {
	for n := range mat {
		square[n] = gf2Times(mat, mat[n])
	}
}
