package sts

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/session"
)

// Durations of GetSessionToken and GetFederationToken (STS API reference):
// 12 hours by default, 36 hours at most, one hour for the root user.
const (
	defaultTokenDuration = 43200
	maxTokenDuration     = 129600
)

// getSessionToken issues temporary credentials for the calling IAM user or
// root user itself, with MFA when SerialNumber and TokenCode are given.
func (s *Service) getSessionToken(ctx context.Context, c *identity.Caller, in *stsapi.GetSessionTokenRequest) (*stsapi.GetSessionTokenResponse, error) {
	now := s.now()
	if !c.TokenIssueTime.IsZero() {
		// aws/aws-sdk-net#1704, aws/aws-sdk-php#1876.
		return nil, awserr.AccessDenied("Cannot call GetSessionToken with session credentials")
	}
	if c.Principal.Type != policy.PrincipalUser && !c.IsRoot() {
		return nil, awserr.AccessDenied("Cannot call GetSessionToken with session credentials")
	}
	max := int32(maxTokenDuration)
	def := int32(defaultTokenDuration)
	if c.IsRoot() {
		// "Sessions for Amazon Web Services account owners are restricted to a
		// maximum of 3,600 seconds (one hour). If the duration is longer than
		// one hour, the session for Amazon Web Services account owners defaults
		// to one hour." (GetSessionToken)
		max, def = rootMaxDuration, rootMaxDuration
	}
	dur := duration(in.DurationSeconds, def, max)
	mfa := false
	if (in.SerialNumber == nil) != (in.TokenCode == nil) {
		return nil, awserr.ValidationError("SerialNumber and TokenCode must be given together.")
	}
	if in.SerialNumber != nil {
		if err := s.mfa.VerifyMFA(ctx, c.Account, c.UserName, *in.SerialNumber, *in.TokenCode); err != nil {
			return nil, err
		}
		mfa = true
	}
	sess := &session.Session{Account: c.Account, Kind: session.KindUser, UserName: c.UserName, MFA: mfa}
	creds, err := s.issue(sess, now, dur)
	if err != nil {
		return nil, err
	}
	return &stsapi.GetSessionTokenResponse{Credentials: creds}, nil
}

// federationAuthz: GetFederationToken needs sts:GetFederationToken on the
// federated user, and sts:TagSession when it passes tags.
func (s *Service) federationAuthz(ctx context.Context, c *identity.Caller, in *stsapi.GetFederationTokenRequest) (operation.Authz, error) {
	arn := federatedUserARN(c.Account, in.Name)
	a := operation.Authz{Action: "sts:GetFederationToken", Resource: arn}
	if len(in.Tags) > 0 {
		ctx := map[string][]string{}
		keys := make([]string, 0, len(in.Tags))
		for _, t := range in.Tags {
			ctx["aws:RequestTag/"+t.Key] = []string{t.Value}
			keys = append(keys, t.Key)
		}
		ctx["aws:TagKeys"] = keys
		a.Context = ctx
		a.Also = []operation.Authz{{Action: "sts:TagSession", Resource: arn, Context: ctx}}
	}
	return a, nil
}

// getFederationToken issues credentials for a federated user whose
// permissions are the calling user's policies intersected with the session
// policies passed here (with none, it has no permissions).
func (s *Service) getFederationToken(ctx context.Context, c *identity.Caller, in *stsapi.GetFederationTokenRequest) (*stsapi.GetFederationTokenResponse, error) {
	now := s.now()
	if !c.TokenIssueTime.IsZero() || (c.Principal.Type != policy.PrincipalUser && !c.IsRoot()) {
		// fwdcloudsec/granted#151.
		return nil, awserr.AccessDenied("Cannot call GetFederationToken with session credentials")
	}
	max := int32(maxTokenDuration)
	if c.IsRoot() {
		max = rootMaxDuration
	}
	dur := duration(in.DurationSeconds, defaultTokenDuration, max)
	tags, _, err := sessionTags(nil, in.Tags, nil)
	if err != nil {
		return nil, err
	}
	inline, managed, packed, err := s.sessionPolicies(ctx, in.Policy, in.PolicyArns, tags)
	if err != nil {
		return nil, err
	}
	sess := &session.Session{Account: c.Account, Kind: session.KindFederatedUser, UserName: c.UserName, Name: in.Name,
		Policy: inline, PolicyARNs: managed, Tags: tags}
	creds, err := s.issue(sess, now, dur)
	if err != nil {
		return nil, err
	}
	out := &stsapi.GetFederationTokenResponse{
		Credentials:   creds,
		FederatedUser: &stsapi.FederatedUser{Arn: federatedUserARN(c.Account, in.Name), FederatedUserId: c.Account + ":" + in.Name},
	}
	if in.Policy != nil || len(in.PolicyArns) > 0 || len(in.Tags) > 0 {
		out.PackedPolicySize = &packed
	}
	return out, nil
}
