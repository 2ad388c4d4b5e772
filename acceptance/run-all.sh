#!/usr/bin/env bash
# Run the project's own acceptance scenarios (gh-*.sh, one per capability the
# issues added) against ENDPOINT, like ../shared/acceptance/run-all.sh runs the
# founding guide's (seed-*.sh). lib/ is a copy of that folder's lib, so a clone
# can run these without ../shared.
#   usage: run-all.sh ENDPOINT [NAME-FILTER...]
# Prints "PASS name" or "FAIL name: first failure" per scenario and last
# "N passed, M failed"; exits non-zero if anything failed.
set -uo pipefail
if [ $# -lt 1 ] || [ -z "$1" ]; then
  echo "usage: $0 ENDPOINT [NAME-FILTER...]" >&2
  exit 2
fi
ENDPOINT=$1
shift
HERE=$(cd "$(dirname "$0")" && pwd)
LOGS=${GATEHOUSE_ACCEPTANCE_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-acceptance-logs.XXXXXX")}
mkdir -p "$LOGS"
LIMIT=${GATEHOUSE_SCENARIO_TIMEOUT:-900}
passed=0
failed=0
for script in "$HERE"/gh-*.sh; do
  name=$(basename "$script" .sh)
  if [ $# -gt 0 ]; then
    keep=0
    for f in "$@"; do case $name in *"$f"*) keep=1 ;; esac; done
    [ "$keep" = 1 ] || continue
  fi
  log="$LOGS/$name.log"
  start=$SECONDS
  timeout --kill-after=30 "$LIMIT" bash "$script" "$ENDPOINT" >"$log" 2>&1 </dev/null
  rc=$?
  secs=$((SECONDS - start))
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    echo "PASS $name (${secs}s)"
  else
    failed=$((failed + 1))
    why=$(grep -m 1 '^FAIL: ' "$log" | cut -c 7-)
    [ "$rc" -eq 124 ] && why="timed out after ${LIMIT}s"
    [ -n "$why" ] || why="exit status $rc, see $log"
    echo "FAIL $name: $why"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
