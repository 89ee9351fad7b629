#!/usr/bin/env bash
# The soak: the real host (Release) under mixed traffic for a while (commands plain and in JSON envelopes, /echo,
# broadcasts, connections opened and closed or dropped, a plugin swapped and a script edited every few seconds),
# its memory, threads, descriptors and connections read every second, then read again once the clients have left.
# The gateway runs in a folder of its own under the output folder (never the repository's scripts/ or plugins).
#
#   bash tests/WsGateway.Benchmark/soak.sh                 # 10 minutes
#   bash tests/WsGateway.Benchmark/soak.sh --seconds 30    # what the integration test runs (against the Debug build)
#   other options go to the soak mode as they are: see "soak" in tests/WsGateway.Benchmark/README.md
#   --out DIR (default artifacts/benchmark/soak-<time>)
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=""
ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT=$2; shift ;;
    --*) ARGS+=("$1" "$2"); shift ;;
    *) echo "usage: $0 [--seconds N] [--out DIR] [soak options]" >&2; exit 2 ;;
  esac
  shift
done
OUT=${OUT:-artifacts/benchmark/soak-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

echo "== build (Release)"
for project in src/WsGateway.Host tests/WsGateway.Benchmark; do
  dotnet build "$project" -c Release -nologo -v quiet >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 1; }
done

# The soak mode starts and stops the gateway itself (by the process id it started) and bounds every wait.
status=0
dotnet tests/WsGateway.Benchmark/bin/Release/net10.0/WsGateway.Benchmark.dll soak \
  --host src/WsGateway.Host/bin/Release/net10.0/WsGateway.Host.dll --out "$OUT" ${ARGS[@]+"${ARGS[@]}"} >/dev/null || status=$?
cat "$OUT/report.md"
echo "Report: $OUT/report.md (samples.jsonl: one reading a second; result.json; gateway/gateway.log)"
exit $status
