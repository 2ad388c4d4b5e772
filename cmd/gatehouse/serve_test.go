package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeLifecycle: the first start creates the account and prints the root key
// once; /healthz answers; cancelling shuts down cleanly; a second start on the
// same data reuses the account and prints no key.
func TestServeLifecycle(t *testing.T) {
	for _, k := range []string{"GATEHOUSE_ROOT_ACCESS_KEY_ID", "GATEHOUSE_ROOT_SECRET_ACCESS_KEY", "GATEHOUSE_MASTER_KEY", "GATEHOUSE_ACCOUNT_ID"} {
		t.Setenv(k, "")
	}
	dir := t.TempDir()
	start := func() (stdout string, logs string) {
		addr := freeAddr(t)
		ctx, cancel := context.WithCancel(context.Background())
		var out, errb syncBuffer
		done := make(chan error, 1)
		cfg := &serveConfig{Addr: addr, DataDir: dir, AccountID: "210987654321", LogFormat: "json", LogLevel: "info"}
		go func() { done <- serve(ctx, cfg, &out, &errb) }()
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, err := http.Get("http://" + addr + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("server did not start: %s", errb.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("serve returned %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not shut down")
		}
		return out.String(), errb.String()
	}
	out, logs := start()
	if !strings.Contains(out, "Created management account 210987654321") || !strings.Contains(out, "AWS_SECRET_ACCESS_KEY=") {
		t.Fatalf("first start printed %q", out)
	}
	secret := out[strings.Index(out, "AWS_SECRET_ACCESS_KEY=")+len("AWS_SECRET_ACCESS_KEY="):]
	secret = strings.TrimSpace(strings.SplitN(secret, "\n", 2)[0])
	if len(secret) != 40 || strings.Contains(logs, secret) {
		t.Fatalf("the secret must be 40 characters and never logged")
	}
	out, _ = start()
	if strings.Contains(out, "AWS_SECRET_ACCESS_KEY") {
		t.Fatalf("second start printed a key again: %q", out)
	}
}
