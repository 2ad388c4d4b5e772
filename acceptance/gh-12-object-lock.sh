#!/usr/bin/env bash
# Issue 12 — S3 Object Lock enforced, with the aws CLI (s3api); the S3 User Guide's
# object-lock.html and object-lock-managing.html, the API reference's
# PutObjectRetention, PutObjectLegalHold and DeleteObject:
#   1. a bucket created with Object Lock (versioning comes with it); a bucket
#      without it refuses retention (InvalidRequest);
#   2. an object put with GOVERNANCE retention: its version cannot be deleted
#      (AccessDenied), a delete without a version id only adds a delete marker;
#      the retention cannot be shortened without the bypass;
#   3. a legal hold blocks the delete of its version whatever the bypass;
#      lifted, the version goes;
#   4. the governance bypass: refused to a user without
#      s3:BypassGovernanceRetention, allowed to one with it.
# Only GOVERNANCE is used: a COMPLIANCE version could not be cleaned up.
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"
# shellcheck source=lib/s3.sh
. "$(dirname "$0")/lib/s3.sh"

BUCKET="gh12-lock-$RUN_ID"
PLAIN="gh12-lock-plain-$RUN_ID"
KEEPER=$(name_for LockKeeper)
BYPASSER=$(name_for LockBypasser)
UNTIL=$(iso_at $(($(now_epoch) + 3600)))
BODY=$(mktemp)
printf 'ledger\n' >"$BODY"
MD5=$(openssl md5 -binary "$BODY" | base64)

# unlock_all : lift every legal hold and delete every version with the bypass,
# so purge_bucket can remove the bucket.
unlock_all() {
  local o k v
  o=$(_qo root s3api list-object-versions --bucket "$BUCKET") || return 0
  while IFS=$'\t' read -r k v; do
    [ -n "$v" ] || continue
    _q root s3api put-object-legal-hold --bucket "$BUCKET" --key "$k" --version-id "$v" --legal-hold Status=OFF
    _q root s3api delete-object --bucket "$BUCKET" --key "$k" --version-id "$v" --bypass-governance-retention
  done < <(jq -r '(.Versions // [])[], (.DeleteMarkers // [])[] | [.Key, .VersionId] | @tsv' <<<"$o")
}

# ============================================================ 1. buckets
step "1. a bucket with Object Lock; one without refuses retention"
create_bucket root "$PLAIN"
put_text root "$PLAIN" k plain
expect_err_msg InvalidRequest "Bucket is missing Object Lock Configuration" root s3api put-object-retention \
  --bucket "$PLAIN" --key k --retention "Mode=GOVERNANCE,RetainUntilDate=$UNTIL"
create_bucket root "$BUCKET" --object-lock-enabled-for-bucket
defer unlock_all
expect_ok root s3api get-bucket-versioning --bucket "$BUCKET"
assert_jq "Object Lock enables versioning" '.Status == "Enabled"'
expect_ok root s3api get-object-lock-configuration --bucket "$BUCKET"
assert_jq "Object Lock is enabled" '.ObjectLockConfiguration.ObjectLockEnabled == "Enabled"'

# ============================================================ 2. retention
step "2. GOVERNANCE retention: the version stays, a delete marker is allowed"
expect_ok root s3api put-object --bucket "$BUCKET" --key ledger --body "$BODY" --content-md5 "$MD5" \
  --object-lock-mode GOVERNANCE --object-lock-retain-until-date "$UNTIL"
V1=$(jqo .VersionId)
expect_ok root s3api get-object-retention --bucket "$BUCKET" --key ledger --version-id "$V1"
assert_jq "retention as put" --arg u "$UNTIL" '.Retention.Mode == "GOVERNANCE" and (.Retention.RetainUntilDate | sub("\\.000";"") | sub("\\+00:00$";"Z")) == $u'
expect_ok root s3api head-object --bucket "$BUCKET" --key ledger
assert_jq "HEAD shows the lock" '.ObjectLockMode == "GOVERNANCE" and .ObjectLockLegalHoldStatus == "OFF"'
expect_err_msg AccessDenied "object protected by object lock" root s3api delete-object --bucket "$BUCKET" --key ledger --version-id "$V1"
expect_ok root s3api delete-object --bucket "$BUCKET" --key ledger
assert_jq "a delete without a version id adds a delete marker" '.DeleteMarker == true'
expect_err AccessDenied root s3api put-object-retention --bucket "$BUCKET" --key ledger --version-id "$V1" \
  --retention "Mode=GOVERNANCE,RetainUntilDate=$(iso_at $(($(now_epoch) + 600)))"
expect_err_msg InvalidArgument "must be in the future" root s3api put-object --bucket "$BUCKET" --key past --body "$BODY" \
  --content-md5 "$MD5" --object-lock-mode GOVERNANCE --object-lock-retain-until-date "$(iso_at $(($(now_epoch) - 3600)))"

# ============================================================ 3. legal hold
step "3. a legal hold blocks the delete, bypass or not"
expect_ok root s3api put-object --bucket "$BUCKET" --key held --body "$BODY" --content-md5 "$MD5"
V2=$(jqo .VersionId)
expect_ok root s3api put-object-legal-hold --bucket "$BUCKET" --key held --version-id "$V2" --legal-hold Status=ON
expect_ok root s3api get-object-legal-hold --bucket "$BUCKET" --key held --version-id "$V2"
assert_jq "legal hold on" '.LegalHold.Status == "ON"'
expect_err AccessDenied root s3api delete-object --bucket "$BUCKET" --key held --version-id "$V2" --bypass-governance-retention
expect_ok root s3api put-object-legal-hold --bucket "$BUCKET" --key held --version-id "$V2" --legal-hold Status=OFF
expect_ok root s3api delete-object --bucket "$BUCKET" --key held --version-id "$V2"

# ============================================================ 4. governance bypass
step "4. the governance bypass needs s3:BypassGovernanceRetention"
create_user root "$KEEPER"
expect_ok root iam put-user-policy --user-name "$KEEPER" --policy-name lock --policy-document \
  "$(policy_doc "$(allow s3:DeleteObjectVersion "$(s3_arn "$BUCKET" '*')")")"
make_keys root "$KEEPER" keeper
create_user root "$BYPASSER"
expect_ok root iam put-user-policy --user-name "$BYPASSER" --policy-name lock --policy-document \
  "$(policy_doc "$(allow s3:DeleteObjectVersion,s3:BypassGovernanceRetention "$(s3_arn "$BUCKET" '*')")")"
make_keys root "$BYPASSER" bypasser
expect_denied keeper s3api delete-object --bucket "$BUCKET" --key ledger --version-id "$V1" --bypass-governance-retention
expect_err AccessDenied keeper s3api delete-object --bucket "$BUCKET" --key ledger --version-id "$V1"
expect_ok bypasser s3api delete-object --bucket "$BUCKET" --key ledger --version-id "$V1" --bypass-governance-retention

pass
