package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
)

// VerifyStream verifies the signature of an S3 request (Options.S3) over its
// headers and the payload value its x-amz-content-sha256 declares, without
// reading the body, and returns a Body that yields the decoded payload and
// verifies it as it is read:
//
//   - a hex SHA-256: the body passes through and is hashed; at EOF a
//     mismatch is XAmzContentSHA256Mismatch;
//   - UNSIGNED-PAYLOAD: the body passes through unchecked;
//   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD and its -TRAILER variant: the
//     aws-chunked body is decoded and each chunk's signature (and the
//     trailer's) checked, chained from the request's signature, before any
//     byte of the chunk is returned;
//   - STREAMING-UNSIGNED-PAYLOAD-TRAILER: the aws-chunked body is decoded,
//     and the checksum its trailer carries is verified at the end.
//
// Read returns an *Error where verification fails; the caller must treat
// any Read error as a failed request and discard what it has written. The
// Body must be closed; closing it closes r.Body.
func (v *Verifier) VerifyStream(ctx context.Context, r *http.Request) (*Auth, *Body, error) {
	if !v.s3 {
		return nil, nil, &Error{Code: CodeInternalFailure, Status: http.StatusInternalServerError, Message: msgInternal,
			Err: errors.New("sigv4: VerifyStream needs Options.S3")}
	}
	a, key, payload, kind, err := v.s3Headers(ctx, r)
	if err != nil {
		return nil, nil, err
	}
	src := r.Body
	if src == nil {
		src = http.NoBody
	}
	b, err := newBody(src, r.Header, r.ContentLength, payload, kind, &chunkSigner{key: key, amzDate: a.amzDate, scope: a.scope, prev: a.Signature, akid: a.AccessKeyID})
	if err != nil {
		return nil, nil, err
	}
	return a, b, nil
}

// verifyS3 is Verify under the S3 rules: the headers' signature, then the
// whole body through the same decoder VerifyStream uses.
func (v *Verifier) verifyS3(ctx context.Context, r *http.Request, body []byte) (*Auth, error) {
	a, key, payload, kind, err := v.s3Headers(ctx, r)
	if err != nil {
		return nil, err
	}
	b, err := newBody(io.NopCloser(bytes.NewReader(body)), r.Header, int64(len(body)), payload, kind,
		&chunkSigner{key: key, amzDate: a.amzDate, scope: a.scope, prev: a.Signature, akid: a.AccessKeyID})
	if err != nil {
		return nil, err
	}
	defer b.wipe() // the source is a NopCloser: only the key is to forget
	if _, err := io.Copy(io.Discard, b); err != nil {
		return nil, err
	}
	return a, nil
}

// s3Headers authenticates an S3 request up to its payload, in S3's order:
// the form of the authentication, x-amz-content-sha256, the signed headers,
// the credential scope, the access key, the signature over the headers and
// the declared payload value, then the time (S3 reports a bad signature
// rather than a skewed clock). It returns the signing key for the chunks.
func (v *Verifier) s3Headers(ctx context.Context, r *http.Request) (*Auth, [sha256.Size]byte, string, payloadKind, error) {
	var key [sha256.Size]byte
	var pbuf [16]param
	params := parseQuery(rawQuery(r), pbuf[:0])
	now := v.now()
	// S3 reads the names of the presigning parameters in any case; the
	// signature covers them as sent.
	var nbuf [16]param
	named := s3ParamNames(params, nbuf[:0])
	a, perr := parseAuth(r, named)
	if perr != nil {
		return nil, key, "", 0, s3Translate(perr, r, named)
	}
	if a.Presigned {
		params = withoutSignature(params)
	}
	payload, kind, perr := s3Payload(a, r, named)
	if perr != nil {
		return nil, key, "", 0, perr
	}
	if perr := errHeadersNotSigned(r, a.signedHeaders); perr != nil {
		return nil, key, "", 0, perr
	}
	if a.Presigned && !a.hasExpires {
		return nil, key, "", 0, s3Error(CodeAuthorizationQueryParametersError, http.StatusBadRequest, msgS3QueryParams)
	}
	if perr := a.splitCredential(); perr != nil {
		return nil, key, "", 0, s3Translate(perr, r, params)
	}
	if perr := v.s3CheckScope(a); perr != nil {
		return nil, key, "", 0, perr
	}
	secret, err := v.lookupSecret(ctx, a)
	if err != nil {
		return nil, key, "", 0, err
	}
	var want [sha256.Size]byte
	key = v.signingKey(secret, a, now)
	path := s3CanonicalPath(requestPath(r))
	if !decodeSignatureAnyCase(a.Signature, &want) {
		clear(key[:])
		return nil, key, "", 0, errS3SignatureMismatch(a, r, params, path, payload)
	}
	if got := signature(&key, a, r, params, path, false, []byte(payload)); !hmac.Equal(got[:], want[:]) {
		clear(key[:])
		return nil, key, "", 0, errS3SignatureMismatch(a, r, params, path, payload)
	}
	if perr := v.s3CheckTime(a, r, now); perr != nil {
		clear(key[:])
		return nil, key, "", 0, perr
	}
	a.Signature = hex.EncodeToString(want[:]) // the chain of chunk signatures is in lower case
	return a, key, payload, kind, nil
}

// errS3SignatureMismatch is S3's SignatureDoesNotMatch with the fields S3
// adds to help the client find its mistake: the access key, the string to
// sign and canonical request the server computed (as text and as bytes),
// and the signature provided.
func errS3SignatureMismatch(a *Auth, r *http.Request, params []param, path, payload string) *Error {
	cr := appendCanonicalRequest(nil, a, r, params, path, false, []byte(payload))
	sts := appendStringToSign(nil, a, cr)
	return s3Error(CodeSignatureDoesNotMatch, http.StatusForbidden, msgS3SignatureMismatch,
		Field{"AWSAccessKeyId", a.AccessKeyID},
		Field{"StringToSign", string(sts)},
		Field{"SignatureProvided", a.Signature},
		Field{"StringToSignBytes", spacedHex(sts)},
		Field{"CanonicalRequest", string(cr)},
		Field{"CanonicalRequestBytes", spacedHex(cr)})
}

// Body is the payload of an S3 request being verified as it is read (see
// VerifyStream and DecodeChunked). It is not safe for concurrent use.
type Body struct {
	src     io.ReadCloser
	r       io.Reader      // the decoder
	chunked *chunkedReader // set for aws-chunked bodies
	hashed  *hashingReader // set for a declared hex SHA-256 the body verifies
	// delegated is the declared hex SHA-256 whose verification
	// DelegateDigest handed over ("" when none was).
	delegated string
	length    int64 // decoded length, -1 when unknown
	err       error // sticky failure
	eof       bool
}

// Read reads decoded, verified payload. After a failed verification it
// returns the *Error, and keeps returning it. A failure to read the request
// body is IncompleteBody, with the reader's error (such as
// *http.MaxBytesError) as its Err unless it is the body's unexpected end.
func (b *Body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.eof {
		return 0, io.EOF
	}
	n, err := b.r.Read(p)
	switch {
	case err == io.EOF:
		b.eof = true
	case err != nil:
		if _, ok := err.(*Error); !ok {
			err = errRead(err)
		}
		b.err = err
		if b.chunked != nil {
			b.chunked.wipe()
		}
	}
	return n, err
}

// Close closes the request body and forgets the signing key.
func (b *Body) Close() error {
	b.wipe()
	return b.src.Close()
}

func (b *Body) wipe() {
	if b.chunked != nil {
		b.chunked.wipe()
	}
}

// Trailer returns the trailing headers of an aws-chunked body, verified
// (their checksum matches the payload, and their signature when signed),
// once Read has returned io.EOF; nil before that or when there are none.
// Names are in canonical form, e.g. "X-Amz-Checksum-Crc32".
func (b *Body) Trailer() http.Header {
	if !b.eof || b.chunked == nil {
		return nil
	}
	return b.chunked.trailer
}

// Length returns the length of the decoded payload as the request declares
// it (x-amz-decoded-content-length for aws-chunked bodies, Content-Length
// otherwise), or -1 when unknown. Read fails unless the payload has exactly
// this length.
func (b *Body) Length() int64 { return b.length }

// PayloadSHA256 returns the hex SHA-256 the request declared for its
// payload (x-amz-content-sha256), which Read verifies at the end of the
// body unless DelegateDigest handed that over; "" for an unsigned or
// aws-chunked payload, whose bytes no single digest covers.
func (b *Body) PayloadSHA256() string {
	if b.delegated != "" {
		return b.delegated
	}
	if b.hashed == nil {
		return ""
	}
	var sum [sha256.Size]byte
	if !decodeSignature(b.hashed.want, &sum) {
		return ""
	}
	return b.hashed.want
}

// DelegateDigest stops the body's verification of its declared SHA-256
// and returns that digest, for a caller that has the bytes verified
// against it elsewhere (objectstore.DigestDelegator: an S3 server they
// are sent to signed with it); "" for a body without one, or one read
// already, which goes on verifying.
func (b *Body) DelegateDigest() string {
	if b.hashed == nil || b.hashed.n > 0 || b.err != nil || b.eof {
		return ""
	}
	want := b.PayloadSHA256()
	if want == "" {
		return ""
	}
	b.r, b.hashed, b.delegated = b.hashed.r, nil, want
	return want
}

// DigestMismatch is the error Read would have returned for a body whose
// bytes did not match its declared SHA-256: XAmzContentSHA256Mismatch,
// with the hash computed by whoever verified them when known (hex, ""
// when not).
func (b *Body) DigestMismatch(computed string) error {
	want := b.delegated
	if want == "" {
		want = b.PayloadSHA256()
	}
	return errPayloadMismatchHex(want, computed)
}

// Chunked reports whether the body is aws-chunked.
func (b *Body) Chunked() bool { return b.chunked != nil }

// DecodeChunked decodes an unsigned aws-chunked body
// (STREAMING-UNSIGNED-PAYLOAD-TRAILER), as an anonymous request may send
// one: no signature is involved, but the decoded length
// (x-amz-decoded-content-length) and the checksum trailer named by
// x-amz-trailer are verified as for VerifyStream.
func DecodeChunked(r *http.Request) (*Body, error) {
	src := r.Body
	if src == nil {
		src = http.NoBody
	}
	return newBody(src, r.Header, r.ContentLength, streamingUnsignedTrailr, payloadUnsignedTrailer, nil)
}

// newBody builds the decoder of a payload of the given kind.
func newBody(src io.ReadCloser, h http.Header, contentLength int64, payload string, kind payloadKind, sig *chunkSigner) (*Body, error) {
	b := &Body{src: src, r: src, length: contentLength}
	switch kind {
	case payloadUnsigned:
		return b, nil
	case payloadHash:
		b.hashed = &hashingReader{r: src, h: sha256.New(), want: payload}
		b.r = b.hashed
		return b, nil
	}
	decoded, err := decodedLength(h)
	if err != nil {
		return nil, err
	}
	trailers, err := trailerNames(h)
	if err != nil {
		return nil, err
	}
	c := &chunkedReader{br: newLineReader(src), decoded: decoded, trailers: trailers}
	if kind == payloadSigned || kind == payloadSignedTrailer {
		c.sig = sig
		c.signedTrailer = kind == payloadSignedTrailer
	}
	for _, t := range trailers {
		c.sums = append(c.sums, t.newHash())
	}
	b.chunked, b.r, b.length = c, c, decoded
	return b, nil
}

// decodedLength reads x-amz-decoded-content-length, which S3 requires of
// aws-chunked bodies.
func decodedLength(h http.Header) (int64, error) {
	v := firstValue(h, "X-Amz-Decoded-Content-Length")
	if v == "" {
		return 0, s3Error(CodeMissingContentLength, http.StatusLengthRequired, "You must provide the Content-Length HTTP header.")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || !isDigits(v) {
		return 0, s3Error(CodeInvalidArgument, http.StatusBadRequest, "Invalid argument.",
			Field{"ArgumentName", "x-amz-decoded-content-length"}, Field{"ArgumentValue", v})
	}
	return n, nil
}

// hashingReader passes a body through, hashing it, and compares the hash
// with the declared one at EOF.
type hashingReader struct {
	r    io.Reader
	h    hash.Hash
	want string
	n    int64 // bytes hashed
}

func (h *hashingReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	if err == io.EOF {
		var sum [sha256.Size]byte
		got := h.h.Sum(sum[:0])
		var want [sha256.Size]byte
		if !decodeSignature(h.want, &want) || !hmac.Equal(got, want[:]) {
			return n, errPayloadMismatch(h.want, got)
		}
	}
	return n, err
}
