package iam_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	trailsqlite "github.com/gatehouse-iam/gatehouse/trail/sqlite"
)

// The Organizations access reports of the IAM User Guide
// (/work/shared/reference/aws-iam-user-guide/access_policies_access-advisor.md
// "Last accessed information for AWS Organizations" and
// access_policies_access-advisor-view-data-orgs.md;
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GenerateOrganizationsAccessReport.html
// and API_GetOrganizationsAccessReport.html), built from the audit trail.

// orgReport generates a report and reads every page of it.
func orgReport(t *testing.T, client *awsiam.Client, in *awsiam.GenerateOrganizationsAccessReportInput, sortKey types.SortKeyType, pageSize int32) (*awsiam.GetOrganizationsAccessReportOutput, []types.AccessDetail) {
	t.Helper()
	ctx := context.Background()
	gen, err := client.GenerateOrganizationsAccessReport(ctx, in)
	if err != nil {
		t.Fatalf("GenerateOrganizationsAccessReport %s: %v", aws.ToString(in.EntityPath), err)
	}
	get := &awsiam.GetOrganizationsAccessReportInput{JobId: gen.JobId, SortKey: sortKey}
	if pageSize > 0 {
		get.MaxItems = aws.Int32(pageSize)
	}
	out, err := client.GetOrganizationsAccessReport(ctx, get)
	if err != nil {
		t.Fatal(err)
	}
	// The job runs within Generate…: the first read finds it COMPLETED
	// (the API reference's JobStatus, JobCompletionDate).
	if out.JobStatus != types.JobStatusTypeCompleted || out.ErrorDetails != nil || out.JobCreationDate == nil || out.JobCompletionDate == nil {
		t.Fatalf("job %s: %+v", *gen.JobId, out)
	}
	details := out.AccessDetails
	for last := out; last.IsTruncated; {
		if pageSize > 0 && len(last.AccessDetails) != int(pageSize) {
			t.Fatalf("a truncated page of %d items, MaxItems %d", len(last.AccessDetails), pageSize)
		}
		get.Marker = last.Marker
		if last, err = client.GetOrganizationsAccessReport(ctx, get); err != nil {
			t.Fatal(err)
		}
		details = append(details, last.AccessDetails...)
	}
	if int(aws.ToInt32(out.NumberOfServicesAccessible)) != len(details) {
		t.Errorf("NumberOfServicesAccessible %d, %d services listed", aws.ToInt32(out.NumberOfServicesAccessible), len(details))
	}
	notAccessed := 0
	for _, d := range details {
		if d.LastAuthenticatedTime == nil {
			notAccessed++
		}
	}
	if int(aws.ToInt32(out.NumberOfServicesNotAccessed)) != notAccessed {
		t.Errorf("NumberOfServicesNotAccessed %d, %d listed without access", aws.ToInt32(out.NumberOfServicesNotAccessed), notAccessed)
	}
	return out, details
}

func accessOf(details []types.AccessDetail, ns string) (types.AccessDetail, bool) {
	for _, d := range details {
		if d.ServiceNamespace != nil && *d.ServiceNamespace == ns {
			return d, true
		}
	}
	return types.AccessDetail{}, false
}

func detailNamespaces(details []types.AccessDetail) []string {
	out := make([]string, 0, len(details))
	for _, d := range details {
		out = append(out, aws.ToString(d.ServiceNamespace))
	}
	return out
}

// wantAccess checks a service's last access: its time within [from, to],
// its Region and entity path, the number of accounts.
func wantAccess(t *testing.T, details []types.AccessDetail, ns, region, path string, accounts int32, from, to time.Time) {
	t.Helper()
	d, ok := accessOf(details, ns)
	if !ok {
		t.Fatalf("no service %s in the report", ns)
	}
	within(t, ns, d.LastAuthenticatedTime, from, to)
	if aws.ToString(d.Region) != region || aws.ToString(d.EntityPath) != path || aws.ToInt32(d.TotalAuthenticatedEntities) != accounts {
		t.Errorf("%s: Region %q EntityPath %q TotalAuthenticatedEntities %d, want %q %q %d", ns,
			aws.ToString(d.Region), aws.ToString(d.EntityPath), aws.ToInt32(d.TotalAuthenticatedEntities), region, path, accounts)
	}
	if aws.ToString(d.ServiceName) == "" {
		t.Errorf("%s: no ServiceName", ns)
	}
}

func wantNoAccess(t *testing.T, details []types.AccessDetail, ns string) {
	t.Helper()
	d, ok := accessOf(details, ns)
	if !ok {
		t.Fatalf("no service %s in the report", ns)
	}
	if d.LastAuthenticatedTime != nil || d.Region != nil || d.EntityPath != nil || d.TotalAuthenticatedEntities != nil {
		t.Errorf("%s accessed: %+v", ns, d)
	}
}

func TestOrganizationsAccessReport(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	m := srv.NewMember(t)
	root := srv.RootIAM()
	org := m.Org
	base := m.OrgID + "/" + m.RootID + "/"

	// The member account's administrator calls STS in eu-west-1 and IAM.
	from := time.Now().Add(-time.Second)
	euAdmin := m.Admin.Copy()
	euAdmin.Region = "eu-west-1"
	if _, err := awssts.NewFromConfig(euAdmin).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{}); err != nil {
		t.Fatal(err)
	}
	if _, err := awsiam.NewFromConfig(m.Admin).ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	to := time.Now().Add(time.Second)
	srv.FlushTrail(t)

	// Root: the services the root's SCPs (FullAWSAccess) allow — every
	// service — with the member account's calls under its path; the
	// management account's own calls (Organizations) are not included,
	// "because the management account is not limited by SCPs".
	memberPath := base + m.Account + "/"
	_, rootDetails := orgReport(t, root, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base)}, "", 0)
	if len(rootDetails) < 300 {
		t.Fatalf("FullAWSAccess allows %d services", len(rootDetails))
	}
	if !slices.IsSorted(detailNamespaces(rootDetails)) {
		t.Error("the default order is not by namespace")
	}
	wantAccess(t, rootDetails, "sts", "eu-west-1", memberPath, 1, from, to)
	wantAccess(t, rootDetails, "iam", "us-east-1", memberPath, 1, from, to)
	wantNoAccess(t, rootDetails, "organizations")
	wantNoAccess(t, rootDetails, "s3")

	// The account's own path: the same accesses.
	_, acctDetails := orgReport(t, root, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base + m.Account)}, "", 0)
	wantAccess(t, acctDetails, "sts", "eu-west-1", memberPath, 1, from, to)

	// The management account: every service, its own activity only
	// (its root user's Organizations calls made the organization).
	_, mgmtDetails := orgReport(t, root, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base + testserver.AccountID)}, "", 0)
	wantAccess(t, mgmtDetails, "organizations", "us-east-1", base+testserver.AccountID+"/", 1, time.Now().Add(-time.Minute), to)
	if len(mgmtDetails) != len(rootDetails) {
		t.Errorf("the management account's report lists %d services, the root's %d", len(mgmtDetails), len(rootDetails))
	}

	// Denied calls count, unauthenticated ones do not (the guide's
	// "Attempts reported" and "IAM entities"): a member user without
	// permissions is denied sts:AssumeRole in ap-northeast-1, then another
	// user's deactivated key fails to authenticate to STS in ap-south-1.
	nobody := m.NewUserWithKey(t, srv, "nobody", "")
	gone := m.NewUserWithKey(t, srv, "gone", "")
	cred, err := gone.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := awsiam.NewFromConfig(m.Admin).UpdateAccessKey(ctx, &awsiam.UpdateAccessKeyInput{UserName: aws.String("gone"),
		AccessKeyId: aws.String(cred.AccessKeyID), Status: types.StatusTypeInactive}); err != nil {
		t.Fatal(err)
	}
	nobody.Region = "ap-northeast-1"
	denied := time.Now().Add(-time.Second)
	if _, err := awssts.NewFromConfig(nobody).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + m.Account + ":role/OrganizationAccountAccessRole"),
		RoleSessionName: aws.String("nobody")}); err == nil {
		t.Fatal("a user without permissions assumed a role")
	}
	gone.Region = "ap-south-1"
	if _, err := awssts.NewFromConfig(gone).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{}); err == nil {
		t.Fatal("a deactivated key authenticated")
	}
	srv.FlushTrail(t)
	_, rootDetails = orgReport(t, root, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base)}, "", 0)
	later := time.Now().Add(time.Second)
	wantAccess(t, rootDetails, "sts", "ap-northeast-1", memberPath, 1, denied, later)

	// An SCP on the account that denies S3 removes S3 from the account's
	// accessible services, not from the root's; a report on that policy
	// alone lists what it allows (nothing but its Allow's services).
	denyS3 := m.AttachSCP(t, "deny-s3", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)
	only := m.AttachSCP(t, "sts-iam", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:*","iam:Get*","iam:List*"],"Resource":"*"}]}`)
	_, acctDetails = orgReport(t, root, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base + m.Account + "/")}, "", 0)
	if _, ok := accessOf(acctDetails, "s3"); ok {
		t.Error("s3 is accessible under an SCP that denies it")
	}
	if len(acctDetails) != len(rootDetails)-1 {
		t.Errorf("the account's report lists %d services, the root's %d", len(acctDetails), len(rootDetails))
	}
	_, rootDetails = orgReport(t, root, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base)}, "", 0)
	if _, ok := accessOf(rootDetails, "s3"); !ok {
		t.Error("an SCP of the account removed s3 from the root's report")
	}
	_, polDetails := orgReport(t, root, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base), OrganizationsPolicyId: aws.String(only)}, "", 0)
	if got := detailNamespaces(polDetails); !slices.Equal(got, []string{"iam", "sts"}) {
		t.Errorf("the policy's report lists %v, want [iam sts]", got)
	}
	wantAccess(t, polDetails, "sts", "ap-northeast-1", memberPath, 1, denied, later)
	_, denyDetails := orgReport(t, root, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base), OrganizationsPolicyId: aws.String(denyS3)}, "", 0)
	if len(denyDetails) != 0 {
		t.Errorf("a policy with no Allow lists %v", detailNamespaces(denyDetails))
	}

	// In an OU: the OU's path covers the account, whose path now runs
	// through it; the old path names nothing any more.
	ou, err := org.CreateOrganizationalUnit(ctx, &awsorg.CreateOrganizationalUnitInput{ParentId: aws.String(m.RootID), Name: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	ouID := aws.ToString(ou.OrganizationalUnit.Id)
	if _, err := org.MoveAccount(ctx, &awsorg.MoveAccountInput{AccountId: aws.String(m.Account), SourceParentId: aws.String(m.RootID), DestinationParentId: aws.String(ouID)}); err != nil {
		t.Fatal(err)
	}
	_, ouDetails := orgReport(t, root, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base + ouID + "/")}, "", 0)
	wantAccess(t, ouDetails, "sts", "ap-northeast-1", base+ouID+"/"+m.Account+"/", 1, denied, later)
	_, err = root.GenerateOrganizationsAccessReport(ctx, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base + m.Account)})
	wantCode(t, err, "InvalidInput")

	// Paging and sorting: pages of MaxItems items that together are the
	// whole report, in each SortKey's order.
	_, paged := orgReport(t, root, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base)}, types.SortKeyTypeServiceNamespaceDescending, 37)
	if len(paged) != len(rootDetails) || !slices.IsSortedFunc(detailNamespaces(paged), func(a, b string) int { return -compareStrings(a, b) }) {
		t.Errorf("SERVICE_NAMESPACE_DESCENDING: %d services, sorted descending: %v", len(paged), slices.IsSortedFunc(detailNamespaces(paged), func(a, b string) int { return -compareStrings(a, b) }))
	}
	_, byTime := orgReport(t, root, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base)}, types.SortKeyTypeLastAuthenticatedTimeDescending, 50)
	if len(byTime) != len(rootDetails) || byTime[0].LastAuthenticatedTime == nil || byTime[2].LastAuthenticatedTime != nil {
		t.Errorf("LAST_AUTHENTICATED_TIME_DESCENDING does not begin with the two accessed services: %v", detailNamespaces(byTime[:3]))
	}
	// Newest first; in the same second, ties go by namespace.
	if a, b := byTime[0], byTime[1]; a.LastAuthenticatedTime.Before(*b.LastAuthenticatedTime) ||
		(a.LastAuthenticatedTime.Equal(*b.LastAuthenticatedTime) && aws.ToString(a.ServiceNamespace) > aws.ToString(b.ServiceNamespace)) {
		t.Errorf("LAST_AUTHENTICATED_TIME_DESCENDING begins with %v", detailNamespaces(byTime[:2]))
	}
	_, byTimeAsc := orgReport(t, root, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base)}, types.SortKeyTypeLastAuthenticatedTimeAscending, 0)
	if n := len(byTimeAsc); byTimeAsc[n-1].LastAuthenticatedTime == nil || byTimeAsc[n-3].LastAuthenticatedTime != nil {
		t.Errorf("LAST_AUTHENTICATED_TIME_ASCENDING does not end with the accessed services: %v", detailNamespaces(byTimeAsc[n-3:]))
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// statusOf is an API error's HTTP status.
func statusOf(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestOrganizationsAccessReportErrors(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()

	// Outside an organization no account is a management account (the API
	// reference: "you must be signed in using your Organizations
	// management account credentials").
	_, err := root.GenerateOrganizationsAccessReport(ctx, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String("o-aaaaaaaaaa/r-aaaa")})
	wantCode(t, err, "AccessDenied")
	if statusOf(err) != http.StatusForbidden {
		t.Errorf("status %d, want 403", statusOf(err))
	}

	m := srv.NewMember(t)
	base := m.OrgID + "/" + m.RootID + "/"
	gen, err := root.GenerateOrganizationsAccessReport(ctx, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base)})
	if err != nil {
		t.Fatal(err)
	}

	// The member account is not the management account.
	member := awsiam.NewFromConfig(m.Admin)
	_, err = member.GenerateOrganizationsAccessReport(ctx, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base)})
	wantCode(t, err, "AccessDenied")

	// Paths that name nothing of the organization; the model's pattern.
	for _, p := range []string{
		"o-aaaaaaaaaa/" + m.RootID, // another organization
		m.OrgID + "/r-zzzz",        // another root
		base + "ou-zzzz-zzzzzzzz",  // no such OU
		base + "210987654321",      // no such account
		base + m.Account + "/" + m.Account,
		base + "/" + m.Account,
		base + "p-aaaaaaaa",
	} {
		_, err = root.GenerateOrganizationsAccessReport(ctx, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(p)})
		wantCode(t, err, "InvalidInput")
		if statusOf(err) != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", p, statusOf(err))
		}
	}
	_, err = root.GenerateOrganizationsAccessReport(ctx, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String("not-a-path-of-any-organization")})
	wantCode(t, err, "ValidationError")
	// A policy id that names no SCP of the organization.
	_, err = root.GenerateOrganizationsAccessReport(ctx, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base), OrganizationsPolicyId: aws.String("p-zzzzzzzzzz")})
	wantCode(t, err, "InvalidInput")

	// Unknown jobs, and another principal's job, are NoSuchEntity (the
	// operation's only error).
	_, err = root.GetOrganizationsAccessReport(ctx, &awsiam.GetOrganizationsAccessReportInput{JobId: aws.String("00000000-0000-4000-8000-000000000000")})
	wantCodeMessage(t, err, "NoSuchEntity", "The job with ID 00000000-0000-4000-8000-000000000000 cannot be found.")
	if statusOf(err) != http.StatusNotFound {
		t.Errorf("status %d, want 404", statusOf(err))
	}
	kid, secret := userKeys(t, srv, "reporter", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:*"],"Resource":"*"}]}`)
	reporter := srv.IAMClient(kid, secret)
	_, err = reporter.GetOrganizationsAccessReport(ctx, &awsiam.GetOrganizationsAccessReportInput{JobId: gen.JobId})
	wantCode(t, err, "NoSuchEntity")
	// A marker this operation did not issue.
	_, err = root.GetOrganizationsAccessReport(ctx, &awsiam.GetOrganizationsAccessReportInput{JobId: gen.JobId, Marker: aws.String("bm8tc3VjaC1zZXJ2aWNl")})
	wantCode(t, err, "InvalidInput")
	_, err = root.GetOrganizationsAccessReport(ctx, &awsiam.GetOrganizationsAccessReportInput{JobId: gen.JobId, MaxItems: aws.Int32(0)})
	wantCode(t, err, "ValidationError")
	_, err = root.GetOrganizationsAccessReport(ctx, &awsiam.GetOrganizationsAccessReportInput{JobId: gen.JobId, SortKey: "BY_NAME"})
	wantCode(t, err, "ValidationError")
	// The user that generated a report reads it.
	if _, details := orgReport(t, reporter, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base)}, "", 0); len(details) == 0 {
		t.Error("an empty report")
	}
}

// The permissions the API needs (IAM User Guide,
// access_policies_access-advisor.md "Permissions for AWS Organizations
// information"): iam:GenerateOrganizationsAccessReport on the
// access-report resource (Service Authorization Reference, condition key
// iam:OrganizationsPolicyId) and the Organizations reads.
func TestOrganizationsAccessReportAuthorization(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	m := srv.NewMember(t)
	base := m.OrgID + "/" + m.RootID + "/"

	// IAM's permissions alone are not enough.
	kid, secret := userKeys(t, srv, "iam-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateOrganizationsAccessReport","iam:GetOrganizationsAccessReport"],"Resource":"*"}]}`)
	_, err := srv.IAMClient(kid, secret).GenerateOrganizationsAccessReport(ctx, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base)})
	wantCode(t, err, "AccessDenied")

	// The guide's policy: iam's two actions and the Organizations reads;
	// here the report is allowed on the root's path only, and only for
	// reports on no policy or FullAWSAccess.
	doc := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Action":"iam:GenerateOrganizationsAccessReport","Resource":"arn:aws:iam::` + testserver.AccountID + `:access-report/` + base + `"},
	 {"Effect":"Deny","Action":"iam:GenerateOrganizationsAccessReport","Resource":"*","Condition":{"Null":{"iam:OrganizationsPolicyId":"false"},"StringNotEquals":{"iam:OrganizationsPolicyId":"p-FullAWSAccess"}}},
	 {"Effect":"Allow","Action":["iam:GetOrganizationsAccessReport","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListTargetsForPolicy"],"Resource":"*"}]}`
	kid, secret = userKeys(t, srv, "auditor", doc)
	auditor := srv.IAMClient(kid, secret)
	if _, details := orgReport(t, auditor, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base)}, "", 0); len(details) == 0 {
		t.Error("an empty report")
	}
	orgReport(t, auditor, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base), OrganizationsPolicyId: aws.String("p-FullAWSAccess")}, "", 0)
	_, err = auditor.GenerateOrganizationsAccessReport(ctx, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base + m.Account)})
	wantCode(t, err, "AccessDenied")
	other := m.AttachSCP(t, "other", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	_, err = auditor.GenerateOrganizationsAccessReport(ctx, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(base), OrganizationsPolicyId: aws.String(other)})
	wantCode(t, err, "AccessDenied")
}

// A trail that cannot be read fails the job; GetOrganizationsAccessReport
// returns it FAILED with ErrorDetails ("If the operation fails, it returns
// the reason that it failed", API_GetOrganizationsAccessReport).
func TestOrganizationsAccessReportTrailUnreadable(t *testing.T) {
	t.Parallel()
	ts, err := trailsqlite.Open(context.Background(), filepath.Join(t.TempDir(), "trail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ts.Close() })
	srv := testserver.StartWith(t, testserver.Options{Trail: unreadableTrail{ts}})
	ctx := context.Background()
	m := srv.NewMember(t)
	root := srv.RootIAM()
	gen, err := root.GenerateOrganizationsAccessReport(ctx, &awsiam.GenerateOrganizationsAccessReportInput{EntityPath: aws.String(m.OrgID + "/" + m.RootID)})
	if err != nil {
		t.Fatal(err)
	}
	out, err := root.GetOrganizationsAccessReport(ctx, &awsiam.GetOrganizationsAccessReportInput{JobId: gen.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if out.JobStatus != types.JobStatusTypeFailed || out.ErrorDetails == nil || aws.ToString(out.ErrorDetails.Code) != "ServiceUnavailable" ||
		len(out.AccessDetails) != 0 || out.JobCompletionDate == nil || out.NumberOfServicesAccessible != nil {
		t.Fatalf("failed job %+v (error %+v)", out, out.ErrorDetails)
	}
}
