package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The generator's two ways of sending (-wire):
//
//   - wireHTTP signs every request with aws-sdk-go-v2's v4 signer and sends
//     it with net/http's client, as an SDK does;
//   - wireRaw sends the same bytes over a keep-alive TCP connection per
//     worker and reads the response with a minimal HTTP/1.1 parser. A
//     target's signed request is built once per second: the signature
//     covers X-Amz-Date, whose resolution is the second, so every request
//     the SDK's signer makes for it within one second is byte-for-byte the
//     same (this generator sends no per-invocation header). The server
//     still parses and verifies every request's signature in full — it
//     cannot tell a repeated request from a new one, any more than AWS can.
//
// The raw wire exists because on a small machine the generator shares the
// CPUs with the server: net/http's client and a signature per request cost
// the generator most of a core, which the server then lacks. Raw, the
// generator costs a fraction of that, so the floor and Gatehouse both show
// more of what the server can do.
const (
	wireHTTP = "http"
	wireRaw  = "raw"
)

// signedCache holds a target's request, signed for one second, serialized
// as the bytes net/http would send. Shared by every worker of the target.
type signedCache struct {
	mu  sync.Mutex
	cur atomic.Pointer[signedRequest]
}

// signedRequest is the wire form of a request signed at second sec.
type signedRequest struct {
	sec  int64
	wire []byte
}

// wire returns t's request signed at now's second, signing it when the
// second has changed since the last call.
func (t *target) wire(ctx context.Context, signer *v4.Signer, now time.Time) ([]byte, error) {
	sec := now.Unix()
	if r := t.signed.cur.Load(); r != nil && r.sec == sec {
		return r.wire, nil
	}
	t.signed.mu.Lock()
	defer t.signed.mu.Unlock()
	if r := t.signed.cur.Load(); r != nil && r.sec == sec {
		return r.wire, nil
	}
	req, err := t.requestAt(ctx, signer, time.Unix(sec, 0).UTC())
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		return nil, fmt.Errorf("serializing the request: %w", err)
	}
	t.signed.cur.Store(&signedRequest{sec: sec, wire: buf.Bytes()})
	return buf.Bytes(), nil
}

// rawConn is one worker's keep-alive connection to a target's host.
type rawConn struct {
	host string
	conn net.Conn
	r    *bufio.Reader
}

// close closes the connection, if open.
func (c *rawConn) close() {
	if c.conn != nil {
		_ = c.conn.Close()
		c.conn = nil
	}
}

// errStatus is a response whose status is not 2xx; the body is the worker's
// buffer.
type errStatus int

func (e errStatus) Error() string { return "HTTP " + strconv.Itoa(int(e)) }

// roundTrip sends wire on the worker's connection to host (dialing it when
// needed) and reads the response's body into body. It returns the status
// code; the connection is closed after any error and when the server asks.
func (c *rawConn) roundTrip(host string, wire []byte, timeout time.Duration, body *bytes.Buffer) (int, error) {
	if c.conn != nil && c.host != host {
		c.close()
	}
	if c.conn == nil {
		conn, err := net.DialTimeout("tcp", host, 5*time.Second)
		if err != nil {
			return 0, err
		}
		c.conn, c.host = conn, host
		if c.r == nil {
			c.r = bufio.NewReaderSize(conn, 16<<10)
		} else {
			c.r.Reset(conn)
		}
	}
	if err := c.conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		c.close()
		return 0, err
	}
	if _, err := c.conn.Write(wire); err != nil {
		c.close()
		return 0, err
	}
	status, keep, err := readResponse(c.r, body)
	if err != nil || !keep {
		c.close()
	}
	return status, err
}

// maxBody bounds a response body the generator reads.
const maxBody = 1 << 20

// readResponse reads one HTTP/1.1 response from r: its status, whether the
// connection stays open, and its body (Content-Length or chunked) into body.
func readResponse(r *bufio.Reader, body *bytes.Buffer) (status int, keep bool, err error) {
	line, err := readLine(r)
	if err != nil {
		return 0, false, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, false, fmt.Errorf("malformed status line %q", truncate(string(line), 80))
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, false, fmt.Errorf("malformed status line %q", truncate(string(line), 80))
	}
	keep = line[7] == '1'
	length, chunked := int64(-1), false
	for {
		h, err := readLine(r)
		if err != nil {
			return status, false, err
		}
		if len(h) == 0 {
			break
		}
		name, value, ok := bytes.Cut(h, []byte(":"))
		if !ok {
			return status, false, fmt.Errorf("malformed header %q", truncate(string(h), 80))
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.ParseInt(string(value), 10, 64)
			if err != nil || n < 0 {
				return status, false, fmt.Errorf("malformed Content-Length %q", value)
			}
			length = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			if bytes.EqualFold(value, []byte("close")) {
				keep = false
			}
		}
	}
	body.Reset()
	switch {
	case chunked:
		return status, keep, readChunked(r, body)
	case length >= 0:
		if length > maxBody {
			return status, false, fmt.Errorf("response body of %d bytes", length)
		}
		_, err := io.CopyN(body, r, length)
		return status, keep, err
	}
	// No length: the body runs to the connection's end.
	_, err = body.ReadFrom(io.LimitReader(r, maxBody))
	return status, false, err
}

// readChunked reads a chunked body and its trailer into body.
func readChunked(r *bufio.Reader, body *bytes.Buffer) error {
	for {
		line, err := readLine(r)
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseInt(string(bytes.TrimSpace(size)), 16, 64)
		if err != nil || n < 0 || int64(body.Len())+n > maxBody {
			return fmt.Errorf("malformed chunk size %q", truncate(string(line), 80))
		}
		if n == 0 {
			for { // trailer, up to the empty line
				t, err := readLine(r)
				if err != nil {
					return err
				}
				if len(t) == 0 {
					return nil
				}
			}
		}
		if _, err := io.CopyN(body, r, n); err != nil {
			return err
		}
		if crlf, err := readLine(r); err != nil || len(crlf) != 0 {
			return errors.New("malformed chunk: no CRLF after its data")
		}
	}
}

// readLine reads one CRLF- (or LF-) terminated line without its end; the
// slice is valid until the next read.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, errors.New("response line longer than the read buffer")
		}
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// hostOf is the host:port of an http URL, for dialing.
func hostOf(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	if u.Scheme != "http" {
		return "", fmt.Errorf("-wire raw sends plain HTTP; %q is %s (use -wire http)", rawURL, u.Scheme)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	return host, nil
}
