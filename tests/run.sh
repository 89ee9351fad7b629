#!/usr/bin/env bash
# Runs every test of the solution and ends with the totals alone on a line: "N passed, M failed".
# As root on Debian it first installs the real clients the tests drive when they are missing, in one apt-get call:
# chromium (browser tests), python3-websockets for /usr/bin/python3 (interop tests), and nodejs + npm (interop tests,
# which npm-install the ws package themselves) only when there is no node at all, afl++ (the fuzzing smoke) and
# redis-server (the cluster tests start their own Redis on a free port; without it they fail, they never skip), and
# nginx and haproxy (the proxy tests start each in the foreground on a free port in front of two gateways), and
# systemd for systemd-analyze (a test verifies deploy/wsgateway.service with it; nothing is started under systemd).
# After dotnet test it runs the fuzzing smoke: 15 s of afl++ on each of the four parsers, one test each in the totals.
set -uo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
{ [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import websockets' 2>/dev/null; } || missing+=(python3-websockets)
command -v node >/dev/null || missing+=(nodejs npm)
command -v afl-fuzz >/dev/null || missing+=(afl++)
command -v redis-server >/dev/null || missing+=(redis-server)
[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing+=(nginx)
[ -x /usr/sbin/haproxy ] || command -v haproxy >/dev/null || missing+=(haproxy)
command -v systemd-analyze >/dev/null || missing+=(systemd)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} for the browser, interop, cluster, proxy, service and fuzzing tests..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# A hung test fails the run (with a dump of where it hung) instead of eating CI's time.
dotnet test WsGateway.sln -p:TestResultsDir="$results" --blame-hang-timeout 5m "$@"
status=$?

passed=0
failed=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
done

# A project that did not build (or a test host that crashed) reports no failed test: count it as a failure so the
# totals never read as green while dotnet test failed.
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "dotnet test exited with $status without a failed test (a build error or a crashed test host; see above)"
  failed=1
fi

# The fuzzing smoke runs after dotnet test, never beside it: afl-fuzz keeps a core busy, which would starve the
# timing-sensitive integration tests on a 2-core machine. Each target counts as one test: failed on a crash or a hang
# (the crasher is then saved under tests/WsGateway.Fuzz/crashers/), or when afl++ cannot run at all.
bash tests/WsGateway.Fuzz/run.sh --seconds 15 | tee "$results/fuzz.log"
fuzz_status=${PIPESTATUS[0]}
fuzz_passed=$(grep -c '^fuzz .*: passed' "$results/fuzz.log")
fuzz_failed=$(grep -c '^fuzz .*: FAILED' "$results/fuzz.log")
if [ "$fuzz_status" -ne 0 ] && [ "$fuzz_failed" -eq 0 ]; then
  echo "the fuzzing smoke exited with $fuzz_status without a failed target (see above)"
  fuzz_failed=1
fi
passed=$((passed + fuzz_passed))
failed=$((failed + fuzz_failed))
[ "$status" -ne 0 ] || status=$fuzz_status

echo "$passed passed, $failed failed"
exit $status
