package accessanalyzer_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	aa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/policy/validate"
	"github.com/gatehouse-iam/gatehouse/trail"
)

const (
	trailARN  = "arn:aws:cloudtrail:us-east-1:" + testserver.AccountID + ":trail/main"
	accessARN = "arn:aws:iam::" + testserver.AccountID + ":role/service-role/AccessAnalyzerMonitorServiceRole"
)

// genSetup is a server with a user "dev" that made calls, and the service
// role policy generation is passed.
type genSetup struct {
	s      *testserver.Server
	root   *aa.Client
	devARN string
}

func newGenSetup(t *testing.T) *genSetup {
	t.Helper()
	ctx := context.Background()
	s := testserver.Start(t)
	iamRoot := s.RootIAM()
	_, err := iamRoot.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("AccessAnalyzerMonitorServiceRole"), Path: aws.String("/service-role/"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"access-analyzer.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	dev := s.NewUserWithKey(t, "dev")
	devARN := "arn:aws:iam::" + testserver.AccountID + ":user/dev"
	perm := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","iam:GetUser"],"Resource":"*"}]}`
	if _, err := iamRoot.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("dev"), PolicyName: aws.String("p"), PolicyDocument: aws.String(perm)}); err != nil {
		t.Fatal(err)
	}
	// The calls the policy is generated from: two allowed, one denied.
	if _, err := dev.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("dev")}); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.ListRoles(ctx, &awsiam.ListRolesInput{}); err == nil {
		t.Fatal("ListRoles was allowed")
	}
	waitTrail(t, s.Trail, devARN, 3)
	return &genSetup{s: s, root: aa.NewFromConfig(s.Config(testserver.RootKeyID, testserver.RootSecretKey)), devARN: devARN}
}

// waitTrail waits until the recorder has written n events of the principal.
func waitTrail(t *testing.T, st trail.Store, principal string, n int) {
	t.Helper()
	for range 500 {
		p, err := st.Lookup(context.Background(), trail.Query{Account: testserver.AccountID, Principal: principal, IncludeData: true, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Entries) >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("the trail never held %d events of %s", n, principal)
}

func startInput(principal string, start time.Time) *aa.StartPolicyGenerationInput {
	return &aa.StartPolicyGenerationInput{
		PolicyGenerationDetails: &aatypes.PolicyGenerationDetails{PrincipalArn: aws.String(principal)},
		CloudTrailDetails: &aatypes.CloudTrailDetails{
			Trails:     []aatypes.Trail{{CloudTrailArn: aws.String(trailARN), AllRegions: aws.Bool(true)}},
			AccessRole: aws.String(accessARN),
			StartTime:  aws.Time(start),
		},
	}
}

// waitJob polls GetGeneratedPolicy until the job leaves IN_PROGRESS.
func waitJob(t *testing.T, c *aa.Client, in *aa.GetGeneratedPolicyInput) *aa.GetGeneratedPolicyOutput {
	t.Helper()
	for range 500 {
		out, err := c.GetGeneratedPolicy(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if out.JobDetails.Status != aatypes.JobStatusInProgress {
			return out
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the job never completed")
	return nil
}

type genStatement struct {
	Action   []string
	Resource []string
}

// statements parses the generated policies, checking each with
// Gatehouse's ValidatePolicy: no ERROR, no SECURITY_WARNING.
func statements(t *testing.T, out *aa.GetGeneratedPolicyOutput) []genStatement {
	t.Helper()
	var all []genStatement
	for _, p := range out.GeneratedPolicyResult.GeneratedPolicies {
		doc := aws.ToString(p.Policy)
		for _, kind := range []policy.Kind{policy.KindIdentity, policy.KindManaged} {
			for _, f := range validate.Validate(doc, kind) {
				if f.Type == validate.TypeError || f.Type == validate.TypeSecurityWarning {
					t.Errorf("generated policy: %s %s %s\n%s", f.Type, f.Code, f.Message, doc)
				}
			}
		}
		var d struct{ Statement []genStatement }
		if err := json.Unmarshal([]byte(doc), &d); err != nil {
			t.Fatal(err)
		}
		all = append(all, d.Statement...)
	}
	return all
}

func actionsOf(stmts []genStatement) []string {
	var out []string
	for _, s := range stmts {
		out = append(out, s.Action...)
	}
	sort.Strings(out)
	return out
}

// errCode returns the AWS error code and HTTP status of err.
func errCode(err error) (string, int) {
	var ae smithy.APIError
	var re *awshttp.ResponseError
	code, status := "", 0
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

// TestPolicyGeneration: a user's successful calls become a policy granting
// exactly them; the denied call is not in it (IAM User Guide,
// access-analyzer-policy-generation.md; API_StartPolicyGeneration,
// API_GetGeneratedPolicy).
func TestPolicyGeneration(t *testing.T) {
	t.Parallel()
	g := newGenSetup(t)
	ctx := context.Background()
	started, err := g.root.StartPolicyGeneration(ctx, startInput(g.devARN, time.Now().Add(-time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(started.JobId)
	out := waitJob(t, g.root, &aa.GetGeneratedPolicyInput{JobId: aws.String(id)})
	if out.JobDetails.Status != aatypes.JobStatusSucceeded || out.JobDetails.CompletedOn == nil || out.JobDetails.JobError != nil {
		t.Fatalf("job details %+v", out.JobDetails)
	}
	props := out.GeneratedPolicyResult.Properties
	if aws.ToString(props.PrincipalArn) != g.devARN || !aws.ToBool(props.IsComplete) {
		t.Errorf("properties %+v", props)
	}
	// The trails named are reported back as given.
	if ct := props.CloudTrailProperties; ct == nil || len(ct.TrailProperties) != 1 || aws.ToString(ct.TrailProperties[0].CloudTrailArn) != trailARN ||
		!aws.ToBool(ct.TrailProperties[0].AllRegions) || ct.StartTime == nil || ct.EndTime == nil || !ct.StartTime.Before(*ct.EndTime) {
		t.Errorf("cloudTrailProperties %+v", props.CloudTrailProperties)
	}
	stmts := statements(t, out)
	if got := actionsOf(stmts); !slices.Equal(got, []string{"iam:GetUser", "iam:ListUsers"}) {
		t.Errorf("actions %v, want iam:GetUser and iam:ListUsers (not the denied iam:ListRoles)", got)
	}
	for _, s := range stmts {
		if slices.Contains(s.Action, "iam:GetUser") && !slices.Equal(s.Resource, []string{g.devARN}) {
			t.Errorf("iam:GetUser on %v, want the user it was used on", s.Resource)
		}
	}

	// Same client token: the same job (API reference, clientToken).
	in := startInput(g.devARN, time.Now().Add(-time.Hour))
	in.ClientToken = aws.String("token-1")
	first, err := g.root.StartPolicyGeneration(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	again, err := g.root.StartPolicyGeneration(ctx, in)
	if err != nil || aws.ToString(again.JobId) != aws.ToString(first.JobId) {
		t.Errorf("retry with the client token: %v %v, want job %s", again, err, aws.ToString(first.JobId))
	}
	waitJob(t, g.root, &aa.GetGeneratedPolicyInput{JobId: first.JobId})

	// ListPolicyGenerations: both jobs, newest first, filtered and paged.
	list, err := g.root.ListPolicyGenerations(ctx, &aa.ListPolicyGenerationsInput{PrincipalArn: aws.String(g.devARN)})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.PolicyGenerations) != 2 {
		t.Fatalf("ListPolicyGenerations: %+v", list.PolicyGenerations)
	}
	for _, pg := range list.PolicyGenerations {
		if aws.ToString(pg.PrincipalArn) != g.devARN || pg.Status != aatypes.JobStatusSucceeded || pg.CompletedOn == nil {
			t.Errorf("policy generation %+v", pg)
		}
	}
	paged, err := g.root.ListPolicyGenerations(ctx, &aa.ListPolicyGenerationsInput{MaxResults: aws.Int32(1)})
	if err != nil || len(paged.PolicyGenerations) != 1 || paged.NextToken == nil {
		t.Errorf("page of one: %+v %v", paged, err)
	}
	other, err := g.root.ListPolicyGenerations(ctx, &aa.ListPolicyGenerationsInput{PrincipalArn: aws.String("arn:aws:iam::" + testserver.AccountID + ":user/nobody")})
	if err != nil || len(other.PolicyGenerations) != 0 {
		t.Errorf("filtered by another principal: %+v %v", other, err)
	}

	// A completed job cannot be canceled.
	_, err = g.root.CancelPolicyGeneration(ctx, &aa.CancelPolicyGenerationInput{JobId: aws.String(id)})
	if code, status := errCode(err); code != "ValidationException" || status != 400 {
		t.Errorf("CancelPolicyGeneration of a completed job: %v", err)
	}
}

// TestPolicyGenerationPlaceholders: includeResourcePlaceholders names the
// resource type's ARN with placeholders instead of "*" (API_GetGeneratedPolicy).
func TestPolicyGenerationPlaceholders(t *testing.T) {
	t.Parallel()
	g := newGenSetup(t)
	ctx := context.Background()
	started, err := g.root.StartPolicyGeneration(ctx, startInput(g.devARN, time.Now().Add(-time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	out := waitJob(t, g.root, &aa.GetGeneratedPolicyInput{JobId: started.JobId, IncludeResourcePlaceholders: aws.Bool(true), IncludeServiceLevelTemplate: aws.Bool(true)})
	for _, s := range statements(t, out) {
		for _, r := range s.Resource {
			if r == "*" && slices.Contains(s.Action, "iam:GetUser") {
				t.Errorf("iam:GetUser on *: %+v", s)
			}
		}
	}
}

// TestPolicyGenerationErrors: AWS's errors for bad requests.
func TestPolicyGenerationErrors(t *testing.T) {
	t.Parallel()
	g := newGenSetup(t)
	ctx := context.Background()
	now := time.Now()
	cases := []struct {
		name   string
		in     *aa.StartPolicyGenerationInput
		code   string
		status int
	}{
		{"start after end", func() *aa.StartPolicyGenerationInput {
			in := startInput(g.devARN, now.Add(-time.Hour))
			in.CloudTrailDetails.EndTime = aws.Time(now.Add(-2 * time.Hour))
			return in
		}(), "ValidationException", 400},
		// "Policy generation AWS CloudTrail time range: 90 days" (IAM
		// User Guide, access-analyzer-quotas.md).
		{"more than 90 days", startInput(g.devARN, now.Add(-91*24*time.Hour)), "ValidationException", 400},
		{"principal of another account", startInput("arn:aws:iam::111122223333:user/dev", now.Add(-time.Hour)), "ValidationException", 400},
		{"no such principal", startInput("arn:aws:iam::"+testserver.AccountID+":role/none", now.Add(-time.Hour)), "ValidationException", 400},
		{"not a user or role ARN", startInput("arn:aws:iam::"+testserver.AccountID+":group/g", now.Add(-time.Hour)), "ValidationException", 400},
		{"no cloudTrailDetails", &aa.StartPolicyGenerationInput{PolicyGenerationDetails: &aatypes.PolicyGenerationDetails{PrincipalArn: aws.String(g.devARN)}}, "ValidationException", 400},
	}
	for _, c := range cases {
		_, err := g.root.StartPolicyGeneration(ctx, c.in)
		if code, status := errCode(err); code != c.code || status != c.status {
			t.Errorf("%s: %v, want %s %d", c.name, err, c.code, c.status)
		}
	}
	_, err := g.root.GetGeneratedPolicy(ctx, &aa.GetGeneratedPolicyInput{JobId: aws.String("00000000-0000-4000-8000-000000000000")})
	if code, status := errCode(err); code != "ValidationException" || status != 400 {
		t.Errorf("GetGeneratedPolicy of no job: %v", err)
	}
	_, err = g.root.CancelPolicyGeneration(ctx, &aa.CancelPolicyGenerationInput{JobId: aws.String("00000000-0000-4000-8000-000000000000")})
	if code, status := errCode(err); code != "ValidationException" || status != 400 {
		t.Errorf("CancelPolicyGeneration of no job: %v", err)
	}
	_, err = g.root.ListPolicyGenerations(ctx, &aa.ListPolicyGenerationsInput{NextToken: aws.String("garbage!")})
	if code, _ := errCode(err); code != "ValidationException" {
		t.Errorf("ListPolicyGenerations with a bad token: %v", err)
	}
}

// TestPolicyGenerationAuthorization: the access-analyzer actions of the
// authorization reference, and iam:PassRole on the service role (IAM User
// Guide, access-analyzer-policy-generation.md, "Permissions required to
// generate a policy").
func TestPolicyGenerationAuthorization(t *testing.T) {
	t.Parallel()
	g := newGenSetup(t)
	ctx := context.Background()
	iamRoot := g.s.RootIAM()
	key := func(name, doc string) *aa.Client {
		if _, err := iamRoot.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
		if doc != "" {
			if _, err := iamRoot.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
				t.Fatal(err)
			}
		}
		k, err := iamRoot.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return aa.NewFromConfig(g.s.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)))
	}
	gen := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["access-analyzer:StartPolicyGeneration","access-analyzer:GetGeneratedPolicy","access-analyzer:ListPolicyGenerations","access-analyzer:CancelPolicyGeneration"],"Resource":"*"}`
	noPass := key("nopass", gen+`]}`)
	withPass := key("withpass", gen+`,{"Effect":"Allow","Action":"iam:PassRole","Resource":"`+accessARN+`","Condition":{"StringEquals":{"iam:PassedToService":"access-analyzer.amazonaws.com"}}}]}`)
	nothing := key("nothing", "")

	in := startInput(g.devARN, time.Now().Add(-time.Hour))
	_, err := noPass.StartPolicyGeneration(ctx, in)
	if code, status := errCode(err); code != "AccessDeniedException" || status != 403 {
		t.Errorf("StartPolicyGeneration without iam:PassRole: %v", err)
	}
	started, err := withPass.StartPolicyGeneration(ctx, in)
	if err != nil {
		t.Fatalf("StartPolicyGeneration with iam:PassRole: %v", err)
	}
	waitJob(t, withPass, &aa.GetGeneratedPolicyInput{JobId: started.JobId})
	if _, err := noPass.ListPolicyGenerations(ctx, &aa.ListPolicyGenerationsInput{}); err != nil {
		t.Errorf("ListPolicyGenerations: %v", err)
	}
	for name, call := range map[string]func() error{
		"StartPolicyGeneration": func() error { _, err := nothing.StartPolicyGeneration(ctx, in); return err },
		"GetGeneratedPolicy": func() error {
			_, err := nothing.GetGeneratedPolicy(ctx, &aa.GetGeneratedPolicyInput{JobId: started.JobId})
			return err
		},
		"ListPolicyGenerations": func() error {
			_, err := nothing.ListPolicyGenerations(ctx, &aa.ListPolicyGenerationsInput{})
			return err
		},
		"CancelPolicyGeneration": func() error {
			_, err := nothing.CancelPolicyGeneration(ctx, &aa.CancelPolicyGenerationInput{JobId: started.JobId})
			return err
		},
	} {
		if code, status := errCode(call()); code != "AccessDeniedException" || status != 403 {
			t.Errorf("%s without permission: %s %d", name, code, status)
		}
	}
}

// TestPolicyGenerationRoleSessions: a role's sessions count as the role
// (generation is "for an IAM entity (user or role)", API reference), and S3
// operations become the actions they need (Amazon S3 API Reference:
// HeadObject needs s3:GetObject, ListObjectsV2 s3:ListBucket, PutObject
// s3:PutObject), on the bucket and object they were used on.
func TestPolicyGenerationRoleSessions(t *testing.T) {
	t.Parallel()
	g := newGenSetup(t)
	ctx := context.Background()
	iamRoot := g.s.RootIAM()
	roleARN := "arn:aws:iam::" + testserver.AccountID + ":role/app"
	_, err := iamRoot.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("app"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testserver.AccountID + `:root"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	perm := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:ListBucket","iam:ListGroups"],"Resource":"*"}]}`
	if _, err := iamRoot.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("p"), PolicyDocument: aws.String(perm)}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamRoot.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("assumer")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamRoot.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("assumer"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + roleARN + `"}]}`)}); err != nil {
		t.Fatal(err)
	}
	k, err := iamRoot.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("assumer")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.s.RootS3().CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("genbucket")}); err != nil {
		t.Fatal(err)
	}
	// Each of two sessions does part of the work.
	for i, work := range []func(s3c *awss3.Client, iamc *awsiam.Client) error{
		func(s3c *awss3.Client, _ *awsiam.Client) error {
			_, err := s3c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("genbucket"), Key: aws.String("k"), Body: strings.NewReader("x")})
			return err
		},
		func(s3c *awss3.Client, iamc *awsiam.Client) error {
			if _, err := s3c.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String("genbucket"), Key: aws.String("k")}); err != nil {
				return err
			}
			if _, err := s3c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("genbucket")}); err != nil {
				return err
			}
			_, err := iamc.ListGroups(ctx, &awsiam.ListGroupsInput{})
			return err
		},
	} {
		ar, err := g.s.STSClient(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)).AssumeRole(ctx, &awssts.AssumeRoleInput{
			RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s" + strconv.Itoa(i))})
		if err != nil {
			t.Fatal(err)
		}
		cr := ar.Credentials
		cfg := g.s.SessionConfig(aws.ToString(cr.AccessKeyId), aws.ToString(cr.SecretAccessKey), aws.ToString(cr.SessionToken))
		if err := work(testserver.S3FromConfig(cfg), awsiam.NewFromConfig(cfg)); err != nil {
			t.Fatal(err)
		}
	}
	waitTrail(t, g.s.Trail, roleARN, 4)
	started, err := g.root.StartPolicyGeneration(ctx, startInput(roleARN, time.Now().Add(-time.Hour)))
	if err != nil {
		t.Fatal(err)
	}
	out := waitJob(t, g.root, &aa.GetGeneratedPolicyInput{JobId: started.JobId})
	if out.JobDetails.Status != aatypes.JobStatusSucceeded {
		t.Fatalf("job %+v", out.JobDetails)
	}
	stmts := statements(t, out)
	if got := actionsOf(stmts); !slices.Equal(got, []string{"iam:ListGroups", "s3:GetObject", "s3:ListBucket", "s3:PutObject"}) {
		t.Errorf("actions %v", got)
	}
	want := map[string][]string{"s3:GetObject": {"arn:aws:s3:::genbucket/k"}, "s3:PutObject": {"arn:aws:s3:::genbucket/k"}, "s3:ListBucket": {"arn:aws:s3:::genbucket"}, "iam:ListGroups": {"*"}}
	for _, s := range stmts {
		for _, a := range s.Action {
			if !slices.Equal(s.Resource, want[a]) {
				t.Errorf("%s on %v, want %v", a, s.Resource, want[a])
			}
		}
	}
}
