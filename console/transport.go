package console

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
)

// maxResponse bounds an in-process response the console buffers (the
// largest it reads are credential reports and policy lists).
const maxResponse = 32 << 20

// ipKey carries the browser's address into the in-process request.
type ipKey struct{}

// withClientIP returns ctx carrying the browser's remote address.
func withClientIP(ctx context.Context, remoteAddr string) context.Context {
	return context.WithValue(ctx, ipKey{}, remoteAddr)
}

// inProcess is the console's HTTP transport: it hands each signed SDK
// request to the server's own API handler, with the browser's address as
// the remote address, so the request takes the one pipeline (SigV4,
// authorization, audit) without a network hop.
type inProcess struct{ h http.Handler }

// RoundTrip serves one request in-process.
func (t inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.RequestURI = req.URL.RequestURI()
	r.Host = req.URL.Host
	if req.Host != "" {
		r.Host = req.Host
	}
	r.RemoteAddr = "127.0.0.1:0"
	if a, ok := req.Context().Value(ipKey{}).(string); ok && a != "" {
		r.RemoteAddr = a
	}
	if r.Body == nil {
		r.Body = http.NoBody
	}
	if r.ContentLength > 0 || r.ContentLength == 0 && r.Body == http.NoBody {
		r.Header.Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
	}
	rec := &recorder{header: http.Header{}, status: 0}
	t.h.ServeHTTP(rec, r)
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return &http.Response{
		Status: strconv.Itoa(rec.status) + " " + http.StatusText(rec.status), StatusCode: rec.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: rec.header, Body: io.NopCloser(bytes.NewReader(rec.body.Bytes())),
		ContentLength: int64(rec.body.Len()), Request: req,
	}, nil
}

// recorder is the in-process response writer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *recorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.body.Len()+len(p) > maxResponse {
		return 0, io.ErrShortWrite
	}
	return w.body.Write(p)
}

// Flush is a no-op: the whole response is handed over at once.
func (w *recorder) Flush() {}
