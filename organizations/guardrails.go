package organizations

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/authz"
)

// Guardrails are what an organization adds to one authorization (the
// decision's assembly is package authz's).
type Guardrails = authz.Guardrails

// GuardrailsFor returns the organization controls of a request by a principal of
// principalAccount on a resource of resourceAccount ("" when the resource has no
// account). SCPs apply to principals of member accounts (their root users
// included), RCPs to resources of member accounts; the engine exempts the
// management account and service-linked roles.
func (s *Service) GuardrailsFor(ctx context.Context, principalAccount, resourceAccount string) (*Guardrails, error) {
	out := &Guardrails{} // Context is made when there is a key to put in it
	set := func(k, v string) {
		if out.Context == nil {
			out.Context = make(map[string]string, 4)
		}
		out.Context[k] = v
	}
	var pc *Controls
	var err error
	if principalAccount != "" {
		// An anonymous caller has no account: no SCP applies to it, only
		// the resource account's RCPs.
		if pc, err = s.Controls(ctx, principalAccount); err != nil {
			return nil, err
		}
	}
	if pc != nil {
		out.PrincipalManagement = pc.Management
		out.SCP = pc.SCP
		set("aws:PrincipalOrgID", pc.OrgID)
		set("aws:PrincipalOrgPaths", pc.Path)
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
			set("aws:ResourceOrgID", rc.OrgID)
			set("aws:ResourceOrgPaths", rc.Path)
		}
	}
	return out, nil
}
