package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"testing"
)

// TestBodyDelegateDigest: a body with a declared SHA-256 hands its
// verification over only before its first read; once handed over it
// passes any bytes on, and DigestMismatch is the error it would have
// returned (XAmzContentSHA256Mismatch, 400, with the declared hash and,
// when known, the computed one:
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html).
func TestBodyDelegateDigest(t *testing.T) {
	good := []byte("the payload the client signed")
	sum := sha256.Sum256(good)
	want := hex.EncodeToString(sum[:])
	bad := []byte("the payload the client did not")
	open := func(data []byte) *Body {
		b, err := newBody(io.NopCloser(bytes.NewReader(data)), http.Header{}, int64(len(data)), want, payloadHash, nil)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	b := open(bad)
	if got := b.DelegateDigest(); got != want {
		t.Fatalf("DelegateDigest = %q, want %q", got, want)
	}
	if b.PayloadSHA256() != want {
		t.Fatalf("PayloadSHA256 after delegating = %q", b.PayloadSHA256())
	}
	if got, err := io.ReadAll(b); err != nil || !bytes.Equal(got, bad) {
		t.Fatalf("read after delegating = %q, %v; want the bytes as they are", got, err)
	}
	var se *Error
	if err := b.DigestMismatch(""); !errors.As(err, &se) || se.Code != CodeXAmzContentSHA256Mismatch || se.Status != http.StatusBadRequest {
		t.Fatalf("DigestMismatch = %v", err)
	}
	if v, ok := se.Field("ClientComputedContentSHA256"); !ok || v != want {
		t.Errorf("ClientComputedContentSHA256 = %q, %v", v, ok)
	}
	if _, ok := se.Field("S3ComputedContentSHA256"); ok {
		t.Error("S3ComputedContentSHA256 present though unknown")
	}
	if err := b.DigestMismatch("ab"); !errors.As(err, &se) {
		t.Fatal(err)
	} else if v, _ := se.Field("S3ComputedContentSHA256"); v != "ab" {
		t.Errorf("S3ComputedContentSHA256 = %q, want ab", v)
	}

	// Read from already: it goes on verifying.
	b = open(bad)
	if _, err := b.Read(make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	if got := b.DelegateDigest(); got != "" {
		t.Fatalf("DelegateDigest after a read = %q, want \"\"", got)
	}
	if _, err := io.ReadAll(b); !errors.As(err, &se) || se.Code != CodeXAmzContentSHA256Mismatch {
		t.Fatalf("read of a body that kept its verification = %v, want XAmzContentSHA256Mismatch", err)
	}

	// Unsigned: nothing to hand over.
	u, err := newBody(io.NopCloser(bytes.NewReader(good)), http.Header{}, int64(len(good)), "UNSIGNED-PAYLOAD", payloadUnsigned, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.DelegateDigest(); got != "" {
		t.Fatalf("DelegateDigest of an unsigned body = %q", got)
	}
}
