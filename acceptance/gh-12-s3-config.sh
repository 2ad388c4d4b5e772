#!/usr/bin/env bash
# Issue 12 — S3 bucket configurations answered as AWS answers them, with the aws CLI
# (s3api) and curl:
#   1. a new bucket: the "not configured" errors (NoSuchCORSConfiguration,
#      NoSuchWebsiteConfiguration, NoSuchLifecycleConfiguration,
#      ReplicationConfigurationNotFoundError, ObjectLockConfigurationNotFoundError) and
#      the defaults AWS answers (SSE-S3 default encryption since 2023, no logging,
#      BucketOwner pays, no acceleration status, an empty notification configuration);
#   2. each configuration put, read back as it was put, and deleted (or reset), and bad
#      input refused with S3's errors (InvalidRequest, InvalidArgument, MalformedXML,
#      InvalidTargetBucketForLogging, InvalidBucketState);
#   3. CORS for real: a browser's preflight (OPTIONS with Origin and
#      Access-Control-Request-Method, API RESTOPTIONSobject) answered from the rules,
#      403 when no rule allows it;
#   4. each operation is its own IAM action (s3:GetBucketCORS, s3:PutLifecycleConfiguration,
#      ...: the Service Authorization Reference for Amazon S3): a user allowed only the
#      reads is denied the writes.
# Gatehouse keeps these configurations; apart from CORS and Object Lock's hold on
# versioning it does not act on them (no expiry, website endpoint, logs, notifications
# or replication).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"
# shellcheck source=lib/s3.sh
. "$(dirname "$0")/lib/s3.sh"

BUCKET="gh12-config-$RUN_ID"
LOGS="gh12-config-logs-$RUN_ID"
READER=$(name_for ConfigReader)

# ============================================================ 1. a new bucket
step "1. a new bucket: not-configured errors and AWS's defaults"
create_bucket root "$BUCKET"
expect_err NoSuchCORSConfiguration root s3api get-bucket-cors --bucket "$BUCKET"
expect_err NoSuchWebsiteConfiguration root s3api get-bucket-website --bucket "$BUCKET"
expect_err NoSuchLifecycleConfiguration root s3api get-bucket-lifecycle-configuration --bucket "$BUCKET"
expect_err ReplicationConfigurationNotFoundError root s3api get-bucket-replication --bucket "$BUCKET"
expect_err ObjectLockConfigurationNotFoundError root s3api get-object-lock-configuration --bucket "$BUCKET"
# Every bucket encrypts with SSE-S3 unless configured otherwise (API_DeleteBucketEncryption).
expect_ok root s3api get-bucket-encryption --bucket "$BUCKET"
assert_jq "default encryption is SSE-S3" '.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm == "AES256"'
expect_ok root s3api get-bucket-logging --bucket "$BUCKET"
assert_jq "no logging" '(.LoggingEnabled // null) == null'
expect_ok root s3api get-bucket-request-payment --bucket "$BUCKET"
assert_jq "the bucket owner pays" '.Payer == "BucketOwner"'
expect_ok root s3api get-bucket-accelerate-configuration --bucket "$BUCKET"
assert_jq "no acceleration status" '(.Status // null) == null'
expect_ok root s3api get-bucket-notification-configuration --bucket "$BUCKET"
assert_jq "no notifications" '((.QueueConfigurations // []) + (.TopicConfigurations // []) + (.LambdaFunctionConfigurations // [])) == []'

# ============================================================ 2. put, get, delete
step "2. each configuration put, read back, deleted; bad input refused"
CORS='{"CORSRules":[{"ID":"web","AllowedOrigins":["https://*.example.com"],"AllowedMethods":["GET","PUT"],"AllowedHeaders":["x-amz-*","content-type"],"ExposeHeaders":["ETag"],"MaxAgeSeconds":600}]}'
expect_ok root s3api put-bucket-cors --bucket "$BUCKET" --cors-configuration "$CORS"
expect_ok root s3api get-bucket-cors --bucket "$BUCKET"
assert_jq "CORS rule as put" '.CORSRules[0].ID == "web" and .CORSRules[0].AllowedOrigins == ["https://*.example.com"] and .CORSRules[0].MaxAgeSeconds == 600 and .CORSRules[0].AllowedMethods == ["GET","PUT"]'
expect_err_msg InvalidRequest "Unsupported method is PATCH" root s3api put-bucket-cors --bucket "$BUCKET" \
  --cors-configuration '{"CORSRules":[{"AllowedOrigins":["*"],"AllowedMethods":["PATCH"]}]}'

expect_ok root s3api put-bucket-website --bucket "$BUCKET" --website-configuration '{"IndexDocument":{"Suffix":"index.html"},"ErrorDocument":{"Key":"error.html"}}'
expect_ok root s3api get-bucket-website --bucket "$BUCKET"
assert_jq "website as put" '.IndexDocument.Suffix == "index.html" and .ErrorDocument.Key == "error.html"'
expect_err InvalidArgument root s3api put-bucket-website --bucket "$BUCKET" --website-configuration '{"ErrorDocument":{"Key":"error.html"}}'
expect_ok root s3api delete-bucket-website --bucket "$BUCKET"
expect_err NoSuchWebsiteConfiguration root s3api get-bucket-website --bucket "$BUCKET"

LIFECYCLE='{"Rules":[{"ID":"expire-logs","Status":"Enabled","Filter":{"Prefix":"logs/"},"Expiration":{"Days":30},"Transitions":[{"Days":7,"StorageClass":"STANDARD_IA"}]}]}'
expect_ok root s3api put-bucket-lifecycle-configuration --bucket "$BUCKET" --lifecycle-configuration "$LIFECYCLE"
expect_ok root s3api get-bucket-lifecycle-configuration --bucket "$BUCKET"
assert_jq "lifecycle as put" '.Rules[0].ID == "expire-logs" and .Rules[0].Filter.Prefix == "logs/" and .Rules[0].Expiration.Days == 30 and .Rules[0].Transitions[0].StorageClass == "STANDARD_IA"'
expect_err InvalidArgument root s3api put-bucket-lifecycle-configuration --bucket "$BUCKET" \
  --lifecycle-configuration '{"Rules":[{"ID":"bad","Status":"Enabled","Filter":{"Prefix":""},"Expiration":{"Days":0}}]}'
expect_ok root s3api delete-bucket-lifecycle --bucket "$BUCKET"
expect_err NoSuchLifecycleConfiguration root s3api get-bucket-lifecycle-configuration --bucket "$BUCKET"

KMS="arn:aws:kms:$REGION:$ACCOUNT_ID:key/1234abcd-12ab-34cd-56ef-1234567890ab"
expect_ok root s3api put-bucket-encryption --bucket "$BUCKET" --server-side-encryption-configuration \
  "{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"$KMS\"},\"BucketKeyEnabled\":true}]}"
expect_ok root s3api get-bucket-encryption --bucket "$BUCKET"
assert_jq "SSE-KMS as put" --arg k "$KMS" '.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID == $k and .ServerSideEncryptionConfiguration.Rules[0].BucketKeyEnabled == true'
expect_ok root s3api delete-bucket-encryption --bucket "$BUCKET"
expect_ok root s3api get-bucket-encryption --bucket "$BUCKET"
assert_jq "deleting resets SSE-S3" '.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm == "AES256"'

expect_err InvalidTargetBucketForLogging root s3api put-bucket-logging --bucket "$BUCKET" \
  --bucket-logging-status "{\"LoggingEnabled\":{\"TargetBucket\":\"gh12-none-$RUN_ID\",\"TargetPrefix\":\"x/\"}}"
create_bucket root "$LOGS"
expect_ok root s3api put-bucket-logging --bucket "$BUCKET" --bucket-logging-status "{\"LoggingEnabled\":{\"TargetBucket\":\"$LOGS\",\"TargetPrefix\":\"access/\"}}"
expect_ok root s3api get-bucket-logging --bucket "$BUCKET"
assert_jq "logging as put" --arg b "$LOGS" '.LoggingEnabled.TargetBucket == $b and .LoggingEnabled.TargetPrefix == "access/"'
expect_ok root s3api put-bucket-logging --bucket "$BUCKET" --bucket-logging-status '{}'

expect_ok root s3api put-bucket-request-payment --bucket "$BUCKET" --request-payment-configuration '{"Payer":"Requester"}'
expect_ok root s3api get-bucket-request-payment --bucket "$BUCKET"
assert_jq "requester pays" '.Payer == "Requester"'
expect_ok root s3api put-bucket-request-payment --bucket "$BUCKET" --request-payment-configuration '{"Payer":"BucketOwner"}'

expect_ok root s3api put-bucket-accelerate-configuration --bucket "$BUCKET" --accelerate-configuration '{"Status":"Enabled"}'
expect_ok root s3api get-bucket-accelerate-configuration --bucket "$BUCKET"
assert_jq "acceleration as put" '.Status == "Enabled"'

QUEUE="arn:aws:sqs:$REGION:$ACCOUNT_ID:uploads"
expect_ok root s3api put-bucket-notification-configuration --bucket "$BUCKET" --notification-configuration \
  "{\"QueueConfigurations\":[{\"Id\":\"uploads\",\"QueueArn\":\"$QUEUE\",\"Events\":[\"s3:ObjectCreated:*\"]}]}"
expect_ok root s3api get-bucket-notification-configuration --bucket "$BUCKET"
assert_jq "notification as put" --arg q "$QUEUE" '.QueueConfigurations[0].Id == "uploads" and .QueueConfigurations[0].QueueArn == $q and .QueueConfigurations[0].Events == ["s3:ObjectCreated:*"]'
expect_ok root s3api put-bucket-notification-configuration --bucket "$BUCKET" --notification-configuration '{}'

REPL="{\"Role\":\"arn:aws:iam::$ACCOUNT_ID:role/replication\",\"Rules\":[{\"ID\":\"all\",\"Priority\":1,\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"\"},\"DeleteMarkerReplication\":{\"Status\":\"Disabled\"},\"Destination\":{\"Bucket\":\"arn:aws:s3:::gh12-replica-$RUN_ID\"}}]}"
# Replication and Object Lock need versioning enabled.
expect_err InvalidRequest root s3api put-bucket-replication --bucket "$BUCKET" --replication-configuration "$REPL"
LOCK='{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Mode":"GOVERNANCE","Days":1}}}'
expect_err InvalidBucketState root s3api put-object-lock-configuration --bucket "$BUCKET" --object-lock-configuration "$LOCK"
expect_ok root s3api put-bucket-versioning --bucket "$BUCKET" --versioning-configuration Status=Enabled
expect_ok root s3api put-bucket-replication --bucket "$BUCKET" --replication-configuration "$REPL"
expect_ok root s3api get-bucket-replication --bucket "$BUCKET"
assert_jq "replication as put" '.ReplicationConfiguration.Rules[0].ID == "all" and (.ReplicationConfiguration.Role | endswith(":role/replication"))'
expect_ok root s3api delete-bucket-replication --bucket "$BUCKET"
expect_err ReplicationConfigurationNotFoundError root s3api get-bucket-replication --bucket "$BUCKET"

# ============================================================ 3. CORS preflight
step "3. a browser's CORS preflight answered from the rules"
preflight() { # preflight ORIGIN METHOD [HEADERS] : sets HTTP_STATUS, HEADERS_OUT
  local args=(-sS -o /dev/null -D "$WORK/.hdr" -w '%{http_code}' -X OPTIONS -H "Origin: $1" -H "Access-Control-Request-Method: $2")
  [ -n "${3:-}" ] && args+=(-H "Access-Control-Request-Headers: $3")
  LAST_CALL="curl OPTIONS $(s3_url "$BUCKET" app.js) Origin=$1 Method=$2"
  HTTP_STATUS=$(curl "${args[@]}" "${CURL_ARGS[@]}" "$(s3_url "$BUCKET" app.js)")
  HEADERS_OUT=$(tr -d '\r' <"$WORK/.hdr")
  printf '   %s -> %s\n' "$LAST_CALL" "$HTTP_STATUS"
}
preflight https://app.example.com PUT "content-type,x-amz-date"
assert_eq "$HTTP_STATUS" 200 "allowed preflight"
assert_contains "$HEADERS_OUT" "Access-Control-Allow-Origin: https://app.example.com" "preflight headers"
assert_contains "$HEADERS_OUT" "Access-Control-Max-Age: 600" "preflight headers"
preflight https://evil.example.org GET
assert_eq "$HTTP_STATUS" 403 "preflight from an origin no rule allows"
expect_ok root s3api delete-bucket-cors --bucket "$BUCKET"
expect_err NoSuchCORSConfiguration root s3api get-bucket-cors --bucket "$BUCKET"
preflight https://app.example.com GET
assert_eq "$HTTP_STATUS" 403 "preflight without CORS"

# ============================================================ 4. authorization
step "4. each configuration operation is its own IAM action"
defer purge_user root "$READER"
expect_ok root iam create-user --user-name "$READER"
expect_ok root iam put-user-policy --user-name "$READER" --policy-name reads --policy-document "$(jq -c -n --arg b "$(s3_arn "$BUCKET")" \
  '{Version:"2012-10-17",Statement:[{Effect:"Allow",Action:["s3:GetBucketCORS","s3:GetLifecycleConfiguration","s3:GetEncryptionConfiguration","s3:GetBucketLogging"],Resource:$b}]}')"
expect_ok root iam create-access-key --user-name "$READER"
set_creds reader "$(jqo .AccessKey.AccessKeyId)" "$(jqo .AccessKey.SecretAccessKey)"
expect_err NoSuchCORSConfiguration reader s3api get-bucket-cors --bucket "$BUCKET"
expect_ok reader s3api get-bucket-encryption --bucket "$BUCKET"
expect_ok reader s3api get-bucket-logging --bucket "$BUCKET"
expect_denied reader s3api put-bucket-cors --bucket "$BUCKET" --cors-configuration "$CORS"
expect_denied reader s3api put-bucket-lifecycle-configuration --bucket "$BUCKET" --lifecycle-configuration "$LIFECYCLE"
expect_denied reader s3api delete-bucket-encryption --bucket "$BUCKET"
expect_denied reader s3api get-bucket-website --bucket "$BUCKET"

pass
