package sts

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/store"
)

// ServiceSessionMaxDuration caps the sessions AssumeRoleForService issues:
// six hours, the longest EC2 instance-profile credentials live.
const ServiceSessionMaxDuration = 6 * time.Hour

// ServiceRoleRequest asks for a role session that an AWS service principal
// obtains on behalf of a resource, as EC2 obtains the role of an instance
// profile for an instance.
type ServiceRoleRequest struct {
	// Account and RoleName name the role.
	Account, RoleName string
	// Service is the service principal, e.g. "ec2.amazonaws.com".
	Service string
	// SessionName is the role session name (EC2: the instance id).
	SessionName string
	// SourceIdentity, when set, is the session's source identity.
	SourceIdentity string
	// SourceInstanceARN, when set, is the instance the credentials are
	// delivered to: ec2:SourceInstanceARN in every request they sign.
	SourceInstanceARN string
	// SourceARN is the resource on whose behalf the service asks (the trust
	// decision's aws:SourceArn; aws:SourceAccount is Account).
	SourceARN string
	// Region is the region of the request (aws:RequestedRegion and the role's
	// last-used region).
	Region string
	// Duration is the session's validity: 15 minutes to
	// ServiceSessionMaxDuration; zero means one hour.
	Duration time.Duration
}

// ServiceRoleSession is a role session issued by AssumeRoleForService.
type ServiceRoleSession struct {
	Credentials *stsapi.Credentials
	// RoleARN is the role's ARN; AssumedRoleARN the session's.
	RoleARN, AssumedRoleARN string
}

// AssumeRoleForService issues a session of a role to a service principal,
// as AWS does when a service assumes a role for a resource (EC2's instance
// profiles). The decision is the role's trust policy alone, evaluated the way
// AssumeRole evaluates it (a service principal has no identity-based
// policies, and SCPs and RCPs do not restrict service principals): it must
// allow sts:AssumeRole to the service principal, with aws:SourceAccount,
// aws:SourceArn and aws:PrincipalServiceName in the context. The source
// identity is set by the service, not by a caller, so sts:SetSourceIdentity
// is not asked. A missing, service-linked or refusing role is AccessDenied.
func (s *Service) AssumeRoleForService(ctx context.Context, r ServiceRoleRequest) (*ServiceRoleSession, error) {
	now := s.now()
	dur := r.Duration
	if dur == 0 {
		dur = defaultRoleDuration * time.Second
	}
	if dur < 15*time.Minute || dur > ServiceSessionMaxDuration {
		return nil, awserr.ValidationError("The requested duration %v is outside 15m0s to %v.", dur, ServiceSessionMaxDuration)
	}
	roleARN := arn.Role(r.Account, "/", r.RoleName)
	refused := func(arn string) *awserr.Error {
		return awserr.AccessDenied("Service: %s is not authorized to perform: sts:AssumeRole on resource: %s", r.Service, arn)
	}
	role, err := s.roleRecord(ctx, r.Account, r.RoleName)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refused(roleARN)
	}
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	if role.ServiceLinked {
		return nil, refused(role.ARN)
	}
	trust, err := s.dir.Compile(role.ARN+" trust policy", role.AssumeRolePolicyDocument, policy.KindTrust)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	pctx := policy.NewContext(8)
	pctx.Set("aws:PrincipalServiceName", r.Service)
	pctx.Set("aws:PrincipalType", policy.PrincipalService.String())
	pctx.Set("aws:PrincipalIsAWSService", "true")
	pctx.Set("aws:SourceAccount", r.Account)
	if r.SourceARN != "" {
		pctx.Set("aws:SourceArn", r.SourceARN)
	}
	pctx.Set("aws:CurrentTime", now.UTC().Format(time.RFC3339))
	pctx.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	if r.Region != "" {
		pctx.Set("aws:RequestedRegion", r.Region)
	}
	pctx.Set("sts:RoleSessionName", r.SessionName)
	req := &policy.Request{
		Principal: policy.Principal{Type: policy.PrincipalService, ARN: r.Service},
		Action:    "sts:AssumeRole", Resource: role.ARN, Context: pctx,
	}
	if !s.trustAllows(trust, req) {
		return nil, refused(role.ARN)
	}
	sess := &session.Session{
		Account: r.Account, Kind: session.KindRole, RoleARN: role.ARN, RoleName: role.Name, RoleID: role.ID,
		Name: r.SessionName, SourceIdentity: r.SourceIdentity, SourceInstanceARN: r.SourceInstanceARN,
	}
	creds, err := s.issue(sess, now, int32(dur/time.Second))
	if err != nil {
		return nil, err
	}
	if s.roleUse != nil {
		s.roleUse(r.Account, role.Name, role.ID, r.Region, now)
	}
	return &ServiceRoleSession{Credentials: creds, RoleARN: role.ARN, AssumedRoleARN: assumedRoleARN(r.Account, role.Name, r.SessionName)}, nil
}
