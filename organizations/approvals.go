package organizations

import (
	"context"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Enabling all features with invited member accounts, as the API reference
// describes the handshake types: ENABLE_ALL_FEATURES "is always sent from
// the management account to only invited member accounts. Created accounts
// do not receive this because … approval is inferred"; APPROVE_ALL_FEATURES
// "is sent from the Organizations service when all member accounts have
// approved the ENABLE_ALL_FEATURES invitation. It is sent only to the
// management account and signals the master that it can finalize the
// process". Gatehouse keeps the organization's ENABLE_ALL_FEATURES
// handshake (EnableAllFeatures' answer) as the parent: each invited member
// account receives one of its own (ParentHandshakeId: the parent), and once
// every one is accepted the management account receives APPROVE_ALL_FEATURES
// (same parent), whose acceptance enables all features. With no invited
// member, the management account finalizes by accepting the parent itself
// (features.go).

const (
	actionEnableAll  = "ENABLE_ALL_FEATURES"
	actionApproveAll = "APPROVE_ALL_FEATURES"
)

// isChild reports whether h is a member's or the management account's
// handshake of an all-features request (it has a parent).
func isChild(h handshakeRecord) bool { return h.ParentID != "" }

// requestApprovals sends the parent ENABLE_ALL_FEATURES handshake p to
// every invited member account of o; it reports whether there was one.
func (s *Service) requestApprovals(ctx context.Context, tx store.Tx, o orgRecord, p handshakeRecord) (bool, error) {
	ms, err := members(ctx, tx, o.ID)
	if err != nil {
		return false, err
	}
	sent := false
	for _, m := range ms {
		if m.JoinedMethod != "INVITED" || m.AccountID == o.MasterAccountID {
			continue
		}
		id, err := s.randomID("h-", 10)
		if err != nil {
			return false, err
		}
		h := handshakeRecord{ID: id, ARN: handshakeARN(o.MasterAccountID, o.ID, actionEnableAll, id), Action: actionEnableAll, State: "OPEN",
			Requested: p.Requested, Expires: p.Expires, OrgID: o.ID, TargetType: "ACCOUNT", TargetID: m.AccountID, ParentID: p.ID}
		if err := store.CreateJSON(ctx, tx, kindOrgHandshake, "", o.ID+"/"+id, h); err != nil {
			return false, err
		}
		sent = true
	}
	return sent, nil
}

// childHandshakes lists the handshakes whose parent is parent.
func childHandshakes(ctx context.Context, tx store.ReadTx, org, parent string) ([]handshakeRecord, error) {
	hs, err := store.ListValues[handshakeRecord](ctx, tx, store.ListOptions{Kind: kindOrgHandshake, Prefix: org + "/"})
	if err != nil {
		return nil, err
	}
	out := hs[:0]
	for _, h := range hs {
		if h.ParentID == parent {
			out = append(out, h)
		}
	}
	return out, nil
}

// maybeApprove sends the management account APPROVE_ALL_FEATURES (id
// approvalID) for the request parent once every member's handshake of it
// is accepted (skip: one being accepted now), unless it was sent.
func maybeApprove(ctx context.Context, tx store.Tx, o orgRecord, parent, skip, approvalID string, now time.Time) error {
	p, err := store.GetJSON[handshakeRecord](ctx, tx, kindOrgHandshake, "", o.ID+"/"+parent)
	if err != nil {
		return err
	}
	if !handshakeOpen(p, now) {
		return nil
	}
	kids, err := childHandshakes(ctx, tx, o.ID, parent)
	if err != nil {
		return err
	}
	for _, k := range kids {
		if k.ID == skip || k.State == "CANCELED" {
			continue
		}
		if k.Action == actionApproveAll || settle(k, now).State != "ACCEPTED" {
			return nil // not yet, or already sent
		}
	}
	a := handshakeRecord{ID: approvalID, ARN: handshakeARN(o.MasterAccountID, o.ID, actionApproveAll, approvalID), Action: actionApproveAll,
		State: "OPEN", Requested: now, Expires: p.Expires, OrgID: o.ID, TargetType: "ACCOUNT", TargetID: o.MasterAccountID, ParentID: parent}
	return store.CreateJSON(ctx, tx, kindOrgHandshake, "", o.ID+"/"+approvalID, a)
}

// withdrawApprovals cancels the open all-features handshakes of an account
// that leaves the organization; the others may then be all it waited for.
func withdrawApprovals(ctx context.Context, tx store.Tx, o orgRecord, account, approvalID string, now time.Time) error {
	hs, err := store.ListValues[handshakeRecord](ctx, tx, store.ListOptions{Kind: kindOrgHandshake, Prefix: o.ID + "/"})
	if err != nil {
		return err
	}
	for _, h := range hs {
		if h.Action != actionEnableAll || !isChild(h) || h.TargetID != account || !handshakeOpen(h, now) {
			continue
		}
		h.State, h.Changed = "CANCELED", now
		if err := store.PutJSON(ctx, tx, kindOrgHandshake, "", o.ID+"/"+h.ID, h); err != nil {
			return err
		}
		if err := maybeApprove(ctx, tx, o, h.ParentID, "", approvalID, now); err != nil {
			return err
		}
	}
	return nil
}

// approveAll accepts a member's ENABLE_ALL_FEATURES handshake; when every
// invited member has, the management account receives APPROVE_ALL_FEATURES.
func (s *Service) approveAll(ctx context.Context, c *identity.Caller, id string) (*orgapi.Handshake, error) {
	approvalID, err := s.randomID("h-", 10)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.answer(ctx, c, id, "ACCEPTED", roleRecipient, func(tx store.Tx, h handshakeRecord, o orgRecord) error {
		return maybeApprove(ctx, tx, o, h.ParentID, h.ID, approvalID, now)
	})
}

// finalizeAll accepts APPROVE_ALL_FEATURES (the management account only):
// the organization has all features, and its parent request is accepted.
func (s *Service) finalizeAll(ctx context.Context, c *identity.Caller, id string) (*orgapi.Handshake, error) {
	now := s.now().UTC().Truncate(time.Millisecond)
	return s.answer(ctx, c, id, "ACCEPTED", roleSender, func(tx store.Tx, h handshakeRecord, o orgRecord) error {
		p, err := store.GetJSON[handshakeRecord](ctx, tx, kindOrgHandshake, "", o.ID+"/"+h.ParentID)
		if err != nil {
			return err
		}
		p = settle(p, now)
		if err := transition(&p, "ACCEPTED", now); err != nil {
			return err
		}
		if err := store.PutJSON(ctx, tx, kindOrgHandshake, "", o.ID+"/"+p.ID, p); err != nil {
			return err
		}
		o.FeatureSet = "ALL"
		return store.PutJSON(ctx, tx, kindOrg, "", o.ID, o)
	})
}

// cancelChildren cancels the open handshakes of a canceled parent.
func cancelChildren(ctx context.Context, tx store.Tx, o orgRecord, parent string, now time.Time) error {
	kids, err := childHandshakes(ctx, tx, o.ID, parent)
	if err != nil {
		return err
	}
	for _, k := range kids {
		if handshakeOpen(k, now) {
			k.State, k.Changed = "CANCELED", now
			if err := store.PutJSON(ctx, tx, kindOrgHandshake, "", o.ID+"/"+k.ID, k); err != nil {
				return err
			}
		}
	}
	return nil
}

// childOut renders a member's ENABLE_ALL_FEATURES or the management
// account's APPROVE_ALL_FEATURES handshake: the organization and the
// account, with the parent handshake among the resources.
func childOut(h handshakeRecord) *orgapi.Handshake {
	return &orgapi.Handshake{
		Id: str(h.ID), Arn: str(h.ARN), State: (*orgapi.HandshakeState)(str(h.State)), Action: (*orgapi.ActionType)(str(h.Action)),
		RequestedTimestamp: tm(h.Requested), ExpirationTimestamp: tm(h.Expires),
		Parties: []orgapi.HandshakeParty{
			{Id: h.OrgID, Type: orgapi.HandshakePartyTypeORGANIZATION},
			{Id: h.TargetID, Type: orgapi.HandshakePartyTypeACCOUNT},
		},
		Resources: []orgapi.HandshakeResource{
			{Type: (*orgapi.HandshakeResourceType)(str("ORGANIZATION")), Value: str(h.OrgID)},
			{Type: (*orgapi.HandshakeResourceType)(str("PARENT_HANDSHAKE")), Value: str(h.ParentID)},
		},
	}
}
