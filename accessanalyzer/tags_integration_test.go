package accessanalyzer_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	aa "github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

func wantAPIError(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

// TestTagsAndAnalyzedResources: TagResource, UntagResource and
// ListTagsForResource on analyzers and archive rules (API reference; the
// Service Authorization Reference's aws:RequestTag, aws:TagKeys and
// aws:ResourceTag keys decide them), ListAnalyzedResources (the roles an
// external access analyzer examines, paged), and the service-linked
// analyzer operations, which customers cannot use ("Direct customer
// invocation returns AccessDeniedException").
func TestTagsAndAnalyzedResources(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	c := aa.NewFromConfig(s.Config(testserver.RootKeyID, testserver.RootSecretKey))

	cr, err := c.CreateAnalyzer(ctx, &aa.CreateAnalyzerInput{AnalyzerName: aws.String("acct"), Type: aatypes.TypeAccount,
		Tags:         map[string]string{"team": "blue"},
		ArchiveRules: []aatypes.InlineArchiveRule{{RuleName: aws.String("mine"), Filter: map[string]aatypes.Criterion{"isPublic": {Eq: []string{"false"}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(cr.Arn)
	ruleArn := arn + "/archive-rule/mine"

	lt, err := c.ListTagsForResource(ctx, &aa.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(lt.Tags) != 1 || lt.Tags["team"] != "blue" {
		t.Fatalf("ListTagsForResource: %+v %v", lt, err)
	}
	if _, err := c.TagResource(ctx, &aa.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"env": "prod", "team": "red"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &aa.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"env", "absent"}}); err != nil {
		t.Fatal(err)
	}
	lt, err = c.ListTagsForResource(ctx, &aa.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(lt.Tags) != 1 || lt.Tags["team"] != "red" {
		t.Fatalf("after tag and untag: %+v %v", lt, err)
	}
	ga, err := c.GetAnalyzer(ctx, &aa.GetAnalyzerInput{AnalyzerName: aws.String("acct")})
	if err != nil || ga.Analyzer.Tags["team"] != "red" {
		t.Fatalf("GetAnalyzer shows the tags: %+v %v", ga, err)
	}
	// An archive rule has tags of its own.
	if _, err := c.TagResource(ctx, &aa.TagResourceInput{ResourceArn: aws.String(ruleArn), Tags: map[string]string{"owner": "sec"}}); err != nil {
		t.Fatal(err)
	}
	lt, err = c.ListTagsForResource(ctx, &aa.ListTagsForResourceInput{ResourceArn: aws.String(ruleArn)})
	if err != nil || len(lt.Tags) != 1 || lt.Tags["owner"] != "sec" {
		t.Fatalf("archive rule tags: %+v %v", lt, err)
	}

	// Unknown resources and AWS's tag limits.
	for _, bad := range []string{arn + "x", arn + "/archive-rule/none", "arn:aws:access-analyzer:eu-west-1:" + testserver.AccountID + ":analyzer/acct",
		"arn:aws:access-analyzer:us-east-1:111122223333:analyzer/acct", "not-an-arn"} {
		_, err = c.ListTagsForResource(ctx, &aa.ListTagsForResourceInput{ResourceArn: aws.String(bad)})
		wantAPIError(t, err, "ResourceNotFoundException")
	}
	_, err = c.TagResource(ctx, &aa.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"aws:reserved": "x"}})
	wantAPIError(t, err, "ValidationException")
	_, err = c.TagResource(ctx, &aa.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{strings.Repeat("k", 129): "x"}})
	wantAPIError(t, err, "ValidationException")
	_, err = c.TagResource(ctx, &aa.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"k": strings.Repeat("v", 257)}})
	wantAPIError(t, err, "ValidationException")
	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	_, err = c.TagResource(ctx, &aa.TagResourceInput{ResourceArn: aws.String(arn), Tags: many}) // 50 new + "team"
	wantAPIError(t, err, "ValidationException")
	delete(many, "k00")
	if _, err := c.TagResource(ctx, &aa.TagResourceInput{ResourceArn: aws.String(arn), Tags: many}); err != nil {
		t.Fatalf("50 tags: %v", err)
	}

	// Tag conditions: a user may tag only with env, and untag only
	// analyzers tagged team=red.
	root := s.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("tagger")}); err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Action":"access-analyzer:TagResource","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["env"]}}},
	 {"Effect":"Allow","Action":"access-analyzer:UntagResource","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"green"}}}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("tagger"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("tagger")})
	if err != nil {
		t.Fatal(err)
	}
	u := aa.NewFromConfig(s.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)))
	if _, err := u.TagResource(ctx, &aa.TagResourceInput{ResourceArn: aws.String(ruleArn), Tags: map[string]string{"env": "dev"}}); err != nil {
		t.Fatalf("tagging with an allowed key: %v", err)
	}
	_, err = u.TagResource(ctx, &aa.TagResourceInput{ResourceArn: aws.String(ruleArn), Tags: map[string]string{"team": "x"}})
	wantAPIError(t, err, "AccessDeniedException")
	_, err = u.UntagResource(ctx, &aa.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team"}})
	wantAPIError(t, err, "AccessDeniedException")

	// ListAnalyzedResources: the account's roles, a page at a time.
	for _, n := range []string{"r1", "r2", "r3"} {
		if _, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(n), AssumeRolePolicyDocument: aws.String(trust("arn:aws:iam::111122223333:root"))}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	var next *string
	for {
		p, err := c.ListAnalyzedResources(ctx, &aa.ListAnalyzedResourcesInput{AnalyzerArn: aws.String(arn), MaxResults: aws.Int32(2), NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.AnalyzedResources {
			if r.ResourceType != aatypes.ResourceTypeAwsIamRole || aws.ToString(r.ResourceOwnerAccount) != testserver.AccountID {
				t.Fatalf("analyzed resource %+v", r)
			}
			got = append(got, aws.ToString(r.ResourceArn))
		}
		if next = p.NextToken; next == nil {
			break
		}
	}
	if len(got) != 3 || got[0] != "arn:aws:iam::"+testserver.AccountID+":role/r1" || got[2] != "arn:aws:iam::"+testserver.AccountID+":role/r3" {
		t.Fatalf("ListAnalyzedResources: %v", got)
	}
	ar, err := c.ListAnalyzedResources(ctx, &aa.ListAnalyzedResourcesInput{AnalyzerArn: aws.String(arn), ResourceType: aatypes.ResourceTypeAwsS3Bucket})
	if err != nil || len(ar.AnalyzedResources) != 0 {
		t.Fatalf("S3 buckets: %+v %v", ar, err)
	}
	_, err = c.ListAnalyzedResources(ctx, &aa.ListAnalyzedResourcesInput{AnalyzerArn: aws.String(arn + "x")})
	wantAPIError(t, err, "ResourceNotFoundException")
	_, err = c.ListAnalyzedResources(ctx, &aa.ListAnalyzedResourcesInput{AnalyzerArn: aws.String(arn), NextToken: aws.String("bogus")})
	wantAPIError(t, err, "ValidationException")
	if _, err := c.CreateAnalyzer(ctx, &aa.CreateAnalyzerInput{AnalyzerName: aws.String("unused"), Type: aatypes.TypeAccountUnusedAccess}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListAnalyzedResources(ctx, &aa.ListAnalyzedResourcesInput{AnalyzerArn: aws.String(strings.TrimSuffix(arn, "acct") + "unused")})
	wantAPIError(t, err, "ValidationException")

	// Service-linked analyzers are AWS services' own.
	_, err = c.CreateServiceLinkedAnalyzer(ctx, &aa.CreateServiceLinkedAnalyzerInput{Type: aatypes.TypeAccountUnusedAccess})
	wantAPIError(t, err, "AccessDeniedException")
	_, err = c.DeleteServiceLinkedAnalyzer(ctx, &aa.DeleteServiceLinkedAnalyzerInput{AnalyzerName: aws.String("acct")})
	wantAPIError(t, err, "ResourceNotFoundException")
	if _, err := c.GetAnalyzer(ctx, &aa.GetAnalyzerInput{AnalyzerName: aws.String("acct")}); err != nil {
		t.Fatalf("DeleteServiceLinkedAnalyzer touched a customer's analyzer: %v", err)
	}
}
