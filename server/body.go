package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/sigv4"
)

// Bodies are read only after what can be checked without them has passed, so
// that a request that could never authenticate costs no more than its
// headers:
//   - a signed request's authentication is checked up to the access key's
//     lookup first (sigv4.Verifier.Precheck): a forged, unknown, expired or
//     skewed credential is refused before one byte of its body is read;
//   - an unsigned request can only be AssumeRoleWithWebIdentity or
//     AssumeRoleWithSAML, whose largest legal form is far below maxBody, so its
//     body is limited to maxUnsignedBody;
//   - the bodies read but not yet verified, over all requests in flight, hold
//     at most maxUnverified bytes; past that a request is throttled, as AWS
//     throttles, and the client retries.
const (
	// maxBody bounds a request body.
	maxBody = 2 << 20
	// maxUnsignedBody bounds the body of a request without a signature: a
	// 100,000-character SAML assertion (the model's maximum), percent-encoded,
	// with a 2,048-character session policy and ten policy ARNs fits.
	maxUnsignedBody = 512 << 10
	// maxUnverified bounds the bytes of bodies read before their signatures
	// are checked, over all requests in flight.
	maxUnverified = 64 << 20
)

var (
	// errBodyTooLarge says a body exceeds its limit.
	errBodyTooLarge = errors.New("request body too large")
	// errBodyBudget says the bodies in flight already hold maxUnverified bytes.
	errBodyBudget = errors.New("too many unverified request bytes in flight")
)

// byteBudget counts bytes held by requests in flight against a maximum.
type byteBudget struct {
	mu        sync.Mutex
	used, max int64
}

// take reserves n bytes, or reports false when that would pass the maximum.
func (b *byteBudget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.max {
		return false
	}
	b.used += n
	return true
}

// give returns n reserved bytes.
func (b *byteBudget) give(n int64) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
}

// readBody reads r's body, of at most limit bytes, reserving its size in the
// unverified budget until release is called (release may be called more than
// once). A declared Content-Length over the limit is refused unread.
func (s *Server) readBody(r *http.Request, limit int64) (body []byte, release func(), err error) {
	nop := func() {}
	if r.ContentLength > limit {
		return nil, nop, errBodyTooLarge
	}
	reserve := limit
	if r.ContentLength >= 0 {
		reserve = r.ContentLength
	}
	if !s.unverified.take(reserve) {
		return nil, nop, errBodyBudget
	}
	var once sync.Once
	release = func() { once.Do(func() { s.unverified.give(reserve) }) }
	if r.ContentLength >= 0 {
		body = make([]byte, r.ContentLength)
		if _, err := io.ReadFull(r.Body, body); err != nil {
			release()
			return nil, nop, fmt.Errorf("read body: %w", err)
		}
		return body, release, nil
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r.Body, limit+1))
	if err != nil {
		release()
		return nil, nop, fmt.Errorf("read body: %w", err)
	}
	if n > limit {
		release()
		return nil, nop, errBodyTooLarge
	}
	return buf.Bytes(), release, nil
}

// precheck checks a signed request's authentication with v up to the access
// key (opening a session token first, so the key of temporary credentials is
// found), and returns the request's context, which carries the opened session.
func (s *Server) precheck(r *http.Request, v *sigv4.Verifier, auth *sigv4.Auth) (context.Context, error) {
	ctx := r.Context()
	if auth.SessionToken != "" {
		var err error
		if ctx, err = s.openSession(ctx, auth); err != nil {
			return r.Context(), err
		}
	}
	if _, err := v.Precheck(ctx, r.WithContext(ctx)); err != nil {
		return r.Context(), authError(err)
	}
	return ctx, nil
}

// check is precheck for the buffered path: it keeps what the check found
// (the parsed authentication, the key's secret) for the verification that
// follows the body.
func (s *Server) check(r *http.Request, v *sigv4.Verifier, auth *sigv4.Auth) (context.Context, *sigv4.Checked, error) {
	ctx := r.Context()
	if auth.SessionToken != "" {
		var err error
		if ctx, err = s.openSession(ctx, auth); err != nil {
			return r.Context(), nil, err
		}
	}
	c, err := v.Check(ctx, r.WithContext(ctx), auth)
	if err != nil {
		return r.Context(), nil, authError(err)
	}
	return ctx, c, nil
}

// authError returns a SigV4 verification error as the *awserr.Error every
// protocol renders.
func authError(err error) error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		ae := &awserr.Error{Code: se.Code, Status: se.Status, Message: se.Message, Sender: se.Status < 500, Err: se.Err}
		if len(se.Fields) > 0 {
			ae.Members = make(map[string]any, len(se.Fields))
			for _, f := range se.Fields {
				ae.Members[f.Name] = f.Value
			}
		}
		return ae
	}
	return err
}

// queryBodyError is a readBody error as the AWS Query services answer it.
func queryBodyError(err error) error {
	switch {
	case errors.Is(err, errBodyTooLarge):
		return awserr.ValidationError("Request body exceeds %d bytes.", maxBody)
	case errors.Is(err, errBodyBudget):
		return throttled(err)
	default:
		return awserr.New("MalformedInput", "The request body could not be read.").WithCause(err)
	}
}

// throttled is AWS's Throttling error of the Query services ("Rate
// exceeded", HTTP 400), which the SDKs retry with backoff.
func throttled(cause error) *awserr.Error {
	return awserr.New("Throttling", "Rate exceeded").WithCause(cause)
}
