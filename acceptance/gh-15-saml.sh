#!/usr/bin/env bash
# Issue 15 — SAML 2.0 federation, with the aws CLI:
#   - IAM SAML providers from a metadata document: create (with tags), list, get,
#     tag/untag, update, delete; a document IAM cannot use is "Could not parse
#     metadata." (IAM User Guide, troubleshoot_saml.md);
#   - trust policies name existing SAML providers only;
#   - sts assume-role-with-saml (unsigned) with a response signed by a test identity
#     provider (saml/samltest/samlidp, built here with go): the Role and
#     RoleSessionName attributes, saml:aud and saml:sub in the trust policy, the
#     Subject/Issuer/Audience/NameQualifier members (API_AssumeRoleWithSAML);
#   - a response signed by another key is "Response signature invalid", an assertion
#     is used once, a trust condition on saml:sub holds, and after update-saml-provider
#     only the new identity provider's responses verify.
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"

ROOT_DIR=$(cd "$(dirname "$0")/.." && pwd)
command -v go >/dev/null 2>&1 || fail "go is required to build the test identity provider (saml/samltest/samlidp)"
IDPBIN="$WORK/samlidp"
(cd "$ROOT_DIR" && go build -o "$IDPBIN" ./saml/samltest/samlidp) || fail "could not build saml/samltest/samlidp"
"$IDPBIN" init "$WORK/idp1" || fail "samlidp init"
"$IDPBIN" init "$WORK/idp2" || fail "samlidp init"

PROVIDER=$(name_for CorpIdP)
PROVIDER_ARN="arn:$PARTITION:iam::$ACCOUNT_ID:saml-provider/$PROVIDER"
ROLE=$(name_for SAMLRole)
ROLE_ARN=$(role_arn "$ROLE")
response() { "$IDPBIN" response "$1" "$ROLE_ARN" "$PROVIDER_ARN" "$2" "$3"; }

step "create a SAML provider from a metadata file; a document IAM cannot use is refused"
BAD="$WORK/bad.xml"
printf '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:SPSSODescriptor/></md:EntityDescriptor><!--%s-->' "$(head -c 1200 /dev/zero | tr '\0' x)" >"$BAD"
expect_err_msg InvalidInput "Could not parse metadata." \
  root iam create-saml-provider --name "$PROVIDER" --saml-metadata-document "file://$BAD"
defer _q root iam delete-saml-provider --saml-provider-arn "$PROVIDER_ARN"
expect_ok root iam create-saml-provider --name "$PROVIDER" --saml-metadata-document "file://$WORK/idp1/metadata.xml" \
  --tags Key=team,Value=sso
assert_jq "the provider's ARN" --arg a "$PROVIDER_ARN" '.SAMLProviderArn == $a'
expect_err EntityAlreadyExists root iam create-saml-provider --name "$PROVIDER" --saml-metadata-document "file://$WORK/idp1/metadata.xml"

step "list, get and tag it"
expect_ok root iam list-saml-providers
assert_jq "listed with its dates" --arg a "$PROVIDER_ARN" 'any(.SAMLProviderList[]; .Arn == $a and .CreateDate != null and .ValidUntil != null)'
expect_ok root iam get-saml-provider --saml-provider-arn "$PROVIDER_ARN"
# (SAMLProviderUUID is newer than some CLIs' models: the Go SDK tests check it.)
assert_jq "the document as uploaded and the tag" --arg d "$(cat "$WORK/idp1/metadata.xml")" \
  '.SAMLMetadataDocument == $d and .Tags == [{"Key": "team", "Value": "sso"}]'
expect_ok root iam tag-saml-provider --saml-provider-arn "$PROVIDER_ARN" --tags Key=env,Value=test
expect_ok root iam untag-saml-provider --saml-provider-arn "$PROVIDER_ARN" --tag-keys team
expect_ok root iam list-saml-provider-tags --saml-provider-arn "$PROVIDER_ARN"
assert_jq "one tag left" '.Tags == [{"Key": "env", "Value": "test"}]'

step "a role trusts the provider, with conditions on saml:aud and saml:sub"
expect_err_msg MalformedPolicyDocument "Federated principals must be valid domain names or SAML metadata ARNs" \
  root iam create-role --role-name "$ROLE" --assume-role-policy-document "$(jq -n -c --arg p "$PROVIDER_ARN-gone" \
  '{Version: "2012-10-17", Statement: [{Effect: "Allow", Principal: {Federated: $p}, Action: "sts:AssumeRoleWithSAML"}]}')"
create_role root "$ROLE" "$(jq -n -c --arg p "$PROVIDER_ARN" '{Version: "2012-10-17", Statement: [{Effect: "Allow",
  Principal: {Federated: $p}, Action: "sts:AssumeRoleWithSAML",
  Condition: {StringEquals: {"SAML:aud": "https://signin.aws.amazon.com/saml"}, StringLike: {"saml:sub": "alice*"}}}]}')"
expect_ok root iam put-role-policy --role-name "$ROLE" --policy-name read --policy-document "$(policy_doc "$(allow 'iam:ListRoles')")"

step "assume-role-with-saml with a signed response"
RESP=$(response "$WORK/idp1" alice@example.com alice-1) || fail "samlidp response"
expect_ok anon sts assume-role-with-saml --role-arn "$ROLE_ARN" --principal-arn "$PROVIDER_ARN" --saml-assertion "$RESP"
QUAL=$(printf '%s' "https://idp.gatehouse.test/saml$ACCOUNT_ID/$PROVIDER" | openssl dgst -sha1 -binary | base64)
assert_jq "the session and the assertion's members" --arg a "arn:$PARTITION:sts::$ACCOUNT_ID:assumed-role/$ROLE/alice@example.com" --arg q "$QUAL" \
  '.AssumedRoleUser.Arn == $a and .Subject == "alice-1" and .SubjectType == "persistent" and .Issuer == "https://idp.gatehouse.test/saml"
   and .Audience == "https://signin.aws.amazon.com/saml" and .NameQualifier == $q'
creds_from_output federated
expect_ok federated sts get-caller-identity
assert_jq "the caller is the role session" --arg a "arn:$PARTITION:sts::$ACCOUNT_ID:assumed-role/$ROLE/alice@example.com" '.Arn == $a'
expect_ok federated iam list-roles

step "an assertion is used once"
expect_err_msg InvalidIdentityToken "already been used" \
  anon sts assume-role-with-saml --role-arn "$ROLE_ARN" --principal-arn "$PROVIDER_ARN" --saml-assertion "$RESP"

step "the trust policy's saml:sub condition holds; another key's signature is refused"
expect_err_msg AccessDenied "Not authorized to perform sts:AssumeRoleWithSAML" \
  anon sts assume-role-with-saml --role-arn "$ROLE_ARN" --principal-arn "$PROVIDER_ARN" --saml-assertion "$(response "$WORK/idp1" bob bob-1)"
expect_err_msg InvalidIdentityToken "Response signature invalid" \
  anon sts assume-role-with-saml --role-arn "$ROLE_ARN" --principal-arn "$PROVIDER_ARN" --saml-assertion "$(response "$WORK/idp2" alice alice-2)"

step "update-saml-provider: only the new identity provider's responses verify"
expect_ok root iam update-saml-provider --saml-provider-arn "$PROVIDER_ARN" --saml-metadata-document "file://$WORK/idp2/metadata.xml"
expect_ok anon sts assume-role-with-saml --role-arn "$ROLE_ARN" --principal-arn "$PROVIDER_ARN" --saml-assertion "$(response "$WORK/idp2" alice alice-3)"
expect_err_msg InvalidIdentityToken "Response signature invalid" \
  anon sts assume-role-with-saml --role-arn "$ROLE_ARN" --principal-arn "$PROVIDER_ARN" --saml-assertion "$(response "$WORK/idp1" alice alice-4)"

step "delete it: the provider is gone, and so is federation through it"
expect_ok root iam delete-saml-provider --saml-provider-arn "$PROVIDER_ARN"
expect_err_msg NoSuchEntity "Manifest not found for arn $PROVIDER_ARN" root iam get-saml-provider --saml-provider-arn "$PROVIDER_ARN"
expect_err_msg InvalidIdentityToken "Specified provider doesn't exist." \
  anon sts assume-role-with-saml --role-arn "$ROLE_ARN" --principal-arn "$PROVIDER_ARN" --saml-assertion "$(response "$WORK/idp2" alice alice-5)"
pass
