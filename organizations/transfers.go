package organizations

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Responsibility transfers, as the Organizations API reference describes
// them: "an arrangement between two management accounts where one account
// designates the other with specified responsibilities for their
// organization" (only BILLING). The management account that will take the
// responsibility (the transfer's Target) invites another organization's
// management account (its Source) with InviteOrganizationToTransferResponsibility;
// the invitation is a TRANSFER_RESPONSIBILITY handshake that only a
// management account accepts (AcceptHandshake), the recipient may decline
// and the sender cancel; the transfer's status follows it (REQUESTED,
// ACCEPTED, DECLINED, CANCELED, EXPIRED) until either party ends it
// (TerminateResponsibilityTransfer: WITHDRAWN). Gatehouse keeps no bills:
// a transfer is the record of the arrangement, listed inbound by its Target
// and outbound by its Source, each under an ARN of its own organization
// (arn:…:transfer/o-…/billing/inbound|outbound/rt-…, as the Service
// Authorization Reference forms it).
//
// Billing starts and ends on month boundaries: StartTimestamp must be the
// first instant of a month not before the current one, an EndTimestamp the
// last millisecond of a month not before the start (InvalidInputException's
// START_DATE_* and END_DATE_* reasons). An invitation stays open 15 days,
// as an invitation to join does (Gatehouse's choice: AWS does not say).

const actionTransfer = "TRANSFER_RESPONSIBILITY"

type transferRecord struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Status string `json:"status"`
	// Source is the management account whose organization's
	// responsibility is transferred (the invited one; "" until an
	// invitation by email is accepted), Target the one that takes it (the
	// inviter).
	SourceAccount string      `json:"sourceAccount,omitempty"`
	SourceEmail   string      `json:"sourceEmail,omitempty"`
	TargetAccount string      `json:"targetAccount"`
	TargetEmail   string      `json:"targetEmail,omitempty"`
	TargetOrg     string      `json:"targetOrg"`
	Start         time.Time   `json:"start"`
	End           time.Time   `json:"end,omitzero"`
	HandshakeID   string      `json:"handshakeId"`
	Tags          []store.Tag `json:"tags,omitempty"`
}

func (s *Service) transferOps() []operation.Op {
	return []operation.Op{
		operation.New("InviteOrganizationToTransferResponsibility", func(ctx context.Context, c *identity.Caller, in *orgapi.InviteOrganizationToTransferResponsibilityRequest) (operation.Authz, error) {
			az := operation.Authz{Action: "organizations:InviteOrganizationToTransferResponsibility", Resource: "*",
				Context: map[string][]string{"organizations:TransferType": {string(in.Type)}, "organizations:TransferDirection": {"inbound"}}}
			if len(in.Tags) > 0 {
				az.Also = append(az.Also, operation.Authz{Action: "organizations:TagResource", Resource: "*"})
			}
			return az, nil
		}, func(ctx context.Context, c *identity.Caller, in *orgapi.InviteOrganizationToTransferResponsibilityRequest) (*orgapi.InviteOrganizationToTransferResponsibilityResponse, error) {
			return s.inviteTransfer(withOperation(ctx, "InviteOrganizationToTransferResponsibility"), c, in)
		}),
		transferOp(s, "DescribeResponsibilityTransfer", func(in *orgapi.DescribeResponsibilityTransferRequest) string { return in.Id }, s.describeTransfer),
		transferOp(s, "UpdateResponsibilityTransfer", func(in *orgapi.UpdateResponsibilityTransferRequest) string { return in.Id }, s.updateTransfer),
		transferOp(s, "TerminateResponsibilityTransfer", func(in *orgapi.TerminateResponsibilityTransferRequest) string { return in.Id }, s.terminateTransfer),
		listTransfersOp(s, "ListInboundResponsibilityTransfers", "inbound", func(in *orgapi.ListInboundResponsibilityTransfersRequest) orgapi.ResponsibilityTransferType {
			return in.Type
		}, s.listInboundTransfers),
		listTransfersOp(s, "ListOutboundResponsibilityTransfers", "outbound", func(in *orgapi.ListOutboundResponsibilityTransfersRequest) orgapi.ResponsibilityTransferType {
			return in.Type
		}, s.listOutboundTransfers),
		op(s, "CreateGovCloudAccount", nil, s.createGovCloudAccount),
	}
}

// transferOp builds an operation on one transfer, authorized on its ARN as
// the caller's organization sees it, with organizations:TransferType and
// organizations:TransferDirection.
func transferOp[I, O any](s *Service, name string, id func(I) string, run func(ctx context.Context, c *identity.Caller, in I) (O, error)) operation.Op {
	return operation.New(name, func(ctx context.Context, c *identity.Caller, in I) (operation.Authz, error) {
		az := operation.Authz{Action: "organizations:" + name, Resource: "*"}
		_ = s.st.View(ctx, func(tx store.ReadTx) error {
			t, o, err := visibleTransfer(ctx, tx, c.Account, id(in))
			if err == nil {
				az.Resource = transferARN(t, o)
				az.Context = map[string][]string{"organizations:TransferType": {t.Type}, "organizations:TransferDirection": {direction(t, c.Account)}}
			}
			return nil
		})
		return az, nil
	}, func(ctx context.Context, c *identity.Caller, in I) (O, error) {
		return run(withOperation(ctx, name), c, in)
	})
}

// listTransfersOp builds a listing of transfers, decided with
// organizations:TransferType and organizations:TransferDirection (Service
// Authorization Reference); the management account of either side may call
// it (the operation checks).
func listTransfersOp[I, O any](s *Service, name, dir string, typ func(I) orgapi.ResponsibilityTransferType, run func(ctx context.Context, c *identity.Caller, in I) (O, error)) operation.Op {
	return operation.New(name, func(_ context.Context, _ *identity.Caller, in I) (operation.Authz, error) {
		return operation.Authz{Action: "organizations:" + name, Resource: "*",
			Context: map[string][]string{"organizations:TransferType": {string(typ(in))}, "organizations:TransferDirection": {dir}}}, nil
	}, func(ctx context.Context, c *identity.Caller, in I) (O, error) {
		return run(withOperation(ctx, name), c, in)
	})
}

// direction is how account sees transfer t: inbound for its Target,
// outbound for its Source.
func direction(t transferRecord, account string) string {
	if t.TargetAccount == account {
		return "inbound"
	}
	return "outbound"
}

func transferARN(t transferRecord, o orgRecord) string {
	return "arn:aws:organizations::" + o.MasterAccountID + ":transfer/" + o.ID + "/" + strings.ToLower(t.Type) + "/" + direction(t, o.MasterAccountID) + "/" + t.ID
}

func transferNotFound() error {
	return orgErr("ResponsibilityTransferNotFoundException", "We can't find a transfer that you specified.")
}

// visibleTransfer reads transfer id when the caller's account is the
// management account of one of its parties' organizations.
func visibleTransfer(ctx context.Context, tx store.ReadTx, account, id string) (transferRecord, orgRecord, error) {
	o, err := managementOnly(ctx, tx, account)
	if err != nil {
		return transferRecord{}, o, err
	}
	t, err := store.GetJSON[transferRecord](ctx, tx, kindOrgTransfer, "", id)
	if isNotFound(err) || (err == nil && t.TargetAccount != account && t.SourceAccount != account) {
		return t, o, transferNotFound()
	}
	return t, o, err
}

// settleTransferState returns t with EXPIRED for an invitation past its
// handshake's expiry.
func settleTransferState(ctx context.Context, tx store.ReadTx, t transferRecord, now time.Time) (transferRecord, error) {
	if t.Status != "REQUESTED" {
		return t, nil
	}
	h, err := store.GetJSON[handshakeRecord](ctx, tx, kindOrgHandshake, "", t.TargetOrg+"/"+t.HandshakeID)
	if isNotFound(err) {
		return t, nil
	}
	if err != nil {
		return t, err
	}
	if settle(h, now).State == "EXPIRED" {
		t.Status = "EXPIRED"
	}
	return t, nil
}

func transferOut(t transferRecord, viewer orgRecord) *orgapi.ResponsibilityTransfer {
	typ, status := orgapi.ResponsibilityTransferType(t.Type), orgapi.ResponsibilityTransferStatus(t.Status)
	out := &orgapi.ResponsibilityTransfer{Arn: str(transferARN(t, viewer)), Name: str(t.Name), Id: str(t.ID), Type: &typ, Status: &status,
		Source: &orgapi.TransferParticipant{}, Target: &orgapi.TransferParticipant{ManagementAccountId: str(t.TargetAccount)},
		StartTimestamp: tm(t.Start), ActiveHandshakeId: str(t.HandshakeID)}
	if t.SourceAccount != "" {
		out.Source.ManagementAccountId = str(t.SourceAccount)
	}
	if t.SourceEmail != "" {
		out.Source.ManagementAccountEmail = str(t.SourceEmail)
	}
	if t.TargetEmail != "" {
		out.Target.ManagementAccountEmail = str(t.TargetEmail)
	}
	if !t.End.IsZero() {
		out.EndTimestamp = tm(t.End)
	}
	return out
}

// transferHandshakeOut renders a TRANSFER_RESPONSIBILITY handshake: the
// inviting organization and the invited party; the transfer with its type,
// start and the inviting management account, and the notes.
func transferHandshakeOut(h handshakeRecord) *orgapi.Handshake {
	rt := func(typ, v string) orgapi.HandshakeResource {
		return orgapi.HandshakeResource{Type: (*orgapi.HandshakeResourceType)(str(typ)), Value: str(v)}
	}
	transfer := rt("RESPONSIBILITY_TRANSFER", h.TransferID)
	transfer.Resources = []orgapi.HandshakeResource{rt("TRANSFER_TYPE", "BILLING"), rt("TRANSFER_START_TIMESTAMP", h.TransferStart.UTC().Format(time.RFC3339)),
		rt("MANAGEMENT_ACCOUNT", strings.Split(h.ARN, ":")[4]), rt("MANAGEMENT_NAME", h.MasterName)}
	if h.MasterEmail != "" {
		transfer.Resources = append(transfer.Resources, rt("MANAGEMENT_EMAIL", h.MasterEmail))
	}
	res := []orgapi.HandshakeResource{transfer, rt(h.TargetType, h.TargetID)}
	if h.Notes != "" {
		res = append(res, rt("NOTES", h.Notes))
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

// monthStart reports whether t is the first instant of a month (UTC).
func monthStart(t time.Time) bool {
	t = t.UTC()
	return t.Day() == 1 && t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// monthEnd reports whether t is the last millisecond of a month (UTC).
func monthEnd(t time.Time) bool {
	return monthStart(t.Add(time.Millisecond)) && t.Nanosecond() == int(999*time.Millisecond)
}

func (s *Service) inviteTransfer(ctx context.Context, c *identity.Caller, in *orgapi.InviteOrganizationToTransferResponsibilityRequest) (*orgapi.InviteOrganizationToTransferResponsibilityResponse, error) {
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
	now := s.now().UTC().Truncate(time.Millisecond)
	start := in.StartTimestamp.UTC()
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	switch {
	case !monthStart(start):
		return nil, invalidInput("START_DATE_NOT_BEGINNING_OF_MONTH", "You provided an invalid start date. The start date must be the first day of the month.")
	case start.Before(thisMonth):
		return nil, invalidInput("START_DATE_TOO_EARLY", "You provided an invalid start date. The start date is too early.")
	}
	hid, err := s.randomID("h-", 10)
	if err != nil {
		return nil, err
	}
	tid, err := s.randomID("rt-", 10)
	if err != nil {
		return nil, err
	}
	var h handshakeRecord
	err = s.update(ctx, func(tx store.Tx) error {
		o, err := managementOnly(ctx, tx, c.Account)
		if err != nil {
			return err
		}
		acct, held, err := accountByTarget(ctx, tx, string(target.Type), target.Id)
		if err != nil {
			return err
		}
		self, err := store.GetJSON[store.Account](ctx, tx, store.KindAccount, "", c.Account)
		if err != nil {
			return err
		}
		if held && acct.ID == c.Account {
			return handshakeConstraint("SOURCE_AND_TARGET_CANNOT_MATCH", "An account can't accept a transfer invitation if it is both the sender and recipient of the invitation.")
		}
		hs, err := store.ListValues[handshakeRecord](ctx, tx, store.ListOptions{Kind: kindOrgHandshake, Prefix: o.ID + "/"})
		if err != nil {
			return err
		}
		for _, x := range hs {
			if x.Action == actionTransfer && handshakeOpen(x, now) &&
				((x.TargetType == string(target.Type) && strings.EqualFold(x.TargetID, target.Id)) || (held && receives(x, acct))) {
				return orgErr("DuplicateHandshakeException", "A handshake with the same action and target already exists. For example, if you invited an account to join your organization, the invited account might already have a pending invitation from this organization. If you intend to resend an invitation to an account, ensure that existing handshakes that might be considered duplicates are canceled or declined.")
			}
		}
		t := transferRecord{ID: tid, Name: in.SourceName, Type: string(in.Type), Status: "REQUESTED", TargetAccount: c.Account, TargetEmail: self.Email,
			TargetOrg: o.ID, Start: start, HandshakeID: hid, Tags: storeTags(in.Tags)}
		if held {
			t.SourceAccount, t.SourceEmail = acct.ID, acct.Email
		} else if target.Type == orgapi.HandshakePartyTypeEMAIL {
			t.SourceEmail = target.Id
		}
		name := self.Name
		if name == "" {
			name = c.Account
		}
		h = handshakeRecord{ID: hid, ARN: handshakeARN(c.Account, o.ID, actionTransfer, hid), Action: actionTransfer, State: "OPEN",
			Requested: now, Expires: now.Add(inviteWindow), OrgID: o.ID, MasterEmail: self.Email, MasterName: name,
			TransferStart: start, TargetType: string(target.Type), TargetID: target.Id, TransferID: tid}
		if in.Notes != nil {
			h.Notes = *in.Notes
		}
		if err := store.CreateJSON(ctx, tx, kindOrgTransfer, "", tid, t); err != nil {
			return err
		}
		return store.CreateJSON(ctx, tx, kindOrgHandshake, "", o.ID+"/"+hid, h)
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.InviteOrganizationToTransferResponsibilityResponse{Handshake: transferHandshakeOut(h)}, nil
}

// settleTransfer gives a transfer the state its handshake just took.
func settleTransfer(ctx context.Context, tx store.Tx, h handshakeRecord) error {
	t, err := store.GetJSON[transferRecord](ctx, tx, kindOrgTransfer, "", h.TransferID)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	t.Status = h.State
	return store.PutJSON(ctx, tx, kindOrgTransfer, "", t.ID, t)
}

// acceptTransfer accepts a TRANSFER_RESPONSIBILITY handshake: only the
// invited management account may, when its organization has no accepted
// transfer of that type already.
func (s *Service) acceptTransfer(ctx context.Context, c *identity.Caller, id string) (*orgapi.Handshake, error) {
	return s.answer(ctx, c, id, "ACCEPTED", roleRecipient, func(tx store.Tx, h handshakeRecord, _ orgRecord) error {
		if _, err := managementOnly(ctx, tx, c.Account); err != nil {
			return err // a standalone account: not in use; a member: access denied
		}
		t, err := store.GetJSON[transferRecord](ctx, tx, kindOrgTransfer, "", h.TransferID)
		if err != nil {
			return err
		}
		all, err := store.ListValues[transferRecord](ctx, tx, store.ListOptions{Kind: kindOrgTransfer})
		if err != nil {
			return err
		}
		for _, x := range all {
			if x.ID != t.ID && x.SourceAccount == c.Account && x.Type == t.Type && x.Status == "ACCEPTED" {
				return handshakeConstraint("RESPONSIBILITY_TRANSFER_ALREADY_EXISTS", "You cannot perform this operation with the current transfer.")
			}
		}
		acct, err := store.GetJSON[store.Account](ctx, tx, store.KindAccount, "", c.Account)
		if err != nil {
			return err
		}
		t.SourceAccount, t.SourceEmail = acct.ID, acct.Email
		return store.PutJSON(ctx, tx, kindOrgTransfer, "", t.ID, t)
	})
}

func (s *Service) describeTransfer(ctx context.Context, c *identity.Caller, in *orgapi.DescribeResponsibilityTransferRequest) (*orgapi.DescribeResponsibilityTransferResponse, error) {
	var out *orgapi.ResponsibilityTransfer
	err := s.view(ctx, func(tx store.ReadTx) error {
		t, o, err := visibleTransfer(ctx, tx, c.Account, in.Id)
		if err != nil {
			return err
		}
		if t, err = settleTransferState(ctx, tx, t, s.now()); err != nil {
			return err
		}
		out = transferOut(t, o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.DescribeResponsibilityTransferResponse{ResponsibilityTransfer: out}, nil
}

// updateTransfer renames a transfer (either party may).
func (s *Service) updateTransfer(ctx context.Context, c *identity.Caller, in *orgapi.UpdateResponsibilityTransferRequest) (*orgapi.UpdateResponsibilityTransferResponse, error) {
	var out *orgapi.ResponsibilityTransfer
	err := s.update(ctx, func(tx store.Tx) error {
		t, o, err := visibleTransfer(ctx, tx, c.Account, in.Id)
		if err != nil {
			return err
		}
		t.Name = in.Name
		if err := store.PutJSON(ctx, tx, kindOrgTransfer, "", t.ID, t); err != nil {
			return err
		}
		if t, err = settleTransferState(ctx, tx, t, s.now()); err != nil {
			return err
		}
		out = transferOut(t, o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.UpdateResponsibilityTransferResponse{ResponsibilityTransfer: out}, nil
}

// terminateTransfer ends an accepted transfer (either party may): it is
// WITHDRAWN, ending at EndTimestamp (the end of the current month when not
// given).
func (s *Service) terminateTransfer(ctx context.Context, c *identity.Caller, in *orgapi.TerminateResponsibilityTransferRequest) (*orgapi.TerminateResponsibilityTransferResponse, error) {
	now := s.now().UTC()
	end := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC).Add(-time.Millisecond)
	if in.EndTimestamp != nil {
		end = in.EndTimestamp.UTC()
		if !monthEnd(end) {
			return nil, invalidInput("END_DATE_NOT_END_OF_MONTH", "You provided an invalid end date. The end date must be the end of the last day of the month (23.59.59.999).")
		}
	}
	var out *orgapi.ResponsibilityTransfer
	err := s.update(ctx, func(tx store.Tx) error {
		t, o, err := visibleTransfer(ctx, tx, c.Account, in.Id)
		if err != nil {
			return err
		}
		if t, err = settleTransferState(ctx, tx, t, now); err != nil {
			return err
		}
		switch t.Status {
		case "WITHDRAWN":
			return orgErr("ResponsibilityTransferAlreadyInStatusException", "The responsibility transfer is already in the status that you specified.")
		case "ACCEPTED":
		default:
			return orgErr("InvalidResponsibilityTransferTransitionException", "The responsibility transfer can't transition to the requested state because it's not in a valid state for this operation.")
		}
		if end.Before(t.Start) {
			return invalidInput("END_DATE_TOO_EARLY", "You provided an invalid end date. The end date is too early.")
		}
		t.Status, t.End = "WITHDRAWN", end
		if err := store.PutJSON(ctx, tx, kindOrgTransfer, "", t.ID, t); err != nil {
			return err
		}
		out = transferOut(t, o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.TerminateResponsibilityTransferResponse{ResponsibilityTransfer: out}, nil
}

// listTransfers lists the transfers of type typ whose party side (Target
// for inbound, Source for outbound) is the caller's management account, in
// the order they were requested.
func (s *Service) listTransfers(ctx context.Context, c *identity.Caller, typ string, inbound bool, id *string, next *string, max *int32) ([]orgapi.ResponsibilityTransfer, *string, error) {
	var all []orgapi.ResponsibilityTransfer
	err := s.view(ctx, func(tx store.ReadTx) error {
		o, err := managementOnly(ctx, tx, c.Account)
		if err != nil {
			return err
		}
		ts, err := store.ListValues[transferRecord](ctx, tx, store.ListOptions{Kind: kindOrgTransfer})
		if err != nil {
			return err
		}
		now := s.now()
		var kept []transferRecord
		for _, t := range ts {
			mine := t.SourceAccount == c.Account
			if inbound {
				mine = t.TargetAccount == c.Account
			}
			if !mine || t.Type != typ || (id != nil && t.ID != *id) {
				continue
			}
			if t, err = settleTransferState(ctx, tx, t, now); err != nil {
				return err
			}
			kept = append(kept, t)
		}
		if id != nil && len(kept) == 0 {
			return transferNotFound()
		}
		slices.SortFunc(kept, func(a, b transferRecord) int { return strings.Compare(a.HandshakeID, b.HandshakeID) })
		for _, t := range kept {
			all = append(all, *transferOut(t, o))
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return page(all, next, max)
}

func (s *Service) listInboundTransfers(ctx context.Context, c *identity.Caller, in *orgapi.ListInboundResponsibilityTransfersRequest) (*orgapi.ListInboundResponsibilityTransfersResponse, error) {
	out, next, err := s.listTransfers(ctx, c, string(in.Type), true, in.Id, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &orgapi.ListInboundResponsibilityTransfersResponse{ResponsibilityTransfers: out, NextToken: next}, nil
}

func (s *Service) listOutboundTransfers(ctx context.Context, c *identity.Caller, in *orgapi.ListOutboundResponsibilityTransfersRequest) (*orgapi.ListOutboundResponsibilityTransfersResponse, error) {
	out, next, err := s.listTransfers(ctx, c, string(in.Type), false, nil, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return &orgapi.ListOutboundResponsibilityTransfersResponse{ResponsibilityTransfers: out, NextToken: next}, nil
}

// createGovCloudAccount: the call is available only to a management account
// "paired" with an account in the AWS GovCloud (US) Region. Gatehouse serves
// the aws partition only, so no management account is paired with one:
// ConstraintViolationException MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED, after
// the checks every CreateAccount makes.
func (s *Service) createGovCloudAccount(ctx context.Context, c *identity.Caller, in *orgapi.CreateGovCloudAccountRequest) (*orgapi.CreateGovCloudAccountResponse, error) {
	if err := checkTags(in.Tags); err != nil {
		return nil, err
	}
	err := s.view(ctx, func(tx store.ReadTx) error {
		_, err := managementOnly(ctx, tx, c.Account)
		return err
	})
	if err != nil {
		return nil, err
	}
	return nil, constraint("MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED", "To complete this operation, the management account must have an associated account in the Amazon Web Services GovCloud (US-West) Region. For more information, see Organizations in the Amazon Web Services GovCloud User Guide.")
}
