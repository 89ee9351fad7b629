#!/usr/bin/env bash
# Coverage-guided fuzzing of the protocol parsers with afl++ and SharpFuzz.
#
#   tests/WsGateway.Fuzz/run.sh [--seconds N] [--save-corpus] [TARGET...]
#
# Fuzzes each target (default: handshake frame message command) for N seconds (default 600), one after the other,
# from corpus/TARGET with the tokens of dict/TARGET.dict. Prints one line per target, "fuzz TARGET: passed|FAILED
# (...)", with afl's executions, exec/s, corpus size and coverage. Copies every crash and hang afl saved into
# crashers/TARGET/, where the replay test in WsGateway.Tests fails on it until it is fixed. --save-corpus also copies
# the inputs that found new coverage into corpus/TARGET/ (as q-HASH): the next run starts from them, the replay test
# covers them. Exits non-zero when anything crashed or hung, or could not run. As root on Debian it installs afl++
# when it is missing. The build it fuzzes is published to a temporary folder, never into the repository.
set -uo pipefail
cd "$(dirname "$0")"

seconds=600
save_corpus=false
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
    --save-corpus) save_corpus=true; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -gt 0 ] || targets=(handshake frame message command)

if ! command -v afl-fuzz >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing afl++ for the fuzzing run..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
  fi
  if ! command -v afl-fuzz >/dev/null; then
    for target in "${targets[@]}"; do
      echo "fuzz $target: FAILED (afl-fuzz is not installed: run this as root on Debian, or apt-get install afl++)"
    done
    exit 1
  fi
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail_all() {
  for target in "${targets[@]}"; do echo "fuzz $target: FAILED ($1)"; done
  exit 1
}

# Publish to a folder of its own and instrument the parsers' assemblies there; the build in bin/ stays plain, which
# is what the replay test needs.
dotnet tool restore >/dev/null || fail_all "dotnet tool restore failed"
dotnet publish WsGateway.Fuzz.csproj -c Release -o "$work/out" -v quiet -nologo >"$work/publish.log" 2>&1 \
  || { cat "$work/publish.log"; fail_all "dotnet publish failed"; }
for dll in WsGateway.Protocol.dll WsGateway.dll; do
  dotnet tool run sharpfuzz "$work/out/$dll" >"$work/instrument.log" 2>&1 \
    || { cat "$work/instrument.log"; fail_all "sharpfuzz could not instrument $dll"; }
done

stat_of() { sed -n "s/^$1 *: *//p" "$2" | head -n1; }

status=0
for target in "${targets[@]}"; do
  if [ ! -d "corpus/$target" ]; then
    echo "fuzz $target: FAILED (no corpus/$target: targets are handshake, frame, message, command)"
    status=1
    continue
  fi

  findings="$work/findings-$target"
  dictionary=()
  [ -f "dict/$target.dict" ] && dictionary=(-x "dict/$target.dict")
  # The harness is a .NET program, not an afl-compiled binary (SKIP_BIN_CHECK); no core-dump or CPU-governor
  # tuning is assumed of the machine, and no core is pinned, so a run next to another afl-fuzz still starts.
  AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
    afl-fuzz -V "$seconds" -i "corpus/$target" -o "$findings" "${dictionary[@]}" -t 5000 -m none -- "$work/out/WsGateway.Fuzz" "$target" \
    >"$work/afl-$target.log" 2>&1
  afl_status=$?
  stats="$findings/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    tail -n 30 "$work/afl-$target.log"
    echo "fuzz $target: FAILED (afl-fuzz exited with $afl_status before fuzzing; its log is above)"
    status=1
    continue
  fi

  # afl-fuzz exits 0 even when it found crashes: count what it saved.
  crashes=0
  for kind in crashes hangs; do
    for input in "$findings/default/$kind"/id:*; do
      [ -f "$input" ] || continue
      mkdir -p "crashers/$target"
      name="${kind%es}"; name="${name%s}-$(sha1sum "$input" | cut -c1-16)"
      cp "$input" "crashers/$target/$name"
      echo "  saved crashers/$target/$name"
      crashes=$((crashes + 1))
    done
  done

  if $save_corpus; then
    saved=0
    for input in "$findings/default/queue"/id:*; do
      # The seeds come back as ",orig:" entries; they are in the corpus already.
      [[ -f "$input" && "$input" != *,orig:* ]] || continue
      name="q-$(sha1sum "$input" | cut -c1-16)"
      [ -e "corpus/$target/$name" ] || { cp "$input" "corpus/$target/$name"; saved=$((saved + 1)); }
    done
    echo "  saved $saved new inputs into corpus/$target/"
  fi

  execs=$(stat_of execs_done "$stats")
  run_time=$(stat_of run_time "$stats")
  rate=$(( execs / (run_time > 0 ? run_time : 1) ))
  summary="$execs execs in ${run_time}s ($rate/s), corpus $(stat_of corpus_count "$stats"), map coverage $(stat_of bitmap_cvg "$stats"), edges $(stat_of edges_found "$stats"), crashes $(stat_of saved_crashes "$stats"), hangs $(stat_of saved_hangs "$stats")"
  if [ "$afl_status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    [ "$afl_status" -eq 0 ] || tail -n 30 "$work/afl-$target.log"
    echo "fuzz $target: FAILED ($summary; afl-fuzz exit $afl_status)"
    status=1
  else
    echo "fuzz $target: passed ($summary)"
  fi
done

exit $status
