#!/usr/bin/env bash
# Issue 15 — IAM server certificates, with the aws CLI and openssl:
#   - upload with a chain and a private key; the key must match the certificate
#     (KeyPairMismatch) and the chain start with the certificate's issuer
#     (MalformedCertificate, "Unable to validate certificate chain…", aws/aws-cli#715);
#     a body that is not PEM is "Unable to parse certificate. Please ensure the
#     certificate is in PEM format." (openshift/openshift-ansible#11214);
#   - get returns body and chain, never the key; list by path prefix; update renames
#     and moves it; tags; GetAccountSummary counts it; delete.
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"

command -v openssl >/dev/null 2>&1 || fail "openssl is required (apt-get install -y openssl)"
D="$WORK/pki"
mkdir -p "$D"
ossl() { openssl "$@" >>"$D/openssl.log" 2>&1 || fail "openssl $1 failed: $(tail -3 "$D/openssl.log")"; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout "$D/ca.key" -out "$D/ca.pem" -days 30 -subj "/CN=Gatehouse Test CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign
for n in site other; do
  ossl req -newkey rsa:2048 -nodes -keyout "$D/$n.key" -out "$D/$n.csr" -subj "/CN=$n.example.com"
  ossl x509 -req -in "$D/$n.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" -CAcreateserial -out "$D/$n.pem" -days 20
done
ossl req -x509 -newkey rsa:2048 -nodes -keyout "$D/stranger.key" -out "$D/stranger.pem" -days 30 -subj "/CN=Stranger CA"

CERT=$(name_for site)
CERT2=$(name_for site-renamed)
defer _q root iam delete-server-certificate --server-certificate-name "$CERT"
defer _q root iam delete-server-certificate --server-certificate-name "$CERT2"

step "refusals: a mismatched key, a chain that does not start with the issuer, a body that is not PEM"
expect_err KeyPairMismatch root iam upload-server-certificate --server-certificate-name "$CERT" \
  --certificate-body "file://$D/site.pem" --private-key "file://$D/other.key"
expect_err_msg MalformedCertificate "The index within the chain of the invalid certificate is: -1" \
  root iam upload-server-certificate --server-certificate-name "$CERT" \
  --certificate-body "file://$D/site.pem" --private-key "file://$D/site.key" --certificate-chain "file://$D/stranger.pem"
expect_err_msg MalformedCertificate "Unable to parse certificate. Please ensure the certificate is in PEM format." \
  root iam upload-server-certificate --server-certificate-name "$CERT" \
  --certificate-body "not a certificate" --private-key "file://$D/site.key"

step "upload with its chain, under a path, with a tag"
expect_ok root iam upload-server-certificate --server-certificate-name "$CERT" --path /cloudfront/test/ \
  --certificate-body "file://$D/site.pem" --private-key "file://$D/site.key" --certificate-chain "file://$D/ca.pem" \
  --tags Key=env,Value=test
assert_jq "the certificate's metadata" --arg a "arn:$PARTITION:iam::$ACCOUNT_ID:server-certificate/cloudfront/test/$CERT" \
  '.ServerCertificateMetadata.Arn == $a and (.ServerCertificateMetadata.ServerCertificateId | startswith("ASCA")) and .ServerCertificateMetadata.Expiration != null'
expect_err EntityAlreadyExists root iam upload-server-certificate --server-certificate-name "$CERT" \
  --certificate-body "file://$D/other.pem" --private-key "file://$D/other.key"

step "get returns body and chain, never the key; list by path prefix; the account summary counts it"
expect_ok root iam get-server-certificate --server-certificate-name "$CERT"
assert_jq "body and chain" --arg b "$(cat "$D/site.pem")" --arg c "$(cat "$D/ca.pem")" \
  '.ServerCertificate.CertificateBody == $b and .ServerCertificate.CertificateChain == $c and .ServerCertificate.Tags == [{"Key": "env", "Value": "test"}]'
assert_jq "no private key anywhere" '[.. | strings | select(test("PRIVATE KEY"))] | length == 0'
expect_ok root iam list-server-certificates --path-prefix /cloudfront/test/
assert_jq "listed under its path" --arg n "$CERT" '[.ServerCertificateMetadataList[].ServerCertificateName] == [$n]'
expect_ok root iam get-account-summary
assert_jq "counted" '.SummaryMap.ServerCertificates >= 1 and .SummaryMap.ServerCertificatesQuota == 20'

step "tags, rename and move"
expect_ok root iam tag-server-certificate --server-certificate-name "$CERT" --tags Key=team,Value=web
expect_ok root iam untag-server-certificate --server-certificate-name "$CERT" --tag-keys env
expect_ok root iam list-server-certificate-tags --server-certificate-name "$CERT"
assert_jq "one tag left" '.Tags == [{"Key": "team", "Value": "web"}]'
expect_ok root iam update-server-certificate --server-certificate-name "$CERT" --new-server-certificate-name "$CERT2" --new-path /elb/
expect_err NoSuchEntity root iam get-server-certificate --server-certificate-name "$CERT"
expect_ok root iam get-server-certificate --server-certificate-name "$CERT2"
assert_jq "the new ARN" --arg a "arn:$PARTITION:iam::$ACCOUNT_ID:server-certificate/elb/$CERT2" '.ServerCertificate.ServerCertificateMetadata.Arn == $a'

step "delete"
expect_ok root iam delete-server-certificate --server-certificate-name "$CERT2"
expect_err_msg NoSuchEntity "cannot be found" root iam get-server-certificate --server-certificate-name "$CERT2"
pass
