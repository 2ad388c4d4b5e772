#!/usr/bin/env bash
# Issue 14 — who did what, with the aws CLI:
#   - the guide's key rotation, watched with CloudTrail: "Use CloudTrail to check if the
#     old key is still being used" (IAM User Guide, id_credentials_access-keys.md,
#     rotating access keys): lookup-events by AccessKeyId shows what each key did;
#   - a denied request is in the trail with Gatehouse's reason (additionalEventData);
#   - no secret (secret access key, password) is ever in an event;
#   - LookupEvents' own errors and limits (CloudTrail API reference, LookupEvents).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"

DEV=$(name_for Rotator)

# events KEY: the events of an access key, newest first (management events).
events_of_key() {
  expect_ok root cloudtrail lookup-events --lookup-attributes "AttributeKey=AccessKeyId,AttributeValue=$1"
}

step "a user with a first key works, and is denied what it may not do"
create_user root "$DEV"
expect_ok root iam put-user-policy --user-name "$DEV" --policy-name self --policy-document "$(policy_doc \
  "$(allow 'iam:GetUser,iam:ListAccessKeys' "$(user_arn "$DEV")")")"
PASSWORD="Acc3pt-$RUN_ID-pw!"
expect_ok root iam create-login-profile --user-name "$DEV" --password "$PASSWORD"
make_keys root "$DEV" key1
KEY1=$LAST_KEY_ID
SECRET1=$(creds_sk key1)
expect_ok key1 iam get-user
expect_denied key1 iam list-users

step "lookup-events by the first key shows its calls, the denial with its reason"
events_of_key "$KEY1"
assert_jq "the key's events include GetUser and the denied ListUsers" \
  '[.Events[].EventName] | (index("GetUser") != null) and (index("ListUsers") != null)'
assert_jq "every event is the user's" --arg u "$DEV" '[.Events[].Username] | all(. == $u)'
assert_jq "the denied call carries its error and Gatehouse's reason" \
  '[.Events[] | select(.EventName == "ListUsers") | .CloudTrailEvent | fromjson] | .[0] |
   .errorCode == "AccessDenied" and (.additionalEventData.gatehouseDecision.reason | test("identity-based policy"))'
assert_jq "events are CloudTrail records of the user's IAM and STS calls" \
  '[.Events[] | .CloudTrailEvent | fromjson] | all((.eventSource == "iam.amazonaws.com" or .eventSource == "sts.amazonaws.com") and .eventType == "AwsApiCall" and .userIdentity.type == "IAMUser")'

step "a second key; the application switches to it; the first stops appearing"
make_keys root "$DEV" key2
KEY2=$LAST_KEY_ID
SECRET2=$(creds_sk key2)
events_of_key "$KEY1"
BEFORE=$(jqo '.Events | length')
expect_ok key2 iam get-user
expect_ok key2 iam list-access-keys --user-name "$DEV"
events_of_key "$KEY2"
assert_jq "the second key's calls are attributed to it" \
  '[.Events[].EventName] | (index("GetUser") != null) and (index("ListAccessKeys") != null)'
events_of_key "$KEY1"
assert_eq "$(jqo '.Events | length')" "$BEFORE" "no new event for the first key"

step "deactivate the first key, confirm nothing breaks, delete it"
expect_ok root iam update-access-key --user-name "$DEV" --access-key-id "$KEY1" --status Inactive
expect_ok key2 iam get-user
expect_err InvalidClientTokenId key1 iam get-user
events_of_key "$KEY1"
assert_jq "a client still using the deactivated key shows up" \
  '[.Events[] | .CloudTrailEvent | fromjson | .errorCode] | index("InvalidClientTokenId") != null'
expect_ok root iam delete-access-key --user-name "$DEV" --access-key-id "$KEY1"
expect_ok root cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=DeleteAccessKey --max-results 5
assert_jq "the deletion is recorded with the key it deleted" --arg k "$KEY1" \
  '[.Events[] | .CloudTrailEvent | fromjson | .requestParameters.accessKeyId] | index($k) != null'

step "no secret is in any event"
expect_ok root cloudtrail lookup-events --max-results 50
ALL=$OUT
for secret in "$SECRET1" "$SECRET2" "$PASSWORD"; do
  case $ALL in *"$secret"*) fail "a secret is in the trail" ;; esac
done
expect_ok root cloudtrail lookup-events --lookup-attributes AttributeKey=EventName,AttributeValue=CreateAccessKey --max-results 5
assert_jq "CreateAccessKey's response is recorded without the secret" \
  '[.Events[] | .CloudTrailEvent | fromjson | .responseElements.accessKey] | all(.accessKeyId != null and .secretAccessKey == null)'

step "LookupEvents' errors"
expect_err InvalidLookupAttributesException root cloudtrail lookup-events \
  --lookup-attributes AttributeKey=EventName,AttributeValue=GetUser AttributeKey=Username,AttributeValue=x
expect_err InvalidTimeRangeException root cloudtrail lookup-events --start-time 2026-01-02T00:00:00Z --end-time 2026-01-01T00:00:00Z
expect_err InvalidMaxResultsException root cloudtrail lookup-events --max-results 51
expect_denied key2 cloudtrail lookup-events
pass
