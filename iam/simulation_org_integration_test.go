package iam_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestSimulatePrincipalPolicyAppliesOrganizationPolicies: in a member account,
// SimulatePrincipalPolicy decides with the SCPs over the account and the
// organization's condition keys, as the real request is decided, and
// OrganizationsDecisionDetail.AllowedByOrganizations says whether the SCPs
// allowed it. The API reference: SimulatePrincipalPolicy "evaluates
// statements in identity-based policies, service control policies (SCPs)
// including their condition keys and resource scoping"
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html);
// AllowedByOrganizations "Specifies whether the simulated operation is
// allowed by the Organizations service control policies that impact the
// simulated user's account" (API_OrganizationsDecisionDetail.html).
// SimulateCustomPolicy keeps to the SCPs it is given.
func TestSimulatePrincipalPolicyAppliesOrganizationPolicies(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	m := srv.NewMember(t)
	// The user may create groups, and list users from within the
	// organization only.
	dev := awsiam.NewFromConfig(m.NewUserWithKey(t, srv, "dev", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:CreateGroup","Resource":"*"},
		{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"`+m.OrgID+`"}}}]}`))
	admin := awsiam.NewFromConfig(m.Admin)
	devARN := "arn:aws:iam::" + m.Account + ":user/dev"
	simulate := func(action, resource string) types.EvaluationResult {
		t.Helper()
		return oneResult(t)(admin.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
			PolicySourceArn: aws.String(devARN), ActionNames: []string{action}, ResourceArns: []string{resource},
		}))
	}
	expect := func(r types.EvaluationResult, decision types.PolicyEvaluationDecisionType, byOrg bool) {
		t.Helper()
		if r.EvalDecision != decision {
			t.Errorf("%s: decision %s, want %s", *r.EvalActionName, r.EvalDecision, decision)
		}
		if r.OrganizationsDecisionDetail == nil || r.OrganizationsDecisionDetail.AllowedByOrganizations != byOrg {
			t.Errorf("%s: organizations detail %+v, want allowed %v", *r.EvalActionName, r.OrganizationsDecisionDetail, byOrg)
		}
		if len(r.ResourceSpecificResults) != 1 || r.ResourceSpecificResults[0].EvalResourceDecision != decision {
			t.Errorf("%s: resource results %+v", *r.EvalActionName, r.ResourceSpecificResults)
		}
	}
	group := func(name string) string { return "arn:aws:iam::" + m.Account + ":group/" + name }
	users := "arn:aws:iam::" + m.Account + ":user/"

	// FullAWSAccess only: both agree on allowed, the organization condition
	// key included.
	if _, err := dev.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("g1")}); err != nil {
		t.Fatalf("real call under FullAWSAccess: %v", err)
	}
	expect(simulate("iam:CreateGroup", group("g2")), types.PolicyEvaluationDecisionTypeAllowed, true)
	if _, err := dev.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("real ListUsers (aws:PrincipalOrgID): %v", err)
	}
	expect(simulate("iam:ListUsers", users), types.PolicyEvaluationDecisionTypeAllowed, true)

	// An SCP denies iam:CreateGroup: the real call is AccessDenied, the
	// simulation an explicit deny not allowed by Organizations.
	deny := m.AttachSCP(t, "NoGroups", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateGroup","Resource":"*"}]}`)
	_, err := dev.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("g3")})
	wantCode(t, err, "AccessDenied")
	expect(simulate("iam:CreateGroup", group("g3")), types.PolicyEvaluationDecisionTypeExplicitDeny, false)
	expect(simulate("iam:ListUsers", users), types.PolicyEvaluationDecisionTypeAllowed, true)

	// The same policies in SimulateCustomPolicy without
	// OrderedOrganizationPolicyInputList: no SCP applies.
	out, err := admin.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:CreateGroup","Resource":"*"}]}`},
		ActionNames:     []string{"iam:CreateGroup"}, ResourceArns: []string{group("g3")},
	})
	if r := customResult(t, out, err); r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed || !r.OrganizationsDecisionDetail.AllowedByOrganizations {
		t.Errorf("custom simulation: %s %+v", r.EvalDecision, r.OrganizationsDecisionDetail)
	}

	// An allow-list SCP in place of FullAWSAccess: what it allows, both
	// allow; what it does not, both deny (implicitly, in the SCP).
	m.DetachSCP(t, deny)
	m.AttachSCP(t, "GroupsOnly", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateGroup","iam:SimulatePrincipalPolicy","iam:CreateUser","iam:PutUserPolicy","iam:CreateAccessKey"],"Resource":"*"}]}`)
	m.DetachSCP(t, "p-FullAWSAccess")
	if _, err := dev.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("g4")}); err != nil {
		t.Fatalf("real call allowed by the SCP: %v", err)
	}
	expect(simulate("iam:CreateGroup", group("g5")), types.PolicyEvaluationDecisionTypeAllowed, true)
	_, err = dev.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
	expect(simulate("iam:ListUsers", users), types.PolicyEvaluationDecisionTypeImplicitDeny, false)
}
