package s3_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestIntegrationPresigned covers presigned URLs
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html),
// used with a plain http.Client.
func TestIntegrationPresigned(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	pre := awss3.NewPresignClient(root)
	const b = "presigned"
	mkBucket(t, root, b)
	put(t, root, b, "shared.txt", "shared content")

	send := func(t *testing.T, method, u string, hdr http.Header, body string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, u, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			if !strings.EqualFold(k, "Host") {
				req.Header[k] = v
			}
		}
		if body == "" {
			req.Body, req.ContentLength = http.NoBody, 0
		}
		return do(t, req)
	}

	t.Run("Get", func(t *testing.T) {
		p, err := pre.PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("shared.txt")}, awss3.WithPresignExpires(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		resp, body := send(t, p.Method, p.URL, p.SignedHeader, "")
		if resp.StatusCode != 200 || string(body) != "shared content" {
			t.Errorf("presigned GET: %d %q", resp.StatusCode, body)
		}
		// A presigned URL overrides response headers with response-* parameters
		// (API_GetObject.html, "response-content-type").
		p, err = pre.PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("shared.txt"),
			ResponseContentType: aws.String("text/x-override"), ResponseContentDisposition: aws.String(`attachment; filename="s.txt"`)})
		if err != nil {
			t.Fatal(err)
		}
		resp, _ = send(t, p.Method, p.URL, p.SignedHeader, "")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/x-override" || resp.Header.Get("Content-Disposition") != `attachment; filename="s.txt"` {
			t.Errorf("response-* overrides: %d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("Put", func(t *testing.T) {
		p, err := pre.PresignPutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("uploaded by url.txt"), ContentType: aws.String("text/plain")})
		if err != nil {
			t.Fatal(err)
		}
		hdr := p.SignedHeader.Clone()
		hdr.Set("Content-Type", "text/plain")
		resp, body := send(t, p.Method, p.URL, hdr, "uploaded through a presigned URL")
		if resp.StatusCode != 200 {
			t.Fatalf("presigned PUT: %d %s", resp.StatusCode, body)
		}
		g, err := root.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("uploaded by url.txt")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(g.Body)
		g.Body.Close()
		if string(got) != "uploaded through a presigned URL" || aws.ToString(g.ContentType) != "text/plain" {
			t.Errorf("object put by URL: %q %q", got, aws.ToString(g.ContentType))
		}
		// The URL is for that key only: another key's path does not match the signature.
		other := strings.Replace(p.URL, "uploaded%20by%20url.txt", "other.txt", 1)
		resp, body = send(t, p.Method, other, hdr, "x")
		checkErrorDoc(t, resp, body, 403, "SignatureDoesNotMatch")
	})
	t.Run("Expired", func(t *testing.T) {
		// Past X-Amz-Date + X-Amz-Expires: 403 AccessDenied "Request has
		// expired" (sigv4-query-string-auth.html; S3 answers
		// <Code>AccessDenied</Code><Message>Request has expired</Message> with
		// <Expires> and <ServerTime>).
		p, err := pre.PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("shared.txt")}, awss3.WithPresignExpires(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(2100 * time.Millisecond)
		resp, body := send(t, p.Method, p.URL, p.SignedHeader, "")
		d := checkErrorDoc(t, resp, body, 403, "AccessDenied")
		if d.Message != "Request has expired" || !strings.Contains(string(body), "<Expires>") || !strings.Contains(string(body), "<ServerTime>") {
			t.Errorf("expired URL: %s", body)
		}
	})
	t.Run("Tampered", func(t *testing.T) {
		p, err := pre.PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("shared.txt")})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(p.URL)
		q := u.Query()
		sig := []byte(q.Get("X-Amz-Signature"))
		if sig[0] == 'a' {
			sig[0] = 'b'
		} else {
			sig[0] = 'a'
		}
		q.Set("X-Amz-Signature", string(sig))
		u.RawQuery = q.Encode()
		resp, body := send(t, p.Method, u.String(), p.SignedHeader, "")
		checkErrorDoc(t, resp, body, 403, "SignatureDoesNotMatch")
	})
	t.Run("ExpiresOverAWeek", func(t *testing.T) {
		// "X-Amz-Expires ... The minimum value you can set is 1, and the
		// maximum is 604800 (seven days)" (sigv4-query-string-auth.html); S3
		// refuses more with 400 AuthorizationQueryParametersError "X-Amz-Expires
		// must be less than a week (in seconds) that is 604800".
		p, err := pre.PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("shared.txt")}, awss3.WithPresignExpires(604801*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(p.URL, "X-Amz-Expires=604801") {
			t.Fatalf("URL %s", p.URL)
		}
		resp, body := send(t, p.Method, p.URL, p.SignedHeader, "")
		if d := checkErrorDoc(t, resp, body, 400, "AuthorizationQueryParametersError"); !strings.Contains(d.Message, "604800") {
			t.Errorf("message %q", d.Message)
		}
		// Seven days exactly is allowed.
		p, err = pre.PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("shared.txt")}, awss3.WithPresignExpires(604800*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if resp, body := send(t, p.Method, p.URL, p.SignedHeader, ""); resp.StatusCode != 200 {
			t.Errorf("X-Amz-Expires=604800: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("UnknownKey", func(t *testing.T) {
		p, err := awss3.NewPresignClient(srv.S3Client("AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY", "")).
			PresignGetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("shared.txt")})
		if err != nil {
			t.Fatal(err)
		}
		resp, body := send(t, p.Method, p.URL, p.SignedHeader, "")
		checkErrorDoc(t, resp, body, 403, "InvalidAccessKeyId")
	})
}
