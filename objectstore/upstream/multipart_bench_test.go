package upstream_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/objectstore/upstream"
)

// BenchmarkMultipartThroughFront measures a multipart upload with the SDK's
// transfer manager (8 MiB parts, 4 at a time) through a Gatehouse front —
// SigV4, authorization, the upstream backend re-signing and streaming each
// part — beside the same upload sent directly to the server behind it
// (Gatehouse over disk). The size is GATEHOUSE_BENCH_MULTIPART_MIB (256 MiB
// by default; the figure is 1024):
//
//	GATEHOUSE_BENCH_MULTIPART_MIB=1024 go test ./objectstore/upstream -run '^$' -bench MultipartThroughFront -count 3
//
// With GATEHOUSE_BENCH_UPSTREAM_TLS=1 the front reaches the server behind
// it over HTTPS (the same server, on a TLS listener of its own), as a
// front whose upstream is on another machine should; the client still
// speaks plain HTTP to both, so it signs its payloads (SHA-256 of each
// part, verified by the server it reaches). With GATEHOUSE_BENCH_TLS=1
// every hop is HTTPS: the client reaches the front and, for "direct", the
// server behind it over TLS, as a client of a remote endpoint does, and
// then sends what the SDK sends over HTTPS (UNSIGNED-PAYLOAD, a CRC32 of
// each part).
func BenchmarkMultipartThroughFront(b *testing.B) {
	mib := 256
	if v, err := strconv.Atoi(os.Getenv("GATEHOUSE_BENCH_MULTIPART_MIB")); err == nil && v > 0 {
		mib = v
	}
	allTLS := os.Getenv("GATEHOUSE_BENCH_TLS") != ""
	back, be := openGatehouse(b, "front-")
	var hc aws.HTTPClient // the client's, nil for plain HTTP
	directURL := back.URL
	if allTLS || os.Getenv("GATEHOUSE_BENCH_UPSTREAM_TLS") != "" {
		var ts *httptest.Server
		be, ts = openTLSHop(b, back, "front-")
		if allTLS {
			// The SDK's own client, trusting the test certificate.
			roots := ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
			hc = awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
				tr.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
			})
			directURL = ts.URL
		}
	}
	var front string
	if allTLS {
		ts := httptest.NewTLSServer(frontHandler(b, be))
		b.Cleanup(ts.Close)
		front = ts.URL
	} else {
		front = startFront(b, be)
	}
	config := func(url string) aws.Config {
		cfg := back.Config(testserver.RootKeyID, testserver.RootSecretKey)
		cfg.BaseEndpoint = aws.String(url)
		if hc != nil {
			cfg.HTTPClient = hc
		}
		return cfg
	}
	benchUploads(b, []uploadTarget{{"front", config(front)}, {"direct", config(directURL)}}, mib)
}

// BenchmarkMultipartThroughFrontSeaweedFS is BenchmarkMultipartThroughFront
// with SeaweedFS behind the front (GATEHOUSE_TEST_SEAWEEDFS, a weed
// binary, as for TestConformanceSeaweedFS; skipped without it): the
// deployment the upstream backend is for, an S3 server that Gatehouse
// guards. "direct" is the same upload sent to SeaweedFS's S3 port with its
// own key; every hop is plain HTTP on loopback, so the client signs its
// payloads:
//
//	GATEHOUSE_TEST_SEAWEEDFS=weed GATEHOUSE_BENCH_MULTIPART_MIB=1024 go test ./objectstore/upstream -run '^$' -bench MultipartThroughFrontSeaweedFS -count 3
func BenchmarkMultipartThroughFrontSeaweedFS(b *testing.B) {
	weed := os.Getenv(seaweedEnv)
	if weed == "" {
		b.Skipf("set %s to a weed binary (SeaweedFS) to measure the front before SeaweedFS", seaweedEnv)
	}
	mib := 256
	if v, err := strconv.Atoi(os.Getenv("GATEHOUSE_BENCH_MULTIPART_MIB")); err == nil && v > 0 {
		mib = v
	}
	endpoint := startSeaweedFS(b, weed)
	be, err := upstream.Open(upstream.Options{Endpoint: endpoint, AccessKeyID: seaweedKey, SecretAccessKey: seaweedSecret, BucketPrefix: "front-"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { be.Close() })
	front := startFront(b, be)
	config := func(url, key, secret string) aws.Config {
		return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url),
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")}
	}
	benchUploads(b, []uploadTarget{
		{"front", config(front, testserver.RootKeyID, testserver.RootSecretKey)},
		{"direct", config(endpoint, seaweedKey, seaweedSecret)},
	}, mib)
}

// uploadTarget is an endpoint a benchmark uploads to, and the client
// configuration that reaches it.
type uploadTarget struct {
	name string
	cfg  aws.Config
}

// benchUploads runs a sub-benchmark per target: a bucket of its own, then
// uploads of mib MiB with the transfer manager (8 MiB parts, 4 at a time),
// reporting the process's CPU per upload. Each target first takes one
// upload of the same size unmeasured, so that what a server does once
// (SeaweedFS grows its volumes as the first gigabyte arrives, and the
// first target would pay for it) weighs on no measured upload.
func benchUploads(b *testing.B, targets []uploadTarget, mib int) {
	ctx := context.Background()
	size := int64(mib) << 20
	for _, c := range targets {
		s3c := s3.NewFromConfig(c.cfg, func(o *s3.Options) { o.UsePathStyle = true })
		bucket := "mp-" + c.name
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			b.Fatal(err)
		}
		tm := transfermanager.New(s3c, func(o *transfermanager.Options) {
			o.PartSizeBytes = 8 << 20
			o.Concurrency = 4
		})
		upload := func(b *testing.B) {
			body := io.LimitReader(repeatReader{}, size)
			if _, err := tm.UploadObject(ctx, &transfermanager.UploadObjectInput{Bucket: aws.String(bucket), Key: aws.String("big"),
				Body: body}); err != nil {
				b.Fatal(err)
			}
		}
		upload(b)
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(size)
			cpu := processCPU()
			for b.Loop() {
				upload(b)
			}
			reportCPU(b, cpu)
		})
	}
}

// BenchmarkPutThroughFront measures one PutObject of
// GATEHOUSE_BENCH_PUT_MIB (256 MiB by default) with the SDK's own client
// (signed payload over HTTP, CRC32 in a header) through a Gatehouse front
// whose upstream backend forwards to a second Gatehouse over disk, beside
// the same PUT sent to the second Gatehouse directly:
//
//	go test ./objectstore/upstream -run '^$' -bench PutThroughFront -count 3
func BenchmarkPutThroughFront(b *testing.B) {
	mib := 256
	if v, err := strconv.Atoi(os.Getenv("GATEHOUSE_BENCH_PUT_MIB")); err == nil && v > 0 {
		mib = v
	}
	ctx := context.Background()
	back, be := openGatehouse(b, "front-")
	front := startFront(b, be)
	for _, c := range []struct {
		name string
		url  string
	}{{"front", front}, {"direct", back.URL}} {
		cfg := back.Config(testserver.RootKeyID, testserver.RootSecretKey)
		cfg.BaseEndpoint = aws.String(c.url)
		s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
		bucket := "put-" + c.name
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			b.Fatal(err)
		}
		// The SDK hashes a body it can seek (over HTTP, for the
		// signature): a bytes.Reader of the whole object, made once.
		data := make([]byte, int64(mib)<<20)
		if _, err := io.ReadFull(repeatReader{}, data); err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			cpu := processCPU()
			for b.Loop() {
				if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("big"),
					Body: bytes.NewReader(data)}); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, cpu)
		})
	}
}

// openTLSHop serves back's handler on a TLS listener too and returns an
// upstream backend that reaches it there, and that listener.
func openTLSHop(b *testing.B, back *testserver.Server, prefix string) (*upstream.Backend, *httptest.Server) {
	ts := httptest.NewTLSServer(back.HTTP.Handler())
	b.Cleanup(ts.Close)
	tr := ts.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64 // as upstream's own client: no new handshake per part
	tr.DisableCompression = true
	be, err := upstream.Open(upstream.Options{Endpoint: ts.URL, Region: "us-east-1", AccessKeyID: testserver.RootKeyID,
		SecretAccessKey: testserver.RootSecretKey, BucketPrefix: prefix, HTTPClient: &http.Client{Transport: tr}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { be.Close() })
	return be, ts
}

// reportCPU reports the process's CPU time per operation since start
// (cpu-ms/op): on a machine shared with other work, a steadier measure of
// what the chain costs than the wall time.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(processCPU()-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// repeatReader is an endless stream of bytes, so the benchmark holds no
// object in memory.
type repeatReader struct{}

var pattern = bytes.Repeat([]byte("gatehouse-bench-"), 4096)

func (repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], pattern)
	}
	return n, nil
}
