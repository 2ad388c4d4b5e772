package organizations

import (
	"context"
	"strings"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Enabling all features in an organization created with consolidated
// billing only, as the Organizations User Guide describes it ("Enabling all
// features in your organization",
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_org_support-all-features.html):
// EnableAllFeatures starts an ENABLE_ALL_FEATURES handshake; every invited
// member account must approve it, and the management account finalizes it
// by accepting the handshake. Created accounts "don't get a request"; with
// no invited member the management account finalizes by accepting the
// request itself, and with invited members through APPROVE_ALL_FEATURES
// once they have all accepted theirs (approvals.go).

// allFeaturesWindow is how long the request stays open: "A countdown of 90
// days begins when the request is sent".
const allFeaturesWindow = 90 * 24 * time.Hour

func (s *Service) featureOps() []operation.Op {
	return []operation.Op{
		op(s, "EnableAllFeatures", nil, s.enableAllFeatures),
		op(s, "DescribeHandshake", nil, s.describeHandshake),
		op(s, "AcceptHandshake", nil, s.acceptHandshake),
	}
}

func handshakeARN(mgmt, org, action, id string) string {
	return "arn:aws:organizations::" + mgmt + ":handshake/" + org + "/" + strings.ToLower(action) + "/" + id
}

func handshakeConstraint(reason, msg string) error {
	return orgErr("HandshakeConstraintViolationException", msg).WithMembers(map[string]any{"Reason": reason})
}

func handshakeNotFound() error {
	return orgErr("HandshakeNotFoundException", "We can't find a handshake with the HandshakeId that you specified.")
}

// handshakeOut renders an ENABLE_ALL_FEATURES handshake as the API
// reference's example of EnableAllFeatures shows it: the organization is its
// party and its resource.
func handshakeOut(h handshakeRecord, org string) *orgapi.Handshake {
	return &orgapi.Handshake{
		Id: str(h.ID), Arn: str(h.ARN), State: (*orgapi.HandshakeState)(str(h.State)), Action: (*orgapi.ActionType)(str(h.Action)),
		RequestedTimestamp: tm(h.Requested), ExpirationTimestamp: tm(h.Expires),
		Parties:   []orgapi.HandshakeParty{{Id: org, Type: "ORGANIZATION"}},
		Resources: []orgapi.HandshakeResource{{Type: (*orgapi.HandshakeResourceType)(str("ORGANIZATION")), Value: str(org)}},
	}
}

// pendingAllFeatures returns the organization's open ENABLE_ALL_FEATURES
// handshake, if any; one past its expiry is EXPIRED.
func pendingAllFeatures(ctx context.Context, tx store.ReadTx, org string, now time.Time) (handshakeRecord, bool, error) {
	hs, err := store.ListValues[handshakeRecord](ctx, tx, store.ListOptions{Kind: kindOrgHandshake, Prefix: org + "/"})
	if err != nil {
		return handshakeRecord{}, false, err
	}
	for _, h := range hs {
		if h.Action == actionEnableAll && !isChild(h) && (h.State == "REQUESTED" || h.State == "OPEN") && now.Before(h.Expires) {
			return h, true, nil
		}
	}
	return handshakeRecord{}, false, nil
}

func (s *Service) enableAllFeatures(ctx context.Context, c *identity.Caller, _ *orgapi.EnableAllFeaturesRequest) (*orgapi.EnableAllFeaturesResponse, error) {
	id, err := s.randomID("h-", 10)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var h handshakeRecord
	var org string
	err = s.updateManaged(ctx, c, func(tx store.Tx, o orgRecord) error {
		org = o.ID
		if o.FeatureSet == "ALL" {
			return handshakeConstraint("ORGANIZATION_ALREADY_HAS_ALL_FEATURES", "The handshake request is invalid because the organization has already enabled all features.")
		}
		if _, pending, err := pendingAllFeatures(ctx, tx, o.ID, now); err != nil {
			return err
		} else if pending {
			return handshakeConstraint("ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION", "The handshake request is invalid because the organization has already started the process to enable all features.")
		}
		h = handshakeRecord{ID: id, ARN: handshakeARN(o.MasterAccountID, o.ID, "ENABLE_ALL_FEATURES", id), Action: "ENABLE_ALL_FEATURES",
			State: "REQUESTED", Requested: now, Expires: now.Add(allFeaturesWindow)}
		if err := store.CreateJSON(ctx, tx, kindOrgHandshake, "", o.ID+"/"+id, h); err != nil {
			return err
		}
		_, err := s.requestApprovals(ctx, tx, o, h)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.EnableAllFeaturesResponse{Handshake: handshakeOut(h, org)}, nil
}

// describeHandshake may be called "from any account in a organization",
// and by the account an invitation was sent to.
func (s *Service) describeHandshake(ctx context.Context, c *identity.Caller, in *orgapi.DescribeHandshakeRequest) (*orgapi.DescribeHandshakeResponse, error) {
	var h handshakeRecord
	var org string
	err := s.view(ctx, func(tx store.ReadTx) error {
		var o orgRecord
		var err error
		h, _, o, err = s.findHandshake(ctx, tx, c.Account, in.HandshakeId, s.now())
		org = o.ID
		return err
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.DescribeHandshakeResponse{Handshake: anyHandshakeOut(h, org)}, nil
}

// acceptHandshake accepts an invitation (the invited account, which joins
// the organization; handshakes.go) or finalizes enabling all features: only
// the management account accepts an ENABLE_ALL_FEATURES handshake of its
// organization.
func (s *Service) acceptHandshake(ctx context.Context, c *identity.Caller, in *orgapi.AcceptHandshakeRequest) (*orgapi.AcceptHandshakeResponse, error) {
	var action string
	var child bool
	err := s.view(ctx, func(tx store.ReadTx) error {
		h, _, _, err := s.findHandshake(ctx, tx, c.Account, in.HandshakeId, s.now())
		action, child = h.Action, isChild(h)
		return err
	})
	if err != nil {
		return nil, err
	}
	var h *orgapi.Handshake
	switch action {
	case "INVITE":
		h, err = s.acceptInvite(ctx, c, in.HandshakeId)
	case actionTransfer:
		h, err = s.acceptTransfer(ctx, c, in.HandshakeId)
	case actionApproveAll:
		h, err = s.finalizeAll(ctx, c, in.HandshakeId)
	default:
		if child {
			h, err = s.approveAll(ctx, c, in.HandshakeId)
			break
		}
		h, err = s.answer(ctx, c, in.HandshakeId, "ACCEPTED", roleSender, func(tx store.Tx, p handshakeRecord, o orgRecord) error {
			// With invited members, the approval is APPROVE_ALL_FEATURES's.
			if kids, err := childHandshakes(ctx, tx, o.ID, p.ID); err != nil {
				return err
			} else if len(kids) > 0 {
				return orgErr("InvalidHandshakeTransitionException", "You can't perform the operation on the handshake in its current state.")
			}
			o.FeatureSet = "ALL"
			return store.PutJSON(ctx, tx, kindOrg, "", o.ID, o)
		})
	}
	if err != nil {
		return nil, err
	}
	return &orgapi.AcceptHandshakeResponse{Handshake: h}, nil
}
