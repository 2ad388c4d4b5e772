package organizations

import (
	"context"
	"fmt"
	"time"

	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/identity"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/store"
)

// idAlphabet is a subset of [a-z0-9] of 32 characters, so that taking five
// bits of a random byte is unbiased; every id pattern of the model accepts it.
const idAlphabet = "abcdefghijklmnopqrstuvwxyz234567"

// randomID returns prefix followed by n random characters of idAlphabet.
func (s *Service) randomID(prefix string, n int) (string, error) {
	b := make([]byte, n)
	if _, err := s.rand.Read(b); err != nil {
		return "", fmt.Errorf("organizations: reading randomness: %w", err)
	}
	for i := range b {
		b[i] = idAlphabet[b[i]&31]
	}
	return prefix + string(b), nil
}

// randomAccountID returns a 12-digit account id that does not start with 0.
func (s *Service) randomAccountID() (string, error) {
	var b [12]byte
	if _, err := s.rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("organizations: reading randomness: %w", err)
	}
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b[:]), nil
}

func (s *Service) organizationOps() []operation.Op {
	return []operation.Op{
		op(s, "CreateOrganization", nil, s.createOrganization),
		op(s, "DescribeOrganization", nil, s.describeOrganization),
		op(s, "DeleteOrganization", nil, s.deleteOrganization),
	}
}

func organizationOut(o orgRecord) *orgapi.Organization {
	out := &orgapi.Organization{
		Id: str(o.ID), Arn: str(o.ARN), FeatureSet: (*orgapi.OrganizationFeatureSet)(str(o.FeatureSet)),
		MasterAccountId: str(o.MasterAccountID), MasterAccountArn: str(accountARN(o.MasterAccountID, o.ID, o.MasterAccountID)),
		// AvailablePolicyTypes is deprecated; AWS always reports SCPs as
		// available here and the root's PolicyTypes as the truth.
		AvailablePolicyTypes: []orgapi.PolicyTypeSummary{{Type: (*orgapi.PolicyType)(str(typeSCP)), Status: (*orgapi.PolicyTypeStatus)(str("ENABLED"))}},
	}
	if o.MasterAccountEmail != "" {
		out.MasterAccountEmail = str(o.MasterAccountEmail)
	}
	return out
}

func (s *Service) createOrganization(ctx context.Context, c *identity.Caller, in *orgapi.CreateOrganizationRequest) (*orgapi.CreateOrganizationResponse, error) {
	features := "ALL"
	if in.FeatureSet != nil {
		features = string(*in.FeatureSet)
	}
	orgID, err := s.randomID("o-", 10)
	if err != nil {
		return nil, err
	}
	rootID, err := s.randomID("r-", 4)
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Millisecond)
	var o orgRecord
	err = s.update(ctx, func(tx store.Tx) error {
		if _, err := tx.Get(ctx, kindOrgAccount, "", c.Account); err == nil {
			return orgErr("AlreadyInOrganizationException", "This account is already a member of an organization. An account can belong to only one organization at a time.")
		} else if !isNotFound(err) {
			return err
		}
		acct, err := store.GetJSON[store.Account](ctx, tx, store.KindAccount, "", c.Account)
		if err != nil {
			return err
		}
		o = orgRecord{ID: orgID, ARN: orgARN(c.Account, orgID), FeatureSet: features, MasterAccountID: c.Account,
			MasterAccountEmail: acct.Email, RootID: rootID, CreateDate: now}
		if err := store.CreateJSON(ctx, tx, kindOrg, "", orgID, o); err != nil {
			return err
		}
		root := rootRecord{ID: rootID, ARN: rootARN(c.Account, orgID, rootID), Name: "Root", OrgID: orgID}
		if err := store.CreateJSON(ctx, tx, kindOrgRoot, "", rootID, root); err != nil {
			return err
		}
		name := acct.Name
		if name == "" {
			name = c.Account
		}
		m := memberRecord{AccountID: c.Account, ARN: accountARN(c.Account, orgID, c.Account), Name: name, Email: acct.Email,
			OrgID: orgID, ParentID: rootID, Status: "ACTIVE", JoinedMethod: "INVITED", Joined: now}
		return store.CreateJSON(ctx, tx, kindOrgAccount, "", c.Account, m)
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.CreateOrganizationResponse{Organization: organizationOut(o)}, nil
}

func (s *Service) describeOrganization(ctx context.Context, c *identity.Caller, _ awsjsonEmpty) (*orgapi.DescribeOrganizationResponse, error) {
	var o orgRecord
	err := s.view(ctx, func(tx store.ReadTx) error {
		var err error
		o, _, err = orgOf(ctx, tx, c.Account)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &orgapi.DescribeOrganizationResponse{Organization: organizationOut(o)}, nil
}

func (s *Service) deleteOrganization(ctx context.Context, c *identity.Caller, _ awsjsonEmpty) (*emptyOutput, error) {
	err := s.updateOrg(ctx, c, func(tx store.Tx, o orgRecord) error {
		ms, err := members(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		if len(ms) > 1 {
			return orgErr("OrganizationNotEmptyException", "To delete an organization you must first remove all member accounts (except the management account).")
		}
		ts, err := store.ListValues[transferRecord](ctx, tx, store.ListOptions{Kind: kindOrgTransfer})
		if err != nil {
			return err
		}
		for _, t := range ts {
			if (t.TargetAccount == c.Account || t.SourceAccount == c.Account) && (t.Status == "ACCEPTED" || t.Status == "REQUESTED") {
				if t, err = settleTransferState(ctx, tx, t, s.now()); err != nil {
					return err
				}
				if t.Status != "EXPIRED" {
					return constraint("ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS", "You cannot delete organization due to an ongoing responsibility transfer process. For example, a pending invitation or an in-progress transfer. To delete the organization, you must resolve the current transfer process.")
				}
			}
		}
		us, err := units(ctx, tx, o.ID)
		if err != nil {
			return err
		}
		for _, u := range us {
			if err := tx.Delete(ctx, kindOrgUnit, "", u.ID); err != nil {
				return err
			}
		}
		for _, k := range orgKinds {
			recs, err := tx.List(ctx, store.ListOptions{Kind: k, Prefix: o.ID + "/"})
			if err != nil {
				return err
			}
			for _, r := range recs {
				if err := tx.Delete(ctx, k, "", r.Key); err != nil {
					return err
				}
			}
		}
		cars, err := store.ListValues[carRecord](ctx, tx, store.ListOptions{Kind: kindOrgCreateAccount})
		if err != nil {
			return err
		}
		for _, r := range cars {
			if r.OrgID == o.ID {
				if err := tx.Delete(ctx, kindOrgCreateAccount, "", r.ID); err != nil {
					return err
				}
			}
		}
		for _, k := range []struct {
			kind store.Kind
			key  string
		}{{kindOrgAccount, c.Account}, {kindOrgRoot, o.RootID}, {kindOrg, o.ID}} {
			if err := tx.Delete(ctx, k.kind, "", k.key); err != nil && !isNotFound(err) {
				return err
			}
		}
		return nil
	})
	return done(err)
}
