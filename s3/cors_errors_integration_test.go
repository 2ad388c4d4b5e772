package s3_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestIntegrationCORSOnErrors: a cross-origin request that a bucket's
// CORS rule allows gets the rule's Access-Control-* headers on an error
// response too — 404 NoSuchKey, 403 AccessDenied, a signature that does
// not match — so that a browser lets the page read the error. S3 does so:
// "AWS S3 returns CORS headers on error responses when a matching rule
// exists" (scality/cloudserver pull request 6126, which fixed the same gap
// in another S3 implementation). A request no rule allows (another
// origin, a method the rule lacks) gets none, as on success.
func TestIntegrationCORSOnErrors(t *testing.T) {
	srv := testserver.Start(t)
	c := srv.RootS3()
	ctx := context.Background()
	mkBucket(t, c, "site")
	put(t, c, "site", "private.txt", "x")
	const origin = "https://app.example.com"
	ok(t)(c.PutBucketCors(ctx, &awss3.PutBucketCorsInput{Bucket: aws.String("site"), CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{
		{AllowedOrigins: []string{origin}, AllowedMethods: []string{"GET", "HEAD"}, ExposeHeaders: []string{"x-amz-request-id"}},
	}}}))

	// Signed requests, through the SDK, with the Origin a browser adds.
	rec := &recorder{base: withOrigin{origin}}
	cc := srv.RootS3(func(o *awss3.Options) { o.HTTPClient = rec.client() })
	_, err := cc.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("site"), Key: aws.String("missing")})
	wantErr(t, err, "NoSuchKey", 404)
	wantCORS(t, "signed GET of a missing key", rec.last().Header, origin)
	_, err = cc.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("site"), Key: aws.String("missing")})
	wantErr(t, err, "", 404)
	wantCORS(t, "signed HEAD of a missing key", rec.last().Header, origin)

	bad := &recorder{base: withOrigin{origin}}
	wrong := srv.S3Client(testserver.RootKeyID, "not-the-secret", "", func(o *awss3.Options) { o.HTTPClient = bad.client() })
	_, err = wrong.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("site"), Key: aws.String("private.txt")})
	wantErr(t, err, "SignatureDoesNotMatch", 403)
	wantCORS(t, "a signature that does not match", bad.last().Header, origin)

	// Anonymous requests, as a page's fetch sends them.
	for _, tc := range []struct {
		name, method, path, origin string
		status                     int
		cors                       bool
	}{
		{"anonymous GET of a private object", http.MethodGet, "/site/private.txt", origin, 403, true},
		{"anonymous GET of a missing key", http.MethodGet, "/site/missing", origin, 403, true},
		{"another origin", http.MethodGet, "/site/private.txt", "https://other.org", 403, false},
		{"a method the rule lacks", http.MethodDelete, "/site/private.txt", origin, 403, false},
		{"no Origin", http.MethodGet, "/site/private.txt", "", 403, false},
		{"a bucket without CORS", http.MethodGet, "/nosuch/k", origin, 404, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(ctx, tc.method, srv.URL+tc.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			resp, _ := do(t, req)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.cors {
				wantCORS(t, tc.name, resp.Header, tc.origin)
			} else if v := resp.Header.Get("Access-Control-Allow-Origin"); v != "" {
				t.Errorf("Access-Control-Allow-Origin %q on a request no rule allows", v)
			}
		})
	}
}

// wantCORS checks the headers of a response to a cross-origin request the
// rule allows.
func wantCORS(t *testing.T, what string, h http.Header, origin string) {
	t.Helper()
	if h.Get("Access-Control-Allow-Origin") != origin || h.Get("Access-Control-Allow-Methods") != "GET, HEAD" ||
		h.Get("Access-Control-Expose-Headers") != "x-amz-request-id" || h.Get("Vary") == "" {
		t.Errorf("%s: CORS headers %v", what, h)
	}
}
