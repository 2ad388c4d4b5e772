package upstream_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-iam/gatehouse/objectstore"
	"github.com/gatehouse-iam/gatehouse/objectstore/backendtest"
	"github.com/gatehouse-iam/gatehouse/objectstore/upstream"
)

// seaweedEnv names the weed binary the SeaweedFS test runs; unset, it is
// skipped. .ci/run builds one (and caches it); by hand, from the module's
// source (`go install …@version` refuses it: its go.mod has replace
// directives), which takes several minutes of CPU:
//
//	D=$(cd /tmp && go mod download -json github.com/seaweedfs/seaweedfs@v0.0.0-20261109003541-7506e5f91cd6 | jq -r .Dir)
//	cp -r "$D" /tmp/weedsrc && chmod -R u+w /tmp/weedsrc
//	(cd /tmp/weedsrc && go build -o /tmp/weed/weed ./weed)
const seaweedEnv = "GATEHOUSE_TEST_SEAWEEDFS"

// seaweedLimits are what SeaweedFS (at the version above) lacks of S3's
// behaviour and the upstream backend cannot make up for; the suite leaves
// those checks out. The README's upstream section lists them too.
var seaweedLimits = []backendtest.Limit{
	{Lacks: backendtest.FlatKeys, Why: "SeaweedFS keeps objects as files in directories: a PUT of \"a/\" or \"a/b\" beside an object \"a\" fails with 409 ExistingObjectIsFile, \"/a\" and \"a//b\" are stored as \"a\" and \"a/b\", and a listing with prefix \"a/\" leaves out the directory marker \"a/\""},
	{Lacks: backendtest.SinglePartCopy, Why: "SeaweedFS's CopyObject of a multipart object keeps its parts and its \"…-N\" ETag"},
	{Lacks: backendtest.NullMarkerDelete, Why: "SeaweedFS's DELETE ?versionId=null answers 204 but leaves a null delete marker in place"},
	{Lacks: backendtest.WriteOrder, Why: "SeaweedFS orders the null version and the other versions of a key by their times in whole seconds, so a version (or delete marker) written in the same second as the null version may rank below it"},
	overS3,
}

// overS3 is what the upstream backend lacks over any S3 server: it
// rewrites an object's metadata but its tags with a self-copy (see the
// package documentation's Costs).
var overS3 = backendtest.Limit{Lacks: backendtest.MetaInPlace, Why: "the upstream backend changes an ACL by a self-copy upstream, which moves LastModified"}

const (
	seaweedKey    = "GATEHOUSETESTKEY0001"
	seaweedSecret = "gatehouse-test-secret-0123456789abcdefgh"
)

// freePorts returns n loopback ports that are free, each with port+10000
// free too (SeaweedFS's default gRPC port; all are given explicitly anyway).
func freePorts(t testing.TB, n int) []int {
	var ports []int
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	for len(ports) < n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		p := ln.Addr().(*net.TCPAddr).Port
		if p+10000 > 65535 {
			continue
		}
		g, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+10000))
		if err != nil {
			continue
		}
		lns = append(lns, g)
		ports = append(ports, p)
	}
	return ports
}

// startSeaweedFS runs `weed server -s3` (master, volume, filer and S3
// gateway in one process) on loopback ports for the test and returns its S3
// endpoint.
func startSeaweedFS(t testing.TB, weed string) string {
	dir := t.TempDir()
	conf := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(`{"identities":[{"name":"gatehouse","credentials":[{"accessKey":%q,"secretKey":%q}],"actions":["Admin","Read","List","Tagging","Write"]}]}`,
		seaweedKey, seaweedSecret)), 0o600); err != nil {
		t.Fatal(err)
	}
	p := freePorts(t, 4)
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	args := []string{"server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + data, "-volume.max=1000",
		"-master.volumeSizeLimitMB=64", "-filer", "-s3", "-s3.config=" + conf,
		fmt.Sprintf("-master.port=%d", p[0]), fmt.Sprintf("-master.port.grpc=%d", p[0]+10000),
		fmt.Sprintf("-volume.port=%d", p[1]), fmt.Sprintf("-volume.port.grpc=%d", p[1]+10000),
		fmt.Sprintf("-filer.port=%d", p[2]), fmt.Sprintf("-filer.port.grpc=%d", p[2]+10000),
		fmt.Sprintf("-s3.port=%d", p[3]), fmt.Sprintf("-s3.port.grpc=%d", p[3]+10000)}
	cmd := exec.Command(weed, args...)
	logf, err := os.Create(filepath.Join(dir, "weed.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", weed, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logf.Close()
		if t.Failed() {
			if out, err := os.ReadFile(logf.Name()); err == nil && len(out) > 0 {
				t.Logf("weed log (tail):\n%s", tail(out, 4000))
			}
		}
	})
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", p[3])
	// Ready when the S3 gateway creates and deletes a bucket (the filer and
	// a volume must be up for that).
	b, err := upstream.Open(upstream.Options{Endpoint: endpoint, AccessKeyID: seaweedKey, SecretAccessKey: seaweedSecret})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	deadline := time.Now().Add(90 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		err := b.CreateBucket(ctx, "gatehouse-ready")
		if err == nil {
			err = b.DeleteBucket(ctx, "gatehouse-ready")
		}
		cancel()
		if err == nil {
			return endpoint
		}
		if time.Now().After(deadline) {
			t.Fatalf("SeaweedFS not ready after 90 s: %v", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// TestConformanceSeaweedFS runs the suite against a real SeaweedFS when
// GATEHOUSE_TEST_SEAWEEDFS names its weed binary.
func TestConformanceSeaweedFS(t *testing.T) {
	weed := os.Getenv(seaweedEnv)
	if weed == "" {
		t.Skipf("set %s to a weed binary (SeaweedFS) to run the suite against SeaweedFS", seaweedEnv)
	}
	endpoint := startSeaweedFS(t, weed)
	backendtest.Run(t, func(t *testing.T) objectstore.Backend {
		b, err := upstream.Open(upstream.Options{Endpoint: endpoint, AccessKeyID: seaweedKey, SecretAccessKey: seaweedSecret, BucketPrefix: "gh-"})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}, seaweedLimits...)
}

// TestConformanceS3 runs the suite against any S3-compatible server already
// running (MinIO, Ceph RGW, Garage, …): GATEHOUSE_TEST_S3_UPSTREAM is its
// endpoint URL, GATEHOUSE_TEST_S3_UPSTREAM_ACCESS_KEY_ID and
// GATEHOUSE_TEST_S3_UPSTREAM_SECRET_ACCESS_KEY its credentials,
// GATEHOUSE_TEST_S3_UPSTREAM_REGION its region (default us-east-1). The
// buckets it makes are named gh-test-bt-….
func TestConformanceS3(t *testing.T) {
	endpoint := os.Getenv("GATEHOUSE_TEST_S3_UPSTREAM")
	if endpoint == "" {
		t.Skip("set GATEHOUSE_TEST_S3_UPSTREAM (and its _ACCESS_KEY_ID, _SECRET_ACCESS_KEY) to run the suite against an S3-compatible server")
	}
	backendtest.Run(t, func(t *testing.T) objectstore.Backend {
		b, err := upstream.Open(upstream.Options{Endpoint: endpoint, Region: os.Getenv("GATEHOUSE_TEST_S3_UPSTREAM_REGION"),
			AccessKeyID: os.Getenv("GATEHOUSE_TEST_S3_UPSTREAM_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("GATEHOUSE_TEST_S3_UPSTREAM_SECRET_ACCESS_KEY"),
			BucketPrefix: "gh-test-"})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}, overS3)
}

// TestSeaweedFSVerifiesThroughFront: over a plain HTTP hop the front hands
// the verification of a signed payload to the upstream (it is signed to
// it with the client's digest, and hashed there only), so the upstream
// must refuse bytes that do not match it, as S3 does
// (XAmzContentSHA256Mismatch, "The provided 'x-amz-content-sha256' header
// does not match what was computed.",
// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html):
// SeaweedFS does, and the client gets S3's error with nothing stored.
func TestSeaweedFSVerifiesThroughFront(t *testing.T) {
	weed := os.Getenv(seaweedEnv)
	if weed == "" {
		t.Skipf("set %s to a weed binary (SeaweedFS) to run the suite against SeaweedFS", seaweedEnv)
	}
	endpoint := startSeaweedFS(t, weed)
	b, err := upstream.Open(upstream.Options{Endpoint: endpoint, AccessKeyID: seaweedKey, SecretAccessKey: seaweedSecret, BucketPrefix: "vf-"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	url := startFront(t, b)
	ctx := t.Context()
	docsBucket(t, url)
	good := bytes.Repeat([]byte("signed "), 200000)
	if status, body := signedPut(t, url+"/docs/k", good, hexSHA256(good)); status != http.StatusOK {
		t.Fatalf("PUT = %d %s", status, body)
	}
	bad := bytes.Clone(good)
	bad[len(bad)-1] ^= 1
	status, body := signedPut(t, url+"/docs/k", bad, hexSHA256(good))
	if status != http.StatusBadRequest || !strings.Contains(body, "<Code>XAmzContentSHA256Mismatch</Code>") ||
		!strings.Contains(body, "<ClientComputedContentSHA256>"+hexSHA256(good)+"</ClientComputedContentSHA256>") {
		t.Fatalf("PUT of a body its digest does not cover = %d %s", status, body)
	}
	assertObject(ctx, t, b, "docs", "k", good)
	if status, body := signedPut(t, url+"/docs/new", bad, hexSHA256(good)); status != http.StatusBadRequest {
		t.Fatalf("PUT of a new key with a body its digest does not cover = %d %s", status, body)
	}
	if _, err := b.HeadObject(ctx, "docs", "new", ""); !errors.Is(err, objectstore.ErrNoSuchKey) {
		t.Fatalf("HeadObject after the refused PUT = %v, want ErrNoSuchKey", err)
	}
}
