#!/usr/bin/env bash
# Issue 15 — outbound identity federation and STS preferences, as the IAM User
# Guide's "Getting started with outbound identity federation" walks it:
#   - enable the feature: the account gets a unique issuer URL
#     (EnableOutboundWebIdentityFederation; FeatureEnabled when enabled twice);
#   - a principal allowed sts:GetWebIdentityToken for one audience obtains a
#     JWT; a relying party reads the issuer's discovery document and key set,
#     unauthenticated, and verifies the RS256 signature, iss, aud and exp
#     itself (plain Python: RSA PKCS #1 v1.5 over SHA-256);
#   - another audience is denied (sts:IdentityTokenAudience);
#   - disabled, STS refuses (OutboundWebIdentityFederationDisabledException)
#     and GetOutboundWebIdentityFederationInfo answers FeatureDisabled;
#   - SetSecurityTokenServicePreferences shows in get-account-summary's
#     GlobalEndpointTokenVersion.
# These operations came after aws CLI 2.9 (and after the boto3 of some
# machines): they are sent as Query requests signed with SigV4 by
# lib/query_json.py (the standard library only).
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"

APP=$(name_for OutboundApp)
AUD="https://api.example.com/$RUN_ID"

need_python
# The account's feature is left as found: disabled at the end.
defer _q root iam set-security-token-service-preferences --global-endpoint-token-version v1Token
defer query root iam DisableOutboundWebIdentityFederation

step "enable outbound identity federation: a unique issuer URL under the server's"
query root iam DisableOutboundWebIdentityFederation # from an earlier run; FeatureDisabled is fine
query_ok root iam EnableOutboundWebIdentityFederation
ISSUER=$(jqo '.IssuerIdentifier')
assert_match "$ISSUER" '^https?://.+/outbound-federation/[0-9a-f-]{36}$' "issuer URL"
query_err FeatureEnabled root iam EnableOutboundWebIdentityFederation
query_ok root iam GetOutboundWebIdentityFederationInfo
assert_jq "the info names the issuer, enabled" --arg i "$ISSUER" '.IssuerIdentifier == $i and .JwtVendingEnabled == "true"'

step "a principal allowed one audience gets a token"
create_user root "$APP"
expect_ok root iam put-user-policy --user-name "$APP" --policy-name jwt --policy-document "$(jq -c -n --arg a "$AUD" \
  '{Version: "2012-10-17", Statement: [{Effect: "Allow", Action: "sts:GetWebIdentityToken", Resource: "*",
    Condition: {"ForAllValues:StringEquals": {"sts:IdentityTokenAudience": $a}, NumericLessThanEquals: {"sts:DurationSeconds": "900"}}}]}')"
make_keys root "$APP" app
query_ok app sts GetWebIdentityToken "Audience.member.1=$AUD" SigningAlgorithm=RS256 DurationSeconds=600
TOKEN=$(jqo '.WebIdentityToken')
EXPIRATION=$(jqo '.Expiration')
assert_expires_in "$EXPIRATION" 600 "the token's Expiration"

step "a relying party verifies it against the issuer's discovery document and key set"
VERIFIED=$("$PY" - "$ISSUER" "$AUD" "$TOKEN" <<'EOF'
import base64, hashlib, json, sys, time, urllib.request
issuer, aud, token = sys.argv[1:4]
def get(u):
    with urllib.request.urlopen(u, timeout=10) as r:
        assert r.headers.get("Content-Type", "").startswith("application/json"), u
        return json.load(r)
def b64(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
disc = get(issuer + "/.well-known/openid-configuration")
assert disc["issuer"] == issuer, disc
jwks = get(disc["jwks_uri"])
h, p, s = token.split(".")
header, claims = json.loads(b64(h)), json.loads(b64(p))
assert header["alg"] == "RS256", header
key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
n, e = int.from_bytes(b64(key["n"]), "big"), int.from_bytes(b64(key["e"]), "big")
k = (n.bit_length() + 7) // 8
em = pow(int.from_bytes(b64(s), "big"), e, n).to_bytes(k, "big")
# EMSA-PKCS1-v1_5 (RFC 8017 section 9.2) with SHA-256's DigestInfo.
digest_info = bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256((h + "." + p).encode()).digest()
assert em == b"\x00\x01" + b"\xff" * (k - 3 - len(digest_info)) + b"\x00" + digest_info, "bad signature"
assert claims["iss"] == issuer and aud in ([claims["aud"]] if isinstance(claims["aud"], str) else claims["aud"]), claims
assert claims["exp"] > time.time() and claims["exp"] - claims["iat"] == 600, claims
print(json.dumps(claims))
EOF
)
[ -n "$VERIFIED" ] || fail "the relying party did not verify the token"
OUT=$VERIFIED
assert_jq "sub is the user, aws_account the account" --arg s "$(user_arn "$APP")" --arg a "$ACCOUNT_ID" \
  '.sub == $s and .["https://sts.amazonaws.com/"].aws_account == $a'

step "another audience is denied; a bad algorithm is a ValidationError"
query_err AccessDenied app sts GetWebIdentityToken "Audience.member.1=https://other.example.com" SigningAlgorithm=RS256
query_err ValidationError app sts GetWebIdentityToken "Audience.member.1=$AUD" SigningAlgorithm=HS256

step "disabled: STS refuses new tokens, the info is FeatureDisabled"
query_ok root iam DisableOutboundWebIdentityFederation
query_err OutboundWebIdentityFederationDisabledException app sts GetWebIdentityToken "Audience.member.1=$AUD" SigningAlgorithm=ES384
query_err FeatureDisabled root iam GetOutboundWebIdentityFederationInfo
query_err FeatureDisabled root iam DisableOutboundWebIdentityFederation

step "SetSecurityTokenServicePreferences shows in get-account-summary"
expect_ok root iam set-security-token-service-preferences --global-endpoint-token-version v2Token
expect_ok root iam get-account-summary
assert_eq "$(jqo '.SummaryMap.GlobalEndpointTokenVersion')" 2 "GlobalEndpointTokenVersion after v2Token"
expect_ok root iam set-security-token-service-preferences --global-endpoint-token-version v1Token
expect_ok root iam get-account-summary
assert_eq "$(jqo '.SummaryMap.GlobalEndpointTokenVersion')" 1 "GlobalEndpointTokenVersion after v1Token"

pass
