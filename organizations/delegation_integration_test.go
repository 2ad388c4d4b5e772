package organizations_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestPolicyTypeAndTargets covers what AttachPolicy and DetachPolicy are
// decided on: the Service Authorization Reference gives both the policy and
// the root, OU or account as resources, and the organizations:PolicyType
// condition key to them and to every action on policies. The User Guide's
// delegation examples rely on both: "Attach policies to a single OU or
// account" names the target in Resource, and "Create, read, update, and
// delete policies" limits the policy type with organizations:PolicyType
// (https://docs.aws.amazon.com/organizations/latest/userguide/security_iam_resource-based-policy-examples.html).
func TestPolicyTypeAndTargets(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	m := s.NewMember(t)
	org := m.Org
	member := awsorg.NewFromConfig(m.Admin)
	mgmtARN := func(kind, id string) string {
		return "arn:aws:organizations::" + testserver.AccountID + ":" + kind + "/" + m.OrgID + "/" + id
	}
	scp, err := org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Name: aws.String("deny-users"), Description: aws.String("d"),
		Type: types.PolicyTypeServiceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	scpID := scp.Policy.PolicySummary.Id

	// The delegation policy lets the member attach and detach any policy on
	// any target; the member's own identity policy denies changes to the
	// root. Before the target was authorized, the member could attach an
	// SCP to the organization's root despite its own Deny.
	delegation := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + m.Account + `"},
		"Action":["organizations:AttachPolicy","organizations:DetachPolicy","organizations:DescribePolicy"],"Resource":"*"}]}`
	if _, err := org.PutResourcePolicy(ctx, &awsorg.PutResourcePolicyInput{Content: aws.String(delegation)}); err != nil {
		t.Fatal(err)
	}
	limited := awsorg.NewFromConfig(m.NewUserWithKey(t, s, "limited", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"organizations:*","Resource":"*"},
		{"Effect":"Deny","Action":["organizations:AttachPolicy","organizations:DetachPolicy"],"Resource":"`+mgmtARN("root", m.RootID)+`"}]}`))
	_, err = limited.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: scpID, TargetId: aws.String(m.RootID)})
	wantCode(t, err, "AccessDeniedException")
	if _, err := limited.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: scpID, TargetId: aws.String(m.Account)}); err != nil {
		t.Fatalf("attach to the account the Deny leaves out: %v", err)
	}
	if _, err := limited.DetachPolicy(ctx, &awsorg.DetachPolicyInput{PolicyId: scpID, TargetId: aws.String(m.Account)}); err != nil {
		t.Fatalf("detach: %v", err)
	}
	_, err = limited.DetachPolicy(ctx, &awsorg.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(m.RootID)})
	wantCode(t, err, "AccessDeniedException")

	// The delegation policy's side: it names one account as the only target
	// and one policy type.
	single := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + m.Account + `"},
		"Action":["organizations:AttachPolicy","organizations:DetachPolicy"],
		"Resource":["` + mgmtARN("account", m.Account) + `","` + mgmtARN("policy", "*") + `"],
		"Condition":{"StringEquals":{"organizations:PolicyType":"SERVICE_CONTROL_POLICY"}}}]}`
	if _, err := org.PutResourcePolicy(ctx, &awsorg.PutResourcePolicyInput{Content: aws.String(single)}); err != nil {
		t.Fatal(err)
	}
	_, err = member.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: scpID, TargetId: aws.String(m.RootID)})
	wantError(t, err, "AccessDeniedException", "", "")
	if _, err := member.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: scpID, TargetId: aws.String(m.Account)}); err != nil {
		t.Fatalf("attach to the one account the delegation names: %v", err)
	}
	if _, err := member.DetachPolicy(ctx, &awsorg.DetachPolicyInput{PolicyId: scpID, TargetId: aws.String(m.Account)}); err != nil {
		t.Fatalf("detach from it: %v", err)
	}
	// An RCP is not of the type the delegation allows.
	if _, err := org.EnablePolicyType(ctx, &awsorg.EnablePolicyTypeInput{RootId: aws.String(m.RootID), PolicyType: types.PolicyTypeResourceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	rcp, err := org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Name: aws.String("rcp"), Description: aws.String("d"),
		Type: types.PolicyTypeResourceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = member.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: rcp.Policy.PolicySummary.Id, TargetId: aws.String(m.Account)})
	wantCode(t, err, "AccessDeniedException")

	// In the management account, organizations:PolicyType limits a user to
	// one type of policy on every policy action.
	iam := s.RootIAM()
	if _, err := iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("scp-admin")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iam.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("scp-admin"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:*","Resource":"*",
			"Condition":{"StringEquals":{"organizations:PolicyType":"SERVICE_CONTROL_POLICY"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	k, err := iam.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("scp-admin")})
	if err != nil {
		t.Fatal(err)
	}
	admin := s.OrgClient(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey), "")
	for _, c := range []struct {
		name string
		call func() error
		ok   bool
	}{
		{"ListPolicies SCP", func() error {
			_, err := admin.ListPolicies(ctx, &awsorg.ListPoliciesInput{Filter: types.PolicyTypeServiceControlPolicy})
			return err
		}, true},
		{"ListPolicies RCP", func() error {
			_, err := admin.ListPolicies(ctx, &awsorg.ListPoliciesInput{Filter: types.PolicyTypeResourceControlPolicy})
			return err
		}, false},
		{"DescribePolicy SCP", func() error {
			_, err := admin.DescribePolicy(ctx, &awsorg.DescribePolicyInput{PolicyId: scpID})
			return err
		}, true},
		{"DescribePolicy RCP", func() error {
			_, err := admin.DescribePolicy(ctx, &awsorg.DescribePolicyInput{PolicyId: rcp.Policy.PolicySummary.Id})
			return err
		}, false},
		{"CreatePolicy RCP", func() error {
			_, err := admin.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Name: aws.String("r2"), Description: aws.String("d"),
				Type: types.PolicyTypeResourceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`)})
			return err
		}, false},
		{"ListPoliciesForTarget SCP", func() error {
			_, err := admin.ListPoliciesForTarget(ctx, &awsorg.ListPoliciesForTargetInput{TargetId: aws.String(m.Account), Filter: types.PolicyTypeServiceControlPolicy})
			return err
		}, true},
		{"DisablePolicyType RCP", func() error {
			_, err := admin.DisablePolicyType(ctx, &awsorg.DisablePolicyTypeInput{RootId: aws.String(m.RootID), PolicyType: types.PolicyTypeResourceControlPolicy})
			return err
		}, false},
		{"ListTagsForResource RCP", func() error {
			_, err := admin.ListTagsForResource(ctx, &awsorg.ListTagsForResourceInput{ResourceId: rcp.Policy.PolicySummary.Id})
			return err
		}, false},
		{"AttachPolicy SCP", func() error {
			_, err := admin.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: scpID, TargetId: aws.String(m.Account)})
			return err
		}, true},
	} {
		err := c.call()
		if c.ok && err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		if !c.ok {
			wantCode(t, err, "AccessDeniedException")
		}
	}
}
