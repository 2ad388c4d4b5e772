package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/server"
	"github.com/gatehouse-iam/gatehouse/store"
)

func get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	resp, body := get(t, srv.URL+"/healthz")
	if resp.StatusCode != 200 || body != "ok\n" {
		t.Fatalf("healthz: %d %q", resp.StatusCode, body)
	}
	if _, err := srv.RootIAM().ListUsers(context.Background(), &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	_, body = get(t, srv.URL+"/metrics")
	if !strings.Contains(body, `gatehouse_requests_total{action="ListUsers",outcome="ok",service="iam"} 1`) {
		t.Errorf("metrics lack the ListUsers counter:\n%s", body)
	}
	if !strings.Contains(body, "gatehouse_request_duration_seconds_bucket") {
		t.Error("metrics lack the latency histogram")
	}
	// Unknown actions are chosen by clients: they must not become metric labels.
	signedPost(t, srv, "iam", url.Values{"Action": {"NoSuchActionXYZ"}, "Version": {"2010-05-08"}})
	_, body = get(t, srv.URL+"/metrics")
	if strings.Contains(body, "NoSuchActionXYZ") {
		t.Error("an unknown action became a metrics label")
	}
}

// signedPost sends a form signed with the root key, as the SDKs do.
func signedPost(t *testing.T, srv *testserver.Server, service string, form url.Values) (*http.Response, string) {
	t.Helper()
	body := form.Encode()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256Hex(body)
	creds := aws.Credentials{AccessKeyID: testserver.RootKeyID, SecretAccessKey: testserver.RootSecretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sum, service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestWireErrors(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   []string
	}{
		{"unknown action", url.Values{"Action": {"CreateUsr"}, "Version": {"2010-05-08"}}, 400,
			[]string{"<Code>InvalidAction</Code>", "Could not find operation CreateUsr for version 2010-05-08"}},
		{"missing required parameter", url.Values{"Action": {"CreateUser"}, "Version": {"2010-05-08"}}, 400,
			[]string{"<Type>Sender</Type>", "<Code>ValidationError</Code>", "Member must not be null"}},
		{"pattern", url.Values{"Action": {"CreateUser"}, "Version": {"2010-05-08"}, "UserName": {"a b"}}, 400,
			[]string{"failed to satisfy constraint: Member must satisfy regular expression pattern"}},
		{"no such entity", url.Values{"Action": {"GetUser"}, "Version": {"2010-05-08"}, "UserName": {"ghost"}}, 404,
			[]string{`<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`, "<Code>NoSuchEntity</Code>", "<RequestId>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := signedPost(t, srv, "iam", tt.form)
			if resp.StatusCode != tt.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if resp.Header.Get("x-amzn-RequestId") == "" {
				t.Error("no x-amzn-RequestId header")
			}
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q:\n%s", w, body)
				}
			}
		})
	}
	// Unsigned.
	resp, body := get(t, srv.URL+"/?Action=ListUsers&Version=2010-05-08")
	if resp.StatusCode != 403 || !strings.Contains(body, "<Code>MissingAuthenticationToken</Code>") {
		t.Errorf("unsigned: %d %s", resp.StatusCode, body)
	}
	// Success envelope.
	resp, body = signedPost(t, srv, "iam", url.Values{"Action": {"ListUsers"}, "Version": {"2010-05-08"}})
	if resp.StatusCode != 200 || !strings.HasPrefix(body, `<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult>`) ||
		!strings.Contains(body, "<ResponseMetadata><RequestId>"+resp.Header.Get("x-amzn-RequestId")+"</RequestId></ResponseMetadata>") {
		t.Errorf("ListUsers envelope: %s", body)
	}
	// A request signed for another service is refused by the credential scope check.
	resp, body = signedPost(t, srv, "ec2", url.Values{"Action": {"ListUsers"}, "Version": {"2010-05-08"}})
	if resp.StatusCode < 400 {
		t.Errorf("ec2-scoped request accepted: %s", body)
	}
}

func TestKeyLastUsed(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	if err := srv.HTTP.FlushKeyUse(ctx); err != nil {
		t.Fatal(err)
	}
	out, err := root.GetAccessKeyLastUsed(ctx, &awsiam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String(testserver.RootKeyID)})
	if err != nil {
		t.Fatal(err)
	}
	lu := out.AccessKeyLastUsed
	if lu.LastUsedDate == nil || *lu.ServiceName != "iam" || *lu.Region != "us-east-1" || time.Since(*lu.LastUsedDate) > time.Minute {
		t.Errorf("last used %+v", lu)
	}
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestUnavailableJSON(t *testing.T) {
	t.Parallel()
	err := server.UnavailableForTest(fmt.Errorf("listing: %w", store.ErrUnavailable))
	var ae *awserr.Error
	if !errors.As(err, &ae) || ae.Status != 503 || ae.Code != "ServiceUnavailableException" {
		t.Fatalf("store outage rendered as %v", err)
	}
	if got := server.UnavailableForTest(awserr.New("AccessDeniedException", "no")); got.Error() != awserr.New("AccessDeniedException", "no").Error() {
		t.Errorf("unrelated error changed: %v", got)
	}
}
