#!/usr/bin/env bash
# The audit trail's share of the server's CPU under load, from one profile
# (within-profile ratios do not move with this kind of VM's drift, unlike two
# runs compared): builds gatehouse and the load generator, starts gatehouse on
# a loopback port with a temporary data directory, warms it up for 1 s, then
# samples the whole machine with `perf record -e cpu-clock -a -g` while the
# generator loads it, and sorts the server's samples by the trail's roots
# (Server.record on the request's path, the indexer, the flusher), the
# collector, and the rest, per request.
#   usage: bench/trail-share.sh [SCENARIO [C [SECONDS [serve flags...]]]]
#   e.g.   bench/trail-share.sh GetUser/role 32 5
# Needs perf (Debian: linux-perf) and python3, and the right to sample the
# whole machine (root, or kernel.perf_event_paranoid <= 0).
set -euo pipefail
scen=${1:-GetUser/role}; c=${2:-32}; secs=${3:-5}; shift $(( $# < 3 ? $# : 3 ))
for tool in perf python3; do
  command -v "$tool" >/dev/null || { echo "trail-share: $tool is not installed" >&2; exit 2; }
done
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
TMP=$(mktemp -d "${TMPDIR:-/tmp}/trail-share.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM
(cd "$ROOT" && go build -o "$TMP/gatehouse" ./cmd/gatehouse)
(cd "$HERE" && go build -o "$TMP/load" ./load)
# shellcheck source=bench/serve.sh
. "$HERE/serve.sh"
serve_gatehouse "$TMP/gatehouse" "$TMP/data" "$TMP/server.log" "$@"
load() { timeout 300 "$TMP/load" -endpoint "http://$addr" -scenarios "$scen" -c "$c" -rounds 1 -warmup 0s -duration "$1"; }
load 1s >/dev/null 2>&1
perf record -q -e cpu-clock -F 2000 -a -g -o "$TMP/perf.data" -- bash -c "$(declare -f load); TMP=$TMP addr=$addr scen=$scen c=$c; load ${secs}s" 2>/dev/null >"$TMP/load.out"
rps=$(grep -E '^\| [A-Z]' "$TMP/load.out" | cut -d'|' -f4 | tr -d ' ')
perf script -i "$TMP/perf.data" --comm gatehouse -F comm,ip,sym 2>/dev/null >"$TMP/stacks.txt"
echo "$scen c=$c: $rps req/s"
python3 - "$TMP/stacks.txt" "$((rps * secs))" <<'PY'
import collections, sys
roots = [("record", "gatehouse/server.(*Server).record"), ("indexer", "sqlite.(*Store).runIndexer"),
         ("flusher", "segments).runFlusher"), ("gc", "runtime.gcBgMarkWorker")]
counts, n, stack = collections.Counter(), 0, []
def add(frames):
    global n
    n += 1
    counts[next((name for name, pat in roots if any(pat in f for f in frames)), "rest")] += 1
for line in open(sys.argv[1]):
    if not line.strip():
        if stack: add(stack)
        stack = []
    elif line[0] in " \t":
        stack.append(line.split(None, 1)[-1])
if stack: add(stack)
requests, us = float(sys.argv[2]), 500.0  # 2,000 samples/s: 500 µs each
if n == 0 or requests == 0:
    sys.exit("trail-share: no samples of the server (perf lacks the right to sample the machine?)")
print("server: %.1f µs of CPU per request" % (n * us / requests))
for name in [r[0] for r in roots] + ["rest"]:
    print("  %-8s %6.2f µs per request, %5.1f%%" % (name, counts[name] * us / requests, 100.0 * counts[name] / n))
trail = sum(counts[k] for k in ("record", "indexer", "flusher"))
print("the trail: %.1f%% of the server's CPU" % (100.0 * trail / n))
PY
