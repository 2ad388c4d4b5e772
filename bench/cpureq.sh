#!/usr/bin/env bash
# The server's CPU time and write system calls per request, read from
# /proc (Linux): builds gatehouse and the load generator, then for each
# round serves each binary in turn on a free loopback port with a fresh
# data directory, sends it one scenario for 5 s at one concurrency, and
# prints the requests served, the server's write-family system calls per
# request (/proc/PID/io syscw: the response's write, and the audit trail's
# segment writes — one per group-commit batch) and its user+system CPU per
# request (/proc/PID/stat). Steadier than throughput on a shared machine:
# the CPU a request costs does not depend on what else runs.
#   usage: bench/cpureq.sh [scenario, default GetCallerIdentity/root] [c, default 32] [rounds, default 3]
# GATEHOUSE_CPUREQ_BASE=<git revision> adds a binary built from that
# revision (a worktree under $TMPDIR, removed after), measured beside the
# current tree with the trail on and off.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
SC=${1:-GetCallerIdentity/root}
C=${2:-32}
ROUNDS=${3:-3}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-cpureq.XXXXXX")
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ -n "${GATEHOUSE_CPUREQ_BASE:-}" ]; then git -C "$ROOT" worktree remove --force "$TMP/base-src" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

(cd "$ROOT" && go build -o "$TMP/gatehouse" ./cmd/gatehouse)
(cd "$HERE" && go build -o "$TMP/load" ./load)
bins=("new:$TMP/gatehouse:" "off:$TMP/gatehouse:--audit=false")
if [ -n "${GATEHOUSE_CPUREQ_BASE:-}" ]; then
  git -C "$ROOT" worktree add -q --detach "$TMP/base-src" "$GATEHOUSE_CPUREQ_BASE"
  (cd "$TMP/base-src" && go build -o "$TMP/gatehouse-base" ./cmd/gatehouse)
  bins=("base:$TMP/gatehouse-base:" "${bins[@]}")
fi

# shellcheck source=bench/serve.sh
. "$HERE/serve.sh"
echo "| round | server | scenario | c | requests | writes/request | CPU µs/request |"
echo "|---:|---|---|---:|---:|---:|---:|"
for r in $(seq 1 "$ROUNDS"); do
  for b in "${bins[@]}"; do
    IFS=: read -r tag bin args <<<"$b"
    rm -rf "$TMP/data"
    # shellcheck disable=SC2086
    serve_gatehouse "$bin" "$TMP/data" "$TMP/server.log" $args
    w0=$(awk '/syscw/{print $2}' "/proc/$gpid/io"); t0=$(awk '{print $14+$15}' "/proc/$gpid/stat")
    timeout 60 "$TMP/load" -endpoint "http://$addr" -scenarios "$SC" -c "$C" -duration 5s -rounds 1 -warmup 0s >"$TMP/load.md" 2>/dev/null
    w1=$(awk '/syscw/{print $2}' "/proc/$gpid/io"); t1=$(awk '{print $14+$15}' "/proc/$gpid/stat")
    kill -TERM "$pid"; wait "$pid" || true; pid=
    n=$(grep "| ${SC} |" "$TMP/load.md" | awk -F'|' '{print $9}' | tr -d ' ')
    tck=$(getconf CLK_TCK)
    awk -v r="$r" -v tag="$tag" -v sc="$SC" -v c="$C" -v n="$n" -v w="$((w1 - w0))" -v t="$((t1 - t0))" -v hz="$tck" \
      'BEGIN { printf "| %d | %s | %s | %d | %d | %.3f | %.1f |\n", r, tag, sc, c, n, w / n, t * 1e6 / hz / n }'
  done
done
