#!/usr/bin/env bash
# Issue 12 — the deprecated bucket configuration operations that old clients still
# call: PutBucketLifecycle, GetBucketLifecycle, PutBucketNotification and
# GetBucketNotification, sent by botocore's own definitions of them (lib/boto_call.py:
# Debian's aws CLI v2 no longer has the s3api commands), beside the aws CLI's current
# ones:
#   1. the lifecycle of the old API (rules with a Prefix, no Filter: PUT Bucket
#      lifecycle (Deprecated), API lifecycle-old-api.html) is the bucket's lifecycle
#      configuration: get-bucket-lifecycle-configuration reads it, and a configuration
#      put with the new API (rules with a Filter) is what get-bucket-lifecycle reads,
#      as S3 answers both from one configuration (they are one request on the wire:
#      PUT and GET /BUCKET?lifecycle);
#   2. the notification configuration of the old API (NotificationConfigurationDeprecated:
#      one TopicConfiguration with a Topic) is the bucket's notification configuration,
#      read back by both APIs;
#   3. each is authorized with the IAM action of the Service Authorization Reference
#      (s3:PutLifecycleConfiguration, s3:GetLifecycleConfiguration,
#      s3:PutBucketNotification, s3:GetBucketNotification): a user allowed only the
#      reads is denied the writes.
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"
# shellcheck source=lib/s3.sh
. "$(dirname "$0")/lib/s3.sh"

BUCKET="gh12-legacy-$RUN_ID"
READER=$(name_for LegacyReader)
TOPIC="arn:aws:sns:$REGION:$ACCOUNT_ID:uploads"

# old_ok WHO OPERATION PARAMS / old_err CODE WHO OPERATION PARAMS: one deprecated
# operation through boto3 (the method name, e.g. put_bucket_lifecycle)
old_ok() { py_as "$1" boto_call.py s3 "$2" "$3"; succeeded "$2"; }
old_err() { py_as "$2" boto_call.py s3 "$3" "$4"; failed_with "$1" "$3"; }

# ============================================================ 1. lifecycle
step "1. the old lifecycle API shares the bucket's lifecycle configuration"
create_bucket root "$BUCKET"
old_err NoSuchLifecycleConfiguration root get_bucket_lifecycle "{\"Bucket\":\"$BUCKET\"}"
OLD='{"Rules":[{"ID":"old-logs","Prefix":"logs/","Status":"Enabled","Expiration":{"Days":30},"Transition":{"Days":7,"StorageClass":"STANDARD_IA"}}]}'
B="{\"Bucket\":\"$BUCKET\"}"
old_ok root put_bucket_lifecycle "$(jq -c --arg b "$BUCKET" '{Bucket: $b, LifecycleConfiguration: .}' <<<"$OLD")"
old_ok root get_bucket_lifecycle "$B"
assert_jq "old lifecycle as put" '.Rules[0].ID == "old-logs" and .Rules[0].Prefix == "logs/" and .Rules[0].Expiration.Days == 30 and .Rules[0].Transition.StorageClass == "STANDARD_IA"'
expect_ok root s3api get-bucket-lifecycle-configuration --bucket "$BUCKET"
assert_jq "the new API reads it" '.Rules[0].ID == "old-logs" and .Rules[0].Prefix == "logs/" and .Rules[0].Expiration.Days == 30 and .Rules[0].Transitions[0].Days == 7'
old_err MalformedXML root put_bucket_lifecycle "$(jq -c -n --arg b "$BUCKET" \
  '{Bucket: $b, LifecycleConfiguration: {Rules: [{ID: "bad-status", Prefix: "x/", Status: "Sometimes", Expiration: {Days: 1}}]}}')"

NEW='{"Rules":[{"ID":"tagged","Status":"Enabled","Filter":{"Tag":{"Key":"tier","Value":"tmp"}},"Expiration":{"Days":1}}]}'
expect_ok root s3api put-bucket-lifecycle-configuration --bucket "$BUCKET" --lifecycle-configuration "$NEW"
old_ok root get_bucket_lifecycle "$B"
assert_jq "the old API reads a filtered rule" '.Rules[0].ID == "tagged" and .Rules[0].Status == "Enabled" and .Rules[0].Expiration.Days == 1'
expect_ok root s3api delete-bucket-lifecycle --bucket "$BUCKET"
old_err NoSuchLifecycleConfiguration root get_bucket_lifecycle "$B"

# ============================================================ 2. notifications
step "2. the old notification API shares the bucket's notification configuration"
old_ok root get_bucket_notification "$B"
assert_jq "no notifications" '(.TopicConfiguration // null) == null and (.QueueConfiguration // null) == null'
old_ok root put_bucket_notification "$(jq -c -n --arg b "$BUCKET" --arg t "$TOPIC" \
  '{Bucket: $b, NotificationConfiguration: {TopicConfiguration: {Id: "old-topic", Events: ["s3:ObjectCreated:*"], Topic: $t}}}')"
old_ok root get_bucket_notification "$B"
assert_jq "old notification as put" --arg t "$TOPIC" '.TopicConfiguration.Id == "old-topic" and .TopicConfiguration.Topic == $t and .TopicConfiguration.Events == ["s3:ObjectCreated:*"]'
expect_ok root s3api get-bucket-notification-configuration --bucket "$BUCKET"
assert_jq "the new API reads it" --arg t "$TOPIC" '.TopicConfigurations[0].Id == "old-topic" and .TopicConfigurations[0].TopicArn == $t'
old_err InvalidArgument root put_bucket_notification "$(jq -c -n --arg b "$BUCKET" \
  '{Bucket: $b, NotificationConfiguration: {TopicConfiguration: {Id: "bad", Events: ["s3:ObjectCreated:*"], Topic: "not-an-arn"}}}')"

# ============================================================ 3. authorization
step "3. the old operations are authorized with the configurations' IAM actions"
defer purge_user root "$READER"
expect_ok root iam create-user --user-name "$READER"
expect_ok root iam put-user-policy --user-name "$READER" --policy-name reads --policy-document "$(jq -c -n --arg b "$(s3_arn "$BUCKET")" \
  '{Version:"2012-10-17",Statement:[{Effect:"Allow",Action:["s3:GetLifecycleConfiguration","s3:GetBucketNotification"],Resource:$b}]}')"
expect_ok root iam create-access-key --user-name "$READER"
set_creds reader "$(jqo .AccessKey.AccessKeyId)" "$(jqo .AccessKey.SecretAccessKey)"
old_ok root put_bucket_lifecycle "$(jq -c --arg b "$BUCKET" '{Bucket: $b, LifecycleConfiguration: .}' <<<"$OLD")"
# The reader's key is new: expect_ok (settle window) before the direct calls.
expect_ok reader s3api get-bucket-lifecycle-configuration --bucket "$BUCKET"
old_ok reader get_bucket_lifecycle "$B"
assert_jq "the reader reads the lifecycle" '.Rules[0].ID == "old-logs"'
old_ok reader get_bucket_notification "$B"
assert_jq "the reader reads the notifications" '.TopicConfiguration.Id == "old-topic"'
old_err AccessDenied reader put_bucket_lifecycle "$(jq -c --arg b "$BUCKET" '{Bucket: $b, LifecycleConfiguration: .}' <<<"$OLD")"
old_err AccessDenied reader put_bucket_notification "$(jq -c -n --arg b "$BUCKET" '{Bucket: $b, NotificationConfiguration: {}}')"

pass
