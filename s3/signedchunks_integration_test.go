package s3_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// signedChunkedPut builds a PutObject whose body is aws-chunked with each
// chunk signed (x-amz-content-sha256: STREAMING-AWS4-HMAC-SHA256-PAYLOAD,
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html):
// chunk i's signature signs "AWS4-HMAC-SHA256-PAYLOAD", the date, the
// scope, the previous signature (the seed is the Authorization header's),
// the hash of "" and the chunk's hash. tamper may change the encoded body
// after signing.
func signedChunkedPut(t *testing.T, srv *testserver.Server, path string, data []byte, chunk int, tamper func([]byte) []byte) *http.Request {
	t.Helper()
	ctx := context.Background()
	creds := aws.Credentials{AccessKeyID: testserver.RootKeyID, SecretAccessKey: testserver.RootSecretKey}
	now := time.Now()
	var chunks [][]byte
	for rest := data; len(rest) > 0; {
		n := min(chunk, len(rest))
		chunks = append(chunks, rest[:n])
		rest = rest[n:]
	}
	chunks = append(chunks, nil) // the final, empty chunk
	// The encoded length: each chunk is "<hex>;chunk-signature=<64 hex>\r\n<data>\r\n".
	length := 0
	for _, c := range chunks {
		length += len(fmt.Sprintf("%x", len(c))) + len(";chunk-signature=") + 64 + 2 + len(c) + 2
	}
	req, err := http.NewRequest("PUT", srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(length)
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Decoded-Content-Length", fmt.Sprint(len(data)))
	req.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "s3", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	auth := req.Header.Get("Authorization")
	seed, err := hex.DecodeString(auth[strings.LastIndex(auth, "Signature=")+len("Signature="):])
	if err != nil {
		t.Fatal(err)
	}
	ss := v4.NewStreamSigner(creds, "s3", "us-east-1", seed)
	var body bytes.Buffer
	for _, c := range chunks {
		sig, err := ss.GetSignature(ctx, nil, c, now)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&body, "%x;chunk-signature=%s\r\n%s\r\n", len(c), hex.EncodeToString(sig), c)
	}
	b := body.Bytes()
	if len(b) != length {
		t.Fatalf("encoded %d bytes, computed %d", len(b), length)
	}
	if tamper != nil {
		b = tamper(b)
	}
	req.Body = http.NoBody
	if len(b) > 0 {
		req.Body = nopCloser{bytes.NewReader(b)}
	}
	req.ContentLength = int64(len(b))
	return req
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// TestIntegrationSignedChunks: a body of signed chunks is verified chunk
// by chunk: good chunks store the object; a chunk altered after signing
// fails the upload with 403 SignatureDoesNotMatch and stores nothing.
func TestIntegrationSignedChunks(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.RootS3()
	mkBucket(t, root, "chunks")
	data := bytes.Repeat([]byte("signed chunk payload "), 8000) // 168,000 bytes: three 64 KiB chunks

	resp, b := do(t, signedChunkedPut(t, srv, "/chunks/good", data, 64<<10, nil))
	if resp.StatusCode != 200 {
		t.Fatalf("signed chunks: %d %s", resp.StatusCode, b)
	}
	if got, err := get(root, "chunks", "good"); err != nil || got != string(data) {
		t.Errorf("read back %d bytes (%v), want %d", len(got), err, len(data))
	}

	// Flip a byte of the second chunk's data.
	tamper := func(b []byte) []byte {
		c := bytes.Clone(b)
		c[64<<10+200] ^= 0x01 // well inside the second chunk's data
		return c
	}
	resp, b = do(t, signedChunkedPut(t, srv, "/chunks/tampered", data, 64<<10, tamper))
	checkErrorDoc(t, resp, b, 403, "SignatureDoesNotMatch")
	_, err := get(root, "chunks", "tampered")
	wantErr(t, err, "NoSuchKey", 404)

	// A body cut short of x-amz-decoded-content-length fails too.
	cut := func(b []byte) []byte { return b[:len(b)/2] }
	resp, b = do(t, signedChunkedPut(t, srv, "/chunks/cut", data, 64<<10, cut))
	if resp.StatusCode < 400 {
		t.Errorf("a body cut short: %d %s", resp.StatusCode, b)
	}
	_, err = get(root, "chunks", "cut")
	wantErr(t, err, "NoSuchKey", 404)
}
