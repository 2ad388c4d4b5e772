package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// Virtual-hosted-style requests (bucket.domain) reach the same buckets as
// path-style ones (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html):
// the SDK, not told to use path style, addresses bucket.s3.test, which the
// test's dialer sends to the server.
func TestS3VirtualHostedStyle(t *testing.T) {
	t.Parallel()
	srv := testserver.StartWith(t, testserver.Options{S3Domain: "s3.test"})
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	dialer := &net.Dialer{}
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, u.Host)
	}}}
	cfg := srv.Config(testserver.RootKeyID, testserver.RootSecretKey)
	cfg.BaseEndpoint = aws.String("http://s3.test:" + u.Port())
	cfg.HTTPClient = hc
	vhost := awss3.NewFromConfig(cfg)
	path := awss3.NewFromConfig(srv.Config(testserver.RootKeyID, testserver.RootSecretKey), func(o *awss3.Options) { o.UsePathStyle = true })
	ctx := t.Context()

	if _, err := vhost.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("vhosted")}); err != nil {
		t.Fatal(err)
	}
	if _, err := vhost.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("vhosted"), Key: aws.String("a b/c+d"),
		Body: strings.NewReader("hello")}); err != nil {
		t.Fatal(err)
	}
	out, err := path.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("vhosted"), Key: aws.String("a b/c+d")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "hello" {
		t.Fatalf("path-style read of a virtual-hosted write = %q", b)
	}
	list, err := vhost.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("vhosted")})
	if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "a b/c+d" {
		t.Fatalf("virtual-hosted list = %+v, %v", list, err)
	}
}

// A virtual-hosted bucket's key named healthz (or readyz, metrics) is the
// bucket's, not the probe: the host says S3 (server.isProbe).
func TestProbePathOnVirtualHost(t *testing.T) {
	t.Parallel()
	srv := testserver.StartWith(t, testserver.Options{S3Domain: "s3.test"})
	c := awss3.NewFromConfig(srv.Config(testserver.RootKeyID, testserver.RootSecretKey), func(o *awss3.Options) { o.UsePathStyle = true })
	ctx := t.Context()
	if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("vhost")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("vhost"), Key: aws.String("healthz"), Body: strings.NewReader("the object")}); err != nil {
		t.Fatal(err)
	}
	read := func(host string) string {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/healthz", nil)
		if err != nil {
			t.Fatal(err)
		}
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	// An anonymous GET of the (private) object: S3's AccessDenied.
	if got := read("vhost.s3.test"); !strings.Contains(got, "<Code>AccessDenied</Code>") {
		t.Errorf("GET /healthz on vhost.s3.test = %q, want S3's AccessDenied", got)
	}
	if got := read(""); got != "ok\n" {
		t.Errorf("GET /healthz = %q, want the probe's ok", got)
	}
}
