#!/usr/bin/env bash
# Measure Gatehouse's request path beside the floor on this machine:
# builds gatehouse and the load generator, starts gatehouse on a free loopback
# port with a temporary data directory and fixed root keys, waits for
# /healthz, starts the floor (a SigV4-verifying server answering a fixed body)
# in a process of its own the same way, then runs the floor and the four scenarios (GetCallerIdentity as
# root, GetUser as the user and as a role session, AssumeRole as the user) at
# c=1,8,32, their rounds interleaved, and prints one Markdown table.
# The server is stopped by its pid on every way out (trap), and by `timeout`
# if the script itself is killed.
# With GATEHOUSE_COMPARE_ARGS set (e.g. --audit=false) a second gatehouse is
# started with those flags and every scenario is measured on it too, in the
# same interleaved rounds (rows "SCENARIO (compare)", each measured right
# after its scenario on the first gatehouse in every round; the last column,
# "% of compared (paired rounds)", is the median of the rounds' ratios, so
# that this machine's drift between rounds cancels out): the audit trail's
# cost in one run is GATEHOUSE_COMPARE_ARGS=--audit=false bench/load/run.sh.
# With GATEHOUSE_COMPARE_BUILD set (go build flags, e.g. -pgo=off) the compared
# gatehouse is a binary built with those flags: the profile-guided build's gain
# in one run is GATEHOUSE_COMPARE_BUILD=-pgo=off bench/load/run.sh.
#   usage: bench/load/run.sh [extra load flags, e.g. -duration 5s -json]
# Defaults: 3 rounds of 3 s after a 0.5 s warm-up per level (about 2.5 min in all).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=$(dirname "$HERE")
ROOT=$(dirname "$BENCH")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-load.XXXXXX")
pid=
fpid=
cpid=
cleanup() {
  for p in $pid $fpid $cpid; do
    kill "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

echo "building gatehouse and the load generator..." >&2
(cd "$ROOT" && go build -o "$TMP/gatehouse" ./cmd/gatehouse)
cbin="$TMP/gatehouse"
if [ -n "${GATEHOUSE_COMPARE_BUILD:-}" ]; then
  cbin="$TMP/gatehouse-compare"
  # shellcheck disable=SC2086
  (cd "$ROOT" && go build ${GATEHOUSE_COMPARE_BUILD} -o "$cbin" ./cmd/gatehouse)
fi
(cd "$BENCH" && go build -o "$TMP/load" ./load)

export GATEHOUSE_ACCOUNT_ID=123456789012
export GATEHOUSE_ROOT_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export GATEHOUSE_ROOT_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
# The server stops by itself after 10 minutes whatever happens to this script.
# GATEHOUSE_SERVE_ARGS adds flags to serve (e.g. --audit=false).
# shellcheck disable=SC2086
timeout 600 "$TMP/gatehouse" serve --addr 127.0.0.1:0 --data "$TMP/data" --log-format text \
  ${GATEHOUSE_SERVE_ARGS:-} >"$TMP/server.log" 2>&1 &
pid=$!

# GATEHOUSE_COMPARE_STORE=postgres://... serves the compared gatehouse from
# that PostgreSQL database (--store, a master key made for the run) instead of
# a data directory: SQLite against PostgreSQL in one run. Give it a database
# of its own, a fresh one each run: the run leaves its tables there, with
# keys sealed by that run's master key.
compare=()
clabel=$(echo "${GATEHOUSE_COMPARE_BUILD:-} ${GATEHOUSE_COMPARE_ARGS:-}" | xargs)
cstore=(--data "$TMP/data-compare")
ckey=
if [ -n "${GATEHOUSE_COMPARE_STORE:-}" ]; then
  cstore=(--store "$GATEHOUSE_COMPARE_STORE")
  ckey=$(head -c 32 /dev/urandom | base64)
  clabel="postgres ${clabel}"
fi
if [ -n "${GATEHOUSE_COMPARE_ARGS:-}${GATEHOUSE_COMPARE_STORE:-}${GATEHOUSE_COMPARE_BUILD:-}" ]; then
  # shellcheck disable=SC2086
  GATEHOUSE_MASTER_KEY=$ckey timeout 600 "$cbin" serve --addr 127.0.0.1:0 "${cstore[@]}" --log-format text \
    ${GATEHOUSE_COMPARE_ARGS:-} >"$TMP/compare.log" 2>&1 &
  cpid=$!
fi

timeout 600 "$TMP/load" -serve-floor 9m >"$TMP/floor.log" 2>&1 &
fpid=$!

# listening PID LOG: the address PID logs ("... serving addr=127.0.0.1:PORT") once it listens.
listening() {
  local a
  for _ in $(seq 1 200); do
    a=$(grep -o 'addr=127\.0\.0\.1:[0-9]*' "$2" | head -1 | cut -d= -f2 || true)
    [ -n "$a" ] && { echo "$a"; return 0; }
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  cat "$2" >&2
  echo "process $1 did not report its address" >&2
  return 1
}
addr=$(listening "$pid" "$TMP/server.log")
floor=$(listening "$fpid" "$TMP/floor.log")
if [ -n "$cpid" ]; then
  caddr=$(listening "$cpid" "$TMP/compare.log")
  compare=(-compare-endpoint "http://$caddr" -compare-label "$clabel")
fi
for a in $addr ${caddr:-}; do
  for _ in $(seq 1 100); do
    curl -fsS "http://$a/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fsS "http://$a/healthz" >/dev/null || { echo "gatehouse is not healthy at $a" >&2; exit 1; }
done
if [ -n "$cpid" ]; then
  echo "the compared gatehouse (pid $cpid, $clabel) serving on $caddr" >&2
fi
echo "gatehouse (pid $pid) serving on $addr, the floor (pid $fpid) on $floor" >&2

timeout 540 "$TMP/load" -endpoint "http://$addr" -floor-endpoint "http://$floor" \
  -scenarios GetCallerIdentity/root,GetUser/user,GetUser/role,AssumeRole/user \
  -c 1,8,32 -duration 3s -rounds 3 -warmup 500ms "${compare[@]}" "$@"
