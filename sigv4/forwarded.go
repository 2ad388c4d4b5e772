package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"net/http"
)

// UnsignedPayload is the payload value of a request whose body its signature
// does not cover (S3's presigned URLs, and S3 requests that declare it in
// x-amz-content-sha256).
const UnsignedPayload = unsignedPayload

// VerifyForwarded checks the SigV4 signature of a request that another
// service received and forwards for a decision, without its body: payload
// is the lower-case hex SHA-256 of the body the service received (which the
// service computed itself), or UnsignedPayload. r carries the request as
// sent: its method, Host, headers, RequestURI (the path as sent) and
// URL.RawQuery.
//
// The checks are Verify's, in its order — the authentication's form, the
// clock skew or presigned expiry, the credential scope, the access key —
// and then the payload: an X-Amz-Content-Sha256 the request carries must
// equal payload; a presigned URL that declares none verifies, with an
// empty body's payload, as signed with either that hash or UNSIGNED-PAYLOAD
// (what the SDKs presign S3 URLs with). The canonical path follows the
// signing name of the request's credential scope: the path as sent for
// "s3" (the SDKs do not encode S3 paths again), encoded again for every
// other service (and, failing that, normalised, as Verify tries). The
// Verifier should accept any service (Options.Service ""), and must not use
// the S3 rules.
func (v *Verifier) VerifyForwarded(ctx context.Context, r *http.Request, payload string) (*Auth, error) {
	if v.s3 {
		return nil, newError(CodeInternalFailure, http.StatusInternalServerError, msgInternal)
	}
	if !validPayload(payload) {
		return nil, newError(CodeXAmzContentSHA256Mismatch, http.StatusBadRequest, msgPayloadMismatch)
	}
	var pbuf [16]param
	params := parseQuery(rawQuery(r), pbuf[:0])
	now := v.now()
	a, secret, err := v.precheck(ctx, r, params, now)
	if err != nil {
		return nil, err
	}
	claimed := firstValue(r.Header, "X-Amz-Content-Sha256")
	if a.Presigned {
		if q, ok := lookup(params, qContentSHA256); ok {
			claimed = q
		}
	}
	if claimed != "" && claimed != payload {
		return nil, newError(CodeXAmzContentSHA256Mismatch, http.StatusBadRequest, msgPayloadMismatch)
	}
	var want [sha256.Size]byte
	if !decodeSignature(a.Signature, &want) {
		return nil, errMismatch(msgSignatureMismatch)
	}
	key := v.signingKey(secret, a, now)
	path := requestPath(r)
	encode := a.Service != "s3"
	// A presigned URL that declares no payload is signed with the payload's
	// hash or UNSIGNED-PAYLOAD (S3), as Verify accepts for an empty body.
	alt := ""
	if a.Presigned && claimed == "" && payload == emptySHA256 {
		alt = unsignedPayload
	}
	try := func(p string) bool {
		got := signature(&key, a, r, params, p, encode, []byte(payload))
		if hmac.Equal(got[:], want[:]) {
			return true
		}
		if alt == "" {
			return false
		}
		got = signature(&key, a, r, params, p, encode, []byte(alt))
		return hmac.Equal(got[:], want[:])
	}
	if try(path) {
		return a, nil
	}
	if encode {
		if norm, ok := normalizePath(path); ok && try(norm) {
			return a, nil
		}
	}
	return nil, errMismatch(msgSignatureMismatch)
}

// validPayload reports whether s is a lower-case hex SHA-256 or
// UNSIGNED-PAYLOAD.
func validPayload(s string) bool {
	if s == unsignedPayload {
		return true
	}
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
