package s3_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// controlCall sends an S3 Control PublicAccessBlock request for account,
// signed by the root user as the SDKs sign them (signing name s3), and
// returns the status and body.
func controlCall(t *testing.T, srv *testserver.Server, method, account, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+"/v20180820/configuration/publicAccessBlock", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("x-amz-account-id", account)
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("x-amz-content-sha256", hash)
	creds := aws.Credentials{AccessKeyID: testserver.RootKeyID, SecretAccessKey: testserver.RootSecretKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// The account-level Block Public Access of S3 Control
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_PutPublicAccessBlock.html)
// applies to every bucket of the account, combined with each bucket's own
// (the most restrictive wins: access-control-block-public-access.html).
func TestIntegrationAccountPublicAccessBlock(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := t.Context()
	acct := testserver.AccountID

	if code, body := controlCall(t, srv, http.MethodGet, acct, ""); code != 404 || !strings.Contains(body, "<Code>NoSuchPublicAccessBlockConfiguration</Code>") {
		t.Fatalf("GET before PUT = %d %s", code, body)
	}
	put := `<PublicAccessBlockConfiguration xmlns="http://awss3control.amazonaws.com/doc/2018-08-20/"><BlockPublicAcls>false</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>`
	if code, body := controlCall(t, srv, http.MethodPut, acct, put); code != 200 {
		t.Fatalf("PUT = %d %s", code, body)
	}
	if code, body := controlCall(t, srv, http.MethodGet, acct, ""); code != 200 || !strings.Contains(body, "<BlockPublicPolicy>true</BlockPublicPolicy>") ||
		!strings.Contains(body, "<BlockPublicAcls>false</BlockPublicAcls>") {
		t.Fatalf("GET = %d %s", code, body)
	}
	// Another account's settings are not the caller's to read.
	if code, body := controlCall(t, srv, http.MethodGet, "111122223333", ""); code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") {
		t.Fatalf("GET of another account = %d %s", code, body)
	}

	// A bucket whose own settings allow a public policy is still refused
	// one while the account blocks public policies.
	c := srv.RootS3()
	if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("acct-bpa")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutPublicAccessBlock(ctx, &awss3.PutPublicAccessBlockInput{Bucket: aws.String("acct-bpa"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false),
			BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::acct-bpa/*"}]}`
	if _, err := c.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String("acct-bpa"), Policy: aws.String(public)}); codeOf(err) != "AccessDenied" {
		t.Fatalf("public policy under the account's BlockPublicPolicy: %v, want AccessDenied", err)
	}
	if code, body := controlCall(t, srv, http.MethodDelete, acct, ""); code != 200 {
		t.Fatalf("DELETE = %d %s", code, body)
	}
	if _, err := c.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String("acct-bpa"), Policy: aws.String(public)}); err != nil {
		t.Fatalf("public policy once the account's settings are deleted: %v", err)
	}
}

// A bucket policy naming an IAM user or role that does not exist, in an
// account Gatehouse holds, is MalformedPolicy "Invalid principal in policy"
// (https://repost.aws/knowledge-center/s3-invalid-principal-in-policy-error).
func TestIntegrationBucketPolicyUnknownPrincipal(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := t.Context()
	c := srv.RootS3()
	if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("principals")}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"arn:aws:iam::" + testserver.AccountID + ":user/nobody-here", "arn:aws:iam::" + testserver.AccountID + ":role/no-role"} {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + p + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::principals/*"}]}`
		_, err := c.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String("principals"), Policy: aws.String(doc)})
		if codeOf(err) != "MalformedPolicy" || !strings.Contains(err.Error(), "Invalid principal in policy") {
			t.Errorf("policy naming %s: %v, want MalformedPolicy Invalid principal in policy", p, err)
		}
	}
	// Another account's principals cannot be checked and are accepted.
	other := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/someone"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::principals/*"}]}`
	if _, err := c.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String("principals"), Policy: aws.String(other)}); err != nil {
		t.Fatalf("policy naming another account's user: %v", err)
	}
}
