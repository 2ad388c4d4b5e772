package decision

import (
	"context"
	"errors"
	"fmt"

	"github.com/gatehouse-iam/gatehouse/authz"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// The decisions, as Response.Decision spells them.
const (
	Allow        = "Allow"
	ExplicitDeny = "ExplicitDeny"
	ImplicitDeny = "ImplicitDeny"
)

// Response is a decision and why it was made.
type Response struct {
	// Decision is Allow, ExplicitDeny or ImplicitDeny.
	Decision string `json:"decision"`
	// Principal is who the decision is for.
	Principal Principal `json:"principal"`
	// Reason is, for a deny, the reason clause of AWS's AccessDenied
	// message ("because no identity-based policy allows the s3:GetObject
	// action", "with an explicit deny in a service control policy"); for
	// an allow, "allowed by" the layers that allowed.
	Reason string `json:"reason"`
	// Layer is the layer that decided a deny ("identityPolicy",
	// "permissionsBoundary", "sessionPolicy", "serviceControlPolicy",
	// "resourceControlPolicy", "resourcePolicy"); "" for an allow.
	Layer string `json:"layer,omitempty"`
	// Level is the organization level of a deciding SCP or RCP layer
	// (0 = the root).
	Level *int `json:"level,omitempty"`
	// DenyingStatement is the explicit deny that decided, if any.
	DenyingStatement *Statement `json:"denyingStatement,omitempty"`
	// MatchedStatements are every statement that applied, allows and
	// denies, in layer order and document order (never null).
	MatchedStatements []Statement `json:"matchedStatements"`
	// MissingContextKeys are condition keys the policies referenced in
	// policy variables that the request lacked (never null).
	MissingContextKeys []string `json:"missingContextKeys"`
}

// Principal describes the principal of a decision.
type Principal struct {
	// ARN is the principal's ARN (an assumed-role ARN for a role session).
	ARN string `json:"arn"`
	// Account is the principal's account.
	Account string `json:"account"`
	// Type is the principal's type as aws:PrincipalType spells it: User,
	// AssumedRole, FederatedUser or Account (a root user).
	Type string `json:"type"`
	// UserID is aws:userid (AIDA… for a user, "AROA…:session" for a role
	// session, the account id for root).
	UserID string `json:"userId,omitempty"`
}

// Statement locates one policy statement that applied.
type Statement struct {
	// Layer is the policy's layer ("identityPolicy", ...).
	Layer string `json:"layer"`
	// Level is the organization level of an SCP or RCP.
	Level int `json:"level,omitempty"`
	// Policy names the policy (a managed policy's ARN, an inline policy's
	// name, "resourcePolicy" for the request's resource policy).
	Policy string `json:"policy"`
	// Statement is the statement's index in its document, from 0.
	Statement int `json:"statement"`
	// Sid is the statement's Sid, if any.
	Sid string `json:"sid,omitempty"`
	// Effect is Allow or Deny.
	Effect string `json:"effect"`
}

// Error is a request the API refuses, with the JSON exception name and a
// client-safe message. It is an *awserr.Error (Status 400, or 413).
type Error = awserr.Error

func invalid(format string, args ...any) *Error {
	return &Error{Code: "ValidationException", Status: 400, Sender: true, Message: fmt.Sprintf(format, args...)}
}

func tooLarge() *Error {
	return &Error{Code: "RequestTooLargeException", Status: 413, Sender: true,
		Message: fmt.Sprintf("The request body exceeds %d bytes.", MaxBody)}
}

func errorAs[T any](err error, target *T) bool { return errors.As(err, target) }

// Compiler compiles a policy document of a kind (authview.Directory.Compile,
// which caches, or policy.ParseAndCompile).
type Compiler func(name, doc string, kind policy.Kind) (*policy.Policy, error)

// Decider makes decisions with one Authorizer.
type Decider struct {
	authz   *authz.Authorizer
	compile Compiler
}

// New returns a Decider over the Authorizer that decides Gatehouse's own
// calls; compile parses resource policies (nil: policy.ParseAndCompile).
func New(a *authz.Authorizer, compile Compiler) *Decider {
	if compile == nil {
		compile = policy.ParseAndCompile
	}
	return &Decider{authz: a, compile: compile}
}

// Permission returns the permission the API's caller (of callerAccount)
// needs to ask for r, decided for the principal whose ARN is subject:
// ActionAuthorize for a forwarded request, ActionAuthorizePrincipal for a
// vouched principal, on the principal's ARN, with gatehouse:Action the
// action decided. The resource belongs to the caller's own account: asking
// about a principal of another account is no cross-account access (no
// policy of that account could grant it), the caller's policies alone
// decide it (with its SCPs and RCPs).
func Permission(r *Request, callerAccount, subject string) operation.Authz {
	action := ActionAuthorize
	if r.Forwarded == nil {
		action = ActionAuthorizePrincipal
	}
	return operation.Authz{Action: action, Resource: subject, ResourceAccount: callerAccount,
		Context: map[string][]string{KeyAction: {r.Action}}}
}

// Allowed decides whether the API's caller may ask for r about the
// principal whose ARN is subject (Permission): nil, or AWS's AccessDenied
// as AccessDeniedException.
func (d *Decider) Allowed(ctx context.Context, caller *identity.Caller, r *Request, subject string) error {
	err := d.authz.Authorize(ctx, caller, Permission(r, caller.Account, subject))
	var ae *awserr.Error
	if errors.As(err, &ae) && ae.Code == awserr.CodeAccessDenied {
		c := *ae
		c.Code = "AccessDeniedException"
		return &c
	}
	return err
}

// Decide decides r for the principal c: the one assembly of authz (the
// principal's identity policies, or a session's with its session policies
// — ctx carries the session, as for Gatehouse's own calls —, its boundary,
// the SCP and RCP levels, r's resource policy and context), explained by
// policy.Explain. A resource policy that does not parse is a
// MalformedPolicyDocumentException.
func (d *Decider) Decide(ctx context.Context, c *identity.Caller, r *Request) (*Response, error) {
	var rp *policy.Policy
	if r.ResourcePolicy != "" {
		var err error
		if rp, err = d.compile("resourcePolicy", r.ResourcePolicy, policy.KindResource); err != nil {
			return nil, &Error{Code: "MalformedPolicyDocumentException", Status: 400, Sender: true,
				Message: "resourcePolicy: " + policyMessage(err)}
		}
	}
	as, err := d.authz.Assemble(ctx, authz.Request{Caller: c, Action: r.Action, Resource: r.Resource,
		ResourceAccount: r.ResourceAccount, Context: r.Context, ResourcePolicy: rp})
	if err != nil {
		return nil, err
	}
	return response(c, policy.Explain(as.Set, as.Request)), nil
}

// policyMessage is the parser's message (AWS's MalformedPolicyDocument
// wording), without any internal detail.
func policyMessage(err error) string {
	var ae *awserr.Error
	if errors.As(err, &ae) {
		return ae.Message
	}
	return err.Error()
}

// response renders an explanation.
func response(c *identity.Caller, e *policy.Explanation) *Response {
	out := &Response{
		Principal:          Principal{ARN: c.ARN(), Account: c.Account, Type: c.Principal.Type.String(), UserID: c.UserID},
		Reason:             e.Reason,
		Layer:              e.DecidedBy,
		Level:              e.Level,
		MatchedStatements:  make([]Statement, len(e.MatchedStatements)),
		MissingContextKeys: e.MissingContextKeys,
	}
	switch e.Decision {
	case policy.Allowed:
		out.Decision = Allow
	case policy.ExplicitDeny:
		out.Decision = ExplicitDeny
	default:
		out.Decision = ImplicitDeny
	}
	for i, m := range e.MatchedStatements {
		out.MatchedStatements[i] = statement(m)
	}
	if e.DenyingStatement != nil {
		s := statement(*e.DenyingStatement)
		out.DenyingStatement = &s
	}
	if out.MissingContextKeys == nil {
		out.MissingContextKeys = []string{}
	}
	return out
}

func statement(m policy.StatementMatch) Statement {
	return Statement{Layer: m.Layer, Level: m.Level, Policy: m.Policy, Statement: m.Statement, Sid: m.Sid, Effect: m.Effect}
}
