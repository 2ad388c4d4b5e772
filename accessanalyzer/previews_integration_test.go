package accessanalyzer_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	aa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// previewFindings creates a preview and lists its findings, by change type.
func previewFindings(t *testing.T, c *aa.Client, analyzer string, cfgs map[string]aatypes.Configuration) (string, map[aatypes.FindingChangeType][]aatypes.AccessPreviewFinding) {
	t.Helper()
	ctx := context.Background()
	p, err := c.CreateAccessPreview(ctx, &aa.CreateAccessPreviewInput{AnalyzerArn: aws.String(analyzer), Configurations: cfgs})
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.GetAccessPreview(ctx, &aa.GetAccessPreviewInput{AnalyzerArn: aws.String(analyzer), AccessPreviewId: p.Id})
	if err != nil {
		t.Fatal(err)
	}
	if g.AccessPreview.Status != aatypes.AccessPreviewStatusCompleted || len(g.AccessPreview.Configurations) != len(cfgs) {
		t.Fatalf("GetAccessPreview: %+v", g.AccessPreview)
	}
	m := map[aatypes.FindingChangeType][]aatypes.AccessPreviewFinding{}
	pg := aa.NewListAccessPreviewFindingsPaginator(c, &aa.ListAccessPreviewFindingsInput{AnalyzerArn: aws.String(analyzer), AccessPreviewId: p.Id, MaxResults: aws.Int32(1)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Findings {
			m[f.ChangeType] = append(m[f.ChangeType], f)
		}
	}
	return aws.ToString(p.Id), m
}

// TestIntegrationAccessPreviews previews a role's trust policy and a
// bucket's policy, ACL and Block Public Access against the analyzer's
// findings (NEW, UNCHANGED, CHANGED), with archive rules, a failed preview,
// and AWS's errors
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-preview-access-apis.html).
func TestIntegrationAccessPreviews(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	c := aa.NewFromConfig(srv.Config(testserver.RootKeyID, testserver.RootSecretKey))
	an, err := c.CreateAnalyzer(ctx, &aa.CreateAnalyzerInput{AnalyzerName: aws.String("account"), Type: aatypes.TypeAccount,
		ArchiveRules: []aatypes.InlineArchiveRule{{RuleName: aws.String("auditors"), Filter: map[string]aatypes.Criterion{"principal.AWS": {Eq: []string{"444455556666"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(an.Arn)
	trustOf := func(acct string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + acct + `"},"Action":"sts:AssumeRole"}]}`
	}
	if _, err := srv.RootIAM().CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("partner"), AssumeRolePolicyDocument: aws.String(trustOf("111122223333"))}); err != nil {
		t.Fatal(err)
	}
	roleArn := "arn:aws:iam::" + testserver.AccountID + ":role/partner"
	existing, err := c.ListFindings(ctx, &aa.ListFindingsInput{AnalyzerArn: aws.String(arn)})
	if err != nil || len(existing.Findings) != 1 {
		t.Fatalf("existing findings: %+v %v", existing, err)
	}

	// The same trust policy: UNCHANGED. Another account instead: the
	// existing finding is CHANGED to RESOLVED and the new one is NEW;
	// a principal an archive rule matches is NEW and ARCHIVED.
	_, m := previewFindings(t, c, arn, map[string]aatypes.Configuration{roleArn: &aatypes.ConfigurationMemberIamRole{Value: aatypes.IamRoleConfiguration{}}})
	if u := m[aatypes.FindingChangeTypeUnchanged]; len(m) != 1 || len(u) != 1 || aws.ToString(u[0].ExistingFindingId) != aws.ToString(existing.Findings[0].Id) ||
		u[0].Status != aatypes.FindingStatusActive || u[0].ExistingFindingStatus != aatypes.FindingStatusActive {
		t.Fatalf("unchanged: %+v", m)
	}
	_, m = previewFindings(t, c, arn, map[string]aatypes.Configuration{roleArn: &aatypes.ConfigurationMemberIamRole{Value: aatypes.IamRoleConfiguration{
		TrustPolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["777788889999","444455556666"]},"Action":"sts:AssumeRole"}]}`)}}})
	ch, nw := m[aatypes.FindingChangeTypeChanged], m[aatypes.FindingChangeTypeNew]
	if len(ch) != 1 || ch[0].Status != aatypes.FindingStatusResolved || ch[0].ExistingFindingStatus != aatypes.FindingStatusActive || ch[0].Principal["AWS"] != "111122223333" {
		t.Fatalf("changed: %+v", ch)
	}
	statuses := map[string]aatypes.FindingStatus{}
	for _, f := range nw {
		statuses[f.Principal["AWS"]] = f.Status
		if aws.ToString(f.Resource) != roleArn || f.ResourceType != aatypes.ResourceTypeAwsIamRole || f.ExistingFindingId != nil || !slices.Equal(f.Action, []string{"sts:AssumeRole"}) {
			t.Fatalf("new: %+v", f)
		}
	}
	if len(nw) != 2 || statuses["777788889999"] != aatypes.FindingStatusActive || statuses["444455556666"] != aatypes.FindingStatusArchived {
		t.Fatalf("new: %+v", statuses)
	}
	// The preview changed nothing.
	if after, err := c.ListFindings(ctx, &aa.ListFindingsInput{AnalyzerArn: aws.String(arn)}); err != nil || len(after.Findings) != 1 || after.Findings[0].Status != aatypes.FindingStatusActive {
		t.Fatalf("findings after previews: %+v %v", after, err)
	}

	// A new bucket: its proposed public ACL and policy; with Block Public
	// Access proposed, nothing.
	s3c := srv.RootS3()
	if _, err := s3c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("reports"), ObjectOwnership: s3types.ObjectOwnershipBucketOwnerPreferred}); err != nil {
		t.Fatal(err)
	}
	bucketCfg := aatypes.S3BucketConfiguration{
		BucketPolicy:            aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`),
		BucketAclGrants:         []aatypes.S3BucketAclGrantConfiguration{{Permission: aatypes.AclPermissionRead, Grantee: &aatypes.AclGranteeMemberUri{Value: "http://acs.amazonaws.com/groups/global/AllUsers"}}},
		BucketPublicAccessBlock: &aatypes.S3PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)},
	}
	_, m = previewFindings(t, c, arn, map[string]aatypes.Configuration{"arn:aws:s3:::reports": &aatypes.ConfigurationMemberS3Bucket{Value: bucketCfg}})
	if nw := m[aatypes.FindingChangeTypeNew]; len(m) != 1 || len(nw) != 1 || !aws.ToBool(nw[0].IsPublic) || nw[0].ResourceType != aatypes.ResourceTypeAwsS3Bucket ||
		len(nw[0].Sources) != 2 || aws.ToString(nw[0].ResourceOwnerAccount) != testserver.AccountID {
		t.Fatalf("public bucket preview: %+v", m)
	}
	bucketCfg.BucketPublicAccessBlock = &aatypes.S3PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}
	if _, m = previewFindings(t, c, arn, map[string]aatypes.Configuration{"arn:aws:s3:::reports": &aatypes.ConfigurationMemberS3Bucket{Value: bucketCfg}}); len(m) != 0 {
		t.Fatalf("blocked bucket preview: %+v", m)
	}

	// A trust policy that does not parse: the preview FAILED with
	// INVALID_CONFIGURATION, and its findings cannot be listed.
	p, err := c.CreateAccessPreview(ctx, &aa.CreateAccessPreviewInput{AnalyzerArn: aws.String(arn), Configurations: map[string]aatypes.Configuration{
		roleArn: &aatypes.ConfigurationMemberIamRole{Value: aatypes.IamRoleConfiguration{TrustPolicy: aws.String(`{"Statement":`)}}}})
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.GetAccessPreview(ctx, &aa.GetAccessPreviewInput{AnalyzerArn: aws.String(arn), AccessPreviewId: p.Id})
	if err != nil || g.AccessPreview.Status != aatypes.AccessPreviewStatusFailed || g.AccessPreview.StatusReason == nil ||
		g.AccessPreview.StatusReason.Code != aatypes.AccessPreviewStatusReasonCodeInvalidConfiguration {
		t.Fatalf("failed preview: %+v %v", g, err)
	}
	_, err = c.ListAccessPreviewFindings(ctx, &aa.ListAccessPreviewFindingsInput{AnalyzerArn: aws.String(arn), AccessPreviewId: p.Id})
	wantCode(t, err, "ConflictException")

	list, err := c.ListAccessPreviews(ctx, &aa.ListAccessPreviewsInput{AnalyzerArn: aws.String(arn)})
	if err != nil || len(list.AccessPreviews) != 5 || list.AccessPreviews[4].Status != aatypes.AccessPreviewStatusFailed {
		t.Fatalf("ListAccessPreviews: %+v %v", list, err)
	}

	// Errors.
	_, err = c.CreateAccessPreview(ctx, &aa.CreateAccessPreviewInput{AnalyzerArn: aws.String(arn), Configurations: map[string]aatypes.Configuration{
		"arn:aws:sqs:us-east-1:" + testserver.AccountID + ":q": &aatypes.ConfigurationMemberSqsQueue{Value: aatypes.SqsQueueConfiguration{QueuePolicy: aws.String("")}}}})
	wantCode(t, err, "ValidationException")
	_, err = c.CreateAccessPreview(ctx, &aa.CreateAccessPreviewInput{AnalyzerArn: aws.String(arn), Configurations: map[string]aatypes.Configuration{
		"arn:aws:iam::" + testserver.AccountID + ":role/new-role": &aatypes.ConfigurationMemberIamRole{Value: aatypes.IamRoleConfiguration{}}}})
	wantCode(t, err, "ValidationException")
	_, err = c.CreateAccessPreview(ctx, &aa.CreateAccessPreviewInput{AnalyzerArn: aws.String(arn + "x"), Configurations: map[string]aatypes.Configuration{
		roleArn: &aatypes.ConfigurationMemberIamRole{Value: aatypes.IamRoleConfiguration{}}}})
	wantCode(t, err, "ResourceNotFoundException")
	_, err = c.GetAccessPreview(ctx, &aa.GetAccessPreviewInput{AnalyzerArn: aws.String(arn), AccessPreviewId: aws.String("00000000-0000-0000-0000-000000000000")})
	wantCode(t, err, "ResourceNotFoundException")

	// Idempotency: a client token returns its preview; with other
	// configurations it conflicts.
	cfg := map[string]aatypes.Configuration{roleArn: &aatypes.ConfigurationMemberIamRole{Value: aatypes.IamRoleConfiguration{TrustPolicy: aws.String(trustOf("777788889999"))}}}
	p1, err := c.CreateAccessPreview(ctx, &aa.CreateAccessPreviewInput{AnalyzerArn: aws.String(arn), Configurations: cfg, ClientToken: aws.String("tok")})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.CreateAccessPreview(ctx, &aa.CreateAccessPreviewInput{AnalyzerArn: aws.String(arn), Configurations: cfg, ClientToken: aws.String("tok")})
	if err != nil || aws.ToString(p1.Id) != aws.ToString(p2.Id) {
		t.Fatalf("client token: %v %v %v", p1.Id, p2, err)
	}
	cfg[roleArn] = &aatypes.ConfigurationMemberIamRole{Value: aatypes.IamRoleConfiguration{TrustPolicy: aws.String(trustOf("111122223333"))}}
	_, err = c.CreateAccessPreview(ctx, &aa.CreateAccessPreviewInput{AnalyzerArn: aws.String(arn), Configurations: cfg, ClientToken: aws.String("tok")})
	wantCode(t, err, "ConflictException")

	// Authorization: access-analyzer:GetAccessPreview on the analyzer does
	// not allow CreateAccessPreview.
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("viewer")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("viewer"), PolicyName: aws.String("p"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["access-analyzer:GetAccessPreview","access-analyzer:ListAccessPreview*"],"Resource":"` + arn + `"}]}`)}); err != nil {
		t.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("viewer")})
	if err != nil {
		t.Fatal(err)
	}
	viewer := aa.NewFromConfig(srv.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)))
	if _, err := viewer.GetAccessPreview(ctx, &aa.GetAccessPreviewInput{AnalyzerArn: aws.String(arn), AccessPreviewId: p1.Id}); err != nil {
		t.Fatal(err)
	}
	_, err = viewer.CreateAccessPreview(ctx, &aa.CreateAccessPreviewInput{AnalyzerArn: aws.String(arn), Configurations: cfg})
	wantCode(t, err, "AccessDeniedException")
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("want %s, got %v", code, err)
	}
}
