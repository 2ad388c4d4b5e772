package iam_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/trail"
	trailsqlite "github.com/gatehouse-iam/gatehouse/trail/sqlite"
)

// The last accessed reports of the IAM User Guide
// (/work/shared/reference/aws-iam-user-guide/access_policies_access-advisor.md
// and access_policies_access-advisor-view-data.md;
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateServiceLastAccessedDetails.html),
// built from the audit trail the test server records into.

// userKeys creates a user with an inline policy and an access key.
func userKeys(t *testing.T, srv *testserver.Server, name, doc string) (keyID, secret string) {
	t.Helper()
	ctx := context.Background()
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if doc != "" {
		if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String(name + "-own"), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatal(err)
		}
	}
	k, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return *k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey
}

// stsIn is an STS client for a key, signing for region.
func stsIn(srv *testserver.Server, keyID, secret, region string) *awssts.Client {
	c := srv.Config(keyID, secret)
	c.Region = region
	return awssts.NewFromConfig(c)
}

// report generates a report and polls GetServiceLastAccessedDetails until
// the job is no longer IN_PROGRESS, as a client does (the API reference's
// JobStatus), reading every page.
func report(t *testing.T, client *awsiam.Client, arn string, gran types.AccessAdvisorUsageGranularityType) (string, []types.ServiceLastAccessed) {
	t.Helper()
	ctx := context.Background()
	gen, err := client.GenerateServiceLastAccessedDetails(ctx, &awsiam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(arn), Granularity: gran})
	if err != nil {
		t.Fatalf("GenerateServiceLastAccessedDetails %s: %v", arn, err)
	}
	for range 50 {
		out, err := client.GetServiceLastAccessedDetails(ctx, &awsiam.GetServiceLastAccessedDetailsInput{JobId: gen.JobId})
		if err != nil {
			t.Fatal(err)
		}
		if out.JobStatus == types.JobStatusTypeInProgress {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if out.JobStatus != types.JobStatusTypeCompleted || out.Error != nil || out.JobCompletionDate == nil || out.JobCreationDate == nil {
			t.Fatalf("job %s: %+v", *gen.JobId, out)
		}
		want := gran
		if want == "" {
			want = types.AccessAdvisorUsageGranularityTypeServiceLevel
		}
		if out.JobType != want {
			t.Errorf("JobType %s, want %s", out.JobType, want)
		}
		services := out.ServicesLastAccessed
		for marker := out.Marker; out.IsTruncated; marker = out.Marker {
			out, err = client.GetServiceLastAccessedDetails(ctx, &awsiam.GetServiceLastAccessedDetailsInput{JobId: gen.JobId, Marker: marker})
			if err != nil {
				t.Fatal(err)
			}
			services = append(services, out.ServicesLastAccessed...)
		}
		return *gen.JobId, services
	}
	t.Fatalf("job %s still in progress", *gen.JobId)
	return "", nil
}

func service(t *testing.T, svcs []types.ServiceLastAccessed, ns string) types.ServiceLastAccessed {
	t.Helper()
	for _, s := range svcs {
		if aws.ToString(s.ServiceNamespace) == ns {
			return s
		}
	}
	t.Fatalf("no service %s in the report", ns)
	return types.ServiceLastAccessed{}
}

func namespaces(svcs []types.ServiceLastAccessed) []string {
	var out []string
	for _, s := range svcs {
		out = append(out, aws.ToString(s.ServiceNamespace))
	}
	return out
}

// within checks that a reported time lies in [from, to] (the trail keeps
// seconds).
func within(t *testing.T, what string, got *time.Time, from, to time.Time) {
	t.Helper()
	if got == nil || got.Before(from.Truncate(time.Second)) || got.After(to) {
		t.Errorf("%s %v, want within [%v, %v]", what, got, from, to)
	}
}

const devPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["iam:GetUser","iam:ListUsers","iam:GetRole","iam:PassRole","iam:GetServiceLastAccessedDetails"],"Resource":"*"},
 {"Effect":"Allow","Action":"iam:CreateUser","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}},
 {"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"},
 {"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*"}]}`

func TestServiceLastAccessedUser(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	keyID, secret := userKeys(t, srv, "dev", devPolicy)
	dev := srv.IAMClient(keyID, secret)
	devARN := "arn:aws:iam::" + testserver.AccountID + ":user/dev"

	start := time.Now()
	if _, err := dev.GetUser(ctx, &awsiam.GetUserInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := stsIn(srv, keyID, secret, "eu-west-2").GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	// Denied (the condition fails in us-east-1): an attempt all the same,
	// which last accessed data counts (the guide's "Attempts reported").
	_, err := dev.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("x")})
	wantCode(t, err, "AccessDenied")
	// Without iam:GenerateServiceLastAccessedDetails the caller is refused
	// (the guide's "Permissions required").
	_, err = dev.GenerateServiceLastAccessedDetails(ctx, &awsiam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(devARN)})
	wantCode(t, err, "AccessDenied")
	end := time.Now()

	job, svcs := report(t, root, devARN, "")
	// The services the policies allow, by namespace (the API reference:
	// "By default, the list is sorted by service namespace"); s3 is not
	// allowed, so not listed.
	if got := namespaces(svcs); !slices.Equal(got, []string{"dynamodb", "iam", "sts"}) {
		t.Fatalf("services %v", got)
	}
	iamSvc := service(t, svcs, "iam")
	within(t, "iam LastAuthenticated", iamSvc.LastAuthenticated, start, end)
	if aws.ToString(iamSvc.LastAuthenticatedEntity) != devARN || aws.ToString(iamSvc.LastAuthenticatedRegion) != "us-east-1" ||
		aws.ToInt32(iamSvc.TotalAuthenticatedEntities) != 1 || iamSvc.TrackedActionsLastAccessed != nil ||
		!strings.Contains(aws.ToString(iamSvc.ServiceName), "Identity and Access Management") {
		t.Errorf("iam %+v", iamSvc)
	}
	stsSvc := service(t, svcs, "sts")
	within(t, "sts LastAuthenticated", stsSvc.LastAuthenticated, start, end)
	if aws.ToString(stsSvc.LastAuthenticatedRegion) != "eu-west-2" || aws.ToString(stsSvc.LastAuthenticatedEntity) != devARN {
		t.Errorf("sts %+v", stsSvc)
	}
	if iamSvc.LastAuthenticated.Before(*stsSvc.LastAuthenticated) {
		t.Errorf("iam's last access %v before sts's %v: the denied CreateUser came last", iamSvc.LastAuthenticated, stsSvc.LastAuthenticated)
	}
	// Allowed but unused: listed with no date and no entity.
	ddb := service(t, svcs, "dynamodb")
	if ddb.LastAuthenticated != nil || ddb.LastAuthenticatedEntity != nil || ddb.LastAuthenticatedRegion != nil || aws.ToInt32(ddb.TotalAuthenticatedEntities) != 0 {
		t.Errorf("dynamodb %+v", ddb)
	}

	// MaxItems pages, each marker continuing where the last page ended.
	var paged []string
	var marker *string
	for {
		out, err := root.GetServiceLastAccessedDetails(ctx, &awsiam.GetServiceLastAccessedDetailsInput{JobId: aws.String(job), MaxItems: aws.Int32(1), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.ServicesLastAccessed) != 1 {
			t.Fatalf("page of %d", len(out.ServicesLastAccessed))
		}
		paged = append(paged, namespaces(out.ServicesLastAccessed)...)
		if !out.IsTruncated {
			if out.Marker != nil {
				t.Error("a marker on the last page")
			}
			break
		}
		marker = out.Marker
	}
	if !slices.Equal(paged, []string{"dynamodb", "iam", "sts"}) {
		t.Errorf("paged %v", paged)
	}
	_, err = root.GetServiceLastAccessedDetails(ctx, &awsiam.GetServiceLastAccessedDetailsInput{JobId: aws.String(job), Marker: aws.String("bm8tc3VjaA")})
	wantCode(t, err, "InvalidInput")

	// A report is its generator's only (the guide's "Report owner"): dev,
	// allowed iam:GetServiceLastAccessedDetails, cannot read root's.
	_, err = dev.GetServiceLastAccessedDetails(ctx, &awsiam.GetServiceLastAccessedDetailsInput{JobId: aws.String(job)})
	wantCode(t, err, "NoSuchEntity")
	_, err = root.GetServiceLastAccessedDetails(ctx, &awsiam.GetServiceLastAccessedDetailsInput{JobId: aws.String("9e1c2f0a-3b4d-4e5f-8a9b-0c1d2e3f4a5b")})
	wantCode(t, err, "NoSuchEntity")

	// Errors of Generate: an ARN of no user, group, role or policy; an
	// entity that does not exist; another account's.
	for arn, code := range map[string]string{
		"arn:aws:s3:::some-bucket-name": "InvalidInput",
		"arn:aws:s3:::b":                "ValidationError", // the model's arnType: 20 to 2048 characters
		"arn:aws:iam::" + testserver.AccountID + ":server-certificate/x": "InvalidInput",
		"not-an-arn-but-long-enough":                                     "InvalidInput",
		"arn:aws:iam::" + testserver.AccountID + ":user/nobody":          "NoSuchEntity",
		"arn:aws:iam::" + testserver.AccountID + ":policy/nopolicy":      "NoSuchEntity",
		"arn:aws:iam::999999999999:user/dev":                             "NoSuchEntity",
	} {
		_, err := root.GenerateServiceLastAccessedDetails(ctx, &awsiam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(arn)})
		if apiCode(err) != code {
			t.Errorf("Generate %s: %v, want %s", arn, err, code)
		}
	}
}

func TestServiceLastAccessedActionLevel(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	keyID, secret := userKeys(t, srv, "dev", devPolicy)
	dev := srv.IAMClient(keyID, secret)
	devARN := "arn:aws:iam::" + testserver.AccountID + ":user/dev"
	start := time.Now()
	if _, err := dev.GetUser(ctx, &awsiam.GetUserInput{}); err != nil {
		t.Fatal(err)
	}
	_, err := dev.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("x")})
	wantCode(t, err, "AccessDenied")
	end := time.Now()

	_, svcs := report(t, srv.RootIAM(), devARN, types.AccessAdvisorUsageGranularityTypeActionLevel)
	actions := map[string]types.TrackedActionLastAccessed{}
	for _, a := range service(t, svcs, "iam").TrackedActionsLastAccessed {
		actions[aws.ToString(a.ActionName)] = a
	}
	// The allowed IAM actions, iam:PassRole excepted (the guide's
	// "PassRole": not tracked).
	var names []string
	for n := range actions {
		names = append(names, n)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"CreateUser", "GetRole", "GetServiceLastAccessedDetails", "GetUser", "ListUsers"}) {
		t.Fatalf("tracked actions %v", names)
	}
	for _, n := range []string{"GetUser", "CreateUser"} {
		a := actions[n]
		within(t, n, a.LastAccessedTime, start, end)
		if aws.ToString(a.LastAccessedEntity) != devARN || aws.ToString(a.LastAccessedRegion) != "us-east-1" {
			t.Errorf("%s %+v", n, a)
		}
	}
	for _, n := range []string{"ListUsers", "GetRole"} {
		if a := actions[n]; a.LastAccessedTime != nil || a.LastAccessedEntity != nil {
			t.Errorf("unused %s %+v", n, a)
		}
	}
	// Action level is for IAM, EC2, Lambda and S3 management actions only.
	if ta := service(t, svcs, "sts").TrackedActionsLastAccessed; ta != nil {
		t.Errorf("sts tracked %+v", ta)
	}
}

const sharedPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:ListUsers","sts:GetCallerIdentity"],"Resource":"*"}]}`

func TestServiceLastAccessedGroupAndPolicy(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	acct := "arn:aws:iam::" + testserver.AccountID + ":"
	pol, err := root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("shared"), PolicyDocument: aws.String(sharedPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	polARN := *pol.Policy.Arn
	if _, err := root.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("ops")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: aws.String(polARN)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutGroupPolicy(ctx, &awsiam.PutGroupPolicyInput{GroupName: aws.String("ops"), PolicyName: aws.String("ops-s3"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	keys := map[string][2]string{}
	for _, u := range []string{"alice", "bob"} {
		k, s := userKeys(t, srv, u, "")
		keys[u] = [2]string{k, s}
		if _, err := root.AddUserToGroup(ctx, &awsiam.AddUserToGroupInput{GroupName: aws.String("ops"), UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("alice-iam"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	trust := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testserver.AccountID + `:root"},"Action":"sts:AssumeRole"}}`
	if _, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("worker"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("worker"), PolicyArn: aws.String(polARN)}); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	if _, err := srv.IAMClient(keys["alice"][0], keys["alice"][1]).ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := stsIn(srv, keys["bob"][0], keys["bob"][1], "eu-central-1").GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	end := time.Now()

	// A group: its policies' services, its members' access; the entity is
	// the member that called (GetServiceLastAccessedDetails: "Group –
	// Returns the ARN of the group member (user) that last attempted to
	// access the service").
	job, svcs := report(t, root, acct+"group/ops", "")
	if got := namespaces(svcs); !slices.Equal(got, []string{"iam", "s3", "sts"}) {
		t.Fatalf("group services %v", got)
	}
	if s := service(t, svcs, "iam"); aws.ToString(s.LastAuthenticatedEntity) != acct+"user/alice" || aws.ToInt32(s.TotalAuthenticatedEntities) != 1 {
		t.Errorf("group iam %+v", s)
	}
	if s := service(t, svcs, "sts"); aws.ToString(s.LastAuthenticatedEntity) != acct+"user/bob" || aws.ToString(s.LastAuthenticatedRegion) != "eu-central-1" {
		t.Errorf("group sts %+v", s)
	}
	ents, err := root.GetServiceLastAccessedDetailsWithEntities(ctx, &awsiam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String(job), ServiceNamespace: aws.String("iam")})
	if err != nil {
		t.Fatal(err)
	}
	// Most recent first (the operation's documentation), then the members
	// who did not call.
	if ents.JobStatus != types.JobStatusTypeCompleted || len(ents.EntityDetailsList) != 2 ||
		aws.ToString(ents.EntityDetailsList[0].EntityInfo.Name) != "alice" || ents.EntityDetailsList[0].EntityInfo.Type != types.PolicyOwnerEntityTypeUser ||
		aws.ToString(ents.EntityDetailsList[1].EntityInfo.Name) != "bob" || ents.EntityDetailsList[1].LastAuthenticated != nil {
		t.Fatalf("group iam entities %+v", ents.EntityDetailsList)
	}
	within(t, "alice", ents.EntityDetailsList[0].LastAuthenticated, start, end)

	// A policy: the users and roles it is attached to, directly or through
	// a group; its own services only (s3 comes from the group's inline policy).
	job, svcs = report(t, root, polARN, "")
	if got := namespaces(svcs); !slices.Equal(got, []string{"iam", "sts"}) {
		t.Fatalf("policy services %v", got)
	}
	if s := service(t, svcs, "sts"); aws.ToString(s.LastAuthenticatedEntity) != acct+"user/bob" || aws.ToInt32(s.TotalAuthenticatedEntities) != 1 {
		t.Errorf("policy sts %+v", s)
	}
	var listed []string
	var marker *string
	for {
		out, err := root.GetServiceLastAccessedDetailsWithEntities(ctx, &awsiam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String(job), ServiceNamespace: aws.String("sts"), MaxItems: aws.Int32(1), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.EntityDetailsList {
			listed = append(listed, string(e.EntityInfo.Type)+":"+aws.ToString(e.EntityInfo.Name))
		}
		if !out.IsTruncated {
			break
		}
		marker = out.Marker
	}
	if !slices.Equal(listed, []string{"USER:bob", "ROLE:worker", "USER:alice"}) {
		t.Errorf("policy sts entities %v", listed)
	}
	_, err = root.GetServiceLastAccessedDetailsWithEntities(ctx, &awsiam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: aws.String("9e1c2f0a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"), ServiceNamespace: aws.String("sts")})
	wantCode(t, err, "NoSuchEntity")

	// ListPoliciesGrantingServiceAccess: a user's policies and its groups'
	// (the API reference), managed with their ARN, inline with their owner.
	lp, err := root.ListPoliciesGrantingServiceAccess(ctx, &awsiam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(acct + "user/alice"), ServiceNamespaces: []string{"iam", "s3", "dynamodb"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, e := range lp.PoliciesGrantingServiceAccess {
		var ps []string
		for _, p := range e.Policies {
			d := string(p.PolicyType) + ":" + aws.ToString(p.PolicyName) + ":" + aws.ToString(p.PolicyArn) + ":" + string(p.EntityType) + ":" + aws.ToString(p.EntityName)
			ps = append(ps, d)
		}
		slices.Sort(ps)
		got[aws.ToString(e.ServiceNamespace)] = ps
	}
	want := map[string][]string{
		"iam":      {"INLINE:alice-iam::USER:alice", "MANAGED:shared:" + polARN + "::"},
		"s3":       {"INLINE:ops-s3::GROUP:ops"},
		"dynamodb": nil,
	}
	for ns, w := range want {
		if !slices.Equal(got[ns], w) {
			t.Errorf("%s: %v, want %v", ns, got[ns], w)
		}
	}
	if len(lp.PoliciesGrantingServiceAccess) != 3 || lp.IsTruncated {
		t.Errorf("entries %d truncated %v", len(lp.PoliciesGrantingServiceAccess), lp.IsTruncated)
	}
	// A group's own policies only.
	lp, err = root.ListPoliciesGrantingServiceAccess(ctx, &awsiam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(acct + "group/ops"), ServiceNamespaces: []string{"iam"}})
	if err != nil || len(lp.PoliciesGrantingServiceAccess) != 1 || len(lp.PoliciesGrantingServiceAccess[0].Policies) != 1 {
		t.Fatalf("group: %+v %v", lp, err)
	}
	for arn, code := range map[string]string{
		polARN:                             "InvalidInput",
		acct + "user/nobody":               "NoSuchEntity",
		"arn:aws:iam::999999999999:role/x": "NoSuchEntity",
	} {
		_, err := root.ListPoliciesGrantingServiceAccess(ctx, &awsiam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(arn), ServiceNamespaces: []string{"iam"}})
		if apiCode(err) != code {
			t.Errorf("ListPoliciesGrantingServiceAccess %s: %v, want %s", arn, err, code)
		}
	}
	// Up to 200 namespaces (the model's serviceNamespaceListType).
	many := make([]string, 201)
	for i := range many {
		many[i] = "iam"
	}
	_, err = root.ListPoliciesGrantingServiceAccess(ctx, &awsiam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(acct + "user/alice"), ServiceNamespaces: many})
	wantCode(t, err, "ValidationError")
	lp, err = root.ListPoliciesGrantingServiceAccess(ctx, &awsiam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(acct + "user/alice"), ServiceNamespaces: many[:200]})
	if err != nil || len(lp.PoliciesGrantingServiceAccess) != 200 {
		t.Fatalf("200 namespaces: %v", err)
	}
	// A caller without iam:ListPoliciesGrantingServiceAccess is refused.
	_, err = srv.IAMClient(keys["bob"][0], keys["bob"][1]).ListPoliciesGrantingServiceAccess(ctx, &awsiam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(acct + "user/bob"), ServiceNamespaces: []string{"iam"}})
	wantCode(t, err, "AccessDenied")
}

// Without the audit trail the report still completes, with no access.
func TestServiceLastAccessedWithoutTrail(t *testing.T) {
	t.Parallel()
	srv := testserver.StartWith(t, testserver.Options{NoTrail: true})
	keyID, secret := userKeys(t, srv, "dev", devPolicy)
	if _, err := srv.IAMClient(keyID, secret).GetUser(context.Background(), &awsiam.GetUserInput{}); err != nil {
		t.Fatal(err)
	}
	_, svcs := report(t, srv.RootIAM(), "arn:aws:iam::"+testserver.AccountID+":user/dev", "")
	if got := namespaces(svcs); !slices.Equal(got, []string{"dynamodb", "iam", "sts"}) {
		t.Fatalf("services %v", got)
	}
	for _, s := range svcs {
		if s.LastAuthenticated != nil {
			t.Errorf("%s accessed %v without a trail", aws.ToString(s.ServiceNamespace), s.LastAuthenticated)
		}
	}
}

// A role session's calls count for its role (the report names the role's
// ARN: GetServiceLastAccessedDetails, "Role – Returns the role ARN"), and
// its report is the session's own: "If you use temporary credentials for a
// role or federated user, you must generate and retrieve the report during
// the same session" (the guide's "Report owner").
func TestServiceLastAccessedRoleSession(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	acct := "arn:aws:iam::" + testserver.AccountID + ":"
	keyID, secret := userKeys(t, srv, "caller", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["sts:AssumeRole","iam:GetServiceLastAccessedDetails"],"Resource":"*"}}`)
	trust := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"` + acct + `root"},"Action":"sts:AssumeRole"}}`
	if _, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("auditor"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("auditor"), PolicyName: aws.String("own"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:ListUsers","iam:GenerateServiceLastAccessedDetails","iam:GetServiceLastAccessedDetails"],"Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	assumed, err := srv.STSClient(keyID, secret).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(acct + "role/auditor"), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	cr := assumed.Credentials
	session := awsiam.NewFromConfig(srv.SessionConfig(*cr.AccessKeyId, *cr.SecretAccessKey, *cr.SessionToken))
	if _, err := session.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	job, svcs := report(t, session, acct+"role/auditor", "")
	if s := service(t, svcs, "iam"); aws.ToString(s.LastAuthenticatedEntity) != acct+"role/auditor" || aws.ToInt32(s.TotalAuthenticatedEntities) != 1 {
		t.Errorf("role iam %+v", s)
	}
	_, err = srv.IAMClient(keyID, secret).GetServiceLastAccessedDetails(ctx, &awsiam.GetServiceLastAccessedDetailsInput{JobId: aws.String(job)})
	wantCode(t, err, "NoSuchEntity")
}

// unreadableTrail records events but cannot be read, like a trail database
// that does not answer reads in time.
type unreadableTrail struct{ trail.Store }

func (unreadableTrail) Lookup(context.Context, trail.Query) (trail.Page, error) {
	return trail.Page{}, fmt.Errorf("reading: %w", trail.ErrUnavailable)
}

// A trail that cannot be read fails the job, and the failure is reported in
// GetServiceLastAccessedDetails' Error, as AWS reports a failed job
// (GetServiceLastAccessedDetails: "If the operation fails, the
// GetServiceLastAccessedDetails operation returns the reason that it
// failed").
func TestServiceLastAccessedTrailUnreadable(t *testing.T) {
	t.Parallel()
	ts, err := trailsqlite.Open(context.Background(), filepath.Join(t.TempDir(), "trail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ts.Close() })
	srv := testserver.StartWith(t, testserver.Options{Trail: unreadableTrail{ts}})
	ctx := context.Background()
	userKeys(t, srv, "dev", devPolicy)
	root := srv.RootIAM()
	gen, err := root.GenerateServiceLastAccessedDetails(ctx, &awsiam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:iam::" + testserver.AccountID + ":user/dev")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := root.GetServiceLastAccessedDetails(ctx, &awsiam.GetServiceLastAccessedDetailsInput{JobId: gen.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if out.JobStatus != types.JobStatusTypeFailed || out.Error == nil || aws.ToString(out.Error.Code) != "ServiceUnavailable" || len(out.ServicesLastAccessed) != 0 || out.JobCompletionDate == nil {
		t.Fatalf("failed job %+v (error %+v)", out, out.Error)
	}
}
