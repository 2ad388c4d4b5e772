# shellcheck shell=bash
# shellcheck disable=SC2034 # variables set here are read by the scenario scripts
# Gatehouse acceptance scripts: S3 helpers. Sourced after common.sh by the
# scenarios that use Gatehouse's S3 endpoint:
#   . "$(dirname "$0")/lib/common.sh" "$@"
#   . "$(dirname "$0")/lib/s3.sh"
# The S3 calls go through common.sh's `call` like every other (aws s3api ... /
# aws s3 ...), so expect_ok / expect_err / expect_denied work on them; an S3
# error without a body (a HEAD) comes out as the HTTP status, as the CLI prints
# it: "An error occurred (404) when calling the HeadBucket operation: Not Found"
# gives ERR_CODE=404 and ERR_MSG="Not Found".
# It provides:
#   s3_arn BUCKET [KEY]                      arn:aws:s3:::BUCKET[/KEY]
#   s3_url BUCKET KEY                        path-style URL of an object at ENDPOINT
#   create_bucket WHO BUCKET [args...]       s3api create-bucket, and defers purge_bucket
#   purge_bucket WHO BUCKET                  delete every object (and upload), then the bucket
#   put_text WHO BUCKET KEY TEXT [args...]   s3api put-object of TEXT (must succeed)
#   expect_object_text WHO BUCKET KEY TEXT   s3api get-object returns exactly TEXT
#   http_get URL                             unsigned/presigned GET with curl (sets HTTP_STATUS,
#                                            HTTP_CODE, HTTP_MSG from S3's error document, OUT = body)
#   expect_http STATUS URL [CODE [MESSAGE]]  http_get must answer STATUS (and that error code /
#                                            message), with the settle window
#   pab_doc BLOCK_ACLS IGNORE_ACLS BLOCK_POLICY RESTRICT   a PublicAccessBlockConfiguration

# The CLI signs S3 requests with Signature Version 4 and addresses buckets
# path-style (http://HOST:PORT/BUCKET/KEY): Gatehouse serves S3 on its one
# endpoint, where virtual-hosted names (BUCKET.HOST) do not resolve. aws CLI v2
# already does both with --endpoint-url (it signs S3 only with SigV4: CLI v2
# migration guide); the profile pins them anyway, with the CLI's documented
# settings (https://docs.aws.amazon.com/cli/latest/topic/s3-config.html,
# https://docs.aws.amazon.com/AmazonS3/latest/API/specify-signature-version.html).
cat >>"$AWS_CONFIG_FILE" <<'EOF'
[default]
s3 =
  signature_version = s3v4
  addressing_style = path
EOF

command -v curl >/dev/null 2>&1 || { echo "$SCENARIO: curl is required (apt-get install -y curl)" >&2; exit 2; }
CURL_ARGS=()
if [ -n "${GATEHOUSE_CA_BUNDLE:-}" ]; then CURL_ARGS+=(--cacert "$GATEHOUSE_CA_BUNDLE"); fi
if [ "${GATEHOUSE_NO_VERIFY_SSL:-0}" = 1 ]; then CURL_ARGS+=(-k); fi

s3_arn() {
  if [ $# -gt 1 ]; then printf 'arn:%s:s3:::%s/%s' "$PARTITION" "$1" "$2"; else printf 'arn:%s:s3:::%s' "$PARTITION" "$1"; fi
}
s3_url() { printf '%s/%s/%s' "$ENDPOINT" "$1" "$2"; }

# purge_bucket WHO BUCKET : never fails; warns when the bucket is still there.
# `aws s3 rb --force` (one CLI run: delete every object, then the bucket) first;
# if the bucket survives it, abort its multipart uploads and delete object by object.
purge_bucket() {
  local who=$1 b=$2 o k u
  _q "$who" s3 rb --force "s3://$b"
  call "$who" s3api head-bucket --bucket "$b" >/dev/null 2>&1
  [ "$RC" -eq 0 ] || return 0
  o=$(_qo "$who" s3api list-multipart-uploads --bucket "$b") &&
    while IFS=$'\t' read -r k u; do
      [ -n "$u" ] && _q "$who" s3api abort-multipart-upload --bucket "$b" --key "$k" --upload-id "$u"
    done < <(jq -r '.Uploads[]? | [.Key, .UploadId] | @tsv' <<<"$o")
  o=$(_qo "$who" s3api list-objects-v2 --bucket "$b") &&
    while IFS= read -r k; do
      [ -n "$k" ] && _q "$who" s3api delete-object --bucket "$b" --key "$k"
    done < <(jq -r '.Contents[]?.Key' <<<"$o")
  _q "$who" s3api delete-bucket --bucket "$b"
  _left "$who" "bucket $b" s3api head-bucket --bucket "$b"
}

# create_bucket WHO BUCKET [create-bucket args...] : creates the bucket, defers its removal
create_bucket() {
  local who=$1 b=$2
  shift 2
  defer purge_bucket "$who" "$b"
  expect_ok "$who" s3api create-bucket --bucket "$b" "$@"
}

# put_text WHO BUCKET KEY TEXT [put-object args...]
put_text() {
  local who=$1 b=$2 k=$3 text=$4
  shift 4
  printf '%s' "$text" >"$WORK/.put"
  expect_ok "$who" s3api put-object --bucket "$b" --key "$k" --body "$WORK/.put" "$@"
}

# expect_object_text WHO BUCKET KEY TEXT : get-object succeeds and returns exactly TEXT
expect_object_text() {
  local who=$1 b=$2 k=$3 text=$4
  rm -f "$WORK/.get"
  expect_ok "$who" s3api get-object --bucket "$b" --key "$k" "$WORK/.get"
  [ "$(cat "$WORK/.get")" == "$text" ] || fail "s3://$b/$k holds '$(head -c 200 "$WORK/.get")', expected '$text'"
}

# http_get URL : GET with curl, no AWS credentials (an anonymous request, or a
# presigned URL). Sets RC (curl's), HTTP_STATUS, OUT (the body), HTTP_CODE and
# HTTP_MSG (<Code> and <Message> of an S3 error document, else empty).
http_get() {
  local url=$1
  LAST_CALL="curl GET $(_short "$url")"
  HTTP_STATUS=$(curl -sS -o "$WORK/.http" -w '%{http_code}' "${CURL_ARGS[@]}" "$url" 2>"$WORK/.err")
  RC=$?
  OUT=$(cat "$WORK/.http" 2>/dev/null)
  ERR=$(cat "$WORK/.err")
  HTTP_CODE=$(sed -n 's:.*<Code>\([^<]*\)</Code>.*:\1:p' <<<"$OUT" | head -n 1)
  HTTP_MSG=$(sed -n 's:.*<Message>\([^<]*\)</Message>.*:\1:p' <<<"$OUT" | head -n 1)
  ERR_CODE=$HTTP_CODE ERR_MSG=$HTTP_MSG
  printf '   %s -> %s %s\n' "$LAST_CALL" "$HTTP_STATUS" "$HTTP_CODE"
}

# expect_http STATUS URL [CODE [MESSAGE]] : http_get URL answers HTTP STATUS and,
# when given, the S3 error CODE and MESSAGE (exactly). Retried for the settle
# window, since a policy change may take that long to apply on AWS.
expect_http() {
  local want=$1 url=$2 code=${3:-} msg=${4:-}
  local deadline=$((SECONDS + ${WAIT:-$SETTLE}))
  while :; do
    http_get "$url"
    if [ "$RC" -eq 0 ] && [ "$HTTP_STATUS" = "$want" ] &&
      { [ -z "$code" ] || [ "$HTTP_CODE" = "$code" ]; } &&
      { [ -z "$msg" ] || [ "$HTTP_MSG" = "$msg" ]; }; then
      return 0
    fi
    [ "$SECONDS" -ge "$deadline" ] && break
    sleep 1
  done
  fail "expected HTTP $want${code:+ $code}${msg:+ ($msg)} from GET $(_short "$url"), got $HTTP_STATUS ${HTTP_CODE:-} ${HTTP_MSG:+($HTTP_MSG)}"
}

# pab_doc BLOCK_ACLS IGNORE_ACLS BLOCK_POLICY RESTRICT (true/false each)
pab_doc() {
  jq -c -n --argjson a "$1" --argjson b "$2" --argjson c "$3" --argjson d "$4" \
    '{BlockPublicAcls: $a, IgnorePublicAcls: $b, BlockPublicPolicy: $c, RestrictPublicBuckets: $d}'
}
