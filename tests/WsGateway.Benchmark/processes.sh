# Sourced by run.sh and cluster.sh: stopping and pinning the processes a script started (always by their pid).

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
