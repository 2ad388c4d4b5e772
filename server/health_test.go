package server_test

import (
	"testing"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestReadyz: /readyz is 200 "ok" while the store answers and 503 with a
// short reason once it does not, while /healthz (liveness) stays 200. The
// PostgreSQL black-hole case is in store/postgres (TestBlackholeServer).
func TestReadyz(t *testing.T) {
	srv := testserver.Start(t)
	resp, body := get(t, srv.URL+"/readyz")
	if resp.StatusCode != 200 || body != "ok\n" {
		t.Fatalf("readyz: %d %q, want 200 ok", resp.StatusCode, body)
	}
	srv.Store.Close()
	resp, body = get(t, srv.URL+"/readyz")
	if resp.StatusCode != 503 || body != "store error\n" {
		t.Errorf("readyz with the store closed: %d %q, want 503 store error", resp.StatusCode, body)
	}
	if resp, _ := get(t, srv.URL+"/healthz"); resp.StatusCode != 200 {
		t.Errorf("healthz with the store closed: %d, want 200", resp.StatusCode)
	}
}
