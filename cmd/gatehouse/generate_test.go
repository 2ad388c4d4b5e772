package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/policy/validate"
)

// TestPolicyGenerateCLI: `serve --audit-log` exports the trail as JSON
// lines; `policy generate` on that file prints the policy granting exactly
// what the user did successfully (the denied call is not in it; IAM User
// Guide, access-analyzer-policy-generation.md).
func TestPolicyGenerateCLI(t *testing.T) {
	const account, keyID, secret = "210987654321", "AKIAGENERATETESTKEY0", "generateTestRootSecret000000000000000000"
	t.Setenv("GATEHOUSE_ROOT_ACCESS_KEY_ID", keyID)
	t.Setenv("GATEHOUSE_ROOT_SECRET_ACCESS_KEY", secret)
	t.Setenv("GATEHOUSE_MASTER_KEY", "")
	dir := t.TempDir()
	logFile := filepath.Join(dir, "audit.jsonl")
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan error, 1)
	cfg := &serveConfig{Addr: addr, DataDir: filepath.Join(dir, "data"), AccountID: account, LogFormat: "json", LogLevel: "error",
		Audit: auditConfig{On: true, Log: logFile, LogMaxMB: 100, Retention: time.Hour}}
	go func() { done <- serve(ctx, cfg, &out, &errb) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	client := func(id, key string) *awsiam.Client {
		return awsiam.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(id, key, ""),
			BaseEndpoint: aws.String("http://" + addr)})
	}
	root := client(keyID, secret)
	bg := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := root.ListUsers(bg, &awsiam.ListUsersInput{}); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start: %s", errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := root.CreateUser(bg, &awsiam.CreateUserInput{UserName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","iam:GetUser"],"Resource":"*"}]}`
	if _, err := root.PutUserPolicy(bg, &awsiam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	k, err := root.CreateAccessKey(bg, &awsiam.CreateAccessKeyInput{UserName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	dev := client(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey))
	if _, err := dev.ListUsers(bg, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.GetUser(bg, &awsiam.GetUserInput{UserName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.ListRoles(bg, &awsiam.ListRolesInput{}); err == nil {
		t.Fatal("ListRoles was allowed")
	}
	// Every acknowledged request is in the trail and then in the export;
	// stopping the server flushes the export.
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	done <- nil

	devARN := "arn:aws:iam::" + account + ":user/dev"
	got, code := runCLI(t, "", "policy", "generate", "--trail", logFile, "--principal", devARN)
	if code != 0 {
		t.Fatalf("policy generate: %d %s", code, got)
	}
	if f := validate.Validate(got, policy.KindIdentity); slices.ContainsFunc(f, func(f validate.Finding) bool {
		return f.Type == validate.TypeError || f.Type == validate.TypeSecurityWarning
	}) {
		t.Errorf("generated policy has findings %v:\n%s", f, got)
	}
	var pol struct {
		Statement []struct{ Action, Resource []string }
	}
	if err := json.Unmarshal([]byte(got), &pol); err != nil {
		t.Fatalf("output %q: %v", got, err)
	}
	var actions []string
	for _, s := range pol.Statement {
		actions = append(actions, s.Action...)
		if slices.Contains(s.Action, "iam:GetUser") && !slices.Equal(s.Resource, []string{devARN}) {
			t.Errorf("iam:GetUser on %v", s.Resource)
		}
	}
	sort.Strings(actions)
	if !slices.Equal(actions, []string{"iam:GetUser", "iam:ListUsers"}) {
		t.Errorf("actions %v, want iam:GetUser and iam:ListUsers", actions)
	}

	got, code = runCLI(t, "", "policy", "generate", "--trail", logFile, "--principal", "arn:aws:iam::"+account+":user/nobody")
	if code != 1 || !strings.Contains(got, "no successful call") {
		t.Errorf("a principal that did nothing: %d %s", code, got)
	}
	// A time range before the calls holds nothing.
	got, code = runCLI(t, "", "policy", "generate", "--trail", logFile, "--principal", devARN, "--end", "2020-01-01T00:00:00Z")
	if code != 1 {
		t.Errorf("--end before the calls: %d %s", code, got)
	}
	// Bad input: an unreadable line, a bad principal, a missing flag.
	bad := filepath.Join(dir, "bad.jsonl")
	if err := os.WriteFile(bad, []byte("{\"eventSource\":\"iam.amazonaws.com\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--trail", bad, "--principal", devARN},
		{"--trail", logFile, "--principal", "arn:aws:s3:::bucket"},
		{"--principal", devARN},
		{"--trail", logFile, "--principal", devARN, "--start", "yesterday"},
	} {
		if got, code := runCLI(t, "", append([]string{"policy", "generate"}, args...)...); code == 0 {
			t.Errorf("policy generate %v succeeded: %s", args, got)
		}
	}
}
