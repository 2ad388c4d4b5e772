package organizations_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestManagementPolicyTypes: every management policy type of the API's
// PolicyType enum is enabled and disabled in the root (EnablePolicyType,
// DisablePolicyType: PolicyTypeAlreadyEnabledException,
// PolicyTypeNotEnabledException), has no AWS managed policy, and its
// policies go through CreatePolicy/AttachPolicy/DetachPolicy/DeletePolicy
// like SCPs (User Guide, "Managing organization policies",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies.html).
func TestManagementPolicyTypes(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	m := s.NewMember(t)
	org := m.Org
	root := aws.String(m.RootID)

	// The management types of the PolicyType enum of the API model
	// (reference/aws-api-models/organizations); the SDK may know newer ones.
	mgmt := []types.PolicyType{types.PolicyTypeTagPolicy, types.PolicyTypeBackupPolicy, types.PolicyTypeAiservicesOptOutPolicy,
		types.PolicyTypeChatbotPolicy, types.PolicyTypeDeclarativePolicyEc2, types.PolicyTypeSecurityhubPolicy, types.PolicyTypeInspectorPolicy,
		types.PolicyTypeUpgradeRolloutPolicy, types.PolicyTypeBedrockPolicy, types.PolicyTypeS3Policy, types.PolicyTypeNetworkSecurityDirectorPolicy}
	for _, typ := range mgmt {
		_, err := org.DisablePolicyType(ctx, &awsorg.DisablePolicyTypeInput{RootId: root, PolicyType: typ})
		wantError(t, err, "PolicyTypeNotEnabledException", "", "This operation can be performed only for enabled policy types.")
		out, err := org.EnablePolicyType(ctx, &awsorg.EnablePolicyTypeInput{RootId: root, PolicyType: typ})
		if err != nil {
			t.Fatalf("EnablePolicyType %s: %v", typ, err)
		}
		enabled := false
		for _, pt := range out.Root.PolicyTypes {
			enabled = enabled || (pt.Type == typ && pt.Status == types.PolicyTypeStatusEnabled)
		}
		if !enabled {
			t.Fatalf("EnablePolicyType %s: root %+v", typ, out.Root.PolicyTypes)
		}
		_, err = org.EnablePolicyType(ctx, &awsorg.EnablePolicyTypeInput{RootId: root, PolicyType: typ})
		wantError(t, err, "PolicyTypeAlreadyEnabledException", "", "The specified policy type is already enabled in the specified root.")
		// No AWS managed policy of a management type, none attached.
		ps, err := org.ListPolicies(ctx, &awsorg.ListPoliciesInput{Filter: typ})
		if err != nil || len(ps.Policies) != 0 {
			t.Fatalf("ListPolicies %s: %+v %v", typ, ps, err)
		}
		if _, err := org.DisablePolicyType(ctx, &awsorg.DisablePolicyTypeInput{RootId: root, PolicyType: typ}); err != nil {
			t.Fatalf("DisablePolicyType %s: %v", typ, err)
		}
	}

	// A backup policy created before its type is enabled cannot be attached.
	const backup = `{"plans":{"daily":{"regions":{"@@append":["us-east-1"]},"rules":{"r":{"schedule_expression":{"@@assign":"cron(0 5 ? * * *)"},"target_backup_vault_name":{"@@assign":"Default"}}},"selections":{"tags":{"s":{"iam_role_arn":{"@@assign":"arn:aws:iam::$account:role/Backup"},"tag_key":{"@@assign":"backup"},"tag_value":{"@@assign":["daily"]}}}}}}}`
	bp, err := org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Type: types.PolicyTypeBackupPolicy, Name: aws.String("daily"), Description: aws.String("d"), Content: aws.String(backup)})
	if err != nil {
		t.Fatal(err)
	}
	bpID := bp.Policy.PolicySummary.Id
	_, err = org.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: bpID, TargetId: aws.String(m.Account)})
	wantError(t, err, "PolicyTypeNotEnabledException", "", "This operation can be performed only for enabled policy types.")
	if _, err := org.EnablePolicyType(ctx, &awsorg.EnablePolicyTypeInput{RootId: root, PolicyType: types.PolicyTypeBackupPolicy}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: bpID, TargetId: aws.String(m.Account)}); err != nil {
		t.Fatal(err)
	}
	lt, err := org.ListPoliciesForTarget(ctx, &awsorg.ListPoliciesForTargetInput{TargetId: aws.String(m.Account), Filter: types.PolicyTypeBackupPolicy})
	if err != nil || len(lt.Policies) != 1 || aws.ToString(lt.Policies[0].Id) != aws.ToString(bpID) || lt.Policies[0].AwsManaged {
		t.Fatalf("ListPoliciesForTarget: %+v %v", lt, err)
	}
	ep, err := org.DescribeEffectivePolicy(ctx, &awsorg.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeBackupPolicy, TargetId: aws.String(m.Account)})
	if err != nil || !strings.Contains(aws.ToString(ep.EffectivePolicy.PolicyContent), `"regions":["us-east-1"]`) {
		t.Fatalf("effective backup policy: %+v %v", ep, err)
	}
	up, err := org.UpdatePolicy(ctx, &awsorg.UpdatePolicyInput{PolicyId: bpID, Content: aws.String(strings.Replace(backup, "us-east-1", "eu-west-1", 1))})
	if err != nil || !strings.Contains(aws.ToString(up.Policy.Content), "eu-west-1") {
		t.Fatalf("UpdatePolicy: %+v %v", up, err)
	}
	_, err = org.UpdatePolicy(ctx, &awsorg.UpdatePolicyInput{PolicyId: bpID, Content: aws.String(`{"plans":`)})
	wantCode(t, err, "MalformedPolicyDocumentException")
	_, err = org.DeletePolicy(ctx, &awsorg.DeletePolicyInput{PolicyId: bpID})
	wantCode(t, err, "PolicyInUseException")
	// The last management policy of a target may go: no type keeps a
	// minimum (that is for SCPs and RCPs and their FullAWSAccess policies).
	if _, err := org.DetachPolicy(ctx, &awsorg.DetachPolicyInput{PolicyId: bpID, TargetId: aws.String(m.Account)}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.DeletePolicy(ctx, &awsorg.DeletePolicyInput{PolicyId: bpID}); err != nil {
		t.Fatal(err)
	}
	_, err = org.DescribePolicy(ctx, &awsorg.DescribePolicyInput{PolicyId: bpID})
	wantCode(t, err, "PolicyNotFoundException")

	// Disabling a type detaches its policies: the effective policy goes.
	if _, err := org.EnablePolicyType(ctx, &awsorg.EnablePolicyTypeInput{RootId: root, PolicyType: types.PolicyTypeTagPolicy}); err != nil {
		t.Fatal(err)
	}
	tagID := attachManagement(t, org, types.PolicyTypeTagPolicy, "cc", `{"tags":{"cc":{"tag_key":{"@@assign":"CostCenter"}}}}`, m.RootID)
	if _, err := org.DescribeEffectivePolicy(ctx, &awsorg.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy, TargetId: aws.String(m.Account)}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.DisablePolicyType(ctx, &awsorg.DisablePolicyTypeInput{RootId: root, PolicyType: types.PolicyTypeTagPolicy}); err != nil {
		t.Fatal(err)
	}
	_, err = org.DescribeEffectivePolicy(ctx, &awsorg.DescribeEffectivePolicyInput{PolicyType: types.EffectivePolicyTypeTagPolicy, TargetId: aws.String(m.Account)})
	wantCode(t, err, "EffectivePolicyNotFoundException")
	tg, err := org.ListTargetsForPolicy(ctx, &awsorg.ListTargetsForPolicyInput{PolicyId: aws.String(tagID)})
	if err != nil || len(tg.Targets) != 0 {
		t.Fatalf("targets after DisablePolicyType: %+v %v", tg, err)
	}
}

// TestManagementPolicyContent: management policy documents follow the
// inheritance operators' syntax (User Guide, "Inheritance operators",
// https://docs.aws.amazon.com/organizations/latest/userguide/policy-operators.html)
// and the per-type maximum sizes (AWS::Organizations::Policy Content:
// AI services opt-out policies 2,500 characters, tag policies 10,000), and
// AI services opt-out policies attach 5 to a target (User Guide, "Managing
// organization policies").
func TestManagementPolicyContent(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	m := s.NewMember(t)
	org := m.Org
	create := func(typ types.PolicyType, name, content string) error {
		_, err := org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Type: typ, Name: aws.String(name), Description: aws.String(""), Content: aws.String(content)})
		return err
	}
	const msg = "The provided policy document does not meet the requirements of the specified policy type."
	for _, c := range []struct{ name, content string }{
		{"not json", `{"tags":`},
		{"not an object", `["tags"]`},
		{"unknown operator", `{"tags":{"cc":{"tag_key":{"@@replace":"CostCenter"}}}}`},
		{"unknown child control", `{"services":{"@@operators_allowed_for_child_policies":["@@some"]}}`},
		{"child control not a list", `{"services":{"@@operators_allowed_for_child_policies":"@@none"}}`},
	} {
		err := create(types.PolicyTypeTagPolicy, "bad", c.content)
		wantError(t, err, "MalformedPolicyDocumentException", "", msg)
	}
	optOut := func(pad int) string {
		return `{"services":{"default":{"opt_out_policy":{"@@assign":"optOut"}}},"x":"` + strings.Repeat("a", pad) + `"}`
	}
	base := len(optOut(0))
	if err := create(types.PolicyTypeAiservicesOptOutPolicy, "big", optOut(2501-base)); err == nil {
		t.Fatal("2,501 characters of AI services opt-out policy accepted")
	} else {
		wantError(t, err, "ConstraintViolationException", "POLICY_CONTENT_LIMIT_EXCEEDED", "You attempted to create a policy that is larger than the maximum size.")
	}
	if err := create(types.PolicyTypeTagPolicy, "big", `{"x":"`+strings.Repeat("a", 10000-8)+`"}`); err != nil {
		t.Fatalf("10,000 characters of tag policy: %v", err)
	}

	if _, err := org.EnablePolicyType(ctx, &awsorg.EnablePolicyTypeInput{RootId: aws.String(m.RootID), PolicyType: types.PolicyTypeAiservicesOptOutPolicy}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		attachManagement(t, org, types.PolicyTypeAiservicesOptOutPolicy, "opt"+string(rune('a'+i)), optOut(2500-base), m.Account)
	}
	p, err := org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Type: types.PolicyTypeAiservicesOptOutPolicy, Name: aws.String("sixth"), Description: aws.String(""), Content: aws.String(optOut(1))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = org.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: aws.String(m.Account)})
	wantError(t, err, "ConstraintViolationException", "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "")
}

// TestManagementPoliciesNeedAllFeatures: an organization with consolidated
// billing only cannot enable policy types (API reference,
// PolicyTypeNotAvailableForOrganizationException: "you can enable SCPs only
// after you enable all features in the organization"), nor create policies
// (CreatePolicy lists the same exception).
func TestManagementPoliciesNeedAllFeatures(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	org := s.OrgClient(testserver.RootKeyID, testserver.RootSecretKey, "")
	if _, err := org.CreateOrganization(ctx, &awsorg.CreateOrganizationInput{FeatureSet: types.OrganizationFeatureSetConsolidatedBilling}); err != nil {
		t.Fatal(err)
	}
	roots, err := org.ListRoots(ctx, &awsorg.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for typ, content := range map[types.PolicyType]string{
		types.PolicyTypeTagPolicy:            `{"tags":{}}`,
		types.PolicyTypeServiceControlPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
	} {
		_, err = org.EnablePolicyType(ctx, &awsorg.EnablePolicyTypeInput{RootId: roots.Roots[0].Id, PolicyType: typ})
		wantError(t, err, "PolicyTypeNotAvailableForOrganizationException", "", "You can't use the specified policy type with the feature set currently enabled for this organization.")
		_, err = org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Type: typ, Name: aws.String("p"), Description: aws.String(""), Content: aws.String(content)})
		wantCode(t, err, "PolicyTypeNotAvailableForOrganizationException")
	}
}

// TestManagementPoliciesIgnoredByAuthorization: only SCPs and RCPs take
// part in IAM authorization (User Guide, "Managing organization policies":
// management policies configure services, authorization policies limit
// permissions). A member account with a chatbot policy and a tag policy
// attached keeps calling IAM.
func TestManagementPoliciesIgnoredByAuthorization(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	m := s.NewMember(t)
	org := m.Org
	for _, typ := range []types.PolicyType{types.PolicyTypeChatbotPolicy, types.PolicyTypeTagPolicy} {
		if _, err := org.EnablePolicyType(ctx, &awsorg.EnablePolicyTypeInput{RootId: aws.String(m.RootID), PolicyType: typ}); err != nil {
			t.Fatal(err)
		}
	}
	attachManagement(t, org, types.PolicyTypeChatbotPolicy, "chat", `{"chatbot":{"platforms":{"slack":{"client":{"@@assign":"disabled"}}}}}`, m.Account)
	attachManagement(t, org, types.PolicyTypeTagPolicy, "tags", `{"tags":{"cc":{"tag_key":{"@@assign":"CostCenter"},"enforced_for":{"@@assign":["iam:*"]}}}}`, m.RootID)
	iam := awsiam.NewFromConfig(m.Admin)
	if _, err := iam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("still-allowed")}); err != nil {
		t.Fatalf("member IAM call under management policies: %v", err)
	}
}
