package s3_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestIntegrationOutsideOrganization: a caller of an account outside the
// bucket owner's organization — its AccessDenied carries no context ("the
// added context is given for requests within the same account or
// organization", troubleshoot-403-errors.html#access-denied-message-examples)
// — and a resource control policy limiting a member account's buckets to
// the organization
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html;
// the RCP applies to anonymous callers too).
func TestIntegrationOutsideOrganization(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootS3()
	member := srv.NewMember(t)

	const outsider = "444455556666"
	outRoot := srv.NewStandaloneAccount(t, outsider, "AKIAOUTSIDER00000001", "outsider-secret-outsider-secret-00000001")
	oiam := awsiam.NewFromConfig(outRoot)
	ok(t)(oiam.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("visitor")}))
	ok(t)(oiam.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("visitor"), PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}))
	vk, err := oiam.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("visitor")})
	if err != nil {
		t.Fatal(err)
	}
	visitor := srv.S3Client(aws.ToString(vk.AccessKey.AccessKeyId), aws.ToString(vk.AccessKey.SecretAccessKey), "")

	t.Run("CrossAccount", func(t *testing.T) {
		mkBucket(t, root, "partners")
		put(t, root, "partners", "shared", "for partners")
		put(t, root, "partners", "internal", "not for partners")
		putPolicy(t, root, "partners", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+outsider+`:user/visitor"},
			"Action":"s3:GetObject","Resource":"arn:aws:s3:::partners/shared"}]}`)
		if got, err := get(visitor, "partners", "shared"); err != nil || got != "for partners" {
			t.Errorf("visitor reads the shared object: %q %v", got, err)
		}
		_, err := get(visitor, "partners", "internal")
		wantDenied(t, err, "Access Denied")
	})
	t.Run("RCP", func(t *testing.T) {
		admin := testserver.S3FromConfig(member.Admin)
		mkBucket(t, admin, "member-partners")
		put(t, admin, "member-partners", "k", "v")
		ok(t)(admin.PutPublicAccessBlock(ctx, &awss3.PutPublicAccessBlockInput{Bucket: aws.String("member-partners"), PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
			BlockPublicAcls: aws.Bool(false), IgnorePublicAcls: aws.Bool(false), BlockPublicPolicy: aws.Bool(false), RestrictPublicBuckets: aws.Bool(false)}}))
		putPolicy(t, admin, "member-partners", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::member-partners/*"}]}`)
		if _, err := get(visitor, "member-partners", "k"); err != nil {
			t.Fatalf("before the RCP: %v", err)
		}
		if _, err := get(srv.AnonymousS3(), "member-partners", "k"); err != nil {
			t.Fatalf("anonymous before the RCP: %v", err)
		}
		ok(t)(member.Org.EnablePolicyType(ctx, &awsorg.EnablePolicyTypeInput{RootId: aws.String(member.RootID), PolicyType: orgtypes.PolicyTypeResourceControlPolicy}))
		// The Organizations user guide's "data perimeter" RCP: deny S3 to
		// principals outside the organization.
		rcp := `{"Version":"2012-10-17","Statement":[{"Sid":"EnforceOrgIdentities","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",
			"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"` + member.OrgID + `"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}`
		cp, err := member.Org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Name: aws.String("org-only"), Description: aws.String("org only"),
			Type: orgtypes.PolicyTypeResourceControlPolicy, Content: aws.String(rcp)})
		if err != nil {
			t.Fatal(err)
		}
		ok(t)(member.Org.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: cp.Policy.PolicySummary.Id, TargetId: aws.String(member.Account)}))
		_, err = get(visitor, "member-partners", "k")
		wantDenied(t, err, "Access Denied")
		_, err = get(srv.AnonymousS3(), "member-partners", "k")
		wantDenied(t, err, "Access Denied")
		if got, err := get(admin, "member-partners", "k"); err != nil || got != "v" {
			t.Errorf("the member account's own principal: %q %v", got, err)
		}
		// A management-account principal is in the organization.
		mgmt := newUser(t, srv, "org-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`).s3(srv)
		if got, err := get(mgmt, "member-partners", "k"); err != nil || got != "v" {
			t.Errorf("a principal of the organization: %q %v", got, err)
		}
		// The outsider's own bucket is not under the RCP.
		ok(t)(testserver.S3FromConfig(outRoot).CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("outsider-own")}))
	})
}
