package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsaa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestActivityAndBuckets: the activity page is the account's trail
// (LookupEvents through the pipeline), filtered by event name; the bucket
// pages show S3's buckets, a bucket's policy and objects; without
// permission both read AccessDenied.
func TestActivityAndBuckets(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "admin", password, false, "AdministratorAccess")
	makeUser(t, srv, "nobody", password, false)
	ctx := context.Background()
	s3c := srv.RootS3()
	if _, err := s3c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("reports")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("reports"), Key: aws.String("q1.csv"), Body: strings.NewReader("a,b\n")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String("reports"), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::reports/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, srv.URL)
	b.mustSignIn(acct, "admin", password)
	if r := b.get("/ui/"); !strings.Contains(r.Body, `href="/ui/activity"`) || !strings.Contains(r.Body, `href="/ui/buckets"`) {
		t.Error("the navigation lacks the activity and bucket pages")
	}
	r := b.get("/ui/buckets")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `href="/ui/buckets/reports"`) {
		t.Fatalf("buckets = %d\n%.1500s", r.Status, r.Body)
	}
	r = b.get("/ui/buckets/reports")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "aws:SecureTransport") || !strings.Contains(r.Body, "<code>q1.csv</code>") {
		t.Fatalf("bucket = %d\n%.2500s", r.Status, r.Body)
	}
	if r := b.get("/ui/buckets/no-such-bucket"); r.Status != http.StatusNotFound || !strings.Contains(r.Body, "NoSuchBucket") {
		t.Errorf("missing bucket = %d", r.Status)
	}
	srv.FlushTrail(t)
	r = b.get("/ui/activity?event=ConsoleLogin")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "<summary>ConsoleLogin</summary>") || strings.Contains(r.Body, "<summary>ListBuckets</summary>") {
		t.Fatalf("activity = %d\n%.2500s", r.Status, r.Body)
	}
	r = b.get("/ui/activity")
	if !strings.Contains(r.Body, "<summary>GetBucketPolicy</summary>") || !strings.Contains(r.Body, ">Gatehouse console<") {
		t.Errorf("activity without a filter lacks the console's S3 calls\n%.2500s", r.Body)
	}
	nb := newBrowser(t, srv.URL)
	nb.mustSignIn(acct, "nobody", password)
	for _, p := range []string{"/ui/activity", "/ui/buckets"} {
		if r := nb.get(p); r.Status < 400 || !strings.Contains(r.Body, "AccessDenied") || !strings.Contains(r.Body, "user/nobody is not authorized") {
			t.Errorf("%s without permission = %d\n%s", p, r.Status, r.Body[strings.Index(r.Body, "<main"):])
		}
	}
}

// TestOrganizationPage: the tree of the organization with the SCPs at
// each level, read through Organizations' API; outside an organization
// the page reads AWS's error.
func TestOrganizationPage(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "admin", password, false, "AdministratorAccess")
	b := newBrowser(t, srv.URL)
	b.mustSignIn(acct, "admin", password)
	if r := b.get("/ui/organization"); r.Status < 400 || !strings.Contains(r.Body, "AWSOrganizationsNotInUseException") {
		t.Errorf("no organization = %d\n%s", r.Status, r.Body[strings.Index(r.Body, "<main"):])
	}
	m := srv.NewMember(t)
	m.AttachSCP(t, "DenyLeaving", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}`)
	r := b.get("/ui/organization")
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "<code>"+m.Account+"</code>") || !strings.Contains(r.Body, "SCP DenyLeaving") ||
		!strings.Contains(r.Body, "SCP FullAWSAccess") {
		t.Errorf("organization = %d\n%s", r.Status, r.Body[strings.Index(r.Body, "<main"):])
	}
}

// TestFindingsPage: the account's analyzers and their findings through
// Access Analyzer's API: a role another account may assume is a finding.
func TestFindingsPage(t *testing.T) {
	srv := testserver.Start(t)
	makeUser(t, srv, "admin", password, false, "AdministratorAccess")
	ctx := context.Background()
	aa := awsaa.NewFromConfig(srv.Config(testserver.RootKeyID, testserver.RootSecretKey))
	if _, err := aa.CreateAnalyzer(ctx, &awsaa.CreateAnalyzerInput{AnalyzerName: aws.String("account"), Type: aatypes.TypeAccount}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.RootIAM().CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("partner"), AssumeRolePolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, srv.URL)
	b.mustSignIn(acct, "admin", password)
	var r resp
	for range 50 {
		if r = b.get("/ui/findings"); strings.Contains(r.Body, "role/partner") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "account") || !strings.Contains(r.Body, "arn:aws:iam::"+acct+":role/partner") {
		t.Errorf("findings = %d\n%s", r.Status, r.Body[strings.Index(r.Body, "<main"):])
	}
}
