package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// LookupFunc returns the secret access key of an access key ID. It returns
// an error wrapping ErrUnknownAccessKey when the key does not exist; any
// other error is treated as an internal failure. The returned slice is not
// retained.
type LookupFunc func(ctx context.Context, accessKeyID string) (secret []byte, err error)

// Options configure a Verifier.
type Options struct {
	// Lookup finds secret access keys. Required.
	Lookup LookupFunc
	// Now returns the current time. Required.
	Now func() time.Time
	// Service is the signing name requests must be scoped to, such as "iam"
	// or "sts". Empty accepts any service.
	Service string
	// Regions lists the regions a credential scope may name; IAM, for one,
	// accepts only "us-east-1". Empty accepts any region.
	Regions []string
	// MaxSkew is how far the signing time may be from Now; zero means AWS's
	// 15 minutes.
	MaxSkew time.Duration
	// CacheSize bounds the number of derived signing keys kept. Zero means
	// 1024; a negative value disables the cache.
	CacheSize int
	// CacheTTL bounds how long a derived key stays cached when it is not used:
	// at most about twice this long. Zero means one hour.
	CacheTTL time.Duration
	// S3 applies Amazon S3's rules instead of those of the other services:
	// the canonical URI is the path as sent (not encoded again, not
	// normalised); header-signed requests must send x-amz-content-sha256,
	// which may declare UNSIGNED-PAYLOAD or an aws-chunked streaming body
	// (see VerifyStream); presigned URLs must carry X-Amz-Expires and sign
	// UNSIGNED-PAYLOAD; and failures are reported with S3's codes, messages
	// and extra error fields (Error.Fields).
	S3 bool
}

// Verifier verifies SigV4-signed requests. It is safe for concurrent use.
type Verifier struct {
	lookup  LookupFunc
	now     func() time.Time
	service string
	regions []string
	skew    time.Duration
	s3      bool
	cache   *keyCache // nil when disabled
}

// NewVerifier returns a Verifier configured by opts.
func NewVerifier(opts Options) (*Verifier, error) {
	if opts.Lookup == nil {
		return nil, errors.New("sigv4: Options.Lookup is required")
	}
	if opts.Now == nil {
		return nil, errors.New("sigv4: Options.Now is required")
	}
	if opts.MaxSkew < 0 || opts.CacheTTL < 0 {
		return nil, fmt.Errorf("sigv4: negative MaxSkew (%v) or CacheTTL (%v)", opts.MaxSkew, opts.CacheTTL)
	}
	v := &Verifier{
		lookup:  opts.Lookup,
		now:     opts.Now,
		service: opts.Service,
		regions: slices.Clone(opts.Regions),
		skew:    opts.MaxSkew,
		s3:      opts.S3,
	}
	if v.skew == 0 {
		v.skew = 15 * time.Minute
	}
	if opts.CacheSize >= 0 {
		size, ttl := opts.CacheSize, opts.CacheTTL
		if size == 0 {
			size = 1024
		}
		if ttl == 0 {
			ttl = time.Hour
		}
		v.cache = newKeyCache(max(size/2, 1), ttl)
	}
	return v, nil
}

// Verify checks the SigV4 signature of r, whose complete body the caller has
// already read into body (Verify never reads r.Body). It returns the verified
// authentication, or an *Error in AWS's wording. The checks follow AWS's
// order: presence and shape of the authentication, host signed, date format,
// clock skew or presigned expiry, credential scope, access key, payload
// hash, signature.
//
// A session token, if any, is returned in Auth.SessionToken unchecked: the
// caller must make sure it belongs to the access key.
//
// With the S3 rules the body is checked against what x-amz-content-sha256
// declares, aws-chunked bodies included (their decoded payload is verified
// and discarded); S3 servers should rather call VerifyStream.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (*Auth, error) {
	if v.s3 {
		return v.verifyS3(ctx, r, body)
	}
	var pbuf [16]param
	params := parseQuery(rawQuery(r), pbuf[:0])
	now := v.now()
	a, secret, err := v.precheck(ctx, r, params, now)
	if err != nil {
		return nil, err
	}
	return v.finish(r, params, body, a, secret, now)
}

// finish is the end of Verify, once the authentication passed precheck:
// the payload hash and the signature.
func (v *Verifier) finish(r *http.Request, params []param, body []byte, a *Auth, secret []byte, now time.Time) (*Auth, error) {
	var payloadBuf [2 * sha256.Size]byte
	payload, alt, perr := payloadHashes(&payloadBuf, a, r, params, body)
	if perr != nil {
		return nil, perr
	}

	var want [sha256.Size]byte
	if !decodeSignature(a.Signature, &want) {
		return nil, errMismatch(msgSignatureMismatch)
	}
	key := v.signingKey(secret, a, now)
	path := requestPath(r)
	if matches(&key, &want, a, r, params, path, payload, alt) {
		return a, nil
	}
	if norm, ok := normalizePath(path); ok && matches(&key, &want, a, r, params, norm, payload, alt) {
		return a, nil
	}
	return nil, errMismatch(msgSignatureMismatch)
}

// Checked is a request whose authentication passed every check of Verify
// that does not need the body (Check); its Verify completes the
// verification once the body is read, without parsing the authentication
// or looking up the secret again.
type Checked struct {
	v      *Verifier
	a      *Auth
	secret []byte
	now    time.Time
}

// Check is Precheck for a request whose authentication Parse already read
// (a, which must come from Parse(r)), keeping what it found for
// Checked.Verify: a server parses and looks up each request's key once.
// Under the S3 rules it is Precheck, and Checked.Verify is Verify.
func (v *Verifier) Check(ctx context.Context, r *http.Request, a *Auth) (*Checked, error) {
	if v.s3 {
		if _, err := v.Precheck(ctx, r); err != nil {
			return nil, err
		}
		return &Checked{v: v}, nil
	}
	// Parse's checks passed (form, host signed, date format, credential);
	// precheck's others follow in its order.
	now := v.now()
	if err := v.checkTime(a, now); err != nil {
		return nil, err
	}
	if err := v.checkScope(a); err != nil {
		return nil, err
	}
	secret, err := v.lookupSecret(ctx, a)
	if err != nil {
		return nil, err
	}
	return &Checked{v: v, a: a, secret: secret, now: now}, nil
}

// Verify completes the verification of a checked request with its body,
// with Verify's results.
func (c *Checked) Verify(ctx context.Context, r *http.Request, body []byte) (*Auth, error) {
	if c.a == nil {
		return c.v.Verify(ctx, r, body)
	}
	var pbuf [16]param
	params := parseQuery(rawQuery(r), pbuf[:0])
	return c.v.finish(r, params, body, c.a, c.secret, c.now)
}

// Precheck runs every check of Verify that does not need the body — the
// authentication's form, the time, the credential scope and the access key —
// in Verify's order and with Verify's errors, so that a server can refuse a
// request before reading a body that could never verify. A nil error says
// nothing of the signature: Verify must still be called.
//
// Under the S3 rules, where the signature covers the headers and the payload
// value they declare rather than the body, Precheck verifies the signature
// too (it is VerifyStream without the body), and checks the time after the
// signature, as S3 does.
func (v *Verifier) Precheck(ctx context.Context, r *http.Request) (*Auth, error) {
	if v.s3 {
		a, key, _, _, err := v.s3Headers(ctx, r)
		clear(key[:])
		if err != nil {
			return nil, err
		}
		return a, nil
	}
	var pbuf [16]param
	params := parseQuery(rawQuery(r), pbuf[:0])
	a, _, err := v.precheck(ctx, r, params, v.now())
	if err != nil {
		return nil, err
	}
	return a, nil
}

// precheck parses the authentication of r and checks it up to the secret's
// lookup, returning the secret.
func (v *Verifier) precheck(ctx context.Context, r *http.Request, params []param, now time.Time) (*Auth, []byte, error) {
	a, err := parseAuth(r, params)
	if err != nil {
		return nil, nil, err
	}
	if err := v.checkTime(a, now); err != nil {
		return nil, nil, err
	}
	if err := a.splitCredential(); err != nil {
		return nil, nil, err
	}
	if err := v.checkScope(a); err != nil {
		return nil, nil, err
	}
	secret, lerr := v.lookupSecret(ctx, a)
	if lerr != nil {
		return nil, nil, lerr
	}
	return a, secret, nil
}

// lookupSecret finds the secret of a's access key.
func (v *Verifier) lookupSecret(ctx context.Context, a *Auth) ([]byte, error) {
	secret, lerr := v.lookup(ctx, a.AccessKeyID)
	if lerr == nil {
		return secret, nil
	}
	switch {
	case errors.Is(lerr, ErrUnknownAccessKey) && v.s3:
		return nil, &Error{Code: CodeInvalidAccessKeyID, Status: http.StatusForbidden, Message: msgS3InvalidAccessKey,
			Fields: []Field{{"AWSAccessKeyId", a.AccessKeyID}}, Err: fmt.Errorf("access key %q: %w", a.AccessKeyID, lerr)}
	case errors.Is(lerr, ErrUnknownAccessKey):
		return nil, &Error{Code: CodeInvalidClientTokenID, Status: http.StatusForbidden, Message: msgInvalidToken,
			Err: fmt.Errorf("access key %q: %w", a.AccessKeyID, lerr)}
	}
	return nil, &Error{Code: CodeInternalFailure, Status: http.StatusInternalServerError, Message: msgInternal,
		Err: fmt.Errorf("sigv4: look up access key %q: %w", a.AccessKeyID, lerr)}
}

// checkTime enforces the clock skew, or a presigned URL's X-Amz-Expires.
func (v *Verifier) checkTime(a *Auth, now time.Time) *Error {
	if latest := now.Add(v.skew); a.Date.After(latest) {
		return errNotYetCurrent(a.Date, latest, now, v.skew)
	}
	if a.hasExpires {
		if now.After(a.Date.Add(a.Expires)) {
			return newError(CodeAccessDenied, http.StatusForbidden, msgRequestExpired)
		}
		return nil
	}
	if earliest := now.Add(-v.skew); a.Date.Before(earliest) {
		return errExpired(a.Date, earliest, now, v.skew)
	}
	return nil
}

// checkScope compares the credential scope with the expected region, service,
// terminator and the date of the signing time.
func (v *Verifier) checkScope(a *Auth) *Error {
	var errs scopeErrors
	if len(v.regions) > 0 && !slices.Contains(v.regions, a.Region) {
		errs.add("Credential should be scoped to a valid region, not '" + a.Region + "'.")
	}
	if v.service != "" && a.Service != v.service {
		errs.add("Credential should be scoped to correct service: '" + v.service + "'.")
	}
	if a.terminator != terminator {
		errs.add("Credential should be scoped with a valid terminator: 'aws4_request', not '" + a.terminator + "'.")
	}
	if day := a.amzDate[:8]; a.scopeDate != day {
		errs.add("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			a.scopeDate + "' != '" + day + "', from '" + a.amzDate + "'.")
	}
	if errs.b.Len() > 0 {
		return errMismatch(errs.b.String())
	}
	return nil
}

// payloadHashes returns the payload hash to sign with and, for an empty-body
// presigned request, UNSIGNED-PAYLOAD as an alternative. The body's hash is
// written into buf.
func payloadHashes(buf *[2 * sha256.Size]byte, a *Auth, r *http.Request, params []param, body []byte) (primary, alt []byte, err *Error) {
	sum := sha256.Sum256(body)
	hex.Encode(buf[:], sum[:])
	claimed := firstValue(r.Header, "X-Amz-Content-Sha256")
	if a.Presigned {
		if q, ok := lookup(params, qContentSHA256); ok {
			claimed = q
		}
	}
	switch {
	case claimed == "":
		if a.Presigned && len(body) == 0 {
			alt = []byte(unsignedPayload)
		}
		return buf[:], alt, nil
	case claimed == string(buf[:]):
		return buf[:], nil, nil
	case claimed == unsignedPayload && len(body) == 0:
		return []byte(unsignedPayload), nil, nil
	}
	return nil, nil, newError(CodeXAmzContentSHA256Mismatch, http.StatusBadRequest, msgPayloadMismatch)
}

const unsignedPayload = "UNSIGNED-PAYLOAD"

// decodeSignature decodes a lower-case hex signature.
func decodeSignature(s string, dst *[sha256.Size]byte) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	_, err := hex.Decode(dst[:], []byte(s))
	return err == nil
}

// signingKey returns the derived key for a's scope, from the cache when it
// holds one for this secret.
func (v *Verifier) signingKey(secret []byte, a *Auth, now time.Time) [sha256.Size]byte {
	if v.cache == nil {
		return deriveKey(secret, a.scopeDate, a.Region, a.Service)
	}
	fp := sha256.Sum256(secret)
	k := cacheKey{a.AccessKeyID, a.scopeDate, a.Region, a.Service}
	if key, ok := v.cache.get(k, &fp, now); ok {
		return key
	}
	key := deriveKey(secret, a.scopeDate, a.Region, a.Service)
	v.cache.put(k, &fp, &key, now)
	return key
}

// matches computes the signature for the given canonical path and payload
// hash (and the alternative payload hash, if any) and compares it with want
// in constant time.
func matches(key, want *[sha256.Size]byte, a *Auth, r *http.Request, params []param, path string, payload, alt []byte) bool {
	got := signature(key, a, r, params, path, true, payload)
	if hmac.Equal(got[:], want[:]) {
		return true
	}
	if alt == nil {
		return false
	}
	got = signature(key, a, r, params, path, true, alt)
	return hmac.Equal(got[:], want[:])
}

// signature computes the SigV4 signature of the request: the HMAC, under the
// signing key, of the string to sign built from the canonical request. The
// path is percent-encoded again when encodePath is set (all services but
// S3).
func signature(key *[sha256.Size]byte, a *Auth, r *http.Request, params []param, path string, encodePath bool, payload []byte) [sha256.Size]byte {
	var stack [1024]byte
	cr := appendCanonicalRequest(stack[:0], a, r, params, path, encodePath, payload)
	var sts [256]byte
	return hmacSHA256(key[:], appendStringToSign(sts[:0], a, cr))
}

// appendCanonicalRequest appends the canonical request of r.
func appendCanonicalRequest(cr []byte, a *Auth, r *http.Request, params []param, path string, encodePath bool, payload []byte) []byte {
	cr = append(cr, r.Method...)
	cr = append(cr, '\n')
	if encodePath {
		cr = appendEncoded(cr, path, true)
	} else {
		cr = append(cr, path...)
	}
	cr = append(cr, '\n')
	cr = appendCanonicalQuery(cr, params, a.Presigned)
	cr = append(cr, '\n')
	cr = appendCanonicalHeaders(cr, r, a.signedHeaders)
	cr = append(cr, '\n')
	cr = append(cr, a.signedHeaders...)
	cr = append(cr, '\n')
	return append(cr, payload...)
}

// appendStringToSign appends the string to sign of canonical request cr.
func appendStringToSign(s []byte, a *Auth, cr []byte) []byte {
	crSum := sha256.Sum256(cr)
	s = append(s, algorithm...)
	s = append(s, '\n')
	s = append(s, a.amzDate...)
	s = append(s, '\n')
	s = append(s, a.scope...)
	s = append(s, '\n')
	return hex.AppendEncode(s, crSum[:])
}
