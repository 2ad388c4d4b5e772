package sts

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/authz"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/store"
)

// defaultRoleDuration is AssumeRole's default session duration, and the
// MaxSessionDuration of a role that sets none.
const defaultRoleDuration = 3600

// parseRoleARN splits arn:aws:iam::ACCOUNT:role/PATH/NAME.
func parseRoleARN(s string) (account, name string, ok bool) {
	a, err := arn.Parse(s)
	if err != nil || a.Partition != arn.Partition || a.Service != "iam" || a.Region != "" ||
		!store.IsAccountID(a.Account) || !strings.HasPrefix(a.Resource, "role/") {
		return "", "", false
	}
	name = a.Resource[strings.LastIndexByte(a.Resource, '/')+1:]
	return a.Account, name, name != ""
}

// assumeRole issues role credentials. The decision is AWS's: the role's trust
// policy is the resource-based policy of sts:AssumeRole on the role,
// evaluated together with the caller's identity-based policies (needed across
// accounts, or when the trust policy names only the caller's account); and
// sts:TagSession and sts:SetSourceIdentity are decided the same way when the
// request uses them.
func (s *Service) assumeRole(ctx context.Context, c *identity.Caller, in *stsapi.AssumeRoleRequest) (*stsapi.AssumeRoleResponse, error) {
	now := s.now()
	if c.IsRoot() {
		// kubeflow/testing#961, Netflix/security_monkey#1026.
		return nil, awserr.AccessDenied("Roles may not be assumed by root accounts.")
	}
	parent, _ := session.FromContext(ctx)
	if c.Principal.Type == policy.PrincipalFederatedUser {
		// Federated users call no STS operation but GetCallerIdentity.
		return nil, denied(c, "sts:AssumeRole", in.RoleArn)
	}
	chained := c.Principal.Type == policy.PrincipalRoleSession

	// Duration: role chaining is capped at one hour whatever the role allows.
	if chained && in.DurationSeconds != nil && *in.DurationSeconds > chainedMaxDuration {
		return nil, awserr.ValidationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}

	// MFA presented with the request (IAM users only).
	mfa := c.MFAAuthenticated
	mfaNow := false
	if (in.SerialNumber == nil) != (in.TokenCode == nil) {
		return nil, awserr.ValidationError("SerialNumber and TokenCode must be given together.")
	}
	if in.SerialNumber != nil {
		if c.Principal.Type != policy.PrincipalUser {
			return nil, awserr.AccessDenied("MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.")
		}
		if err := s.mfa.VerifyMFA(ctx, c.Account, c.UserName, *in.SerialNumber, *in.TokenCode); err != nil {
			return nil, err
		}
		mfa, mfaNow = true, true
	}

	// Tags, source identity and session policies.
	tags, transitive, err := sessionTags(parent, in.Tags, in.TransitiveTagKeys)
	if err != nil {
		return nil, err
	}
	inline, managed, packed, err := s.sessionPolicies(ctx, in.Policy, in.PolicyArns, tags)
	if err != nil {
		return nil, err
	}
	sourceIdentity := ""
	if parent != nil {
		sourceIdentity = parent.SourceIdentity
	}
	if in.SourceIdentity != nil {
		if sourceIdentity != "" && *in.SourceIdentity != sourceIdentity {
			// "The value that is set cannot be changed during the role
			// session" (id_credentials_temp_control-access_monitor).
			return nil, awserr.AccessDenied("User: %s is not authorized to perform: sts:SetSourceIdentity on resource: %s because the source identity of the session cannot be changed", c.ARN(), in.RoleArn)
		}
		sourceIdentity = *in.SourceIdentity
	}

	// The role. A missing role is denied like a refused one, so that
	// AssumeRole does not reveal which roles exist.
	acct, name, ok := parseRoleARN(in.RoleArn)
	if !ok {
		return nil, denied(c, "sts:AssumeRole", in.RoleArn)
	}
	role, err := s.roleRecord(ctx, acct, name)
	if errors.Is(err, store.ErrNotFound) || (err == nil && role.ARN != in.RoleArn) {
		return nil, denied(c, "sts:AssumeRole", in.RoleArn)
	}
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	if role.ServiceLinked {
		return nil, denied(c, "sts:AssumeRole", in.RoleArn)
	}
	maxDur := int32(role.MaxSessionDuration)
	if maxDur == 0 {
		maxDur = defaultRoleDuration
	}
	if !chained && in.DurationSeconds != nil && *in.DurationSeconds > maxDur {
		return nil, awserr.ValidationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	dur := duration(in.DurationSeconds, defaultRoleDuration, maxDur)
	if chained && dur > chainedMaxDuration {
		dur = chainedMaxDuration
	}

	// The decision.
	trust, err := s.dir.Compile(role.ARN+" trust policy", role.AssumeRolePolicyDocument, policy.KindTrust)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	as, err := s.authz.Assemble(ctx, authz.Request{Caller: c, Action: "sts:AssumeRole", Resource: role.ARN, ResourcePolicy: trust})
	if err != nil {
		return nil, err
	}
	set, pctx, principal := *as.Set, as.Request.Context, as.Request.Principal
	if mfaNow {
		pctx.Set("aws:MultiFactorAuthPresent", "true")
		pctx.Set("aws:MultiFactorAuthAge", "0")
	}
	pctx.Set("sts:RoleSessionName", in.RoleSessionName)
	if in.ExternalId != nil {
		pctx.Set("sts:ExternalId", *in.ExternalId)
	}
	if parent != nil && parent.SourceIdentity != "" {
		pctx.Set("aws:SourceIdentity", parent.SourceIdentity)
	}
	if in.SourceIdentity != nil {
		pctx.Set("sts:SourceIdentity", *in.SourceIdentity)
	}
	requestTagContext(pctx, tags, transitive)
	req := &policy.Request{Principal: principal, Action: "sts:AssumeRole", Resource: role.ARN, Context: pctx}
	actions := []string{"sts:AssumeRole"}
	if len(tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if in.SourceIdentity != nil {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	for _, a := range actions {
		req.Action = a
		if !s.trustAllows(trust, req) || policy.Evaluate(&set, req).Decision != policy.Allowed {
			return nil, denied(c, a, in.RoleArn)
		}
	}

	// The session.
	sess := &session.Session{
		Account: acct, Kind: session.KindRole, RoleARN: role.ARN, RoleName: role.Name, RoleID: role.ID,
		Name: in.RoleSessionName, SourceIdentity: sourceIdentity, MFA: mfa,
		Policy: inline, PolicyARNs: managed, Tags: tags, TransitiveTagKeys: transitive,
	}
	if parent != nil && chained {
		sess.ChainDepth = parent.ChainDepth + 1
	}
	creds, err := s.issue(sess, now, dur)
	if err != nil {
		return nil, err
	}
	if s.roleUse != nil {
		s.roleUse(acct, role.Name, role.ID, c.Region, now)
	}
	out := &stsapi.AssumeRoleResponse{
		Credentials:     creds,
		AssumedRoleUser: &stsapi.AssumedRoleUser{Arn: assumedRoleARN(sess.Account, role.Name, in.RoleSessionName), AssumedRoleId: role.ID + ":" + in.RoleSessionName},
	}
	if in.Policy != nil || len(in.PolicyArns) > 0 || len(in.Tags) > 0 {
		out.PackedPolicySize = &packed
	}
	if sourceIdentity != "" {
		out.SourceIdentity = &sourceIdentity
	}
	s.log.Debug("assumed role", "role", role.ARN, "session", in.RoleSessionName, "caller", c.ARN(), "expires", strconv.FormatInt(sess.Expiration.Unix(), 10))
	return out, nil
}

// trustAllows reports whether the trust policy itself grants req: unlike
// other resource-based policies, a role's trust policy must allow the caller
// even within the role's account, where an identity-based allow alone
// suffices for other resources ("the role trust policy must allow"
// id_roles_use_permissions-to-switch). It evaluates the trust policy as if
// across accounts with an identity side that allows everything, so that only
// the trust policy (its grant, its conditions, its denies) decides.
func (s *Service) trustAllows(trust *policy.Policy, req *policy.Request) bool {
	r := *req
	r.ResourceAccount = "000000000000"
	if r.Principal.Account == r.ResourceAccount {
		r.ResourceAccount = "000000000001"
	}
	return policy.Evaluate(&policy.Set{Identity: []*policy.Policy{s.allowAll}, Resource: trust}, &r).Decision == policy.Allowed
}
