#!/usr/bin/env bash
# Issues 14 and 16 — IAM Access Analyzer analyzers with the organization as their
# zone of trust, with the aws CLI (IAM User Guide, access-analyzer-getting-started
# "To create an analyzer with the organization as the zone of trust", "Analyzer
# status"; access-analyzer-findings: "if you select an organization as the zone
# of trust ... If you grant permissions ... to a principal in another
# organization member account, IAM Access Analyzer does not generate a finding";
# API model: CreateAnalyzer, AnalysisRuleCriteria, ReasonCode):
#   - without trusted access for access-analyzer.amazonaws.com, creating an
#     ORGANIZATION analyzer is a ValidationException "Service not enabled for AWS
#     Organizations"; a member account that is not a delegated administrator gets
#     AccessDeniedException;
#   - the delegated administrator's ORGANIZATION analyzer reports a member's role
#     trusting an account outside the organization, owned by that member, and not
#     its role trusting the management account — which the member's own ACCOUNT
#     analyzer reports;
#   - an ORGANIZATION_UNUSED_ACCESS analyzer takes analysisRule exclusions (not the
#     owner account); its findings skip the excluded accounts;
#   - deregistering the delegated administrator DISABLES its analyzers
#     (DELEGATED_ADMINISTRATOR_DEREGISTERED).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"

ensure_member_account
enter_member_account member
AA=access-analyzer.amazonaws.com
OUTSIDER=999988887777
EXT=$(name_for gh14-ext)
PEER=$(name_for gh14-peer)
ORG_AN=$(name_for gh14-org)
UNUSED_AN=$(name_for gh14-unused)
ACCT_AN=$(name_for gh14-acct)

step "a member account that is not a delegated administrator cannot create an ORGANIZATION analyzer"
_q root organizations deregister-delegated-administrator --account-id "$MEMBER_ACCOUNT_ID" --service-principal "$AA"
expect_ok root organizations list-aws-service-access-for-organization
if jq -e --arg s "$AA" '[.EnabledServicePrincipals[].ServicePrincipal] | index($s) == null' <<<"$OUT" >/dev/null; then
  expect_err_msg ValidationException "Service not enabled for AWS Organizations" \
    root accessanalyzer create-analyzer --analyzer-name "$ORG_AN" --type ORGANIZATION
  expect_ok root organizations enable-aws-service-access --service-principal "$AA"
  defer _q root organizations disable-aws-service-access --service-principal "$AA"
else
  note "trusted access for $AA is already enabled: the ValidationException step is skipped"
fi
expect_err_msg AccessDeniedException "is not a delegated administrator" \
  member accessanalyzer create-analyzer --analyzer-name "$ORG_AN" --type ORGANIZATION
expect_err AccessDeniedException member accessanalyzer create-analyzer --analyzer-name "$UNUSED_AN" --type ORGANIZATION_UNUSED_ACCESS

step "the member, registered as delegated administrator, creates one"
expect_ok root organizations register-delegated-administrator --account-id "$MEMBER_ACCOUNT_ID" --service-principal "$AA"
defer _q root organizations deregister-delegated-administrator --account-id "$MEMBER_ACCOUNT_ID" --service-principal "$AA"
create_role member "$EXT" "$(trust_aws "$OUTSIDER")"
create_role member "$PEER" "$(trust_aws "$(account_root_arn "$ACCOUNT_ID")")"
expect_ok member accessanalyzer create-analyzer --analyzer-name "$ORG_AN" --type ORGANIZATION
defer _q member accessanalyzer delete-analyzer --analyzer-name "$ORG_AN"
ORG_ARN=$(jqo '.arn')
assert_eq "$ORG_ARN" "arn:aws:access-analyzer:$REGION:$MEMBER_ACCOUNT_ID:analyzer/$ORG_AN" "the analyzer's ARN"
expect_ok member accessanalyzer get-analyzer --analyzer-name "$ORG_AN"
assert_jq "ORGANIZATION, ACTIVE" '.analyzer.type == "ORGANIZATION" and .analyzer.status == "ACTIVE"'

step "a role trusting an account outside the organization is a finding owned by the member; one trusting the management account is not"
expect_ok member accessanalyzer list-findings --analyzer-arn "$ORG_ARN" \
  --filter "$(jq -n -c --arg r "$(role_arn "$EXT" "$MEMBER_ACCOUNT_ID")" '{resource: {eq: [$r]}}')"
assert_jq "one ACTIVE finding, to the outsider, owned by the member" --arg a "$MEMBER_ACCOUNT_ID" --arg o "$OUTSIDER" \
  '(.findings | length) == 1 and (.findings[0] | .status == "ACTIVE" and .principal.AWS == $o and .resourceOwnerAccount == $a)'
FINDING=$(jqo '.findings[0].id')
expect_ok member accessanalyzer get-finding --analyzer-arn "$ORG_ARN" --id "$FINDING"
assert_jq "get-finding names the owner" --arg a "$MEMBER_ACCOUNT_ID" '.finding.resourceOwnerAccount == $a'
expect_ok member accessanalyzer list-findings --analyzer-arn "$ORG_ARN" \
  --filter "$(jq -n -c --arg r "$(role_arn "$PEER" "$MEMBER_ACCOUNT_ID")" '{resource: {eq: [$r]}}')"
assert_jq "no finding: the management account is in the zone of trust" '(.findings | length) == 0'
expect_ok member accessanalyzer update-findings --analyzer-arn "$ORG_ARN" --ids "$FINDING" --status ARCHIVED
expect_ok member accessanalyzer get-finding --analyzer-arn "$ORG_ARN" --id "$FINDING"
assert_jq "archived" '.finding.status == "ARCHIVED"'

step "the member's own ACCOUNT analyzer reports the role trusting the management account"
call member accessanalyzer list-analyzers --type ACCOUNT
ACCT_ARN=$(jqo '.analyzers[0].arn // empty')
if [ -z "$ACCT_ARN" ]; then
  expect_ok member accessanalyzer create-analyzer --analyzer-name "$ACCT_AN" --type ACCOUNT
  defer _q member accessanalyzer delete-analyzer --analyzer-name "$ACCT_AN"
  ACCT_ARN=$(jqo '.arn')
fi
expect_ok member accessanalyzer list-findings --analyzer-arn "$ACCT_ARN" \
  --filter "$(jq -n -c --arg r "$(role_arn "$PEER" "$MEMBER_ACCOUNT_ID")" '{resource: {eq: [$r]}}')"
assert_jq "the management account is external to the member's account" --arg m "$(account_root_arn "$ACCOUNT_ID")" \
  '(.findings | length) == 1 and .findings[0].principal.AWS == $m'

step "ORGANIZATION_UNUSED_ACCESS: exclusions, not of the owner account"
# create_unused WHO EXCLUDED-ACCOUNT [RESOURCE-TAGS-JSON] : CreateAnalyzer
# of an ORGANIZATION_UNUSED_ACCESS analyzer with exclusions, sent through
# lib/rest_call.py: aws CLIs older than the configuration parameter (Debian's)
# refuse it as a usage error.
create_unused() {
  py_as "$1" rest_call.py access-analyzer CreateAnalyzer PUT /analyzer "$(jq -n -c --arg n "$UNUSED_AN" --arg a "$2" --argjson t "${3:-null}" \
    '{analyzerName: $n, type: "ORGANIZATION_UNUSED_ACCESS", configuration: {unusedAccess: {unusedAccessAge: 1,
      analysisRule: {exclusions: ([{accountIds: [$a]}] + (if $t == null then [] else [{resourceTags: [$t]}] end))}}}}')"
}
create_unused member "$MEMBER_ACCOUNT_ID"
failed_with ValidationException "CreateAnalyzer excluding the owner account"
create_unused member "$ACCOUNT_ID" '{"gh14-skip": ""}'
succeeded CreateAnalyzer
defer _q member accessanalyzer delete-analyzer --analyzer-name "$UNUSED_AN"
UNUSED_ARN=$(jqo '.arn')
# Read back through rest_call.py too: an older CLI drops the members its
# model lacks (analysisRule, resourceOwnerAccount) from what it prints.
py_as member rest_call.py access-analyzer GetAnalyzer GET "/analyzer/$UNUSED_AN"
succeeded GetAnalyzer
assert_jq "the configuration as given" --arg a "$ACCOUNT_ID" \
  '.analyzer.configuration.unusedAccess | .unusedAccessAge == 1 and .analysisRule.exclusions[0].accountIds == [$a] and .analysisRule.exclusions[1].resourceTags == [{"gh14-skip": ""}]'
py_as member rest_call.py access-analyzer ListFindingsV2 POST /findingv2 "$(jq -n -c --arg a "$UNUSED_ARN" '{analyzerArn: $a}')"
succeeded ListFindingsV2
assert_jq "no finding of the excluded management account" --arg a "$ACCOUNT_ID" '[.findings[] | select(.resourceOwnerAccount == $a)] | length == 0'
expect_err ServiceQuotaExceededException member accessanalyzer create-analyzer --analyzer-name "$UNUSED_AN-2" --type ORGANIZATION_UNUSED_ACCESS

step "deregistered, the member's organization analyzers are DISABLED"
expect_ok root organizations deregister-delegated-administrator --account-id "$MEMBER_ACCOUNT_ID" --service-principal "$AA"
expect_ok member accessanalyzer get-analyzer --analyzer-name "$ORG_AN"
assert_jq "DISABLED, DELEGATED_ADMINISTRATOR_DEREGISTERED" '.analyzer.status == "DISABLED" and .analyzer.statusReason.code == "DELEGATED_ADMINISTRATOR_DEREGISTERED"'
expect_ok member accessanalyzer list-analyzers --type ORGANIZATION_UNUSED_ACCESS
assert_jq "the unused access analyzer too" '.analyzers[0].status == "DISABLED"'

pass
