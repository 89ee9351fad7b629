#!/usr/bin/env bash
# Runs every test of the solution and ends with the totals alone on a line: "N passed, M failed".
# As root on Debian it first installs the real clients the tests drive when they are missing, in one apt-get call:
# chromium (browser tests), python3-websockets for /usr/bin/python3 (interop tests), and nodejs + npm (interop tests,
# which npm-install the ws package themselves) only when there is no node at all.
set -uo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
{ [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import websockets' 2>/dev/null; } || missing+=(python3-websockets)
command -v node >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} for the browser and interop tests..."
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

echo "$passed passed, $failed failed"
exit $status
