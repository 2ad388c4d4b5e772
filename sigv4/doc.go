// Package sigv4 verifies AWS Signature Version 4 (AWS4-HMAC-SHA256) on the
// server side: it parses a request's authentication (an Authorization header
// or a presigned query string), rebuilds the canonical request exactly as the
// AWS SDKs do, derives the signing key and compares signatures in constant
// time.
//
// The package is pure: it imports the standard library only, reads no clock
// and holds no global state. A [Verifier] is built once with [NewVerifier]
// from [Options]: a lookup of secret access keys, a clock, the service and
// regions requests must be scoped to, and the size of its cache of derived
// signing keys. [Verifier.Verify] is safe for concurrent use.
//
// Failures are returned as *[Error] values carrying AWS's error code, HTTP
// status and message (for example SignatureDoesNotMatch, 403, "The request
// signature we calculated does not match the signature you provided. ...").
// The server renders them; Error.Err holds an internal cause, if any, that
// must not reach the client.
//
// # Canonical request
//
// The canonical URI is the request path as sent on the wire, with every byte
// other than the unreserved characters (A-Z a-z 0-9 - _ . ~) and '/'
// percent-encoded again: the double encoding that AWS services other than S3
// expect and that aws-sdk-go-v2 produces. Some SDKs (botocore, the Java SDK)
// also remove dot segments and repeated slashes before encoding; when the
// path contains such segments and the first comparison fails, the normalised
// form is tried too.
//
// The payload hash is the hex SHA-256 of the body the caller passes in (the
// server reads the body once, hashes it here once and parses the form
// itself). An X-Amz-Content-Sha256 header, when present, must equal that
// hash; UNSIGNED-PAYLOAD is accepted only where the body is empty, so a
// signature always covers the body. Presigned URLs with an empty body verify
// with either the empty-body hash (what the SDKs use for STS) or
// UNSIGNED-PAYLOAD (what they use for S3).
//
// # Amazon S3
//
// With Options.S3 the verifier applies S3's rules, which differ from those
// above:
//
//   - The canonical URI is the path as the client escaped it, percent-encoded
//     once: S3 neither encodes it again nor removes "." segments or repeated
//     slashes (aws-sdk-go-v2's S3 client signs with DisableURIPathEscaping,
//     botocore does not normalise S3 paths). Bytes a client sends unescaped
//     are escaped, and escapes of unreserved characters undone, as S3 does.
//   - Every x-amz-* header of the request, and the host, must be signed
//     (else AccessDenied with the HeadersNotSigned field).
//   - S3 checks the time after the signature: a request that is both
//     skewed and badly signed is SignatureDoesNotMatch. Precheck therefore
//     verifies the signature too (it needs no body under these rules).
//   - A header-signed request must send x-amz-content-sha256 (else
//     InvalidRequest), whose value is a lower-case hex SHA-256,
//     UNSIGNED-PAYLOAD, or one of the streaming values below (else
//     InvalidArgument); it is the payload value of the canonical request.
//   - A presigned URL must carry X-Amz-Expires, at most a week; it signs
//     UNSIGNED-PAYLOAD unless its query names X-Amz-Content-Sha256. An
//     expired URL is AccessDenied "Request has expired".
//   - Failures carry S3's codes and messages (InvalidAccessKeyId,
//     SignatureDoesNotMatch, RequestTimeTooSkewed,
//     AuthorizationHeaderMalformed, AuthorizationQueryParametersError...) and
//     the extra elements S3's error documents carry, in S3's order, in
//     Error.Fields: for SignatureDoesNotMatch the access key, the string to
//     sign and canonical request the server computed (as text and bytes) and
//     the signature provided; for RequestTimeTooSkewed RequestTime,
//     ServerTime and MaxAllowedSkewMilliseconds. No field ever holds a
//     secret or a signing key. [IsAnonymous] tells an unsigned request, which
//     S3 serves as the anonymous principal, from a signed one.
//
// # Streaming verification
//
// [Verifier.VerifyStream] verifies an S3 request's signature over its
// headers and the payload value it declares, before reading any of the
// body, and returns a [Body] that decodes and verifies the payload as the
// caller reads it:
//
//   - a hex SHA-256 is computed as the body passes and compared at EOF
//     (XAmzContentSHA256Mismatch, with both hashes as fields);
//   - UNSIGNED-PAYLOAD passes through;
//   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD bodies are aws-chunked, each chunk
//     "hex-size;chunk-signature=sig\r\n data \r\n", ending with an empty
//     chunk; each signature is the HMAC, under the request's signing key, of
//     "AWS4-HMAC-SHA256-PAYLOAD", the date, the scope, the previous
//     signature (the request's for the first chunk), the empty string's
//     hash and the chunk's hash. A chunk is read whole and verified before
//     any of its bytes is returned, so a caller never sees unverified data;
//   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER adds trailing headers after
//     the last chunk, signed ("AWS4-HMAC-SHA256-TRAILER") by
//     x-amz-trailer-signature;
//   - STREAMING-UNSIGNED-PAYLOAD-TRAILER is aws-chunked without signatures,
//     what aws-sdk-go-v2 and the AWS CLI send for uploads over TLS; its
//     trailer carries the checksum named by x-amz-trailer
//     (x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1 or -sha256),
//     verified against the decoded payload (BadDigest). A signed body may
//     carry such a trailer too.
//
// The decoded length must equal x-amz-decoded-content-length (else
// IncompleteBody); chunk-size lines, chunks and trailers are bounded, and
// chunks but the last, signed or not, must have at least 8 KiB
// (InvalidChunkSizeError). Read returns the *Error where verification fails
// and keeps returning it; a hash or checksum mismatch is only known at the
// end, so a caller must treat any Read error as a failed upload and discard
// what it stored. After EOF, [Body.Trailer] holds the verified trailer.
// [DecodeChunked] decodes an anonymous request's unsigned aws-chunked body,
// [NewChecksumReader] checks a whole-body x-amz-checksum-<alg> header and
// computes the checksums S3 returns, and [NewContentMD5Reader] does the same
// for Content-MD5 (and the MD5 of S3's ETag).
package sigv4
