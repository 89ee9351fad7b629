#!/usr/bin/env bash
# What permessage-deflate costs an idle connection: the gateway (Release) holds N idle /echo connections that offered
# nothing, offered permessage-deflate as Chromium does, or offered it and exchanged one compressed message first
# ("active"), with Compression:ClientContextTakeover off (the default) and on. A fresh gateway per run; resident
# memory per connection is (RSS with the connections open − RSS before) ÷ N, as in run.sh's idle case.
#
#   bash tests/WsGateway.Benchmark/deflate-memory.sh [--connections N] [--rounds R] [--out DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."

CONNECTIONS=10000
ROUNDS=3
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) CONNECTIONS=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --out) OUT=$2; shift ;;
    *) echo "usage: $0 [--connections N] [--rounds R] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

OUT=${OUT:-artifacts/benchmark/deflate-memory-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"
BENCH=tests/WsGateway.Benchmark/bin/Release/net10.0/WsGateway.Benchmark.dll
HOST=src/WsGateway.Host/bin/Release/net10.0/WsGateway.Host.dll
CONFIG=tests/WsGateway.Benchmark/gateway.benchmark.json
for project in src/WsGateway.Host tests/WsGateway.Benchmark; do
  dotnet build "$project" -c Release -nologo -v quiet >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 1; }
done

GATEWAY_PID=""
stop_gateway() {
  # Only the gateway this script started, by its own pid.
  if [ -n "$GATEWAY_PID" ] && kill -0 "$GATEWAY_PID" 2>/dev/null; then
    kill -TERM "$GATEWAY_PID"
    wait "$GATEWAY_PID" 2>/dev/null || true
  fi
  GATEWAY_PID=""
}
trap stop_gateway EXIT

for round in $(seq 1 "$ROUNDS"); do
  for takeover in false true; do
    for mode in none offer active; do
      log="$OUT/gateway-$round-$takeover-$mode.log"
      dotnet "$HOST" --port 0 --config "$CONFIG" --Compression:ClientContextTakeover="$takeover" >"$log" 2>&1 &
      GATEWAY_PID=$!
      url=""
      for _ in $(seq 1 300); do
        url=$(grep -o -m1 'Listening on ws://[0-9.]*:[0-9]*' "$log" 2>/dev/null | cut -d' ' -f3 || true)
        [ -n "$url" ] && break
        sleep 0.1
      done
      [ -n "$url" ] || { echo "the gateway did not start; see $log" >&2; exit 1; }
      timeout --kill-after=5 300 dotnet "$BENCH" idle --url "$url/echo" --connections "$CONNECTIONS" \
        --server wsgateway --case "takeover=$takeover deflate=$mode" --round "$round" --server-pid "$GATEWAY_PID" \
        --deflate "$mode" >>"$RESULTS" || true
      stop_gateway
    done
  done
done

# Median bytes per connection of each case.
python3 - "$RESULTS" <<'PY'
import json, statistics, sys
runs = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
cases = {}
for run in runs:
    if run.get("errors"):
        print(f"round {run['round']} {run['case']}: {run['errors']} errors, first: {run.get('first_error')}")
        continue
    cases.setdefault(run["case"], []).append(run["rss_per_connection_bytes"])
print("| case | resident bytes per connection (median) | runs |")
print("|---|---|---|")
for case, values in cases.items():
    print(f"| {case} | {statistics.median(values):,.0f} | {len(values)} |")
PY
