package organizations

import (
	"context"
	"slices"

	"github.com/gatehouse-iam/gatehouse/store"
)

// Centralized root access for member accounts (IAM User Guide,
// id_root-user.md "Centrally manage root access for member accounts"): an
// organization with all features and trusted access for IAM may enable
// RootCredentialsManagement and RootSessions (IAM's
// EnableOrganizationsRootCredentialsManagement and …RootSessions), after
// which its management account and IAM's delegated administrator manage
// member accounts' root credentials and open privileged root sessions on
// them (STS AssumeRoot). Organizations keeps the features; IAM and STS read
// them through RootAccess.

// kindOrgRootAccess: key = org id + "/root-access"; value rootAccessRecord.
const kindOrgRootAccess store.Kind = "org-root-access"

// iamPrincipal is IAM's service principal for trusted access and
// delegation.
const iamPrincipal = "iam.amazonaws.com"

// The centralized root access features (IAM's FeatureType).
const (
	FeatureRootCredentialsManagement = "RootCredentialsManagement"
	FeatureRootSessions              = "RootSessions"
)

type rootAccessRecord struct {
	Features []string `json:"features,omitempty"`
}

func rootAccessKey(org string) string { return org + "/root-access" }

// RootAccess is an organization's centralized root access as one account
// sees it.
type RootAccess struct {
	// OrgID is the organization's id; ManagementAccount its management
	// account.
	OrgID, ManagementAccount string
	// AllFeatures: the organization has all features; TrustedAccess: IAM
	// has trusted access.
	AllFeatures, TrustedAccess bool
	// Management: the account is the management account; DelegatedAdmin:
	// it is a delegated administrator for IAM.
	Management, DelegatedAdmin bool
	// Features are the enabled features, in IAM's order.
	Features []string
}

// RootAccess returns the centralized root access of account's
// organization; nil when the account is in none.
func (s *Service) RootAccess(ctx context.Context, account string) (*RootAccess, error) {
	var ra *RootAccess
	err := s.st.View(ctx, func(tx store.ReadTx) error {
		var err error
		ra, err = rootAccess(ctx, tx, account)
		return err
	})
	return ra, err
}

func rootAccess(ctx context.Context, tx store.ReadTx, account string) (*RootAccess, error) {
	o, _, err := orgOf(ctx, tx, account)
	if err != nil {
		if _, ok := isAWS(err); ok {
			return nil, nil
		}
		return nil, err
	}
	ra := &RootAccess{OrgID: o.ID, ManagementAccount: o.MasterAccountID, AllFeatures: o.FeatureSet == "ALL", Management: o.MasterAccountID == account}
	if _, err := tx.Get(ctx, kindOrgServiceAccess, "", serviceAccessKey(o.ID, iamPrincipal)); err == nil {
		ra.TrustedAccess = true
	} else if !isNotFound(err) {
		return nil, err
	}
	if _, err := tx.Get(ctx, kindOrgDelegatedAdmin, "", delegationKey(o.ID, account, iamPrincipal)); err == nil {
		ra.DelegatedAdmin = true
	} else if !isNotFound(err) {
		return nil, err
	}
	rec, err := store.GetJSON[rootAccessRecord](ctx, tx, kindOrgRootAccess, "", rootAccessKey(o.ID))
	if err != nil && !isNotFound(err) {
		return nil, err
	}
	// Features stay enabled only while IAM keeps trusted access.
	if ra.TrustedAccess {
		ra.Features = rec.Features
	}
	return ra, nil
}

// SetRootAccessFeature enables or disables a feature in the organization
// of account (which the caller, IAM, has checked may change it) and
// returns the new state.
func (s *Service) SetRootAccessFeature(ctx context.Context, account, feature string, enabled bool) (*RootAccess, error) {
	var ra *RootAccess
	err := s.update(ctx, func(tx store.Tx) error {
		o, _, err := orgOf(ctx, tx, account)
		if err != nil {
			return err
		}
		rec, err := store.GetJSON[rootAccessRecord](ctx, tx, kindOrgRootAccess, "", rootAccessKey(o.ID))
		if err != nil && !isNotFound(err) {
			return err
		}
		var next []string
		for _, f := range []string{FeatureRootCredentialsManagement, FeatureRootSessions} {
			on := slices.Contains(rec.Features, f)
			if f == feature {
				on = enabled
			}
			if on {
				next = append(next, f)
			}
		}
		rec.Features = next
		if err := store.PutJSON(ctx, tx, kindOrgRootAccess, "", rootAccessKey(o.ID), rec); err != nil {
			return err
		}
		ra, err = rootAccess(ctx, tx, account)
		return err
	})
	return ra, err
}

// MemberOf reports whether account is a member account (not the management
// account) of organization org.
func (s *Service) MemberOf(ctx context.Context, org, account string) (bool, error) {
	var ok bool
	err := s.st.View(ctx, func(tx store.ReadTx) error {
		m, err := store.GetJSON[memberRecord](ctx, tx, kindOrgAccount, "", account)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		o, err := store.GetJSON[orgRecord](ctx, tx, kindOrg, "", m.OrgID)
		if err != nil {
			return err
		}
		ok = m.OrgID == org && o.MasterAccountID != account
		return nil
	})
	return ok, err
}

// RootSessionsFor tells STS's AssumeRoot about account's organization: its
// id ("" when the account is in none), whether RootSessions is enabled
// there (all features and IAM's trusted access included), and whether the
// account may open root sessions (the management account or IAM's delegated
// administrator).
func (s *Service) RootSessionsFor(ctx context.Context, account string) (org string, enabled, allowed bool, err error) {
	ra, err := s.RootAccess(ctx, account)
	if err != nil || ra == nil {
		return "", false, false, err
	}
	return ra.OrgID, ra.AllFeatures && slices.Contains(ra.Features, FeatureRootSessions), ra.Management || ra.DelegatedAdmin, nil
}
