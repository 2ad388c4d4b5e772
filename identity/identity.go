// Package identity describes who is calling: the authenticated principal of one
// request, as authentication establishes it and as authorization and the services
// read it.
package identity

import (
	"sync/atomic"
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
	// obtained with a web identity token or a SAML assertion, else "".
	FederatedProvider string
	// FederatedKeys are the identity provider's condition keys present in
	// every request of such a session (saml:namequalifier, saml:sub,
	// saml:sub_type).
	FederatedKeys map[string]string
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
	// PrincipalKeys, when set, is the principal's part of the request
	// context as PrincipalContext built it for this principal (the fields
	// above that SetPrincipal copies), prepared once and shared by the
	// requests of one principal or session: Context layers the request's
	// keys over it. It is never modified. Nil: Context builds every key.
	PrincipalKeys *policy.Context
	// Clock, when set, prepares the time keys of Context once per second
	// for every caller that shares it (the server's).
	Clock *Clock
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
func (c *Caller) Context() *policy.Context { return c.ContextWithRoom(0) }

// ContextWithRoom is Context with room for n more keys, which the caller
// adds (the service's keys, the organization's), so that adding them does
// not grow the context.
//
// With PrincipalKeys set, the context holds the request's keys only, over
// the principal's prepared ones; without, it holds both. With Clock set,
// aws:CurrentTime and aws:EpochTime are the ones Clock prepared for the
// request's second.
func (c *Caller) ContextWithRoom(n int) *policy.Context {
	n += c.requestKeys()
	var ctx *policy.Context
	if c.PrincipalKeys != nil {
		ctx = policy.NewContextOver(c.PrincipalKeys, n)
	} else {
		ctx = policy.NewContext(n + c.principalKeys())
		c.setPrincipalKeys(ctx)
	}
	c.setRequestKeys(ctx)
	return ctx
}

// PrincipalContext returns the principal's part of Context: the keys that
// describe the caller and its credentials, the same for every request it
// makes (Context adds the request's: source address, transport, time,
// region, MFA age, user agent, referer). Its result is what PrincipalKeys
// holds; it must not be modified once shared.
func (c *Caller) PrincipalContext() *policy.Context {
	ctx := policy.NewContext(c.principalKeys())
	c.setPrincipalKeys(ctx)
	return ctx
}

// principalKeys counts the keys setPrincipalKeys sets: exactly, since
// a prepared context is kept for as long as its principal is cached.
func (c *Caller) principalKeys() int {
	n := 2 + len(c.Tags) // aws:viaawsservice, aws:principalisawsservice
	if c.Principal.Type != policy.PrincipalAnonymous {
		n += 3
	}
	if !c.TokenIssueTime.IsZero() {
		n += 2
	}
	for _, s := range [...]string{c.UserID, c.UserName, c.SourceIdentity, c.SourceInstanceARN} {
		if s != "" {
			n++
		}
	}
	if c.FederatedProvider != "" {
		n += 1 + len(c.FederatedKeys)
	}
	return n
}

// setPrincipalKeys sets the principal's keys in ctx.
func (c *Caller) setPrincipalKeys(ctx *policy.Context) {
	// The keys are written in lower case (condition keys are
	// case-insensitive), so SetOne stores them without copying: the
	// context of a request costs a few allocations, not two per key.
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
	ctx.SetOne("aws:viaawsservice", "false")
	ctx.SetOne("aws:principalisawsservice", "false")
	if !c.TokenIssueTime.IsZero() {
		ctx.SetOne("aws:tokenissuetime", c.TokenIssueTime.UTC().Format(time.RFC3339))
		ctx.SetOne("aws:multifactorauthpresent", boolString(c.MFAAuthenticated))
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
		// The provider's keys (saml:sub, …) are stored in lower case.
		for k, v := range c.FederatedKeys {
			ctx.SetOne(k, v)
		}
	}
	if c.SourceInstanceARN != "" {
		// ec2:SourceInstanceARN is present in every request signed with
		// instance-profile (workload) credentials (reference_policies_condition-keys).
		ctx.SetOne("ec2:sourceinstancearn", c.SourceInstanceARN)
	}
	for k, v := range c.Tags {
		ctx.SetOne("aws:principaltag/"+k, v)
	}
}

// requestKeys counts the keys setRequestKeys sets.
func (c *Caller) requestKeys() int {
	n := 3 // aws:securetransport, aws:currenttime, aws:epochtime
	for _, s := range [...]string{c.SourceIP, c.Region, c.UserAgent, c.Referer} {
		if s != "" {
			n++
		}
	}
	if c.MFAAuthenticated && !c.TokenIssueTime.IsZero() {
		n++
	}
	return n
}

// setRequestKeys sets the request's keys in ctx.
func (c *Caller) setRequestKeys(ctx *policy.Context) {
	if c.SourceIP != "" {
		ctx.SetOne("aws:sourceip", c.SourceIP)
	}
	ctx.SetOne("aws:securetransport", boolString(c.SecureTransport))
	if c.Clock != nil {
		ctx.SetAll(c.Clock.keys(c.Time))
	} else {
		setTimeKeys(ctx, c.Time)
	}
	if c.Region != "" {
		ctx.SetOne("aws:requestedregion", c.Region)
	}
	if c.MFAAuthenticated && !c.TokenIssueTime.IsZero() {
		ctx.SetOne("aws:multifactorauthage", itoa(int64(c.Time.Sub(c.TokenIssueTime)/time.Second)))
	}
	if c.UserAgent != "" {
		ctx.SetOne("aws:useragent", c.UserAgent)
	}
	if c.Referer != "" {
		ctx.SetOne("aws:referer", c.Referer)
	}
}

// setTimeKeys sets aws:CurrentTime and aws:EpochTime for t.
func setTimeKeys(ctx *policy.Context, t time.Time) {
	ctx.SetOne("aws:currenttime", t.UTC().Format(time.RFC3339))
	ctx.SetOne("aws:epochtime", itoa(t.Unix()))
}

// Clock prepares aws:CurrentTime and aws:EpochTime once per second for
// the requests of that second (a caller's Clock): the strings formatted
// and parsed once, not per request. It is safe for concurrent use; the
// zero value is ready. It keeps the last second it prepared; requests of
// another second (a clock stepped back, a request late to finish) get
// their own.
type Clock struct {
	last atomic.Pointer[clockSecond]
}

// clockSecond is the time keys of one second, shared read-only.
type clockSecond struct {
	unix int64
	keys *policy.Context
}

// keys returns a context holding the time keys of t's second. It must
// not be modified.
func (k *Clock) keys(t time.Time) *policy.Context {
	u := t.Unix()
	if s := k.last.Load(); s != nil && s.unix == u {
		return s.keys
	}
	ctx := policy.NewContext(2)
	setTimeKeys(ctx, t)
	k.last.Store(&clockSecond{unix: u, keys: ctx})
	return ctx
}

// SetPrincipal copies the principal's fields of p into c — who it is, its
// credentials' facts, its tags and its prepared PrincipalKeys — and leaves
// the request's (time, address, region, headers, signature) as they are.
// A principal prepared once (authview's cached user, STS's session) is
// given to each request this way.
func (c *Caller) SetPrincipal(p *Caller) {
	c.Principal, c.Account = p.Principal, p.Account
	c.UserName, c.UserPath, c.UserID = p.UserName, p.UserPath, p.UserID
	c.SessionName, c.MFAAuthenticated, c.TokenIssueTime = p.SessionName, p.MFAAuthenticated, p.TokenIssueTime
	c.Tags, c.SourceIdentity = p.Tags, p.SourceIdentity
	c.FederatedProvider, c.FederatedKeys, c.SourceInstanceARN = p.FederatedProvider, p.FederatedKeys, p.SourceInstanceARN
	c.PrincipalKeys = p.PrincipalKeys
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
