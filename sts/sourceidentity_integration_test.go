package sts_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestSourceIdentityCondition: aws:SourceIdentity is in the context of every
// request made with a session that has a source identity, and of the
// sessions chained from it (reference_policies_condition-keys,
// id_credentials_temp_control-access_monitor); a session without one does
// not match a policy conditioned on it.
func TestSourceIdentityCondition(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	onlyAlice := doc(
		`{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*","Condition":{"StringEquals":{"aws:SourceIdentity":"alice"}}}`,
		`{"Effect":"Allow","Action":["sts:AssumeRole","sts:SetSourceIdentity","iam:GetUser"],"Resource":"*"}`,
		`{"Effect":"Deny","Action":"iam:GetUser","Resource":"*","Condition":{"Null":{"aws:SourceIdentity":"false"}}}`)
	roleARN := newRole(t, root, "Audited", trustAccount(acct, ""), onlyAlice, 0)
	user := newUser(t, root, "u", allowAssume(roleARN))

	assume := func(c *awssts.Client, name string, src *string) aws.Config {
		t.Helper()
		out, err := c.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(name), SourceIdentity: src})
		if err != nil {
			t.Fatal(err)
		}
		return sessionCfg(srv, out.Credentials)
	}
	listUsers := func(cfg aws.Config) error {
		_, err := awsiam.NewFromConfig(cfg).ListUsers(ctx, &awsiam.ListUsersInput{})
		return err
	}

	withSrc := assume(stsFor(srv, user), "with", aws.String("alice"))
	if err := listUsers(withSrc); err != nil {
		t.Fatalf("session with source identity alice: %v", err)
	}
	// The deny conditioned on the key's presence applies to it.
	_, err := awsiam.NewFromConfig(withSrc).GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("u")})
	wantCode(t, err, "AccessDenied")

	// Chained: the source identity carries on without being passed again.
	chained := assume(awssts.NewFromConfig(withSrc), "chained", nil)
	if err := listUsers(chained); err != nil {
		t.Fatalf("chained session: %v", err)
	}

	other := assume(stsFor(srv, user), "other", aws.String("bob"))
	wantCode(t, listUsers(other), "AccessDenied")

	without := assume(stsFor(srv, user), "without", nil)
	wantCode(t, listUsers(without), "AccessDenied")
	if _, err := awsiam.NewFromConfig(without).GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("u")}); err != nil {
		t.Fatalf("session without source identity, GetUser: %v", err)
	}
}
