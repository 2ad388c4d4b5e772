package organizations

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Invitations and membership, as the Organizations User Guide describes them
// ("Inviting an AWS account to join your organization",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_invites.html,
// and "Leaving an organization as a member account"): the management
// account invites an account Gatehouse holds, by id or by its root email;
// the invitation is an INVITE handshake, OPEN for 15 days, that the invited
// account accepts (it joins the root, with the default policies of every
// enabled type, as a created account does), declines, or the sender cancels.
// An invitation counts against the account quota while it is open ("Quotas
// for AWS Organizations",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html).

const (
	// inviteWindow is how long an invitation stays open.
	inviteWindow = 15 * 24 * time.Hour
	// handshakeRetention is how long a closed handshake stays visible:
	// "Handshakes that are CANCELED, ACCEPTED, DECLINED, or EXPIRED show up
	// in lists for only 30 days after entering that state" (API reference,
	// Handshake).
	handshakeRetention = 30 * 24 * time.Hour
	// maxInvitesPerDay is the quota of invitations an organization sends in
	// a day.
	maxInvitesPerDay = 20
	// leaveWaitPeriod is how long a created account waits before it may
	// leave (ConstraintViolationException WAIT_PERIOD_ACTIVE).
	leaveWaitPeriod = 4 * 24 * time.Hour
)

// emailPattern is the model's Email pattern; an EMAIL target must match it.
var emailPattern = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)

func (s *Service) handshakeOps() []operation.Op {
	return []operation.Op{
		operation.New("InviteAccountToOrganization", s.inviteAuthz, func(ctx context.Context, c *identity.Caller, in *orgapi.InviteAccountToOrganizationRequest) (*orgapi.InviteAccountToOrganizationResponse, error) {
			return s.invite(withOperation(ctx, "InviteAccountToOrganization"), c, in)
		}),
		op(s, "CancelHandshake", nil, s.cancelHandshake),
		op(s, "ListHandshakesForOrganization", nil, s.listHandshakesForOrganization),
		anyOp(s, "DeclineHandshake", s.declineHandshake),
		anyOp(s, "ListHandshakesForAccount", s.listHandshakesForAccount),
		anyOp(s, "LeaveOrganization", s.leaveOrganization),
	}
}

// anyOp builds an operation any account may call, in an organization or
// not (the operation itself decides whose the call is: the recipient of a
// handshake, a member account leaving); its action is "organizations:"+name
// on "*".
func anyOp[I, O any](s *Service, name string, run func(ctx context.Context, c *identity.Caller, in I) (O, error)) operation.Op {
	return operation.New(name, func(context.Context, *identity.Caller, I) (operation.Authz, error) {
		return operation.Authz{Action: "organizations:" + name, Resource: "*"}, nil
	}, func(ctx context.Context, c *identity.Caller, in I) (O, error) {
		return run(withOperation(ctx, name), c, in)
	})
}

// inviteAuthz authorizes an invitation: organizations:InviteAccountToOrganization,
// and organizations:TagResource when it carries tags ("If the request
// includes tags, then the requester must have the organizations:TagResource
// permission").
func (s *Service) inviteAuthz(ctx context.Context, c *identity.Caller, in *orgapi.InviteAccountToOrganizationRequest) (operation.Authz, error) {
	az := operation.Authz{Action: "organizations:InviteAccountToOrganization", Resource: "*"}
	if err := s.delegate(ctx, c, "InviteAccountToOrganization", &az); err != nil {
		return operation.Authz{}, err
	}
	if len(in.Tags) > 0 {
		tag := operation.Authz{Action: "organizations:TagResource", Resource: "*", ResourceAccount: az.ResourceAccount, ResourcePolicy: az.ResourcePolicy}
		az.Also = append(az.Also, tag)
	}
	return az, nil
}

// handshakeOpen reports whether h can still be answered at now.
func handshakeOpen(h handshakeRecord, now time.Time) bool {
	return (h.State == "REQUESTED" || h.State == "OPEN") && now.Before(h.Expires)
}

// settle returns h with its state as of now: EXPIRED past its expiry.
func settle(h handshakeRecord, now time.Time) handshakeRecord {
	if (h.State == "REQUESTED" || h.State == "OPEN") && !now.Before(h.Expires) {
		h.State = "EXPIRED"
		h.Changed = h.Expires
	}
	return h
}

// retained reports whether a settled handshake is still shown at now.
func retained(h handshakeRecord, now time.Time) bool {
	if h.State == "REQUESTED" || h.State == "OPEN" {
		return true
	}
	return now.Before(h.Changed.Add(handshakeRetention))
}

// inviteOut renders an INVITE handshake as the API reference's examples
// show it: the organization and the invited party; the organization with
// its management account's email and name and its feature set, the invited
// account or email, and the notes.
func inviteOut(h handshakeRecord) *orgapi.Handshake {
	org := orgapi.HandshakeResource{Type: (*orgapi.HandshakeResourceType)(str("ORGANIZATION")), Value: str(h.OrgID)}
	if h.MasterEmail != "" {
		org.Resources = append(org.Resources, orgapi.HandshakeResource{Type: (*orgapi.HandshakeResourceType)(str("MASTER_EMAIL")), Value: str(h.MasterEmail)})
	}
	org.Resources = append(org.Resources,
		orgapi.HandshakeResource{Type: (*orgapi.HandshakeResourceType)(str("MASTER_NAME")), Value: str(h.MasterName)},
		orgapi.HandshakeResource{Type: (*orgapi.HandshakeResourceType)(str("ORGANIZATION_FEATURE_SET")), Value: str(h.FeatureSet)})
	res := []orgapi.HandshakeResource{org, {Type: (*orgapi.HandshakeResourceType)(str(h.TargetType)), Value: str(h.TargetID)}}
	if h.Notes != "" {
		res = append(res, orgapi.HandshakeResource{Type: (*orgapi.HandshakeResourceType)(str("NOTES")), Value: str(h.Notes)})
	}
	return &orgapi.Handshake{
		Id: str(h.ID), Arn: str(h.ARN), State: (*orgapi.HandshakeState)(str(h.State)), Action: (*orgapi.ActionType)(str(h.Action)),
		RequestedTimestamp: tm(h.Requested), ExpirationTimestamp: tm(h.Expires),
		Parties: []orgapi.HandshakeParty{
			{Id: h.OrgID, Type: orgapi.HandshakePartyTypeORGANIZATION},
			{Id: h.TargetID, Type: orgapi.HandshakePartyType(h.TargetType)},
		},
		Resources: res,
	}
}

// anyHandshakeOut renders a handshake of any action.
func anyHandshakeOut(h handshakeRecord, org string) *orgapi.Handshake {
	switch {
	case h.Action == "INVITE":
		return inviteOut(h)
	case h.Action == actionTransfer:
		return transferHandshakeOut(h)
	case isChild(h):
		return childOut(h)
	}
	return handshakeOut(h, org)
}

// allHandshakes lists every organization's handshakes (for the recipient's
// side: an invited account belongs to none of them yet).
func allHandshakes(ctx context.Context, tx store.ReadTx) ([]handshakeRecord, error) {
	return store.ListValues[handshakeRecord](ctx, tx, store.ListOptions{Kind: kindOrgHandshake})
}

// receives reports whether account acct receives handshake h: it is the
// invited account, by id or by its root email.
func receives(h handshakeRecord, acct store.Account) bool {
	if h.Action != "INVITE" && h.Action != actionTransfer && !(h.Action == actionEnableAll && isChild(h)) {
		return false
	}
	switch h.TargetType {
	case "ACCOUNT":
		return h.TargetID == acct.ID
	case "EMAIL":
		return acct.Email != "" && strings.EqualFold(h.TargetID, acct.Email)
	}
	return false
}

// handshakeRole is how a caller stands to a handshake.
type handshakeRole int

const (
	roleSender    handshakeRole = iota + 1 // the management account of its organization
	roleMember                             // another account of its organization
	roleRecipient                          // the invited account
)

// findHandshake returns the handshake id that the caller's account may see,
// as of now, and how the caller stands to it; HandshakeNotFoundException
// when it may see none.
func (s *Service) findHandshake(ctx context.Context, tx store.ReadTx, account, id string, now time.Time) (handshakeRecord, handshakeRole, orgRecord, error) {
	acct, err := store.GetJSON[store.Account](ctx, tx, store.KindAccount, "", account)
	if err != nil {
		return handshakeRecord{}, 0, orgRecord{}, err
	}
	o, _, err := orgOf(ctx, tx, account)
	if err != nil {
		if _, ok := isAWS(err); !ok {
			return handshakeRecord{}, 0, o, err
		}
	} else {
		h, err := store.GetJSON[handshakeRecord](ctx, tx, kindOrgHandshake, "", o.ID+"/"+id)
		if err == nil {
			h = settle(h, now)
			if !retained(h, now) {
				return h, 0, o, handshakeNotFound()
			}
			switch {
			case o.MasterAccountID == account:
				return h, roleSender, o, nil
			case receives(h, acct): // an invited account that joined
				return h, roleRecipient, o, nil
			}
			return h, roleMember, o, nil
		}
		if !isNotFound(err) {
			return h, 0, o, err
		}
	}
	hs, err := store.ListValues[handshakeRecord](ctx, tx, store.ListOptions{Kind: kindOrgHandshake})
	if err != nil {
		return handshakeRecord{}, 0, o, err
	}
	for _, h := range hs {
		if h.ID != id || !receives(h, acct) {
			continue
		}
		h = settle(h, now)
		if !retained(h, now) {
			break
		}
		sender, err := store.GetJSON[orgRecord](ctx, tx, kindOrg, "", h.OrgID)
		if err != nil && !isNotFound(err) {
			return h, 0, o, err
		}
		return h, roleRecipient, sender, nil
	}
	return handshakeRecord{}, 0, o, handshakeNotFound()
}

func invalidPartyType() error {
	return invalidInput("INVALID_PARTY_TYPE_TARGET", "You specified the wrong type of entity (account, organization, or email) as a party.")
}

// accountsByTarget returns the account an invitation's target names, if
// Gatehouse holds it.
func accountByTarget(ctx context.Context, tx store.ReadTx, typ, id string) (store.Account, bool, error) {
	if typ == "ACCOUNT" {
		a, err := store.GetJSON[store.Account](ctx, tx, store.KindAccount, "", id)
		if isNotFound(err) {
			return a, false, nil
		}
		return a, err == nil, err
	}
	all, err := store.ListValues[store.Account](ctx, tx, store.ListOptions{Kind: store.KindAccount})
	if err != nil {
		return store.Account{}, false, err
	}
	for _, a := range all {
		if a.Email != "" && strings.EqualFold(a.Email, id) {
			return a, true, nil
		}
	}
	return store.Account{}, false, nil
}

func alreadyInOrganization() error {
	return handshakeConstraint("ALREADY_IN_AN_ORGANIZATION", "The handshake request is invalid because the invited account is already a member of an organization.")
}

func accountLimit() error {
	return handshakeConstraint("ACCOUNT_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the limit on the number of accounts in an organization.")
}

// openInvites counts the organization's open invitations at now.
func openInvites(hs []handshakeRecord, now time.Time) int {
	n := 0
	for _, h := range hs {
		if h.Action == "INVITE" && handshakeOpen(h, now) {
			n++
		}
	}
	return n
}

// invite sends an invitation: only the management account may, to an
// account that is in no organization (when Gatehouse holds it), within the
// account quota (members and open invitations) and the daily quota of
// invitations, and never while all features are being enabled. A target
// that names no account Gatehouse holds gets its invitation all the same,
// as AWS mails one; it can be accepted once an account with that id or
// email exists.
func (s *Service) invite(ctx context.Context, c *identity.Caller, in *orgapi.InviteAccountToOrganizationRequest) (*orgapi.InviteAccountToOrganizationResponse, error) {
	target := in.Target
	switch target.Type {
	case orgapi.HandshakePartyTypeACCOUNT:
		if !store.IsAccountID(target.Id) {
			return nil, invalidPartyType()
		}
	case orgapi.HandshakePartyTypeEMAIL:
		if len(target.Id) < 6 || !emailPattern.MatchString(target.Id) {
			return nil, invalidInput("INVALID_EMAIL_ADDRESS_TARGET", "You specified an invalid email address for the invited account owner.")
		}
	default:
		return nil, invalidPartyType()
	}
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	id, err := s.randomID("h-", 10)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var h handshakeRecord
	err = s.update(ctx, func(tx store.Tx) error {
		o, err := managementOnly(ctx, tx, c.Account)
		if err != nil {
			return err
		}
		hs, err := store.ListValues[handshakeRecord](ctx, tx, store.ListOptions{Kind: kindOrgHandshake, Prefix: o.ID + "/"})
		if err != nil {
			return err
		}
		if _, pending, err := pendingAllFeatures(ctx, tx, o.ID, now); err != nil {
			return err
		} else if pending {
			return handshakeConstraint("INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES", "You can't issue new invitations to join an organization while it's in the process of enabling all features. You can resume inviting accounts after you finalize the process when all accounts have agreed to the change.")
		}
		acct, held, err := accountByTarget(ctx, tx, string(target.Type), target.Id)
		if err != nil {
			return err
		}
		if held {
			if _, err := tx.Get(ctx, kindOrgAccount, "", acct.ID); err == nil {
				return alreadyInOrganization()
			} else if !isNotFound(err) {
				return err
			}
		}
		for _, x := range hs {
			if x.Action != "INVITE" || !handshakeOpen(x, now) {
				continue
			}
			if (x.TargetType == string(target.Type) && strings.EqualFold(x.TargetID, target.Id)) || (held && receives(x, acct)) {
				return orgErr("DuplicateHandshakeException", "A handshake with the same action and target already exists. For example, if you invited an account to join your organization, the invited account might already have a pending invitation from this organization. If you intend to resend an invitation to an account, ensure that existing handshakes that might be considered duplicates are canceled or declined.")
			}
		}
		sent := 0
		for _, x := range hs {
			if x.Action == "INVITE" && now.Sub(x.Requested) < 24*time.Hour {
				sent++
			}
		}
		if sent >= maxInvitesPerDay {
			return handshakeConstraint("HANDSHAKE_RATE_LIMIT_EXCEEDED", "You attempted to exceed the number of handshakes that you can send in one day.")
		}
		ms, err := members(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		if len(ms)+openInvites(hs, now) >= maxAccounts {
			return accountLimit()
		}
		masterName := o.MasterAccountID
		if m, err := store.GetJSON[store.Account](ctx, tx, store.KindAccount, "", o.MasterAccountID); err == nil && m.Name != "" {
			masterName = m.Name
		}
		h = handshakeRecord{ID: id, ARN: handshakeARN(o.MasterAccountID, o.ID, "INVITE", id), Action: "INVITE", State: "OPEN",
			Requested: now, Expires: now.Add(inviteWindow), OrgID: o.ID, MasterEmail: o.MasterAccountEmail, MasterName: masterName,
			FeatureSet: o.FeatureSet, TargetType: string(target.Type), TargetID: target.Id, Tags: storeTags(in.Tags)}
		if in.Notes != nil {
			h.Notes = *in.Notes
		}
		return store.CreateJSON(ctx, tx, kindOrgHandshake, "", o.ID+"/"+id, h)
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.InviteAccountToOrganizationResponse{Handshake: inviteOut(h)}, nil
}

// transition moves an open handshake to state to, with AWS's errors for
// one already there or closed otherwise.
func transition(h *handshakeRecord, to string, now time.Time) error {
	switch h.State {
	case to:
		return orgErr("HandshakeAlreadyInStateException", "The specified handshake is already in the requested state.")
	case "REQUESTED", "OPEN":
	default:
		return orgErr("InvalidHandshakeTransitionException", "You can't perform the operation on the handshake in its current state.")
	}
	h.State, h.Changed = to, now
	return nil
}

// answer runs a transition of the handshake id by a caller allowed as one
// of roles (AccessDeniedException for a party in another role), stores it
// and returns it rendered.
func (s *Service) answer(ctx context.Context, c *identity.Caller, id, to string, allowed handshakeRole, then func(tx store.Tx, h handshakeRecord, o orgRecord) error) (*orgapi.Handshake, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	var h handshakeRecord
	var org string
	err := s.update(ctx, func(tx store.Tx) error {
		var role handshakeRole
		var o orgRecord
		var err error
		h, role, o, err = s.findHandshake(ctx, tx, c.Account, id, now)
		if err != nil {
			return err
		}
		org = o.ID
		if role != allowed {
			return accessDenied()
		}
		if err := transition(&h, to, now); err != nil {
			return err
		}
		if then != nil {
			if err := then(tx, h, o); err != nil {
				return err
			}
		}
		if h.Action == actionTransfer {
			if err := settleTransfer(ctx, tx, h); err != nil {
				return err
			}
		}
		key := h.OrgID
		if key == "" {
			key = o.ID
		}
		return store.PutJSON(ctx, tx, kindOrgHandshake, "", key+"/"+h.ID, h)
	})
	if err != nil {
		return nil, err
	}
	return anyHandshakeOut(h, org), nil
}

// declineHandshake: "Only the account that receives a handshake can call
// this operation."
func (s *Service) declineHandshake(ctx context.Context, c *identity.Caller, in *orgapi.DeclineHandshakeRequest) (*orgapi.DeclineHandshakeResponse, error) {
	h, err := s.answer(ctx, c, in.HandshakeId, "DECLINED", roleRecipient, nil)
	if err != nil {
		return nil, err
	}
	return &orgapi.DeclineHandshakeResponse{Handshake: h}, nil
}

// cancelHandshake: "Only the account that sent a handshake can call this
// operation."
func (s *Service) cancelHandshake(ctx context.Context, c *identity.Caller, in *orgapi.CancelHandshakeRequest) (*orgapi.CancelHandshakeResponse, error) {
	h, err := s.answer(ctx, c, in.HandshakeId, "CANCELED", roleSender, func(tx store.Tx, h handshakeRecord, o orgRecord) error {
		if h.Action == actionEnableAll && !isChild(h) {
			return cancelChildren(ctx, tx, o, h.ID, s.now().UTC())
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.CancelHandshakeResponse{Handshake: h}, nil
}

// join makes the invited account acct a member of organization o in its
// root, with the handshake's tags and the default policy of every enabled
// type (FullAWSAccess for SCPs), as AWS attaches them to any new member.
func join(ctx context.Context, tx store.Tx, o orgRecord, acct store.Account, h handshakeRecord, now time.Time) error {
	if _, err := tx.Get(ctx, kindOrgAccount, "", acct.ID); err == nil {
		return alreadyInOrganization()
	} else if !isNotFound(err) {
		return err
	}
	ms, err := members(ctx, tx, o.ID)
	if err != nil {
		return err
	}
	if len(ms) >= maxAccounts {
		return accountLimit()
	}
	root, err := getRoot(ctx, tx, o)
	if err != nil {
		return err
	}
	name := acct.Name
	if name == "" {
		name = acct.ID
	}
	m := memberRecord{AccountID: acct.ID, ARN: accountARN(o.MasterAccountID, o.ID, acct.ID), Name: name, Email: acct.Email,
		OrgID: o.ID, ParentID: root.ID, Status: "ACTIVE", JoinedMethod: "INVITED", Joined: now, Tags: h.Tags}
	if err := store.CreateJSON(ctx, tx, kindOrgAccount, "", acct.ID, m); err != nil {
		return err
	}
	return attachDefaults(ctx, tx, o.ID, root, acct.ID, "ACCOUNT")
}

// acceptInvite accepts an INVITE: only the invited account may; it joins
// the organization that sent it.
func (s *Service) acceptInvite(ctx context.Context, c *identity.Caller, id string) (*orgapi.Handshake, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.answer(ctx, c, id, "ACCEPTED", roleRecipient, func(tx store.Tx, h handshakeRecord, o orgRecord) error {
		if o.ID == "" {
			// The organization was deleted since it sent the invitation.
			return orgErr("InvalidHandshakeTransitionException", "You can't perform the operation on the handshake in its current state.")
		}
		acct, err := store.GetJSON[store.Account](ctx, tx, store.KindAccount, "", c.Account)
		if err != nil {
			return err
		}
		return join(ctx, tx, o, acct, h, now)
	})
}

// handshakeFilter checks a HandshakeFilter and returns its test.
func handshakeFilter(f *orgapi.HandshakeFilter) (func(handshakeRecord) bool, error) {
	if f == nil {
		return func(handshakeRecord) bool { return true }, nil
	}
	if f.ActionType != nil && f.ParentHandshakeId != nil {
		return nil, invalidInput("MAX_FILTER_LIMIT_EXCEEDED", "You can specify only one filter parameter for the operation.")
	}
	return func(h handshakeRecord) bool {
		if f.ActionType != nil && string(*f.ActionType) != h.Action {
			return false
		}
		return f.ParentHandshakeId == nil || *f.ParentHandshakeId == h.ParentID
	}, nil
}

// sortHandshakes orders handshakes by the time they were requested.
func sortHandshakes(hs []handshakeRecord) {
	slices.SortFunc(hs, func(a, b handshakeRecord) int {
		if c := a.Requested.Compare(b.Requested); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// listHandshakesForOrganization lists the handshakes the organization sent.
func (s *Service) listHandshakesForOrganization(ctx context.Context, c *identity.Caller, in *orgapi.ListHandshakesForOrganizationRequest) (*orgapi.ListHandshakesForOrganizationResponse, error) {
	keep, err := handshakeFilter(in.Filter)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out, next, err := listOrg(ctx, s, c, in.NextToken, in.MaxResults, func(tx store.ReadTx, o orgRecord) ([]orgapi.Handshake, error) {
		hs, err := store.ListValues[handshakeRecord](ctx, tx, store.ListOptions{Kind: kindOrgHandshake, Prefix: o.ID + "/"})
		if err != nil {
			return nil, err
		}
		sortHandshakes(hs)
		var all []orgapi.Handshake
		for _, h := range hs {
			h = settle(h, now)
			if retained(h, now) && keep(h) {
				all = append(all, *anyHandshakeOut(h, o.ID))
			}
		}
		return all, nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.ListHandshakesForOrganizationResponse{Handshakes: out, NextToken: next}, nil
}

// listHandshakesForAccount lists the handshakes the caller's account
// received: the invitations to it, by id or by its root email.
func (s *Service) listHandshakesForAccount(ctx context.Context, c *identity.Caller, in *orgapi.ListHandshakesForAccountRequest) (*orgapi.ListHandshakesForAccountResponse, error) {
	keep, err := handshakeFilter(in.Filter)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var all []orgapi.Handshake
	err = s.view(ctx, func(tx store.ReadTx) error {
		acct, err := store.GetJSON[store.Account](ctx, tx, store.KindAccount, "", c.Account)
		if err != nil {
			return err
		}
		hs, err := allHandshakes(ctx, tx)
		if err != nil {
			return err
		}
		sortHandshakes(hs)
		for _, h := range hs {
			h = settle(h, now)
			if receives(h, acct) && retained(h, now) && keep(h) {
				all = append(all, *anyHandshakeOut(h, h.OrgID))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, next, err := page(all, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &orgapi.ListHandshakesForAccountResponse{Handshakes: out, NextToken: next}, nil
}

// leaveOrganization removes the caller's account from its organization:
// never the management account, nor a delegated administrator, nor an
// account created less than four days ago. Its attachments and tags go with
// its membership.
func (s *Service) leaveOrganization(ctx context.Context, c *identity.Caller, _ awsjsonEmpty) (*emptyOutput, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	approvalID, err := s.randomID("h-", 10)
	if err != nil {
		return nil, err
	}
	return done(s.update(ctx, func(tx store.Tx) error {
		o, m, err := orgOf(ctx, tx, c.Account)
		if err != nil {
			return err
		}
		if o.MasterAccountID == c.Account {
			return orgErr("MasterCannotLeaveOrganizationException", "You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.")
		}
		if ds, err := delegations(ctx, tx, o.ID, m.AccountID); err != nil {
			return err
		} else if len(ds) > 0 {
			return constraint("CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG", "You attempted to remove an account that is registered as a delegated administrator for a service integrated with your organization. To complete this operation, you must first deregister this account as a delegated administrator.")
		}
		if m.JoinedMethod == "CREATED" && now.Before(m.Joined.Add(leaveWaitPeriod)) {
			return constraint("WAIT_PERIOD_ACTIVE", "After you create an Amazon Web Services account, you must wait until at least four days after the account was created. Invited accounts aren't subject to this waiting period.")
		}
		if err := detachAll(ctx, tx, o.ID, m.AccountID); err != nil {
			return err
		}
		if err := withdrawApprovals(ctx, tx, o, m.AccountID, approvalID, now); err != nil {
			return err
		}
		return tx.Delete(ctx, kindOrgAccount, "", m.AccountID)
	}))
}
