package accessanalyzer_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsaa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

// enterAccount creates an account in the organization and returns the
// configuration of an OrganizationAccountAccessRole session in it, entered
// from a management account user.
func enterAccount(t *testing.T, s *testserver.Server, org *awsorg.Client, name string) (string, aws.Config) {
	t.Helper()
	ctx := context.Background()
	ca, err := org.CreateAccount(ctx, &awsorg.CreateAccountInput{Email: aws.String(name + "@example.com"), AccountName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	st, err := org.DescribeCreateAccountStatus(ctx, &awsorg.DescribeCreateAccountStatusInput{CreateAccountRequestId: ca.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.State != orgtypes.CreateAccountStateSucceeded {
		t.Fatalf("DescribeCreateAccountStatus: %+v %v", st, err)
	}
	account := aws.ToString(st.CreateAccountStatus.AccountId)
	root := s.RootIAM()
	user := name + "-admin"
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(user)}); err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::` + account + `:role/OrganizationAccountAccessRole"}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(user), PolicyName: aws.String("assume"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	key, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(user)})
	if err != nil {
		t.Fatal(err)
	}
	ar, err := s.STSClient(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)).AssumeRole(ctx, &awssts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("admin")})
	if err != nil {
		t.Fatalf("AssumeRole into %s: %v", account, err)
	}
	c := ar.Credentials
	return account, s.SessionConfig(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

// externalFindings lists an external access analyzer's findings by
// resource ARN.
func externalFindings(t *testing.T, c *awsaa.Client, analyzer string) map[string]aatypes.FindingSummary {
	t.Helper()
	out := map[string]aatypes.FindingSummary{}
	p := awsaa.NewListFindingsPaginator(c, &awsaa.ListFindingsInput{AnalyzerArn: aws.String(analyzer)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("ListFindings %s: %v", analyzer, err)
		}
		for _, f := range page.Findings {
			out[aws.ToString(f.Resource)] = f
		}
	}
	return out
}

// TestOrganizationAnalyzers drives the organization analyzers end to end:
// an organization with its management account, a delegated administrator
// for IAM Access Analyzer (member A) and a plain member (B).
//
// Sources: IAM User Guide, access-analyzer-findings.md ("if you select an
// organization as the zone of trust ... If you grant permissions to an S3
// bucket in one of your organization member accounts to a principal in
// another organization member account, IAM Access Analyzer does not
// generate a finding. But if you grant permission to a principal in an
// account that is not a member of the organization, IAM Access Analyzer
// generates a finding"); access-analyzer-getting-started.md (creation from
// the management or delegated administrator account; the Disabled status
// after "removing the analyzer's account as the delegated administrator");
// the API model's AnalysisRuleCriteria (exclusions). The errors are the
// ones AWS answers, quoted in public issues: "Service not enabled for AWS
// Organizations" (nozaq/terraform-aws-secure-baseline#184) and "Account
// <id> is not a delegated administrator" (awslabs/
// landing-zone-accelerator-on-aws#922).
func TestOrganizationAnalyzers(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	m := s.NewMember(t)
	a, aCfg := m.Account, m.Admin
	b, bCfg := enterAccount(t, s, m.Org, "bee")
	mgmtAA := awsaa.NewFromConfig(s.Config(testserver.RootKeyID, testserver.RootSecretKey))
	aAA, bAA := awsaa.NewFromConfig(aCfg), awsaa.NewFromConfig(bCfg)
	aIAM, bIAM := awsiam.NewFromConfig(aCfg), awsiam.NewFromConfig(bCfg)
	const outsider = "999988887777"
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	create := func(c *awsaa.Client, name string, typ aatypes.Type, cfg aatypes.AnalyzerConfiguration) (string, error) {
		out, err := c.CreateAnalyzer(ctx, &awsaa.CreateAnalyzerInput{AnalyzerName: aws.String(name), Type: typ, Configuration: cfg})
		if err != nil {
			return "", err
		}
		return aws.ToString(out.Arn), nil
	}

	// Without trusted access for access-analyzer.amazonaws.com, even the
	// management account is refused.
	if _, err := create(mgmtAA, "org", aatypes.TypeOrganization, nil); apiCode(err) != "ValidationException" {
		t.Fatalf("ORGANIZATION analyzer without trusted access: %v, want ValidationException", err)
	}
	must(m.Org.EnableAWSServiceAccess(ctx, &awsorg.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("access-analyzer.amazonaws.com")}))
	must(m.Org.RegisterDelegatedAdministrator(ctx, &awsorg.RegisterDelegatedAdministratorInput{AccountId: aws.String(a),
		ServicePrincipal: aws.String("access-analyzer.amazonaws.com")}))
	// A plain member account is not a delegated administrator.
	for _, typ := range []aatypes.Type{aatypes.TypeOrganization, aatypes.TypeOrganizationUnusedAccess} {
		if _, err := create(bAA, "org", typ, nil); apiCode(err) != "AccessDeniedException" {
			t.Fatalf("%s analyzer from a plain member: %v, want AccessDeniedException", typ, err)
		}
	}

	// Roles: in B, one trusting an account outside the organization and one
	// trusting member A; in A, one trusting member B.
	must(bIAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("ext"), AssumeRolePolicyDocument: aws.String(trust(outsider))}))
	must(bIAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("peer"), AssumeRolePolicyDocument: aws.String(trust(a))}))
	must(aIAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("to-b"), AssumeRolePolicyDocument: aws.String(trust("arn:aws:iam::" + b + ":root"))}))
	ext, peer, toB := "arn:aws:iam::"+b+":role/ext", "arn:aws:iam::"+b+":role/peer", "arn:aws:iam::"+a+":role/to-b"

	// The delegated administrator's ORGANIZATION analyzer: the outsider is
	// a finding, owned by B; access between members is not.
	orgARN, err := create(aAA, "org", aatypes.TypeOrganization, nil)
	if err != nil {
		t.Fatalf("ORGANIZATION analyzer from the delegated administrator: %v", err)
	}
	if _, err := create(aAA, "org2", aatypes.TypeOrganization, nil); apiCode(err) != "ServiceQuotaExceededException" {
		t.Fatalf("second ORGANIZATION analyzer in one account and Region: %v", err)
	}
	fs := externalFindings(t, aAA, orgARN)
	f, ok := fs[ext]
	if !ok || aws.ToString(f.ResourceOwnerAccount) != b || f.Principal["AWS"] != outsider || f.Status != aatypes.FindingStatusActive {
		t.Fatalf("finding of %s: %+v (all %v)", ext, f, fs)
	}
	for _, r := range []string{peer, toB} {
		if _, ok := fs[r]; ok {
			t.Errorf("ORGANIZATION analyzer reports %s, whose principal is a member", r)
		}
	}
	got, err := aAA.GetFinding(ctx, &awsaa.GetFindingInput{AnalyzerArn: aws.String(orgARN), Id: f.Id})
	if err != nil || aws.ToString(got.Finding.ResourceOwnerAccount) != b {
		t.Fatalf("GetFinding: %+v %v", got, err)
	}
	// B's own ACCOUNT analyzer reports the member A as external.
	acctARN, err := create(bAA, "acct", aatypes.TypeAccount, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bf := externalFindings(t, bAA, acctARN); bf[peer].Principal["AWS"] != a || bf[ext].Principal["AWS"] != outsider {
		t.Errorf("B's ACCOUNT analyzer: %v", bf)
	}
	// The management account's own analyzer sees the same.
	mgmtOrg, err := create(mgmtAA, "org", aatypes.TypeOrganization, nil)
	if err != nil {
		t.Fatalf("ORGANIZATION analyzer from the management account: %v", err)
	}
	if mf := externalFindings(t, mgmtAA, mgmtOrg); len(mf) != 1 || mf[ext].Id == nil {
		t.Errorf("management account's findings: %v", mf)
	}

	// Archive rules and UpdateFindings work as for account analyzers.
	must(aAA.CreateArchiveRule(ctx, &awsaa.CreateArchiveRuleInput{AnalyzerName: aws.String("org"), RuleName: aws.String("from-b"),
		Filter: map[string]aatypes.Criterion{"resourceOwnerAccount": {Eq: []string{b}}}}))
	must(aAA.ApplyArchiveRule(ctx, &awsaa.ApplyArchiveRuleInput{AnalyzerArn: aws.String(orgARN), RuleName: aws.String("from-b")}))
	if st := externalFindings(t, aAA, orgARN)[ext].Status; st != aatypes.FindingStatusArchived {
		t.Errorf("after the archive rule: %s", st)
	}
	must(aAA.UpdateFindings(ctx, &awsaa.UpdateFindingsInput{AnalyzerArn: aws.String(orgARN), Ids: []string{aws.ToString(f.Id)}, Status: aatypes.FindingStatusUpdateActive}))
	if st := externalFindings(t, aAA, orgARN)[ext].Status; st != aatypes.FindingStatusActive {
		t.Errorf("after UpdateFindings ACTIVE: %s", st)
	}

	// ORGANIZATION_UNUSED_ACCESS: an idle role in B, created ten days ago.
	old := time.Now().UTC().Add(-10 * 24 * time.Hour)
	must(bIAM.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("idle"), AssumeRolePolicyDocument: aws.String(trust(b)),
		Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}))
	backdate(t, s, store.KindRole, b, store.RoleKey("idle"), func(r *store.Role) { r.CreateDate = old })
	idle := "arn:aws:iam::" + b + ":role/idle"
	unusedCfg := func(ex ...aatypes.AnalysisRuleCriteria) aatypes.AnalyzerConfiguration {
		c := aatypes.UnusedAccessConfiguration{UnusedAccessAge: aws.Int32(1)}
		if ex != nil {
			c.AnalysisRule = &aatypes.AnalysisRule{Exclusions: ex}
		}
		return &aatypes.AnalyzerConfigurationMemberUnusedAccess{Value: c}
	}
	// Exclusions may not name the analyzer's own account, and account
	// exclusions are for organization analyzers only.
	if _, err := create(aAA, "unused", aatypes.TypeOrganizationUnusedAccess, unusedCfg(aatypes.AnalysisRuleCriteria{AccountIds: []string{a}})); apiCode(err) != "ValidationException" {
		t.Errorf("exclusion of the owner account: %v", err)
	}
	if _, err := create(bAA, "unused", aatypes.TypeAccountUnusedAccess, unusedCfg(aatypes.AnalysisRuleCriteria{AccountIds: []string{a}})); apiCode(err) != "ValidationException" {
		t.Errorf("account exclusion on an account analyzer: %v", err)
	}
	unusedARN, err := create(aAA, "unused", aatypes.TypeOrganizationUnusedAccess, unusedCfg())
	if err != nil {
		t.Fatal(err)
	}
	uf := find(t, listAll(t, aAA, unusedARN, 0, nil), string(aatypes.FindingTypeUnusedIamRole), idle, "ACTIVE")
	v2, err := aAA.GetFindingV2(ctx, &awsaa.GetFindingV2Input{AnalyzerArn: aws.String(unusedARN), Id: aws.String(uf.id)})
	if err != nil || aws.ToString(v2.ResourceOwnerAccount) != b {
		t.Fatalf("GetFindingV2: %+v %v", v2, err)
	}
	stats, err := aAA.GetFindingsStatistics(ctx, &awsaa.GetFindingsStatisticsInput{AnalyzerArn: aws.String(unusedARN)})
	if err != nil {
		t.Fatal(err)
	}
	us := stats.FindingsStatistics[0].(*aatypes.FindingsStatisticsMemberUnusedAccessFindingsStatistics).Value
	if len(us.TopAccounts) == 0 || aws.ToString(us.TopAccounts[0].Account) == "" {
		t.Errorf("topAccounts: %+v", us.TopAccounts)
	}
	// Excluding B, then B's team tag, resolves the finding; lifting the
	// exclusions brings it back.
	for _, ex := range []aatypes.AnalysisRuleCriteria{
		{AccountIds: []string{b}},
		{ResourceTags: []map[string]string{{"team": ""}}},
		{AccountIds: []string{b}, ResourceTags: []map[string]string{{"team": "blue"}}},
	} {
		must(aAA.UpdateAnalyzer(ctx, &awsaa.UpdateAnalyzerInput{AnalyzerName: aws.String("unused"), Configuration: unusedCfg(ex)}))
		find(t, listAll(t, aAA, unusedARN, 0, nil), string(aatypes.FindingTypeUnusedIamRole), idle, "RESOLVED")
		must(aAA.UpdateAnalyzer(ctx, &awsaa.UpdateAnalyzerInput{AnalyzerName: aws.String("unused"), Configuration: unusedCfg()}))
		find(t, listAll(t, aAA, unusedARN, 0, nil), string(aatypes.FindingTypeUnusedIamRole), idle, "ACTIVE")
	}
	// A tag value that does not match excludes nothing.
	must(aAA.UpdateAnalyzer(ctx, &awsaa.UpdateAnalyzerInput{AnalyzerName: aws.String("unused"),
		Configuration: unusedCfg(aatypes.AnalysisRuleCriteria{ResourceTags: []map[string]string{{"team": "red"}}})}))
	find(t, listAll(t, aAA, unusedARN, 0, nil), string(aatypes.FindingTypeUnusedIamRole), idle, "ACTIVE")
	ga, err := aAA.GetAnalyzer(ctx, &awsaa.GetAnalyzerInput{AnalyzerName: aws.String("unused")})
	if err != nil {
		t.Fatal(err)
	}
	if cfg, ok := ga.Analyzer.Configuration.(*aatypes.AnalyzerConfigurationMemberUnusedAccess); !ok || cfg.Value.AnalysisRule == nil ||
		cfg.Value.AnalysisRule.Exclusions[0].ResourceTags[0]["team"] != "red" {
		t.Errorf("configuration: %+v", ga.Analyzer.Configuration)
	}

	// B leaves the organization: its roles leave the zone (RESOLVED), and
	// A's role trusting B now trusts an outsider.
	must(m.Org.RemoveAccountFromOrganization(ctx, &awsorg.RemoveAccountFromOrganizationInput{AccountId: aws.String(b)}))
	fs = externalFindings(t, aAA, orgARN)
	if fs[ext].Status != aatypes.FindingStatusResolved {
		t.Errorf("finding of %s after B left: %s", ext, fs[ext].Status)
	}
	if f := fs[toB]; f.Status != aatypes.FindingStatusActive || f.Principal["AWS"] != "arn:aws:iam::"+b+":root" || aws.ToString(f.ResourceOwnerAccount) != a {
		t.Errorf("finding of %s after B left: %+v", toB, f)
	}
	find(t, listAll(t, aAA, unusedARN, 0, nil), string(aatypes.FindingTypeUnusedIamRole), idle, "RESOLVED")
	if mf := externalFindings(t, mgmtAA, mgmtOrg); mf[toB].Status != aatypes.FindingStatusActive {
		t.Errorf("management analyzer after B left: %+v", mf[toB])
	}

	// A stops being the delegated administrator: its organization analyzers
	// are DISABLED and keep their findings as they were.
	must(m.Org.DeregisterDelegatedAdministrator(ctx, &awsorg.DeregisterDelegatedAdministratorInput{AccountId: aws.String(a),
		ServicePrincipal: aws.String("access-analyzer.amazonaws.com")}))
	ga, err = aAA.GetAnalyzer(ctx, &awsaa.GetAnalyzerInput{AnalyzerName: aws.String("org")})
	if err != nil || ga.Analyzer.Status != aatypes.AnalyzerStatusDisabled || ga.Analyzer.StatusReason == nil ||
		ga.Analyzer.StatusReason.Code != aatypes.ReasonCodeDelegatedAdministratorDeregistered {
		t.Fatalf("GetAnalyzer after deregistration: %+v %v", ga, err)
	}
	must(aIAM.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("to-b")}))
	if f := externalFindings(t, aAA, orgARN)[toB]; f.Status != aatypes.FindingStatusActive {
		t.Errorf("a disabled analyzer updated a finding: %+v", f)
	}
	la, err := aAA.ListAnalyzers(ctx, &awsaa.ListAnalyzersInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, an := range la.Analyzers {
		if want := aatypes.AnalyzerStatusDisabled; an.Status != want {
			t.Errorf("ListAnalyzers: %s is %s, want %s", aws.ToString(an.Name), an.Status, want)
		}
	}
	// The management account's analyzer is still active.
	if mf := externalFindings(t, mgmtAA, mgmtOrg); mf[toB].Status != aatypes.FindingStatusResolved {
		t.Errorf("management analyzer after to-b was deleted: %+v", mf[toB])
	}
}
