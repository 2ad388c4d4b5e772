#!/usr/bin/env bash
# Issue 15 — invitations and membership with the aws CLI (Organizations User Guide,
# "Inviting an AWS account to join your organization" and "Leaving an organization
# as a member account"; API reference of InviteAccountToOrganization,
# AcceptHandshake, DeclineHandshake, CancelHandshake, ListHandshakesForAccount,
# ListHandshakesForOrganization, LeaveOrganization):
#   - a standalone account (made here from a created account the management
#     account removes, entered through its OrganizationAccountAccessRole) is
#     invited, sees the invitation, accepts it and joins the root as INVITED;
#   - an invited account leaves at once; the management account cannot leave;
#   - a canceled invitation can no longer be answered; a declined one is DECLINED;
#   - the organization lists the handshakes it sent;
#   - management policy types that are not enabled have no effective policy;
#   - IAM Access Analyzer: analyzer tags and the resources an analyzer examined.
# (AssumeRoot, the IAM root access features, responsibility transfers and the
# service-linked analyzer operations are newer than the aws CLI 2.9 this runs
# with; their Go integration tests drive them with aws-sdk-go-v2.)
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"

ensure_member_account
GUEST_NAME=$(name_for gh15-guest)

step "a created account, entered as its administrator, then removed: a standalone account"
expect_ok root organizations create-account --email "$GUEST_NAME@example.com" --account-name "$GUEST_NAME"
REQ=$(jqo '.CreateAccountStatus.Id')
expect_ok root organizations describe-create-account-status --create-account-request-id "$REQ"
assert_jq "the account was created" '.CreateAccountStatus.State == "SUCCEEDED"'
GUEST=$(jqo '.CreateAccountStatus.AccountId')
SAVED_MEMBER=$MEMBER_ACCOUNT_ID
MEMBER_ACCOUNT_ID=$GUEST enter_member_account guest
MEMBER_ACCOUNT_ID=$SAVED_MEMBER
expect_err_msg ConstraintViolationException "four days" guest organizations leave-organization
expect_ok root organizations remove-account-from-organization --account-id "$GUEST"
expect_err AWSOrganizationsNotInUseException guest organizations describe-organization

step "the management account invites it; the invitation is an OPEN INVITE handshake for 15 days"
expect_ok root organizations invite-account-to-organization --target "Id=$GUEST,Type=ACCOUNT" --notes "welcome back" --tags Key=team,Value=blue
HS=$(jqo '.Handshake.Id')
assert_match "$HS" '^h-[0-9a-z]{8,32}$' "handshake id"
assert_jq "INVITE, OPEN, from the organization to the account" --arg g "$GUEST" \
  '.Handshake.Action == "INVITE" and .Handshake.State == "OPEN" and ([.Handshake.Parties[] | .Type + ":" + .Id] | index("ACCOUNT:" + $g) != null)'
assert_eq "$(($(epoch_of "$(jqo '.Handshake.ExpirationTimestamp')") - $(epoch_of "$(jqo '.Handshake.RequestedTimestamp')")))" 1296000 \
  "seconds from the invitation to its expiry (15 days)"
expect_err DuplicateHandshakeException root organizations invite-account-to-organization --target "Id=$GUEST,Type=ACCOUNT"
expect_denied guest organizations cancel-handshake --handshake-id "$HS"

step "the invited account lists it and accepts it: it joins the root as INVITED"
expect_ok guest organizations list-handshakes-for-account
assert_jq "the invitation is listed" --arg h "$HS" '[.Handshakes[].Id] | index($h) != null'
expect_ok guest organizations accept-handshake --handshake-id "$HS"
assert_jq "accepted" '.Handshake.State == "ACCEPTED"'
expect_err HandshakeAlreadyInStateException guest organizations accept-handshake --handshake-id "$HS"
expect_ok root organizations describe-account --account-id "$GUEST"
assert_jq "joined by invitation" '.Account.JoinedMethod == "INVITED" and .Account.Status == "ACTIVE"'
expect_ok root organizations list-parents --child-id "$GUEST"
assert_jq "in the root" --arg r "$ORG_ROOT_ID" '.Parents[0].Id == $r'
expect_ok root organizations list-tags-for-resource --resource-id "$GUEST"
assert_jq "with the invitation's tags" '.Tags == [{"Key":"team","Value":"blue"}]'
expect_ok guest organizations describe-organization

step "an invited account leaves at once; the management account cannot leave"
expect_err MasterCannotLeaveOrganizationException root organizations leave-organization
expect_ok guest organizations leave-organization
expect_err AccountNotFoundException root organizations describe-account --account-id "$GUEST"

step "a canceled invitation cannot be answered; a declined one is DECLINED"
expect_ok root organizations invite-account-to-organization --target "Id=$GUEST,Type=ACCOUNT"
HS2=$(jqo '.Handshake.Id')
expect_ok root organizations cancel-handshake --handshake-id "$HS2"
assert_jq "canceled" '.Handshake.State == "CANCELED"'
expect_err InvalidHandshakeTransitionException guest organizations accept-handshake --handshake-id "$HS2"
expect_ok root organizations invite-account-to-organization --target "Id=$GUEST,Type=ACCOUNT"
HS3=$(jqo '.Handshake.Id')
expect_denied root organizations decline-handshake --handshake-id "$HS3"
expect_ok guest organizations decline-handshake --handshake-id "$HS3"
assert_jq "declined" '.Handshake.State == "DECLINED"'

step "the organization lists the handshakes it sent (every page)"
expect_ok root organizations list-handshakes-for-organization --filter ActionType=INVITE --max-items 1000 --page-size 1
assert_jq "the three invitations, in their states" --arg a "$HS" --arg b "$HS2" --arg c "$HS3" \
  '[.Handshakes[] | select(.Id == $a or .Id == $b or .Id == $c) | .State] == ["ACCEPTED","CANCELED","DECLINED"]'
expect_err InvalidInputException root organizations list-handshakes-for-organization --filter ActionType=INVITE,ParentHandshakeId=h-abcdefgh

step "a management policy type that is not enabled has no effective policy"
expect_err EffectivePolicyNotFoundException root organizations describe-effective-policy --policy-type TAG_POLICY
expect_err InvalidInputException root organizations describe-effective-policy --policy-type TAG_POLICY --target-id "$ORG_ROOT_ID"

step "IAM Access Analyzer: tags of an analyzer, the resources it examined"
call root accessanalyzer list-analyzers --type ACCOUNT
AN_ARN=$(jqo '.analyzers[0].arn // empty')
if [ -z "$AN_ARN" ]; then
  AN=$(name_for gh15)
  expect_ok root accessanalyzer create-analyzer --analyzer-name "$AN" --type ACCOUNT --tags team=blue
  defer _q root accessanalyzer delete-analyzer --analyzer-name "$AN"
  AN_ARN=$(jqo '.arn')
fi
expect_ok root accessanalyzer tag-resource --resource-arn "$AN_ARN" --tags "gh15=$RUN_ID"
expect_ok root accessanalyzer list-tags-for-resource --resource-arn "$AN_ARN"
assert_jq "the tag is on the analyzer" --arg v "$RUN_ID" '.tags.gh15 == $v'
expect_ok root accessanalyzer untag-resource --resource-arn "$AN_ARN" --tag-keys gh15
expect_ok root accessanalyzer list-tags-for-resource --resource-arn "$AN_ARN"
assert_jq "and gone after untag-resource" '.tags | has("gh15") | not'
expect_err ValidationException root accessanalyzer tag-resource --resource-arn "$AN_ARN" --tags aws:reserved=x
expect_ok root accessanalyzer list-analyzed-resources --analyzer-arn "$AN_ARN" --resource-type AWS::IAM::Role
assert_jq "the account's roles are analyzed" '[.analyzedResources[].resourceType] | all(. == "AWS::IAM::Role")'

pass
