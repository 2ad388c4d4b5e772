#!/usr/bin/env bash
# Issue 15 — IAM temporary delegation (access_policies-temporary-delegation.html,
# temporary-delegation-building-integration.html), end to end:
#   - a partner account (onboarded with `gatehouse admin delegation-partner`, as
#     AWS's partner onboarding; others get AccessDenied) creates a delegation
#     request from its policy template;
#   - a customer user associates it, forwards it (PENDING_APPROVAL), accepts it,
#     reads its summary, and releases the token, which reaches the partner's
#     endpoint as an SNS HTTP notification;
#   - the partner exchanges the token once (STS GetDelegatedAccessToken) for
#     credentials of the customer user limited to the request's policy;
#   - a second request is rejected and cannot be accepted afterwards.
# The aws CLI here predates these operations: calls go through lib/query_json.py
# (SigV4 by hand, the standard library only). Onboarding needs the server's
# data directory and binary: GATEHOUSE_DATA_DIR and GATEHOUSE_BIN (.ci/run sets
# them); without them only the refusal of a partner that is not onboarded is
# checked.
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"
need_python

TOPIC_ACCT=$(printf '4%011d' "$((RANDOM * 32768 + RANDOM))")
TOPIC="arn:aws:sns:us-east-1:$TOPIC_ACCT:delegation"
request_json() { # TEMPLATE-ARN WORKFLOW [OWNER]
  jq -c -n --arg t "$1" --arg w "$2" --arg o "${3:-}" --arg topic "$TOPIC" '{Description: "Set up the Example integration",
    Permissions: {PolicyTemplateArn: $t, Parameters: [{Name: "roleName", Values: ["ExampleIntegration"], Type: "string"}]},
    RequestorWorkflowId: $w, NotificationChannel: $topic, SessionDuration: 3600} + (if $o == "" then {} else {OwnerAccountId: $o} end)'
}

step "an account that is not onboarded cannot create a delegation request"
query_err AccessDenied root iam CreateDelegationRequest "$(request_json "arn:aws:iam::$ACCOUNT_ID:delegation-template/setup" "wf-$RUN_ID-0")"

if [ -z "${GATEHOUSE_DATA_DIR:-}" ] || [ -z "${GATEHOUSE_BIN:-}" ]; then
  note "GATEHOUSE_DATA_DIR/GATEHOUSE_BIN unset: the partner flow needs them to onboard a partner; skipped"
  pass
fi

step "a partner account, onboarded with its template and its notification endpoint"
PARTNER_ACCT=$TOPIC_ACCT
"$GATEHOUSE_BIN" admin create-account --data "$GATEHOUSE_DATA_DIR" --account-id "$PARTNER_ACCT" --name "partner-$RUN_ID" >"$WORK/partner.txt" 2>&1 ||
  fail "admin create-account: $(cat "$WORK/partner.txt")"
set_creds partner "$(sed -n 's/.*AWS_ACCESS_KEY_ID=//p' "$WORK/partner.txt")" "$(sed -n 's/.*AWS_SECRET_ACCESS_KEY=//p' "$WORK/partner.txt")"
INBOX=$WORK/inbox
mkdir -p "$INBOX"
"$PY" - "$INBOX" >"$WORK/inbox.log" 2>&1 <<'PY' &
import http.server, os, sys
inbox = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        n = len(os.listdir(inbox))
        with open(os.path.join(inbox, "%03d.json" % n), "wb") as f:
            f.write(body)
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(os.path.join(inbox, "..", "inbox.port"), "w").write(str(s.server_port))
s.serve_forever()
PY
INBOX_PID=$!
defer kill "$INBOX_PID"
for _ in $(seq 50); do [ -s "$WORK/inbox.port" ] && break; sleep 0.1; done
TEMPLATE_FILE=$WORK/template.json
cat >"$TEMPLATE_FILE" <<'JSON'
{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["iam:ListUsers","iam:GetUser"],"Resource":"*"},
 {"Effect":"Allow","Action":"iam:CreateRole","Resource":"arn:aws:iam::*:role/@{roleName}"}]}
JSON
"$GATEHOUSE_BIN" admin delegation-partner --data "$GATEHOUSE_DATA_DIR" --account-id "$PARTNER_ACCT" --name "Example Partner" \
  --endpoint "http://127.0.0.1:$(cat "$WORK/inbox.port")/sns" --template "setup=$TEMPLATE_FILE" >"$WORK/onboard.txt" 2>&1 ||
  fail "admin delegation-partner: $(cat "$WORK/onboard.txt")"
TEMPLATE=$(sed -n 's/^Policy template: //p' "$WORK/onboard.txt")
assert_eq "$TEMPLATE" "arn:aws:iam::$PARTNER_ACCT:delegation-template/setup" "the template's ARN"

step "the partner creates a request for the customer's account"
sleep 2 # the server's directory picks the new account up within its poll interval
query_ok partner sts GetCallerIdentity
query_ok partner iam CreateDelegationRequest "$(request_json "$TEMPLATE" "wf-$RUN_ID-1" "$ACCOUNT_ID")"
ID=$(jqo .DelegationRequestId)
query_err EntityAlreadyExists partner iam CreateDelegationRequest "$(request_json "$TEMPLATE" "wf-$RUN_ID-1")"

step "a customer user associates, forwards and accepts it"
ALICE=$(name_for Alice)
create_user root "$ALICE"
expect_ok root iam put-user-policy --user-name "$ALICE" --policy-name admin --policy-document "$(policy_doc "$(allow '*')")"
make_keys root "$ALICE" alice
query_ok alice iam GetDelegationRequest "{\"DelegationRequestId\":\"$ID\"}"
assert_jq "the request awaits an owner, with the rendered policy" \
  '.DelegationRequest.State == "UNASSIGNED" and (.DelegationRequest.PermissionPolicy | test("role/ExampleIntegration"))'
query_err InvalidInput alice iam AcceptDelegationRequest "{\"DelegationRequestId\":\"$ID\"}"
query_ok alice iam AssociateDelegationRequest "{\"DelegationRequestId\":\"$ID\"}"
query_ok alice iam UpdateDelegationRequest "{\"DelegationRequestId\":\"$ID\",\"Notes\":\"please approve\"}"
query_ok alice iam GetDelegationRequest "{\"DelegationRequestId\":\"$ID\"}"
assert_jq "forwarded for approval" --arg o "$(user_arn "$ALICE")" '.DelegationRequest.State == "PENDING_APPROVAL" and .DelegationRequest.OwnerId == $o'
query_ok alice iam ListDelegationRequests "{\"OwnerId\":\"$(user_arn "$ALICE")\"}"
assert_jq "listed for its owner" --arg id "$ID" '[.DelegationRequests[].DelegationRequestId] == [$id]'
query_ok alice iam AcceptDelegationRequest "{\"DelegationRequestId\":\"$ID\"}"
query_ok alice iam GetHumanReadableSummary "{\"EntityArn\":\"arn:aws:iam::$ACCOUNT_ID:delegation-request/$ID\"}"
assert_jq "a summary names the actions" '.SummaryState == "AVAILABLE" and (.SummaryContent | test("list users \\(List, iam:ListUsers\\)"))'

step "the token reaches the partner, which trades it in once"
query_ok alice iam SendDelegationToken "{\"DelegationRequestId\":\"$ID\"}"
NOTE=$(cat "$INBOX"/000.json)
TOKEN=$(jq -r '.Message | fromjson | .tradeInToken' <<<"$NOTE")
assert_eq "$(jq -r '.TopicArn' <<<"$NOTE")" "$TOPIC" "the notification's topic"
query_ok partner sts GetDelegatedAccessToken "{\"TradeInToken\":\"$TOKEN\"}"
assert_eq "$(jqo .AssumedPrincipal)" "$(user_arn "$ALICE")" "the assumed principal"
set_creds delegated "$(jqo .Credentials.AccessKeyId)" "$(jqo .Credentials.SecretAccessKey)" "$(jqo .Credentials.SessionToken)"
query_err ExpiredTradeInTokenException partner sts GetDelegatedAccessToken "{\"TradeInToken\":\"$TOKEN\"}"

step "the delegated credentials act as the user, limited to the request's policy"
expect_ok delegated iam list-users
defer purge_role root ExampleIntegration
expect_ok delegated iam create-role --role-name ExampleIntegration --assume-role-policy-document "$(trust_aws "$(account_root_arn "$PARTNER_ACCT")")"
expect_denied delegated iam create-user --user-name "$(name_for Mallory)"

step "a rejected request cannot be accepted"
query_ok partner iam CreateDelegationRequest "$(request_json "$TEMPLATE" "wf-$RUN_ID-2" "$ACCOUNT_ID")"
ID2=$(jqo .DelegationRequestId)
query_ok alice iam AssociateDelegationRequest "{\"DelegationRequestId\":\"$ID2\"}"
query_ok alice iam RejectDelegationRequest "{\"DelegationRequestId\":\"$ID2\",\"Notes\":\"not now\"}"
query_ok alice iam GetDelegationRequest "{\"DelegationRequestId\":\"$ID2\"}"
assert_jq "rejected with its reason" '.DelegationRequest.State == "REJECTED" and .DelegationRequest.RejectionReason == "not now"'
query_err InvalidInput alice iam AcceptDelegationRequest "{\"DelegationRequestId\":\"$ID2\"}"

pass
