package organizations_test

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// code returns the AWS error code of err.
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if code(err) != want {
		t.Fatalf("got %v, want %s", err, want)
	}
}

// setup creates an organization with one member account and returns the
// management account's client, the root id and the member account id.
func setup(t *testing.T, s *testserver.Server) (*awsorg.Client, string, string) {
	t.Helper()
	ctx := context.Background()
	org := s.OrgClient(testserver.RootKeyID, testserver.RootSecretKey, "")
	_, err := org.DescribeOrganization(ctx, &awsorg.DescribeOrganizationInput{})
	wantCode(t, err, "AWSOrganizationsNotInUseException")
	co, err := org.CreateOrganization(ctx, &awsorg.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetAll})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(co.Organization.MasterAccountId) != testserver.AccountID || !regexp.MustCompile(`^o-[a-z0-9]{10}$`).MatchString(aws.ToString(co.Organization.Id)) {
		t.Fatalf("organization %+v", co.Organization)
	}
	_, err = org.CreateOrganization(ctx, &awsorg.CreateOrganizationInput{})
	wantCode(t, err, "AlreadyInOrganizationException")
	roots, err := org.ListRoots(ctx, &awsorg.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("ListRoots: %v %v", roots, err)
	}
	rootID := aws.ToString(roots.Roots[0].Id)
	if !regexp.MustCompile(`^r-[0-9a-z]{4}$`).MatchString(rootID) {
		t.Fatalf("root id %s", rootID)
	}
	ca, err := org.CreateAccount(ctx, &awsorg.CreateAccountInput{Email: aws.String("member@example.com"), AccountName: aws.String("member")})
	if err != nil {
		t.Fatal(err)
	}
	if ca.CreateAccountStatus.State != types.CreateAccountStateInProgress {
		t.Fatalf("CreateAccount state %s", ca.CreateAccountStatus.State)
	}
	st, err := org.DescribeCreateAccountStatus(ctx, &awsorg.DescribeCreateAccountStatusInput{CreateAccountRequestId: ca.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.State != types.CreateAccountStateSucceeded {
		t.Fatalf("DescribeCreateAccountStatus: %+v %v", st, err)
	}
	member := aws.ToString(st.CreateAccountStatus.AccountId)
	da, err := org.DescribeAccount(ctx, &awsorg.DescribeAccountInput{AccountId: aws.String(member)})
	if err != nil || da.Account.Status != types.AccountStatusActive || aws.ToString(da.Account.Name) != "member" {
		t.Fatalf("DescribeAccount: %+v %v", da, err)
	}
	// A second account with the same email fails as AWS fails it.
	dup, err := org.CreateAccount(ctx, &awsorg.CreateAccountInput{Email: aws.String("member@example.com"), AccountName: aws.String("again")})
	if err != nil {
		t.Fatal(err)
	}
	st, err = org.DescribeCreateAccountStatus(ctx, &awsorg.DescribeCreateAccountStatusInput{CreateAccountRequestId: dup.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.State != types.CreateAccountStateFailed || st.CreateAccountStatus.FailureReason != types.CreateAccountFailureReasonEmailAlreadyExists {
		t.Fatalf("duplicate email: %+v %v", st, err)
	}
	return org, rootID, member
}

// enterMember assumes OrganizationAccountAccessRole in the member account
// from a management-account user, as the acceptance scenarios do.
func enterMember(t *testing.T, s *testserver.Server, member string) (*awsiam.Client, *awsorg.Client) {
	t.Helper()
	ctx := context.Background()
	root := s.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("orgadmin")}); err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("orgadmin"), PolicyName: aws.String("assume"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	key, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("orgadmin")})
	if err != nil {
		t.Fatal(err)
	}
	stsc := s.STSClient(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey))
	ar, err := stsc.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + member + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("admin")})
	if err != nil {
		t.Fatalf("AssumeRole into the member account: %v", err)
	}
	c := ar.Credentials
	cfg := s.Config(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey))
	orgc := s.OrgClient(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	iamc := awsiam.NewFromConfig(cfg, func(o *awsiam.Options) {
		o.Credentials = orgc.Options().Credentials
	})
	id, err := awssts.NewFromConfig(cfg, func(o *awssts.Options) { o.Credentials = orgc.Options().Credentials }).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != member {
		t.Fatalf("GetCallerIdentity in the member account: %+v %v", id, err)
	}
	return iamc, orgc
}

// TestServiceControlPolicies follows the seed-05 acceptance scenario: an SCP
// on the member account's OU denies even its administrator, the management
// account is unaffected, and detaching restores the action.
func TestServiceControlPolicies(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	org, rootID, member := setup(t, s)
	memberIAM, memberOrg := enterMember(t, s, member)

	// Member accounts may not manage the organization.
	_, err := memberOrg.ListAccounts(ctx, &awsorg.ListAccountsInput{})
	wantCode(t, err, "AccessDeniedException")
	if d, err := memberOrg.DescribeOrganization(ctx, &awsorg.DescribeOrganizationInput{}); err != nil || aws.ToString(d.Organization.MasterAccountId) != testserver.AccountID {
		t.Fatalf("member DescribeOrganization: %v", err)
	}

	if _, err := memberIAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("before")}); err != nil {
		t.Fatalf("baseline CreateUser: %v", err)
	}

	// An OU, and the account moved into it.
	ou, err := org.CreateOrganizationalUnit(ctx, &awsorg.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("Workloads")})
	if err != nil {
		t.Fatal(err)
	}
	ouID := aws.ToString(ou.OrganizationalUnit.Id)
	if !regexp.MustCompile(`^ou-` + strings.TrimPrefix(rootID, "r-") + `-[a-z0-9]{8}$`).MatchString(ouID) {
		t.Fatalf("OU id %s", ouID)
	}
	if _, err := org.MoveAccount(ctx, &awsorg.MoveAccountInput{AccountId: aws.String(member), SourceParentId: aws.String(rootID), DestinationParentId: aws.String(ouID)}); err != nil {
		t.Fatal(err)
	}
	ps, err := org.ListParents(ctx, &awsorg.ListParentsInput{ChildId: aws.String(member)})
	if err != nil || len(ps.Parents) != 1 || aws.ToString(ps.Parents[0].Id) != ouID || ps.Parents[0].Type != types.ParentTypeOrganizationalUnit {
		t.Fatalf("ListParents: %+v %v", ps, err)
	}

	// SCPs must be enabled first.
	scp := `{"Version":"2012-10-17","Statement":[{"Sid":"NoNewIAMUsers","Effect":"Deny","Action":["iam:CreateUser"],"Resource":"*"}]}`
	cp, err := org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Name: aws.String("DenyIAMUserCreation"), Type: types.PolicyTypeServiceControlPolicy,
		Description: aws.String("Members may not create IAM users"), Content: aws.String(scp)})
	if err != nil {
		t.Fatal(err)
	}
	pid := aws.ToString(cp.Policy.PolicySummary.Id)
	if !strings.HasPrefix(aws.ToString(cp.Policy.PolicySummary.Arn), "arn:aws:organizations::"+testserver.AccountID+":policy/o-") ||
		!strings.Contains(aws.ToString(cp.Policy.PolicySummary.Arn), "/service_control_policy/"+pid) {
		t.Fatalf("policy ARN %s", aws.ToString(cp.Policy.PolicySummary.Arn))
	}
	_, err = org.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: aws.String(pid), TargetId: aws.String(ouID)})
	wantCode(t, err, "PolicyTypeNotEnabledException")
	er, err := org.EnablePolicyType(ctx, &awsorg.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: types.PolicyTypeServiceControlPolicy})
	if err != nil || len(er.Root.PolicyTypes) != 1 || er.Root.PolicyTypes[0].Status != types.PolicyTypeStatusEnabled {
		t.Fatalf("EnablePolicyType: %+v %v", er, err)
	}
	lp, err := org.ListPoliciesForTarget(ctx, &awsorg.ListPoliciesForTargetInput{TargetId: aws.String(member), Filter: types.PolicyTypeServiceControlPolicy})
	if err != nil || len(lp.Policies) != 1 || aws.ToString(lp.Policies[0].Id) != "p-FullAWSAccess" || !lp.Policies[0].AwsManaged {
		t.Fatalf("FullAWSAccess on the account: %+v %v", lp, err)
	}
	// A target keeps at least one SCP.
	_, err = org.DetachPolicy(ctx, &awsorg.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(member)})
	wantCode(t, err, "ConstraintViolationException")
	var cve *types.ConstraintViolationException
	if !errors.As(err, &cve) || cve.Reason != types.ConstraintViolationExceptionReasonMinPolicyTypeAttachmentLimitExceeded {
		t.Fatalf("reason of %v", err)
	}

	if _, err := org.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: aws.String(pid), TargetId: aws.String(ouID)}); err != nil {
		t.Fatal(err)
	}
	_, err = org.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: aws.String(pid), TargetId: aws.String(ouID)})
	wantCode(t, err, "DuplicatePolicyAttachmentException")
	tg, err := org.ListTargetsForPolicy(ctx, &awsorg.ListTargetsForPolicyInput{PolicyId: aws.String(pid)})
	if err != nil || len(tg.Targets) != 1 || aws.ToString(tg.Targets[0].TargetId) != ouID || tg.Targets[0].Type != types.TargetTypeOrganizationalUnit {
		t.Fatalf("ListTargetsForPolicy: %+v %v", tg, err)
	}

	// Even the member account's administrator is denied, with AWS's reason.
	_, err = memberIAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("denied")})
	wantCode(t, err, "AccessDenied")
	if !strings.Contains(err.Error(), "with an explicit deny in a service control policy") {
		t.Fatalf("message: %v", err)
	}
	if _, err := memberIAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("other actions stay allowed: %v", err)
	}
	// The management account is not affected.
	if _, err := s.RootIAM().CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("mgmt-probe")}); err != nil {
		t.Fatalf("management account: %v", err)
	}
	_, err = org.DeletePolicy(ctx, &awsorg.DeletePolicyInput{PolicyId: aws.String(pid)})
	wantCode(t, err, "PolicyInUseException")

	// Detaching restores the action at once.
	if _, err := org.DetachPolicy(ctx, &awsorg.DetachPolicyInput{PolicyId: aws.String(pid), TargetId: aws.String(ouID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := memberIAM.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("after")}); err != nil {
		t.Fatalf("after detach: %v", err)
	}
	if _, err := org.DeletePolicy(ctx, &awsorg.DeletePolicyInput{PolicyId: aws.String(pid)}); err != nil {
		t.Fatal(err)
	}
	_, err = org.DescribePolicy(ctx, &awsorg.DescribePolicyInput{PolicyId: aws.String(pid)})
	wantCode(t, err, "PolicyNotFoundException")

	// Replacing FullAWSAccess with an allow-list: what it does not allow is
	// denied "because no service control policy allows" it.
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:List*","iam:Get*"],"Resource":"*"}]}`
	al, err := org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Name: aws.String("ReadOnly"), Type: types.PolicyTypeServiceControlPolicy, Description: aws.String(""), Content: aws.String(allow)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: al.Policy.PolicySummary.Id, TargetId: aws.String(member)}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.DetachPolicy(ctx, &awsorg.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(member)}); err != nil {
		t.Fatal(err)
	}
	_, err = memberIAM.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("g")})
	wantCode(t, err, "AccessDenied")
	if !strings.Contains(err.Error(), "because no service control policy allows the iam:CreateGroup action") {
		t.Fatalf("message: %v", err)
	}
	if _, err := memberIAM.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("allowed by the allow-list: %v", err)
	}
}

// TestPolicyValidation checks the limits and errors of policy management.
func TestPolicyValidation(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	org, rootID, _ := setup(t, s)
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Sid":"` + strings.Repeat("a", 5100) + `"}]}`
	_, err := org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Name: aws.String("big"), Type: types.PolicyTypeServiceControlPolicy, Description: aws.String(""), Content: aws.String(big)})
	wantCode(t, err, "ConstraintViolationException")
	_, err = org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Name: aws.String("bad"), Type: types.PolicyTypeServiceControlPolicy, Description: aws.String(""), Content: aws.String(`{"Statement":[]`)})
	wantCode(t, err, "MalformedPolicyDocumentException")
	_, err = org.DescribePolicy(ctx, &awsorg.DescribePolicyInput{PolicyId: aws.String("p-nothere1")})
	wantCode(t, err, "PolicyNotFoundException")
	_, err = org.DeletePolicy(ctx, &awsorg.DeletePolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
	wantCode(t, err, "InvalidInputException")
	_, err = org.DescribeAccount(ctx, &awsorg.DescribeAccountInput{AccountId: aws.String("12345")})
	wantCode(t, err, "InvalidInputException")
	_, err = org.DisablePolicyType(ctx, &awsorg.DisablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: types.PolicyTypeServiceControlPolicy})
	wantCode(t, err, "PolicyTypeNotEnabledException")
	_, err = org.DeleteOrganization(ctx, &awsorg.DeleteOrganizationInput{})
	wantCode(t, err, "OrganizationNotEmptyException")

	// Tags on an OU.
	ou, err := org.CreateOrganizationalUnit(ctx, &awsorg.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("Tagged"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.TagResource(ctx, &awsorg.TagResourceInput{ResourceId: ou.OrganizationalUnit.Id, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	lt, err := org.ListTagsForResource(ctx, &awsorg.ListTagsForResourceInput{ResourceId: ou.OrganizationalUnit.Id})
	if err != nil || len(lt.Tags) != 2 {
		t.Fatalf("ListTagsForResource: %+v %v", lt, err)
	}
	_, err = org.CreateOrganizationalUnit(ctx, &awsorg.CreateOrganizationalUnitInput{ParentId: aws.String(rootID), Name: aws.String("Tagged")})
	wantCode(t, err, "DuplicateOrganizationalUnitException")
}
