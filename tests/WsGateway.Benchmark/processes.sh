# Sourced by run.sh, compare.sh and cluster.sh: starting, stopping and pinning the processes a script started (always
# by their pid).

# stop_process PID: SIGTERM, up to 10 s to exit, then SIGKILL.
stop_process() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# pin PID: every thread the process has now to core 0; threads it makes later inherit the mask of their maker.
pin() {
  local pid=$1 task
  for task in /proc/"$pid"/task/*; do
    taskset -pc 0 "${task##*/}" >/dev/null 2>&1 || true
  done
}

# What a script started, by pid; its name's pid and URL once listening.
declare -A PID URL
STARTED=()

# stop_all: stops everything the script started.
stop_all() {
  for pid in "${STARTED[@]}"; do
    stop_process "$pid"
  done
  STARTED=()
}

# start_server NAME LOG COMMAND...: runs COMMAND, waits for its "Listening on SCHEME://HOST:PORT" line, pins it.
start_server() {
  local name=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1 &
  local pid=$! url=""
  STARTED+=("$pid")
  for _ in $(seq 1 600); do
    url=$(grep -o -m1 'Listening on [a-z]*://[0-9.]*:[0-9]*' "$log" 2>/dev/null | cut -d' ' -f3 || true)
    [ -n "$url" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "$name exited before listening:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$url" ] || { echo "$name did not listen within 60 s:" >&2; cat "$log" >&2; exit 1; }
  PID[$name]=$pid
  URL[$name]=${url/http:/ws:}
  pin "$pid"
}
