package server

import (
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/sigv4"
)

// A streamCodec is a protocol whose bodies are not read before the
// operation runs (S3: objects of any size). The pipeline is the same one;
// only the body differs: the signature is verified over the headers and the
// payload hash the request declares, and the operation reads a body that
// verifies itself as it is read (a hash at the end, or each chunk's
// signature, or a trailing checksum), failing the read where it does not.
type streamCodec interface {
	codec
	// parseStream reads the operation a request calls from its method, URL
	// and headers.
	parseStream(r *http.Request) (streamCall, error)
	// writeStream renders a successful response of c.
	writeStream(w http.ResponseWriter, r *http.Request, requestID string, c streamCall, out any) error
}

// A streamCall is a parsed request of a streamCodec, decoded with the body.
type streamCall interface {
	operation() string
	decodeBody(body io.Reader) (any, error)
}

// handleStream is handle's path for a streamCodec: precheck → verify the
// signature (headers and declared payload) → parse → authenticate → decode
// (with the self-verifying body) → authorize → run → encode.
func (s *Server) handleStream(w http.ResponseWriter, r *http.Request, ex *exchange, sc streamCodec, auth *sigv4.Auth, authErr error) error {
	ep := ex.ep
	var body io.ReadCloser
	switch {
	case authErr == nil:
		ctx, err := s.precheck(r, ep.verifier, auth)
		if err != nil {
			return err
		}
		r = r.WithContext(ctx)
		verified, vbody, err := ep.verifier.VerifyStream(ctx, r)
		if err != nil {
			return authError(err)
		}
		auth, body = verified, vbody
	case sigv4.IsAnonymous(r):
		auth = nil
		body = r.Body
		if strings.EqualFold(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-UNSIGNED-PAYLOAD-TRAILER") {
			b, err := sigv4.DecodeChunked(r)
			if err != nil {
				return authError(err)
			}
			body = b
		}
	default:
		// Malformed authentication is refused, never taken as anonymous.
		return authError(authErr)
	}
	defer body.Close()
	size := r.ContentLength
	if b, ok := body.(*sigv4.Body); ok {
		size = b.Length()
		if b.Chunked() {
			body = trailerBody{b}
		}
	}
	body = &progressBody{ReadCloser: body, rc: http.NewResponseController(w), size: size}

	c, err := sc.parseStream(r)
	if err != nil {
		return err
	}
	action := c.operation()
	ex.action = action
	o, implemented := ep.ops[action]

	caller := &identity.Caller{Time: s.now(), Region: requestedRegion(ep.name, ""), SourceIP: clientIP(r), SecureTransport: r.TLS != nil, Clock: &s.clock}
	if auth != nil {
		if caller, err = s.caller(r, auth); err != nil {
			return err
		}
	}
	addRequestFacts(r, caller, auth)
	ex.caller = caller

	if !implemented {
		return &awserr.Error{Code: "NotImplemented", Status: http.StatusNotImplemented, Sender: false,
			Message: "A header you provided implies functionality that is not implemented"}
	}
	in, err := c.decodeBody(body)
	if err != nil {
		return err
	}
	ex.in = in
	out, err := s.authorizeAndRun(r, ex, o, caller, in)
	if err != nil {
		return err
	}
	if err := s.record(r, ex, nil); err != nil {
		return err
	}
	// A streamed response (an object of any size) gets as long as the
	// client keeps reading it, as a streamed body gets as long as it keeps
	// coming: a client that stops reading is cut after the stall timeout.
	stall := s.stall
	if stall <= 0 {
		stall = readTimeout
	}
	pw := &progressWriter{ResponseWriter: w, rc: http.NewResponseController(w), stall: stall}
	if err := sc.writeStream(pw, r, ex.reqID, c, out); err != nil {
		s.log.Debug("writing response", "err", err)
	}
	return nil
}

// readTimeout bounds how long a request takes to arrive, and how long a
// streamed body may stall: an upload of any size is accepted as long as its
// bytes keep coming.
const readTimeout = 30 * time.Second

// progressBody moves the connection's read deadline forward as a streamed
// body makes progress (at most once a second).
type progressBody struct {
	io.ReadCloser
	rc       *http.ResponseController
	extended time.Time
	size     int64 // the decoded length the request declares, -1 when unknown
}

// Size is the body's length as the request declares it (Content-Length, or
// x-amz-decoded-content-length of an aws-chunked body), -1 when unknown, so
// that a backend can pass it on without reading the body first.
func (p *progressBody) Size() int64 { return p.size }

// TrailerChecksum passes on the checksum of an aws-chunked body's trailer
// (trailerBody).
func (p *progressBody) TrailerChecksum() (string, string) {
	if t, ok := p.ReadCloser.(trailerBody); ok {
		return t.TrailerChecksum()
	}
	return "", ""
}

// PayloadSHA256 passes on the payload digest the body is verified
// against (objectstore.DigestedBody).
func (p *progressBody) PayloadSHA256() string {
	if d, ok := p.ReadCloser.(interface{ PayloadSHA256() string }); ok {
		return d.PayloadSHA256()
	}
	return ""
}

// DelegateDigest and DigestMismatch pass on the delegation of the body's
// verification (objectstore.DigestDelegator).
func (p *progressBody) DelegateDigest() string {
	if d, ok := p.ReadCloser.(interface{ DelegateDigest() string }); ok {
		return d.DelegateDigest()
	}
	return ""
}

// DigestMismatch: see DelegateDigest.
func (p *progressBody) DigestMismatch(computed string) error {
	if d, ok := p.ReadCloser.(interface{ DigestMismatch(string) error }); ok {
		return d.DigestMismatch(computed)
	}
	return nil
}

func (p *progressBody) Read(b []byte) (int, error) {
	n, err := p.ReadCloser.Read(b)
	if n > 0 {
		if now := time.Now(); now.Sub(p.extended) >= time.Second {
			p.extended = now
			_ = p.rc.SetReadDeadline(now.Add(readTimeout))
		}
	}
	return n, err
}

// progressWriter moves the connection's write deadline forward as a
// streamed response makes progress (at most once a second), so that a
// write blocked on a client that reads nothing fails after stall.
type progressWriter struct {
	http.ResponseWriter
	rc       *http.ResponseController
	stall    time.Duration
	extended time.Time
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.extend()
	return p.ResponseWriter.Write(b)
}

func (p *progressWriter) WriteHeader(status int) {
	p.extend()
	p.ResponseWriter.WriteHeader(status)
}

func (p *progressWriter) extend() {
	if now := time.Now(); now.Sub(p.extended) >= time.Second {
		p.extended = now
		_ = p.rc.SetWriteDeadline(now.Add(p.stall))
	}
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (p *progressWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }
