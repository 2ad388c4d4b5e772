package app_test

import (
	"slices"
	"testing"

	"github.com/gatehouse-iam/gatehouse/accessanalyzer"
	"github.com/gatehouse-iam/gatehouse/api/analyzerapi"
	"github.com/gatehouse-iam/gatehouse/api/iamapi"
	"github.com/gatehouse-iam/gatehouse/api/orgapi"
	"github.com/gatehouse-iam/gatehouse/api/stsapi"
	"github.com/gatehouse-iam/gatehouse/iam"
	"github.com/gatehouse-iam/gatehouse/operation"
	"github.com/gatehouse-iam/gatehouse/organizations"
	"github.com/gatehouse-iam/gatehouse/sts"
)

// pending lists, per service, the operations of the AWS API models that
// Gatehouse does not serve yet (they answer 501 NotImplemented). The list
// only shrinks: an operation missing from a dispatch table and from this
// list fails the test, and so does one listed here that is now served.
var pending = map[string][]string{
	"iam": {
		"AcceptDelegationRequest",
		"AssociateDelegationRequest",
		"CreateDelegationRequest",
		"DisableOutboundWebIdentityFederation",
		"EnableOutboundWebIdentityFederation",
		"GetDelegationRequest",
		"GetHumanReadableSummary",
		"GetOutboundWebIdentityFederationInfo",
		"ListDelegationRequests",
		"RejectDelegationRequest",
		"SendDelegationToken",
		"UpdateDelegationRequest",
	},
	"sts": {
		"GetDelegatedAccessToken",
		"GetWebIdentityToken",
	},
	"organizations": {},
	"accessanalyzer": {
		"CreateAccessPreview",
		"GetAccessPreview",
		"ListAccessPreviewFindings",
		"ListAccessPreviews",
	},
}

// TestSurface compares each service's dispatch table with the operations of
// its API model (the generated OperationNames).
func TestSurface(t *testing.T) {
	for _, s := range []struct {
		name  string
		model []string
		ops   map[string]operation.Op
	}{
		{"iam", iamapi.OperationNames(), (&iam.Service{}).Ops()},
		{"sts", stsapi.OperationNames(), (&sts.Service{}).Ops()},
		{"organizations", orgapi.OperationNames(), (&organizations.Service{}).Ops()},
		{"accessanalyzer", analyzerapi.OperationNames(), (&accessanalyzer.Service{}).Ops()},
	} {
		var missing []string
		for _, n := range s.model {
			if _, ok := s.ops[n]; !ok {
				missing = append(missing, n)
			}
		}
		for n := range s.ops {
			if !slices.Contains(s.model, n) {
				t.Errorf("%s serves %s, which its model lacks", s.name, n)
			}
		}
		t.Logf("%s: %d of %d operations served", s.name, len(s.model)-len(missing), len(s.model))
		for _, n := range missing {
			if !slices.Contains(pending[s.name], n) {
				t.Errorf("%s: %s is neither served nor listed as pending", s.name, n)
			}
		}
		for _, n := range pending[s.name] {
			if !slices.Contains(missing, n) {
				t.Errorf("%s: %s is served now: remove it from pending", s.name, n)
			}
		}
	}
}
