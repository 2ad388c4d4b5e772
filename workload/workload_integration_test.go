package workload_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/imds"
	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/workload"
	"github.com/gatehouse-iam/gatehouse/workload/client"
)

const ec2Trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// bucketPolicy allows the S3 object calls on one bucket, to sessions
// delivered to a workload (ec2:SourceInstanceARN present) whose source
// identity is the workload name given.
func bucketPolicy(bucket, workloadName string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:ListBucket"],
	"Resource":["arn:aws:s3:::` + bucket + `","arn:aws:s3:::` + bucket + `/*"],
	"Condition":{"StringLike":{"ec2:SourceInstanceARN":"arn:aws:ec2:*:` + testserver.AccountID + `:instance/i-*"},"StringEquals":{"aws:SourceIdentity":"` + workloadName + `"}}}]}`
}

// env is a test server with two instance profiles (web, batch) whose
// roles may each use their own bucket, a profile whose role does not trust
// EC2, and workloads created by the root user.
type env struct {
	srv                   *testserver.Server
	root                  *client.Client
	web, batch, untrusted *workload.WorkloadOutput
}

func setup(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	srv := testserver.Start(t)
	iam := srv.RootIAM()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	role := func(name, trust, policy, profile string) {
		must(iam.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}))
		if policy != "" {
			must(iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}))
		}
		must(iam.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String(profile)}))
		must(iam.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(profile), RoleName: aws.String(name)}))
	}
	role("web-role", ec2Trust, bucketPolicy("web-bucket", "web"), "web")
	role("batch-role", ec2Trust, bucketPolicy("batch-bucket", "batch"), "batch")
	role("untrusted-role", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+testserver.AccountID+`:root"},"Action":"sts:AssumeRole"}]}`,
		bucketPolicy("web-bucket", "untrusted"), "untrusted")
	s3c := s3Client(srv, srv.Config(testserver.RootKeyID, testserver.RootSecretKey))
	for _, b := range []string{"web-bucket", "batch-bucket"} {
		must(s3c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(b)}))
	}
	e := &env{srv: srv, root: &client.Client{Endpoint: srv.URL, Credentials: credentials.NewStaticCredentialsProvider(testserver.RootKeyID, testserver.RootSecretKey, "")}}
	var err error
	if e.web, err = e.root.Create(ctx, "web", "web"); err != nil {
		t.Fatal(err)
	}
	if e.batch, err = e.root.Create(ctx, "batch", "batch"); err != nil {
		t.Fatal(err)
	}
	if e.untrusted, err = e.root.Create(ctx, "untrusted", "untrusted"); err != nil {
		t.Fatal(err)
	}
	return e
}

func s3Client(srv *testserver.Server, cfg aws.Config) *awss3.Client {
	return awss3.NewFromConfig(cfg, func(o *awss3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	})
}

// keyless clears every source of credentials but the ones a test sets,
// so the SDK can find no keys.
func keyless(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_DISABLED", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_REGION", "us-east-1")
}

// loadConfig is the SDK's default configuration, from the environment.
func loadConfig(t *testing.T) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// startAgent serves a workload's metadata on loopback.
func startAgent(t *testing.T, srv *testserver.Server, token string) (*imds.Agent, string) {
	t.Helper()
	a := imds.New(imds.Config{
		Source: func(ctx context.Context) (*workload.Credentials, error) {
			return client.FetchCredentials(ctx, nil, srv.URL, token)
		},
		WorkloadToken: token,
	})
	hs := httptest.NewServer(a.Handler())
	t.Cleanup(hs.Close)
	return a, hs.URL
}

// readsAndWrites checks that cfg's credentials are the session of role for
// workload w, and may write and read bucket but not other.
func readsAndWrites(t *testing.T, srv *testserver.Server, cfg aws.Config, w workload.Workload, role, bucket, other string) {
	t.Helper()
	ctx := context.Background()
	id, err := awssts.NewFromConfig(cfg, func(o *awssts.Options) { o.BaseEndpoint = aws.String(srv.URL) }).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if want := "arn:aws:sts::" + testserver.AccountID + ":assumed-role/" + role + "/" + w.WorkloadId; aws.ToString(id.Arn) != want {
		t.Fatalf("caller %s, want %s", aws.ToString(id.Arn), want)
	}
	s3c := s3Client(srv, cfg)
	body := "hello from " + w.Name
	if _, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(w.Name + ".txt"), Body: strings.NewReader(body)}); err != nil {
		t.Fatalf("PutObject %s: %v", bucket, err)
	}
	got, err := s3c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(w.Name + ".txt")})
	if err != nil {
		t.Fatalf("GetObject %s: %v", bucket, err)
	}
	b, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(b) != body {
		t.Fatalf("GetObject = %q", b)
	}
	_, err = s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(other), Key: aws.String(w.Name + ".txt"), Body: strings.NewReader(body)})
	if code := errorCode(err); code != "AccessDenied" {
		t.Fatalf("PutObject into %s by %s: %v, want AccessDenied", other, w.Name, err)
	}
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestContainerEndpoint: aws-sdk-go-v2 with only the container credentials
// variables (the Gatehouse credential endpoint and the workload token)
// reads and writes the bucket of its instance profile's role, not the other
// workload's; and the other workload likewise.
func TestContainerEndpoint(t *testing.T) {
	e := setup(t)
	keyless(t)
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", e.srv.URL+workload.CredentialsPath)
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", e.web.WorkloadToken)
	readsAndWrites(t, e.srv, loadConfig(t), e.web.Workload, "web-role", "web-bucket", "batch-bucket")
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", e.batch.WorkloadToken)
	readsAndWrites(t, e.srv, loadConfig(t), e.batch.Workload, "batch-role", "batch-bucket", "web-bucket")
}

// TestIMDS: aws-sdk-go-v2 with only AWS_EC2_METADATA_SERVICE_ENDPOINT
// pointing at the agent gets the role of its workload's profile.
func TestIMDS(t *testing.T) {
	e := setup(t)
	keyless(t)
	_, url := startAgent(t, e.srv, e.web.WorkloadToken)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url+"/")
	cfg := loadConfig(t)
	readsAndWrites(t, e.srv, cfg, e.web.Workload, "web-role", "web-bucket", "batch-bucket")
	creds, err := cfg.Credentials.Retrieve(context.Background())
	if err != nil || !strings.HasPrefix(creds.AccessKeyID, "ASIA") || !creds.CanExpire {
		t.Fatalf("credentials %+v %v", creds, err)
	}
	if creds.Source != "EC2RoleProvider" {
		t.Errorf("credential source %q, want the SDK's IMDS provider", creds.Source)
	}

	_, url2 := startAgent(t, e.srv, e.batch.WorkloadToken)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url2)
	readsAndWrites(t, e.srv, loadConfig(t), e.batch.Workload, "batch-role", "batch-bucket", "web-bucket")
}

// TestIMDSv2Only: the agent answers IMDSv2 only, with EC2's documents.
func TestIMDSv2Only(t *testing.T) {
	e := setup(t)
	a, url := startAgent(t, e.srv, e.web.WorkloadToken)
	get := func(path, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", url+path, nil)
		if token != "" {
			req.Header.Set(imds.TokenHeader, token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	put := func(ttl string, hdr map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("PUT", url+"/latest/api/token", nil)
		if ttl != "" {
			req.Header.Set(imds.TTLHeader, ttl)
		}
		for k, v := range hdr {
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
	if code, _ := get("/latest/meta-data/iam/security-credentials/", ""); code != 401 {
		t.Errorf("IMDSv1 GET: %d, want 401", code)
	}
	if code, _ := get("/latest/meta-data/iam/security-credentials/", "forged"); code != 401 {
		t.Errorf("GET with an unknown token: %d, want 401", code)
	}
	for _, ttl := range []string{"", "0", "21601", "x"} {
		if code, _ := put(ttl, nil); code != 400 {
			t.Errorf("PUT token with TTL %q: %d, want 400", ttl, code)
		}
	}
	if code, _ := put("60", map[string]string{"X-Forwarded-For": "10.0.0.1"}); code != 403 {
		t.Errorf("PUT token through a proxy: %d, want 403", code)
	}
	code, tok := put("21600", nil)
	if code != 200 || tok == "" {
		t.Fatalf("PUT token: %d %q", code, tok)
	}
	if code, body := get("/latest/meta-data/iam/security-credentials/", tok); code != 200 || body != "web-role" {
		t.Errorf("security-credentials/: %d %q", code, body)
	}
	code, body := get("/latest/meta-data/iam/security-credentials/web-role", tok)
	for _, want := range []string{`"Code": "Success"`, `"Type": "AWS-HMAC"`, `"AccessKeyId": "ASIA`, `"SecretAccessKey"`, `"Token"`, `"Expiration"`, `"LastUpdated"`} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("security-credentials/web-role: %d %s, want %s", code, body, want)
		}
	}
	if code, _ := get("/latest/meta-data/iam/security-credentials/batch-role", tok); code != 404 {
		t.Errorf("another role's credentials: %d, want 404", code)
	}
	if code, body := get("/latest/meta-data/iam/info", tok); code != 200 || !strings.Contains(body, `"InstanceProfileArn": "arn:aws:iam::`+testserver.AccountID+`:instance-profile/web"`) ||
		!strings.Contains(body, `"InstanceProfileId": "AIPA`) {
		t.Errorf("iam/info: %d %s", code, body)
	}
	if code, body := get("/latest/meta-data/instance-id", tok); code != 200 || body != e.web.Workload.WorkloadId {
		t.Errorf("instance-id: %d %q", code, body)
	}
	if code, body := get("/latest/meta-data/placement/region", tok); code != 200 || body != "us-east-1" {
		t.Errorf("placement/region: %d %q", code, body)
	}
	// The container path of the agent wants the workload token.
	req, _ := http.NewRequest("GET", url+workload.CredentialsPath, nil)
	req.Header.Set("Authorization", "wrong")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 403 {
		t.Errorf("agent container path with a wrong token: %v %v", resp, err)
	}
	if err := a.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestWorkloadToken: a wrong, rotated or deleted workload's token is 403;
// the token authenticates nothing but the credential endpoint.
func TestWorkloadToken(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	fetch := func(token string) (*workload.Credentials, error) {
		return client.FetchCredentials(ctx, nil, e.srv.URL, token)
	}
	denied := func(what string, err error) {
		t.Helper()
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Status != 403 || ce.Code != "AccessDenied" {
			t.Errorf("%s: %v, want 403 AccessDenied", what, err)
		}
	}
	tok := e.web.WorkloadToken
	cr, err := fetch(tok)
	if err != nil {
		t.Fatal(err)
	}
	if cr.RoleArn != "arn:aws:iam::"+testserver.AccountID+":role/web-role" || cr.WorkloadId != e.web.Workload.WorkloadId || cr.AccountId != testserver.AccountID {
		t.Errorf("credentials %+v", cr)
	}
	_, err = fetch("")
	denied("no token", err)
	_, err = fetch("nonsense")
	denied("a malformed token", err)
	flipped := "A"
	if strings.HasSuffix(tok, "A") {
		flipped = "B"
	}
	_, err = fetch(tok[:len(tok)-1] + flipped)
	denied("a wrong secret", err)
	_, err = fetch(strings.Replace(tok, e.web.Workload.WorkloadId, e.batch.Workload.WorkloadId, 1))
	denied("another workload's id with this secret", err)

	rot, err := e.root.RotateToken(ctx, e.web.Workload.WorkloadId)
	if err != nil || rot.WorkloadToken == "" || rot.WorkloadToken == tok {
		t.Fatalf("RotateToken: %+v %v", rot, err)
	}
	_, err = fetch(tok)
	denied("the rotated-out token", err)
	if _, err := fetch(rot.WorkloadToken); err != nil {
		t.Fatalf("the new token: %v", err)
	}

	if err := e.root.Delete(ctx, e.batch.Workload.WorkloadId); err != nil {
		t.Fatal(err)
	}
	_, err = fetch(e.batch.WorkloadToken)
	denied("a deleted workload's token", err)
	if _, err := e.root.Get(ctx, e.batch.Workload.WorkloadId); !isCode(err, 404, "NoSuchEntity") {
		t.Errorf("Get of a deleted workload: %v", err)
	}
}

func isCode(err error, status int, code string) bool {
	var ce *client.Error
	return errors.As(err, &ce) && ce.Status == status && ce.Code == code
}

// TestUntrustedRole: a role whose trust policy does not allow
// ec2.amazonaws.com gives no credentials, and the error says why.
func TestUntrustedRole(t *testing.T) {
	e := setup(t)
	_, err := client.FetchCredentials(context.Background(), nil, e.srv.URL, e.untrusted.WorkloadToken)
	if !isCode(err, 403, "AccessDenied") || !strings.Contains(err.Error(), "does not allow ec2.amazonaws.com to sts:AssumeRole") {
		t.Fatalf("credentials of an untrusted role: %v", err)
	}
	// Through the SDK's container provider, the message reaches the caller.
	keyless(t)
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", e.srv.URL+workload.CredentialsPath)
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", e.untrusted.WorkloadToken)
	_, err = loadConfig(t).Credentials.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "ec2.amazonaws.com") {
		t.Fatalf("SDK: %v", err)
	}
	// Through the agent, as EC2 does: the role is listed and its document
	// says why.
	t.Setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
	t.Setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "")
	_, url := startAgent(t, e.srv, e.untrusted.WorkloadToken)
	t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url)
	_, err = loadConfig(t).Credentials.Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "untrusted-role") || !strings.Contains(err.Error(), "AssumeRoleUnauthorizedAccess") ||
		!strings.Contains(err.Error(), "does not allow ec2.amazonaws.com") {
		t.Fatalf("SDK through the agent: %v", err)
	}
}

// TestPassRole: binding a profile needs iam:PassRole on its role, at
// creation and at rebinding; the management calls are decided by IAM.
func TestPassRole(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	iam := e.srv.RootIAM()
	if _, err := iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("operator")}); err != nil {
		t.Fatal(err)
	}
	put := func(doc string) {
		if _, err := iam.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("operator"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	key, err := iam.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("operator")})
	if err != nil {
		t.Fatal(err)
	}
	op := &client.Client{Endpoint: e.srv.URL, Credentials: credentials.NewStaticCredentialsProvider(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")}

	if _, err := op.Create(ctx, "ops", "web"); !isCode(err, 403, "AccessDenied") {
		t.Fatalf("Create without any permission: %v", err)
	}
	put(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"gatehouse:*","Resource":"*"}]}`)
	_, err = op.Create(ctx, "ops", "web")
	if !isCode(err, 403, "AccessDenied") || !strings.Contains(err.Error(), "iam:PassRole") {
		t.Fatalf("Create without iam:PassRole: %v", err)
	}
	put(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"gatehouse:*","Resource":"*"},
	{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::` + testserver.AccountID + `:role/web-role","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}]}`)
	w, err := op.Create(ctx, "ops", "web")
	if err != nil {
		t.Fatalf("Create with iam:PassRole: %v", err)
	}
	if !strings.HasPrefix(w.Workload.WorkloadId, "i-") || len(w.Workload.WorkloadId) != 19 || !strings.HasPrefix(w.WorkloadToken, "ghw1."+w.Workload.WorkloadId+".") ||
		w.Workload.Arn != "arn:aws:ec2:us-east-1:"+testserver.AccountID+":instance/"+w.Workload.WorkloadId {
		t.Errorf("created %+v", w)
	}
	if _, err := op.ReplaceInstanceProfile(ctx, w.Workload.WorkloadId, "batch"); !isCode(err, 403, "AccessDenied") || !strings.Contains(err.Error(), "iam:PassRole") {
		t.Fatalf("rebinding to a profile whose role may not be passed: %v", err)
	}
	if _, err := e.root.ReplaceInstanceProfile(ctx, w.Workload.WorkloadId, "batch"); err != nil {
		t.Fatal(err)
	}
	cr, err := client.FetchCredentials(ctx, nil, e.srv.URL, w.WorkloadToken)
	if err != nil || !strings.HasSuffix(cr.RoleArn, ":role/batch-role") {
		t.Fatalf("credentials after rebinding: %+v %v", cr, err)
	}
	if _, err := op.Create(ctx, "ops2", "nosuch"); !isCode(err, 404, "NoSuchEntity") {
		t.Errorf("Create with a missing profile: %v", err)
	}
	ws, err := op.List(ctx)
	if err != nil || len(ws) != 4 {
		t.Errorf("List: %d %v", len(ws), err)
	}
	for _, x := range ws {
		if x.Name == "" || x.InstanceProfileArn == "" {
			t.Errorf("listed %+v", x)
		}
	}
	put(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"gatehouse:*","Resource":"*"},
	{"Effect":"Deny","Action":"gatehouse:DeleteWorkload","Resource":"arn:aws:ec2:*:*:instance/` + e.web.Workload.WorkloadId + `"}]}`)
	if err := op.Delete(ctx, e.web.Workload.WorkloadId); !isCode(err, 403, "AccessDenied") {
		t.Errorf("Delete denied by ARN: %v", err)
	}
	if err := op.Delete(ctx, w.Workload.WorkloadId); err != nil {
		t.Errorf("Delete: %v", err)
	}
	// Unsigned management calls are refused.
	resp, err := http.Post(e.srv.URL+workload.WorkloadsPath, "application/json", bytes.NewReader([]byte(`{}`)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 {
		t.Errorf("unsigned CreateWorkload: %d", resp.StatusCode)
	}
}

// TestSessionConditions: the session carries the workload into
// conditions: a workload bound to web's profile under another name is
// refused by the role's policy (aws:SourceIdentity).
func TestSessionConditions(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	other, err := e.root.Create(ctx, "impostor", "web")
	if err != nil {
		t.Fatal(err)
	}
	cr, err := client.FetchCredentials(ctx, nil, e.srv.URL, other.WorkloadToken)
	if err != nil {
		t.Fatal(err)
	}
	cfg := e.srv.SessionConfig(cr.AccessKeyId, cr.SecretAccessKey, cr.Token)
	_, err = s3Client(e.srv, cfg).PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("web-bucket"), Key: aws.String("x"), Body: strings.NewReader("x")})
	if errorCode(err) != "AccessDenied" {
		t.Fatalf("PutObject by a workload of another name: %v", err)
	}

	// Role chaining keeps the workload's name as the source identity.
	if _, err := e.srv.RootIAM().CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("next"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testserver.AccountID + `:role/web-role"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	web, err := client.FetchCredentials(ctx, nil, e.srv.URL, e.web.WorkloadToken)
	if err != nil {
		t.Fatal(err)
	}
	stsc := awssts.NewFromConfig(e.srv.SessionConfig(web.AccessKeyId, web.SecretAccessKey, web.Token))
	ar, err := stsc.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testserver.AccountID + ":role/next"), RoleSessionName: aws.String("chained")})
	if err != nil {
		t.Fatalf("AssumeRole from a workload session: %v", err)
	}
	if aws.ToString(ar.SourceIdentity) != "web" {
		t.Errorf("chained source identity %q, want web", aws.ToString(ar.SourceIdentity))
	}
}

// awsCLI is Debian's aws CLI v2.
const awsCLI = "/usr/bin/aws"

// botoPython returns a Python interpreter that imports boto3 in a clean
// environment: Debian's, or the one python3 on the PATH resolves to.
func botoPython(t *testing.T) (string, bool) {
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		// A pyenv shim needs its environment: ask it for the interpreter.
		if out, err := exec.Command(p, "-c", "import sys; print(sys.executable)").Output(); err == nil {
			candidates = append(candidates, strings.TrimSpace(string(out)))
		}
	}
	for _, c := range candidates {
		if _, err := run(t, toolEnv(t), "", c, "-c", "import boto3"); err == nil {
			return c, true
		}
	}
	return "", false
}

// toolEnv is an environment with no keys and no configuration: only what
// the test adds.
func toolEnv(t *testing.T, extra ...string) []string {
	dir := t.TempDir()
	return append([]string{
		"PATH=/usr/bin:/bin", "HOME=" + dir, "LC_ALL=C.UTF-8", "AWS_PAGER=",
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"),
		"AWS_DEFAULT_REGION=us-east-1",
	}, extra...)
}

func run(t *testing.T, env []string, stdin string, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String() + errb.String(), err
	}
	return out.String(), nil
}

// TestAWSCLI: the aws CLI with only AWS_EC2_METADATA_SERVICE_ENDPOINT
// (the agent) reads and writes its role's bucket, not another's.
func TestAWSCLI(t *testing.T) {
	if _, err := os.Stat(awsCLI); err != nil {
		t.Skipf("the aws CLI is not installed at %s", awsCLI)
	}
	e := setup(t)
	_, agent := startAgent(t, e.srv, e.web.WorkloadToken)
	// botocore appends the path to the endpoint as given: it needs the
	// trailing slash (the Go SDK takes either).
	env := toolEnv(t, "AWS_EC2_METADATA_SERVICE_ENDPOINT="+agent+"/")
	aws := func(args ...string) (string, error) {
		return run(t, env, "", awsCLI, append([]string{"--endpoint-url", e.srv.URL, "--output", "json"}, args...)...)
	}
	out, err := aws("sts", "get-caller-identity")
	if err != nil || !strings.Contains(out, `"Arn": "arn:aws:sts::`+testserver.AccountID+`:assumed-role/web-role/`+e.web.Workload.WorkloadId+`"`) {
		t.Fatalf("get-caller-identity: %v\n%s", err, out)
	}
	dir := t.TempDir()
	body := filepath.Join(dir, "body")
	if err := os.WriteFile(body, []byte("from the aws CLI"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := aws("s3api", "put-object", "--bucket", "web-bucket", "--key", "cli.txt", "--body", body); err != nil {
		t.Fatalf("put-object: %v\n%s", err, out)
	}
	got := filepath.Join(dir, "got")
	if out, err := aws("s3api", "get-object", "--bucket", "web-bucket", "--key", "cli.txt", got); err != nil {
		t.Fatalf("get-object: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(got); string(b) != "from the aws CLI" {
		t.Fatalf("get-object wrote %q", b)
	}
	if out, err := aws("s3api", "put-object", "--bucket", "batch-bucket", "--key", "cli.txt", "--body", body); err == nil || !strings.Contains(out, "AccessDenied") {
		t.Fatalf("put-object into another workload's bucket: %v\n%s", err, out)
	}
}

// botoScript reads and writes with boto3's default credential chain.
const botoScript = `
import sys, boto3, botocore
ep, bucket, other = sys.argv[1], sys.argv[2], sys.argv[3]
s = boto3.session.Session()
print("ARN", s.client("sts", endpoint_url=ep).get_caller_identity()["Arn"])
print("METHOD", s.get_credentials().method)
s3 = s.client("s3", endpoint_url=ep, config=botocore.config.Config(s3={"addressing_style": "path"}))
s3.put_object(Bucket=bucket, Key="boto.txt", Body=b"from boto3")
print("GOT", s3.get_object(Bucket=bucket, Key="boto.txt")["Body"].read().decode())
try:
    s3.put_object(Bucket=other, Key="boto.txt", Body=b"from boto3")
    print("OTHER allowed")
except botocore.exceptions.ClientError as e:
    print("OTHER", e.response["Error"]["Code"])
`

// TestBoto3: boto3 with only the metadata endpoint variable, or only the
// container credentials variables, works as its workload's role.
func TestBoto3(t *testing.T) {
	python3, ok := botoPython(t)
	if !ok {
		t.Skip("no python3 with boto3 (Debian's python3-boto3, or python3 on the PATH)")
	}
	e := setup(t)
	_, agent := startAgent(t, e.srv, e.web.WorkloadToken)
	for _, c := range []struct {
		name, method string
		env          []string
		w            *workload.WorkloadOutput
		role, bucket string
		other        string
	}{
		{"imds", "iam-role", []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + agent + "/"}, e.web, "web-role", "web-bucket", "batch-bucket"},
		{"container", "container-role", []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + e.srv.URL + workload.CredentialsPath,
			"AWS_CONTAINER_AUTHORIZATION_TOKEN=" + e.batch.WorkloadToken}, e.batch, "batch-role", "batch-bucket", "web-bucket"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := run(t, toolEnv(t, c.env...), botoScript, python3, "-", e.srv.URL, c.bucket, c.other)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			for _, want := range []string{
				"ARN arn:aws:sts::" + testserver.AccountID + ":assumed-role/" + c.role + "/" + c.w.Workload.WorkloadId,
				"METHOD " + c.method, "GOT from boto3", "OTHER AccessDenied",
			} {
				if !strings.Contains(out, want+"\n") {
					t.Errorf("boto3 output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}
