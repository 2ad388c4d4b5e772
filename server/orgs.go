package server

import (
	"context"
	"strings"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/organizations"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// orgControls is what Organizations adds to one authorization: the guardrails
// (SCP and RCP levels, organization condition keys) and whether the caller's
// account manages the organization.
type orgControls struct {
	management bool
	rails      *organizations.Guardrails
	context    map[string]string
}

// active reports whether anything restricts the request.
func (o *orgControls) active() bool { return o.rails.Active() }

// controlsFor returns the organization controls of a request (see
// organizations.Service.GuardrailsFor).
func (s *Server) controlsFor(ctx context.Context, c *identity.Caller, az operation.Authz) (*orgControls, error) {
	out := &orgControls{}
	if s.orgs == nil {
		return out, nil
	}
	resAcct := az.ResourceAccount
	if resAcct == "" {
		resAcct = arnAccount(az.Resource)
	}
	var err error
	if out.rails, err = s.orgs.GuardrailsFor(ctx, c.Account, resAcct); err != nil {
		return nil, err
	}
	out.management = out.rails.PrincipalManagement
	out.context = out.rails.Context
	return out, nil
}

// withControls returns set with the organization levels, copying it so that
// the directory's cached set is never modified.
func (o *orgControls) withControls(set *policy.Set) *policy.Set { return o.rails.Apply(set) }

// arnAccount returns the account field of an ARN ("" for "*" or none).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// organizationsService is the part of the Organizations service the
// dispatcher needs.
var _ interface {
	Controls(ctx context.Context, account string) (*organizations.Controls, error)
	GuardrailsFor(ctx context.Context, principalAccount, resourceAccount string) (*organizations.Guardrails, error)
} = (*organizations.Service)(nil)
