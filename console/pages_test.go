package console_test

import (
	"context"
	"encoding/base64"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

var (
	qrRE     = regexp.MustCompile(`src="data:image/png;base64,([^"]+)"`)
	seedRE   = regexp.MustCompile(`id="mfa-seed">([A-Z2-7=]+)<`)
	serialRE = regexp.MustCompile(`name="serial" value="([^"]+)"`)
)

// TestPagesEndToEnd drives the pages the browser test does not: MFA
// enrolment (the QR code PNG, two codes), console passwords, the account
// alias (then a sign-in by alias), the password policy, the credential
// report, set-default of a policy version, the editor's validation fetch
// and the visual editor's reference data.
func TestPagesEndToEnd(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "admin", password, false, "AdministratorAccess")
	makeUser(t, srv, "kim", "", false)
	b := newBrowser(t, srv.URL)
	b.mustSignIn(acct, "admin", password)
	tok := b.sessionCSRF()
	ctx := context.Background()
	root := srv.RootIAM()

	// MFA enrolment for kim.
	r := b.post("/ui/users/kim/mfa", url.Values{"csrf": {tok}})
	qr, seed, serial := qrRE.FindStringSubmatch(r.Body), seedRE.FindStringSubmatch(r.Body), serialRE.FindStringSubmatch(r.Body)
	if r.Status != http.StatusOK || qr == nil || seed == nil || serial == nil {
		t.Fatalf("assign MFA = %d\n%.2000s", r.Status, r.Body)
	}
	if png, err := base64.StdEncoding.DecodeString(html.UnescapeString(qr[1])); err != nil || !strings.HasPrefix(string(png), "\x89PNG") {
		t.Errorf("QR code is not a PNG (%v)", err)
	}
	step := time.Now().Unix() / 30
	r = b.post("/ui/users/kim/mfa/enable", url.Values{"csrf": {tok}, "serial": {html.UnescapeString(serial[1])},
		"code1": {totp(t, seed[1], step-1)}, "code2": {totp(t, seed[1], step)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("enable MFA = %d\n%.2000s", r.Status, r.Body)
	}
	devs, err := root.ListMFADevices(ctx, &awsiam.ListMFADevicesInput{UserName: aws.String("kim")})
	if err != nil || len(devs.MFADevices) != 1 {
		t.Fatalf("kim's MFA devices = %v, %v", devs, err)
	}

	// A console password for kim, then a wrong one the policy refuses.
	if r := b.post("/ui/users/kim/password", url.Values{"csrf": {tok}, "password": {"Kim-Passw0rd!"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("set password = %d\n%.2000s", r.Status, r.Body)
	}
	if r := b.post("/ui/users/kim/password", url.Values{"csrf": {tok}, "password": {"short"}}); r.Status != http.StatusBadRequest ||
		!strings.Contains(r.Body, "PasswordPolicyViolation") {
		t.Errorf("weak password = %d\n%.1500s", r.Status, r.Body)
	}

	// An alias; kim signs in by it (password, then MFA).
	if r := b.post("/ui/account/alias", url.Values{"csrf": {tok}, "alias": {"example-corp"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("set alias = %d\n%.1500s", r.Status, r.Body)
	}
	if r := b.get("/ui/account"); !strings.Contains(r.Body, `id="alias">example-corp<`) {
		t.Errorf("account page does not show the alias")
	}
	kb := newBrowser(t, srv.URL)
	if r := kb.signIn("example-corp", "kim", "Kim-Passw0rd!"); r.Status != http.StatusOK || !strings.Contains(r.Body, `id="code"`) {
		t.Errorf("kim's sign-in by alias = %d", r.Status)
	}

	// The password policy.
	if r := b.post("/ui/account/password-policy", url.Values{"csrf": {tok}, "min": {"14"}, "numbers": {"on"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("password policy = %d\n%.1500s", r.Status, r.Body)
	}
	pp, err := root.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	if err != nil || aws.ToInt32(pp.PasswordPolicy.MinimumPasswordLength) != 14 || !pp.PasswordPolicy.RequireNumbers {
		t.Errorf("password policy = %+v, %v", pp, err)
	}

	// The credential report.
	r = b.get("/ui/credential-report.csv")
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Body, "user,arn,user_creation_time") || !strings.Contains(r.Body, "\nkim,") ||
		r.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Errorf("credential report = %d %q\n%.500s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}

	// A policy with two versions; the first is made the default again.
	p, err := root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("P"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(p.Policy.Arn)
	r = b.post("/ui/policy/version", url.Values{"csrf": {tok}, "arn": {arn}, "name": {"P"},
		"document": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("new version = %d\n%.1500s", r.Status, r.Body)
	}
	if r := b.post("/ui/policy/default", url.Values{"csrf": {tok}, "arn": {arn}, "version": {"v1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("set default = %d", r.Status)
	}
	if r := b.get("/ui/policy?arn=" + url.QueryEscape(arn)); !strings.Contains(r.Body, "s3:GetObject") || !strings.Contains(r.Body, "v2") {
		t.Errorf("policy page after set default:\n%.2000s", r.Body)
	}

	// The editor's validation fetch needs the CSRF header and answers
	// Access Analyzer's findings.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/ui/validate", strings.NewReader(url.Values{"document": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}]}`}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := b.do(req); r.Status != http.StatusForbidden {
		t.Errorf("validate without the token = %d", r.Status)
	}
	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/ui/validate", strings.NewReader(url.Values{"document": {`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObjekt","Resource":"*"}]}`}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", tok)
	if r := b.do(req); r.Status != http.StatusOK || !strings.Contains(r.Body, `"issue":"INVALID_ACTION"`) {
		t.Errorf("validate = %d %s", r.Status, r.Body)
	}

	// The visual editor's reference data.
	if r := b.get("/ui/authref/services/s3"); r.Status != http.StatusOK || !strings.Contains(r.Body, `"name":"GetObject","level":"Read"`) ||
		!strings.Contains(r.Body, `"arn":"arn:${Partition}:s3:::${BucketName}/${ObjectName}"`) {
		t.Errorf("s3 reference = %d %.300s", r.Status, r.Body)
	}
}

// TestRouting: only a browser's unsigned visit reaches the console; S3's
// anonymous requests and AWS Query calls on / are unchanged. The console
// lives under /ui/, which no bucket name can take (3 characters at least);
// its old home /console redirects there while no bucket is named console.
func TestRouting(t *testing.T) {
	srv := testserver.Start(t)
	b := newBrowser(t, srv.URL)
	for _, c := range []struct {
		path, accept string
		console      bool
	}{
		{"/", "text/html", true},
		{"/", "*/*", false},
		{"/?Action=ListUsers&Version=2010-05-08", "text/html", false},
		{"/some-bucket/key", "text/html", false},
		{"/console", "text/html", true},
		{"/console/users?q=a", "text/html", true},
		{"/console", "*/*", false},
		{"/consoles/x", "text/html", false},
		{"/ui", "text/html", true},
		{"/ui/", "*/*", true},
		{"/ui/signin?X-Amz-Credential=AKIA/20260101/us-east-1/s3/aws4_request", "text/html", false},
	} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+c.path, nil)
		req.Header.Set("Accept", c.accept)
		res, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		toConsole := res.StatusCode == http.StatusFound && strings.HasPrefix(res.Header.Get("Location"), "/ui/") ||
			res.Header.Get("Content-Security-Policy") != ""
		if toConsole != c.console {
			t.Errorf("%s (Accept %s): status %d, console %v, want %v", c.path, c.accept, res.StatusCode, toConsole, c.console)
		}
	}
	if r := b.get("/console/users?q=a"); r.Header.Get("Location") != "/ui/users?q=a" {
		t.Errorf("/console/users?q=a redirects to %q", r.Header.Get("Location"))
	}
}

// TestBucketNamedConsole: a bucket named console is S3's, whatever asks
// for it — an unsigned path-style GET of it (a public policy allows
// s3:ListBucket and s3:GetObject) is answered by S3, from a browser too —
// while the browser still reaches the console at /ui/ and at /.
func TestBucketNamedConsole(t *testing.T) {
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	const bucket = "console"
	if _, err := root.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutPublicAccessBlock(ctx, &awss3.PutPublicAccessBlockInput{Bucket: aws.String(bucket), PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(`{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::console/*"},` +
		`{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::console"}]}`)}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"index.html", "signin", "users", "ui/static/console.css"} {
		if _, err := root.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("object " + key)}); err != nil {
			t.Fatal(err)
		}
	}
	// The SDK without credentials: unsigned requests.
	anon := srv.AnonymousS3()
	got, err := anon.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("signin")})
	if err != nil {
		t.Fatalf("anonymous GetObject console/signin: %v", err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(body) != "object signin" {
		t.Errorf("console/signin = %q", body)
	}
	l, err := anon.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil || len(l.Contents) != 4 {
		t.Fatalf("anonymous ListObjectsV2 console = %v, %v", l, err)
	}
	// A browser (unsigned, accepting HTML) asking for the bucket's paths
	// gets S3's answers, not the console.
	b := newBrowser(t, srv.URL)
	for path, want := range map[string]string{"/console/index.html": "object index.html", "/console/users": "object users",
		"/console/ui/static/console.css": "object ui/static/console.css"} {
		r := b.get(path)
		if r.Status != http.StatusOK || r.Body != want || r.Header.Get("Content-Security-Policy") != "" {
			t.Errorf("browser GET %s = %d %q (CSP %q), want S3's object", path, r.Status, r.Body, r.Header.Get("Content-Security-Policy"))
		}
	}
	for _, path := range []string{"/console", "/console/"} {
		if r := b.get(path); r.Status != http.StatusOK || !strings.Contains(r.Body, "<ListBucketResult") {
			t.Errorf("browser GET %s = %d %.300s, want S3's listing", path, r.Status, r.Body)
		}
	}
	// The console is still where a browser expects it.
	if r := b.get("/ui/signin"); r.Status != http.StatusOK || !strings.Contains(r.Body, "Sign in") || r.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("GET /ui/signin = %d %.300s", r.Status, r.Body)
	}
	if r := b.get("/"); r.Status != http.StatusFound || r.Header.Get("Location") != "/ui/" {
		t.Errorf("browser GET / = %d %q", r.Status, r.Header.Get("Location"))
	}
	// A bucket can never be named ui: S3 refuses the name.
	_, err = root.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("ui")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidBucketName" {
		t.Errorf("CreateBucket ui = %v, want InvalidBucketName", err)
	}
}
