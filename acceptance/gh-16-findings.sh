#!/usr/bin/env bash
# Issue 16 — IAM Access Analyzer's external access findings for S3 buckets and
# access previews, with the aws CLI (IAM User Guide, "IAM Access Analyzer
# supported resource types" — Amazon S3 buckets; "Previewing access with IAM
# Access Analyzer APIs"):
#   - a bucket made public by its ACL is an ACTIVE public finding whose source
#     is BUCKET_ACL; made public by its policy too, the same finding has both
#     sources;
#   - Block Public Access that ignores public ACLs and restricts public buckets
#     resolves it;
#   - an archive rule archives a bucket's cross-account finding; deleting the
#     bucket resolves it;
#   - an access preview of a role's trust policy: the existing finding is
#     CHANGED to RESOLVED, the proposed account's access is NEW; a proposed
#     public bucket configuration is NEW and public; a configuration type
#     Gatehouse does not hold is a ValidationException.
# Access Analyzer analyzes a changed policy within minutes on AWS (and Block
# Public Access of the account within 6 hours), so findings are polled within
# the settle window.
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"
# shellcheck source=lib/s3.sh
. "$(dirname "$0")/lib/s3.sh"

OPEN=$(name_for gh16-open)
PARTNER=$(name_for gh16-partner)
ROLE=$(name_for gh16-role)
OTHER=111122223333

call root accessanalyzer list-analyzers --type ACCOUNT
AN_ARN=$(jqo '.analyzers[0].arn // empty')
AN_NAME=$(jqo '.analyzers[0].name // empty')
if [ -z "$AN_ARN" ]; then
  AN_NAME=$(name_for gh16)
  expect_ok root accessanalyzer create-analyzer --analyzer-name "$AN_NAME" --type ACCOUNT
  defer _q root accessanalyzer delete-analyzer --analyzer-name "$AN_NAME"
  AN_ARN=$(jqo '.arn')
fi

# findings_until BUCKET-ARN JQ-FILTER MESSAGE : list the analyzer's findings on
# a resource until the filter holds on them (within the settle window)
findings_until() {
  local res=$1 filter=$2 msg=$3 deadline=$((SECONDS + SETTLE))
  while :; do
    expect_ok root accessanalyzer list-findings --analyzer-arn "$AN_ARN" \
      --filter "$(jq -n -c --arg r "$res" '{resource: {eq: [$r]}}')"
    jq -e "$filter" <<<"$OUT" >/dev/null 2>&1 && return 0
    [ "$SECONDS" -ge "$deadline" ] && fail "$msg [jq $filter]: $OUT"
    sleep 1
  done
}

step "a bucket made public by its ACL: one ACTIVE public finding from BUCKET_ACL"
create_bucket root "$OPEN" --object-ownership BucketOwnerPreferred
findings_until "$(s3_arn "$OPEN")" '.findings | length == 0' "a new bucket has no finding"
expect_ok root s3api put-public-access-block --bucket "$OPEN" --public-access-block-configuration "$(pab_doc false false false false)"
expect_ok root s3api put-bucket-acl --bucket "$OPEN" --acl public-read
findings_until "$(s3_arn "$OPEN")" '[.findings[] | select(.status == "ACTIVE")] | length == 1' "the public ACL is found"
assert_jq "public, to everyone, from the ACL" '.findings[0] | .isPublic == true and .principal.AWS == "*" and .resourceType == "AWS::S3::Bucket" and ([.sources[].type] == ["BUCKET_ACL"]) and (.action | index("s3:ListBucket"))'
FINDING=$(jqo '.findings[0].id')

step "made public by its policy too: the same finding, both sources"
expect_ok root s3api put-bucket-policy --bucket "$OPEN" --policy "$(jq -n -c --arg r "$(s3_arn "$OPEN")/*" '{Version: "2012-10-17", Statement: [{Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: $r}]}')"
findings_until "$(s3_arn "$OPEN")" '.findings[0].sources | length == 2' "the policy is a second source"
expect_ok root accessanalyzer get-finding --analyzer-arn "$AN_ARN" --id "$FINDING"
assert_jq "one finding, ACL and policy" '.finding | .status == "ACTIVE" and ([.sources[].type] | sort == ["BUCKET_ACL","POLICY"]) and (.action | index("s3:GetObject"))'

step "Block Public Access ignoring public ACLs and restricting public buckets resolves it"
expect_ok root s3api put-public-access-block --bucket "$OPEN" --public-access-block-configuration "$(pab_doc false true false true)"
findings_until "$(s3_arn "$OPEN")" '[.findings[] | select(.status != "RESOLVED")] | length == 0' "the finding is resolved"
assert_jq "resolved, not removed" '[.findings[] | select(.id == "'"$FINDING"'" and .status == "RESOLVED")] | length == 1'

step "an archive rule archives a cross-account bucket finding; deleting the bucket resolves it"
RULE=$(name_for gh16-rule)
expect_ok root accessanalyzer create-archive-rule --analyzer-name "$AN_NAME" --rule-name "$RULE" \
  --filter "$(jq -n -c --arg r "$(s3_arn "$PARTNER")" --arg a "$OTHER" '{resource: {eq: [$r]}, "principal.AWS": {eq: [$a]}}')"
defer _q root accessanalyzer delete-archive-rule --analyzer-name "$AN_NAME" --rule-name "$RULE"
create_bucket root "$PARTNER"
expect_ok root s3api put-bucket-policy --bucket "$PARTNER" --policy "$(jq -n -c --arg r "$(s3_arn "$PARTNER")/*" --arg a "$OTHER" '{Version: "2012-10-17", Statement: [{Effect: "Allow", Principal: {AWS: $a}, Action: "s3:PutObject", Resource: $r}]}')"
findings_until "$(s3_arn "$PARTNER")" '[.findings[] | select(.status == "ARCHIVED")] | length == 1' "the rule archives the finding"
assert_jq "cross-account, not public, from the policy" '.findings[0] | .isPublic == false and ([.sources[].type] == ["POLICY"])'
expect_ok root s3api delete-bucket --bucket "$PARTNER"
findings_until "$(s3_arn "$PARTNER")" '[.findings[] | select(.status == "RESOLVED")] | length == 1' "the deleted bucket's finding is resolved"

step "an access preview of a role's trust policy: CHANGED to RESOLVED, and NEW"
create_role root "$ROLE" "$(trust_aws "$OTHER")"
ROLE_ARN=$(role_arn "$ROLE")
findings_until "$ROLE_ARN" '[.findings[] | select(.status == "ACTIVE")] | length == 1' "the role's cross-account finding"
ROLE_FINDING=$(jqo '.findings[0].id')
CFG=$(jq -n -c --arg r "$ROLE_ARN" --arg t "$(trust_aws 777788889999)" '{($r): {iamRole: {trustPolicy: $t}}}')
expect_ok root accessanalyzer create-access-preview --analyzer-arn "$AN_ARN" --configurations "$CFG"
PREVIEW=$(jqo '.id')
for _ in $(seq "$SETTLE"); do
  expect_ok root accessanalyzer get-access-preview --analyzer-arn "$AN_ARN" --access-preview-id "$PREVIEW"
  [ "$(jqo '.accessPreview.status')" = CREATING ] || break
  sleep 1
done
assert_jq "completed" '.accessPreview.status == "COMPLETED" and (.accessPreview.configurations | length == 1)'
expect_ok root accessanalyzer list-access-preview-findings --analyzer-arn "$AN_ARN" --access-preview-id "$PREVIEW"
assert_jq "the existing finding would be resolved" '[.findings[] | select(.changeType == "CHANGED" and .status == "RESOLVED" and .existingFindingId == "'"$ROLE_FINDING"'" and .existingFindingStatus == "ACTIVE")] | length == 1'
assert_jq "the proposed account is new" '[.findings[] | select(.changeType == "NEW" and .status == "ACTIVE" and .principal.AWS == "777788889999")] | length == 1'
expect_ok root accessanalyzer list-access-previews --analyzer-arn "$AN_ARN"
assert_jq "listed" '[.accessPreviews[] | select(.id == "'"$PREVIEW"'")] | length == 1'
expect_ok root accessanalyzer get-finding --analyzer-arn "$AN_ARN" --id "$ROLE_FINDING"
assert_jq "the preview changed nothing" '.finding.status == "ACTIVE"'

step "an access preview of a public bucket configuration"
CFG=$(jq -n -c --arg r "$(s3_arn "$OPEN")" --arg p "$(jq -n -c --arg r "$(s3_arn "$OPEN")/*" '{Version: "2012-10-17", Statement: [{Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: $r}]}')" \
  '{($r): {s3Bucket: {bucketPolicy: $p, bucketPublicAccessBlock: {ignorePublicAcls: true, restrictPublicBuckets: false}}}}')
expect_ok root accessanalyzer create-access-preview --analyzer-arn "$AN_ARN" --configurations "$CFG"
PREVIEW=$(jqo '.id')
expect_ok root accessanalyzer list-access-preview-findings --analyzer-arn "$AN_ARN" --access-preview-id "$PREVIEW"
assert_jq "the proposed policy would be public again" '[.findings[] | select(.isPublic == true and .resourceType == "AWS::S3::Bucket" and ([.sources[].type] == ["POLICY"]))] | length == 1'

step "errors"
expect_err ValidationException root accessanalyzer create-access-preview --analyzer-arn "$AN_ARN" \
  --configurations "$(jq -n -c --arg r "arn:$PARTITION:sqs:$REGION:$ACCOUNT_ID:q" '{($r): {sqsQueue: {queuePolicy: ""}}}')"
expect_err ResourceNotFoundException root accessanalyzer get-access-preview --analyzer-arn "$AN_ARN" --access-preview-id 00000000-0000-0000-0000-000000000000

pass
