package validate

import (
	"compress/gzip"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/gatehouse-iam/gatehouse/policy"
)

// knownManagedErrors lists AWS managed policies that really contain what an
// ERROR finding reports (retired actions, misspelt condition keys), with the
// issue code: the check is right, the policy is wrong. The IAM User Guide's
// policy check reference names some of them itself (e.g. under "Invalid action").
//
// As of the reference data of 2026-09: actions of retired services (deepracer,
// deeplens, iot1click, mobilehub, zocalo, elastic-inference, ...) and retired or
// not yet published actions; aws:PrincipalOrgMasterAccountId (retired for
// aws:PrincipalOrgID paths); lakeformation:GlueARN (not in the reference); and
// events:detail-type, which the reference types ArrayOfString while AWS's
// policies use it without a set qualifier (the guide lists MISSING_QUALIFIER
// findings on managed policies too).
var knownManagedErrors = map[string]string{
	"AWSAuditManagerAdministratorAccess":                        "MISSING_QUALIFIER",
	"AWSCodeStarFullAccess":                                     "INVALID_ACTION",
	"AWSDeepLensLambdaFunctionAccessPolicy":                     "INVALID_SERVICE_IN_ACTION",
	"AWSDeepLensServiceRolePolicy":                              "INVALID_SERVICE_IN_ACTION",
	"AWSDeepRacerAccountAdminAccess":                            "INVALID_SERVICE_IN_ACTION",
	"AWSDeepRacerDefaultMultiUserAccess":                        "INVALID_SERVICE_IN_ACTION",
	"AWSDeepRacerServiceRolePolicy":                             "INVALID_SERVICE_IN_ACTION",
	"AWSIAMIdentityCenterAllowListForIdentityContext":           "INVALID_ACTION",
	"AWSIoT1ClickFullAccess":                                    "INVALID_SERVICE_IN_ACTION",
	"AWSIoT1ClickReadOnlyAccess":                                "INVALID_SERVICE_IN_ACTION",
	"AWSIotRoboRunnerFullAccess":                                "INVALID_SERVICE_IN_ACTION",
	"AWSIotRoboRunnerReadOnly":                                  "INVALID_SERVICE_IN_ACTION",
	"AWSManagedSettingsAdminAccess":                             "INVALID_ACTION INVALID_SERVICE_IN_ACTION",
	"AWSMobileHub_FullAccess":                                   "INVALID_SERVICE_IN_ACTION",
	"AWSMobileHub_ReadOnly":                                     "INVALID_SERVICE_IN_ACTION",
	"AWSSSOServiceRolePolicy":                                   "INVALID_GLOBAL_CONDITION_KEY",
	"AWSSupplyChainFederationAdminAccess":                       "INVALID_SERVICE_IN_ACTION",
	"AmazonDataZoneGlueManageAccessRolePolicy":                  "INVALID_SERVICE_CONDITION_KEY",
	"AmazonDataZonePortalFullAccessPolicy":                      "INVALID_SERVICE_IN_ACTION",
	"AmazonDataZonePreviewConsoleFullAccess":                    "INVALID_SERVICE_IN_ACTION",
	"AmazonDataZoneSageMakerEnvironmentRolePermissionsBoundary": "INVALID_SERVICE_IN_ACTION",
	"AmazonRoute53RecoveryControlConfigReadOnlyAccess":          "INVALID_ACTION",
	"AmazonSageMakerFullAccess":                                 "INVALID_SERVICE_IN_ACTION",
	"AmazonZocaloFullAccess":                                    "INVALID_SERVICE_IN_ACTION",
	"AmazonZocaloReadOnlyAccess":                                "INVALID_SERVICE_IN_ACTION",
	"CloudTrailEventContext":                                    "MISSING_QUALIFIER",
	"GroundTruthSyntheticConsoleFullAccess":                     "INVALID_SERVICE_IN_ACTION",
	"GroundTruthSyntheticConsoleReadOnlyAccess":                 "INVALID_SERVICE_IN_ACTION",
	"MemoryDBServiceRolePolicy":                                 "INVALID_ACTION",
	"RDSCloudHsmAuthorizationRole":                              "INVALID_ACTION",
	"ReadOnlyAccess":                                            "INVALID_SERVICE_IN_ACTION",
	"ResourceGroupsTaggingAPITagUntagSupportedResources":        "INVALID_SERVICE_IN_ACTION",
	"SageMakerStudioProjectProvisioningRolePolicy":              "MISSING_QUALIFIER",
	"SecurityAgentWebAppAPIPolicy":                              "INVALID_ACTION",
	"SecurityAudit":                                             "INVALID_SERVICE_IN_ACTION",
}

// TestManagedPolicies validates every AWS managed policy (default version) and
// fails on ERROR findings not listed in knownManagedErrors.
func TestManagedPolicies(t *testing.T) {
	// The catalogue the binary embeds (the same file as the shared reference).
	const path = "../../managedpolicies/aws-managed-policies.json.gz"
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Policies []struct {
			PolicyName string
			Document   json.RawMessage
		} `json:"policies"`
	}
	if err := json.NewDecoder(zr).Decode(&file); err != nil {
		t.Fatal(err)
	}
	if len(file.Policies) < 1000 {
		t.Fatalf("only %d managed policies", len(file.Policies))
	}
	counts := map[string]int{}
	for _, p := range file.Policies {
		for _, fd := range Validate(string(p.Document), policy.KindIdentity) {
			if fd.Type != TypeError {
				counts[fd.Type+" "+fd.Code]++
				continue
			}
			counts[fd.Type+" "+fd.Code]++
			if want, ok := knownManagedErrors[p.PolicyName]; ok && strings.Contains(want, fd.Code) {
				continue
			}
			t.Errorf("%s: %s %s at %s: %s", p.PolicyName, fd.Type, fd.Code, PathString(fd.Locations[0].Path), fd.Message)
		}
	}
	var lines []string
	for k, n := range counts {
		lines = append(lines, k+": "+itoa(n))
	}
	sort.Strings(lines)
	t.Logf("findings over %d managed policies:\n%s", len(file.Policies), strings.Join(lines, "\n"))
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
