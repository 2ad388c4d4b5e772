#!/usr/bin/env bash
# Issue 16 — IAM Access Analyzer's custom policy checks, with the aws CLI
# (IAM Access Analyzer API reference: CheckNoNewAccess, CheckAccessNotGranted,
# CheckNoPublicAccess, and their examples; AWS CLI reference,
# accessanalyzer check-no-new-access):
#   - a new policy that adds an action FAILs against the existing one, with
#     AWS's message and the statement's sid; the narrower one PASSes;
#   - the traps: s3:Get* is more than s3:GetObject; a removed condition is
#     access added; arn:aws:s3:::b/* contains b/home/* but not b;
#   - a listed action granted through a wildcard FAILs CheckAccessNotGranted;
#   - Principal "*" is public unless a condition pins an organization;
#   - a malformed document is a ValidationException; a user without
#     access-analyzer:CheckNoNewAccess is denied.
# The checks came with aws CLI 2.13.39; with an older CLI v2 the same requests
# go through boto3 (lib/boto_call.py) when its botocore knows them, else
# they are signed with botocore's SigV4 signer and sent as they are
# (lib/rest_call.py).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"

# aa WHO CLI-COMMAND BOTO-METHOD PARAMS-JSON : one custom policy check
aa() {
  local who=$1 cmd=$2 method=$3 params=$4
  if "$AWS_CLI" accessanalyzer "$cmd" help >/dev/null 2>&1; then
    call "$who" accessanalyzer "$cmd" --cli-input-json "$params"
    return
  fi
  need_python
  if "$PY" -c "import boto3,sys; sys.exit(0 if hasattr(boto3.client('accessanalyzer', region_name='us-east-1'), '$method') else 1)" 2>/dev/null; then
    py_as "$who" boto_call.py accessanalyzer "$method" "$params"
  else
    local op
    op=$(echo "$cmd" | sed -E 's/(^|-)([a-z])/\U\2/g')
    py_as "$who" rest_call.py access-analyzer "$op" POST "/policy/$cmd" "$params"
  fi
}
aa_ok() { aa "$@"; succeeded "$2"; }
aa_err() { local want=$1; shift; aa "$@"; failed_with "$want" "$2"; }
nna() { # NEW EXISTING : check-no-new-access of identity policies
  jq -n -c --arg n "$1" --arg e "$2" '{newPolicyDocument: $n, existingPolicyDocument: $e, policyType: "IDENTITY_POLICY"}'
}
ang() { # POLICY ACCESS-JSON
  jq -n -c --arg p "$1" --argjson a "$2" '{policyDocument: $p, access: $a, policyType: "IDENTITY_POLICY"}'
}
npa() { # POLICY RESOURCE-TYPE
  jq -n -c --arg p "$1" --arg t "$2" '{policyDocument: $p, resourceType: $t}'
}

AUDITOR=$(name_for Auditor)
obj() { jq -n -c --arg a "$1" --arg r "$2" '{Version: "2012-10-17", Statement: [{Sid: "S", Effect: "Allow", Action: ($a | split(",")), Resource: ($r | split(","))}]}'; }

step "check-no-new-access: an added action FAILs with AWS's message, the narrower policy PASSes"
EXISTING=$(obj "s3:GetObject,s3:ListBucket" "arn:aws:s3:::amzn-s3-demo-bucket,arn:aws:s3:::amzn-s3-demo-bucket/*")
NEW=$(obj "s3:GetObject,s3:GetObjectAcl,s3:ListBucket" "arn:aws:s3:::amzn-s3-demo-bucket,arn:aws:s3:::amzn-s3-demo-bucket/*")
aa_ok root check-no-new-access check_no_new_access "$(nna "$NEW" "$EXISTING")"
assert_jq "new access FAILs" '.result == "FAIL"'
assert_jq "AWS's message" '.message == "The modified permissions grant new access compared to your existing policy."'
assert_jq "the reason names the statement" '.reasons[0].description == "New access in the statement with sid: S." and .reasons[0].statementId == "S" and .reasons[0].statementIndex == 0'
aa_ok root check-no-new-access check_no_new_access "$(nna "$EXISTING" "$NEW")"
assert_jq "narrower PASSes" '.result == "PASS"'

step "the traps: s3:Get* is more than s3:GetObject"
aa_ok root check-no-new-access check_no_new_access "$(nna "$(obj 's3:Get*' '*')" "$(obj s3:GetObject '*')")"
assert_jq "s3:Get* FAILs" '.result == "FAIL"'
aa_ok root check-no-new-access check_no_new_access "$(nna "$(obj s3:GetObject '*')" "$(obj 's3:Get*' '*')")"
assert_jq "s3:GetObject within s3:Get* PASSes" '.result == "PASS"'

step "the traps: arn:aws:s3:::b/* contains b/home/* but not b"
aa_ok root check-no-new-access check_no_new_access "$(nna "$(obj s3:GetObject 'arn:aws:s3:::b/home/*')" "$(obj s3:GetObject 'arn:aws:s3:::b/*')")"
assert_jq "b/home/* PASSes" '.result == "PASS"'
aa_ok root check-no-new-access check_no_new_access "$(nna "$(obj s3:GetObject 'arn:aws:s3:::b')" "$(obj s3:GetObject 'arn:aws:s3:::b/*')")"
assert_jq "b FAILs" '.result == "FAIL"'

step "the traps: a removed condition is access added"
MFA=$(jq -n -c '{Version: "2012-10-17", Statement: [{Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: {Bool: {"aws:MultiFactorAuthPresent": "true"}}}]}')
aa_ok root check-no-new-access check_no_new_access "$(nna "$(obj s3:GetObject '*')" "$MFA")"
assert_jq "removed condition FAILs" '.result == "FAIL" and .reasons[0].description == "New access in the statement with sid: S."'

step "check-access-not-granted: iam:* grants iam:PassRole"
aa_ok root check-access-not-granted check_access_not_granted "$(ang "$(obj 'iam:*' '*')" '[{"actions":["iam:PassRole"]}]')"
assert_jq "granted FAILs" '.result == "FAIL" and .message == "The policy document grants access to perform one or more of the listed actions or resources."'
aa_ok root check-access-not-granted check_access_not_granted "$(ang "$(obj 's3:Get*' '*')" '[{"actions":["iam:PassRole"]}]')"
assert_jq "not granted PASSes" '.result == "PASS" and .message == "The policy document does not grant access to perform the listed actions or resources."'

step "check-no-public-access: Principal * is public unless an organization is pinned"
PUB='{"Version":"2012-10-17","Statement":[{"Sid":"Bob","Effect":"Allow","Principal":"*","Action":["s3:GetObject"]}]}'
aa_ok root check-no-public-access check_no_public_access "$(npa "$PUB" AWS::S3::Bucket)"
assert_jq "public FAILs" '.result == "FAIL" and .reasons[0].description == "Public access granted in the following statement with sid: Bob."'
ORG='{"Version":"2012-10-17","Statement":[{"Sid":"Bob","Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}]}'
aa_ok root check-no-public-access check_no_public_access "$(npa "$ORG" AWS::S3::Bucket)"
assert_jq "pinned PASSes" '.result == "PASS" and .message == "The resource policy does not grant public access for the given resource type."'

step "bad input and missing permission"
aa_err ValidationException root check-no-new-access check_no_new_access "$(nna '{"Statement":' "$EXISTING")"
create_user root "$AUDITOR"
make_keys root "$AUDITOR" auditor
aa_err AccessDeniedException auditor check-no-new-access check_no_new_access "$(nna "$NEW" "$EXISTING")"
expect_ok root iam put-user-policy --user-name "$AUDITOR" --policy-name checks --policy-document "$(policy_doc "$(allow 'access-analyzer:CheckNoNewAccess')")"
for _ in $(seq "$SETTLE"); do # IAM is eventually consistent on AWS
  aa auditor check-no-new-access check_no_new_access "$(nna "$NEW" "$EXISTING")"
  [ "$RC" -eq 0 ] && break
  sleep 1
done
aa_ok auditor check-no-new-access check_no_new_access "$(nna "$NEW" "$EXISTING")"
assert_jq "allowed once granted" '.result == "FAIL"'

pass
