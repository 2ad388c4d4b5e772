package sts

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/store"
)

// federated is a role request that an identity provider authenticated (an
// OIDC ID token, a SAML assertion): what AssumeRoleWithWebIdentity and
// AssumeRoleWithSAML share once the provider's word is verified.
type federated struct {
	// action is the STS action the trust policy must allow, and denied the
	// AccessDenied message AWS gives when it does not.
	action, denied string
	// account and roleName name the role of roleARN.
	account, roleName, roleARN string
	// provider is the identity provider's ARN: the trust decision's
	// Federated principal and the session's aws:FederatedProvider.
	provider    string
	sessionName string
	// duration is the request's DurationSeconds; until, when set, ends the
	// session earlier (SAML's SessionNotOnOrAfter and SessionDuration).
	duration *int32
	until    time.Time
	policy   *string
	arns     []stsapi.PolicyDescriptorType
	// tags, transitive and sourceIdentity are the provider's.
	tags           []session.Tag
	transitive     []string
	sourceIdentity string
	// context is the trust decision's request context with the provider's
	// keys; the tag and source identity keys are added here.
	context *policy.Context
	// keys are the provider's keys the session keeps for its permission
	// policies (session.Session.FederatedKeys).
	keys map[string]string
	// before runs after the trust policy allowed the request and before
	// credentials are issued (SAML records the assertion as used).
	before func() error
}

// federatedResult is what an issued federated session returns.
type federatedResult struct {
	creds  *stsapi.Credentials
	user   *stsapi.AssumedRoleUser
	packed *int32
}

// assumeFederated decides a federated request by the role's trust policy
// alone (the provider as principal, the resource control policies over the
// role's account) and issues the session.
func (s *Service) assumeFederated(ctx context.Context, c *identity.Caller, f *federated, now time.Time) (*federatedResult, error) {
	inline, managed, packed, err := s.sessionPolicies(ctx, f.policy, f.arns, f.tags)
	if err != nil {
		return nil, err
	}

	// The role. A missing role is refused like an untrusting one.
	role, err := s.roleRecord(ctx, f.account, f.roleName)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (role.ARN != f.roleARN || role.ServiceLinked)) {
		return nil, awserr.AccessDenied("%s", f.denied)
	}
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	maxDur := int32(role.MaxSessionDuration)
	if maxDur == 0 {
		maxDur = defaultRoleDuration
	}
	if f.duration != nil && *f.duration > maxDur {
		return nil, awserr.ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	dur := duration(f.duration, defaultRoleDuration, maxDur)
	if !f.until.IsZero() {
		if left := int32(f.until.Sub(now) / time.Second); left < dur {
			dur = left
		}
	}

	// The decision: the trust policy with the provider as principal, and the
	// resource control policies over the role's account.
	trust, err := s.dir.Compile(role.ARN+" trust policy", role.AssumeRolePolicyDocument, policy.KindTrust)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	pctx := f.context
	requestTagContext(pctx, f.tags, f.transitive)
	if f.sourceIdentity != "" {
		pctx.Set("sts:SourceIdentity", f.sourceIdentity)
	}
	set := &policy.Set{Identity: []*policy.Policy{s.allowAll}, Resource: trust}
	{
		// The principal has no account: only the role's account's side
		// (RCPs, aws:ResourceOrg*) applies.
		g, err := s.authz.Guardrails(ctx, f.account, f.account)
		if err != nil {
			return nil, err
		}
		if g != nil {
			set.RCP = g.RCP
			for _, k := range []string{"aws:ResourceOrgID", "aws:ResourceOrgPaths"} {
				if v, ok := g.Context[k]; ok {
					pctx.Set(k, v)
				}
			}
		}
	}
	req := &policy.Request{
		Principal: policy.Principal{Type: policy.PrincipalFederated, ARN: f.provider},
		Resource:  role.ARN, Context: pctx,
		// Evaluated as across accounts, so that only the trust policy grants
		// (see trustAllows).
		ResourceAccount: crossAccount(f.account),
	}
	actions := []string{f.action}
	if len(f.tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if f.sourceIdentity != "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	for _, a := range actions {
		req.Action = a
		if policy.Evaluate(set, req).Decision != policy.Allowed {
			return nil, awserr.AccessDenied("%s", f.denied)
		}
	}
	if f.before != nil {
		if err := f.before(); err != nil {
			return nil, err
		}
	}

	// The session.
	sess := &session.Session{
		Account: f.account, Kind: session.KindRole, RoleARN: role.ARN, RoleName: role.Name, RoleID: role.ID,
		Name: f.sessionName, SourceIdentity: f.sourceIdentity, FederatedProvider: f.provider, FederatedKeys: f.keys,
		Policy: inline, PolicyARNs: managed, Tags: f.tags, TransitiveTagKeys: f.transitive,
	}
	creds, err := s.issue(sess, now, dur)
	if err != nil {
		return nil, err
	}
	if s.roleUse != nil {
		s.roleUse(f.account, role.Name, role.ID, c.Region, now)
	}
	out := &federatedResult{
		creds: creds,
		user:  &stsapi.AssumedRoleUser{Arn: assumedRoleARN(f.account, role.Name, f.sessionName), AssumedRoleId: role.ID + ":" + f.sessionName},
	}
	if f.policy != nil || len(f.arns) > 0 || len(f.tags) > 0 {
		out.packed = &packed
	}
	return out, nil
}
