package organizations

import (
	"context"
	"slices"

	"github.com/gatehouse-iam/gatehouse/store"
)

// AnalyzerService is IAM Access Analyzer's service principal: the one whose
// trusted access and delegated administrators decide who may create an
// analyzer with the organization as its zone of trust.
const AnalyzerService = "access-analyzer.amazonaws.com"

// Zone is an account's organization as IAM Access Analyzer's organization
// analyzers see it: the zone of trust, and the account's standing in it.
type Zone struct {
	// OrgID is the organization's id (o-…).
	OrgID string
	// Management is the management account's id.
	Management string
	// Accounts are the organization's accounts, the management account
	// included, sorted. Suspended accounts are still members.
	Accounts []string
	// TrustedAccess reports whether access-analyzer.amazonaws.com has
	// trusted access (EnableAWSServiceAccess).
	TrustedAccess bool
	// DelegatedAdmin reports whether the account asked about is a delegated
	// administrator for access-analyzer.amazonaws.com.
	DelegatedAdmin bool
}

// Contains reports whether account belongs to the organization.
func (z *Zone) Contains(account string) bool {
	_, ok := slices.BinarySearch(z.Accounts, account)
	return ok
}

// ZoneOf reads account's organization in tx; nil when the account belongs
// to none. It is a read of the organization records Access Analyzer makes
// within its own transaction, so that a scan sees the membership and the
// resources at one revision.
func ZoneOf(ctx context.Context, tx store.ReadTx, account string) (*Zone, error) {
	o, _, err := orgOf(ctx, tx, account)
	if _, ok := isAWS(err); ok {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ms, err := members(ctx, tx, o.ID)
	if err != nil {
		return nil, err
	}
	z := &Zone{OrgID: o.ID, Management: o.MasterAccountID}
	for _, m := range ms {
		z.Accounts = append(z.Accounts, m.AccountID)
	}
	slices.Sort(z.Accounts)
	if _, err := tx.Get(ctx, kindOrgServiceAccess, "", serviceAccessKey(o.ID, AnalyzerService)); err == nil {
		z.TrustedAccess = true
	} else if !isNotFound(err) {
		return nil, err
	}
	if _, err := tx.Get(ctx, kindOrgDelegatedAdmin, "", delegationKey(o.ID, account, AnalyzerService)); err == nil {
		z.DelegatedAdmin = true
	} else if !isNotFound(err) {
		return nil, err
	}
	return z, nil
}
