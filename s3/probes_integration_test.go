package s3_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestIntegrationProbeNamedBuckets: buckets named healthz, readyz and
// metrics (valid names, https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)
// work through the SDK on the port the probes share, while a plain GET of
// those paths stays the probe (docs/ARCHITECTURE.md, "How a request
// flows"; server.isProbe).
func TestIntegrationProbeNamedBuckets(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.RootS3()
	ctx := context.Background()
	plain := func(path string, h map[string]string) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	for _, name := range []string{"healthz", "readyz", "metrics"} {
		t.Run(name, func(t *testing.T) {
			mkBucket(t, c, name)
			put(t, c, name, "k", "in "+name)
			if got, err := get(c, name, "k"); err != nil || got != "in "+name {
				t.Fatalf("GetObject = %q, %v", got, err)
			}
			ok(t)(c.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String(name)}))
			list, err := c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(name)})
			if err != nil || len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "k" {
				t.Fatalf("ListObjectsV2 = %+v, %v", list, err)
			}
			// ListObjects v1 without parameters is a bare signed GET of
			// the path: S3's, because it is signed.
			v1, err := c.ListObjects(ctx, &awss3.ListObjectsInput{Bucket: aws.String(name)})
			if err != nil || len(v1.Contents) != 1 {
				t.Fatalf("ListObjects = %+v, %v", v1, err)
			}
			// A presigned GET of the bucket is S3's too.
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/"+name+"?X-Amz-Expires=300", nil)
			if err != nil {
				t.Fatal(err)
			}
			creds := aws.Credentials{AccessKeyID: testserver.RootKeyID, SecretAccessKey: testserver.RootSecretKey}
			url, _, err := v4.NewSigner().PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", "us-east-1", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if status, body := plain(strings.TrimPrefix(url, srv.URL), nil); status != 200 || !strings.Contains(body, "<ListBucketResult") {
				t.Errorf("presigned ListObjects = %d %q", status, body)
			}
		})
	}

	// An anonymous request with S3's sub-resources reaches a public
	// bucket; a plain GET stays the probe.
	ok(t)(c.DeletePublicAccessBlock(ctx, &awss3.DeletePublicAccessBlockInput{Bucket: aws.String("metrics")}))
	putPolicy(t, c, "metrics", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::metrics"}]}`)
	anon := srv.AnonymousS3()
	list, err := anon.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("metrics")})
	if err != nil || len(list.Contents) != 1 {
		t.Errorf("anonymous ListObjectsV2 of metrics = %+v, %v", list, err)
	}
	if status, body := plain("/metrics?list-type=2", nil); status != 200 || !strings.Contains(body, "<ListBucketResult") {
		t.Errorf("GET /metrics?list-type=2 = %d %q", status, body)
	}
	if status, body := plain("/metrics", map[string]string{"X-Amz-Expected-Bucket-Owner": testserver.AccountID}); status != 200 || !strings.Contains(body, "<ListBucketResult") {
		t.Errorf("GET /metrics with an S3 header = %d %q", status, body)
	}

	for path, want := range map[string]string{"/healthz": "ok\n", "/readyz": "ok\n", "/metrics": "gatehouse_requests_total"} {
		if status, body := plain(path, nil); status != 200 || !strings.Contains(body, want) {
			t.Errorf("probe %s = %d %q", path, status, body)
		}
	}
	// The probes did not touch the buckets.
	if out, err := c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("healthz")}); err != nil || len(out.Contents) != 1 {
		t.Errorf("healthz after the probes = %+v, %v", out, err)
	}
	// A key under a probe's path is the bucket's, signed or not.
	if status, _ := plain("/metrics/k", nil); status != http.StatusForbidden {
		t.Errorf("anonymous GET /metrics/k = %d, want 403 (S3's AccessDenied)", status)
	}
}
