#!/usr/bin/env bash
# Issue 10 — exact where AWS is exact, with the aws CLI:
#   - IAM is a global service: its requests are made to us-east-1 whatever region the
#     client signs with, so a Deny on aws:RequestedRegion cannot be dodged
#     (IAM User Guide, reference_policies_condition-keys, aws:RequestedRegion);
#   - sts:GetCallerIdentity works under an explicit Deny of everything
#     (STS API reference, GetCallerIdentity);
#   - managed policies need Version 2012-10-17; inline policies do not
#     (reference_policies_elements_version);
#   - trust policies name existing principals and only STS actions;
#   - service-linked roles take their service's fixed name and path, refuse a custom
#     suffix where the service does, and are modified only through their service;
#     AWS managed policies are read-only;
#   - the policy simulator pages large results (API_SimulateCustomPolicy: MaxItems).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"

AGENT=$(name_for Agent)
ROLE=$(name_for Trusted)
POL=$(name_for Unversioned)

step "a Deny on aws:RequestedRegion holds for IAM whatever region the client signs with"
create_user root "$AGENT"
expect_ok root iam put-user-policy --user-name "$AGENT" --policy-name region --policy-document "$(policy_doc \
  "$(allow 'iam:*,sts:GetCallerIdentity')" \
  "$(jq -n -c '{Effect: "Deny", Action: "iam:*", Resource: "*", Condition: {StringEquals: {"aws:RequestedRegion": "us-east-1"}}}')")"
make_keys root "$AGENT" agent
expect_denied agent iam list-users
expect_denied agent iam list-users --region eu-west-1
expect_denied agent iam list-users --region ap-southeast-2

step "GetCallerIdentity needs no permission, even under an explicit Deny of everything"
expect_ok root iam put-user-policy --user-name "$AGENT" --policy-name deny-all --policy-document "$(policy_doc "$(deny '*')")"
expect_denied agent iam get-user
expect_ok agent sts get-caller-identity
assert_jq "the caller is the user" --arg a "$(user_arn "$AGENT")" '.Arn == $a'

step "managed policies need Version 2012-10-17; inline policies accept 2008-10-17"
expect_err_msg MalformedPolicyDocument "Policy document must be version 2012-10-17 or greater." \
  root iam create-policy --policy-name "$POL" \
  --policy-document '{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
expect_err_msg MalformedPolicyDocument "Policy document must be version 2012-10-17 or greater." \
  root iam create-policy --policy-name "$POL" \
  --policy-document '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
expect_ok root iam put-user-policy --user-name "$AGENT" --policy-name old-grammar \
  --policy-document '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'

step "trust policies name existing principals and only STS actions"
NOBODY=$(user_arn "nobody-$RUN_ID")
expect_err_msg MalformedPolicyDocument "Invalid principal in policy" \
  root iam create-role --role-name "$ROLE" --assume-role-policy-document "$(trust_aws "$NOBODY")"
expect_err MalformedPolicyDocument root iam create-role --role-name "$ROLE" --assume-role-policy-document \
  "$(jq -n -c --arg p "$(user_arn "$AGENT")" '{Version: "2012-10-17", Statement: [{Effect: "Allow", Principal: {AWS: $p}, Action: "s3:GetObject"}]}')"
create_role root "$ROLE" "$(trust_aws "$(user_arn "$AGENT")")"

step "service-linked roles: fixed name and path, custom suffix rules, modified only by their service"
expect_err_msg InvalidInput "Custom suffix is not allowed" \
  root iam create-service-linked-role --aws-service-name elasticbeanstalk.amazonaws.com --custom-suffix "$RUN_ID"
call root iam get-role --role-name AWSServiceRoleForElasticBeanstalk
if [ "$RC" -ne 0 ]; then
  defer _q root iam delete-service-linked-role --role-name AWSServiceRoleForElasticBeanstalk
  expect_ok root iam create-service-linked-role --aws-service-name elasticbeanstalk.amazonaws.com
  assert_jq "the service's fixed name and path" \
    '.Role.RoleName == "AWSServiceRoleForElasticBeanstalk" and .Role.Path == "/aws-service-role/elasticbeanstalk.amazonaws.com/"'
fi
expect_err UnmodifiableEntity root iam delete-role --role-name AWSServiceRoleForElasticBeanstalk
expect_err UnmodifiableEntity root iam put-role-policy --role-name AWSServiceRoleForElasticBeanstalk \
  --policy-name x --policy-document "$(policy_doc "$(allow 's3:GetObject')")"
expect_err AccessDenied root iam create-policy-version --policy-arn "$(aws_policy_arn ReadOnlyAccess)" \
  --policy-document "$(policy_doc "$(allow 's3:GetObject')")"

step "the simulator pages large results and computes all of them"
ACTIONS=$(for i in $(seq 1 40); do printf 's3:GetObject%s ' "$i"; done)
RESOURCES=$(for i in $(seq 1 300); do printf 'arn:aws:s3:::bucket/key%s ' "$i"; done)
# shellcheck disable=SC2086 # the lists are word-split on purpose
expect_ok root iam simulate-custom-policy --policy-input-list "$(policy_doc "$(allow 's3:GetObject*' 'arn:aws:s3:::bucket/*')")" \
  --action-names $ACTIONS --resource-arns $RESOURCES
assert_jq "every action, each on every resource (the CLI follows the Marker)" \
  '(.EvaluationResults | length) == 40 and all(.EvaluationResults[]; (.ResourceSpecificResults | length) == 300 and .EvalDecision == "allowed")'
pass
