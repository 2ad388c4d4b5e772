package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
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
}

// TestServeUpstream runs `serve --s3-upstream` in front of another
// Gatehouse and stores an object through it: the object lands upstream in
// the prefixed bucket.
func TestServeUpstream(t *testing.T) {
	back := testserver.Start(t)
	for _, k := range []string{"GATEHOUSE_MASTER_KEY", "GATEHOUSE_ACCOUNT_ID"} {
		t.Setenv(k, "")
	}
	t.Setenv("GATEHOUSE_ROOT_ACCESS_KEY_ID", "AKIAFRONTEXAMPLE0001")
	t.Setenv("GATEHOUSE_ROOT_SECRET_ACCESS_KEY", "frontsecretfrontsecretfrontsecretfront00")
	t.Setenv(upstreamKeyEnv, testserver.RootKeyID)
	t.Setenv(upstreamSecretEnv, testserver.RootSecretKey)
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan error, 1)
	cfg := &serveConfig{Addr: addr, DataDir: t.TempDir(), AccountID: "210987654321", LogFormat: "json", LogLevel: "info",
		S3Upstream: back.URL, S3UpstreamRegion: "us-east-1", S3UpstreamPrefix: "front-"}
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
	client := func(url, key, secret string) *s3.Client {
		return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true,
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
	}
	front := client("http://"+addr, "AKIAFRONTEXAMPLE0001", "frontsecretfrontsecretfrontsecretfront00")
	if _, err := front.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("docs")}); err != nil {
		t.Fatal(err)
	}
	if _, err := front.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("docs"), Key: aws.String("k"), Body: bytes.NewReader([]byte("hello"))}); err != nil {
		t.Fatal(err)
	}
	got, err := client(back.URL, testserver.RootKeyID, testserver.RootSecretKey).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("front-docs"), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("the object is not upstream in front-docs: %v", err)
	}
	data, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(data) != "hello" {
		t.Fatalf("upstream object = %q", data)
	}
	if strings.Contains(errb.String(), testserver.RootSecretKey) || strings.Contains(out.String(), testserver.RootSecretKey) {
		t.Fatal("the upstream secret was printed")
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
}
