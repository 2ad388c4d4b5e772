#!/usr/bin/env bash
# Record the CPU profile a profile-guided build of gatehouse uses
# (cmd/gatehouse/default.pgo, which `go build` picks up by itself):
# builds gatehouse without PGO, serves it on a free loopback port with a
# temporary data directory and --cpu-profile, sends it the load generator's
# scenarios (signed GetCallerIdentity, GetUser as a user and as a role
# session, AssumeRole; trail on, as served by default) at c=8 and 32 for
# about a minute and a half, stops it (SIGTERM: the profile is written on the
# way out) and copies the profile into place.
# What it gains is measured in one run with
#   GATEHOUSE_COMPARE_BUILD=-pgo=off bench/load/run.sh
# (see bench/results/REQUEST_PATH.md).
#   usage: bench/pgo.sh [output, default cmd/gatehouse/default.pgo]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
OUT=${1:-$ROOT/cmd/gatehouse/default.pgo}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-pgo.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

echo "building gatehouse (without PGO) and the load generator..." >&2
(cd "$ROOT" && go build -pgo=off -o "$TMP/gatehouse" ./cmd/gatehouse)
(cd "$HERE" && go build -o "$TMP/load" ./load)

export GATEHOUSE_ACCOUNT_ID=123456789012
export GATEHOUSE_ROOT_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export GATEHOUSE_ROOT_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
timeout 600 "$TMP/gatehouse" serve --addr 127.0.0.1:0 --data "$TMP/data" --log-format text \
  --cpu-profile "$TMP/cpu.pprof" >"$TMP/server.log" 2>&1 &
pid=$!
addr=
for _ in $(seq 1 200); do
  addr=$(grep -o 'addr=127\.0\.0\.1:[0-9]*' "$TMP/server.log" | head -1 | cut -d= -f2 || true)
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { cat "$TMP/server.log" >&2; echo "gatehouse did not start" >&2; exit 1; }
for _ in $(seq 1 100); do
  curl -fsS "http://$addr/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

timeout 300 "$TMP/load" -endpoint "http://$addr" \
  -scenarios GetCallerIdentity/root,GetUser/user,GetUser/role,AssumeRole/user \
  -c 8,32 -duration 5s -rounds 2 -warmup 1s >"$TMP/load.md"
kill -TERM "$pid"
wait "$pid" || true
pid=
[ -s "$TMP/cpu.pprof" ] || { cat "$TMP/server.log" >&2; echo "no profile written" >&2; exit 1; }
cp "$TMP/cpu.pprof" "$OUT"
echo "wrote $OUT ($(wc -c <"$OUT") bytes) from:" >&2
cat "$TMP/load.md" >&2
