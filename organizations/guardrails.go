package organizations

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// Guardrails are what an organization adds to one authorization: the SCP levels
// over the caller's account, the RCP levels over the resource's account, and the
// condition keys aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:ResourceOrgID and
// aws:ResourceOrgPaths.
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

// GuardrailsFor returns the organization controls of a request by a principal of
// principalAccount on a resource of resourceAccount ("" when the resource has no
// account). SCPs apply to principals of member accounts (their root users
// included), RCPs to resources of member accounts; the engine exempts the
// management account and service-linked roles.
func (s *Service) GuardrailsFor(ctx context.Context, principalAccount, resourceAccount string) (*Guardrails, error) {
	out := &Guardrails{Context: map[string]string{}}
	pc, err := s.Controls(ctx, principalAccount)
	if err != nil {
		return nil, err
	}
	if pc != nil {
		out.PrincipalManagement = pc.Management
		out.SCP = pc.SCP
		out.Context["aws:PrincipalOrgID"] = pc.OrgID
		out.Context["aws:PrincipalOrgPaths"] = pc.Path
	}
	if resourceAccount != "" {
		rc := pc
		if resourceAccount != principalAccount {
			if rc, err = s.Controls(ctx, resourceAccount); err != nil {
				return nil, err
			}
		}
		if rc != nil {
			out.RCP = rc.RCP
			out.Context["aws:ResourceOrgID"] = rc.OrgID
			out.Context["aws:ResourceOrgPaths"] = rc.Path
		}
	}
	return out, nil
}
