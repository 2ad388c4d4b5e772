// Package operation is the shape every service operation takes, so that one
// dispatcher in the server can authenticate, authorize, run and encode any of
// them: an operation describes its authorization (action, resource, extra
// context) and runs on a decoded input for an authenticated caller.
package operation

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/protocol/query"
)

// Authz is what authorization needs to know about one call: the action, the
// resource it applies to, and condition keys the request adds to the caller's
// context (aws:RequestTag/…, iam:PolicyARN, …).
type Authz struct {
	Action   string
	Resource string
	Context  map[string][]string
	// Skip says the call needs no permission (sts:GetCallerIdentity).
	Skip bool
	// ResourceAccount, when set, is the account that owns the resource for
	// the evaluation's cross-account rule, in place of the ARN's account
	// (AWS managed policies, arn:aws:iam::aws:policy/..., are readable from
	// every account as if they were its own).
	ResourceAccount string
	// Also lists further permissions the call needs, each decided like the first
	// (e.g. iam:PassRole on the role for AddRoleToInstanceProfile).
	Also []Authz
}

// Op is one entry of a service's operation table.
type Op struct {
	// Name is the API operation name, e.g. "CreateUser".
	Name string
	// Authz describes the call for authorization. It may read the store (for a
	// resource's path and tags) and may fail with an *awserr.Error.
	Authz func(ctx context.Context, c *identity.Caller, in query.Input) (Authz, error)
	// Run performs the operation.
	Run func(ctx context.Context, c *identity.Caller, in query.Input) (query.Output, error)
}

// New builds an Op from typed functions.
func New[I query.Input, O query.Output](name string, authz func(ctx context.Context, c *identity.Caller, in I) (Authz, error), run func(ctx context.Context, c *identity.Caller, in I) (O, error)) Op {
	return Op{
		Name: name,
		Authz: func(ctx context.Context, c *identity.Caller, in query.Input) (Authz, error) {
			return authz(ctx, c, in.(I))
		},
		Run: func(ctx context.Context, c *identity.Caller, in query.Input) (query.Output, error) {
			out, err := run(ctx, c, in.(I))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// NoOutput is the output of operations that return nothing but the response
// metadata (DeleteUser, TagUser, ...).
type NoOutput struct{}

// EncodeQuery implements query.Output; it writes nothing.
func (*NoOutput) EncodeQuery(*query.Encoder) {}

// Done is the result of an operation without output.
func Done(err error) (*NoOutput, error) {
	if err != nil {
		return nil, err
	}
	return &NoOutput{}, nil
}
