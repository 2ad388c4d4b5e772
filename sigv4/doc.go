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
package sigv4
