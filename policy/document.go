package policy

// Kind says what a policy document is used as. The kind decides which elements a
// document must or must not have and how large it may be.
type Kind int

// The kinds of policy documents AWS knows.
const (
	// KindIdentity is a policy attached to a user, group or role (managed or inline).
	KindIdentity Kind = iota
	// KindResource is a resource-based policy (a bucket policy, a key policy, ...).
	KindResource
	// KindTrust is a role's trust policy (AssumeRolePolicyDocument).
	KindTrust
	// KindBoundary is a permissions boundary.
	KindBoundary
	// KindSession is a session policy passed to AssumeRole or GetFederationToken.
	KindSession
	// KindSCP is an Organizations service control policy.
	KindSCP
	// KindRCP is an Organizations resource control policy.
	KindRCP
	// KindVPCEndpoint is a VPC endpoint policy.
	KindVPCEndpoint
	// KindManaged is a customer managed policy as CreatePolicy and
	// CreatePolicyVersion accept it: an identity-based policy that must be
	// written in Version 2012-10-17. Inline policies (PutUserPolicy,
	// PutGroupPolicy, PutRolePolicy) are KindIdentity and may omit Version or
	// use 2008-10-17. Once stored, a managed policy is evaluated like any
	// identity-based policy; parse it as KindIdentity (or KindBoundary) then.
	KindManaged
)

var kindNames = [...]string{"identity", "resource", "trust", "boundary", "session", "scp", "rcp", "vpce", "managed"}

// String returns the kind's short name, as the CLI spells it.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// ParseKind returns the kind named by s (identity, resource, trust, boundary,
// session, scp, rcp, vpce, managed).
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), true
		}
	}
	return 0, false
}

// RequiresPrincipal reports whether statements of this kind must name a principal.
func (k Kind) RequiresPrincipal() bool {
	return k == KindResource || k == KindTrust || k == KindRCP || k == KindVPCEndpoint
}

// Effect is a statement's effect.
type Effect uint8

// The two effects.
const (
	Allow Effect = iota + 1
	Deny
)

// String returns "Allow" or "Deny".
func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case Deny:
		return "Deny"
	}
	return ""
}

// Version strings of the policy language.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Span locates an element in the source document by byte offsets [Start, End).
type Span struct {
	Start, End int
}

// Document is a parsed policy document: the policy language's syntax tree, with
// the source positions of its statements. It is produced by Parse and is read-only.
type Document struct {
	// Version is the Version element, or "" when the document has none.
	Version string
	// ID is the Id element, or "".
	ID string
	// Statements in document order.
	Statements []*Statement
	// Source is the document text as given.
	Source string
	// Size is the document's size as AWS counts it: characters, white space excluded.
	Size int
}

// VariablesEnabled reports whether policy variables are substituted in this
// document: only under Version 2012-10-17.
func (d *Document) VariablesEnabled() bool { return d.Version == Version2012 }

// Statement is one statement of a document.
type Statement struct {
	// Index is the statement's position in the document, from 0.
	Index int
	// Sid is the statement id, or "".
	Sid string
	// Effect is Allow or Deny.
	Effect Effect
	// Principal holds Principal or NotPrincipal (see NotPrincipal); nil when absent.
	Principal *Principals
	// NotPrincipal reports that Principal came from a NotPrincipal element.
	NotPrincipal bool
	// Actions holds Action or NotAction values as written.
	Actions []string
	// NotAction reports that Actions came from a NotAction element.
	NotAction bool
	// Resources holds Resource or NotResource values as written; nil when absent
	// (trust policies may omit it).
	Resources []string
	// NotResource reports that Resources came from a NotResource element.
	NotResource bool
	// Conditions in document order (operator blocks, then keys within each).
	Conditions []Condition
	// Span is the statement's position in Document.Source.
	Span Span
}

// Principals is the value of a Principal or NotPrincipal element.
type Principals struct {
	// Wildcard is true for the bare "*" form.
	Wildcard bool
	// AWS holds account ids, account root ARNs, user, role, session and federated
	// user ARNs, or "*".
	AWS []string
	// Service holds service principals such as "ec2.amazonaws.com".
	Service []string
	// Federated holds identity provider names or ARNs.
	Federated []string
	// CanonicalUser holds S3 canonical user ids.
	CanonicalUser []string
}

// Condition is one condition: an operator applied to one key with its values.
type Condition struct {
	// Operator as written, e.g. "ForAnyValue:StringLikeIfExists".
	Operator string
	// Key as written, e.g. "aws:PrincipalTag/team".
	Key string
	// Values as written; JSON numbers and booleans are kept in their text form.
	Values []string
}
