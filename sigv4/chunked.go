package sigv4

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Bounds of the aws-chunked decoder.
const (
	// maxChunkLine bounds a chunk-size line: 16 hex digits and a
	// ";chunk-signature=" with its 64 hex digits fit with room for the
	// extensions an unsigned body may carry.
	maxChunkLine = 4096
	// maxChunkSize bounds one chunk; a signed chunk is buffered whole
	// before it is verified and released. The SDKs send 64 KiB chunks.
	maxChunkSize = 16 << 20
	// minChunkSize is S3's smallest chunk but the last, signed or not.
	minChunkSize = 8192
	// maxTrailer bounds the trailer section, and maxTrailers its lines.
	maxTrailer  = 4096
	maxTrailers = 16
)

// Strings to sign of chunks and trailers
// (docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
// sigv4-streaming-trailers.html).
const (
	algorithmPayload = "AWS4-HMAC-SHA256-PAYLOAD"
	algorithmTrailer = "AWS4-HMAC-SHA256-TRAILER"
	emptySHA256      = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	trailerSignature = "x-amz-trailer-signature"
)

// S3's messages for aws-chunked bodies.
const (
	msgIncompleteBody   = "The request body terminated unexpectedly"
	msgChunkSize        = "Only the last chunk is allowed to have a size less than 8192 bytes"
	msgMalformedTrailer = "The request contained trailing data that was not well-formed or did not conform to our published schema."
	msgTrailerValue     = "The value specified in the x-amz-trailer header is not supported"
	msgTrailerMultiple  = "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
)

func errIncompleteBody() *Error {
	return s3Error(CodeIncompleteBody, http.StatusBadRequest, msgIncompleteBody)
}

// errRead reports a failed read of the body as IncompleteBody, keeping a
// cause other than the body's end (such as *http.MaxBytesError) in Err so
// that a server can tell it apart.
func errRead(err error) *Error {
	e := errIncompleteBody()
	if err != io.EOF && err != io.ErrUnexpectedEOF {
		e.Err = err
	}
	return e
}

func errMalformedTrailer() *Error {
	return s3Error(CodeMalformedTrailerError, http.StatusBadRequest, msgMalformedTrailer)
}

// chunkSigner verifies the chain of chunk signatures of a signed
// aws-chunked body, starting from the request's (seed) signature.
type chunkSigner struct {
	key     [sha256.Size]byte
	amzDate string
	scope   string
	prev    string // the previous signature, hex
	akid    string
}

// verify checks the signature of a chunk whose data hashes to dataSum, and
// chains it.
func (s *chunkSigner) verify(algorithm string, dataSum []byte, got string) *Error {
	var sts [512]byte
	b := append(sts[:0], algorithm...)
	b = append(b, '\n')
	b = append(b, s.amzDate...)
	b = append(b, '\n')
	b = append(b, s.scope...)
	b = append(b, '\n')
	b = append(b, s.prev...)
	b = append(b, '\n')
	if algorithm == algorithmPayload {
		b = append(b, emptySHA256...)
		b = append(b, '\n')
	}
	b = hex.AppendEncode(b, dataSum)
	want := hmacSHA256(s.key[:], b)
	var sig [sha256.Size]byte
	if !decodeSignature(got, &sig) || !hmac.Equal(sig[:], want[:]) {
		return s3Error(CodeSignatureDoesNotMatch, http.StatusForbidden, msgS3SignatureMismatch,
			Field{"AWSAccessKeyId", s.akid},
			Field{"StringToSign", string(b)},
			Field{"SignatureProvided", got},
			Field{"StringToSignBytes", spacedHex(b)})
	}
	s.prev = got
	return nil
}

// trailerNames parses x-amz-trailer: the checksum trailers the body will
// end with. S3 accepts one checksum, in a header or a trailer.
func trailerNames(h http.Header) ([]checksumAlg, error) {
	var algs []checksumAlg
	for _, v := range h.Values("X-Amz-Trailer") {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			alg, ok := findChecksum(name)
			if !ok || !strings.EqualFold(name, alg.header) {
				return nil, s3Error(CodeInvalidRequest, http.StatusBadRequest, msgTrailerValue)
			}
			algs = append(algs, alg)
		}
	}
	if len(algs) > 1 || len(algs) == 1 && len(checksumHeaders(h)) > 0 {
		return nil, s3Error(CodeInvalidRequest, http.StatusBadRequest, msgTrailerMultiple)
	}
	return algs, nil
}

func newLineReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, 32<<10) }

// chunkedReader decodes an aws-chunked body:
//
//	hex-size[;chunk-signature=sig]\r\n data \r\n ... 0[;chunk-signature=sig]\r\n
//	[name:value\r\n ...] \r\n
//
// A signed chunk is read whole and verified before any of its bytes is
// returned; an unsigned one passes through. The checksum trailer is
// compared with the checksum of the decoded payload at the end.
type chunkedReader struct {
	br            *bufio.Reader
	sig           *chunkSigner // nil for unsigned chunks
	signedTrailer bool
	trailers      []checksumAlg // expected checksum trailers
	sums          []hash.Hash   // their running checksums
	decoded       int64         // declared decoded length
	n             int64         // bytes decoded so far

	store    []byte // buffer of the current signed chunk
	buf      []byte // verified bytes of it not yet returned
	left     int64  // unsigned: bytes of the current chunk not yet read
	chunks   int    // chunks seen
	prevSize int64
	done     bool
	trailer  http.Header
}

func (c *chunkedReader) wipe() {
	if c.sig != nil {
		clear(c.sig.key[:])
	}
}

func (c *chunkedReader) Read(p []byte) (int, error) {
	for {
		if len(c.buf) > 0 {
			n := copy(p, c.buf)
			c.buf = c.buf[n:]
			return n, nil
		}
		if c.left > 0 {
			if len(p) == 0 {
				return 0, nil
			}
			q := p
			if int64(len(q)) > c.left {
				q = q[:c.left]
			}
			n, err := c.br.Read(q)
			c.left -= int64(n)
			c.hash(q[:n])
			if c.left == 0 {
				if err := c.crlf(); err != nil {
					return n, err
				}
			} else if err != nil {
				return n, errRead(err)
			}
			return n, nil
		}
		if c.done {
			return 0, io.EOF
		}
		if err := c.next(); err != nil {
			return 0, err
		}
	}
}

func (c *chunkedReader) hash(b []byte) {
	c.n += int64(len(b))
	for _, h := range c.sums {
		h.Write(b)
	}
}

// readLine reads one CRLF-terminated line of at most limit bytes, without
// its CRLF. io.EOF means the body ended before the line began.
func (c *chunkedReader) readLine(limit int) ([]byte, error) {
	line, err := c.br.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull) || len(line) > limit+2:
		return nil, errIncompleteBody()
	case err == io.EOF && len(line) == 0:
		return nil, io.EOF
	case err != nil:
		return nil, errRead(err)
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, errIncompleteBody()
	}
	return line[:len(line)-2], nil
}

func (c *chunkedReader) crlf() error {
	var b [2]byte
	if _, err := io.ReadFull(c.br, b[:]); err != nil {
		return errRead(err)
	}
	if b != [2]byte{'\r', '\n'} {
		return errIncompleteBody()
	}
	return nil
}

// next reads the next chunk-size line and, for a signed chunk, the chunk,
// verified; for the last chunk, the trailer.
func (c *chunkedReader) next() error {
	line, err := c.readLine(maxChunkLine)
	if err == io.EOF {
		return errIncompleteBody()
	}
	if err != nil {
		return err
	}
	size, sig, ok := parseChunkLine(line, c.sig != nil)
	if !ok {
		return errIncompleteBody()
	}
	if size > c.decoded-c.n || size > maxChunkSize {
		return errIncompleteBody()
	}
	if c.chunks > 0 && size > 0 && c.prevSize < minChunkSize {
		return s3Error(CodeInvalidChunkSizeError, http.StatusForbidden, msgChunkSize,
			Field{"Chunk", strconv.Itoa(c.chunks)}, Field{"BadChunkSize", strconv.FormatInt(c.prevSize, 10)})
	}
	c.chunks++
	c.prevSize = size
	if size == 0 {
		return c.finish(sig)
	}
	if c.sig == nil {
		c.left = size
		return nil
	}
	if int64(cap(c.store)) < size {
		// The buffer grows with the bytes that arrive, not with the size
		// the line declares: a client that declares 16 MiB and sends
		// nothing holds no more of the server's memory than it sent.
		buf := bytes.NewBuffer(c.store[:0])
		if _, err := io.CopyN(buf, c.br, size); err != nil {
			return errRead(err)
		}
		c.store = buf.Bytes()
	} else if _, err := io.ReadFull(c.br, c.store[:size]); err != nil {
		return errRead(err)
	}
	data := c.store[:size]
	if err := c.crlf(); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	if err := c.sig.verify(algorithmPayload, sum[:], sig); err != nil {
		return err
	}
	c.hash(data)
	c.buf = data
	return nil
}

// parseChunkLine parses "hex-size" followed by ";name=value" extensions; a
// signed chunk must have exactly one, chunk-signature.
func parseChunkLine(line []byte, signed bool) (size int64, sig string, ok bool) {
	s := string(line)
	digits, ext, _ := strings.Cut(s, ";")
	if digits == "" || len(digits) > 15 {
		return 0, "", false
	}
	for i := 0; i < len(digits); i++ {
		v, ok := unhex(digits[i])
		if !ok {
			return 0, "", false
		}
		size = size<<4 | int64(v)
	}
	if !signed {
		return size, "", true
	}
	name, value, found := strings.Cut(ext, "=")
	if !found || name != "chunk-signature" || len(value) != 2*sha256.Size {
		return 0, "", false
	}
	return size, value, true
}

// finish verifies the last chunk's signature, reads and verifies the
// trailer, and checks the decoded length.
func (c *chunkedReader) finish(sig string) error {
	if c.sig != nil {
		empty := sha256.Sum256(nil)
		if err := c.sig.verify(algorithmPayload, empty[:], sig); err != nil {
			return err
		}
	}
	if err := c.readTrailer(); err != nil {
		return err
	}
	if c.n != c.decoded {
		return errIncompleteBody()
	}
	c.done = true
	c.wipe()
	return nil
}

// readTrailer reads "name:value" lines up to an empty line (or the end of
// the body), checks the trailer signature when signed, then the checksums.
func (c *chunkedReader) readTrailer() error {
	type kv struct{ name, value string }
	var lines []kv
	var sig string
	var hasSig bool
	total := 0
	for {
		line, err := c.readLine(maxTrailer)
		if err == io.EOF {
			break
		}
		if err != nil {
			return errMalformedTrailer()
		}
		if len(line) == 0 {
			// Tolerate an empty line between the last chunk and the
			// trailer, which some clients write.
			if len(lines) == 0 && !hasSig && len(c.trailers) > 0 && total == 0 {
				total++
				continue
			}
			break
		}
		total += len(line) + 2
		if total > maxTrailer || len(lines) >= maxTrailers {
			return errMalformedTrailer()
		}
		name, value, ok := strings.Cut(string(line), ":")
		if !ok {
			return errMalformedTrailer()
		}
		name, value = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)
		if name == trailerSignature {
			if hasSig {
				return errMalformedTrailer()
			}
			sig, hasSig = value, true
			continue
		}
		if !slices.ContainsFunc(c.trailers, func(a checksumAlg) bool { return a.header == name }) ||
			slices.ContainsFunc(lines, func(l kv) bool { return l.name == name }) {
			return errMalformedTrailer()
		}
		lines = append(lines, kv{name, value})
	}
	if c.signedTrailer {
		slices.SortFunc(lines, func(a, b kv) int { return strings.Compare(a.name, b.name) })
		var canon bytes.Buffer
		for _, l := range lines {
			canon.WriteString(l.name)
			canon.WriteByte(':')
			canon.WriteString(l.value)
			canon.WriteByte('\n')
		}
		sum := sha256.Sum256(canon.Bytes())
		if !hasSig {
			return errMalformedTrailer()
		}
		if err := c.sig.verify(algorithmTrailer, sum[:], sig); err != nil {
			return err
		}
	}
	if len(lines) != len(c.trailers) {
		return errMalformedTrailer()
	}
	c.trailer = make(http.Header, len(lines))
	for i, alg := range c.trailers {
		var got string
		for _, l := range lines {
			if l.name == alg.header {
				got = l.value
			}
		}
		if !alg.validValue(got) {
			return s3Error(CodeInvalidRequest, http.StatusBadRequest, "Value for "+alg.header+" trailing header is invalid.")
		}
		if got != sumBase64(c.sums[i]) {
			if c.n != c.decoded {
				return errIncompleteBody()
			}
			return alg.errBadDigest()
		}
		c.trailer.Set(alg.header, got)
	}
	return nil
}
