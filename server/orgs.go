package server

import (
	"context"
	"strings"

	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/organizations"
	"github.com/gatehouse-iam/gatehouse/policy"
)

// orgControls is what Organizations adds to one authorization: the SCP
// levels over the caller's account, the RCP levels over the resource's
// account, and the organization condition keys.
type orgControls struct {
	// management reports that the caller's account manages an organization.
	management bool
	scp, rcp   [][]*policy.Policy
	context    map[string]string
}

// active reports whether anything restricts the request.
func (o *orgControls) active() bool { return len(o.scp) > 0 || len(o.rcp) > 0 }

// controlsFor returns the organization controls of a request: SCPs for
// principals of member accounts (their root users included), RCPs for
// resources of member accounts, and aws:PrincipalOrgID, aws:PrincipalOrgPaths,
// aws:ResourceOrgID and aws:ResourceOrgPaths.
func (s *Server) controlsFor(ctx context.Context, c *identity.Caller, az operation.Authz) (*orgControls, error) {
	out := &orgControls{}
	if s.orgs == nil {
		return out, nil
	}
	pc, err := s.orgs.Controls(ctx, c.Account)
	if err != nil {
		return nil, err
	}
	out.context = map[string]string{}
	if pc != nil {
		out.management = pc.Management
		out.scp = pc.SCP
		out.context["aws:PrincipalOrgID"] = pc.OrgID
		out.context["aws:PrincipalOrgPaths"] = pc.Path
	}
	resAcct := az.ResourceAccount
	if resAcct == "" {
		resAcct = arnAccount(az.Resource)
	}
	if resAcct != "" {
		rc := pc
		if resAcct != c.Account {
			if rc, err = s.orgs.Controls(ctx, resAcct); err != nil {
				return nil, err
			}
		}
		if rc != nil {
			out.rcp = rc.RCP
			out.context["aws:ResourceOrgID"] = rc.OrgID
			out.context["aws:ResourceOrgPaths"] = rc.Path
		}
	}
	return out, nil
}

// withControls returns set with the organization levels, copying it so that
// the directory's cached set is never modified.
func (o *orgControls) withControls(set *policy.Set) *policy.Set {
	if !o.active() {
		return set
	}
	cp := *set
	cp.SCP, cp.RCP = o.scp, o.rcp
	return &cp
}

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
} = (*organizations.Service)(nil)
