package upstream

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestUpstreamVerifiesProbe: the backend learns once whether the upstream
// refuses a payload that does not match the digest its write was signed
// with. Gatehouse does (XAmzContentSHA256Mismatch); an upstream that stores
// whatever it is sent does not, and the probe's bytes are deleted there; an
// upstream that cannot be reached is asked again later, and meanwhile
// nothing is delegated.
func TestUpstreamVerifiesProbe(t *testing.T) {
	srv := testserver.Start(t)
	open := func(endpoint string) *Backend {
		b, err := Open(Options{Endpoint: endpoint, Region: "us-east-1", AccessKeyID: testserver.RootKeyID,
			SecretAccessKey: testserver.RootSecretKey, BucketPrefix: "pr-"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	}
	ctx := t.Context()

	b := open(srv.URL)
	for i := range 2 { // probed, then known
		if !b.upstreamVerifies(ctx) {
			t.Fatalf("call %d: Gatehouse, which verifies signed payloads, is taken as not verifying", i+1)
		}
	}

	// An upstream that answers 200 to everything: it would store the
	// probe's bytes.
	var mu sync.Mutex
	var calls []string
	lax := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, r.Method+" "+r.URL.Path)
		mu.Unlock()
		w.Header().Set("ETag", `"d41d8cd98f00b204e9800998ecf8427e"`)
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(lax.Close)
	b = open(lax.URL)
	if b.upstreamVerifies(ctx) {
		t.Fatal("an upstream that stores any payload is taken as verifying")
	}
	mu.Lock()
	probed := append([]string(nil), calls...)
	mu.Unlock()
	if want := "DELETE /" + "pr-" + DefaultUploadsBucket + "/pr-.payload-probe"; len(probed) == 0 || probed[len(probed)-1] != want {
		t.Fatalf("calls %q, want the probe deleted last (%s)", probed, want)
	}
	if b.upstreamVerifies(ctx) {
		t.Fatal("asked again, the answer changed")
	}
	mu.Lock()
	again := len(calls)
	mu.Unlock()
	if again != len(probed) {
		t.Fatalf("the probe ran again: %d calls, then %d", len(probed), again)
	}

	// An upstream that refuses the probe otherwise (403): not delegating,
	// and not probed again at every write.
	var puts int
	deny := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.HasSuffix(r.URL.Path, ".payload-probe") {
			mu.Lock()
			puts++
			mu.Unlock()
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`))
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(deny.Close)
	b = open(deny.URL)
	for range 2 {
		if b.upstreamVerifies(ctx) {
			t.Fatal("an upstream that refuses the probe with AccessDenied is taken as verifying")
		}
	}
	mu.Lock()
	if puts != 1 {
		t.Fatalf("probe PUTs = %d, want 1", puts)
	}
	mu.Unlock()

	// Unreachable: not known, so asked again at the next write.
	gone := httptest.NewServer(http.NotFoundHandler())
	url := gone.URL
	gone.Close()
	b = open(url)
	if b.upstreamVerifies(ctx) {
		t.Fatal("an unreachable upstream is taken as verifying")
	}
	if b.probe.Load() != 0 {
		t.Fatalf("an unreachable upstream's answer was kept (%d)", b.probe.Load())
	}
}
