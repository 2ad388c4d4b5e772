// Package authz is the one place that assembles what a request is decided
// against — the caller's identity-based policies (a user's, or a session's
// with its session policies), the permissions boundary, the organization's
// SCP levels over the caller's account and RCP levels over the resource's
// account, a resource-based policy, and the request context — and decides
// it with the policy engine. The server's enforcement of every call, STS's
// trust decisions (AssumeRole) and, next, other services' decisions all go
// through it, so a request is decided the same way wherever it is made.
//
// It does no I/O itself: where the policies come from (the directory, the
// session token, Organizations) is given as interfaces.
package authz

import (
	"context"
	"fmt"
	"strconv"

	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// Guardrails are what an organization adds to one decision: the SCP levels
// over the caller's account, the RCP levels over the resource's account, and
// the condition keys aws:PrincipalOrgID, aws:PrincipalOrgPaths,
// aws:ResourceOrgID and aws:ResourceOrgPaths.
type Guardrails struct {
	SCP, RCP [][]*policy.Policy
	Context  map[string]string
	// PrincipalManagement reports that the principal's account manages its
	// organization (no SCP restricts it).
	PrincipalManagement bool
}

// Active reports whether any control policy applies.
func (g *Guardrails) Active() bool { return g != nil && (len(g.SCP) > 0 || len(g.RCP) > 0) }

// Apply returns set with the control policy levels, copying it so that a cached
// set is never modified.
func (g *Guardrails) Apply(set *policy.Set) *policy.Set {
	if !g.Active() {
		return set
	}
	cp := *set
	cp.SCP, cp.RCP = g.SCP, g.RCP
	return &cp
}

// SetContext adds the organization condition keys to a request context.
func (g *Guardrails) SetContext(ctx *policy.Context) {
	if g == nil {
		return
	}
	for k, v := range g.Context {
		ctx.Set(k, v)
	}
}

// Organization gives the guardrails of a request by a principal of
// principalAccount on a resource of resourceAccount ("" when the resource
// has no account); implemented by organizations.Service.
type Organization interface {
	GuardrailsFor(ctx context.Context, principalAccount, resourceAccount string) (*Guardrails, error)
}

// Users gives an IAM user's identity-based policies and boundary
// (implemented by the directory).
type Users interface {
	UserPolicies(ctx context.Context, account, name string) (*policy.Set, error)
}

// Sessions gives the policy set of a caller with temporary credentials — a
// role session, a federated user, or the user behind GetSessionToken — with
// its session policies (implemented by sts.Service).
type Sessions interface {
	Policies(ctx context.Context, c *identity.Caller) (*policy.Set, error)
}

// Authorizer assembles and decides requests.
type Authorizer struct {
	users    Users
	sessions Sessions
	org      Organization
}

// New returns an Authorizer over users' policies and, when org is not nil,
// the organization's guardrails. Sessions are given with UseSessions (STS,
// which decides with the Authorizer, provides them).
func New(users Users, org Organization) *Authorizer {
	return &Authorizer{users: users, org: org}
}

// UseSessions sets where session callers' policies come from. Call it
// before serving.
func (a *Authorizer) UseSessions(s Sessions) { a.sessions = s }

// Request is one decision to make: caller c performs Action on Resource.
type Request struct {
	Caller   *identity.Caller
	Action   string
	Resource string
	// ResourceAccount, when set, owns the resource in place of the ARN's
	// account (see operation.Authz.ResourceAccount).
	ResourceAccount string
	// Context holds the condition keys the request adds to the caller's.
	Context map[string][]string
	// ResourcePolicy is the resource's policy (a role's trust policy, a
	// bucket policy), or nil.
	ResourcePolicy *policy.Policy
}

// Assembled is a request ready for the engine: the policy set, the
// engine's request, and the guardrails that applied.
type Assembled struct {
	Set        *policy.Set
	Request    *policy.Request
	Guardrails *Guardrails
}

// Assemble gathers everything r is decided against.
func (a *Authorizer) Assemble(ctx context.Context, r Request) (*Assembled, error) {
	c := r.Caller
	resAcct := r.ResourceAccount
	if resAcct == "" {
		resAcct = arnAccount(r.Resource)
	}
	var g *Guardrails
	if a.org != nil {
		var err error
		if g, err = a.org.GuardrailsFor(ctx, c.Account, resAcct); err != nil {
			return nil, err
		}
	}
	set, err := a.identity(ctx, c)
	if err != nil {
		return nil, err
	}
	set = g.Apply(set)
	if r.ResourcePolicy != nil {
		cp := *set
		cp.Resource = r.ResourcePolicy
		set = &cp
	}
	room := len(r.Context)
	if g != nil {
		room += len(g.Context)
	}
	pctx := c.ContextWithRoom(room)
	g.SetContext(pctx)
	for k, v := range r.Context {
		pctx.Set(k, v...)
	}
	principal := c.Principal
	principal.ManagementAccount = principal.ManagementAccount || (g != nil && g.PrincipalManagement)
	req := &policy.Request{Principal: principal, Action: r.Action, Resource: r.Resource, ResourceAccount: r.ResourceAccount, Context: pctx}
	return &Assembled{Set: set, Request: req, Guardrails: g}, nil
}

// identity returns the caller's identity-based side: a user's policies and
// boundary, a session's with its session policies, nothing for a root user
// (whom identity policies do not restrict).
func (a *Authorizer) identity(ctx context.Context, c *identity.Caller) (*policy.Set, error) {
	switch c.Principal.Type {
	case policy.PrincipalUser:
		// A user's session (GetSessionToken, a console sign-in, a
		// delegated session) carries its session policy, if any.
		if a.sessions != nil && !c.TokenIssueTime.IsZero() {
			return a.sessions.Policies(ctx, c)
		}
		return a.users.UserPolicies(ctx, c.Account, c.UserName)
	case policy.PrincipalRoleSession, policy.PrincipalFederatedUser:
		if a.sessions == nil {
			return &policy.Set{}, nil
		}
		return a.sessions.Policies(ctx, c)
	case policy.PrincipalRoot:
		// A root session's task policy (STS AssumeRoot) is its session
		// policy.
		if a.sessions != nil && !c.TokenIssueTime.IsZero() {
			return a.sessions.Policies(ctx, c)
		}
	}
	return &policy.Set{}, nil
}

// Authorize decides the call az by c: nil when allowed, else AWS's
// AccessDenied naming the caller, the action, the resource and the reason.
// A root user is restricted only by the SCPs of a member account, by RCPs,
// by a resource policy the call names (az.ResourcePolicy) and, in a root
// session, by its task policy's denies.
func (a *Authorizer) Authorize(ctx context.Context, c *identity.Caller, az operation.Authz) error {
	if az.Skip {
		return nil
	}
	as, err := a.Assemble(ctx, Request{Caller: c, Action: az.Action, Resource: az.Resource, ResourceAccount: az.ResourceAccount,
		Context: az.Context, ResourcePolicy: az.ResourcePolicy})
	if err != nil {
		return err
	}
	// A root user needs no identity policy, but a resource policy the call
	// names must still allow it.
	if c.IsRoot() && !as.Guardrails.Active() && az.ResourcePolicy == nil && len(as.Set.Session) == 0 {
		return nil
	}
	res := policy.Evaluate(as.Set, as.Request)
	if res.Decision == policy.Allowed {
		return nil
	}
	owner := az.ResourceAccount
	if owner == "" {
		owner = arnAccount(az.Resource)
	}
	return awserr.AccessDenied("User: %s is not authorized to perform: %s on resource: %s %s",
		c.ARN(), az.Action, az.Resource, res.Reason(az.Action)).WithCause(&Denial{Action: az.Action, Resource: az.Resource,
		Explanation: policy.Explain(as.Set, as.Request), Foreign: owner != "" && owner != "aws" && owner != c.Account})
}

// Denial is the internal cause of an AccessDenied that authorization
// decided: the permission that was missing and the explanation of the
// decision (which layer denied, the explicit deny that won). It never
// reaches the caller; the audit trail records it.
type Denial struct {
	Action, Resource string
	Explanation      *policy.Explanation
	// Why replaces the explanation when the decision was not the
	// engine's alone (S3's bucket policy, ACLs and Block Public Access).
	Why string
	// Foreign says the resource is another account's: its resource policy
	// and its organization's RCPs are that account's business, so the
	// reason names their layer but not the statement, its Sid or the
	// policy (the caller's account keeps the denial in its trail).
	Foreign bool
}

// Error describes the denial.
func (d *Denial) Error() string {
	return "denied " + d.Action + " on " + d.Resource + ": " + d.Reason()
}

// Reason is the decision in words: the explanation's reason, the layer that
// decided, and the explicit deny statement that won, if any.
func (d *Denial) Reason() string {
	e := d.Explanation
	if d.Why != "" || e == nil {
		return d.Why
	}
	s := e.DecisionText + ": " + e.Reason
	if st := e.DenyingStatement; st != nil && d.Foreign && ownersLayers[st.Layer] {
		s += " (a statement of the resource owner's " + st.Layer + ")"
	} else if st != nil {
		s += fmt.Sprintf(" (statement %d", st.Statement)
		if st.Sid != "" {
			s += " " + strconv.Quote(st.Sid)
		}
		s += " of " + st.Layer + " " + strconv.Quote(st.Policy) + ")"
	}
	return s
}

// ownersLayers are the policy layers that belong to the resource's owner
// (policy.Layer.Key spellings).
var ownersLayers = map[string]bool{
	policy.LayerRCP.Key():      true,
	policy.LayerResource.Key(): true,
}

// arnAccount returns the account field of an ARN ("" for "*" or none).
func arnAccount(s string) string {
	n := 0
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] != ':' {
			continue
		}
		n++
		switch n {
		case 1:
			if s[:i] != "arn" {
				return ""
			}
		case 4:
			start = i + 1
		case 5:
			return s[start:i]
		}
	}
	return ""
}

// Guardrails returns the organization controls of a request by a principal
// of principalAccount on a resource of resourceAccount; nil without an
// organization.
func (a *Authorizer) Guardrails(ctx context.Context, principalAccount, resourceAccount string) (*Guardrails, error) {
	if a.org == nil {
		return nil, nil
	}
	return a.org.GuardrailsFor(ctx, principalAccount, resourceAccount)
}
