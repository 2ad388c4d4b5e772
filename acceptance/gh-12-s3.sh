#!/usr/bin/env bash
# Issue 12 — Amazon S3 on Gatehouse's endpoint (path-style), every request authorized
# as AWS authorizes S3, driven with the aws CLI (s3api, s3, s3 presign) and curl:
#   1. least privilege with ${aws:username}: the IAM User Guide's home-directory policy
#      (reference_policies_examples_s3_home-directory-console): list only the home
#      prefixes (s3:prefix condition), read/write/delete only under home/<you>/; then the
#      same policy without the console's navigation prefixes, so listing the root is denied;
#      in one account a bucket policy alone can grant, and its explicit Deny wins;
#   2. an application role, assumed by a user allowed to, reads bucket A and writes
#      bucket B, and nothing else; a session policy narrows it
#      (access_policies.md#policies_session);
#   3. cross-account: a bucket policy in account A naming account B's user, and B's
#      identity policy, are both needed (reference_policies_evaluation-logic-cross-account);
#      an RCP on account A denies B's user all the same; a bucket policy naming a
#      principal that does not exist is refused (MalformedPolicy);
#   4. an SCP on the member account denying s3:DeleteObject stops its administrator
#      (Organizations User Guide, orgs_manage_policies_scps);
#   5. presigned URLs: valid until X-Amz-Expires, then 403 AccessDenied "Request has
#      expired"; they act with the signer's permissions, which can be revoked
#      (S3 User Guide, using-presigned-url);
#   6. Object Ownership and Block Public Access at bucket level: new buckets have ACLs
#      disabled (BucketOwnerEnforced) and all four BPA settings on; each setting does
#      what API_PublicAccessBlockConfiguration says; anonymous curl GETs;
#   7. basics with `aws s3`: mb, cp (small and 20 MiB multipart), ls, cp back, rm, rb,
#      and S3's error codes (NoSuchKey, NoSuchBucket, BucketNotEmpty, bare 404/403 on HEAD).
# Account A of step 3 and the SCP's target in step 4 are the organization's member
# account (common.sh's ensure_member_account / enter_member_account), as in seed-05/08.
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"
# shellcheck source=lib/s3.sh
. "$(dirname "$0")/lib/s3.sh"

# Bucket names: lower case, digits and hyphens, 3-63 characters, unique per run.
HOME_BUCKET="gh12-home-$RUN_ID"
IN_BUCKET="gh12-app-in-$RUN_ID"
OUT_BUCKET="gh12-app-out-$RUN_ID"
X_BUCKET="gh12-xacct-$RUN_ID"
SCP_BUCKET="gh12-scp-$RUN_ID"
PUBLIC_BUCKET="gh12-public-$RUN_ID"
BASIC_BUCKET="gh12-basics-$RUN_ID"
ALICE=$(name_for Alice)
BOB=$(name_for Bob)
HOMES=$(name_for HomeDirectoryUsers)
DEPLOYER=$(name_for AppDeployer)
APP_ROLE=$(name_for ReportApp)
PARTNER=$(name_for Partner)
printf 'x' >"$WORK/x.txt" # a body for writes that should fail
head -c $((20 * 1024 * 1024)) /dev/urandom >"$WORK/big.bin" # past the CLI's multipart threshold

# enable_policy_type TYPE : the organization root has policy type TYPE enabled
# (SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY); if this run enabled it, it is
# disabled again at the end, as seed-05 does.
enable_policy_type() {
  local type=$1 deadline
  expect_ok root organizations list-roots
  jq -e --arg t "$type" '.Roots[0].PolicyTypes[]? | select(.Type == $t and .Status == "ENABLED")' <<<"$OUT" >/dev/null && return 0
  expect_ok root organizations enable-policy-type --root-id "$ORG_ROOT_ID" --policy-type "$type"
  defer _q root organizations disable-policy-type --root-id "$ORG_ROOT_ID" --policy-type "$type"
  deadline=$((SECONDS + 60))
  while :; do
    expect_ok root organizations list-roots
    jq -e --arg t "$type" '.Roots[0].PolicyTypes[]? | select(.Type == $t and .Status == "ENABLED")' <<<"$OUT" >/dev/null && return 0
    [ $SECONDS -ge $deadline ] && fail "$type did not become ENABLED on $ORG_ROOT_ID"
    sleep 2
  done
}

# ============================================================ 1. least privilege
step "1. the IAM User Guide's home-directory policy for a group of users"
create_bucket root "$HOME_BUCKET"
put_text root "$HOME_BUCKET" "home/$ALICE/notes.txt" "alice's notes"
put_text root "$HOME_BUCKET" "home/$BOB/secret.txt" "bob's secret"
put_text root "$HOME_BUCKET" "shared/readme.txt" "team readme"
# reference_policies_examples_s3_home-directory-console.md, verbatim but for the
# bucket name. (It does not work for roles: aws:username exists only for IAM users.)
HOME_POLICY=$(sed "s/bucket-name/$HOME_BUCKET/g" <<'EOF'
{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "S3ConsoleAccess",
            "Effect": "Allow",
            "Action": [
                "s3:GetAccountPublicAccessBlock",
                "s3:GetBucketAcl",
                "s3:GetBucketLocation",
                "s3:GetBucketPolicyStatus",
                "s3:GetBucketPublicAccessBlock",
                "s3:ListAccessPoints",
                "s3:ListAllMyBuckets"
            ],
            "Resource": "*"
        },
        {
            "Sid": "ListObjectsInBucket",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": "arn:aws:s3:::bucket-name",
            "Condition": {
                "StringLike": {
                    "s3:prefix": [
                        "",
                        "home/",
                        "home/${aws:username}/*"
                    ]
                }
            }
        },
        {
            "Effect": "Allow",
            "Action": "s3:*",
            "Resource": [
                "arn:aws:s3:::bucket-name/home/${aws:username}",
                "arn:aws:s3:::bucket-name/home/${aws:username}/*"
            ]
        }
    ]
}
EOF
)
create_user root "$ALICE"
create_user root "$BOB"
create_group root "$HOMES"
expect_ok root iam put-group-policy --group-name "$HOMES" --policy-name HomeDirectory --policy-document "$HOME_POLICY"
expect_ok root iam add-user-to-group --group-name "$HOMES" --user-name "$ALICE"
expect_ok root iam add-user-to-group --group-name "$HOMES" --user-name "$BOB"
make_keys root "$ALICE" alice
make_keys root "$BOB" bob

step "1. listing: the buckets, the bucket's root and home/ (console navigation), one's own home only"
expect_ok alice s3 ls
assert_contains "$OUT" " $HOME_BUCKET" "aws s3 ls (ListBuckets, allowed by s3:ListAllMyBuckets) lists the bucket"
# `aws s3 ls s3://B/` sends prefix= (empty) and delimiter=/, which the "" pattern matches.
expect_ok alice s3 ls "s3://$HOME_BUCKET/"
assert_contains "$OUT" "PRE home/" "the root listing shows home/"
expect_ok alice s3api list-objects-v2 --bucket "$HOME_BUCKET" --prefix home/ --delimiter /
assert_jq "home/ lists every user's folder" --arg a "home/$ALICE/" --arg b "home/$BOB/" \
  '[.CommonPrefixes[].Prefix] | sort == ([$a, $b] | sort)'
expect_ok alice s3api list-objects-v2 --bucket "$HOME_BUCKET" --prefix "home/$ALICE/"
assert_jq "her own home lists her object" --arg k "home/$ALICE/notes.txt" '[.Contents[].Key] == [$k]'
expect_denied alice s3api list-objects-v2 --bucket "$HOME_BUCKET" --prefix "home/$BOB/"
expect_denied alice s3api list-objects-v2 --bucket "$HOME_BUCKET" --prefix shared/

step "1. objects: read, write and delete only under home/\${aws:username}/"
expect_object_text alice "$HOME_BUCKET" "home/$ALICE/notes.txt" "alice's notes"
put_text alice "$HOME_BUCKET" "home/$ALICE/draft.txt" "draft"
expect_object_text alice "$HOME_BUCKET" "home/$ALICE/draft.txt" "draft"
expect_ok alice s3api delete-object --bucket "$HOME_BUCKET" --key "home/$ALICE/draft.txt"
expect_err 404 root s3api head-object --bucket "$HOME_BUCKET" --key "home/$ALICE/draft.txt"
expect_denied alice s3api put-object --bucket "$HOME_BUCKET" --key shared/alice.txt --body "$WORK/x.txt"
expect_denied alice s3api put-object --bucket "$HOME_BUCKET" --key alice.txt --body "$WORK/x.txt"
expect_denied alice s3api put-object --bucket "$HOME_BUCKET" --key "home/$BOB/from-alice.txt" --body "$WORK/x.txt"
expect_denied alice s3api get-object --bucket "$HOME_BUCKET" --key "home/$BOB/secret.txt" "$WORK/denied.out"
expect_denied alice s3api get-object --bucket "$HOME_BUCKET" --key shared/readme.txt "$WORK/denied.out"
expect_denied alice s3api delete-object --bucket "$HOME_BUCKET" --key "home/$BOB/secret.txt"
expect_denied alice s3api delete-object --bucket "$HOME_BUCKET" --key shared/readme.txt
expect_ok root s3api head-object --bucket "$HOME_BUCKET" --key "home/$BOB/secret.txt"
note "bob's object survived alice's attempt"

step "1. the same group policy resolves \${aws:username} to each caller"
expect_object_text bob "$HOME_BUCKET" "home/$BOB/secret.txt" "bob's secret"
expect_denied bob s3api get-object --bucket "$HOME_BUCKET" --key "home/$ALICE/notes.txt" "$WORK/denied.out"
expect_denied bob s3api list-objects-v2 --bucket "$HOME_BUCKET" --prefix "home/$ALICE/"

step "1. least privilege, programmatic only: without the console's \"\" and home/ prefixes the root is not listable"
# The guide's "" and "home/" patterns exist only so the console can navigate to the
# folder; a user of the API or CLI needs just home/${aws:username}/*. A listing
# with an empty prefix (aws s3 ls s3://B/) or none (list-objects-v2 without --prefix)
# then matches no pattern: an s3:prefix of "" does not match home/<you>/*, and a key
# the request lacks matches nothing (reference_policies_elements_condition_operators).
# shellcheck disable=SC2016 # ${aws:username} is an IAM policy variable
TIGHT_POLICY=$(jq -c '(.Statement[] | select(.Sid == "ListObjectsInBucket") | .Condition.StringLike["s3:prefix"]) = ["home/${aws:username}/*"]' <<<"$HOME_POLICY")
expect_ok root iam put-group-policy --group-name "$HOMES" --policy-name HomeDirectory --policy-document "$TIGHT_POLICY"
expect_denied alice s3 ls "s3://$HOME_BUCKET/"
expect_denied alice s3api list-objects-v2 --bucket "$HOME_BUCKET"
expect_denied alice s3api list-objects-v2 --bucket "$HOME_BUCKET" --prefix home/
expect_ok alice s3api list-objects-v2 --bucket "$HOME_BUCKET" --prefix "home/$ALICE/"
assert_jq "her own home still lists" --arg k "home/$ALICE/notes.txt" '[.Contents[].Key] == [$k]'
expect_object_text alice "$HOME_BUCKET" "home/$ALICE/notes.txt" "alice's notes"

step "1. in one account a bucket policy alone can grant, and its explicit Deny beats the group's Allow"
# Within an account an Allow in either the identity-based or the resource-based policy
# is enough, and an explicit Deny in any policy wins (reference_policies_evaluation-logic).
HOME_BUCKET_POLICY=$(jq -n -c --arg p "$(user_arn "$ALICE")" --arg shared "$(s3_arn "$HOME_BUCKET" 'shared/*')" --arg all "$(s3_arn "$HOME_BUCKET" '*')" \
  '{Version: "2012-10-17", Statement: [
     {Sid: "AliceReadsShared", Effect: "Allow", Principal: {AWS: $p}, Action: "s3:GetObject", Resource: $shared},
     {Sid: "AliceDeletesNothing", Effect: "Deny", Principal: {AWS: $p}, Action: "s3:DeleteObject", Resource: $all}]}')
put_text alice "$HOME_BUCKET" "home/$ALICE/tmp.txt" "temporary"
expect_ok root s3api put-bucket-policy --bucket "$HOME_BUCKET" --policy "$HOME_BUCKET_POLICY"
expect_object_text alice "$HOME_BUCKET" shared/readme.txt "team readme"
expect_denied alice s3api delete-object --bucket "$HOME_BUCKET" --key "home/$ALICE/tmp.txt"
expect_denied bob s3api get-object --bucket "$HOME_BUCKET" --key shared/readme.txt "$WORK/denied.out"
expect_ok root s3api delete-bucket-policy --bucket "$HOME_BUCKET"
expect_denied alice s3api get-object --bucket "$HOME_BUCKET" --key shared/readme.txt "$WORK/denied.out"
expect_ok alice s3api delete-object --bucket "$HOME_BUCKET" --key "home/$ALICE/tmp.txt"

# ============================================================ 2. application role
step "2. an application role reads bucket A and writes bucket B"
create_bucket root "$IN_BUCKET"
create_bucket root "$OUT_BUCKET"
put_text root "$IN_BUCKET" input/data.csv "id,amount"
put_text root "$OUT_BUCKET" reports/earlier.csv "old report"
create_user root "$DEPLOYER"
create_role root "$APP_ROLE" "$(trust_aws "$(user_arn "$DEPLOYER")")" --description "Reads $IN_BUCKET, writes $OUT_BUCKET"
expect_ok root iam put-role-policy --role-name "$APP_ROLE" --policy-name ReadAWriteB --policy-document "$(policy_doc \
  "$(allow s3:ListBucket,s3:GetObject "$(s3_arn "$IN_BUCKET"),$(s3_arn "$IN_BUCKET" '*')")" \
  "$(allow s3:PutObject "$(s3_arn "$OUT_BUCKET" '*')")")"
expect_ok root iam put-user-policy --user-name "$DEPLOYER" --policy-name AssumeReportApp \
  --policy-document "$(policy_doc "$(allow sts:AssumeRole "$(role_arn "$APP_ROLE")")")"
make_keys root "$DEPLOYER" deployer
expect_denied deployer s3api get-object --bucket "$IN_BUCKET" --key input/data.csv "$WORK/denied.out"
assume_role deployer "$(role_arn "$APP_ROLE")" app app

step "2. the role's session: read A, write B, nothing else"
expect_object_text app "$IN_BUCKET" input/data.csv "id,amount"
expect_ok app s3api list-objects-v2 --bucket "$IN_BUCKET"
assert_jq "A's objects are listed" '[.Contents[].Key] == ["input/data.csv"]'
put_text app "$OUT_BUCKET" reports/today.csv "new report"
expect_object_text root "$OUT_BUCKET" reports/today.csv "new report"
expect_denied app s3api put-object --bucket "$IN_BUCKET" --key input/tampered.csv --body "$WORK/x.txt"
expect_denied app s3api delete-object --bucket "$IN_BUCKET" --key input/data.csv
expect_denied app s3api get-object --bucket "$OUT_BUCKET" --key reports/today.csv "$WORK/denied.out"
expect_denied app s3api get-object --bucket "$OUT_BUCKET" --key reports/earlier.csv "$WORK/denied.out"
expect_denied app s3api list-objects-v2 --bucket "$OUT_BUCKET"
# A missing key is 404 NoSuchKey to a caller allowed s3:ListBucket on the bucket and
# 403 AccessDenied to one who is not (API_GetObject, "Permissions").
expect_err NoSuchKey app s3api get-object --bucket "$IN_BUCKET" --key input/missing.csv "$WORK/denied.out"
expect_denied app s3api get-object --bucket "$OUT_BUCKET" --key reports/missing.csv "$WORK/denied.out"
# A multipart upload needs only s3:PutObject (CreateMultipartUpload, UploadPart and
# CompleteMultipartUpload are authorized as s3:PutObject: API_CreateMultipartUpload,
# "Permissions"); aws s3 cp splits 20 MiB into parts.
expect_ok app s3 cp --no-progress "$WORK/big.bin" "s3://$OUT_BUCKET/reports/big.bin"
expect_ok root s3api head-object --bucket "$OUT_BUCKET" --key reports/big.bin
assert_jq "the multipart object is whole" '.ContentLength == 20971520'
# CopyObject reads the source (s3:GetObject) and writes the target (s3:PutObject)
# (API_CopyObject, "Permissions"): A to B is allowed, B to B is not.
expect_ok app s3 cp "s3://$IN_BUCKET/input/data.csv" "s3://$OUT_BUCKET/reports/copied.csv"
expect_object_text root "$OUT_BUCKET" reports/copied.csv "id,amount"
expect_denied app s3api copy-object --copy-source "$OUT_BUCKET/reports/today.csv" --bucket "$OUT_BUCKET" --key reports/today-copy.csv
expect_denied app s3api copy-object --copy-source "$OUT_BUCKET/reports/today.csv" --bucket "$IN_BUCKET" --key input/today-copy.csv

step "2. a session policy narrows the role: a read-only session cannot write B"
assume_role deployer "$(role_arn "$APP_ROLE")" app-readonly app_ro \
  --policy "$(policy_doc "$(allow 's3:Get*,s3:List*')")"
expect_object_text app_ro "$IN_BUCKET" input/data.csv "id,amount"
expect_denied app_ro s3api put-object --bucket "$OUT_BUCKET" --key reports/readonly.csv --body "$WORK/x.txt"
expect_denied app_ro s3api get-object --bucket "$OUT_BUCKET" --key reports/today.csv "$WORK/denied.out"

# ============================================================ 3. cross-account
ensure_member_account
enter_member_account acct_a
ACCOUNT_A=$MEMBER_ACCOUNT_ID
ACCOUNT_B=$ACCOUNT_ID

step "3. cross-account: account A's bucket, account B's user"
create_bucket acct_a "$X_BUCKET"
put_text acct_a "$X_BUCKET" shared/report.csv "quarterly numbers"
# Bucket names are global: another account cannot take it (409 BucketAlreadyExists,
# API_CreateBucket / ErrorResponses).
expect_err BucketAlreadyExists root s3api create-bucket --bucket "$X_BUCKET"
# HeadBucket without permission is a bare 403 (API_HeadBucket).
expect_err 403 root s3api head-bucket --bucket "$X_BUCKET"
create_user root "$PARTNER"
make_keys root "$PARTNER" partner
expect_denied partner s3api get-object --bucket "$X_BUCKET" --key shared/report.csv "$WORK/denied.out"
X_POLICY=$(jq -n -c --arg p "$(user_arn "$PARTNER" "$ACCOUNT_B")" --arg r "$(s3_arn "$X_BUCKET" '*')" \
  '{Version: "2012-10-17", Statement: [{Sid: "PartnerReads", Effect: "Allow", Principal: {AWS: $p}, Action: "s3:GetObject", Resource: $r}]}')
PARTNER_POLICY=$(policy_doc "$(allow s3:GetObject "$(s3_arn "$X_BUCKET" '*')")")

step "3. the bucket policy alone is not enough: B must allow it too"
expect_ok acct_a s3api put-bucket-policy --bucket "$X_BUCKET" --policy "$X_POLICY"
expect_ok acct_a s3api get-bucket-policy --bucket "$X_BUCKET"
assert_jq "the bucket policy round-trips" --argjson d "$X_POLICY" '.Policy | fromjson == $d'
expect_denied partner s3api get-object --bucket "$X_BUCKET" --key shared/report.csv "$WORK/denied.out"

step "3. with both, B's user reads A's object, and only reads"
expect_ok root iam put-user-policy --user-name "$PARTNER" --policy-name ReadPartnerBucket --policy-document "$PARTNER_POLICY"
expect_object_text partner "$X_BUCKET" shared/report.csv "quarterly numbers"
expect_denied partner s3api put-object --bucket "$X_BUCKET" --key shared/partner.csv --body "$WORK/x.txt"
expect_denied partner s3api list-objects-v2 --bucket "$X_BUCKET"
# Without s3:ListBucket a missing key is 403, not 404 (API_GetObject, "Permissions").
expect_denied partner s3api get-object --bucket "$X_BUCKET" --key shared/missing.csv "$WORK/denied.out"

step "3. a resource control policy on account A caps access to its bucket, whatever the bucket policy grants"
# RCPs (Organizations User Guide, orgs_manage_policies_rcps and _rcps_syntax) are
# Deny-only (RCPFullAWSAccess aside), name Principal "*", and limit what any principal
# may do with the resources of the accounts they are attached to.
enable_policy_type RESOURCE_CONTROL_POLICY
RCP_DOC=$(jq -n -c --arg a "$ACCOUNT_A" --arg b "$(s3_arn "$X_BUCKET")" --arg o "$(s3_arn "$X_BUCKET" '*')" \
  '{Version: "2012-10-17", Statement: [{Sid: "OnlyAccountA", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [$b, $o],
     Condition: {StringNotEqualsIfExists: {"aws:PrincipalAccount": $a}}}]}')
expect_ok root organizations create-policy --name "$(name_for OnlyAccountA)" --type RESOURCE_CONTROL_POLICY \
  --description "Only account A's principals may use $X_BUCKET" --content "$RCP_DOC"
RCP_ID=$(jqo '.Policy.PolicySummary.Id')
defer purge_scp root "$RCP_ID"
expect_ok root organizations attach-policy --policy-id "$RCP_ID" --target-id "$ACCOUNT_A"
expect_denied partner s3api get-object --bucket "$X_BUCKET" --key shared/report.csv "$WORK/denied.out"
expect_object_text acct_a "$X_BUCKET" shared/report.csv "quarterly numbers"
expect_ok root organizations detach-policy --policy-id "$RCP_ID" --target-id "$ACCOUNT_A"
expect_object_text partner "$X_BUCKET" shared/report.csv "quarterly numbers"

step "3. withdrawing either side denies it again"
expect_ok acct_a s3api delete-bucket-policy --bucket "$X_BUCKET"
expect_err NoSuchBucketPolicy acct_a s3api get-bucket-policy --bucket "$X_BUCKET"
expect_denied partner s3api get-object --bucket "$X_BUCKET" --key shared/report.csv "$WORK/denied.out"
expect_ok acct_a s3api put-bucket-policy --bucket "$X_BUCKET" --policy "$X_POLICY"
expect_object_text partner "$X_BUCKET" shared/report.csv "quarterly numbers"
expect_ok root iam delete-user-policy --user-name "$PARTNER" --policy-name ReadPartnerBucket
expect_denied partner s3api get-object --bucket "$X_BUCKET" --key shared/report.csv "$WORK/denied.out"

# ============================================================ 4. SCP
# A member account made by CreateAccount has no root credentials (AWS gives its root
# user no password or keys), so its administrator here is the
# OrganizationAccountAccessRole session, as in seed-05.
step "4. an SCP denying s3:DeleteObject on the member account stops even its administrator"
create_bucket acct_a "$SCP_BUCKET"
put_text acct_a "$SCP_BUCKET" logs/day1.log "day one"
put_text acct_a "$SCP_BUCKET" logs/day2.log "day two"
enable_policy_type SERVICE_CONTROL_POLICY
# The SCP names this run's bucket only, so a run that dies before its cleanup does not
# leave the reused member account unable to delete anything else.
SCP_DOC=$(policy_doc "$(jq -n -c --arg r "$(s3_arn "$SCP_BUCKET" '*')" '{Sid: "KeepLogs", Effect: "Deny", Action: "s3:DeleteObject", Resource: $r}')")
expect_ok root organizations create-policy --name "$(name_for DenyS3Delete)" --type SERVICE_CONTROL_POLICY \
  --description "Objects in $SCP_BUCKET may not be deleted" --content "$SCP_DOC"
SCP_ID=$(jqo '.Policy.PolicySummary.Id')
# Registered after the bucket's cleanup, so run before it: the SCP goes first.
defer purge_scp root "$SCP_ID"
expect_ok root organizations attach-policy --policy-id "$SCP_ID" --target-id "$ACCOUNT_A"
expect_denied acct_a s3api delete-object --bucket "$SCP_BUCKET" --key logs/day1.log
expect_denied acct_a s3 rm "s3://$SCP_BUCKET/logs/day1.log"
# DeleteObjects needs s3:DeleteObject for each key and reports each refusal in its
# 200 response (API_DeleteObjects: "Errors").
expect_ok acct_a s3api delete-objects --bucket "$SCP_BUCKET" --delete '{"Objects":[{"Key":"logs/day1.log"},{"Key":"logs/day2.log"}]}'
assert_jq "both keys are refused with AccessDenied" \
  '(.Deleted // []) == [] and ([.Errors[] | select(.Code == "AccessDenied") | .Key] | sort) == ["logs/day1.log", "logs/day2.log"]'
expect_object_text acct_a "$SCP_BUCKET" logs/day1.log "day one"
expect_ok acct_a s3api list-objects-v2 --bucket "$SCP_BUCKET"
assert_jq "both objects are still there" '[.Contents[].Key] == ["logs/day1.log", "logs/day2.log"]'
put_text acct_a "$SCP_BUCKET" logs/day3.log "day three"
expect_ok acct_a s3api put-bucket-tagging --bucket "$SCP_BUCKET" --tagging 'TagSet=[{Key=purpose,Value=logs}]'

step "4. detaching the SCP restores deletion"
expect_ok root organizations detach-policy --policy-id "$SCP_ID" --target-id "$ACCOUNT_A"
expect_ok acct_a s3api delete-object --bucket "$SCP_BUCKET" --key logs/day1.log
expect_err NoSuchKey acct_a s3api get-object --bucket "$SCP_BUCKET" --key logs/day1.log "$WORK/denied.out"

# ============================================================ 5. presigned URLs
step "5. a presigned GET URL works at once and is refused once expired"
# Bob, of step 1, shares his object. (The URL is path-style: lib/s3.sh.)
BOB_KEY="home/$BOB/secret.txt"
expect_ok bob s3 presign "s3://$HOME_BUCKET/$BOB_KEY" --expires-in 5
SHORT_URL=$OUT
assert_match "$SHORT_URL" "^$ENDPOINT/$HOME_BUCKET/home/$BOB/secret\\.txt\\?.*X-Amz-Expires=5" "a path-style presigned URL"
assert_contains "$SHORT_URL" "X-Amz-Algorithm=AWS4-HMAC-SHA256" "the URL is signed with SigV4"
WAIT=0 expect_http 200 "$SHORT_URL"
assert_eq "$OUT" "bob's secret" "the presigned URL returns the object"
expect_ok bob s3 presign "s3://$HOME_BUCKET/$BOB_KEY" --expires-in 3600
LONG_URL=$OUT
expect_http 200 "$LONG_URL"
# Changing what was signed (another key) breaks the signature.
WAIT=0 expect_http 403 "${LONG_URL/secret.txt/other.txt}" SignatureDoesNotMatch
sleep 6
# After X-Amz-Expires S3 answers 403 AccessDenied "Request has expired".
WAIT=0 expect_http 403 "$SHORT_URL" AccessDenied "Request has expired"
expect_http 200 "$LONG_URL"

step "5. a presigned URL acts with its signer's permissions: revoking them revokes it"
expect_ok root iam remove-user-from-group --group-name "$HOMES" --user-name "$BOB"
expect_http 403 "$LONG_URL" AccessDenied

# ============================================================ 6. ownership controls and Block Public Access
step "6. a new bucket: ACLs disabled (BucketOwnerEnforced) and all of Block Public Access on"
# Since April 2023 (S3 User Guide: about-object-ownership, access-control-block-public-access).
create_bucket root "$PUBLIC_BUCKET"
expect_ok root s3api get-bucket-ownership-controls --bucket "$PUBLIC_BUCKET"
assert_jq "BucketOwnerEnforced" '[.OwnershipControls.Rules[].ObjectOwnership] == ["BucketOwnerEnforced"]'
expect_ok root s3api get-public-access-block --bucket "$PUBLIC_BUCKET"
assert_jq "all four settings on" --argjson d "$(pab_doc true true true true)" '.PublicAccessBlockConfiguration == $d'
put_text root "$PUBLIC_BUCKET" site/index.html "<h1>hello</h1>"
put_text root "$PUBLIC_BUCKET" site/acl.html "<h1>acl</h1>"
PUBLIC_URL=$(s3_url "$PUBLIC_BUCKET" site/index.html)
ACL_URL=$(s3_url "$PUBLIC_BUCKET" site/acl.html)
expect_http 403 "$PUBLIC_URL" AccessDenied

step "6. ACLs disabled: setting one fails with AccessControlListNotSupported, bucket-owner-full-control excepted"
# S3 User Guide, object-ownership-error-responses: with BucketOwnerEnforced, requests
# that set ACLs fail with 400 AccessControlListNotSupported; PUTs may still name
# bucket-owner-full-control; reading ACLs works and shows the owner's full control.
expect_ok root s3api put-public-access-block --bucket "$PUBLIC_BUCKET" --public-access-block-configuration "$(pab_doc false false false false)"
expect_err AccessControlListNotSupported root s3api put-bucket-acl --bucket "$PUBLIC_BUCKET" --acl public-read
expect_err AccessControlListNotSupported root s3api put-object --bucket "$PUBLIC_BUCKET" --key site/x.html --body "$WORK/x.txt" --acl public-read
expect_ok root s3api put-object --bucket "$PUBLIC_BUCKET" --key site/owner.html --body "$WORK/x.txt" --acl bucket-owner-full-control
expect_ok root s3api get-bucket-acl --bucket "$PUBLIC_BUCKET"
assert_jq "reading ACLs still works: the owner has FULL_CONTROL" '[.Grants[].Permission] == ["FULL_CONTROL"]'

step "6. BucketOwnerPreferred with BlockPublicAcls: public ACLs are refused with AccessDenied"
expect_ok root s3api put-bucket-ownership-controls --bucket "$PUBLIC_BUCKET" --ownership-controls 'Rules=[{ObjectOwnership=BucketOwnerPreferred}]'
expect_ok root s3api put-public-access-block --bucket "$PUBLIC_BUCKET" --public-access-block-configuration "$(pab_doc true false false false)"
expect_denied root s3api put-bucket-acl --bucket "$PUBLIC_BUCKET" --acl public-read
expect_denied root s3api put-object --bucket "$PUBLIC_BUCKET" --key site/public.html --body "$WORK/x.txt" --acl public-read
expect_denied root s3api put-object-acl --bucket "$PUBLIC_BUCKET" --key site/acl.html --acl public-read
expect_ok root s3api put-bucket-acl --bucket "$PUBLIC_BUCKET" --acl private
expect_http 403 "$ACL_URL" AccessDenied

step "6. BlockPublicPolicy: a bucket policy with Principal \"*\" is refused with AccessDenied"
PUBLIC_POLICY=$(jq -n -c --arg r "$(s3_arn "$PUBLIC_BUCKET" '*')" \
  '{Version: "2012-10-17", Statement: [{Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: $r}]}')
expect_ok root s3api put-public-access-block --bucket "$PUBLIC_BUCKET" --public-access-block-configuration "$(pab_doc false false true false)"
expect_denied root s3api put-bucket-policy --bucket "$PUBLIC_BUCKET" --policy "$PUBLIC_POLICY"
expect_err NoSuchBucketPolicy root s3api get-bucket-policy --bucket "$PUBLIC_BUCKET"
expect_http 403 "$PUBLIC_URL" AccessDenied

step "6. Block Public Access off: a public-read ACL and a public policy open objects to anonymous GETs"
expect_ok root s3api put-public-access-block --bucket "$PUBLIC_BUCKET" --public-access-block-configuration "$(pab_doc false false false false)"
expect_ok root s3api put-object-acl --bucket "$PUBLIC_BUCKET" --key site/acl.html --acl public-read
expect_http 200 "$ACL_URL"
assert_eq "$OUT" "<h1>acl</h1>" "anonymous GET of a public-read object"
expect_http 403 "$PUBLIC_URL" AccessDenied
expect_ok root s3api put-bucket-policy --bucket "$PUBLIC_BUCKET" --policy "$PUBLIC_POLICY"
expect_ok root s3api get-bucket-policy-status --bucket "$PUBLIC_BUCKET"
assert_jq "the policy makes the bucket public" '.PolicyStatus.IsPublic == true'
expect_http 200 "$PUBLIC_URL"
assert_eq "$OUT" "<h1>hello</h1>" "anonymous GET under a public bucket policy"
expect_ok anon s3api get-object --bucket "$PUBLIC_BUCKET" --key site/index.html "$WORK/anon.out"

step "6. IgnorePublicAcls, BlockPublicPolicy and RestrictPublicBuckets on what is already public"
# IgnorePublicAcls: public ACLs are ignored. BlockPublicPolicy: "doesn't affect existing
# bucket policies". RestrictPublicBuckets: only the owner's account and AWS services
# may use a public policy (API_PublicAccessBlockConfiguration).
expect_ok root s3api put-public-access-block --bucket "$PUBLIC_BUCKET" --public-access-block-configuration "$(pab_doc false true false false)"
expect_http 200 "$PUBLIC_URL"
expect_ok root s3api delete-bucket-policy --bucket "$PUBLIC_BUCKET"
expect_http 403 "$ACL_URL" AccessDenied
expect_ok root s3api put-bucket-policy --bucket "$PUBLIC_BUCKET" --policy "$PUBLIC_POLICY"
expect_ok root s3api put-public-access-block --bucket "$PUBLIC_BUCKET" --public-access-block-configuration "$(pab_doc false false true false)"
expect_http 200 "$PUBLIC_URL"
expect_ok root s3api put-public-access-block --bucket "$PUBLIC_BUCKET" --public-access-block-configuration "$(pab_doc false false false true)"
expect_http 403 "$PUBLIC_URL" AccessDenied
expect_object_text root "$PUBLIC_BUCKET" site/index.html "<h1>hello</h1>"

# ============================================================ 7. basics with aws s3
step "7. aws s3 mb / cp / ls / cp back / rm / rb"
head -c 100 /dev/urandom | base64 >"$WORK/small.txt"
defer purge_bucket root "$BASIC_BUCKET"
expect_ok root s3 mb "s3://$BASIC_BUCKET"
assert_contains "$OUT" "make_bucket: $BASIC_BUCKET" "aws s3 mb"
# Re-creating a bucket one owns answers 200 in us-east-1 (legacy), BucketAlreadyOwnedByYou
# elsewhere (API_CreateBucket / ErrorResponses, BucketAlreadyOwnedByYou).
expect_ok root s3api create-bucket --bucket "$BASIC_BUCKET"
expect_ok root s3 ls
assert_contains "$OUT" " $BASIC_BUCKET" "aws s3 ls lists the new bucket"
expect_ok root s3 cp --no-progress "$WORK/small.txt" "s3://$BASIC_BUCKET/dir/small.txt"
# 20 MiB is past the CLI's 8 MiB multipart_threshold: CreateMultipartUpload, three
# UploadParts of multipart_chunksize 8 MiB, CompleteMultipartUpload (topic/s3-config).
expect_ok root s3 cp --no-progress "$WORK/big.bin" "s3://$BASIC_BUCKET/dir/big.bin"
expect_ok root s3 ls "s3://$BASIC_BUCKET/dir/"
assert_match "$OUT" "[[:space:]]20971520 big\\.bin" "aws s3 ls shows the big object's size"
assert_match "$OUT" "[[:space:]]$(wc -c <"$WORK/small.txt") small\\.txt" "aws s3 ls shows the small object's size"
expect_ok root s3api head-object --bucket "$BASIC_BUCKET" --key dir/small.txt
# A single PUT's ETag is the MD5 of the data; a multipart upload's is not
# (S3 User Guide, checking-object-integrity; API_Object, ETag).
assert_jq "small object's ETag is its MD5" --arg m "\"$(md5sum <"$WORK/small.txt" | cut -c 1-32)\"" '.ETag == $m'
expect_ok root s3api head-object --bucket "$BASIC_BUCKET" --key dir/big.bin
assert_jq "big object's size" '.ContentLength == 20971520'
assert_jq "big object's ETag is not an MD5 (it was a multipart upload)" --arg m "\"$(md5sum <"$WORK/big.bin" | cut -c 1-32)\"" \
  '.ETag != $m and (.ETag | test("^\"[0-9a-f]{32}\"$") | not)'
expect_ok root s3 cp --no-progress "s3://$BASIC_BUCKET/dir/big.bin" "$WORK/big.back"
cmp "$WORK/big.bin" "$WORK/big.back" || fail "the 20 MiB object came back different"
expect_ok root s3 cp --no-progress "s3://$BASIC_BUCKET/dir/small.txt" "$WORK/small.back"
cmp "$WORK/small.txt" "$WORK/small.back" || fail "the small object came back different"

step "7. S3's error codes: NoSuchKey, NoSuchBucket, bare 404 on HEAD, BucketNotEmpty"
MISSING_BUCKET="gh12-missing-$RUN_ID"
expect_err_msg NoSuchKey "The specified key does not exist." root s3api get-object --bucket "$BASIC_BUCKET" --key dir/missing.txt "$WORK/missing.out"
# HEAD responses have no body, so the CLI reports the status: "(404) ... Not Found".
expect_err_msg 404 "Not Found" root s3api head-object --bucket "$BASIC_BUCKET" --key dir/missing.txt
expect_err_msg NoSuchBucket "The specified bucket does not exist" root s3api get-object --bucket "$MISSING_BUCKET" --key x "$WORK/missing.out"
expect_err NoSuchBucket root s3api list-objects-v2 --bucket "$MISSING_BUCKET"
expect_err_msg 404 "Not Found" root s3api head-bucket --bucket "$MISSING_BUCKET"
expect_err BucketNotEmpty root s3 rb "s3://$BASIC_BUCKET"
expect_err BucketNotEmpty root s3api delete-bucket --bucket "$BASIC_BUCKET"

step "7. aws s3 rm, then aws s3 rb"
expect_ok root s3 rm "s3://$BASIC_BUCKET/dir/small.txt"
assert_contains "$OUT" "delete: s3://$BASIC_BUCKET/dir/small.txt" "aws s3 rm"
expect_err 404 root s3api head-object --bucket "$BASIC_BUCKET" --key dir/small.txt
expect_ok root s3 rm --recursive "s3://$BASIC_BUCKET/"
expect_ok root s3api list-objects-v2 --bucket "$BASIC_BUCKET"
assert_jq "the bucket is empty" '(.Contents // []) == []'
expect_ok root s3 rb "s3://$BASIC_BUCKET"
assert_contains "$OUT" "remove_bucket: $BASIC_BUCKET" "aws s3 rb"
expect_err 404 root s3api head-bucket --bucket "$BASIC_BUCKET"
expect_ok root s3 ls
case $OUT in *" $BASIC_BUCKET"*) fail "aws s3 ls still lists $BASIC_BUCKET" ;; esac

step "7. the CLI split the 20 MiB upload into 8 MiB parts: HeadObject with partNumber"
# partNumber makes HEAD a ranged request for that part, and PartsCount tells how many
# there are (API_HeadObject: PartNumber, PartsCount); the CLI's multipart_chunksize
# is 8 MiB (topic/s3-config), so 20 MiB is 8 + 8 + 4 MiB.
expect_ok root s3 cp --no-progress "$WORK/big.bin" "s3://$HOME_BUCKET/parts/big.bin"
expect_ok root s3api head-object --bucket "$HOME_BUCKET" --key parts/big.bin --part-number 1
assert_jq "part 1 of 3 is 8 MiB" '.PartsCount == 3 and .ContentLength == 8388608'
expect_ok root s3api head-object --bucket "$HOME_BUCKET" --key parts/big.bin --part-number 3
assert_jq "part 3 of 3 is the last 4 MiB" '.PartsCount == 3 and .ContentLength == 4194304'

step "3. (kept last) a bucket policy must name principals that exist"
# S3 refuses a bucket policy whose Principal is an IAM user or role that does not
# exist: 400 MalformedPolicy "Invalid principal in policy"
# (https://repost.aws/knowledge-center/s3-invalid-principal-in-policy-error), as IAM
# does for trust policies (gh-10). Last, so that the rest runs whatever it finds.
expect_err_msg MalformedPolicy "Invalid principal in policy" root s3api put-bucket-policy --bucket "$HOME_BUCKET" --policy \
  "$(jq -n -c --arg p "$(user_arn "nobody-$RUN_ID")" --arg r "$(s3_arn "$HOME_BUCKET" '*')" \
    '{Version: "2012-10-17", Statement: [{Effect: "Allow", Principal: {AWS: $p}, Action: "s3:GetObject", Resource: $r}]}')"
expect_err NoSuchBucketPolicy root s3api get-bucket-policy --bucket "$HOME_BUCKET"

pass
