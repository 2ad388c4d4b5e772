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
	"sync"
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

// stalledStore is a trail whose Appends, once stall is set, hang deaf to
// their context (a disk that does not answer) until release is closed.
type stalledStore struct {
	trail.Store
	stall   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func (s *stalledStore) Append(ctx context.Context, es []trail.Entry) error {
	if s.stall.Load() {
		select {
		case s.entered <- struct{}{}:
		default:
		}
		<-s.release
	}
	return s.Store.Append(ctx, es)
}

// A request has no deadline of its own for its event (a timer per request
// cost more than the write), yet no wait is unbounded: behind a write that
// hangs, deaf to its context, a request is answered 503 when the
// recorder's timeout (5 s) expires; the hung write's own request is
// answered once the disk answers (200, or 503 when the store refuses a
// write whose time is up).
func TestStalledTrailIs503(t *testing.T) {
	t.Parallel()
	st, err := trailsqlite.Open(t.Context(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stalled := &stalledStore{Store: st, entered: make(chan struct{}, 1), release: make(chan struct{})}
	srv := testserver.StartWith(t, testserver.Options{Trail: stalled})
	var once sync.Once
	release := func() { once.Do(func() { close(stalled.release) }) }
	defer release() // before the server's cleanup, which waits for the recorder
	h := srv.HTTP.Handler()
	gci := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
	stalled.stall.Store(true)
	first := make(chan int, 1)
	go func() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, signedReq(t, srv.URL, "sts", gci))
		first <- w.Code
	}()
	<-stalled.entered
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedReq(t, srv.URL, "sts", gci))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "ServiceUnavailable") {
		t.Errorf("behind a stalled trail: status %d: %s", w.Code, w.Body)
	}
	stalled.stall.Store(false)
	release()
	// Its batch's timeout expired meanwhile: the store may refuse it.
	if code := <-first; code != http.StatusOK && code != http.StatusServiceUnavailable {
		t.Errorf("the stalled write's own request, once the disk answered: status %d", code)
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
