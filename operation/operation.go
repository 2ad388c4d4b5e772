// Package operation is the shape every service operation takes, whatever its
// wire protocol, so that one pipeline in the server can authenticate, decode,
// authorize, run and encode any of them: an operation describes its
// authorization (action, resource, extra context) and runs on a decoded input
// for an authenticated caller. Inputs and outputs are the generated api/*
// types; the protocol's codec decodes and encodes them.
package operation

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// Authz is what authorization needs to know about one call: the action, the
// resource it applies to, and condition keys the request adds to the caller's
// context (aws:RequestTag/…, iam:PolicyARN, …).
type Authz struct {
	Action   string
	Resource string
	Context  map[string][]string
	// Skip says the call needs no permission from the pipeline
	// (sts:GetCallerIdentity), or that the operation decides it itself
	// (AssumeRole's trust policy, S3's checks). Resource and
	// ResourceAccount may still name what the call acts on, for the audit
	// trail.
	Skip bool
	// ResourceAccount, when set, is the account that owns the resource for
	// the evaluation's cross-account rule, in place of the ARN's account
	// (AWS managed policies, arn:aws:iam::aws:policy/..., are readable from
	// every account as if they were its own).
	ResourceAccount string
	// ResourcePolicy, when set, is the resource-based policy the call is
	// decided against as well (Organizations' delegation policy, for a
	// member account acting on its organization).
	ResourcePolicy *policy.Policy
	// Also lists further permissions the call needs, each decided like the first
	// (e.g. iam:PassRole on the role for AddRoleToInstanceProfile).
	Also []Authz
}

// Op is one entry of a service's operation table.
type Op struct {
	// Name is the API operation name, e.g. "CreateUser".
	Name string
	// Anonymous says that callers make the operation without a signature:
	// what they present (an identity provider's token or assertion)
	// authenticates them inside the operation, which decides alone
	// (AssumeRoleWithWebIdentity, AssumeRoleWithSAML).
	Anonymous bool
	// Authz describes the call for authorization. It may read the store (for a
	// resource's path and tags) and may fail with an *awserr.Error.
	Authz func(ctx context.Context, c *identity.Caller, in any) (Authz, error)
	// Run performs the operation. Its output is the generated output type, or
	// nil for an operation that returns nothing but the response metadata.
	Run func(ctx context.Context, c *identity.Caller, in any) (any, error)
}

// New builds an Op from typed functions. I and O are the operation's
// generated input and output types; the pipeline's codec guarantees that
// the input it decodes for the operation is an I.
func New[I, O any](name string, authz func(ctx context.Context, c *identity.Caller, in I) (Authz, error), run func(ctx context.Context, c *identity.Caller, in I) (O, error)) Op {
	return Op{
		Name: name,
		Authz: func(ctx context.Context, c *identity.Caller, in any) (Authz, error) {
			return authz(ctx, c, in.(I))
		},
		Run: func(ctx context.Context, c *identity.Caller, in any) (any, error) {
			out, err := run(ctx, c, in.(I))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// Table returns ops keyed by name.
func Table(groups ...[]Op) map[string]Op {
	m := map[string]Op{}
	for _, g := range groups {
		for _, o := range g {
			m[o.Name] = o
		}
	}
	return m
}

// NoOutput is the output of operations that return nothing but the response
// metadata (DeleteUser, TagUser, ...); every codec encodes it as no members.
type NoOutput struct{}

// Done is the result of an operation without output.
func Done(err error) (*NoOutput, error) {
	if err != nil {
		return nil, err
	}
	return &NoOutput{}, nil
}
