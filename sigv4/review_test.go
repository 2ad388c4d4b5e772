package sigv4

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestReviewSignedChunkMemoryFollowsBytesSent: a signed chunk is buffered
// whole before its signature is checked, but the buffer must grow with
// the bytes that arrive, not with the size the chunk line declares. A
// request that declares a 16 MiB chunk and sends ten bytes made the
// server allocate 16 MiB before it had anything to verify — for any
// authenticated caller, before authorization (XML payloads are decoded
// first), and held for as long as the connection stalls: a few hundred
// bytes per connection pinned 16 MiB each.
func TestReviewSignedChunkMemoryFollowsBytesSent(t *testing.T) {
	const declared = maxChunkSize
	hdr := map[string][]string{
		"Content-Encoding":             {"aws-chunked"},
		"X-Amz-Decoded-Content-Length": {strconv.Itoa(declared)},
		"X-Amz-Content-Sha256":         {streamingSigned},
	}
	req := s3SignRequest(t, http.MethodPut, "http://s3.amazonaws.com/examplebucket/chunkObject.txt", hdr, streamingSigned, docTime, docAKID, docSecret)
	body := []byte(fmt.Sprintf("%x;chunk-signature=%s\r\n0123456789", declared, strings.Repeat("0", 64)))
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	r, raw := wire(t, req)
	r.Body = io.NopCloser(bytes.NewReader(raw))
	_, b, err := newS3Verifier(t, docTime).VerifyStream(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.TotalAlloc
	_, err = io.Copy(io.Discard, b)
	runtime.ReadMemStats(&ms)
	if code, _ := errCode(t, err); code != "IncompleteBody" {
		t.Errorf("error %v, want IncompleteBody", err)
	}
	if got := ms.TotalAlloc - before; got > 1<<20 {
		t.Errorf("reading a body that declares a %d-byte chunk and sends 10 bytes allocated %d bytes", declared, got)
	}
}
