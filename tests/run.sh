#!/usr/bin/env bash
# Runs every test of the solution and ends with the totals alone on a line: "N passed, M failed".
# As root on Debian it first installs what the browser tests need (chromium) when it is missing.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing chromium for the browser tests..."
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
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

echo "$passed passed, $failed failed"
exit $status
