package sts_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// TestAssumeRoot follows the STS API reference of AssumeRoot and the IAM
// User Guide's "Perform a privileged task on an AWS Organizations member
// account": with root sessions enabled for the organization, a principal of
// the management account allowed sts:AssumeRoot opens a root session of a
// member account, scoped by a task policy (here
// root-task/IAMAuditRootUserCredentials, which denies all but auditing the
// root user's credentials), for at most 900 seconds; member account SCPs
// still apply.
func TestAssumeRoot(t *testing.T) {
	t.Parallel()
	s := testserver.Start(t)
	ctx := context.Background()
	m := s.NewMember(t)
	const audit = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
	const password = "arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword"

	root := s.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("rootops")}); err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoot","Resource":"arn:aws:iam::*:root",
	 "Condition":{"ArnEquals":{"sts:TaskPolicyArn":"` + audit + `"}}}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("rootops"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	k, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("rootops")})
	if err != nil {
		t.Fatal(err)
	}
	ops := s.STSClient(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey))
	assume := func(c *awssts.Client, target, task string, dur *int32) (*awssts.AssumeRootOutput, error) {
		return c.AssumeRoot(ctx, &awssts.AssumeRootInput{TargetPrincipal: aws.String(target), TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(task)}, DurationSeconds: dur})
	}

	// Not before the organization enables root sessions.
	_, err = assume(ops, m.Account, audit, nil)
	wantCode(t, err, "AccessDenied")
	if _, err := m.Org.EnableAWSServiceAccess(ctx, &awsorg.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("iam.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.EnableOrganizationsRootSessions(ctx, &awsiam.EnableOrganizationsRootSessionsInput{}); err != nil {
		t.Fatal(err)
	}

	// Root user credentials cannot call it; bad inputs are refused.
	_, err = assume(s.STSClient(testserver.RootKeyID, testserver.RootSecretKey), m.Account, audit, nil)
	wantCode(t, err, "AccessDenied")
	_, err = assume(ops, m.Account, audit, aws.Int32(901))
	wantCode(t, err, "ValidationError")
	_, err = assume(ops, m.Account, "arn:aws:iam::aws:policy/AdministratorAccess", nil)
	wantCode(t, err, "AccessDenied") // the caller's policy allows the audit task only
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("rootops"), PolicyName: aws.String("any"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoot","Resource":"arn:aws:iam::*:root","Condition":{"ArnLike":{"sts:TaskPolicyArn":"arn:aws:iam::aws:policy/Admin*"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err = assume(ops, m.Account, "arn:aws:iam::aws:policy/AdministratorAccess", nil)
	wantCode(t, err, "ValidationError") // not a task policy
	_, err = assume(ops, testserver.AccountID, audit, nil)
	wantCode(t, err, "AccessDenied")
	// The caller's policy allows the audit task only (sts:TaskPolicyArn is
	// an ARN-typed key: ArnEquals).
	_, err = assume(ops, m.Account, password, nil)
	wantCode(t, err, "AccessDenied")

	before := time.Now().Add(-2 * time.Second)
	ar, err := assume(ops, "arn:aws:iam::"+m.Account+":root", audit, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := ar.Credentials
	if exp := aws.ToTime(c.Expiration); exp.Before(before.Add(900*time.Second)) || exp.After(time.Now().Add(901*time.Second)) {
		t.Fatalf("a root session lasts 900 seconds by default; expires %v", exp)
	}
	cfg := s.SessionConfig(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	id, err := awssts.NewFromConfig(cfg).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::"+m.Account+":root" || aws.ToString(id.Account) != m.Account {
		t.Fatalf("GetCallerIdentity of the root session: %+v %v", id, err)
	}
	memberRoot := awsiam.NewFromConfig(cfg)
	if _, err := memberRoot.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{}); err != nil {
		t.Fatalf("the audit task allows GetAccountSummary: %v", err)
	}
	_, err = memberRoot.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("intruder")})
	wantCode(t, err, "AccessDenied")
	_, err = memberRoot.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")

	// The member account's SCPs apply to the root session.
	m.AttachSCP(t, "no-summary", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:GetAccountSummary","Resource":"*"}]}`)
	_, err = memberRoot.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	wantCode(t, err, "AccessDenied")

	// Disabling root sessions stops new ones.
	if _, err := root.DisableOrganizationsRootSessions(ctx, &awsiam.DisableOrganizationsRootSessionsInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = assume(ops, m.Account, audit, nil)
	wantCode(t, err, "AccessDenied")
}
