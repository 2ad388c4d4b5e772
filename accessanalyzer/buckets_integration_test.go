package accessanalyzer_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	aa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// bucketFindings lists the analyzer's findings on one bucket, by status.
func bucketFindings(t *testing.T, c *aa.Client, analyzer, bucket string) map[aatypes.FindingStatus][]aatypes.FindingSummary {
	t.Helper()
	out, err := c.ListFindings(context.Background(), &aa.ListFindingsInput{AnalyzerArn: aws.String(analyzer),
		Filter: map[string]aatypes.Criterion{"resource": {Eq: []string{"arn:aws:s3:::" + bucket}}}})
	if err != nil {
		t.Fatal(err)
	}
	m := map[aatypes.FindingStatus][]aatypes.FindingSummary{}
	for _, f := range out.Findings {
		m[f.Status] = append(m[f.Status], f)
	}
	return m
}

func sourceTypes(src []aatypes.FindingSource) []string {
	var out []string
	for _, s := range src {
		out = append(out, string(s.Type))
	}
	return out
}

// TestIntegrationBucketFindings: an external access analyzer reports a
// bucket made public by its ACL, then by its policy too (one finding, two
// sources), resolves it when Block Public Access ignores public ACLs and
// restricts public buckets, archives what an archive rule matches, and
// resolves a deleted bucket's findings
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-resources.html#access-analyzer-s3).
func TestIntegrationBucketFindings(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	c := aa.NewFromConfig(srv.Config(testserver.RootKeyID, testserver.RootSecretKey))
	s3c := srv.RootS3()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	an, err := c.CreateAnalyzer(ctx, &aa.CreateAnalyzerInput{AnalyzerName: aws.String("account"), Type: aatypes.TypeAccount,
		ArchiveRules: []aatypes.InlineArchiveRule{{RuleName: aws.String("partner"), Filter: map[string]aatypes.Criterion{
			"resource": {Eq: []string{"arn:aws:s3:::partner-drop"}}, "principal.AWS": {Eq: []string{"111122223333"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(an.Arn)

	const b = "open-data"
	must(s3c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(b), ObjectOwnership: s3types.ObjectOwnershipBucketOwnerPreferred}))
	if fs := bucketFindings(t, c, arn, b); len(fs) != 0 {
		t.Fatalf("a new bucket (Block Public Access on, private ACL) has findings: %+v", fs)
	}
	must(s3c.PutPublicAccessBlock(ctx, &awss3.PutPublicAccessBlockInput{Bucket: aws.String(b), PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}))
	must(s3c.PutBucketAcl(ctx, &awss3.PutBucketAclInput{Bucket: aws.String(b), ACL: s3types.BucketCannedACLPublicRead}))
	fs := bucketFindings(t, c, arn, b)
	active := fs[aatypes.FindingStatusActive]
	if len(active) != 1 || !aws.ToBool(active[0].IsPublic) || active[0].Principal["AWS"] != "*" || active[0].ResourceType != aatypes.ResourceTypeAwsS3Bucket ||
		!slices.Equal(sourceTypes(active[0].Sources), []string{"BUCKET_ACL"}) || !slices.Contains(active[0].Action, "s3:ListBucket") {
		t.Fatalf("public-read ACL: %+v", fs)
	}
	id := aws.ToString(active[0].Id)

	must(s3c.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String(b), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::open-data/*"}]}`)}))
	got, err := c.GetFinding(ctx, &aa.GetFindingInput{AnalyzerArn: aws.String(arn), Id: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if f := got.Finding; f.Status != aatypes.FindingStatusActive || !slices.Equal(sourceTypes(f.Sources), []string{"BUCKET_ACL", "POLICY"}) ||
		!slices.Contains(f.Action, "s3:GetObject") || !slices.Contains(f.Action, "s3:ListBucket") {
		t.Fatalf("ACL and policy: %+v", f)
	}
	res, err := c.GetAnalyzedResource(ctx, &aa.GetAnalyzedResourceInput{AnalyzerArn: aws.String(arn), ResourceArn: aws.String("arn:aws:s3:::" + b)})
	if err != nil {
		t.Fatal(err)
	}
	if r := res.Resource; !aws.ToBool(r.IsPublic) || r.ResourceType != aatypes.ResourceTypeAwsS3Bucket || !slices.Equal(r.SharedVia, []string{"BUCKET_ACL", "POLICY"}) {
		t.Fatalf("analyzed resource: %+v", r)
	}

	// Block Public Access: ignoring public ACLs leaves the policy's access;
	// restricting public buckets removes it too.
	must(s3c.PutPublicAccessBlock(ctx, &awss3.PutPublicAccessBlockInput{Bucket: aws.String(b), PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
		IgnorePublicAcls: aws.Bool(true)}}))
	got, err = c.GetFinding(ctx, &aa.GetFindingInput{AnalyzerArn: aws.String(arn), Id: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if f := got.Finding; f.Status != aatypes.FindingStatusActive || !slices.Equal(sourceTypes(f.Sources), []string{"POLICY"}) || !slices.Equal(f.Action, []string{"s3:GetObject"}) {
		t.Fatalf("IgnorePublicAcls: %+v", f)
	}
	must(s3c.PutPublicAccessBlock(ctx, &awss3.PutPublicAccessBlockInput{Bucket: aws.String(b), PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
		IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}}))
	if fs := bucketFindings(t, c, arn, b); len(fs[aatypes.FindingStatusActive]) != 0 || len(fs[aatypes.FindingStatusResolved]) != 1 {
		t.Fatalf("RestrictPublicBuckets: %+v", fs)
	}

	// An archive rule archives a new finding; deleting the bucket resolves it.
	const p = "partner-drop"
	must(s3c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(p)}))
	must(s3c.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String(p), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::partner-drop/*"}]}`)}))
	fs = bucketFindings(t, c, arn, p)
	if arch := fs[aatypes.FindingStatusArchived]; len(arch) != 1 || aws.ToBool(arch[0].IsPublic) || !slices.Equal(sourceTypes(arch[0].Sources), []string{"POLICY"}) {
		t.Fatalf("archive rule: %+v", fs)
	}
	must(s3c.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String(p)}))
	if fs := bucketFindings(t, c, arn, p); len(fs[aatypes.FindingStatusResolved]) != 1 || len(fs) != 1 {
		t.Fatalf("deleted bucket: %+v", fs)
	}
}
