package organizations_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

// newOutsider creates an account outside the organization with a user allowed to
// assume any role, and returns that user's STS client.
func newOutsider(t *testing.T, s *testserver.Server) *awssts.Client {
	t.Helper()
	ctx := context.Background()
	const outsider = "444455556666"
	err := s.Store.Update(ctx, func(tx store.Tx) error {
		return store.CreateJSON(ctx, tx, store.KindAccount, "", outsider, store.Account{ID: outsider, Name: "outsider", CreateDate: time.Now().UTC()})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.IAM.CreateRootAccessKey(ctx, outsider, "AKIAOUTSIDER00000001", "outsider-secret-outsider-secret-00000001"); err != nil {
		t.Fatal(err)
	}
	root := s.IAMClient("AKIAOUTSIDER00000001", "outsider-secret-outsider-secret-00000001")
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("visitor")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("visitor"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("visitor")})
	if err != nil {
		t.Fatal(err)
	}
	return s.STSClient(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey))
}

// TestResourceControlPolicyLimitsAssumeRole: an RCP denying sts:AssumeRole to
// principals outside the organization stops a role of a member account from
// being assumed by another account, even though the role's trust policy and the
// caller's own policy allow it, while principals of the organization keep access
// (IAM User Guide / Organizations: resource control policies; issue #6).
func TestResourceControlPolicyLimitsAssumeRole(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	org, rootID, member := setup(t, srv)
	memberIAM, _ := enterMember(t, srv, member)
	outsider := newOutsider(t, srv)

	trust := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:root","arn:aws:iam::` + testserver.AccountID + `:root"]},"Action":"sts:AssumeRole"}}`
	if _, err := memberIAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("shared"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	roleARN := "arn:aws:iam::" + member + ":role/shared"
	assume := func(c *awssts.Client) error {
		_, err := c.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("session")})
		return err
	}
	if err := assume(outsider); err != nil {
		t.Fatalf("before the RCP the outsider may assume the role: %v", err)
	}

	desc, err := org.DescribeOrganization(ctx, &awsorg.DescribeOrganizationInput{})
	if err != nil {
		t.Fatal(err)
	}
	orgID := aws.ToString(desc.Organization.Id)
	if _, err := org.EnablePolicyType(ctx, &awsorg.EnablePolicyTypeInput{RootId: aws.String(rootID), PolicyType: types.PolicyTypeResourceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	rcp := `{"Version":"2012-10-17","Statement":{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*",
		"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"` + orgID + `"}}}}`
	cp, err := org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Name: aws.String("org-only"), Description: aws.String("roles only for the organization"),
		Type: types.PolicyTypeResourceControlPolicy, Content: aws.String(rcp)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: cp.Policy.PolicySummary.Id, TargetId: aws.String(rootID)}); err != nil {
		t.Fatal(err)
	}
	err = assume(outsider)
	wantCode(t, err, "AccessDenied")
	if !strings.Contains(err.Error(), "is not authorized to perform: sts:AssumeRole on resource: "+roleARN) {
		t.Errorf("denial message: %v", err)
	}
	// A management-account principal is in the organization: still allowed.
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("insider")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("insider"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}}`)}); err != nil {
		t.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("insider")})
	if err != nil {
		t.Fatal(err)
	}
	if err := assume(srv.STSClient(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey))); err != nil {
		t.Fatalf("a principal of the organization is refused by the RCP: %v", err)
	}
	// Detaching the RCP restores the outsider's access.
	if _, err := org.DetachPolicy(ctx, &awsorg.DetachPolicyInput{PolicyId: cp.Policy.PolicySummary.Id, TargetId: aws.String(rootID)}); err != nil {
		t.Fatal(err)
	}
	if err := assume(outsider); err != nil {
		t.Fatalf("after detaching the RCP: %v", err)
	}
}
