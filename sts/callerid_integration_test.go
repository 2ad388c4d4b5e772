package sts_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
)

// GetCallerIdentity needs no permission: "No permissions are required to
// perform this operation. If an administrator attaches a policy to your
// identity that explicitly denies access to the sts:GetCallerIdentity action,
// you can still perform this operation." (STS API Reference,
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
// Each case below first shows the caller is denied an ordinary action, then
// that GetCallerIdentity still answers with the caller's identity.

const denyAll = `{"Effect":"Deny","Action":"*","Resource":"*"}`

// whoAmI calls GetCallerIdentity and checks the answer's ARN and account.
func whoAmI(t *testing.T, cfg aws.Config, wantARN, wantAccount string) {
	t.Helper()
	id, err := awssts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	if aws.ToString(id.Arn) != wantARN || aws.ToString(id.Account) != wantAccount || aws.ToString(id.UserId) == "" {
		t.Fatalf("GetCallerIdentity %s %s %s, want %s in %s", aws.ToString(id.Arn), aws.ToString(id.Account), aws.ToString(id.UserId), wantARN, wantAccount)
	}
}

// deniedSTS checks that cfg's caller may not call sts:GetAccessKeyInfo.
// (IAM refuses GetSessionToken credentials without MFA before any policy.)
func deniedSTS(t *testing.T, cfg aws.Config) {
	t.Helper()
	_, err := awssts.NewFromConfig(cfg).GetAccessKeyInfo(context.Background(), &awssts.GetAccessKeyInfoInput{AccessKeyId: aws.String(testserver.RootKeyID)})
	wantCode(t, err, "AccessDenied")
}

// denied checks that cfg's caller may not list users.
func denied(t *testing.T, cfg aws.Config) {
	t.Helper()
	_, err := awsiam.NewFromConfig(cfg).ListUsers(context.Background(), &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
}

func TestGetCallerIdentityUnderExplicitDeny(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	root := srv.RootIAM()
	k := newUser(t, root, "denied", doc(listUsers, denyAll))
	cfg := srv.Config(k.id, k.secret)
	denied(t, cfg)
	deniedSTS(t, cfg)
	whoAmI(t, cfg, "arn:aws:iam::"+acct+":user/denied", acct)

	// The same through a presigned request (as aws-iam-authenticator and
	// Vault's AWS auth use it).
	req, err := awssts.NewPresignClient(awssts.NewFromConfig(cfg)).PresignGetCallerIdentity(context.Background(), &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	hr, err := http.NewRequest(req.Method, req.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for h, v := range req.SignedHeader {
		hr.Header[h] = v
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<Arn>arn:aws:iam::"+acct+":user/denied</Arn>") {
		t.Fatalf("presigned GetCallerIdentity: %d %s", resp.StatusCode, body)
	}

	// Session credentials of the same user (GetSessionToken) carry its deny.
	st, err := stsFor(srv, k).GetSessionToken(context.Background(), &awssts.GetSessionTokenInput{})
	if err != nil {
		t.Fatalf("GetSessionToken: %v", err)
	}
	scfg := sessionCfg(srv, st.Credentials)
	deniedSTS(t, scfg)
	whoAmI(t, scfg, "arn:aws:iam::"+acct+":user/denied", acct)
}

func TestGetCallerIdentityUnderDenyingSessionPolicy(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	roleARN := newRole(t, root, "worker", trustAccount(acct, ""), doc(listUsers), 0)
	k := newUser(t, root, "caller", allowAssume(roleARN))
	out, err := stsFor(srv, k).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"), Policy: aws.String(doc(denyAll))})
	if err != nil {
		t.Fatal(err)
	}
	cfg := sessionCfg(srv, out.Credentials)
	denied(t, cfg)
	whoAmI(t, cfg, "arn:aws:sts::"+acct+":assumed-role/worker/s1", acct)

	// A federated user whose session policy allows nothing.
	fed := newUser(t, root, "broker", doc(`{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"}`, listUsers))
	ft, err := stsFor(srv, fed).GetFederationToken(ctx, &awssts.GetFederationTokenInput{Name: aws.String("guest"), Policy: aws.String(doc(denyAll))})
	if err != nil {
		t.Fatal(err)
	}
	fcfg := sessionCfg(srv, ft.Credentials)
	deniedSTS(t, fcfg)
	whoAmI(t, fcfg, "arn:aws:sts::"+acct+":federated-user/guest", acct)
}

func TestGetCallerIdentityUnderEmptyBoundary(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	// The boundary allows one action on a bucket that does not matter here.
	p, err := root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("nothing"),
		PolicyDocument: aws.String(doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::none/none"}`))})
	if err != nil {
		t.Fatal(err)
	}
	k := newUser(t, root, "bounded", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))
	if _, err := root.PutUserPermissionsBoundary(ctx, &awsiam.PutUserPermissionsBoundaryInput{UserName: aws.String("bounded"), PermissionsBoundary: p.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	cfg := srv.Config(k.id, k.secret)
	denied(t, cfg)
	whoAmI(t, cfg, "arn:aws:iam::"+acct+":user/bounded", acct)
}

func TestGetCallerIdentityUnderDenyAllSCP(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	m := srv.NewMember(t)
	user := m.NewUserWithKey(t, srv, "member-user", doc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))
	m.AttachSCP(t, "DenyAll", doc(denyAll))
	denied(t, user)
	whoAmI(t, user, "arn:aws:iam::"+m.Account+":user/member-user", m.Account)
	// The administrator's role session is bound by the SCP too.
	denied(t, m.Admin)
	whoAmI(t, m.Admin, "arn:aws:sts::"+m.Account+":assumed-role/OrganizationAccountAccessRole/admin", m.Account)
}
