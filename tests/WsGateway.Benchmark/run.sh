#!/usr/bin/env bash
# WsGateway against Kestrel, node `ws`, SignalR and two raw TCP echoes (node's and .NET's), on two cores: every server
# pinned to core 0 after it started, the load generator on core 1. Each round first starts WsGateway, Kestrel and node
# ws fresh for the idle case (memory per idle connection) and stops them; then it starts the six servers, runs every
# other case against each of them that speaks it (SignalR: the command-like call and bcast) back to back, and stops
# them. The order of the servers is reversed every other round. The fan-out cases added for issue 27 (bcastw16,
# groupw16, group10k) run in the first --fanout-rounds rounds only, to keep a full run near its old length. The report
# gives the median of the per-round ratios (see tests/WsGateway.Benchmark/README.md).
#
#   bash tests/WsGateway.Benchmark/run.sh            # full run: 5 rounds (3 for the fan-out cases)
#   bash tests/WsGateway.Benchmark/run.sh --quick    # smoke: 1 round of short runs, 2,000 idle connections
#   bash tests/WsGateway.Benchmark/run.sh --only groupw16 --only group10k --rounds 3   # some cases only
#   options: --rounds N  --warmup SECONDS  --duration SECONDS  --idle-connections N (default 19000)
#            --fanout-rounds N (default 3)  --only CASE (repeatable; the names are in CASES below)
#            --gateway-arg Section:Key=value (repeatable; e.g. Listen:InlineCompletions=false)
#            --client-inline (the load generator's socket completions run inline: see echo-references.sh)
#            --out DIR (default artifacts/benchmark/<time>)
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=5
CLIENT_ENV=()
WARMUP=1.5
DURATION=3.5
IDLE_CONNECTIONS=19000
FANOUT_ROUNDS=3
FANOUT_SETTLE=8
OUT=""
GATEWAY_ARGS=()
ONLY=()
CASES=(idle text32 text32w16 bin4k bin64k json2k json2k-deflate json2kw16 json2kw16-deflate command commandw16
       bcast bcast-stall bcastw16 groupw16 group10k)
WS_VERSION=8.23.0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ROUNDS=1; WARMUP=0.5; DURATION=1.5; IDLE_CONNECTIONS=2000; FANOUT_ROUNDS=1; FANOUT_SETTLE=2 ;;
    --rounds) ROUNDS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --idle-connections) IDLE_CONNECTIONS=$2; shift ;;
    --fanout-rounds) FANOUT_ROUNDS=$2; shift ;;
    --only) ONLY+=("$2"); shift ;;
    --out) OUT=$2; shift ;;
    --client-inline) CLIENT_ENV=(env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1) ;;
    --gateway-arg) GATEWAY_ARGS+=("$2"); shift ;;
    *) echo "usage: $0 [--quick] [--rounds N] [--warmup S] [--duration S] [--idle-connections N] [--fanout-rounds N] [--only CASE] [--gateway-arg KEY=VALUE] [--client-inline] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

for only in "${ONLY[@]}"; do
  [[ " ${CASES[*]} " == *" $only "* ]] || { echo "no case named $only; the cases: ${CASES[*]}" >&2; exit 2; }
done

# selected CASE: whether CASE runs in this round (every case without --only; the fan-out cases in the first
# FANOUT_ROUNDS rounds only).
selected() {
  local name=$1
  case $name in
    bcastw16 | groupw16 | group10k) [ "$round" -le "$FANOUT_ROUNDS" ] || return 1 ;;
  esac
  [ ${#ONLY[@]} -eq 0 ] && return 0
  [[ " ${ONLY[*]} " == *" $name "* ]]
}

if [ "$(nproc --all)" -lt 2 ]; then
  echo "run.sh needs two cores (server on core 0, load generator on core 1)" >&2
  exit 2
fi

OUT=${OUT:-artifacts/benchmark/$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/logs"
OUT=$(cd "$OUT" && pwd)
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"

BENCH=tests/WsGateway.Benchmark/bin/Release/net10.0/WsGateway.Benchmark.dll
HOST=src/WsGateway.Host/bin/Release/net10.0/WsGateway.Host.dll
KESTREL=tests/WsGateway.Benchmark.KestrelEcho/bin/Release/net10.0/WsGateway.Benchmark.KestrelEcho.dll
SIGNALR=tests/WsGateway.Benchmark.SignalR/bin/Release/net10.0/WsGateway.Benchmark.SignalR.dll
CONFIG=tests/WsGateway.Benchmark/gateway.benchmark.json

echo "== build (Release)"
for project in src/WsGateway.Host tests/WsGateway.Benchmark tests/WsGateway.Benchmark.KestrelEcho tests/WsGateway.Benchmark.SignalR; do
  dotnet build "$project" -c Release -nologo -v quiet >"$OUT/logs/build.log" 2>&1 || { cat "$OUT/logs/build.log"; exit 1; }
done

# The bcast cases ask WsGateway for its `broadcast` command (scripts/broadcast.csx, the gateway's own scripts folder).
if [ ! -f scripts/broadcast.csx ]; then
  echo "warning: scripts/broadcast.csx is missing: WsGateway's bcast runs will fail (unknown command)" >&2
fi

# The gateway's scripts for the run: the repository's samples (echo, broadcast) and the benchmark's group commands
# (group-join, group-send), copied into a folder of the run's own so that scripts/ holds no benchmark-only command.
mkdir -p "$OUT/scripts"
cp scripts/*.csx tests/WsGateway.Benchmark/scripts/*.csx "$OUT/scripts/"

echo "== node ws@$WS_VERSION"
mkdir -p "$OUT/node"
cp tests/WsGateway.Benchmark/node/*.mjs "$OUT/node/"
[ -f "$OUT/node/package.json" ] || echo '{"private":true,"type":"module"}' >"$OUT/node/package.json"
npm install --prefix "$OUT/node" --no-audit --no-fund --silent "ws@$WS_VERSION" >"$OUT/logs/npm.log" 2>&1 || { cat "$OUT/logs/npm.log"; exit 1; }

{
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- cpu: $(nproc --all) × $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); $(uname -sr)"
  echo "- .NET $(dotnet --list-runtimes | sed -n 's/^Microsoft.NETCore.App \([^ ]*\).*/\1/p' | tail -1), node $(node --version), ws $WS_VERSION"
  echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- gateway arguments: ${GATEWAY_ARGS[*]:-(none)}"
  echo "- load generator: ${CLIENT_ENV[*]:-default socket completions (on the thread pool)}"
  echo "- rounds $ROUNDS ($FANOUT_ROUNDS for bcastw16, groupw16, group10k), warm-up $WARMUP s, measured $DURATION s per run, $IDLE_CONNECTIONS idle connections"
  [ ${#ONLY[@]} -eq 0 ] || echo "- cases: ${ONLY[*]}"
} >"$OUT/machine.md"
cat "$OUT/machine.md"

# shellcheck source=tests/WsGateway.Benchmark/processes.sh
source tests/WsGateway.Benchmark/processes.sh

trap stop_all EXIT

# bench MODE SERVER CASE URL ARGS...: one load-generator run on core 1, its JSON line appended to the results.
bench() {
  local mode=$1 server=$2 case=$3 url=$4
  shift 4
  local pid limit=120
  case $server in
    wsgateway*) pid=${PID[wsgateway]} ;;
    node-ws) pid=${PID[node]} ;;
    *) pid=${PID[$server]} ;;
  esac
  case $mode in
    load | broadcast) set -- --warmup "$WARMUP" --duration "$DURATION" "$@" ;;
    idle) limit=300 ;;
  esac
  pin "$pid"
  timeout --kill-after=5 "$limit" taskset -c 1 "${CLIENT_ENV[@]}" dotnet "$BENCH" "$mode" --url "$url" --server "$server" --case "$case" \
    --round "$round" --server-pid "$pid" "$@" >>"$RESULTS" || true
}

load() {
  bench load "$@"
}

# start SERVER LOG: starts one of the six servers by its short name.
start() {
  local server=$1 log=$2
  case $server in
    wsgateway) start_server wsgateway "$log" dotnet "$HOST" --port 0 --config "$CONFIG" "Scripts:Directory=$OUT/scripts" "${GATEWAY_ARGS[@]}" ;;
    kestrel) start_server kestrel "$log" dotnet "$KESTREL" --urls http://127.0.0.1:0 ;;
    signalr) start_server signalr "$log" dotnet "$SIGNALR" --urls http://127.0.0.1:0 ;;
    node) start_server node "$log" node "$OUT/node/echo-server.mjs" 0 ;;
    tcp) start_server tcp "$log" node "$OUT/node/tcp-echo-server.mjs" 0 ;;
    tcp-dotnet) start_server tcp-dotnet "$log" dotnet "$BENCH" tcp-echo ;;
  esac
}

SERVERS=(wsgateway kestrel node signalr tcp tcp-dotnet)
for round in $(seq 1 "$ROUNDS"); do
  order=("${SERVERS[@]}")
  if [ $((round % 2)) -eq 0 ]; then
    order=(tcp-dotnet tcp signalr node kestrel wsgateway)
  fi
  echo "== round $round of $ROUNDS: ${order[*]}"
  echo "- load average at round $round: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.md"
  ws_order=()
  for server in "${order[@]}"; do
    case $server in wsgateway | kestrel | node) ws_order+=("$server") ;; esac
  done

  # Idle connections first, on servers that have done nothing else yet: what the other cases leave behind in a
  # server's heap would blur its memory figures. Open N to /echo, read the server's memory, close them.
  if selected idle; then
    for server in "${ws_order[@]}"; do
      start "$server" "$OUT/logs/$server-idle-$round.log"
    done
    for server in "${ws_order[@]}"; do
      name=$server
      [ "$server" = node ] && name=node-ws
      bench idle "$name" idle "${URL[$server]}/echo" --connections "$IDLE_CONNECTIONS"
    done
    stop_all
  fi

  for server in "${order[@]}"; do
    start "$server" "$OUT/logs/$server-$round.log"
  done

  for spec in "text32|--connections 64 --size 32 --kind text" \
              "text32w16|--connections 64 --size 32 --kind text --window 16" \
              "bin4k|--connections 64 --size 4096 --kind binary" \
              "bin64k|--connections 1 --size 65536 --kind binary"; do
    name=${spec%%|*}
    selected "$name" || continue
    read -r -a args <<<"${spec#*|}"
    for server in "${order[@]}"; do
      case $server in
        tcp | tcp-dotnet) load "$server" "$name" "${URL[$server]}" "${args[@]}" ;;
        node) load node-ws "$name" "${URL[node]}/echo" "${args[@]}" ;;
        signalr) ;;
        *) load "$server" "$name" "${URL[$server]}/echo" "${args[@]}" ;;
      esac
    done
  done

  # Chat-like JSON of 2 KiB, plain and with permessage-deflate (without context takeover, so every echo is the same
  # bytes), against the two servers that compress: what compression saves on the wire and costs in CPU.
  for spec in "json2k|--connections 64 --size 2048 --kind json" \
              "json2k-deflate|--connections 64 --size 2048 --kind json --deflate on" \
              "json2kw16|--connections 64 --size 2048 --kind json --window 16" \
              "json2kw16-deflate|--connections 64 --size 2048 --kind json --window 16 --deflate on"; do
    name=${spec%%|*}
    selected "$name" || continue
    read -r -a args <<<"${spec#*|}"
    for server in "${order[@]}"; do
      case $server in wsgateway | kestrel) load "$server" "$name" "${URL[$server]}/echo" "${args[@]}" ;; esac
    done
  done

  # The command route against the echo route of the same gateway: what parsing, dispatch and a script command cost,
  # with one message in flight per connection and with 16; and the same command as a wsgateway.v1 call (its reply
  # and its result: two messages back). SignalR's hub method Echo("hello") answering the caller is the same call in
  # SignalR: one request, one reply.
  routes=(command calls echo signalr)
  [ $((round % 2)) -eq 0 ] && routes=(signalr echo calls command)

  # SignalR has served nothing yet in this round, while the other servers have run every case above: 20 s of
  # unmeasured calls first (compare.sh's settle time), so that its measured runs are not its JIT warm-up.
  if selected command || selected commandw16 || selected bcast || selected bcastw16 || selected groupw16; then
    pin "${PID[signalr]}"
    timeout --kill-after=5 120 taskset -c 1 "${CLIENT_ENV[@]}" dotnet "$BENCH" load --url "${URL[signalr]}/hub" --protocol signalr --connections 64 \
      --window 16 --text hello --warmup 0 --duration 20 >/dev/null 2>&1 || true
  fi
  for window in 1 16; do
    name=command
    [ "$window" -gt 1 ] && name=commandw$window
    selected "$name" || continue
    for route in "${routes[@]}"; do
      case $route in
        command) load wsgateway-command "$name" "${URL[wsgateway]}/" --connections 64 --window "$window" --text "echo hello" --expect hello ;;
        calls) load wsgateway-calls "$name" "${URL[wsgateway]}/" --protocol wsgateway --connections 64 --window "$window" --text "echo hello" --expect hello ;;
        echo) load wsgateway-echo "$name" "${URL[wsgateway]}/echo" --connections 64 --window "$window" --text "echo hello" ;;
        signalr) load signalr "$name" "${URL[signalr]}/hub" --protocol signalr --connections 64 --window "$window" --text hello ;;
      esac
    done
  done

  # Broadcast to 1,000 receivers: WsGateway's `broadcast` command on its command route, the references' "/bcast "
  # on /echo, SignalR's hub method Broadcast (Clients.All). bcast-stall: the same with one receiver that never reads
  # (not SignalR: its stalled receiver would need another way to fill the server's buffers, see the README).
  for spec in "bcast|" "bcast-stall|--stalled 1"; do
    name=${spec%%|*}
    selected "$name" || continue
    read -r -a args <<<"${spec#*|}"
    for server in "${order[@]}"; do
      case $server in
        wsgateway) bench broadcast wsgateway "$name" "${URL[wsgateway]}/" --prefix "broadcast " --echo-prefix "echo " \
          --receivers 1000 --size 32 "${args[@]}" ;;
        kestrel) bench broadcast kestrel "$name" "${URL[kestrel]}/echo" --receivers 1000 --size 32 "${args[@]}" ;;
        node) bench broadcast node-ws "$name" "${URL[node]}/echo" --receivers 1000 --size 32 "${args[@]}" ;;
        signalr)
          if [ "$name" = bcast ]; then
            bench broadcast signalr "$name" "${URL[signalr]}/hub" --protocol signalr --receivers 1000 --size 32
          fi ;;
      esac
    done
  done

  # Fan-out at 16 requests in flight (issue 27), against Kestrel and SignalR: to everyone (bcastw16), and to a group
  # of the same 1,000 receivers and the sender, all of which join it first (groupw16): WsGateway's group-join and
  # group-send scripts (JoinGroupAsync, SendToGroupAsync), Kestrel's "/join NAME" and "/group NAME TEXT", SignalR's
  # JoinGroup and BroadcastGroup (Groups.AddToGroupAsync, Clients.Group). Then a group of 10,000 receivers and the
  # sender on the gateway alone (group10k), at one message in flight so that its latency is one pass over the group.
  # Sending to a group runs code that the cases above did not (joins, the group's walk; SignalR's Clients.Group), and
  # with --only the cases above may not have run at all, so each server first gets FANOUT_SETTLE (8) s of unmeasured
  # groupw16 (on a group of its own), as cluster.sh warms its gateways. A later option wins, so the settle's --warmup
  # and --duration replace bench's.
  if selected bcastw16 || selected groupw16 || selected group10k; then
    settle=(--receivers 1000 --size 32 --window 16 --group settle --warmup 0 --duration "$FANOUT_SETTLE")
    for server in "${order[@]}"; do
      case $server in
        wsgateway) bench broadcast wsgateway settle-groupw16 "${URL[wsgateway]}/" --join-prefix "group-join " \
          --prefix "group-send settle " "${settle[@]}" ;;
        kestrel) bench broadcast kestrel settle-groupw16 "${URL[kestrel]}/echo" "${settle[@]}" ;;
        signalr) bench broadcast signalr settle-groupw16 "${URL[signalr]}/hub" --protocol signalr "${settle[@]}" ;;
      esac
    done
    sed -i '/"case":"settle-/d' "$RESULTS"
  fi
  for name in bcastw16 groupw16; do
    selected "$name" || continue
    group=()
    [ "$name" = groupw16 ] && group=(--group bench)
    for server in "${order[@]}"; do
      case $server in
        wsgateway)
          if [ "$name" = groupw16 ]; then
            bench broadcast wsgateway "$name" "${URL[wsgateway]}/" "${group[@]}" --join-prefix "group-join " \
              --prefix "group-send bench " --receivers 1000 --size 32 --window 16
          else
            bench broadcast wsgateway "$name" "${URL[wsgateway]}/" --prefix "broadcast " --receivers 1000 --size 32 --window 16
          fi ;;
        kestrel) bench broadcast kestrel "$name" "${URL[kestrel]}/echo" "${group[@]}" --receivers 1000 --size 32 --window 16 ;;
        signalr) bench broadcast signalr "$name" "${URL[signalr]}/hub" --protocol signalr "${group[@]}" --receivers 1000 --size 32 \
          --window 16 ;;
      esac
    done
  done
  if selected group10k; then
    bench broadcast wsgateway group10k "${URL[wsgateway]}/" --group big --join-prefix "group-join " \
      --prefix "group-send big " --receivers 10000 --size 32
  fi

  stop_all
done

echo "- load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.md"
{
  cat "$OUT/machine.md"
  echo
  dotnet "$BENCH" report "$RESULTS"
} >"$OUT/results.md"
echo
cat "$OUT/results.md"
echo "Results: $OUT/results.md (raw: results.jsonl, server logs: logs/)"
