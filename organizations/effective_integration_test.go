package organizations_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// attachManagement creates a policy of type typ with CreatePolicy and
// attaches it to target with AttachPolicy; it returns the policy's id.
func attachManagement(t *testing.T, org *awsorg.Client, typ types.PolicyType, name, content, target string) string {
	t.Helper()
	ctx := context.Background()
	p, err := org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Type: typ, Name: aws.String(name), Description: aws.String(name), Content: aws.String(content)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(p.Policy.PolicySummary.Id)
	if _, err := org.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(target)}); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestEffectivePolicy: DescribeEffectivePolicy merges the management
// policies of the account's path by the inheritance operators (API
// reference, DescribeEffectivePolicy; Organizations User Guide, "Policy
// syntax and inheritance for management policy types"); a type that is not
// enabled has none (EffectivePolicyNotFoundException); any account of the
// organization reads its own, only the management account another's; roots
// and OUs are not supported targets.
func TestEffectivePolicy(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	m := s.NewMember(t)
	org := m.Org
	member := awsorg.NewFromConfig(m.Admin)

	_, err := org.DescribeEffectivePolicy(ctx, &awsorg.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy})
	wantCode(t, err, "EffectivePolicyNotFoundException")
	_, err = member.DescribeEffectivePolicy(ctx, &awsorg.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeBackupPolicy})
	wantCode(t, err, "EffectivePolicyNotFoundException")
	_, err = org.ListAccountsWithInvalidEffectivePolicy(ctx, &awsorg.ListAccountsWithInvalidEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy})
	wantCode(t, err, "EffectivePolicyNotFoundException")
	_, err = org.DescribeEffectivePolicy(ctx, &awsorg.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy, TargetId: aws.String(m.RootID)})
	wantError(t, err, "InvalidInputException", "TARGET_NOT_SUPPORTED", "")
	_, err = org.DescribeEffectivePolicy(ctx, &awsorg.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy, TargetId: aws.String("999999999999")})
	wantCode(t, err, "TargetNotFoundException")
	_, err = member.DescribeEffectivePolicy(ctx, &awsorg.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy, TargetId: aws.String(testserver.AccountID)})
	wantCode(t, err, "AccessDeniedException")

	// A tag policy on the root and one on an OU the account moves into.
	ou, err := org.CreateOrganizationalUnit(ctx, &awsorg.CreateOrganizationalUnitInput{ParentId: aws.String(m.RootID), Name: aws.String("eng")})
	if err != nil {
		t.Fatal(err)
	}
	ouID := aws.ToString(ou.OrganizationalUnit.Id)
	if _, err := org.MoveAccount(ctx, &awsorg.MoveAccountInput{AccountId: aws.String(m.Account), SourceParentId: aws.String(m.RootID), DestinationParentId: aws.String(ouID)}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.EnablePolicyType(ctx, &awsorg.EnablePolicyTypeInput{RootId: aws.String(m.RootID), PolicyType: types.PolicyTypeTagPolicy}); err != nil {
		t.Fatal(err)
	}
	attachManagement(t, org, types.PolicyTypeTagPolicy, "roottags", `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]}}}}`, m.RootID)
	attachManagement(t, org, types.PolicyTypeTagPolicy, "outags", `{"tags":{"costcenter":{"tag_value":{"@@append":["300"],"@@remove":["100"]}}}}`, ouID)
	want := `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["200","300"]}}}`
	ep, err := member.DescribeEffectivePolicy(ctx, &awsorg.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy})
	if err != nil || aws.ToString(ep.EffectivePolicy.PolicyContent) != want || aws.ToString(ep.EffectivePolicy.TargetId) != m.Account ||
		ep.EffectivePolicy.PolicyType != types.EffectivePolicyTypeTagPolicy {
		t.Fatalf("member's effective policy: %+v %v", ep, err)
	}
	ep, err = org.DescribeEffectivePolicy(ctx, &awsorg.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy, TargetId: aws.String(m.Account)})
	if err != nil || aws.ToString(ep.EffectivePolicy.PolicyContent) != want {
		t.Fatalf("management account's view: %+v %v", ep, err)
	}
	// The management account sits in the root: it has the root's policy only.
	ep, err = org.DescribeEffectivePolicy(ctx, &awsorg.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy})
	if err != nil || aws.ToString(ep.EffectivePolicy.PolicyContent) != `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["100","200"]}}}` {
		t.Fatalf("management account's own: %+v %v", ep, err)
	}

	ve, err := org.ListEffectivePolicyValidationErrors(ctx, &awsorg.ListEffectivePolicyValidationErrorsInput{AccountId: aws.String(m.Account), PolicyType: types.EffectivePolicyTypeTagPolicy})
	if err != nil || aws.ToString(ve.Path) != m.OrgID+"/"+m.RootID+"/"+ouID+"/"+m.Account+"/" || len(ve.EffectivePolicyValidationErrors) != 0 {
		t.Fatalf("ListEffectivePolicyValidationErrors: %+v %v", ve, err)
	}
	_, err = org.ListEffectivePolicyValidationErrors(ctx, &awsorg.ListEffectivePolicyValidationErrorsInput{AccountId: aws.String("999999999999"), PolicyType: types.EffectivePolicyTypeTagPolicy})
	wantCode(t, err, "AccountNotFoundException")
	ia, err := org.ListAccountsWithInvalidEffectivePolicy(ctx, &awsorg.ListAccountsWithInvalidEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy})
	if err != nil || len(ia.Accounts) != 0 || ia.PolicyType != types.EffectivePolicyTypeTagPolicy {
		t.Fatalf("ListAccountsWithInvalidEffectivePolicy: %+v %v", ia, err)
	}
	_, err = member.ListAccountsWithInvalidEffectivePolicy(ctx, &awsorg.ListAccountsWithInvalidEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy})
	wantCode(t, err, "AccessDeniedException")

	// organizations:PolicyType decides the call (Service Authorization
	// Reference).
	backupOnly := mgmtUser(t, s, "backup-reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"organizations:DescribeEffectivePolicy","Resource":"*",
	 "Condition":{"StringEquals":{"organizations:PolicyType":"BACKUP_POLICY"}}}]}`)
	_, err = backupOnly.DescribeEffectivePolicy(ctx, &awsorg.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy, TargetId: aws.String(m.Account)})
	wantCode(t, err, "AccessDeniedException")
	_, err = backupOnly.DescribeEffectivePolicy(ctx, &awsorg.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeBackupPolicy, TargetId: aws.String(m.Account)})
	wantCode(t, err, "EffectivePolicyNotFoundException")
}
