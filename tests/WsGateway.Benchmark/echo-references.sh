#!/usr/bin/env bash
# The working tree's gateway against Kestrel and node ws on the 32-byte echo, at 1 and at 16 messages in flight: the
# quick check of the echo targets, without the half hour of run.sh. The three servers are started once and pinned to
# core 0 after they start, the load generator runs on core 1, as in run.sh. First every .NET server gets --settle
# seconds of both cases, unmeasured (a fresh server's JIT takes some 20 s of load to finish tiering up; node needs no
# such wait but gets the same); then each round runs both cases against each server, the order reversed every other
# round. The report gives, per case, each server's median rate and the median of the per-round ratios.
#
#   bash tests/WsGateway.Benchmark/echo-references.sh            # 5 rounds, about 6 minutes with the build
#   options: --rounds N  --warmup SECONDS (per run; default 1.5)  --duration SECONDS (default 3.5)
#            --settle SECONDS (per .NET server; default 20)  --gateway-arg Section:Key=value (repeatable)  --out DIR
#            --client-inline (the load generator's socket completions run inline, not on its thread pool: a cheaper
#            client per message, for when it saturates its core before the fastest server does; servers unchanged)
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=5
CLIENT_ENV=()
WARMUP=1.5
DURATION=3.5
SETTLE=20
OUT=""
GATEWAY_ARGS=()
WS_VERSION=8.23.0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --settle) SETTLE=$2; shift ;;
    --gateway-arg) GATEWAY_ARGS+=("$2"); shift ;;
    --out) OUT=$2; shift ;;
    --client-inline) CLIENT_ENV=(env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1) ;;
    *) echo "usage: $0 [--rounds N] [--warmup S] [--duration S] [--settle S] [--gateway-arg KEY=VALUE] [--client-inline] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

if [ "$(nproc --all)" -lt 2 ]; then
  echo "echo-references.sh needs two cores (servers on core 0, load generator on core 1)" >&2
  exit 2
fi

OUT=${OUT:-artifacts/benchmark/echo-references-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/logs"
OUT=$(cd "$OUT" && pwd)
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"

BENCH=tests/WsGateway.Benchmark/bin/Release/net10.0/WsGateway.Benchmark.dll
HOST=src/WsGateway.Host/bin/Release/net10.0/WsGateway.Host.dll
KESTREL=tests/WsGateway.Benchmark.KestrelEcho/bin/Release/net10.0/WsGateway.Benchmark.KestrelEcho.dll
CONFIG=tests/WsGateway.Benchmark/gateway.benchmark.json

echo "== build (Release)"
for project in src/WsGateway.Host tests/WsGateway.Benchmark tests/WsGateway.Benchmark.KestrelEcho; do
  dotnet build "$project" -c Release -nologo -v quiet >"$OUT/logs/build.log" 2>&1 || { cat "$OUT/logs/build.log"; exit 1; }
done

echo "== node ws@$WS_VERSION"
mkdir -p "$OUT/node"
cp tests/WsGateway.Benchmark/node/*.mjs "$OUT/node/"
echo '{"private":true,"type":"module"}' >"$OUT/node/package.json"
npm install --prefix "$OUT/node" --no-audit --no-fund --silent "ws@$WS_VERSION" >"$OUT/logs/npm.log" 2>&1 || { cat "$OUT/logs/npm.log"; exit 1; }

{
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- cpu: $(nproc --all) × $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "- gateway: the working tree at $(git rev-parse --short HEAD)$(git diff --quiet || echo ' with changes'); arguments: ${GATEWAY_ARGS[*]:-(none)}"
  echo "- rounds $ROUNDS, settle $SETTLE s, warm-up $WARMUP s, measured $DURATION s per run"
  echo "- load generator: ${CLIENT_ENV[*]:-default socket completions (on the thread pool)}"
  echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/machine.md"
cat "$OUT/machine.md"

# shellcheck source=tests/WsGateway.Benchmark/processes.sh
source tests/WsGateway.Benchmark/processes.sh
trap stop_all EXIT

# run SERVER CASE WARMUP DURATION ARGS...
run() {
  local server=$1 case=$2 warmup=$3 duration=$4
  shift 4
  pin "${PID[$server]}"
  timeout --kill-after=5 120 taskset -c 1 "${CLIENT_ENV[@]}" dotnet "$BENCH" load --url "${URL[$server]}/echo" --server "$server" \
    --case "$case" --round "$round" --server-pid "${PID[$server]}" --warmup "$warmup" --duration "$duration" "$@" \
    >>"$RESULTS" || true
}

CASES=("text32|--connections 64 --size 32 --kind text"
       "text32w16|--connections 64 --size 32 --kind text --window 16")

start_server wsgateway "$OUT/logs/wsgateway.log" dotnet "$HOST" --port 0 --config "$CONFIG" "${GATEWAY_ARGS[@]}"
start_server kestrel "$OUT/logs/kestrel.log" dotnet "$KESTREL" --urls http://127.0.0.1:0
start_server node-ws "$OUT/logs/node-ws.log" node "$OUT/node/echo-server.mjs" 0

echo "== settle: $SETTLE s of both cases on each server (not reported)"
round=0
for server in wsgateway kestrel node-ws; do
  for spec in "${CASES[@]}"; do
    read -r -a args <<<"${spec#*|}"
    run "$server" "settle" 0.5 "$(awk "BEGIN{print $SETTLE/${#CASES[@]}}")" "${args[@]}"
  done
done
sed -i '/"case":"settle"/d' "$RESULTS"

for round in $(seq 1 "$ROUNDS"); do
  order=(wsgateway kestrel node-ws)
  [ $((round % 2)) -eq 0 ] && order=(node-ws kestrel wsgateway)
  echo "== round $round of $ROUNDS: ${order[*]} (load average $(cut -d' ' -f1 /proc/loadavg))"
  for spec in "${CASES[@]}"; do
    read -r -a args <<<"${spec#*|}"
    for server in "${order[@]}"; do
      run "$server" "${spec%%|*}" "$WARMUP" "$DURATION" "${args[@]}"
    done
  done
done
echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.md"

python3 - "$RESULTS" <<'PY' | tee "$OUT/results.md"
import json, sys, statistics
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
def get(row, *names):
    for name in names:
        for key in (name, name[0].upper() + name[1:]):
            if key in row: return row[key]
by = {}
for r in rows:
    by.setdefault((get(r, "case"), get(r, "round")), {})[get(r, "server")] = r
rate = lambda r: get(r, "messages_per_second") or 0
cpu = lambda r: get(r, "server_cpu_us_per_message") or 0
client = lambda r: get(r, "client_cpu_cores", "client_cpu") or 0
print("| case | WsGateway msg/s | Kestrel msg/s | node ws msg/s | WsGateway ÷ Kestrel | WsGateway ÷ node ws | per-round ÷ Kestrel | per-round ÷ node ws "
      "| server CPU µs/msg (WsGateway, Kestrel, node ws) | client CPU (cores) | errors |")
print("|---|---:|---:|---:|---:|---:|---|---|---|---|---:|")
for case in ("text32", "text32w16"):
    rounds = [v for (c, _), v in sorted(by.items()) if c == case and len(v) == 3]
    if not rounds: continue
    med = lambda s: statistics.median(rate(v[s]) for v in rounds)
    k = [rate(v["wsgateway"]) / rate(v["kestrel"]) for v in rounds if rate(v["kestrel"])]
    n = [rate(v["wsgateway"]) / rate(v["node-ws"]) for v in rounds if rate(v["node-ws"])]
    errors = sum((get(v[s], "errors") or 0) for v in rounds for s in v)
    servers = ("wsgateway", "kestrel", "node-ws")
    cpus = ", ".join(f"{statistics.median(cpu(v[s]) for v in rounds):.2f}" for s in servers)
    clients = ", ".join(f"{statistics.median(client(v[s]) for v in rounds):.2f}" for s in servers)
    print(f"| {case} | {med('wsgateway'):,.0f} | {med('kestrel'):,.0f} | {med('node-ws'):,.0f} | **{statistics.median(k):.2f}** | **{statistics.median(n):.2f}** "
          f"| {', '.join(f'{x:.2f}' for x in k)} | {', '.join(f'{x:.2f}' for x in n)} | {cpus} | {clients} | {errors} |")
PY
echo "Results: $OUT/results.md (raw: results.jsonl, logs: logs/)"
