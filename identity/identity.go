// Package identity describes who is calling: the authenticated principal of one
// request, as authentication establishes it and as authorization and the services
// read it.
package identity

import (
	"time"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// Caller is the authenticated principal of a request and the facts about the
// request that authorization needs.
type Caller struct {
	// Principal is the caller as the policy engine sees it.
	Principal policy.Principal
	// Account is the caller's account.
	Account string
	// UserName is the IAM user's name (PrincipalUser), else "".
	UserName string
	// UserPath is the IAM user's path.
	UserPath string
	// UserID is the unique id AWS reports as aws:userid and in GetCallerIdentity:
	// AIDA… for users, "AROA…:session" for role sessions, the account id for root.
	UserID string
	// AccessKeyID is the key that signed the request.
	AccessKeyID string
	// SessionName is a role session's name.
	SessionName string
	// MFAAuthenticated reports that the credentials were obtained with MFA.
	MFAAuthenticated bool
	// TokenIssueTime is when temporary credentials were issued (zero otherwise).
	TokenIssueTime time.Time
	// SourceIP is the client's address.
	SourceIP string
	// SecureTransport reports TLS.
	SecureTransport bool
	// Region is the region of the request's credential scope.
	Region string
	// Time is the request's time.
	Time time.Time
	// Tags are the principal's tags (user or role tags, session tags).
	Tags map[string]string
	// SourceIdentity is the source identity of a role session (set with
	// AssumeRole and kept through role chaining), else "".
	SourceIdentity string
	// FederatedProvider is the identity provider ARN of a role session
	// obtained with a web identity token, else "".
	FederatedProvider string
	// SourceInstanceARN is the instance (workload) a role session's
	// credentials were delivered to (ec2:SourceInstanceARN), else "".
	SourceInstanceARN string
	// UserAgent is the request's User-Agent header (aws:UserAgent).
	UserAgent string
	// Referer is the request's Referer header (aws:Referer).
	Referer string
	// AuthType is how the request was signed: AuthHeader, AuthQuery, or ""
	// for an unsigned request (S3's s3:authType).
	AuthType string
	// SignedAt is the request's signing time (zero when unsigned).
	SignedAt time.Time
	// TLSVersion is the negotiated TLS version as s3:TlsVersion compares it
	// ("1.3"), "" without TLS.
	TLSVersion string
}

// The values of Caller.AuthType, as S3's s3:authType names them.
const (
	AuthHeader = "REST-HEADER"
	AuthQuery  = "REST-QUERY-STRING"
)

// IsRoot reports whether the caller is an account's root user.
func (c *Caller) IsRoot() bool { return c.Principal.Type == policy.PrincipalRoot }

// ARN returns the caller's ARN as GetCallerIdentity reports it.
func (c *Caller) ARN() string { return c.Principal.ARN }

// Context returns the request context AWS supplies for this caller: the global
// condition keys that describe the principal and the request.
func (c *Caller) Context() *policy.Context {
	// The keys are written in lower case (condition keys are
	// case-insensitive), so SetOne stores them without copying: the
	// context of a request costs a few allocations, not two per key.
	ctx := policy.NewContext(16 + len(c.Tags))
	if c.Principal.Type != policy.PrincipalAnonymous {
		// An anonymous request has no principal: the keys are absent, so
		// that a Null condition on them tells it apart.
		ctx.SetOne("aws:principalarn", c.principalARN())
		ctx.SetOne("aws:principalaccount", c.Account)
		ctx.SetOne("aws:principaltype", c.Principal.Type.String())
	}
	if c.UserID != "" {
		ctx.SetOne("aws:userid", c.UserID)
	}
	if c.UserName != "" {
		ctx.SetOne("aws:username", c.UserName)
	}
	if c.SourceIP != "" {
		ctx.SetOne("aws:sourceip", c.SourceIP)
	}
	ctx.SetOne("aws:securetransport", boolString(c.SecureTransport))
	ctx.SetOne("aws:currenttime", c.Time.UTC().Format(time.RFC3339))
	ctx.SetOne("aws:epochtime", itoa(c.Time.Unix()))
	if c.Region != "" {
		ctx.SetOne("aws:requestedregion", c.Region)
	}
	ctx.SetOne("aws:viaawsservice", "false")
	ctx.SetOne("aws:principalisawsservice", "false")
	if !c.TokenIssueTime.IsZero() {
		ctx.SetOne("aws:tokenissuetime", c.TokenIssueTime.UTC().Format(time.RFC3339))
		ctx.SetOne("aws:multifactorauthpresent", boolString(c.MFAAuthenticated))
		if c.MFAAuthenticated {
			ctx.SetOne("aws:multifactorauthage", itoa(int64(c.Time.Sub(c.TokenIssueTime)/time.Second)))
		}
	}
	if c.SourceIdentity != "" {
		// aws:SourceIdentity is present in every request made with a
		// session that has one (reference_policies_condition-keys).
		ctx.SetOne("aws:sourceidentity", c.SourceIdentity)
	}
	if c.FederatedProvider != "" {
		// aws:FederatedProvider is present in every request of a session
		// obtained through an identity provider (reference_policies_condition-keys).
		ctx.SetOne("aws:federatedprovider", c.FederatedProvider)
	}
	if c.SourceInstanceARN != "" {
		// ec2:SourceInstanceARN is present in every request signed with
		// instance-profile (workload) credentials (reference_policies_condition-keys).
		ctx.SetOne("ec2:sourceinstancearn", c.SourceInstanceARN)
	}
	if c.UserAgent != "" {
		ctx.SetOne("aws:useragent", c.UserAgent)
	}
	if c.Referer != "" {
		ctx.SetOne("aws:referer", c.Referer)
	}
	for k, v := range c.Tags {
		ctx.SetOne("aws:principaltag/"+k, v)
	}
	return ctx
}

// principalARN is aws:PrincipalArn: a role session reports its role's ARN.
func (c *Caller) principalARN() string {
	if c.Principal.Type == policy.PrincipalRoleSession && c.Principal.RoleARN != "" {
		return c.Principal.RoleARN
	}
	return c.Principal.ARN
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
