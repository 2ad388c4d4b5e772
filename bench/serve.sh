# Sourced by the bench scripts: the fixed root keys every script serves
# gatehouse with, and serve_gatehouse, which starts one.
export GATEHOUSE_ACCOUNT_ID=123456789012
export GATEHOUSE_ROOT_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
export GATEHOUSE_ROOT_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

# serve_gatehouse BIN DATA LOG [serve flags...] starts BIN serve on a free
# loopback port with the data directory DATA, its log in LOG, stopped by
# `timeout` after 10 minutes whatever happens to the caller; sets pid (that
# timeout's: the caller stops the server by it), gpid (the server process
# itself, for /proc) and addr, and returns once /healthz answers.
# It exits the script, printing the log, when the server does not start.
serve_gatehouse() {
  local bin=$1 data=$2 log=$3
  shift 3
  timeout 600 "$bin" serve --addr 127.0.0.1:0 --data "$data" --log-format text "$@" >"$log" 2>&1 &
  pid=$!
  gpid=
  addr=
  for _ in $(seq 1 200); do
    addr=$(grep -o 'addr=127\.0\.0\.1:[0-9]*' "$log" | head -1 | cut -d= -f2 || true)
    [ -n "$addr" ] && break
    sleep 0.05
  done
  [ -n "$addr" ] || { cat "$log" >&2; echo "gatehouse did not start" >&2; exit 1; }
  gpid=$(pgrep -P "$pid" | head -1)
  for _ in $(seq 1 100); do
    curl -fsS "http://$addr/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
}
