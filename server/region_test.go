package server_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// regionDeny denies IAM, Organizations and sts:GetAccessKeyInfo when the
// request is made to us-east-1, and allows everything else.
const regionDeny = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["iam:*","organizations:*","sts:*"],"Resource":"*"},
 {"Effect":"Deny","Action":["iam:*","organizations:*","sts:GetAccessKeyInfo"],"Resource":"*",
  "Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"}}}]}`

// TestRequestedRegionOfGlobalServices is the regression test for the bypass of
// an explicit Deny on aws:RequestedRegion: IAM and Organizations are global
// services whose requests AWS evaluates as made to us-east-1 whatever region
// the client signed with ("IAM calls are always made to the us-east-1 Region",
// IAM User Guide, reference_policies_condition-keys, aws:RequestedRegion).
// STS is regional: the region the client addresses stays in the context.
func TestRequestedRegionOfGlobalServices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.Start(t)
	root := srv.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("regional")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("regional"),
		PolicyName: aws.String("deny-us-east-1"), PolicyDocument: aws.String(regionDeny)}); err != nil {
		t.Fatal(err)
	}
	key, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("regional")})
	if err != nil {
		t.Fatal(err)
	}
	for _, region := range []string{"us-east-1", "eu-west-1", "ap-southeast-2"} {
		cfg := srv.Config(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey)
		cfg.Region = region
		_, err := awsiam.NewFromConfig(cfg).ListUsers(ctx, &awsiam.ListUsersInput{})
		wantCode(t, "iam:ListUsers signed for "+region, err, "AccessDenied")
		_, err = awsiam.NewFromConfig(cfg).CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("x-" + region)})
		wantCode(t, "iam:CreateUser signed for "+region, err, "AccessDenied")
		_, err = awsorg.NewFromConfig(cfg).DescribeOrganization(ctx, &awsorg.DescribeOrganizationInput{})
		wantCode(t, "organizations:DescribeOrganization signed for "+region, err, "AccessDeniedException")

		// STS has regional endpoints: the addressed region decides.
		_, err = awssts.NewFromConfig(cfg).GetAccessKeyInfo(ctx, &awssts.GetAccessKeyInfoInput{AccessKeyId: key.AccessKey.AccessKeyId})
		if region == "us-east-1" {
			wantCode(t, "sts:GetAccessKeyInfo signed for us-east-1", err, "AccessDenied")
		} else if err != nil {
			t.Errorf("sts:GetAccessKeyInfo signed for %s: %v", region, err)
		}
	}

	// The access key's last use records the region IAM was called in.
	if _, err := root.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
}

// TestRequestedRegionOfRoleSessions checks the same for temporary credentials.
func TestRequestedRegionOfRoleSessions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.Start(t)
	root := srv.RootIAM()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + testserver.AccountID + `:root"},"Action":"sts:AssumeRole"}]}`
	if _, err := root.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("regional"), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("regional"),
		PolicyName: aws.String("deny-us-east-1"), PolicyDocument: aws.String(regionDeny)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("assumer")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("assumer"), PolicyName: aws.String("assume"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	key, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("assumer")})
	if err != nil {
		t.Fatal(err)
	}
	out, err := srv.STSClient(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey).AssumeRole(ctx, &awssts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + testserver.AccountID + ":role/regional"), RoleSessionName: aws.String("regional-session")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := srv.Config("", "")
	cfg.Region = "eu-west-1"
	cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: *out.Credentials.AccessKeyId, SecretAccessKey: *out.Credentials.SecretAccessKey,
			SessionToken: *out.Credentials.SessionToken}, nil
	})
	_, err = awsiam.NewFromConfig(cfg).ListRoles(ctx, &awsiam.ListRolesInput{})
	wantCode(t, "iam:ListRoles from a role session signed for eu-west-1", err, "AccessDenied")
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Errorf("%s: got %v, want %s", what, err, code)
	}
}

// TestRequestedRegionUnderSCP is the regression test for the SCP bypass: a
// member account under "Deny everything unless aws:RequestedRegion is
// eu-west-1" could call IAM by signing with eu-west-1. IAM requests are made
// to us-east-1, so the SCP denies them whatever the signature says — the
// reason AWS's guide exempts global services with NotAction in such SCPs
// (reference_policies_elements_notaction, "NotAction with Deny").
func TestRequestedRegionUnderSCP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.Start(t)
	m := srv.NewMember(t)
	m.AttachSCP(t, "eu-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
	  "Condition":{"StringNotEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}`)
	for _, region := range []string{"eu-west-1", "us-east-1"} {
		cfg := m.Admin.Copy()
		cfg.Region = region
		_, err := awsiam.NewFromConfig(cfg).CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("u-" + region)})
		wantCode(t, "member CreateUser signed for "+region, err, "AccessDenied")
	}
	// STS is regional: a call addressed to eu-west-1 is in eu-west-1.
	cfg := m.Admin.Copy()
	cfg.Region = "eu-west-1"
	if _, err := awssts.NewFromConfig(cfg).GetAccessKeyInfo(ctx, &awssts.GetAccessKeyInfoInput{AccessKeyId: aws.String(testserver.RootKeyID)}); err != nil {
		t.Errorf("sts:GetAccessKeyInfo in eu-west-1: %v", err)
	}
}

// TestOrganizationsAccessDenied: an authorization failure of Organizations is
// AccessDeniedException with HTTP 400 — the model gives the exception no
// status, so it is the JSON protocol's 400 — and its message reaches the SDK
// (the model's member is "Message").
func TestOrganizationsAccessDenied(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := testserver.Start(t)
	srv.NewUserWithKey(t, "nobody")
	key, err := srv.RootIAM().CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("nobody")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = awsorg.NewFromConfig(srv.Config(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey)).DescribeOrganization(ctx, &awsorg.DescribeOrganizationInput{})
	wantCode(t, "DescribeOrganization without permission", err, "AccessDeniedException")
	var re *awshttp.ResponseError
	var ae smithy.APIError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 400 || !errors.As(err, &ae) || !strings.Contains(ae.ErrorMessage(), "is not authorized to perform: organizations:DescribeOrganization") {
		t.Errorf("got %v", err)
	}
}
