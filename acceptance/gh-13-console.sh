#!/usr/bin/env bash
# Issue 13 — the console is one more caller on the one request path:
#   - a user signs in to /ui/ with their console password (curl keeps the
#     cookies, as a browser would); a wrong password reads the same as an
#     unknown user;
#   - a user created from the console is there for the aws CLI, and the trail
#     records the console's CreateUser as the signed-in user's call with the
#     console's User-Agent;
#   - a console user without permission reads AWS's AccessDenied in the page;
#   - a form without the session's CSRF token is refused (403) and changes
#     nothing.
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"
command -v curl >/dev/null 2>&1 || { echo "$SCENARIO: curl is required" >&2; exit 2; }

ADMIN=$(name_for ConsoleAdmin)
VIEWER=$(name_for ConsoleViewer)
MADE=$(name_for MadeInConsole)
PW="Cons0le-$RUN_ID-pw!"
JAR=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-console.XXXXXX")
defer rm -rf "$JAR"

# page NAME PATH [curl args...]: fetch a console page as browser NAME; sets
# STATUS and BODY.
page() {
  local who=$1 path=$2
  shift 2
  STATUS=$(curl -sS -b "$JAR/$who" -c "$JAR/$who" -H 'Accept: text/html' -o "$JAR/body" -w '%{http_code}' "$@" "$ENDPOINT$path")
  BODY=$(cat "$JAR/body")
}
csrf_of() { grep -o 'name="csrf" value="[^"]*"' <<<"$BODY" | head -1 | sed 's/.*value="//; s/"$//'; }
sign_in() { # WHO USER PASSWORD
  page "$1" /ui/signin
  local tok
  tok=$(csrf_of)
  page "$1" /ui/signin --data-urlencode "csrf=$tok" --data-urlencode "account=$ACCOUNT_ID" \
    --data-urlencode "username=$2" --data-urlencode "password=$3"
}

step "users with console passwords: an administrator and one without permissions"
for u in "$ADMIN" "$VIEWER"; do
  create_user root "$u"
  expect_ok root iam create-login-profile --user-name "$u" --password "$PW"
done
expect_ok root iam attach-user-policy --user-name "$ADMIN" --policy-arn "arn:aws:iam::aws:policy/AdministratorAccess"
defer purge_user root "$MADE"

step "a browser's / leads to the console; a wrong password reads like an unknown user"
page anon /
assert_eq "$STATUS" 302 "GET / from a browser"
sign_in anon "$ADMIN" "wrong-$PW"
assert_eq "$STATUS" 401 "a wrong password"
assert_contains "$BODY" "Your authentication information is incorrect" "the wrong password's message"
sign_in anon2 "NoSuchUser$RUN_ID" "$PW"
assert_eq "$STATUS" 401 "an unknown user"
assert_contains "$BODY" "Your authentication information is incorrect" "the unknown user's message"

step "the administrator signs in and creates a user from the console"
sign_in admin "$ADMIN" "$PW"
assert_eq "$STATUS" 303 "sign-in"
page admin /ui/users
assert_eq "$STATUS" 200 "the users page"
TOKEN=$(csrf_of)
page admin /ui/users --data-urlencode "csrf=wrong" --data-urlencode "name=$MADE"
assert_eq "$STATUS" 403 "a form with a wrong CSRF token"
expect_err NoSuchEntity root iam get-user --user-name "$MADE"
page admin /ui/users --data-urlencode "csrf=$TOKEN" --data-urlencode "name=$MADE"
assert_eq "$STATUS" 303 "create user from the console"
expect_ok root iam get-user --user-name "$MADE"

step "the trail has the console's CreateUser as the administrator's call"
expect_ok root cloudtrail lookup-events --lookup-attributes "AttributeKey=EventName,AttributeValue=CreateUser" --max-results 50
assert_jq "CreateUser by the administrator from the console" --arg u "$ADMIN" --arg m "$MADE" \
  '[.Events[] | .CloudTrailEvent | fromjson | select(.requestParameters.userName == $m)] | .[0] |
   (.userIdentity.arn | endswith(":user/" + $u)) and (.userAgent | test("gatehouse-console"))'

step "a user without permissions sees AWS's AccessDenied in the page"
sign_in viewer "$VIEWER" "$PW"
assert_eq "$STATUS" 303 "the viewer's sign-in"
page viewer /ui/users
assert_eq "$STATUS" 403 "the viewer's users page"
assert_contains "$BODY" "is not authorized to perform: iam:ListUsers" "AWS's AccessDenied message in the page"
pass
