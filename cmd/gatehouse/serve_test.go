package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/internal/blackhole"
	"github.com/gatehouse-iam/gatehouse/keyring"
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

// TestServeUnreachableStore: `serve --store` against a database that
// accepts connections but never answers fails after --store-timeout with a
// message that says so, instead of hanging.
func TestServeUnreachableStore(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	hole := blackhole.New(t, silent.Addr().String())
	hole.Blackhole()
	key, err := keyring.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(keyring.EnvVar, keyring.EncodeKey(key))
	cfg := &serveConfig{Addr: freeAddr(t), StoreDSN: "postgres://gatehouse@" + hole.Addr() + "/gatehouse?sslmode=disable",
		LogFormat: "text", LogLevel: "info", StoreTimeout: 2 * time.Second}
	done := make(chan error, 1)
	start := time.Now()
	var out, errb syncBuffer
	go func() { done <- serve(t.Context(), cfg, &out, &errb) }()
	select {
	case err = <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("serve still starting after 15s against a silent database")
	}
	t.Logf("serve against a silent database: %v after %v", err, time.Since(start).Round(time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), "opening the PostgreSQL store") || !strings.Contains(err.Error(), "did not answer within 2s") {
		t.Errorf("serve: %v, want a clear error naming the bound", err)
	}
}

// TestServeMaxAccessKeyAge: --max-access-key-age is 1 to 3650 days, 0 the
// default (90).
func TestServeMaxAccessKeyAge(t *testing.T) {
	for _, c := range []struct {
		days int
		ok   bool
	}{{0, true}, {1, true}, {90, true}, {3650, true}, {-1, false}, {3651, false}} {
		cfg := serveConfig{LogFormat: "text", Audit: auditConfig{On: false}, MaxAccessKeyAgeDays: c.days}
		err := cfg.Validate()
		if (err == nil) != c.ok || err != nil && !strings.Contains(err.Error(), "--max-access-key-age") {
			t.Errorf("--max-access-key-age %d: %v", c.days, err)
		}
	}
}

// --cpu-profile writes a profile when the run ends, and an unwritable path
// is refused before the server starts.
func TestCPUProfile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	stop, err := startCPUProfile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Fatalf("profile %v, %v: want a non-empty file", fi, err)
	}
	if _, err := startCPUProfile(filepath.Join(t.TempDir(), "missing", "cpu.pprof")); err == nil || !strings.Contains(err.Error(), "--cpu-profile") {
		t.Fatalf("unwritable path: %v", err)
	}
}
