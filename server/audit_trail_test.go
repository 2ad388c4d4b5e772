package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/trail"
	trailsqlite "github.com/gatehouse-iam/gatehouse/trail/sqlite"
)

func signedReq(t *testing.T, endpoint, service string, form url.Values) *http.Request {
	t.Helper()
	body := form.Encode()
	req := httptest.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: testserver.RootKeyID, SecretAccessKey: testserver.RootSecretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	return req
}

// failingStore is a trail whose writes fail.
type failingStore struct{ trail.Store }

func (failingStore) Append(context.Context, []trail.Entry) error { return errors.New("disk on fire") }

// A trail that cannot be written fails the request with 503
// ServiceUnavailable, not an unrecorded success.
func TestTrailFailureIs503(t *testing.T) {
	st, err := trailsqlite.Open(t.Context(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv := testserver.StartWith(t, testserver.Options{Trail: failingStore{st}})
	w := httptest.NewRecorder()
	srv.HTTP.Handler().ServeHTTP(w, signedReq(t, srv.URL, "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "ServiceUnavailable") {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
}

// deadlineWriter is a sqlite trail that notes whether Write is bounded by
// a deadline.
type deadlineWriter struct {
	*trailsqlite.Store
	writes, unbounded atomic.Int32
}

func (d *deadlineWriter) Write(ctx context.Context, es []trail.Entry) error {
	d.writes.Add(1)
	if _, ok := ctx.Deadline(); !ok {
		d.unbounded.Add(1)
	}
	return d.Store.Write(ctx, es)
}

// Every wait has a deadline: the request's write of its event too (a
// segment write or fsync that hangs must not hang the request forever:
// it was answered 503 after recordTimeout).
func TestRecordWriteHasDeadline(t *testing.T) {
	st, err := trailsqlite.Open(t.Context(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	d := &deadlineWriter{Store: st}
	srv := testserver.StartWith(t, testserver.Options{Trail: d})
	w := httptest.NewRecorder()
	srv.HTTP.Handler().ServeHTTP(w, signedReq(t, srv.URL, "sts", url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if d.writes.Load() == 0 {
		t.Fatal("the recorder did not use the Writer")
	}
	if n := d.unbounded.Load(); n > 0 {
		t.Errorf("%d of %d trail writes ran without a deadline", n, d.writes.Load())
	}
}

// The readOnly cache holds the known actions, a finite set: case variants
// of one action a caller sends do not each add an entry.
func TestReadOnlyCacheBounded(t *testing.T) {
	srv := testserver.Start(t)
	h := srv.HTTP.Handler()
	variants := []string{"GetUser", "getuser", "GETUSER", "gEtUsEr", "GeTuSeR", "getUser", "Getuser", "GetUSER"}
	for _, v := range variants {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signedReq(t, srv.URL, "iam", url.Values{"Action": {v}, "Version": {"2010-05-08"}}))
		body, _ := io.ReadAll(w.Result().Body)
		t.Logf("%s: %d %.80s", v, w.Code, body)
	}
	if n := srv.HTTP.ReadOnlyCacheLenForTest(); n > 2 {
		t.Errorf("%d readOnly cache entries after %d spellings of one action: a caller grows it without bound", n, len(variants))
	}
}
