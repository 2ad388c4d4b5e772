package testserver

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awsorg "github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
)

// Member is a member account of an organization the management account
// created, for tests of what the organization's policies do.
type Member struct {
	// Account is the member account's id; OrgID and RootID the
	// organization's.
	Account, OrgID, RootID string
	// Org is the management account's Organizations client.
	Org *awsorg.Client
	// Admin holds credentials of a session of the member account's
	// OrganizationAccountAccessRole (AdministratorAccess).
	Admin aws.Config
}

// SessionConfig returns an SDK configuration for temporary credentials.
func (s *Server) SessionConfig(keyID, secret, sessionToken string) aws.Config {
	c := s.Config(keyID, secret)
	c.Credentials = credentials.NewStaticCredentialsProvider(keyID, secret, sessionToken)
	return c
}

// NewMember creates an organization with all features and service control
// policies enabled, and one member account, and enters that account as its
// administrator (through OrganizationAccountAccessRole, from a management
// account user). Call it once per server.
func (s *Server) NewMember(t testing.TB) *Member {
	t.Helper()
	ctx := context.Background()
	org := s.OrgClient(RootKeyID, RootSecretKey, "")
	co, err := org.CreateOrganization(ctx, &awsorg.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll})
	if err != nil {
		t.Fatal(err)
	}
	roots, err := org.ListRoots(ctx, &awsorg.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("ListRoots: %v %v", roots, err)
	}
	m := &Member{OrgID: aws.ToString(co.Organization.Id), RootID: aws.ToString(roots.Roots[0].Id), Org: org}
	if _, err := org.EnablePolicyType(ctx, &awsorg.EnablePolicyTypeInput{RootId: aws.String(m.RootID), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	ca, err := org.CreateAccount(ctx, &awsorg.CreateAccountInput{Email: aws.String("member@example.com"), AccountName: aws.String("member")})
	if err != nil {
		t.Fatal(err)
	}
	st, err := org.DescribeCreateAccountStatus(ctx, &awsorg.DescribeCreateAccountStatusInput{CreateAccountRequestId: ca.CreateAccountStatus.Id})
	if err != nil || st.CreateAccountStatus.State != orgtypes.CreateAccountStateSucceeded {
		t.Fatalf("DescribeCreateAccountStatus: %+v %v", st, err)
	}
	m.Account = aws.ToString(st.CreateAccountStatus.AccountId)

	root := s.RootIAM()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("member-admin")}); err != nil {
		t.Fatal(err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}]}`
	if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String("member-admin"), PolicyName: aws.String("assume"), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	key, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("member-admin")})
	if err != nil {
		t.Fatal(err)
	}
	ar, err := s.STSClient(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)).AssumeRole(ctx, &awssts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + m.Account + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("admin"),
	})
	if err != nil {
		t.Fatalf("AssumeRole into the member account: %v", err)
	}
	c := ar.Credentials
	m.Admin = s.SessionConfig(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
	return m
}

// AttachSCP creates a service control policy and attaches it to the member
// account; it returns the policy's id.
func (m *Member) AttachSCP(t testing.TB, name, content string) string {
	t.Helper()
	ctx := context.Background()
	cp, err := m.Org.CreatePolicy(ctx, &awsorg.CreatePolicyInput{Name: aws.String(name), Description: aws.String(name),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(content)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(cp.Policy.PolicySummary.Id)
	if _, err := m.Org.AttachPolicy(ctx, &awsorg.AttachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(m.Account)}); err != nil {
		t.Fatal(err)
	}
	return id
}

// DetachSCP detaches a service control policy (by id, "p-FullAWSAccess" for
// AWS's) from the member account.
func (m *Member) DetachSCP(t testing.TB, id string) {
	t.Helper()
	if _, err := m.Org.DetachPolicy(context.Background(), &awsorg.DetachPolicyInput{PolicyId: aws.String(id), TargetId: aws.String(m.Account)}); err != nil {
		t.Fatal(err)
	}
}

// NewUserWithKey creates a user with an inline policy (none when policy is
// "") in the member account, and returns the configuration of its access
// key.
func (m *Member) NewUserWithKey(t testing.TB, s *Server, name, policy string) aws.Config {
	t.Helper()
	ctx := context.Background()
	admin := awsiam.NewFromConfig(m.Admin)
	if _, err := admin.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if policy != "" {
		if _, err := admin.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("policy"), PolicyDocument: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
	}
	k, err := admin.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return s.Config(aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey))
}
