package sts

import (
	"context"
	"slices"
	"strings"

	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/session"
	"github.com/gatehouse-iam/gatehouse/store"
)

// AssumeRoot (STS API reference; IAM User Guide, "Perform a privileged task
// on an AWS Organizations member account"): the management account, or
// IAM's delegated administrator, of an organization whose centralized root
// access has RootSessions enabled (IAM's EnableOrganizationsRootSessions)
// obtains short-term credentials of a member account's root user, scoped
// by one of the task policies AWS defines. The session is the root user's,
// less what its task policy denies (policy.Evaluate), and member account
// SCPs still apply. It lasts up to 900 seconds (the default). Root user
// credentials cannot call it. The caller's identity policy must allow
// sts:AssumeRoot on the target's root user (arn:aws:iam::ACCOUNT:root),
// with sts:TaskPolicyArn.

// taskPolicies are the task policies an AssumeRoot session may use.
var taskPolicies = []string{
	"arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials",
	"arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword",
	"arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials",
	"arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy",
	"arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy",
}

// rootSessionDuration is AssumeRoot's maximum and default duration.
const rootSessionDuration = 900

// RootSessions tells AssumeRoot about the caller's organization;
// implemented by organizations.Service.
type RootSessions interface {
	// RootSessionsFor returns account's organization ("" for none),
	// whether it has RootSessions enabled, and whether account may open
	// root sessions (the management account or IAM's delegated
	// administrator).
	RootSessionsFor(ctx context.Context, account string) (org string, enabled, allowed bool, err error)
	// MemberOf reports whether account is a member account (not the
	// management account) of organization org.
	MemberOf(ctx context.Context, org, account string) (bool, error)
}

// UseRootSessions gives AssumeRoot the organizations (nil: AssumeRoot
// refuses every call). Call it before serving.
func (s *Service) UseRootSessions(r RootSessions) { s.rootSessions = r }

// targetAccount reads TargetPrincipal: an account id or its root user's
// ARN.
func targetAccount(p string) (string, bool) {
	if store.IsAccountID(p) {
		return p, true
	}
	acct, ok := strings.CutPrefix(p, "arn:"+arn.Partition+":iam::")
	acct, ok2 := strings.CutSuffix(acct, ":root")
	return acct, ok && ok2 && store.IsAccountID(acct)
}

func (s *Service) assumeRootOp() operation.Op {
	return operation.New("AssumeRoot", func(ctx context.Context, c *identity.Caller, in *stsapi.AssumeRootRequest) (operation.Authz, error) {
		az := operation.Authz{Action: "sts:AssumeRoot", Resource: "*", ResourceAccount: c.Account}
		if acct, ok := targetAccount(in.TargetPrincipal); ok {
			az.Resource = arn.Root(acct)
		}
		if in.TaskPolicyArn.Arn != nil {
			az.Context = map[string][]string{"sts:TaskPolicyArn": {*in.TaskPolicyArn.Arn}}
		}
		return az, nil
	}, s.assumeRoot)
}

func (s *Service) assumeRoot(ctx context.Context, c *identity.Caller, in *stsapi.AssumeRootRequest) (*stsapi.AssumeRootResponse, error) {
	if c.IsRoot() {
		return nil, awserr.AccessDenied("You cannot use root user credentials to call AssumeRoot.")
	}
	target, ok := targetAccount(in.TargetPrincipal)
	if !ok {
		return nil, awserr.ValidationError("TargetPrincipal must be a member account's id or its root user's ARN.")
	}
	task := ""
	if in.TaskPolicyArn.Arn != nil {
		task = *in.TaskPolicyArn.Arn
	}
	if !slices.Contains(taskPolicies, task) {
		return nil, awserr.ValidationError("TaskPolicyArn must be one of the task policies arn:aws:iam::aws:policy/root-task/….")
	}
	dur := int32(rootSessionDuration)
	if in.DurationSeconds != nil {
		dur = *in.DurationSeconds
	}
	var org string
	var enabled, allowed bool
	if s.rootSessions != nil {
		var err error
		if org, enabled, allowed, err = s.rootSessions.RootSessionsFor(ctx, c.Account); err != nil {
			return nil, awserr.InternalFailure(err)
		}
	}
	switch {
	case !enabled:
		return nil, awserr.AccessDenied("Root sessions are not enabled for the organization of account %s (IAM EnableOrganizationsRootSessions).", c.Account)
	case !allowed:
		return nil, awserr.AccessDenied("Only the management account or the delegated administrator for IAM can call AssumeRoot.")
	}
	member, err := s.rootSessions.MemberOf(ctx, org, target)
	if err != nil {
		return nil, awserr.InternalFailure(err)
	}
	if !member {
		return nil, awserr.AccessDenied("Account %s is not a member account of organization %s.", target, org)
	}
	sess := &session.Session{Account: target, Kind: session.KindRoot, PolicyARNs: []string{task}, SourceIdentity: c.SourceIdentity}
	creds, err := s.issue(sess, s.now(), dur)
	if err != nil {
		return nil, err
	}
	out := &stsapi.AssumeRootResponse{Credentials: creds}
	if c.SourceIdentity != "" {
		out.SourceIdentity = &c.SourceIdentity
	}
	return out, nil
}
