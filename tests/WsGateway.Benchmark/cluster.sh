#!/usr/bin/env bash
# Broadcast to 1,000 receivers across two gateways through Redis (issue 20, item 5), against the single-node figure,
# and the same through a group that every connection joins first (issue 27), and through the HTTP API (issue 29). Each
# round runs three setups of each case (`bcast`: the gateway's broadcast command; `group`: the benchmark's group-join
# and group-send scripts; `api`: the same group, published with POST /api/v1/publish on the first gateway, the key in
# gateway.benchmark.json), the sender always on the first gateway:
#   wsgateway         one gateway, no Redis
#   wsgateway-redis   one gateway with Cluster:Redis set but alone on its channel (the cost of publishing to Redis)
#   wsgateway-2nodes  two gateways through Redis: every other receiver on the second one
# The four gateways and Redis are started once and pinned to core 0 after they start, the load generator runs on core 1,
# as in run.sh. Before the rounds, two warm-up passes run every setup unmeasured (--prewarm seconds each): a fresh
# gateway's JIT takes some 20 s of this load to finish tiering up, which would otherwise be in the measured seconds
# (see README.md). Even rounds run the setups in reverse order. The report gives the median over rounds and the median
# of the per-round ratios to the single gateway (see README.md, "Broadcast across two nodes").
#
#   bash tests/WsGateway.Benchmark/cluster.sh                  # 3 rounds of about 50 s, after about 2 minutes of warm-up
#   bash tests/WsGateway.Benchmark/cluster.sh --only group     # one case: half of that
#   options: --rounds N  --warmup SECONDS  --duration SECONDS  --prewarm SECONDS (default 8)  --receivers N (default 1000)
#            --window N (default 1; requests in flight, the cases are then named bcastwN, groupwN)
#            --only CASE (bcast, group or api; repeatable; api is not run unless asked for)
#            --gateway-arg Section:Key=value (repeatable; passed to every gateway)
#            --out DIR (default artifacts/benchmark/cluster-<time>)
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=3
# The publisher key of gateway.benchmark.json (the api case).
API_KEY=benchmark-publisher-key-0123456789
WARMUP=1.5
DURATION=3.5
PREWARM=8
RECEIVERS=1000
WINDOW=1
OUT=""
GATEWAY_ARGS=()
CASES=(bcast group)
ONLY=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --prewarm) PREWARM=$2; shift ;;
    --receivers) RECEIVERS=$2; shift ;;
    --window) WINDOW=$2; shift ;;
    --only) ONLY+=("$2"); shift ;;
    --out) OUT=$2; shift ;;
    --gateway-arg) GATEWAY_ARGS+=("$2"); shift ;;
    *) echo "usage: $0 [--rounds N] [--warmup S] [--duration S] [--prewarm S] [--receivers N] [--window N] [--only bcast|group|api] [--gateway-arg KEY=VALUE] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
if [ ${#ONLY[@]} -gt 0 ]; then
  for only in "${ONLY[@]}"; do
    case $only in bcast | group | api) ;; *) echo "no case named $only (bcast, group, api)" >&2; exit 2 ;; esac
  done
  CASES=("${ONLY[@]}")
fi

if [ "$(nproc --all)" -lt 2 ]; then
  echo "cluster.sh needs two cores (servers on core 0, load generator on core 1)" >&2
  exit 2
fi
command -v redis-server >/dev/null || { echo "cluster.sh needs redis-server (apt-get install -y redis-server)" >&2; exit 2; }
if [ ! -f scripts/broadcast.csx ]; then
  echo "cluster.sh needs the gateway's broadcast command, scripts/broadcast.csx" >&2
  exit 2
fi

OUT=${OUT:-artifacts/benchmark/cluster-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/logs"
OUT=$(cd "$OUT" && pwd)
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"

BENCH=tests/WsGateway.Benchmark/bin/Release/net10.0/WsGateway.Benchmark.dll
HOST=src/WsGateway.Host/bin/Release/net10.0/WsGateway.Host.dll
CONFIG=tests/WsGateway.Benchmark/gateway.benchmark.json

# The gateways' scripts: the repository's (broadcast) and the benchmark's group commands, as in run.sh.
mkdir -p "$OUT/scripts"
cp scripts/*.csx tests/WsGateway.Benchmark/scripts/*.csx "$OUT/scripts/"

echo "== build (Release)"
for project in src/WsGateway.Host tests/WsGateway.Benchmark; do
  dotnet build "$project" -c Release -nologo -v quiet >"$OUT/logs/build.log" 2>&1 || { cat "$OUT/logs/build.log"; exit 1; }
done

{
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- cpu: $(nproc --all) × $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); $(uname -sr)"
  echo "- .NET $(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([^ ]*\).*/\1/p' | tail -1), $(redis-server --version | cut -d' ' -f1-3)"
  echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- gateway arguments: ${GATEWAY_ARGS[*]:-(none)}"
  echo "- cases ${CASES[*]}, window $WINDOW; rounds $ROUNDS, warm-up $WARMUP s, measured $DURATION s per run, $RECEIVERS receivers + 1 sender; before the rounds 2 unmeasured passes of $PREWARM s per setup and case"
} >"$OUT/machine.md"
cat "$OUT/machine.md"

# shellcheck source=tests/WsGateway.Benchmark/processes.sh
source tests/WsGateway.Benchmark/processes.sh

declare -A PID URL
STARTED=()
REDIS_PID=""

stop_gateways() {
  for pid in "${STARTED[@]}"; do
    stop_process "$pid"
  done
  STARTED=()
}

stop_all() {
  stop_gateways
  if [ -n "$REDIS_PID" ]; then
    stop_process "$REDIS_PID"
    REDIS_PID=""
  fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# wait_for_line LOG PATTERN PID WHAT: waits up to 60 s for PATTERN in LOG while PID lives.
wait_for_line() {
  local log=$1 pattern=$2 pid=$3 what=$4
  for _ in $(seq 1 600); do
    grep -q -m1 -- "$pattern" "$log" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "$what exited:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$what: no \"$pattern\" within 60 s:" >&2
  cat "$log" >&2
  exit 1
}

# Redis of our own on a free port: a random one that nothing listens on; if another process takes it first,
# redis-server exits and the next port is tried.
start_redis() {
  local log="$OUT/logs/redis.log" port pid
  for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    if ss -Htln "sport = :$port" 2>/dev/null | grep -q .; then
      continue
    fi
    redis-server --port "$port" --save '' --appendonly no --bind 127.0.0.1 >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
      if grep -q 'Ready to accept connections' "$log" 2>/dev/null; then
        REDIS_PID=$pid
        REDIS_PORT=$port
        pin "$pid"
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    stop_process "$pid"
  done
  echo "could not start redis-server on a free port:" >&2
  cat "$log" >&2
  exit 1
}

# start_gateway NAME LOG ARGS...: starts a gateway with the benchmark's configuration, waits for its
# "Listening on ws://HOST:PORT" line, pins it.
start_gateway() {
  local name=$1 log=$2
  shift 2
  dotnet "$HOST" --port 0 --config "$CONFIG" "Scripts:Directory=$OUT/scripts" "${GATEWAY_ARGS[@]}" "$@" >"$log" 2>&1 &
  local pid=$!
  STARTED+=("$pid")
  PID[$name]=$pid
}

listening() {
  local name=$1 log=$2 url
  wait_for_line "$log" 'Listening on ws://' "${PID[$name]}" "$name"
  url=$(grep -o -m1 'Listening on ws://[0-9.]*:[0-9]*' "$log" | cut -d' ' -f3)
  URL[$name]=$url/
  pin "${PID[$name]}"
}

# bench FILE WARMUP DURATION SETUP CASE: one run of CASE in SETUP on core 1, its JSON line appended to FILE. In the
# group case every connection, on either node, joins the group on its own node before the sender sends to it; each
# run has a group of its own, so that no member of an earlier run that a gateway has not let go of yet gets its sends.
RUNS=0
bench() {
  local file=$1 warmup=$2 duration=$3 setup=$4 case=$5 args request name
  for pid in "${PID[@]}" "$REDIS_PID"; do
    pin "$pid"
  done
  RUNS=$((RUNS + 1))
  case $case in
    bcast) request=(--prefix "broadcast ") ;;
    group) request=(--group "g$RUNS" --join-prefix "group-join " --prefix "group-send g$RUNS ") ;;
    api) request=(--group "g$RUNS" --join-prefix "group-join " --publish-api "$API_KEY") ;;
  esac
  name=$case
  [ "$WINDOW" -gt 1 ] && name=${case}w$WINDOW
  case $setup in
    wsgateway) args=(--url "${URL[single]}" --server-pid "${PID[single]}") ;;
    wsgateway-redis) args=(--url "${URL[alone]}" --server-pid "${PID[alone]}") ;;
    wsgateway-2nodes) args=(--url "${URL[a]}" --server-pid "${PID[a]}" --receiver-url "${URL[b]}" --receiver-server-pid "${PID[b]}") ;;
  esac
  timeout --kill-after=5 120 taskset -c 1 dotnet "$BENCH" broadcast "${request[@]}" --receivers "$RECEIVERS" --size 32 \
    --window "$WINDOW" --warmup "$warmup" --duration "$duration" --server "$setup" --case "$name" --round "$round" \
    --redis-pid "$REDIS_PID" "${args[@]}" >>"$file" || true
}

echo "== redis"
start_redis
echo "redis-server on 127.0.0.1:$REDIS_PORT (pid $REDIS_PID)"
REDIS=127.0.0.1:$REDIS_PORT

# Each setup has its own channel, so no gateway hears another setup's broadcasts.
echo "== gateways"
L=$OUT/logs
start_gateway single "$L/single.log"
start_gateway alone "$L/alone.log" "Cluster:Redis=$REDIS" "Cluster:ChannelPrefix=bench-alone" "Cluster:NodeName=alone"
start_gateway a "$L/a.log" "Cluster:Redis=$REDIS" "Cluster:ChannelPrefix=bench-pair" "Cluster:NodeName=gw-a"
start_gateway b "$L/b.log" "Cluster:Redis=$REDIS" "Cluster:ChannelPrefix=bench-pair" "Cluster:NodeName=gw-b"
listening single "$L/single.log"
listening alone "$L/alone.log"
listening a "$L/a.log"
listening b "$L/b.log"
# Each node has heard the other's heartbeat through Redis: both are subscribed.
wait_for_line "$L/a.log" 'Node gw-b joined the cluster' "${PID[a]}" gw-a
wait_for_line "$L/b.log" 'Node gw-a joined the cluster' "${PID[b]}" gw-b

SETUPS=(wsgateway wsgateway-redis wsgateway-2nodes)
# Unmeasured: the gateways compile their hot paths (connecting, broadcasting, publishing, closing) at full tier now.
round=0
for pass in 1 2; do
  echo "== warm-up pass $pass of 2"
  for case in "${CASES[@]}"; do
    for setup in "${SETUPS[@]}"; do
      bench "$OUT/warm-up.jsonl" 0 "$PREWARM" "$setup" "$case"
    done
  done
done

for round in $(seq 1 "$ROUNDS"); do
  order=("${SETUPS[@]}")
  if [ $((round % 2)) -eq 0 ]; then
    order=(wsgateway-2nodes wsgateway-redis wsgateway)
  fi
  echo "== round $round of $ROUNDS: ${order[*]}"
  echo "- load average at round $round: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.md"
  round_start=$SECONDS
  for case in "${CASES[@]}"; do
    for setup in "${order[@]}"; do
      bench "$RESULTS" "$WARMUP" "$DURATION" "$setup" "$case"
    done
  done
  echo "round $round took $((SECONDS - round_start)) s"
done
stop_gateways

echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.md"
{
  cat "$OUT/machine.md"
  echo
  dotnet "$BENCH" report "$RESULTS"
  echo "### Warnings and errors in the servers' logs"
  echo
  warmup_errors=$(grep -o '"errors":[1-9][0-9]*' "$OUT/warm-up.jsonl" 2>/dev/null || true)
  [ -n "$warmup_errors" ] && echo "Errors in the warm-up passes: $(echo "$warmup_errors" | tr '\n' ' ')(see warm-up.jsonl)" && echo
  problems=$(grep -h -E '^\[[0-9:]+ (WRN|ERR|FTL)' "$OUT"/logs/{single,alone,a,b}.log 2>/dev/null | sed 's/^\[[0-9:]* //' | sort | uniq -c || true)
  # Redis closes a subscriber whose output buffer passes its limit: the other node would miss broadcasts.
  redis_problems=$(grep -h -i -E 'output buffer|overcoming' "$OUT/logs/redis.log" 2>/dev/null || true)
  if [ -z "$problems$redis_problems" ]; then
    echo "none"
  else
    echo '```'
    [ -n "$problems" ] && echo "$problems"
    [ -n "$redis_problems" ] && echo "$redis_problems"
    echo '```'
  fi
} >"$OUT/results.md"
echo
cat "$OUT/results.md"
echo "Results: $OUT/results.md (raw: results.jsonl, server logs: logs/)"
