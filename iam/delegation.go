package iam

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/arn"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/policy"
	"github.com/gatehouse-iam/gatehouse/store"
)

// IAM temporary delegation (access_policies-temporary-delegation.html and
// temporary-delegation-building-integration.html): an onboarded partner
// account creates a delegation request from one of its policy templates;
// a customer associates it (becoming its owner), may forward it for approval
// (UpdateDelegationRequest, PENDING_APPROVAL), accepts or rejects it, and
// releases the exchange token (SendDelegationToken, FINALIZED), which the
// partner trades for credentials with STS GetDelegatedAccessToken.
const (
	// maxDelegationDuration: "The maximum duration for delegated access is
	// 12 hours" (access_policies-temporary-delegation.html).
	maxDelegationDuration = 12 * 3600
	// maxRootDelegationDuration: "root users can only approve delegation
	// requests with a duration of 4 hours or less" (ibid.).
	maxRootDelegationDuration = 4 * 3600
	// rejectedLifetime: "Rejected requests expire after 7 days"
	// (API_RejectDelegationRequest).
	rejectedLifetime = 7 * 24 * time.Hour
	// pendingLifetime is how long a request that is not finalized or
	// rejected lives. lifetime: not found in AWS docs (the lifecycle page
	// says requests expire "due to inactivity or timeout").
	pendingLifetime = 7 * 24 * time.Hour
	// maxRenderedPolicy: "The final rendered policy has a maximum size
	// limit of 2048 characters" (temporary-delegation-policy-templates.html).
	maxRenderedPolicy = 2048
)

// DelegationNotification is what SendDelegationToken delivers on a partner's
// notification channel: the exchange token of a request.
type DelegationNotification struct {
	// TopicARN is the request's NotificationChannel.
	TopicARN string
	// RequestID and WorkflowID name the request for the partner.
	RequestID, WorkflowID string
	// Token is the exchange (trade-in) token. It is a secret: never log it.
	Token string
	// Expiration is when the token and the delegated session end.
	Expiration time.Time
}

// DelegationNotifier delivers notifications to partners' endpoints. It must
// give up by the context's deadline.
type DelegationNotifier interface {
	DeliverDelegation(ctx context.Context, endpoint string, n DelegationNotification) error
}

// deliveryTimeout bounds one delivery of an exchange token.
const deliveryTimeout = 5 * time.Second

func (s *Service) delegationOps() []Op {
	return []Op{
		op("CreateDelegationRequest", func(ctx context.Context, c *identity.Caller, in *iamapi.CreateDelegationRequestRequest) (Authz, error) {
			az := Authz{Action: "iam:CreateDelegationRequest", Resource: delegationARN(c.Account, "*"), Context: map[string][]string{
				"iam:DelegationDuration":  {itoa32(in.SessionDuration)},
				"iam:NotificationChannel": {in.NotificationChannel},
			}}
			if in.Permissions.PolicyTemplateArn != nil {
				az.Context["iam:TemplateArn"] = []string{*in.Permissions.PolicyTemplateArn}
			}
			return az, nil
		}, s.createDelegationRequest),
		op("GetDelegationRequest", func(ctx context.Context, c *identity.Caller, in *iamapi.GetDelegationRequestRequest) (Authz, error) {
			return s.delegationAuthz(ctx, c, "iam:GetDelegationRequest", in.DelegationRequestId)
		}, s.getDelegationRequest),
		op("ListDelegationRequests", func(ctx context.Context, c *identity.Caller, in *iamapi.ListDelegationRequestsRequest) (Authz, error) {
			az := Authz{Action: "iam:ListDelegationRequests", Resource: "*"}
			if in.OwnerId != nil {
				az.Context = map[string][]string{"iam:DelegationRequestOwner": {*in.OwnerId}}
			}
			return az, nil
		}, s.listDelegationRequests),
		op("AssociateDelegationRequest", func(ctx context.Context, c *identity.Caller, in *iamapi.AssociateDelegationRequestRequest) (Authz, error) {
			return s.delegationAuthz(ctx, c, "iam:AssociateDelegationRequest", in.DelegationRequestId)
		}, s.associateDelegationRequest),
		op("AcceptDelegationRequest", func(ctx context.Context, c *identity.Caller, in *iamapi.AcceptDelegationRequestRequest) (Authz, error) {
			return s.delegationAuthz(ctx, c, "iam:AcceptDelegationRequest", in.DelegationRequestId)
		}, s.acceptDelegationRequest),
		op("RejectDelegationRequest", func(ctx context.Context, c *identity.Caller, in *iamapi.RejectDelegationRequestRequest) (Authz, error) {
			return s.delegationAuthz(ctx, c, "iam:RejectDelegationRequest", in.DelegationRequestId)
		}, s.rejectDelegationRequest),
		// iam:UpdateDelegationRequest is not in the service authorization
		// reference (which lists the other seven actions); IAM names its
		// actions after its operations, and the owner's default permission
		// (API_UpdateDelegationRequest) is granted under this name.
		op("UpdateDelegationRequest", func(ctx context.Context, c *identity.Caller, in *iamapi.UpdateDelegationRequestRequest) (Authz, error) {
			return s.delegationAuthz(ctx, c, "iam:UpdateDelegationRequest", in.DelegationRequestId)
		}, s.updateDelegationRequest),
		op("SendDelegationToken", func(ctx context.Context, c *identity.Caller, in *iamapi.SendDelegationTokenRequest) (Authz, error) {
			return s.delegationAuthz(ctx, c, "iam:SendDelegationToken", in.DelegationRequestId)
		}, s.sendDelegationToken),
		op("GetHumanReadableSummary", func(ctx context.Context, c *identity.Caller, in *iamapi.GetHumanReadableSummaryRequest) (Authz, error) {
			id, err := summaryEntity(in.EntityArn)
			if err != nil {
				return Authz{}, err
			}
			return s.delegationAuthz(ctx, c, "iam:GetHumanReadableSummary", id)
		}, s.getHumanReadableSummary),
	}
}

func itoa32(n int32) string { return itoa(int64(n)) }

// delegationARN is a delegation request's ARN as the caller's account sees
// it (arn:${Partition}:iam::${Account}:delegation-request/${DelegationRequestId}).
func delegationARN(account, id string) string { return iamARN(account, "delegation-request/"+id) }

// noSuchDelegation is the error for a request the caller may not address.
// wording: not found in AWS docs
func noSuchDelegation(id string) *awserr.Error {
	return awserr.NoSuchEntity("The delegation request with id %s cannot be found.", id)
}

// loadDelegation reads a request and refuses one the caller's account may
// not address: a request targeted to (or owned by) another account is
// invisible to it, except to the partner that created it
// (API_GetDelegationRequest: "If the owner account is assigned but there is
// no owner id, only identities within that owner account can call
// GetDelegationRequest").
func loadDelegation(ctx context.Context, tx store.ReadTx, c *identity.Caller, id string) (store.DelegationRequest, error) {
	r, err := store.GetJSON[store.DelegationRequest](ctx, tx, store.KindDelegationRequest, "", id)
	if err != nil {
		return r, notFound(err, noSuchDelegation(id))
	}
	if r.OwnerAccount != "" && r.OwnerAccount != c.Account && r.RequestorAccount != c.Account {
		return r, noSuchDelegation(id)
	}
	return r, nil
}

// delegationAuthz authorizes an action on a request: the caller's own
// policies, or the default permissions of "Managing Permissions for
// Delegation Requests" given as a resource-based policy. While a request has
// no owner any caller that may address it may get it (and its summary);
// once owned, its owner may get and update it. The request is addressed in
// the caller's account, so the decision is the caller's account's.
func (s *Service) delegationAuthz(ctx context.Context, c *identity.Caller, action, id string) (Authz, error) {
	var r store.DelegationRequest
	if err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		r, err = loadDelegation(ctx, tx, c, id)
		return err
	}); err != nil {
		return Authz{}, err
	}
	res := delegationARN(c.Account, id)
	az := Authz{Action: action, Resource: res}
	if r.OwnerID != "" {
		az.Context = map[string][]string{"iam:DelegationRequestOwner": {r.OwnerID}}
	}
	var grantee string
	var actions []string
	switch {
	case r.OwnerID == "" && r.RequestorAccount != c.Account:
		grantee, actions = c.ARN(), []string{"iam:GetDelegationRequest", "iam:GetHumanReadableSummary"}
	case r.OwnerID != "" && r.OwnerID == c.ARN():
		grantee, actions = c.ARN(), []string{"iam:GetDelegationRequest", "iam:GetHumanReadableSummary", "iam:UpdateDelegationRequest"}
	}
	if grantee != "" {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":` + jsonString(grantee) +
			`},"Action":["` + strings.Join(actions, `","`) + `"],"Resource":` + jsonString(res) + `}]}`
		p, err := s.dir.Compile("delegation request default permissions", doc, policy.KindResource)
		if err != nil {
			return Authz{}, awserr.InternalFailure(err)
		}
		az.ResourcePolicy = p
	}
	return az, nil
}

// effectiveState is the request's state at now: a request past its
// expiration is EXPIRED.
func effectiveState(r store.DelegationRequest, now time.Time) iamapi.StateType {
	if !r.Expiration.IsZero() && !now.Before(r.Expiration) {
		return iamapi.StateTypeEXPIRED
	}
	return iamapi.StateType(r.State)
}

// badState refuses a transition the request's state does not allow.
// wording: not found in AWS docs
func badState(r store.DelegationRequest, st iamapi.StateType, verb string) *awserr.Error {
	return awserr.InvalidInput("The delegation request %s is in state %s and cannot be %s.", r.ID, st, verb)
}

func (s *Service) createDelegationRequest(ctx context.Context, c *identity.Caller, in *iamapi.CreateDelegationRequestRequest) (*iamapi.CreateDelegationRequestResponse, error) {
	if in.SessionDuration > maxDelegationDuration {
		return nil, awserr.InvalidInput("SessionDuration must be at most %d seconds.", maxDelegationDuration)
	}
	if !snsTopicARN(in.NotificationChannel) {
		// "At this time, only SNS topic ARNs are accepted for notification."
		return nil, awserr.InvalidInput("NotificationChannel %s is not an SNS topic ARN.", in.NotificationChannel)
	}
	if in.Permissions.PolicyTemplateArn == nil {
		return nil, awserr.InvalidInput("Permissions must name a PolicyTemplateArn.")
	}
	id, err := s.delegationID()
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	var params []store.DelegationParameter
	for _, p := range in.Permissions.Parameters {
		dp := store.DelegationParameter{Values: p.Values}
		if p.Name != nil {
			dp.Name = *p.Name
		}
		if p.Type != nil {
			dp.Type = string(*p.Type)
		}
		params = append(params, dp)
	}
	err = s.update(ctx, func(tx store.Tx) error {
		partner, err := store.GetJSON[store.DelegationPartner](ctx, tx, store.KindDelegationPartner, "", c.Account)
		if errors.Is(err, store.ErrNotFound) {
			// "This API is not available for general use": the account has
			// not been onboarded (gatehouse admin delegation-partner).
			// wording: not found in AWS docs
			return awserr.AccessDenied("User: %s is not authorized to perform: iam:CreateDelegationRequest because account %s is not onboarded as a temporary delegation partner", c.ARN(), c.Account)
		}
		if err != nil {
			return err
		}
		var tmpl *store.DelegationTemplate
		for i := range partner.Templates {
			if partner.Templates[i].ARN == *in.Permissions.PolicyTemplateArn {
				tmpl = &partner.Templates[i]
			}
		}
		if tmpl == nil {
			return awserr.InvalidInput("The policy template %s is not registered for this partner.", *in.Permissions.PolicyTemplateArn)
		}
		doc, err := RenderDelegationTemplate(tmpl.Document, params)
		if err != nil {
			return err
		}
		if in.OwnerAccountId != nil {
			if _, ok := s.dir.Account(*in.OwnerAccountId); !ok {
				return awserr.InvalidInput("OwnerAccountId %s is not an account.", *in.OwnerAccountId)
			}
		}
		wf := store.DelegationWorkflowKey(c.Account, in.RequestorWorkflowId)
		if err := store.CreateJSON(ctx, tx, store.KindDelegationWorkflow, "", wf, id); err != nil {
			if errors.Is(err, store.ErrAlreadyExists) {
				// "IAM maintains a uniqueness check on this workflow id for
				// each request" (API_CreateDelegationRequest).
				return awserr.EntityAlreadyExists("A delegation request with RequestorWorkflowId %s already exists.", in.RequestorWorkflowId)
			}
			return err
		}
		r := store.DelegationRequest{ID: id, RequestorAccount: c.Account, RequestorName: partner.Name, Description: in.Description,
			TemplateARN: tmpl.ARN, Parameters: params, PermissionPolicy: doc, WorkflowID: in.RequestorWorkflowId,
			NotificationChannel: in.NotificationChannel, SessionDuration: in.SessionDuration, State: string(iamapi.StateTypeUNASSIGNED),
			CreateDate: now, UpdatedTime: now, Expiration: now.Add(pendingLifetime)}
		if in.OwnerAccountId != nil {
			r.OwnerAccount = *in.OwnerAccountId
		}
		if in.RequestMessage != nil {
			r.RequestMessage = *in.RequestMessage
		}
		if in.RedirectUrl != nil {
			r.RedirectURL = *in.RedirectUrl
		}
		if in.OnlySendByOwner != nil {
			r.OnlySendByOwner = *in.OnlySendByOwner
		}
		return store.CreateJSON(ctx, tx, store.KindDelegationRequest, "", id, r)
	})
	if err != nil {
		return nil, err
	}
	// ConsoleDeepLink is left out: Gatehouse's console has no delegation
	// request page to link to.
	return &iamapi.CreateDelegationRequestResponse{DelegationRequestId: &id}, nil
}

// snsTopicARN reports an arn:aws:sns:REGION:ACCOUNT:TOPIC ARN.
func snsTopicARN(s string) bool {
	a, err := arn.Parse(s)
	return err == nil && a.Service == "sns" && a.Region != "" && store.IsAccountID(a.Account) && a.Resource != "" && !strings.Contains(a.Resource, ":")
}

// delegationID returns a new request id (the model's [\w-]+, 16 to 128).
func (s *Service) delegationID() (string, error) {
	var b [16]byte
	if _, err := s.rand.Read(b[:]); err != nil {
		return "", awserr.InternalFailure(fmtErr("iam: generating a delegation request id: %w", err))
	}
	return "dr-" + strings.ToLower(base32NoPad(b[:])), nil
}

func delegationOut(r store.DelegationRequest, now time.Time) iamapi.DelegationRequest {
	st := effectiveState(r, now)
	out := iamapi.DelegationRequest{DelegationRequestId: ptr(r.ID), Description: ptr(r.Description), PermissionPolicy: ptr(r.PermissionPolicy),
		State: &st, ExpirationTime: ptr(r.Expiration), RequestorId: ptr(r.RequestorAccount), RequestorName: ptr(r.RequestorName),
		CreateDate: ptr(r.CreateDate), SessionDuration: ptr(r.SessionDuration), OnlySendByOwner: ptr(r.OnlySendByOwner), UpdatedTime: ptr(r.UpdatedTime)}
	perm := &iamapi.DelegationPermission{}
	if r.TemplateARN != "" {
		perm.PolicyTemplateArn = ptr(r.TemplateARN)
	}
	for _, p := range r.Parameters {
		pp := iamapi.PolicyParameter{Name: ptr(p.Name), Values: p.Values}
		if p.Type != "" {
			pp.Type = ptr(iamapi.PolicyParameterTypeEnum(p.Type))
		}
		perm.Parameters = append(perm.Parameters, pp)
	}
	out.Permissions = perm
	opt := func(v string) *string {
		if v == "" {
			return nil
		}
		return &v
	}
	out.OwnerAccountId, out.OwnerId, out.ApproverId = opt(r.OwnerAccount), opt(r.OwnerID), opt(r.ApproverID)
	out.RequestMessage, out.RedirectUrl, out.Notes, out.RejectionReason = opt(r.RequestMessage), opt(r.RedirectURL), opt(r.Notes), opt(r.RejectionReason)
	return out
}

func (s *Service) getDelegationRequest(ctx context.Context, c *identity.Caller, in *iamapi.GetDelegationRequestRequest) (*iamapi.GetDelegationRequestResponse, error) {
	var r store.DelegationRequest
	if err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		r, err = loadDelegation(ctx, tx, c, in.DelegationRequestId)
		return err
	}); err != nil {
		return nil, err
	}
	out := &iamapi.GetDelegationRequestResponse{DelegationRequest: ptr(delegationOut(r, s.now()))}
	if in.DelegationPermissionCheck != nil && *in.DelegationPermissionCheck {
		res, err := s.delegationPermissionCheck(ctx, c, r.PermissionPolicy)
		if err != nil {
			out.PermissionCheckStatus = ptr(iamapi.PermissionCheckStatusTypeFAILED)
		} else {
			out.PermissionCheckStatus, out.PermissionCheckResult = ptr(iamapi.PermissionCheckStatusTypeCOMPLETE), &res
		}
	}
	return out, nil
}

// delegationPermissionCheck estimates whether the caller holds the
// permissions the request asks for ("This is an approximate result"): each
// action and resource an Allow statement names literally is decided against
// the caller's identity-based policies. A wildcard, a NotAction or
// NotResource, or a condition makes the answer UNSURE at best.
func (s *Service) delegationPermissionCheck(ctx context.Context, c *identity.Caller, doc string) (iamapi.PermissionCheckResultType, error) {
	d, err := policy.Parse(doc, policy.KindSession)
	if err != nil {
		return "", err
	}
	var set *policy.Set
	switch c.Principal.Type {
	case policy.PrincipalRoot:
		return iamapi.PermissionCheckResultTypeALLOWED, nil
	case policy.PrincipalUser:
		set, err = s.dir.UserPolicies(ctx, c.Account, c.UserName)
	case policy.PrincipalRoleSession:
		set, err = s.dir.RolePolicies(ctx, c.Account, arnRoleName(c.Principal.RoleARN))
	default:
		return iamapi.PermissionCheckResultTypeUNSURE, nil
	}
	if err != nil {
		return "", err
	}
	result := iamapi.PermissionCheckResultTypeALLOWED
	for _, st := range d.Statements {
		if st.Effect != policy.Allow {
			continue
		}
		if st.NotAction || st.NotResource || len(st.Conditions) > 0 {
			result = iamapi.PermissionCheckResultTypeUNSURE
			continue
		}
		for _, a := range st.Actions {
			for _, res := range st.Resources {
				if strings.ContainsAny(a+res, "*?") {
					result = iamapi.PermissionCheckResultTypeUNSURE
					continue
				}
				req := &policy.Request{Principal: c.Principal, Action: a, Resource: res, Context: c.Context()}
				if policy.Evaluate(set, req).Decision != policy.Allowed {
					return iamapi.PermissionCheckResultTypeDENIED, nil
				}
			}
		}
	}
	return result, nil
}

// arnRoleName is the role name of a role ARN (the last path segment).
func arnRoleName(roleARN string) string { return roleARN[strings.LastIndexByte(roleARN, '/')+1:] }

func (s *Service) listDelegationRequests(ctx context.Context, c *identity.Caller, in *iamapi.ListDelegationRequestsRequest) (*iamapi.ListDelegationRequestsResponse, error) {
	p, err := pageOf(in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := &iamapi.ListDelegationRequestsResponse{DelegationRequests: []iamapi.DelegationRequest{}}
	err = s.view(ctx, func(tx store.ReadTx) error {
		// "If a delegation request has no owner, even if it is assigned to
		// a specific account, it will not be part of the
		// ListDelegationRequests output for that account."
		var got []store.DelegationRequest
		ids, truncated, marker, err := listPage(ctx, tx, store.ListOptions{Kind: store.KindOwnedDelegationRequest, Account: c.Account}, p,
			func(id string) bool {
				r, err := store.GetJSON[store.DelegationRequest](ctx, tx, store.KindDelegationRequest, "", id)
				if err != nil || (in.OwnerId != nil && r.OwnerID != *in.OwnerId) {
					return false
				}
				got = append(got, r)
				return true
			})
		if err != nil {
			return err
		}
		byID := map[string]store.DelegationRequest{}
		for _, r := range got {
			byID[r.ID] = r
		}
		for _, id := range ids {
			out.DelegationRequests = append(out.DelegationRequests, delegationOut(byID[id], now))
		}
		out.IsTruncated, out.Marker = truncatedOut(truncated, marker)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// transition reads request id for the caller, lets change check and modify
// it, and writes it back with its UpdatedTime.
func (s *Service) transition(ctx context.Context, c *identity.Caller, id string, change func(tx store.Tx, r *store.DelegationRequest, st iamapi.StateType, now time.Time) error) error {
	return s.update(ctx, func(tx store.Tx) error {
		r, err := loadDelegation(ctx, tx, c, id)
		if err != nil {
			return err
		}
		now := s.now().UTC().Truncate(time.Second)
		if err := change(tx, &r, effectiveState(r, now), now); err != nil {
			return err
		}
		r.UpdatedTime = now
		return store.PutJSON(ctx, tx, store.KindDelegationRequest, "", r.ID, r)
	})
}

// requireOwnerAccount refuses a customer action from outside the account
// that owns the request (the partner included).
func requireOwnerAccount(c *identity.Caller, r *store.DelegationRequest) error {
	if r.OwnerAccount != c.Account {
		return noSuchDelegation(r.ID)
	}
	return nil
}

func (s *Service) associateDelegationRequest(ctx context.Context, c *identity.Caller, in *iamapi.AssociateDelegationRequestRequest) (*noOutput, error) {
	return done(s.transition(ctx, c, in.DelegationRequestId, func(tx store.Tx, r *store.DelegationRequest, st iamapi.StateType, now time.Time) error {
		if r.RequestorAccount == c.Account && r.OwnerAccount != c.Account {
			// wording: not found in AWS docs
			return awserr.InvalidInput("The delegation request %s cannot be associated with the account that created it.", r.ID)
		}
		if st != iamapi.StateTypeUNASSIGNED {
			return badState(*r, st, "associated")
		}
		if c.Principal.Type == policy.PrincipalFederatedUser {
			return awserr.InvalidInput("A federated user cannot own a delegation request.")
		}
		r.OwnerAccount, r.OwnerID = c.Account, c.ARN()
		r.State = string(iamapi.StateTypeASSIGNED)
		return store.PutJSON(ctx, tx, store.KindOwnedDelegationRequest, c.Account, r.ID, r.ID)
	}))
}

func (s *Service) updateDelegationRequest(ctx context.Context, c *identity.Caller, in *iamapi.UpdateDelegationRequestRequest) (*noOutput, error) {
	return done(s.transition(ctx, c, in.DelegationRequestId, func(tx store.Tx, r *store.DelegationRequest, st iamapi.StateType, now time.Time) error {
		if err := requireOwnerAccount(c, r); err != nil {
			return err
		}
		// "When the delegation request is updated, it reaches the
		// PENDING_APPROVAL state."
		if st != iamapi.StateTypeASSIGNED && st != iamapi.StateTypePENDING_APPROVAL {
			return badState(*r, st, "updated")
		}
		if in.Notes != nil {
			r.Notes = *in.Notes
		}
		r.State = string(iamapi.StateTypePENDING_APPROVAL)
		return nil
	}))
}

func (s *Service) acceptDelegationRequest(ctx context.Context, c *identity.Caller, in *iamapi.AcceptDelegationRequestRequest) (*noOutput, error) {
	return done(s.transition(ctx, c, in.DelegationRequestId, func(tx store.Tx, r *store.DelegationRequest, st iamapi.StateType, now time.Time) error {
		if err := requireOwnerAccount(c, r); err != nil {
			return err
		}
		if st != iamapi.StateTypeASSIGNED && st != iamapi.StateTypePENDING_APPROVAL {
			return badState(*r, st, "accepted")
		}
		// "At the time of acceptance, IAM records the details and the state
		// of the identity that called this API. This is the identity that
		// gets mapped to the delegated credential."
		p := store.DelegationPrincipal{Account: c.Account, ARN: c.ARN()}
		switch c.Principal.Type {
		case policy.PrincipalRoot:
			if r.SessionDuration > maxRootDelegationDuration {
				// wording: not found in AWS docs
				return awserr.InvalidInput("The root user can approve only delegation requests with a duration of %d seconds or less.", maxRootDelegationDuration)
			}
			p.Type = "root"
		case policy.PrincipalUser:
			p.Type, p.UserName = "user", c.UserName
		case policy.PrincipalRoleSession:
			role, err := getRole(ctx, tx, c.Account, arnRoleName(c.Principal.RoleARN))
			if err != nil {
				return err
			}
			p.Type, p.RoleName, p.RoleID, p.SessionName = "role", role.Name, role.ID, c.SessionName
		default:
			return awserr.InvalidInput("A %s cannot accept a delegation request.", c.Principal.Type)
		}
		r.Accepted, r.ApproverID = &p, c.ARN()
		r.State = string(iamapi.StateTypeACCEPTED)
		return nil
	}))
}

func (s *Service) rejectDelegationRequest(ctx context.Context, c *identity.Caller, in *iamapi.RejectDelegationRequestRequest) (*noOutput, error) {
	return done(s.transition(ctx, c, in.DelegationRequestId, func(tx store.Tx, r *store.DelegationRequest, st iamapi.StateType, now time.Time) error {
		if err := requireOwnerAccount(c, r); err != nil {
			return err
		}
		// "An accepted request may be rejected before the exchange token is
		// sent"; "Once a request is rejected, it cannot be accepted or
		// updated later."
		switch st {
		case iamapi.StateTypeASSIGNED, iamapi.StateTypePENDING_APPROVAL, iamapi.StateTypeACCEPTED:
		default:
			return badState(*r, st, "rejected")
		}
		if in.Notes != nil {
			r.RejectionReason = *in.Notes
		}
		r.State = string(iamapi.StateTypeREJECTED)
		r.Accepted = nil
		r.Expiration = now.Add(rejectedLifetime)
		return nil
	}))
}

func (s *Service) sendDelegationToken(ctx context.Context, c *identity.Caller, in *iamapi.SendDelegationTokenRequest) (*noOutput, error) {
	var r store.DelegationRequest
	var partner store.DelegationPartner
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		if r, err = loadDelegation(ctx, tx, c, in.DelegationRequestId); err != nil {
			return err
		}
		if err := requireOwnerAccount(c, &r); err != nil {
			return err
		}
		partner, err = store.GetJSON[store.DelegationPartner](ctx, tx, store.KindDelegationPartner, "", r.RequestorAccount)
		return err
	})
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Second)
	if st := effectiveState(r, now); st != iamapi.StateTypeACCEPTED {
		return nil, badState(r, st, "finalized")
	}
	if r.OnlySendByOwner && c.ARN() != r.OwnerID {
		// "This flag prevents any party other than the owner from calling
		// SendDelegationToken API for this delegation request."
		return nil, awserr.AccessDenied("User: %s is not authorized to perform: iam:SendDelegationToken on resource: %s because only the owner of the delegation request may send its token", c.ARN(), delegationARN(c.Account, r.ID))
	}
	if s.notifier == nil {
		return nil, awserr.ServiceFailure("Request processing has failed due to an unknown error, exception or failure.").WithCause(errors.New("iam: no delegation notifier"))
	}
	var raw [32]byte
	if _, err := s.rand.Read(raw[:]); err != nil {
		return nil, awserr.InternalFailure(err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw[:])
	hash := store.DelegationTokenHash(token)
	// "The delegation period (exchange token validity) begins when the
	// request reaches Finalized state" (the request lifecycle).
	exp := now.Add(time.Duration(r.SessionDuration) * time.Second)
	// The token is delivered before the request is finalized: a delivery
	// that fails leaves it ACCEPTED (the caller may retry), and a token
	// delivered for a commit that then fails opens nothing (its hash was
	// never stored).
	dctx, cancel := context.WithTimeout(ctx, deliveryTimeout)
	err = s.notifier.DeliverDelegation(dctx, partner.Endpoint, DelegationNotification{TopicARN: r.NotificationChannel, RequestID: r.ID,
		WorkflowID: r.WorkflowID, Token: token, Expiration: exp})
	cancel()
	if err != nil {
		return nil, awserr.ServiceFailure("Request processing has failed due to an unknown error, exception or failure.").WithCause(fmtErr("iam: delivering the exchange token of %s: %w", r.ID, err))
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		cur, err := loadDelegation(ctx, tx, c, r.ID)
		if err != nil {
			return err
		}
		if effectiveState(cur, now) != iamapi.StateTypeACCEPTED || cur.UpdatedTime != r.UpdatedTime {
			return awserr.ConcurrentModification("The delegation request %s changed while its token was sent.", r.ID)
		}
		cur.State = string(iamapi.StateTypeFINALIZED)
		cur.TokenHash, cur.Expiration, cur.UpdatedTime = hash, exp, now
		if err := store.CreateJSON(ctx, tx, store.KindDelegationToken, "", store.DelegationTokenKey(hash), cur.ID); err != nil {
			return err
		}
		return store.PutJSON(ctx, tx, store.KindDelegationRequest, "", cur.ID, cur)
	}))
}

// RegisterDelegationPartner onboards an account as a temporary delegation
// partner (AWS's onboarding is a process with AWS, "This API is not
// available for general use"): its requestor name, the endpoint its
// notification channel delivers to, and its policy templates by name. It
// returns the templates' ARNs, arn:aws:iam::ACCOUNT:delegation-template/NAME
// (an ARN format of Gatehouse's: AWS assigns template ARNs at onboarding
// without documenting their form). Registering again replaces the partner.
func (s *Service) RegisterDelegationPartner(ctx context.Context, account, name, endpoint string, templates map[string]string) ([]string, error) {
	if _, ok := s.dir.Account(account); !ok {
		return nil, fmtErr("account %s does not exist", account)
	}
	if name == "" || len(name) > 30 {
		return nil, fmtErr("the partner name must have 1 to 30 characters")
	}
	if err := checkEndpoint(endpoint); err != nil {
		return nil, err
	}
	p := store.DelegationPartner{Account: account, Name: name, Endpoint: endpoint}
	var arns []string
	for tn, doc := range templates {
		if tn == "" || strings.ContainsAny(tn, "/: ") {
			return nil, fmtErr("template name %q must be non-empty without '/', ':' or spaces", tn)
		}
		if _, err := policy.Parse(placeholderProbe(doc), policy.KindSession); err != nil {
			return nil, fmtErr("template %s: %w", tn, err)
		}
		a := iamARN(account, "delegation-template/"+tn)
		p.Templates = append(p.Templates, store.DelegationTemplate{ARN: a, Document: doc})
		arns = append(arns, a)
	}
	err := s.update(ctx, func(tx store.Tx) error {
		return store.PutJSON(ctx, tx, store.KindDelegationPartner, "", account, p)
	})
	return arns, err
}

// checkEndpoint accepts an https URL, or an http URL on the loopback
// interface (a partner's listener on the same machine).
func checkEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return fmtErr("endpoint %q is not an absolute URL", endpoint)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		h := u.Hostname()
		if ip := net.ParseIP(h); h == "localhost" || (ip != nil && ip.IsLoopback()) {
			return nil
		}
	}
	return fmtErr("endpoint %q must be https, or http on the loopback interface", endpoint)
}
