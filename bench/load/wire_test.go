package main

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// readResponse reads what net/http's server writes: bodies with a length,
// chunked bodies, and the connection's fate.
func TestReadResponse(t *testing.T) {
	for _, c := range []struct {
		name, in string
		status   int
		keep     bool
		body     string
		err      bool
	}{
		{"length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/xml\r\n\r\nhello", 200, true, "hello", false},
		{"length lower case", "HTTP/1.1 403 Forbidden\r\ncontent-length: 2\r\n\r\nno", 403, true, "no", false},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nTrailer: v\r\n\r\n", 200, true, "abcde", false},
		{"close", "HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 1\r\n\r\nx", 500, false, "x", false},
		{"http/1.0 to the end", "HTTP/1.0 200 OK\r\n\r\nrest", 200, false, "rest", false},
		{"bad status", "HTTP/1.1 2x0 OK\r\n\r\n", 0, false, "", true},
		{"bad length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 200, false, "", true},
		{"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 200, true, "", true},
		{"short body", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", 200, true, "abc", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			var body bytes.Buffer
			status, keep, err := readResponse(bufio.NewReader(strings.NewReader(c.in)), &body)
			if (err != nil) != c.err {
				t.Fatalf("error %v, want error %v", err, c.err)
			}
			if err != nil {
				return
			}
			if status != c.status || keep != c.keep || body.String() != c.body {
				t.Errorf("got %d keep=%v %q, want %d keep=%v %q", status, keep, body.String(), c.status, c.keep, c.body)
			}
		})
	}
}

// The raw wire sends what the SDK's signer makes for that second: the same
// bytes for every call within a second, new ones (a new X-Amz-Date and
// signature) the next second.
func TestWireSignedOncePerSecond(t *testing.T) {
	tg := floorTarget("http://127.0.0.1:1", "us-east-1")
	signer := v4.NewSigner()
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 1, 2, 3, 0, time.UTC)
	a, err := tg.wire(ctx, signer, at)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := tg.wire(ctx, signer, at.Add(999*time.Millisecond))
	c, _ := tg.wire(ctx, signer, at.Add(time.Second))
	if !bytes.Equal(a, b) {
		t.Error("two requests of one second differ")
	}
	if bytes.Equal(a, c) {
		t.Error("the next second's request is the same")
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(c)))
	if err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("X-Amz-Date"); got != "20261207T010204Z" {
		t.Errorf("X-Amz-Date %q", got)
	}
	if !strings.Contains(req.Header.Get("Authorization"), "Credential="+floorAccessKeyID+"/20261207/us-east-1/sts/aws4_request") {
		t.Errorf("Authorization %q", req.Header.Get("Authorization"))
	}
	if req.ContentLength != int64(len(tg.body)) {
		t.Errorf("Content-Length %d, want %d", req.ContentLength, len(tg.body))
	}
}
