package accessanalyzer

import (
	"context"

	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/awserr"
	"github.com/gatehouse-iam/gatehouse/organizations"
	"github.com/gatehouse-iam/gatehouse/store"
)

// Organization analyzers (ORGANIZATION and ORGANIZATION_UNUSED_ACCESS).
// Their zone of trust is the organization of the account that owns them:
// "if you select an organization as the zone of trust for an analyzer, all
// resources and principals in the organization are within the zone of
// trust" (IAM User Guide, access-analyzer-findings.md). An ORGANIZATION
// analyzer reports the roles and buckets of every account of the
// organization that give access to principals outside it; an
// ORGANIZATION_UNUSED_ACCESS analyzer the unused access of every account's
// users and roles. Each finding names the account that owns its resource
// (resourceOwnerAccount). The membership is read at every scan, in the
// scan's transaction: an account that leaves takes its findings with it
// (RESOLVED) and its principals become external.
//
// Only the organization's management account, or an account registered as
// a delegated administrator for access-analyzer.amazonaws.com, creates
// them, and only with trusted access for the service enabled
// (createAnalyzer). An analyzer whose account later loses that standing is
// DISABLED with the reason the model's ReasonCode names, and "does not
// generate new findings or update existing findings" (IAM User Guide,
// access-analyzer-getting-started.md, "Analyzer status"), until the
// standing is back.

// org reports whether a is an organization analyzer.
func (a *analyzerRecord) org() bool {
	return a.Type == string(analyzerapi.TypeORGANIZATION) || a.Type == string(analyzerapi.TypeORGANIZATION_UNUSED_ACCESS)
}

// zoneOf returns the zone of trust of analyzer a of account: the account
// for an account analyzer, the organization's accounts for an organization
// analyzer. A non-nil reason says why an organization analyzer is
// DISABLED; its zone is then empty.
func zoneOf(ctx context.Context, tx store.ReadTx, a *analyzerRecord, account string) (zone, *analyzerapi.ReasonCode, error) {
	if !a.org() {
		return accountZone(account), nil, nil
	}
	oz, err := organizations.ZoneOf(ctx, tx, account)
	if err != nil {
		return zone{}, nil, err
	}
	reason := orgStanding(oz, account)
	if reason != nil {
		return zone{}, reason, nil
	}
	return zone{accounts: oz.Accounts, orgID: oz.OrgID}, nil, nil
}

// orgStanding is nil when account may have organization analyzers in its
// organization oz, else the reason code of a disabled analyzer.
func orgStanding(oz *organizations.Zone, account string) *analyzerapi.ReasonCode {
	var code analyzerapi.ReasonCode
	switch {
	case oz == nil:
		code = analyzerapi.ReasonCodeORGANIZATION_DELETED
	case !oz.TrustedAccess:
		code = analyzerapi.ReasonCodeAWS_SERVICE_ACCESS_DISABLED
	case oz.Management != account && !oz.DelegatedAdmin:
		code = analyzerapi.ReasonCodeDELEGATED_ADMINISTRATOR_DEREGISTERED
	default:
		return nil
	}
	return &code
}

// checkOrgCreator refuses to create an organization analyzer in an account
// that is not the management account or a delegated administrator of an
// organization with trusted access for IAM Access Analyzer.
func checkOrgCreator(ctx context.Context, tx store.ReadTx, account string) error {
	oz, err := organizations.ZoneOf(ctx, tx, account)
	if err != nil {
		return err
	}
	switch {
	case oz == nil:
		// wording: not found in AWS docs
		return invalid("type", "Account "+account+" is not a member of an organization: an analyzer with the organization as its zone of trust needs one.")
	case !oz.TrustedAccess:
		// AWS's answer when access-analyzer.amazonaws.com has no trusted
		// access: ValidationException "Service not enabled for AWS
		// Organizations", reason FIELD_VALIDATION_FAILED (quoted in
		// nozaq/terraform-aws-secure-baseline issues 184 and 258).
		return (&awserr.Error{Code: "ValidationException", Status: 400, Sender: true, Message: "Service not enabled for AWS Organizations"}).
			WithMembers(map[string]any{"reason": "fieldValidationFailed"})
	case oz.Management != account && !oz.DelegatedAdmin:
		// AWS's answer to a member account that is not a delegated
		// administrator: 403 "Account <id> is not a delegated
		// administrator" (quoted in
		// awslabs/landing-zone-accelerator-on-aws issue 922).
		return &awserr.Error{Code: "AccessDeniedException", Status: 403, Sender: true,
			Message: "Account " + account + " is not a delegated administrator"}
	}
	return nil
}
