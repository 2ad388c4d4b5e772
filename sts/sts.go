// Package sts is the AWS Security Token Service: GetCallerIdentity,
// GetAccessKeyInfo, and the operations that issue temporary credentials
// (AssumeRole, GetSessionToken, GetFederationToken, and for identity
// providers' users AssumeRoleWithWebIdentity and AssumeRoleWithSAML) as sealed, self-contained
// session tokens (package session). It also turns an opened session token back
// into the caller and the policy set that authorization evaluates. Like the IAM
// service it speaks the generated api/stsapi types and *awserr.Error.
package sts

import (
	"context"
	"crypto/rsa"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/authview"
	"github.com/gatehouse-iam/gatehouse/authz"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/ids"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/store"
)

// MFAVerifier checks one-time codes of MFA devices (the IAM service).
type MFAVerifier interface {
	// VerifyMFA checks code against the MFA device serial enabled for the
	// user userName ("" for the root user) of account. Each code is accepted
	// once. It returns an *awserr.Error AccessDenied with AWS's message when
	// the device is not the user's or the code is wrong.
	VerifyMFA(ctx context.Context, account, userName, serial, code string) error
}

// SAMLKeys opens the private keys of SAML providers.
type SAMLKeys interface {
	// SAMLDecryptionKeys returns the provider's private keys, which decrypt
	// its encrypted assertions.
	SAMLDecryptionKeys(p *store.SAMLProvider) ([]*rsa.PrivateKey, error)
}

// Config holds the service's dependencies.
type Config struct {
	Store     store.Store
	Directory *authview.Directory
	// Managed is the AWS managed policy catalogue (for managed session
	// policies).
	Managed authview.ManagedPolicies
	// Sealer seals session tokens (the store's session keys, a
	// *tokenkeys.Ring).
	Sealer session.Sealer
	// MFA verifies MFA codes.
	MFA MFAVerifier
	// SAMLKeys opens SAML providers' private keys (the IAM service, which
	// seals them); without it encrypted assertions are refused.
	SAMLKeys SAMLKeys
	// Rand is the source of ids and secrets (crypto/rand.Reader in production).
	Rand io.Reader
	// Now is the clock.
	Now func() time.Time
	Log *slog.Logger
	// Authorizer assembles the decisions STS makes itself (AssumeRole's
	// caller side with the role's trust policy, and the organization's
	// guardrails). STS gives it the sessions' policies (UseSessions).
	Authorizer *authz.Authorizer
}

// Service implements the STS operations.
type Service struct {
	st       store.Store
	dir      *authview.Directory
	managed  authview.ManagedPolicies
	sealer   session.Sealer
	mfa      MFAVerifier
	samlKeys SAMLKeys
	ids      *ids.Gen
	rand     io.Reader
	now      func() time.Time
	log      *slog.Logger
	authz    *authz.Authorizer
	// webKeys gets OIDC providers' keys (UseWebIdentityKeys).
	webKeys WebIdentityKeys
	// rootSessions tells AssumeRoot about organizations (UseRootSessions).
	rootSessions RootSessions
	// webTokens signs GetWebIdentityToken's tokens (UseWebTokens).
	webTokens WebTokenSigner

	// allowAll is the identity policy of a root user's federated session.
	allowAll *policy.Policy

	// roleUse is told of every role assumed (OnRoleUse).
	roleUse func(account, roleName, roleID, region string, at time.Time)

	mu    sync.Mutex
	roles map[string]cachedRole   // by account|role key, valid for one directory revision
	mps   map[string]cachedPolicy // managed session policies by ARN, likewise
	// sessions are the sessions' prepared principals by access key id,
	// likewise (sessionPrincipal).
	sessions map[string]cachedSession
}

type cachedRole struct {
	rev  int64
	role store.Role
}

type cachedPolicy struct {
	rev int64
	pol *policy.Policy
}

// New returns the service.
func New(c Config) *Service {
	return &Service{
		st: c.Store, dir: c.Directory, managed: c.Managed, sealer: c.Sealer, mfa: c.MFA, samlKeys: c.SAMLKeys,
		ids: ids.NewGen(c.Rand), rand: c.Rand, now: c.Now, log: c.Log, authz: c.Authorizer,
		allowAll: policy.MustCompile("root", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, policy.KindIdentity),
		roles:    map[string]cachedRole{},
		mps:      map[string]cachedPolicy{},
		sessions: map[string]cachedSession{},
	}
}

// OnRoleUse registers f, called after every successful AssumeRole with the
// role (account, name, unique id) and the request's region and time, so that
// the caller can record GetRole's RoleLastUsed in batches. Register before
// serving; f must not block.
func (s *Service) OnRoleUse(f func(account, roleName, roleID, region string, at time.Time)) {
	s.roleUse = f
}

// Ops returns the operation table, keyed by operation name.
func (s *Service) Ops() map[string]operation.Op {
	skip := func(ctx context.Context, c *identity.Caller, in any) (operation.Authz, error) {
		return operation.Authz{Skip: true}, nil
	}
	ops := []operation.Op{
		// GetCallerIdentity needs no permission: AWS answers it for every valid
		// caller, even one with an explicit deny on it.
		operation.New("GetCallerIdentity", func(ctx context.Context, c *identity.Caller, in *stsapi.GetCallerIdentityRequest) (operation.Authz, error) {
			return skip(ctx, c, in)
		}, s.getCallerIdentity),
		// AssumeRole is decided inside the operation: the role's trust policy is
		// the resource-based policy, evaluated with the caller's identity side.
		// Resource names the role for the audit trail only (a skipped
		// authorization decides nothing with it): the call is recorded in
		// the role's account too.
		operation.New("AssumeRole", func(ctx context.Context, c *identity.Caller, in *stsapi.AssumeRoleRequest) (operation.Authz, error) {
			return operation.Authz{Skip: true, Resource: in.RoleArn}, nil
		}, s.assumeRole),
		// "No permissions are required for users to perform this operation."
		// (GetSessionToken, STS API reference.)
		operation.New("GetSessionToken", func(ctx context.Context, c *identity.Caller, in *stsapi.GetSessionTokenRequest) (operation.Authz, error) {
			return skip(ctx, c, in)
		}, s.getSessionToken),
		// AssumeRoleWithWebIdentity is unsigned: the ID token authenticates
		// and the role's trust policy alone decides, inside the operation.
		anonymous(operation.New("AssumeRoleWithWebIdentity", func(ctx context.Context, c *identity.Caller, in *stsapi.AssumeRoleWithWebIdentityRequest) (operation.Authz, error) {
			return operation.Authz{Skip: true, Resource: in.RoleArn}, nil
		}, s.assumeRoleWithWebIdentity)),
		// AssumeRoleWithSAML is unsigned too: the response's signature
		// authenticates and the role's trust policy decides.
		anonymous(operation.New("AssumeRoleWithSAML", func(ctx context.Context, c *identity.Caller, in *stsapi.AssumeRoleWithSAMLRequest) (operation.Authz, error) {
			return operation.Authz{Skip: true, Resource: in.RoleArn}, nil
		}, s.assumeRoleWithSAML)),
		operation.New("GetFederationToken", s.federationAuthz, s.getFederationToken),
		operation.New("GetAccessKeyInfo", func(ctx context.Context, c *identity.Caller, in *stsapi.GetAccessKeyInfoRequest) (operation.Authz, error) {
			return operation.Authz{Action: "sts:GetAccessKeyInfo", Resource: "*"}, nil
		}, s.getAccessKeyInfo),
		// DecodeAuthorizationMessage needs sts:DecodeAuthorizationMessage
		// (API_DecodeAuthorizationMessage), whose resource is "*" in the
		// service authorization reference.
		operation.New("DecodeAuthorizationMessage", func(ctx context.Context, c *identity.Caller, in *stsapi.DecodeAuthorizationMessageRequest) (operation.Authz, error) {
			return operation.Authz{Action: "sts:DecodeAuthorizationMessage", Resource: "*"}, nil
		}, s.decodeAuthorizationMessage),
	}
	ops = append(ops, s.assumeRootOp(), s.webTokenOp(), s.getDelegatedAccessTokenOp())
	return operation.Table(ops)
}

// anonymous marks an operation that callers make without a signature.
func anonymous(o operation.Op) operation.Op {
	o.Anonymous = true
	return o
}

func (s *Service) getCallerIdentity(ctx context.Context, c *identity.Caller, in *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	arn, acct, id := c.ARN(), c.Account, c.UserID
	return &stsapi.GetCallerIdentityResponse{UserId: &id, Account: &acct, Arn: &arn}, nil
}
