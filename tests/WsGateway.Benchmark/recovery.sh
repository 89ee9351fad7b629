#!/usr/bin/env bash
# Recovery after a gateway dies (issue 30): two gateways through Redis, a room that keeps a history, CLIENTS .NET clients
# in it (the WsGateway.Client library), every other one on the gateway that is killed with SIGKILL while a publisher on
# the other gateway sends RATE messages a second. Each round starts a new victim gateway and reports how long after the
# kill the clients of the dead gateway had recovered on the survivor (p50, p99, last) and checks that every client
# ended with every message once and in order (RecoveryRun.cs). The gateways and Redis run on core 0, the clients on 1.
#
#   bash tests/WsGateway.Benchmark/recovery.sh                 # 3 rounds of 1,000 clients, 200 messages/s
#   options: --rounds N  --clients N (default 1000)  --rate N (default 200)  --messages N (default 1200)
#            --kill-after N (default 400)  --out DIR (default artifacts/benchmark/recovery-<time>)
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=3 CLIENTS=1000 RATE=200 MESSAGES=1200 KILL_AFTER=400 OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --clients) CLIENTS=$2; shift ;;
    --rate) RATE=$2; shift ;;
    --messages) MESSAGES=$2; shift ;;
    --kill-after) KILL_AFTER=$2; shift ;;
    --out) OUT=$2; shift ;;
    *) echo "usage: $0 [--rounds N] [--clients N] [--rate N] [--messages N] [--kill-after N] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
command -v redis-server >/dev/null || { echo "recovery.sh needs redis-server (apt-get install -y redis-server)" >&2; exit 2; }

OUT=${OUT:-artifacts/benchmark/recovery-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/logs" "$OUT/scripts"
OUT=$(cd "$OUT" && pwd)
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"
cp tests/WsGateway.Benchmark/scripts/*.csx "$OUT/scripts/"

BENCH=tests/WsGateway.Benchmark/bin/Release/net10.0/WsGateway.Benchmark.dll
HOST=src/WsGateway.Host/bin/Release/net10.0/WsGateway.Host.dll
CONFIG=tests/WsGateway.Benchmark/gateway.benchmark.json
echo "== build (Release)"
for project in src/WsGateway.Host tests/WsGateway.Benchmark; do
  dotnet build "$project" -c Release -nologo -v quiet >"$OUT/logs/build.log" 2>&1 || { cat "$OUT/logs/build.log"; exit 1; }
done

# shellcheck source=tests/WsGateway.Benchmark/processes.sh
source tests/WsGateway.Benchmark/processes.sh
trap stop_all EXIT
trap 'exit 130' INT TERM

PORT=$((20000 + RANDOM % 40000))
redis-server --port "$PORT" --save '' --appendonly no --bind 127.0.0.1 >"$OUT/logs/redis.log" 2>&1 &
STARTED+=("$!")
for _ in $(seq 1 100); do grep -q 'Ready to accept connections' "$OUT/logs/redis.log" && break; sleep 0.1; done
grep -q 'Ready to accept connections' "$OUT/logs/redis.log" || { cat "$OUT/logs/redis.log" >&2; exit 1; }
pin "${STARTED[0]}"

PREFIX=bench-recovery-$$
gateway() {
  local name=$1
  start_server "$name" "$OUT/logs/$name.log" dotnet "$HOST" --port 0 --config "$CONFIG" "Scripts:Directory=$OUT/scripts" \
    "Cluster:Redis=127.0.0.1:$PORT" "Cluster:ChannelPrefix=$PREFIX" "Cluster:NodeName=$name" \
    "History:Groups:0:Pattern=room*" "History:Groups:0:Size=10000" "History:Groups:0:TtlSeconds=600"
}

gateway survivor
for round in $(seq 1 "$ROUNDS"); do
  gateway "victim-$round"
  taskset -c 1 dotnet "$BENCH" recovery --victim "${URL[victim-$round]}" --victim-pid "${PID[victim-$round]}" \
    --survivor "${URL[survivor]}" --room "room$round" --clients "$CLIENTS" --rate "$RATE" --messages "$MESSAGES" \
    --kill-after "$KILL_AFTER" --round "$round" >>"$RESULTS" || echo "round $round: some client did not recover every message (see above)" >&2
done

median() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" "$RESULTS" | sort -n | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "-") }'; }
echo
echo "| $CLIENTS clients, $RATE messages/s, median of $ROUNDS rounds | |"
echo "|---|---|"
echo "| recovered after the kill, p50 | $(median recovery_p50_ms) ms |"
echo "| recovered after the kill, p99 | $(median recovery_p99_ms) ms |"
echo "| last client recovered | $(median recovery_max_ms) ms |"
echo "| every message at every client, after the kill | $(median all_delivered_after_kill_s) s |"
echo "| clients with a missing, doubled or reordered message (worst round) | $(sed -n 's/.*"clients_with_wrong_messages":\([0-9]*\).*/\1/p' "$RESULTS" | sort -n | tail -1) |"
