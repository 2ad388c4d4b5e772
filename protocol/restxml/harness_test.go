package restxml_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/api/s3codec"
	"github.com/gatehouse-iam/gatehouse/protocol/restxml"
)

// handlerFunc answers a decoded request, as the S3 service layer will.
type handlerFunc func(req *restxml.Request, in any) (any, error)

// harness is an S3 endpoint for tests: path-style addressing split the way
// the server splits it, then Resolve, Decode, the handler, and
// WriteResponse or WriteError. It records what it resolved.
type harness struct {
	t      *testing.T
	svc    *restxml.Service
	handle handlerFunc

	mu       sync.Mutex
	resolved []string
	inputs   []any
}

func newHarness(t *testing.T, handle handlerFunc) (*harness, *s3.Client) {
	t.Helper()
	h := &harness{t: t, svc: s3codec.Service(), handle: handle}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	client := s3.New(s3.Options{
		BaseEndpoint:               aws.String(srv.URL),
		UsePathStyle:               true,
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts:           1,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	return h, client
}

// splitPathStyle splits "/bucket/key..." as the server does.
func splitPathStyle(escaped string) (bucket, key string, err error) {
	p := strings.TrimPrefix(escaped, "/")
	b, k, _ := strings.Cut(p, "/")
	if bucket, err = url.PathUnescape(b); err != nil {
		return "", "", err
	}
	if key, err = url.PathUnescape(k); err != nil {
		return "", "", err
	}
	return bucket, key, nil
}

const testRequestID = "4442587FB7D0A2F9"

func (h *harness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	bucket, key, err := splitPathStyle(r.URL.EscapedPath())
	if err != nil {
		_ = h.svc.WriteError(w, r, testRequestID, restxml.InvalidRequest("bad path"))
		return
	}
	req, err := h.svc.Resolve(r, bucket, key)
	if err != nil {
		_ = h.svc.WriteError(w, r, testRequestID, restxml.ErrorOf(err))
		return
	}
	h.mu.Lock()
	h.resolved = append(h.resolved, req.Operation())
	h.mu.Unlock()
	in, err := h.svc.Decode(req, r.Body)
	if err != nil {
		_ = h.svc.WriteError(w, r, testRequestID, restxml.ErrorOf(err))
		return
	}
	h.mu.Lock()
	h.inputs = append(h.inputs, in)
	h.mu.Unlock()
	var out any
	if h.handle != nil {
		out, err = h.handle(req, in)
		if err != nil {
			_ = h.svc.WriteError(w, r, testRequestID, restxml.ErrorOf(err))
			return
		}
	}
	if err := h.svc.WriteResponse(w, req, testRequestID, out); err != nil {
		h.t.Errorf("WriteResponse: %v", err)
	}
}

// last returns the last resolved operation and decoded input.
func (h *harness) last() (string, any) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var name string
	var in any
	if len(h.resolved) > 0 {
		name = h.resolved[len(h.resolved)-1]
	}
	if len(h.inputs) > 0 {
		in = h.inputs[len(h.inputs)-1]
	}
	return name, in
}

func (h *harness) reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.resolved, h.inputs = nil, nil
}

var ctx = context.Background()
