package sigv4

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBotocoreS3 verifies requests signed by botocore's S3 client, the
// client of the AWS CLI (testdata/botocore_s3.json, captured before sending
// by testdata/botocore_s3.py): PutObject, which over TLS botocore sends as
// STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer and over plain
// HTTP with the body's SHA-256; GetObject; a presigned GET; path and
// virtual-hosted style; keys with spaces, '+', '=', '&', unicode, '//',
// './' and '../' segments and reserved characters. botocore neither
// normalises S3 paths nor escapes them twice.
func TestBotocoreS3(t *testing.T) {
	raw, err := os.ReadFile("testdata/botocore_s3.json")
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Vectors []struct {
			Name, Method, URL, Body string
			Headers                 map[string]string
		}
	}
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatal(err)
	}
	if len(data.Vectors) < 40 {
		t.Fatalf("%d vectors", len(data.Vectors))
	}
	for _, vec := range data.Vectors {
		t.Run(vec.Name, func(t *testing.T) {
			u, err := url.Parse(vec.URL)
			if err != nil {
				t.Fatal(err)
			}
			target := u.EscapedPath()
			if u.RawQuery != "" {
				target += "?" + u.RawQuery
			}
			lines := []string{vec.Method + " " + target + " HTTP/1.1", "Host: " + u.Host}
			names := make([]string, 0, len(vec.Headers))
			for k := range vec.Headers {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				if k == "Transfer-Encoding" { // replaced by a Content-Length
					continue
				}
				lines = append(lines, k+": "+vec.Headers[k])
			}
			if vec.Body != "" {
				lines = append(lines, "Content-Length: "+strconv.Itoa(len(vec.Body)))
			}
			r, body := readWire(t, []byte(strings.Join(lines, "\r\n")+"\r\n\r\n"+vec.Body))
			if r.RequestURI != target {
				t.Fatalf("request target %q", r.RequestURI)
			}
			a, err := Parse(r)
			if err != nil {
				t.Fatal(err)
			}
			now := a.Date.Add(time.Minute)
			v, err := NewVerifier(Options{Lookup: testKeys, Now: func() time.Time { return now }, S3: true, Service: "s3", Regions: []string{"us-east-1"}})
			if err != nil {
				t.Fatal(err)
			}
			r.Body = io.NopCloser(strings.NewReader(string(body)))
			_, b, err := v.VerifyStream(context.Background(), r)
			if err != nil {
				t.Fatalf("VerifyStream: %v", err)
			}
			got, err := io.ReadAll(b)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if vec.Method == "PUT" && string(got) != strings.Repeat("x", 1000) {
				t.Errorf("decoded %d bytes", len(got))
			}
			if b.Chunked() && b.Trailer().Get("X-Amz-Checksum-Crc32") == "" {
				t.Errorf("trailer %v", b.Trailer())
			}
		})
	}
}
