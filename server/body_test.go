package server_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// rawRequest writes a request's head and the first bytes of a body that
// declares declared bytes, never sending the rest, and returns the status and the
// error type header and body the server answers without waiting for it.
func rawRequest(t *testing.T, srv *testserver.Server, header http.Header, declared int, partial string) (int, string) {
	t.Helper()
	u, _ := url.Parse(srv.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var b strings.Builder
	fmt.Fprintf(&b, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", u.Host, declared)
	for k, vs := range header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	b.WriteString(partial)
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	// The server must answer from the headers alone; were it reading the
	// body, it would wait for bytes that never come.
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer before the body was sent: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	// REST-JSON names the error in a header.
	return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype") + " " + string(body)
}

// signedHeader signs a form request of the given body hash for service with
// the key id and secret, as the SDKs do, and returns its headers.
func signedHeader(t *testing.T, srv *testserver.Server, service, keyID, secret, payloadHash string) http.Header {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return req.Header
}

// TestBodyNotReadBeforeKeyCheck is the regression test for unauthenticated
// requests holding megabytes each: a request whose access key does not exist
// is refused from its headers, before its (2 MB) body is read, with the error
// it would get after (InvalidClientTokenId, 403).
func TestBodyNotReadBeforeKeyCheck(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	h := signedHeader(t, srv, "iam", "AKIAFORGEDFORGED0000", "secret", strings.Repeat("0", 64))
	status, body := rawRequest(t, srv, h, 2<<20, "Action=ListUsers&Version=2010-05-08&Marker=")
	if status != 403 || !strings.Contains(body, "<Code>InvalidClientTokenId</Code>") {
		t.Errorf("forged key: %d %s", status, body)
	}
	// The same for Organizations (AWS JSON) and Access Analyzer (REST-JSON).
	hj := signedHeader(t, srv, "organizations", "AKIAFORGEDFORGED0000", "secret", strings.Repeat("0", 64))
	hj.Set("X-Amz-Target", "AWSOrganizationsV20161128.DescribeOrganization")
	hj.Set("Content-Type", "application/x-amz-json-1.1")
	if status, body := rawRequest(t, srv, hj, 2<<20, "{"); status != 403 || !strings.Contains(body, "InvalidClientTokenId") {
		t.Errorf("forged key, JSON: %d %s", status, body)
	}
	hr := signedHeader(t, srv, "access-analyzer", "AKIAFORGEDFORGED0000", "secret", strings.Repeat("0", 64))
	hr.Set("Content-Type", "application/json")
	if status, body := rawRequest(t, srv, hr, 2<<20, "{"); status != 403 || !strings.Contains(body, "InvalidClientTokenId") {
		t.Errorf("forged key, REST-JSON: %d %s", status, body)
	}
	// A body declared larger than the limit is refused unread even with a
	// real key.
	h = signedHeader(t, srv, "iam", testserver.RootKeyID, testserver.RootSecretKey, strings.Repeat("0", 64))
	if status, body := rawRequest(t, srv, h, 3<<20, "Action=ListUsers"); status != 400 || !strings.Contains(body, "exceeds") {
		t.Errorf("oversized body: %d %s", status, body)
	}
	// An unsigned request (only AssumeRoleWithWebIdentity and
	// AssumeRoleWithSAML are made unsigned) may carry at most 512 KiB.
	uh := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	if status, body := rawRequest(t, srv, uh, 1<<20, "Action=AssumeRoleWithSAML"); status != 400 || !strings.Contains(body, "exceeds") {
		t.Errorf("unsigned 1 MiB body: %d %s", status, body)
	}
}

// TestUnverifiedBudget checks that bodies awaiting verification share a
// bound: past it, requests are throttled (Throttling, which SDKs retry)
// rather than read.
func TestUnverifiedBudget(t *testing.T) {
	srv := testserver.Start(t)
	srv.HTTP.SetUnverifiedBudgetForTest(1 << 20)
	h := signedHeader(t, srv, "iam", testserver.RootKeyID, testserver.RootSecretKey, strings.Repeat("0", 64))
	if status, body := rawRequest(t, srv, h, 3<<19, "Action=ListUsers"); status != 400 || !strings.Contains(body, "<Code>Throttling</Code>") {
		t.Errorf("over budget: %d %s", status, body)
	}
	// Below the budget, requests run as usual.
	resp, body := signedPost(t, srv, "iam", url.Values{"Action": {"ListUsers"}, "Version": {"2010-05-08"}})
	if resp.StatusCode != 200 {
		t.Errorf("ListUsers: %d %s", resp.StatusCode, body)
	}
}

// BenchmarkForgedLargeBody measures what a request with a forged access key
// and a 2 MB body costs the server (bytes allocated per request, client and
// server in one process; the client's share is the same before and after).
func BenchmarkForgedLargeBody(b *testing.B) {
	srv := testserver.Start(b)
	payload := "Action=ListUsers&Version=2010-05-08&Marker=" + strings.Repeat("a", 2<<20-64)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(payload))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		creds := aws.Credentials{AccessKeyID: "AKIAFORGEDFORGED0000", SecretAccessKey: "secret"}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, strings.Repeat("0", 64), "iam", "us-east-1", time.Now()); err != nil {
			b.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			continue // the server may close before the client has sent the whole body
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
