package sts_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/gatehouse-iam/gatehouse/internal/testserver"
	"github.com/gatehouse-iam/gatehouse/store"
)

const acct = testserver.AccountID

// apiError returns the code and message of an API error.
func apiError(err error) (string, string) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), ae.ErrorMessage()
	}
	return "", ""
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got, msg := apiError(err); got != code {
		t.Fatalf("error %v (code %q %q), want %s", err, got, msg, code)
	}
}

type key struct{ id, secret string }

// newUser creates a user with an access key and the given inline policy.
func newUser(t *testing.T, root *awsiam.Client, name, policy string) key {
	t.Helper()
	ctx := context.Background()
	if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if policy != "" {
		if _, err := root.PutUserPolicy(ctx, &awsiam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := root.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return key{*out.AccessKey.AccessKeyId, *out.AccessKey.SecretAccessKey}
}

// newRole creates a role with a trust policy and an inline permissions policy.
func newRole(t *testing.T, root *awsiam.Client, name, trust, policy string, maxDur int32) string {
	t.Helper()
	ctx := context.Background()
	in := &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}
	if maxDur > 0 {
		in.MaxSessionDuration = aws.Int32(maxDur)
	}
	out, err := root.CreateRole(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if policy != "" {
		if _, err := root.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(policy)}); err != nil {
			t.Fatal(err)
		}
	}
	return *out.Role.Arn
}

func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

const listUsers = `{"Effect":"Allow","Action":["iam:ListUsers","iam:GetUser"],"Resource":"*"}`

func trustAccount(account string, cond string) string {
	s := `{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]`
	if cond != "" {
		s += `,"Condition":` + cond
	}
	return doc(s + "}")
}

func allowAssume(resource string) string {
	return doc(`{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"` + resource + `"}`)
}

func stsFor(srv *testserver.Server, k key) *awssts.Client { return srv.STSClient(k.id, k.secret) }

// sessionCfg is an SDK configuration for temporary credentials.
func sessionCfg(srv *testserver.Server, c *ststypes.Credentials) aws.Config {
	cfg := srv.Config(*c.AccessKeyId, *c.SecretAccessKey)
	cfg.Credentials = credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	return cfg
}

func TestAssumeRoleSameAccount(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	roleARN := newRole(t, root, "Reader", trustAccount(acct, ""), doc(listUsers), 0)
	alice := newUser(t, root, "alice", allowAssume(roleARN))
	bob := newUser(t, root, "bob", "")

	out, err := stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if !strings.HasPrefix(*c.AccessKeyId, "ASIA") || len(*c.AccessKeyId) != 20 || *c.SessionToken == "" {
		t.Fatalf("credentials %+v", c)
	}
	if d := time.Until(*c.Expiration); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("default duration: expires in %v, want 1h", d)
	}
	if *out.AssumedRoleUser.Arn != "arn:aws:sts::"+acct+":assumed-role/Reader/s1" || !strings.HasPrefix(*out.AssumedRoleUser.AssumedRoleId, "AROA") ||
		!strings.HasSuffix(*out.AssumedRoleUser.AssumedRoleId, ":s1") {
		t.Errorf("assumed role user %+v", out.AssumedRoleUser)
	}
	cfg := sessionCfg(srv, c)
	id, err := awssts.NewFromConfig(cfg).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *id.Arn != *out.AssumedRoleUser.Arn || *id.UserId != *out.AssumedRoleUser.AssumedRoleId || *id.Account != acct {
		t.Errorf("GetCallerIdentity %+v", id)
	}
	// The role's permissions apply, and only they.
	if _, err := awsiam.NewFromConfig(cfg).ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("ListUsers as the role: %v", err)
	}
	_, err = awsiam.NewFromConfig(cfg).ListRoles(ctx, &awsiam.ListRolesInput{})
	wantCode(t, err, "AccessDenied")

	// The trust policy names the account only: the identity side must allow too.
	_, err = stsFor(srv, bob).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s2")})
	wantCode(t, err, "AccessDenied")
	if _, msg := apiError(err); msg != "User: arn:aws:iam::"+acct+":user/bob is not authorized to perform: sts:AssumeRole on resource: "+roleARN {
		t.Errorf("message %q", msg)
	}
	// A missing role is denied the same way.
	_, err = stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + acct + ":role/Nope"), RoleSessionName: aws.String("s3")})
	wantCode(t, err, "AccessDenied")
	// The root user cannot assume roles (kubeflow/testing#961).
	_, err = srv.STSClient(testserver.RootKeyID, testserver.RootSecretKey).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s4")})
	if code, msg := apiError(err); code != "AccessDenied" || msg != "Roles may not be assumed by root accounts." {
		t.Errorf("root AssumeRole: %v", err)
	}
	// Duration above the role's maximum (ValidationError, as AWS).
	_, err = stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s5"), DurationSeconds: aws.Int32(7200)})
	wantCode(t, err, "ValidationError")
}

func TestAssumeRoleProviderRefreshes(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	roleARN := newRole(t, root, "Reader", trustAccount(acct, ""), doc(listUsers), 0)
	alice := newUser(t, root, "alice", allowAssume(roleARN))

	var ids []string
	p := stscreds.NewAssumeRoleProvider(stsFor(srv, alice), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "provider"
		o.Duration = 15 * time.Minute
	})
	// Expire the cached credentials 14m59s early so the second call refreshes.
	cache := aws.NewCredentialsCache(p, func(o *aws.CredentialsCacheOptions) { o.ExpiryWindow = 14*time.Minute + 59*time.Second })
	cfg := srv.Config("x", "y")
	cfg.Credentials = cache
	client := awsiam.NewFromConfig(cfg)
	for i := 0; i < 2; i++ {
		if _, err := client.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
			t.Fatalf("ListUsers %d: %v", i, err)
		}
		creds, err := cache.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, creds.AccessKeyID)
		if !creds.CanExpire || time.Until(creds.Expires) > 16*time.Minute {
			t.Fatalf("credentials %+v", creds)
		}
		time.Sleep(1100 * time.Millisecond)
	}
	if ids[0] == ids[1] {
		t.Errorf("credentials were not refreshed: %v", ids)
	}
}

// newAccount creates a second account with a root access key through the
// store and the IAM service, as `gatehouse admin create-account` does.
func newAccount(t *testing.T, srv *testserver.Server, id string) key {
	t.Helper()
	ctx := context.Background()
	err := srv.Store.Update(ctx, func(tx store.Tx) error {
		return store.CreateJSON(ctx, tx, store.KindAccount, "", id, store.Account{ID: id, Name: "second", CreateDate: time.Now().UTC()})
	})
	if err != nil {
		t.Fatal(err)
	}
	k := key{"AKIA" + strings.Repeat("B", 12) + id[8:], "secondSecretKeyForTests0000000000000000x"}
	if err := srv.IAM.CreateRootAccessKey(ctx, id, k.id, k.secret); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestCrossAccount(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	const b = "210987654321"
	bRoot := newAccount(t, srv, b)
	bIAM := srv.IAMClient(bRoot.id, bRoot.secret)
	// Role in A trusting account B, with an ExternalId.
	roleARN := newRole(t, srv.RootIAM(), "Partner", trustAccount(b, `{"StringEquals":{"sts:ExternalId":"xyz-123"}}`), doc(listUsers), 0)
	carol := newUser(t, bIAM, "carol", allowAssume(roleARN))
	dave := newUser(t, bIAM, "dave", "")

	out, err := stsFor(srv, carol).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("carol"), ExternalId: aws.String("xyz-123")})
	if err != nil {
		t.Fatal(err)
	}
	cfg := sessionCfg(srv, out.Credentials)
	id, err := awssts.NewFromConfig(cfg).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || *id.Account != acct {
		t.Fatalf("caller %+v %v", id, err)
	}
	// Acting in A: A's users are listed, not B's.
	users, err := awsiam.NewFromConfig(cfg).ListUsers(ctx, &awsiam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(users.Users) != 0 {
		t.Errorf("account A has no users; got %d", len(users.Users))
	}
	// Wrong or missing ExternalId: denied.
	_, err = stsFor(srv, carol).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("carol"), ExternalId: aws.String("other")})
	wantCode(t, err, "AccessDenied")
	_, err = stsFor(srv, carol).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("carol")})
	wantCode(t, err, "AccessDenied")
	// Without the identity-side allow in B: denied.
	_, err = stsFor(srv, dave).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("dave"), ExternalId: aws.String("xyz-123")})
	wantCode(t, err, "AccessDenied")
	// Without the trust: a user of A's own account with an identity allow is denied.
	erin := newUser(t, srv.RootIAM(), "erin", allowAssume(roleARN))
	_, err = stsFor(srv, erin).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("erin"), ExternalId: aws.String("xyz-123")})
	wantCode(t, err, "AccessDenied")
	// GetAccessKeyInfo names the account of long-term and temporary keys.
	for k, want := range map[string]string{carol.id: b, *out.Credentials.AccessKeyId: acct, testserver.RootKeyID: acct} {
		info, err := srv.STSClient(testserver.RootKeyID, testserver.RootSecretKey).GetAccessKeyInfo(ctx, &awssts.GetAccessKeyInfoInput{AccessKeyId: aws.String(k)})
		if err != nil || *info.Account != want {
			t.Errorf("GetAccessKeyInfo %s: %+v %v", k, info, err)
		}
	}
}

func TestSessionPoliciesAndTags(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	// The role may list users and roles; GetUser only on users tagged with the
	// caller's team tag.
	perm := doc(`{"Effect":"Allow","Action":["iam:ListUsers","iam:ListRoles"],"Resource":"*"}`,
		`{"Effect":"Allow","Action":"iam:GetUser","Resource":"*","Condition":{"StringEquals":{"iam:ResourceTag/team":"${aws:PrincipalTag/team}"}}}`)
	roleARN := newRole(t, root, "Worker", trustAccount(acct, ""), perm, 0)
	alice := newUser(t, root, "alice", allowAssume(roleARN))
	for _, u := range []struct{ name, team string }{{"blue1", "blue"}, {"red1", "red"}} {
		if _, err := root.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(u.name), Tags: []iamtypes.Tag{{Key: aws.String("team"), Value: aws.String(u.team)}}}); err != nil {
			t.Fatal(err)
		}
	}

	// A session policy narrows the role to ListUsers.
	out, err := stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("narrow"),
		Policy: aws.String(doc(`{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}`))})
	if err != nil {
		t.Fatal(err)
	}
	if out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 || *out.PackedPolicySize > 100 {
		t.Errorf("PackedPolicySize %v", out.PackedPolicySize)
	}
	narrow := awsiam.NewFromConfig(sessionCfg(srv, out.Credentials))
	if _, err := narrow.ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = narrow.ListRoles(ctx, &awsiam.ListRolesInput{})
	wantCode(t, err, "AccessDenied")
	if _, msg := apiError(err); !strings.Contains(msg, "because no session policy allows the iam:ListRoles action") {
		t.Errorf("message %q", msg)
	}

	// Session tags reach aws:PrincipalTag.
	out, err = stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("tagged"),
		Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
	if err != nil {
		t.Fatal(err)
	}
	tagged := awsiam.NewFromConfig(sessionCfg(srv, out.Credentials))
	if _, err := tagged.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("blue1")}); err != nil {
		t.Fatalf("GetUser blue1 with team=blue: %v", err)
	}
	_, err = tagged.GetUser(ctx, &awsiam.GetUserInput{UserName: aws.String("red1")})
	wantCode(t, err, "AccessDenied")

	// A malformed session policy and too many policy ARNs are refused.
	_, err = stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("bad"), Policy: aws.String(`{"Statement":[]`)})
	wantCode(t, err, "MalformedPolicyDocument")
	var arns []ststypes.PolicyDescriptorType
	for i := 0; i < 11; i++ {
		arns = append(arns, ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	}
	_, err = stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("many"), PolicyArns: arns})
	wantCode(t, err, "ValidationError")
}

func TestTokensRejected(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	roleARN := newRole(t, root, "Reader", trustAccount(acct, ""), doc(listUsers), 0)
	alice := newUser(t, root, "alice", allowAssume(roleARN))
	out, err := stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1")})
	if err != nil {
		t.Fatal(err)
	}
	c := *out.Credentials
	tok := []byte(*c.SessionToken)
	tok[len(tok)/2] ^= 1
	tampered := c
	tampered.SessionToken = aws.String(string(tok))
	_, err = awsiam.NewFromConfig(sessionCfg(srv, &tampered)).ListUsers(ctx, &awsiam.ListUsersInput{})
	if code, msg := apiError(err); code != "InvalidClientTokenId" || msg != "The security token included in the request is invalid." {
		t.Errorf("tampered token: %v", err)
	}
	// A valid token presented with another access key id.
	other := c
	other.AccessKeyId = aws.String("ASIA" + strings.Repeat("Q", 16))
	_, err = awsiam.NewFromConfig(sessionCfg(srv, &other)).ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "InvalidClientTokenId")
	// The right token with a wrong secret.
	wrong := c
	wrong.SecretAccessKey = aws.String("wrongwrongwrongwrongwrongwrongwrongwrong")
	_, err = awsiam.NewFromConfig(sessionCfg(srv, &wrong)).ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "SignatureDoesNotMatch")
	// Deleting the role ends its sessions.
	if _, err := root.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("Reader"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("Reader")}); err != nil {
		t.Fatal(err)
	}
	_, err = awsiam.NewFromConfig(sessionCfg(srv, &c)).ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "InvalidClientTokenId")
}

func TestRevokeSessions(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	roleARN := newRole(t, root, "Reader", trustAccount(acct, ""), doc(listUsers), 0)
	alice := newUser(t, root, "alice", allowAssume(roleARN))
	assume := func(name string) *awsiam.Client {
		out, err := stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return awsiam.NewFromConfig(sessionCfg(srv, out.Credentials))
	}
	old := assume("old")
	time.Sleep(1100 * time.Millisecond) // token issue times have one-second resolution
	// The console's "Revoke active sessions": deny everything to tokens issued
	// before now (id_roles_use_revoke-sessions).
	cutoff := time.Now().UTC().Format(time.RFC3339)
	revoke := doc(`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + cutoff + `"}}}`)
	if _, err := root.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("Reader"), PolicyName: aws.String("AWSRevokeOlderSessions"), PolicyDocument: aws.String(revoke)}); err != nil {
		t.Fatal(err)
	}
	_, err := old.ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "AccessDenied")
	if _, msg := apiError(err); !strings.Contains(msg, "with an explicit deny in an identity-based policy") {
		t.Errorf("message %q", msg)
	}
	time.Sleep(1100 * time.Millisecond)
	if _, err := assume("new").ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatalf("a session issued after the revocation: %v", err)
	}
}

func TestRoleChaining(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	second := newRole(t, root, "Second", trustAccount(acct, ""), doc(listUsers), 43200)
	first := newRole(t, root, "First", trustAccount(acct, ""), allowAssume(second), 43200)
	alice := newUser(t, root, "alice", allowAssume(first))
	// A long session is fine from long-term credentials…
	out, err := stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(first), RoleSessionName: aws.String("one"),
		DurationSeconds: aws.Int32(7200), SourceIdentity: aws.String("alice"),
		Tags: []ststypes.Tag{{Key: aws.String("project"), Value: aws.String("x")}}, TransitiveTagKeys: []string{"project"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.SourceIdentity == nil || *out.SourceIdentity != "alice" {
		t.Errorf("SourceIdentity %v", out.SourceIdentity)
	}
	chain := awssts.NewFromConfig(sessionCfg(srv, out.Credentials))
	// …but role chaining is capped at one hour.
	_, err = chain.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("two"), DurationSeconds: aws.Int32(7200)})
	if code, msg := apiError(err); code != "ValidationError" || msg != "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining." {
		t.Errorf("chained 2h: %v", err)
	}
	out2, err := chain.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("two")})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(*out2.Credentials.Expiration); d > time.Hour+time.Minute {
		t.Errorf("chained session lasts %v", d)
	}
	// The source identity is kept and cannot change.
	if out2.SourceIdentity == nil || *out2.SourceIdentity != "alice" {
		t.Errorf("chained SourceIdentity %v", out2.SourceIdentity)
	}
	_, err = chain.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("three"), SourceIdentity: aws.String("mallory")})
	wantCode(t, err, "AccessDenied")
	// Transitive tags cannot be overridden.
	_, err = chain.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(second), RoleSessionName: aws.String("four"), Tags: []ststypes.Tag{{Key: aws.String("project"), Value: aws.String("y")}}})
	wantCode(t, err, "InvalidParameterValue")
	// Role sessions cannot call GetSessionToken or GetFederationToken.
	_, err = chain.GetSessionToken(ctx, &awssts.GetSessionTokenInput{})
	if code, msg := apiError(err); code != "AccessDenied" || msg != "Cannot call GetSessionToken with session credentials" {
		t.Errorf("GetSessionToken from a session: %v", err)
	}
}

// totp computes an RFC 6238 code (SHA-1, 6 digits, 30 s), independently of
// the server's implementation.
func totp(t *testing.T, seedB32 string, at time.Time) string {
	t.Helper()
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(seedB32)
	if err != nil {
		t.Fatal(err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(at.Unix()/30))
	m := hmac.New(sha1.New, seed)
	m.Write(msg[:])
	h := m.Sum(nil)
	o := h[19] & 15
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(h[o:o+4])&0x7fffffff)%1000000)
}

func TestMFAGatedRole(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	roleARN := newRole(t, root, "Admin", trustAccount(acct, `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`), doc(listUsers), 0)
	alice := newUser(t, root, "alice", allowAssume(roleARN))
	dev, err := root.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	serial, seed := *dev.VirtualMFADevice.SerialNumber, string(dev.VirtualMFADevice.Base32StringSeed)
	now := time.Now()
	if _, err := root.EnableMFADevice(ctx, &awsiam.EnableMFADeviceInput{UserName: aws.String("alice"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(totp(t, seed, now.Add(-60*time.Second))), AuthenticationCode2: aws.String(totp(t, seed, now.Add(-30*time.Second)))}); err != nil {
		t.Fatal(err)
	}
	// Without MFA: denied by the trust policy's condition.
	_, err = stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("nomfa")})
	wantCode(t, err, "AccessDenied")
	// The code just used to enable the device is spent.
	_, err = stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("replay"),
		SerialNumber: aws.String(serial), TokenCode: aws.String(totp(t, seed, now.Add(-30*time.Second)))})
	wantCode(t, err, "AccessDenied")
	// With the next code: allowed, and the session is MFA-authenticated.
	next := totp(t, seed, now)
	out, err := stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("mfa"),
		SerialNumber: aws.String(serial), TokenCode: aws.String(next)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := awsiam.NewFromConfig(sessionCfg(srv, out.Credentials)).ListUsers(ctx, &awsiam.ListUsersInput{}); err != nil {
		t.Fatal(err)
	}
	// GetSessionToken with MFA, then AssumeRole with those credentials.
	_, err = stsFor(srv, alice).GetSessionToken(ctx, &awssts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(next)})
	wantCode(t, err, "AccessDenied") // each code once
	st, err := stsFor(srv, alice).GetSessionToken(ctx, &awssts.GetSessionTokenInput{SerialNumber: aws.String(serial), TokenCode: aws.String(totp(t, seed, now.Add(30*time.Second)))})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(*st.Credentials.Expiration); d < 11*time.Hour || d > 13*time.Hour {
		t.Errorf("GetSessionToken default duration %v", d)
	}
	stCfg := sessionCfg(srv, st.Credentials)
	id, err := awssts.NewFromConfig(stCfg).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != "arn:aws:iam::"+acct+":user/alice" {
		t.Fatalf("GetSessionToken identity %+v %v", id, err)
	}
	if _, err := awssts.NewFromConfig(stCfg).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("viaSession")}); err != nil {
		t.Fatalf("AssumeRole with MFA session credentials: %v", err)
	}
	// GetSessionToken credentials without MFA cannot call IAM (aws/aws-sdk-js#460).
	plain, err := stsFor(srv, alice).GetSessionToken(ctx, &awssts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = awsiam.NewFromConfig(sessionCfg(srv, plain.Credentials)).ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "InvalidClientTokenId")
}

func TestGetFederationToken(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	alice := newUser(t, root, "alice", doc(`{"Effect":"Allow","Action":["sts:GetFederationToken","sts:GetAccessKeyInfo"],"Resource":"*"}`))
	out, err := stsFor(srv, alice).GetFederationToken(ctx, &awssts.GetFederationTokenInput{Name: aws.String("bob"),
		Policy: aws.String(doc(`{"Effect":"Allow","Action":["sts:GetAccessKeyInfo","s3:*"],"Resource":"*"}`))})
	if err != nil {
		t.Fatal(err)
	}
	if *out.FederatedUser.Arn != "arn:aws:sts::"+acct+":federated-user/bob" || *out.FederatedUser.FederatedUserId != acct+":bob" {
		t.Errorf("federated user %+v", out.FederatedUser)
	}
	id, err := awssts.NewFromConfig(sessionCfg(srv, out.Credentials)).GetCallerIdentity(ctx, &awssts.GetCallerIdentityInput{})
	if err != nil || *id.Arn != *out.FederatedUser.Arn {
		t.Fatalf("identity %+v %v", id, err)
	}
	// The federated user has the intersection of alice's policies and the
	// session policy: GetAccessKeyInfo (both allow it)…
	fed := awssts.NewFromConfig(sessionCfg(srv, out.Credentials))
	if _, err := fed.GetAccessKeyInfo(ctx, &awssts.GetAccessKeyInfoInput{AccessKeyId: aws.String(alice.id)}); err != nil {
		t.Fatalf("federated GetAccessKeyInfo: %v", err)
	}
	// …and nothing without a session policy.
	bare, err := stsFor(srv, alice).GetFederationToken(ctx, &awssts.GetFederationTokenInput{Name: aws.String("bare")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = awssts.NewFromConfig(sessionCfg(srv, bare.Credentials)).GetAccessKeyInfo(ctx, &awssts.GetAccessKeyInfoInput{AccessKeyId: aws.String(alice.id)})
	wantCode(t, err, "AccessDenied")
	// Federated users cannot call IAM.
	_, err = awsiam.NewFromConfig(sessionCfg(srv, out.Credentials)).ListUsers(ctx, &awsiam.ListUsersInput{})
	wantCode(t, err, "InvalidClientTokenId")
	// A user without the permission is denied.
	bob := newUser(t, root, "bob", "")
	_, err = stsFor(srv, bob).GetFederationToken(ctx, &awssts.GetFederationTokenInput{Name: aws.String("x1")})
	wantCode(t, err, "AccessDenied")
}

// TestTrustConditions: the trust policy sees sts:RoleSessionName and the
// caller's aws:PrincipalTag (reference_policies_iam-condition-keys).
func TestTrustConditions(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	roleARN := newRole(t, root, "Eng", trustAccount(acct, `{"StringEquals":{"sts:RoleSessionName":"${aws:username}","aws:PrincipalTag/dept":"eng"}}`), doc(listUsers), 0)
	alice := newUser(t, root, "alice", allowAssume(roleARN))
	bob := newUser(t, root, "bob", allowAssume(roleARN))
	for _, u := range []string{"alice", "bob"} {
		dept := map[string]string{"alice": "eng", "bob": "sales"}[u]
		if _, err := root.TagUser(ctx, &awsiam.TagUserInput{UserName: aws.String(u), Tags: []iamtypes.Tag{{Key: aws.String("dept"), Value: aws.String(dept)}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("alice")}); err != nil {
		t.Fatalf("alice with her own session name: %v", err)
	}
	_, err := stsFor(srv, alice).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("someone")})
	wantCode(t, err, "AccessDenied")
	_, err = stsFor(srv, bob).AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("bob")})
	wantCode(t, err, "AccessDenied")
}

// TestAssumeRoleSeesRoleChanges: the role record AssumeRole reads is kept
// in memory while nothing changes, and a change to the role is in force
// for the next call: a trust policy that no longer trusts the caller
// refuses it, a shorter MaxSessionDuration bounds DurationSeconds ("The
// requested DurationSeconds exceeds the MaxSessionDuration set for this
// role.", AssumeRole's documented ValidationError), and a deleted role is
// refused as one that never existed.
func TestAssumeRoleSeesRoleChanges(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t)
	ctx := context.Background()
	root := srv.RootIAM()
	roleARN := newRole(t, root, "Changing", trustAccount(acct, ""), doc(listUsers), 7200)
	alice := newUser(t, root, "alice", allowAssume(roleARN))
	c := stsFor(srv, alice)
	assume := func(dur int32) error {
		_, err := c.AssumeRole(ctx, &awssts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("s1"),
			DurationSeconds: aws.Int32(dur)})
		return err
	}
	for range 3 {
		if err := assume(7200); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := root.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("Changing"), MaxSessionDuration: aws.Int32(3600)}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, assume(7200), "ValidationError")
	if err := assume(3600); err != nil {
		t.Fatal(err)
	}
	if _, err := root.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("Changing"),
		PolicyDocument: aws.String(trustAccount("999999999999", ""))}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, assume(3600), "AccessDenied")
	if _, err := root.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("Changing"),
		PolicyDocument: aws.String(trustAccount(acct, ""))}); err != nil {
		t.Fatal(err)
	}
	if err := assume(3600); err != nil {
		t.Fatal(err)
	}
	if _, err := root.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("Changing"), PolicyName: aws.String("p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("Changing")}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, assume(3600), "AccessDenied")
}
