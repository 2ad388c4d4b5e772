package main

import (
	"strings"
	"testing"
)

func TestServeUpstreamConfig(t *testing.T) {
	c := serveConfig{S3Upstream: "http://127.0.0.1:8333", ObjectsDir: "/tmp/objects"}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--s3-upstream") {
		t.Fatalf("--s3-dir with --s3-upstream: %v", err)
	}
	t.Setenv(upstreamKeyEnv, "")
	t.Setenv(upstreamSecretEnv, "")
	c.ObjectsDir = ""
	if _, err := openUpstream(&c); err == nil || !strings.Contains(err.Error(), upstreamSecretEnv) {
		t.Fatalf("--s3-upstream without credentials: %v", err)
	}
	t.Setenv(upstreamKeyEnv, "AKIDEXAMPLE")
	t.Setenv(upstreamSecretEnv, "secret")
	b, err := openUpstream(&c)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	if cmd := newServeCmd(); cmd.Flags().Lookup("s3-upstream-secret-access-key") != nil {
		t.Fatal("a secret must not be a flag")
	}
}
