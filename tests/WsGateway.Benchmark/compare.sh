#!/usr/bin/env bash
# WsGateway at another revision against the working tree, in one run: both gateways run side by side on core 0 (each
# pinned after it started), the load generator on core 1. Both are warmed up under load first (tiered compilation
# keeps recompiling hot methods for 10-30 s), then each round runs every case against both, in an order that
# alternates per round. The report gives each case's median of the per-round ratios (head ÷ base).
#
#   bash tests/WsGateway.Benchmark/compare.sh --base HEAD~1             # 5 rounds
#   options: --base REV (default HEAD)  --rounds N  --warmup SECONDS (per round; default 1.5)
#            --duration SECONDS (default 3.5)  --settle SECONDS (the first warm-up, default 20)  --out DIR
#            --only CASE (repeatable: text32, text32w16, bin64k, command, commandw16, bcast, bcastw16, groupw16, group10k)
set -euo pipefail
cd "$(dirname "$0")/../.."

BASE=HEAD
ROUNDS=5
WARMUP=1.5
DURATION=3.5
SETTLE=20
OUT=""
ONLY=()
while [ $# -gt 0 ]; do
  case "$1" in
    --base) BASE=$2; shift ;;
    --rounds) ROUNDS=$2; shift ;;
    --warmup) WARMUP=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --settle) SETTLE=$2; shift ;;
    --out) OUT=$2; shift ;;
    --only) ONLY+=("$2"); shift ;;
    *) echo "usage: $0 [--base REV] [--rounds N] [--warmup S] [--duration S] [--settle S] [--out DIR] [--only CASE]" >&2; exit 2 ;;
  esac
  shift
done

if [ "$(nproc --all)" -lt 2 ]; then
  echo "compare.sh needs two cores (servers on core 0, load generator on core 1)" >&2
  exit 2
fi

OUT=${OUT:-artifacts/benchmark/compare-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT/logs"
OUT=$(cd "$OUT" && pwd)
RESULTS="$OUT/results.jsonl"
: >"$RESULTS"
BASE_SHA=$(git rev-parse --short "$BASE")
BASE_TREE="$OUT/base-$BASE_SHA"

BENCH=tests/WsGateway.Benchmark/bin/Release/net10.0/WsGateway.Benchmark.dll
HEAD_HOST=src/WsGateway.Host/bin/Release/net10.0/WsGateway.Host.dll
BASE_HOST="$BASE_TREE/src/WsGateway.Host/bin/Release/net10.0/WsGateway.Host.dll"
CONFIG=tests/WsGateway.Benchmark/gateway.benchmark.json

echo "== build (Release): the working tree, and $BASE ($BASE_SHA) in $BASE_TREE"
git worktree add --detach -f "$BASE_TREE" "$BASE" >"$OUT/logs/worktree.log" 2>&1
cleanup_tree() { git worktree remove --force "$BASE_TREE" >/dev/null 2>&1 || true; }
for project in src/WsGateway.Host tests/WsGateway.Benchmark; do
  dotnet build "$project" -c Release -nologo -v quiet >"$OUT/logs/build.log" 2>&1 || { cat "$OUT/logs/build.log"; exit 1; }
done
dotnet build "$BASE_TREE/src/WsGateway.Host" -c Release -nologo -v quiet >"$OUT/logs/build-base.log" 2>&1 ||
  { cat "$OUT/logs/build-base.log"; exit 1; }

{
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- cpu: $(nproc --all) × $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "- base: $BASE ($BASE_SHA); head: the working tree at $(git rev-parse --short HEAD)$(git diff --quiet || echo ' with changes')"
  echo "- rounds $ROUNDS, settle $SETTLE s, warm-up $WARMUP s, measured $DURATION s per run"
  echo "- load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/machine.md"
cat "$OUT/machine.md"

# shellcheck source=tests/WsGateway.Benchmark/processes.sh
source tests/WsGateway.Benchmark/processes.sh
trap 'stop_all; cleanup_tree' EXIT

# run MODE SERVER CASE PATH WARMUP DURATION ARGS...
run() {
  local mode=$1 server=$2 case=$3 path=$4 warmup=$5 duration=$6
  shift 6
  pin "${PID[$server]}"
  timeout --kill-after=5 300 taskset -c 1 dotnet "$BENCH" "$mode" --url "${URL[$server]}$path" --server "$server" \
    --case "$case" --round "$round" --server-pid "${PID[$server]}" --warmup "$warmup" --duration "$duration" "$@" \
    >>"$RESULTS" || true
}

CASES=("load|text32|/echo|--connections 64 --size 32 --kind text"
       "load|text32w16|/echo|--connections 64 --size 32 --kind text --window 16"
       "load|bin64k|/echo|--connections 1 --size 65536 --kind binary"
       "load|command|/|--connections 64 --text echo_hello --expect hello"
       "load|commandw16|/|--connections 64 --window 16 --text echo_hello --expect hello"
       "broadcast|bcast|/|--prefix broadcast_ --echo-prefix echo_ --receivers 1000 --size 32"
       "broadcast|bcastw16|/|--prefix broadcast_ --receivers 1000 --size 32 --window 16"
       "broadcast|groupw16|/|--group @ --join-prefix group-join_ --prefix group-send_@_ --receivers 1000 --size 32 --window 16"
       "broadcast|group10k|/|--group @ --join-prefix group-join_ --prefix group-send_@_ --receivers 10000 --size 32")
if [ ${#ONLY[@]} -gt 0 ]; then
  selected=()
  for spec in "${CASES[@]}"; do
    IFS='|' read -r _ name _ _ <<<"$spec"
    for only in "${ONLY[@]}"; do [ "$name" = "$only" ] && selected+=("$spec"); done
  done
  [ ${#selected[@]} -gt 0 ] || { echo "no case named ${ONLY[*]}" >&2; exit 2; }
  CASES=("${selected[@]}")
fi

# One case's arguments, with '_' standing for the space inside a command text and '@' for a group name of the run's
# own (so that no member of an earlier run that the gateway has not let go of yet gets its sends).
RUNS=0
case_args() {
  local spec=$1
  RUNS=$((RUNS + 1))
  read -r -a args <<<"${spec##*|}"
  for i in "${!args[@]}"; do args[$i]=${args[$i]//_/ }; args[$i]=${args[$i]//@/g$RUNS}; done
}

# Each with its own tree's benchmark configuration and scripts (its own plugins too), plus the working tree's group-join
# and group-send scripts for the group cases: they are the benchmark's client side, written against the contracts only.
mkdir -p "$OUT/scripts-base" "$OUT/scripts-head"
cp "$BASE_TREE"/scripts/*.csx tests/WsGateway.Benchmark/scripts/*.csx "$OUT/scripts-base/"
cp scripts/*.csx tests/WsGateway.Benchmark/scripts/*.csx "$OUT/scripts-head/"
start_server base "$OUT/logs/base.log" dotnet "$BASE_HOST" --port 0 --config "$BASE_TREE/$CONFIG" "Scripts:Directory=$OUT/scripts-base"
start_server head "$OUT/logs/head.log" dotnet "$HEAD_HOST" --port 0 --config "$CONFIG" "Scripts:Directory=$OUT/scripts-head"
echo "== settle: $SETTLE s of every case on each gateway (not reported)"
round=0
for server in base head; do
  for spec in "${CASES[@]}"; do
    IFS='|' read -r mode name path _ <<<"$spec"
    case_args "$spec"
    run "$mode" "$server" "settle-$name" "$path" 0.5 "$(awk "BEGIN{print $SETTLE/${#CASES[@]}}")" "${args[@]}" >/dev/null
  done
done
sed -i '/"case":"settle-/d' "$RESULTS"

for round in $(seq 1 "$ROUNDS"); do
  order=(base head)
  [ $((round % 2)) -eq 0 ] && order=(head base)
  echo "== round $round of $ROUNDS: ${order[*]} (load average $(cut -d' ' -f1 /proc/loadavg))"
  for spec in "${CASES[@]}"; do
    IFS='|' read -r mode name path _ <<<"$spec"
    case_args "$spec"
    for server in "${order[@]}"; do
      run "$mode" "$server" "$name" "$path" "$WARMUP" "$DURATION" "${args[@]}"
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
known = ["text32", "text32w16", "bin64k", "command", "commandw16", "bcast", "bcastw16", "groupw16", "group10k"]
cases = sorted({c for c, _ in by}, key=lambda c: known.index(c) if c in known else 99)
print("| case | base msg/s (median) | head msg/s (median) | head ÷ base (median of rounds) | per-round ratios | errors |")
print("|---|---|---|---|---|---|")
for case in cases:
    rounds = [v for (c, _), v in sorted(by.items()) if c == case and "base" in v and "head" in v]
    rate = lambda r: get(r, "messages_per_second") or 0
    ratios = [rate(v["head"]) / rate(v["base"]) for v in rounds if rate(v["base"])]
    errors = sum((get(v[s], "errors") or 0) for v in rounds for s in ("base", "head"))
    print(f"| {case} | {statistics.median(rate(v['base']) for v in rounds):,.0f} | {statistics.median(rate(v['head']) for v in rounds):,.0f} "
          f"| **{statistics.median(ratios):.3f}** | {', '.join(f'{x:.2f}' for x in ratios)} | {errors} |")
PY
echo "Results: $OUT/results.md (raw: results.jsonl, logs: logs/)"
