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

# shellcheck source=bench/serve.sh
. "$HERE/serve.sh"
serve_gatehouse "$TMP/gatehouse" "$TMP/data" "$TMP/server.log" --cpu-profile "$TMP/cpu.pprof"

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
