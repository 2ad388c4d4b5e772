#!/usr/bin/env bash
# Issue 17 — serve --memory-limit: the Go runtime's soft memory limit (as
# GOMEMLIMIT, which the flag overrides), the setting that keeps a server with
# 100,000 principals calling under 300 MB resident
# (bench/results/REQUEST_PATH.md). A second gatehouse is started from
# GATEHOUSE_BIN (.ci/run sets it) with a data directory of its own:
#   - a malformed limit is refused before anything is served (exit 2, the
#     flag's message);
#   - with 200MiB it serves signed requests, and its /metrics reports the
#     limit in effect (go_gc_gomemlimit_bytes).
# Without GATEHOUSE_BIN the scenario says so and passes.
# shellcheck source=lib/common.sh
. "$(dirname "$0")/lib/common.sh" "$@"

if [ -z "${GATEHOUSE_BIN:-}" ]; then
  note "GATEHOUSE_BIN unset: this scenario starts a gatehouse of its own; skipped"
  pass
fi

OWN_ACCOUNT=$(printf '5%011d' "$((RANDOM * 32768 + RANDOM))")
OWN_KEY=AKIA$(printf '%016d' "$((RANDOM * 32768 + RANDOM))")
OWN_SECRET=$(head -c 30 /dev/urandom | base64 | tr -d '/+=' | head -c 40)
serve() { # LOG ARGS...: gatehouse serve on a free loopback port (exec: run it in a subshell)
  local log=$1
  shift
  exec env GATEHOUSE_ACCOUNT_ID="$OWN_ACCOUNT" GATEHOUSE_ROOT_ACCESS_KEY_ID="$OWN_KEY" GATEHOUSE_ROOT_SECRET_ACCESS_KEY="$OWN_SECRET" \
    timeout 300 "$GATEHOUSE_BIN" serve --addr 127.0.0.1:0 --log-format text "$@" >"$log" 2>&1
}

step "a malformed --memory-limit is refused before serving"
rc=0
(serve "$WORK/bad.log" --data "$WORK/bad" --memory-limit 12parsecs) || rc=$?
assert_eq "$rc" 2 "the exit status of serve --memory-limit 12parsecs"
assert_contains "$(cat "$WORK/bad.log")" '--memory-limit must be a positive size such as 256MiB' "the refusal"
[ ! -e "$WORK/bad" ] || fail "a refused serve created its data directory"

step "with --memory-limit 200MiB the server serves, under that limit"
(serve "$WORK/own.log" --data "$WORK/own" --memory-limit 200MiB) &
OWN_PID=$! # the subshell execs env, which execs timeout: this pid is timeout's, which passes the kill on
defer kill "$OWN_PID"
ADDR=
for _ in $(seq 100); do
  ADDR=$(grep -o 'addr=127\.0\.0\.1:[0-9]*' "$WORK/own.log" | head -1 | cut -d= -f2 || true)
  [ -n "$ADDR" ] && break
  sleep 0.1
done
[ -n "$ADDR" ] || fail "the second gatehouse did not start: $(cat "$WORK/own.log")"
for _ in $(seq 100); do curl -fsS "http://$ADDR/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
ENDPOINT=http://$ADDR
set_creds own "$OWN_KEY" "$OWN_SECRET"
expect_ok own sts get-caller-identity
assert_eq "$(jqo .Account)" "$OWN_ACCOUNT" "the second server's account"
LIMIT=$(curl -fsS "http://$ADDR/metrics" | awk '$1 == "go_gc_gomemlimit_bytes" {printf "%.0f", $2}')
assert_eq "$LIMIT" "$((200 << 20))" "go_gc_gomemlimit_bytes"

pass
