package sigv4

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// s3Fake is a minimal S3 object store behind VerifyStream: PUT stores the
// verified payload, GET returns it, and failures are answered with S3's
// error document, so the real clients see what they would from S3.
type s3Fake struct {
	v       *Verifier
	mu      sync.Mutex
	objects map[string][]byte
	seen    []string // x-amz-content-sha256 of each request
	errs    []error
	trailer []http.Header
}

func newS3Fake(t testing.TB, now func() time.Time) *s3Fake {
	v, err := NewVerifier(Options{Lookup: testKeys, Now: now, S3: true, Service: "s3", Regions: []string{"us-east-1"}})
	if err != nil {
		t.Fatal(err)
	}
	return &s3Fake{v: v, objects: map[string][]byte{}}
}

func (s *s3Fake) record(r *http.Request, err error, trailer http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, r.Header.Get("X-Amz-Content-Sha256"))
	s.errs = append(s.errs, err)
	s.trailer = append(s.trailer, trailer)
}

func (s *s3Fake) fail(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Code: CodeInternalFailure, Status: 500, Message: err.Error()}
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	io.WriteString(w, "<Error><Code>"+e.Code+"</Code><Message>"+e.Message+"</Message></Error>")
}

func (s *s3Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, body, err := s.v.VerifyStream(r.Context(), r)
	if err != nil {
		s.record(r, err, nil)
		s.fail(w, err)
		return
	}
	defer body.Close()
	var src io.Reader = body
	var cr *ChecksumReader
	want := map[string]string{}
	for k, vs := range r.Header {
		if alg, ok := strings.CutPrefix(strings.ToLower(k), "x-amz-checksum-"); ok && alg != "algorithm" && alg != "type" {
			want[alg] = vs[0]
		}
	}
	if len(want) > 0 {
		if cr, err = NewChecksumReader(body, want); err != nil {
			s.record(r, err, nil)
			s.fail(w, err)
			return
		}
		src = cr
	}
	data, err := io.ReadAll(src)
	s.record(r, err, body.Trailer())
	if err != nil {
		s.fail(w, err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodPut:
		s.objects[r.URL.Path] = data
		w.Header().Set("ETag", `"etag"`)
	case http.MethodGet:
		obj, ok := s.objects[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>")
			return
		}
		w.Write(obj)
	}
}

func (s *s3Fake) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen, s.errs, s.trailer = nil, nil, nil
}

func (s *s3Fake) last() (string, error, http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.errs) - 1
	if n < 0 {
		return "", errors.New("no request"), nil
	}
	return s.seen[n], s.errs[n], s.trailer[n]
}

// unseekable hides a reader's Seek, so the SDK must stream it.
type unseekable struct{ io.Reader }

// TestSDKS3Client drives the fake with aws-sdk-go-v2's S3 client, over TLS
// (where it sends STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer
// by default) and plain HTTP (where it signs the body's SHA-256), with and
// without a checksum algorithm, and with keys full of special characters.
func TestSDKS3Client(t *testing.T) {
	fake := newS3Fake(t, time.Now)
	modes := map[string]int{}
	defer func() {
		// Over TLS the client streams unseekable bodies with a trailing
		// checksum, and sends seekable ones as UNSIGNED-PAYLOAD with the
		// checksum in a header; over HTTP it signs the body's hash.
		if modes[streamingUnsignedTrailr] == 0 || modes[unsignedPayload] == 0 || len(modes) != 3 {
			t.Errorf("payload modes seen: %v", modes)
		}
	}()
	for _, tls := range []bool{true, false} {
		var srv *httptest.Server
		if tls {
			srv = httptest.NewTLSServer(fake)
		} else {
			srv = httptest.NewServer(fake)
		}
		defer srv.Close()
		client := s3.New(s3.Options{
			Region:           "us-east-1",
			Credentials:      credentials.NewStaticCredentialsProvider(testAKID, testSecret, ""),
			BaseEndpoint:     aws.String(srv.URL),
			UsePathStyle:     true,
			HTTPClient:       srv.Client(),
			RetryMaxAttempts: 1,
		})
		ctx := context.Background()
		keys := []string{"plain.txt", "with space/and+plus=eq&amp.txt", "ünï/日本語", "double//slash/./dot/../x", "!$'()*,;:@~"}
		algs := []types.ChecksumAlgorithm{"", types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmSha1,
			types.ChecksumAlgorithmSha256, types.ChecksumAlgorithmCrc64nvme}
		for i, key := range keys {
			for j, alg := range algs {
				data := bytes.Repeat([]byte{byte('a' + i), byte('0' + j)}, 40000+i*1000)
				name := map[bool]string{true: "tls", false: "http"}[tls] + "/" + key + "/" + string(alg)
				fake.reset()
				var body io.Reader = bytes.NewReader(data)
				if tls && j%2 == 1 {
					body = unseekable{body}
				}
				in := &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key), Body: body, ChecksumAlgorithm: alg}
				if !tls || j%2 == 1 {
					in.ContentLength = aws.Int64(int64(len(data)))
				}
				if _, err := client.PutObject(ctx, in); err != nil {
					t.Errorf("%s: PutObject: %v", name, err)
					continue
				}
				payload, err, trailer := fake.last()
				if err != nil {
					t.Errorf("%s: server: %v", name, err)
				}
				if len(payload) == 64 {
					modes["hex"]++
				} else {
					modes[payload]++
				}
				switch {
				case payload == streamingUnsignedTrailr:
					if len(trailer) != 1 {
						t.Errorf("%s: trailer %v", name, trailer)
					}
				case tls && payload != unsignedPayload, !tls && len(payload) != 64:
					t.Errorf("%s: x-amz-content-sha256 %q", name, payload)
				}
				out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
				if err != nil {
					t.Errorf("%s: GetObject: %v", name, err)
					continue
				}
				got, err := io.ReadAll(out.Body)
				out.Body.Close()
				if err != nil || !bytes.Equal(got, data) {
					t.Errorf("%s: GetObject read %d bytes (%v), want %d", name, len(got), err, len(data))
				}
			}
		}

		// A wrong secret: the server answers SignatureDoesNotMatch.
		bad := s3.New(s3.Options{
			Region:           "us-east-1",
			Credentials:      credentials.NewStaticCredentialsProvider(testAKID, "not-the-secret", ""),
			BaseEndpoint:     aws.String(srv.URL),
			UsePathStyle:     true,
			HTTPClient:       srv.Client(),
			RetryMaxAttempts: 1,
		})
		_, err := bad.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("plain.txt")})
		if err == nil || !strings.Contains(err.Error(), CodeSignatureDoesNotMatch) {
			t.Errorf("wrong secret: %v", err)
		}
	}
}

// TestSDKS3Presign presigns GetObject and PutObject with the S3 presign
// client, uses the URLs, and checks expiry against a clock moved forward.
func TestSDKS3Presign(t *testing.T) {
	var offset atomic.Int64
	fake := newS3Fake(t, func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	srv := httptest.NewServer(fake)
	defer srv.Close()
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(testAKID, testSecret, ""),
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
	})
	presigner := s3.NewPresignClient(client)
	ctx := context.Background()
	key := "dir/some key+é.txt"
	data := []byte("presigned object body")

	put, err := presigner.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)},
		s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, u string, hdr http.Header, body []byte) (int, []byte) {
		req, err := http.NewRequest(method, u, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range hdr {
			if k != "Host" {
				req.Header[k] = vs
			}
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	if code, b := do(put.Method, put.URL, put.SignedHeader, data); code != 200 {
		t.Fatalf("presigned PUT: %d %s", code, b)
	}
	get, err := presigner.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)},
		s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if code, b := do(get.Method, get.URL, get.SignedHeader, nil); code != 200 || !bytes.Equal(b, data) {
		t.Fatalf("presigned GET: %d %s", code, b)
	}
	offset.Store(int64(11 * time.Minute))
	if code, b := do(get.Method, get.URL, get.SignedHeader, nil); code != 403 || !strings.Contains(string(b), CodeAccessDenied) {
		t.Fatalf("expired presigned GET: %d %s", code, b)
	}
	_, err, _ = fake.last()
	if code, msg := errCode(t, err); code != CodeAccessDenied || msg != msgRequestExpired {
		t.Errorf("expired: %s %q", code, msg)
	}
	// A week and a second is refused whatever the clock says.
	offset.Store(0)
	long, err := presigner.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)},
		s3.WithPresignExpires(7*24*time.Hour+time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if code, b := do(long.Method, long.URL, long.SignedHeader, nil); code != 400 || !strings.Contains(string(b), CodeAuthorizationQueryParametersError) {
		t.Fatalf("over a week: %d %s", code, b)
	}
}
