package upstream

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

// failAtEnd yields data, then fails its last read as a verifying reader
// does: with the last bytes and the error together, or the error alone.
type failAtEnd struct {
	r        io.Reader
	err      error
	together bool
}

func (f *failAtEnd) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, f.err
	}
	if f.together && n > 0 && f.r.(*bytes.Reader).Len() == 0 {
		return n, f.err
	}
	return n, err
}

// readAll reads b with buffers of size bufSize.
func readAll(b *body, bufSize int) ([]byte, error) {
	var out []byte
	buf := make([]byte, bufSize)
	for range 1 << 16 {
		n, err := b.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
	return out, errors.New("no progress")
}

// TestBodyHoldsLastByte: a body passes on every byte of a reader that ends
// cleanly, whatever the buffer and read sizes, and never the last byte of
// one that fails at its end (so the upstream's request is cut short).
func TestBodyHoldsLastByte(t *testing.T) {
	data := []byte("0123456789abcdefghij")
	bad := errors.New("BadDigest")
	for _, bufSize := range []int{1, 2, 3, 7, 64} {
		for name, r := range map[string]func() io.Reader{
			"plain":     func() io.Reader { return bytes.NewReader(data) },
			"one byte":  func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
			"data+EOF":  func() io.Reader { return iotest.DataErrReader(bytes.NewReader(data)) },
			"half each": func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
		} {
			b := newBody(r(), false, false)
			got, err := readAll(b, bufSize)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("%s, buffer %d: %q, %v", name, bufSize, got, err)
			}
			if n, etag, rerr := b.result(); n != int64(len(data)) || etag != `"`+md5hex(data)+`"` || rerr != nil {
				t.Errorf("%s, buffer %d: result %d %s %v", name, bufSize, n, etag, rerr)
			}
		}
		for _, together := range []bool{false, true} {
			for _, one := range []bool{false, true} {
				var r io.Reader = &failAtEnd{r: bytes.NewReader(data), err: bad, together: together}
				if one {
					r = iotest.OneByteReader(r)
				}
				b := newBody(r, false, false)
				got, err := readAll(b, bufSize)
				if !errors.Is(err, bad) || len(got) >= len(data) || !bytes.HasPrefix(data, got) {
					t.Errorf("failing (together %v, one byte %v), buffer %d: passed on %q, %v", together, one, bufSize, got, err)
				}
				if _, _, rerr := b.result(); !errors.Is(rerr, bad) {
					t.Errorf("failing, buffer %d: result error %v", bufSize, rerr)
				}
			}
		}
	}
}

func md5hex(b []byte) string {
	h := newBody(bytes.NewReader(nil), false, false).md5
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// TestBodyHashedOverPlainHTTPOnly: a body without a declared digest is
// hashed (MD5, to check the upstream's ETag) over plain HTTP only; over
// HTTPS, TLS keeps the bytes as sent.
func TestBodyHashedOverPlainHTTPOnly(t *testing.T) {
	if newBody(bytes.NewReader([]byte("x")), false, false).md5 == nil {
		t.Error("a body over plain HTTP is not hashed")
	}
	b := newBody(bytes.NewReader([]byte("x")), true, false)
	if b.md5 != nil {
		t.Error("a body over HTTPS is hashed")
	}
	if _, err := readAll(b, 8); err != nil {
		t.Fatal(err)
	}
	if n, etag, err := b.result(); n != 1 || etag != "" || err != nil {
		t.Errorf("result over HTTPS = %d %q %v, want 1 \"\" nil", n, etag, err)
	}
}
