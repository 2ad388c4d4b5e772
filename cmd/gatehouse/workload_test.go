package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse-iam/gatehouse/imds"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/workload"
)

// TestWorkloadCLI: `gatehouse workload` signs with the credentials of the
// environment, and `gatehouse agent` serves the workload's role on
// loopback with the token it printed.
func TestWorkloadCLI(t *testing.T) {
	srv := testserver.Start(t)
	ctx := context.Background()
	iam := srv.RootIAM()
	for _, p := range []string{"web", "batch"} {
		if _, err := iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(p + "-role"),
			AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
			t.Fatal(err)
		}
		if _, err := iam.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
		if _, err := iam.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(p), RoleName: aws.String(p + "-role")}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": testserver.RootKeyID, "AWS_SECRET_ACCESS_KEY": testserver.RootSecretKey, "AWS_SESSION_TOKEN": "",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "",
	} {
		t.Setenv(k, v)
	}
	cli := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		if code := run(append([]string{"workload", "--endpoint", srv.URL}, args...), nil, &out, &errb); code != 0 {
			t.Fatalf("gatehouse workload %v: exit %d: %s", args, code, errb.String())
		}
		return out.String()
	}
	var created workload.WorkloadOutput
	if err := json.Unmarshal([]byte(cli("create", "--name", "web", "--instance-profile", "web")), &created); err != nil {
		t.Fatal(err)
	}
	id := created.Workload.WorkloadId
	if created.WorkloadToken == "" || !strings.HasPrefix(created.Workload.Arn, "arn:aws:ec2:eu-west-1:"+testserver.AccountID+":instance/i-") {
		t.Fatalf("created %+v", created)
	}
	if out := cli("list"); !strings.Contains(out, id) {
		t.Errorf("list: %s", out)
	}
	var rotated workload.WorkloadOutput
	if err := json.Unmarshal([]byte(cli("rotate-token", id)), &rotated); err != nil || rotated.WorkloadToken == created.WorkloadToken {
		t.Fatalf("rotate-token: %+v %v", rotated, err)
	}
	if out := cli("rebind", id, "--instance-profile", "batch"); !strings.Contains(out, `"InstanceProfileName": "batch"`) {
		t.Errorf("rebind: %s", out)
	}

	// The agent, with the token from the environment only.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	t.Setenv(WorkloadTokenEnv, rotated.WorkloadToken)
	actx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- runAgent(actx, &agentConfig{Endpoint: srv.URL, Listen: addr, RefreshBefore: imds.DefaultRefreshBefore, LogFormat: "text", LogLevel: "error", Token: rotated.WorkloadToken}, io.Discard)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("agent: %v", err)
		}
	}()
	var tok string
	for range 100 {
		req, _ := http.NewRequest("PUT", "http://"+addr+"/latest/api/token", nil)
		req.Header.Set(imds.TTLHeader, "60")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			tok = string(b)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	req, _ := http.NewRequest("GET", "http://"+addr+"/latest/meta-data/iam/security-credentials/", nil)
	req.Header.Set(imds.TokenHeader, tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "batch-role" {
		t.Errorf("the agent's role: %d %q", resp.StatusCode, b)
	}
	cli("delete", id)
	if out := cli("list"); strings.Contains(out, id) {
		t.Errorf("list after delete: %s", out)
	}
}

func TestAgentConfigValidate(t *testing.T) {
	ok := agentConfig{Endpoint: "https://gatehouse:8080", Listen: "127.0.0.1:1338", RefreshBefore: 5 * time.Minute, LogFormat: "text", Token: "ghw1.x"}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*agentConfig){
		"no endpoint":      func(c *agentConfig) { c.Endpoint = "" },
		"no token":         func(c *agentConfig) { c.Token = "" },
		"not loopback":     func(c *agentConfig) { c.Listen = "0.0.0.0:1338" },
		"refresh too late": func(c *agentConfig) { c.RefreshBefore = time.Second },
	} {
		c := ok
		mod(&c)
		if c.Validate() == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
