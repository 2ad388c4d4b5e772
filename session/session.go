// Package session is the format of Gatehouse's STS session tokens: a
// self-contained, sealed description of one set of temporary credentials (whose
// they are, what they may do, when they expire), so that any node can verify a
// request signed with temporary credentials without reading the store.
//
// A token is the base64url encoding of a value sealed by a [Sealer] (the
// cluster's session keys, session/tokenkeys: AES-256-GCM data keys kept in the
// store, wrapped by the master key) whose associated data is the temporary
// access key id:
// a token presented with any other access key id does not open. Inside is a
// versioned JSON [Session], which holds the secret access key; the token is
// therefore a secret and must never be logged.
//
// The package is pure: the standard library only, no clock (the caller passes
// the time), no I/O.
package session

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Version is the format version of the sessions this package seals.
const Version = 1

// MaxTokenLen bounds the length of a token Open accepts, before any decoding.
const MaxTokenLen = 32 << 10

// Kind says which STS operation issued a session.
type Kind uint8

// The kinds of sessions.
const (
	// KindInvalid is the zero Kind; no valid session has it.
	KindInvalid Kind = iota
	// KindRole is an AssumeRole session.
	KindRole
	// KindFederatedUser is a GetFederationToken session.
	KindFederatedUser
	// KindUser is a GetSessionToken session: the IAM user (or root) itself.
	KindUser
	// KindRoot is an AssumeRoot session: the root user of a member account,
	// its privileged task scoped by the task policy (PolicyARNs).
	KindRoot
)

// Tag is a session tag.
type Tag struct {
	Key   string `json:"k"`
	Value string `json:"v"`
}

// Session is the content of a token.
type Session struct {
	// Version is the format version; Seal sets it.
	Version int `json:"ver"`
	// AccessKeyID is the temporary access key id (ASIA…).
	AccessKeyID string `json:"akid"`
	// Secret is the secret access key.
	Secret string `json:"sk"`
	// Account is the account of the principal.
	Account string `json:"acct"`
	// Kind is the kind of session.
	Kind Kind `json:"kind"`
	// UserName is the IAM user that obtained a KindUser or KindFederatedUser
	// session ("" for the account's root user).
	UserName string `json:"user,omitempty"`
	// RoleARN, RoleName and RoleID identify the role of a KindRole session.
	RoleARN  string `json:"roleArn,omitempty"`
	RoleName string `json:"roleName,omitempty"`
	RoleID   string `json:"roleId,omitempty"`
	// Name is the role session name or the federated user's name.
	Name string `json:"name,omitempty"`
	// SourceIdentity is the source identity, kept through role chaining.
	SourceIdentity string `json:"srcId,omitempty"`
	// FederatedProvider is the ARN of the OIDC or SAML provider whose token
	// or assertion obtained the session (aws:FederatedProvider).
	FederatedProvider string `json:"fedProvider,omitempty"`
	// FederatedKeys are the identity provider's condition keys that stay
	// available to the session's permission policies: saml:namequalifier,
	// saml:sub and saml:sub_type of an AssumeRoleWithSAML session (IAM User
	// Guide, id_roles_providers_saml.md, "Uniquely identifying users in
	// SAML-based federation").
	FederatedKeys map[string]string `json:"fedKeys,omitempty"`
	// SourceInstanceARN is the instance (workload) whose role credentials
	// these are, for sessions delivered to a workload as EC2 delivers
	// instance-profile credentials (ec2:SourceInstanceARN).
	SourceInstanceARN string `json:"srcInstance,omitempty"`
	// IssuedAt is when the credentials were issued (aws:TokenIssueTime).
	IssuedAt time.Time `json:"iat"`
	// Expiration is when the credentials expire.
	Expiration time.Time `json:"exp"`
	// MFA reports that MFA was used to obtain the credentials (or the
	// credentials that obtained them).
	MFA bool `json:"mfa,omitempty"`
	// Policy is the inline session policy document, if any.
	Policy string `json:"policy,omitempty"`
	// PolicyARNs are the managed session policies.
	PolicyARNs []string `json:"policyArns,omitempty"`
	// Tags are the session tags, including those inherited as transitive.
	Tags []Tag `json:"tags,omitempty"`
	// TransitiveTagKeys are the keys of Tags that pass on to chained sessions.
	TransitiveTagKeys []string `json:"transitive,omitempty"`
	// ChainDepth counts the role sessions before this one in a role chain: 0
	// for a session obtained with long-term credentials.
	ChainDepth int `json:"chain,omitempty"`
	// Console marks a KindUser session obtained by signing in to the
	// console (sts.Service.ConsoleCredentials) rather than by
	// GetSessionToken: like AWS's console sessions it may call IAM without
	// MFA. Policy, when set, restricts it (a user who must change their
	// password gets only iam:ChangePassword).
	Console bool `json:"console,omitempty"`
	// Delegation is the IAM delegation request whose exchange token
	// obtained the session (STS GetDelegatedAccessToken): a session of the
	// principal that accepted the request, scoped by the request's
	// permission policy (Policy), which may call IAM without MFA and which
	// scopes a root user as it scopes an IAM principal.
	Delegation string `json:"delegation,omitempty"`
}

// IsChained reports whether the session was obtained with a role session's
// credentials (role chaining).
func (s *Session) IsChained() bool { return s.ChainDepth > 0 }

// Sealer seals and opens values with authenticated encryption;
// *tokenkeys.Ring and *keyring.Keyring are ones.
type Sealer interface {
	Seal(plaintext, associatedData []byte) ([]byte, error)
	Open(sealed, associatedData []byte) ([]byte, error)
}

// Errors of Open. They never describe the token's content.
var (
	// ErrInvalid reports a token that is malformed, tampered with, sealed
	// under an unknown key or for another access key id.
	ErrInvalid = errors.New("session: invalid token")
	// ErrExpired reports a valid token whose credentials have expired.
	ErrExpired = errors.New("session: expired token")
)

// Seal returns the token of s. It sets s.Version.
func Seal(k Sealer, s *Session) (string, error) {
	if s.AccessKeyID == "" || s.Kind == KindInvalid {
		return "", errors.New("session: incomplete session")
	}
	s.Version = Version
	plain, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("session: encode: %w", err)
	}
	sealed, err := k.Seal(plain, []byte(s.AccessKeyID))
	if err != nil {
		return "", fmt.Errorf("session: seal: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sealed), nil
}

// Open verifies a token presented with accessKeyID at time now and returns its
// session. It fails with an error wrapping ErrInvalid unless the token was
// made by Seal with a key k holds for this very access key id, and with
// ErrExpired once now is past its expiration.
func Open(k Sealer, token, accessKeyID string, now time.Time) (*Session, error) {
	if token == "" || len(token) > MaxTokenLen || accessKeyID == "" {
		return nil, ErrInvalid
	}
	sealed, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil {
		return nil, fmt.Errorf("%w: not base64url", ErrInvalid)
	}
	plain, err := k.Open(sealed, []byte(accessKeyID))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	var s Session
	if err := json.Unmarshal(plain, &s); err != nil {
		return nil, fmt.Errorf("%w: undecodable content", ErrInvalid)
	}
	if s.Version != Version || s.AccessKeyID != accessKeyID || s.Kind == KindInvalid || s.Kind > KindRoot || s.Account == "" {
		return nil, fmt.Errorf("%w: inconsistent content", ErrInvalid)
	}
	if !now.Before(s.Expiration) {
		return nil, ErrExpired
	}
	return &s, nil
}

// ctxKey is the context key of the session of a request.
type ctxKey struct{}

// NewContext returns a context carrying the session a request was signed with.
func NewContext(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, ctxKey{}, s)
}

// FromContext returns the session of the request, if it was signed with
// temporary credentials.
func FromContext(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(*Session)
	return s, ok && s != nil
}
