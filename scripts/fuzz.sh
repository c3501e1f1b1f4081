#!/bin/bash
# Coverage-guided fuzzing of every parser that reads outside input, with libFuzzer (Tests/Fuzz):
#   fuzz-wire    line framing, JSON parser, request decoder, and the JSON writer on what decodes
#   fuzz-policy  the policy reader on arbitrary YAML text
#   fuzz-export  the export reader and the chain verifier
#
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
#   Builds once (scratch path .build-fuzz), then runs each target (default: all three) for
#   SECONDS (default 60), one after another. Prints executions and coverage per target; exits
#   non-zero if any target crashed, with the input that did it under .build-fuzz/artifacts/.
#   Seeds come from Tests/Fuzz/Corpus/<target>/ and the inputs of past crashes from
#   Tests/Fuzz/Regressions/<target>/ (both in the repository); what the fuzzer finds besides goes
#   to .build-fuzz/corpus/<target>/ and is reused by the next run.
#   CALLWARDEN_FUZZ_CONFIGURATION=debug builds unoptimised, in .build-fuzz-debug: several times
#   quicker to build from nothing and slower to run, for a short check in CI; release (the
#   default) is for long runs.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz-wire fuzz-policy fuzz-export)

configuration=${CALLWARDEN_FUZZ_CONFIGURATION:-release}
case $configuration in
    release) scratch=.build-fuzz ;;
    debug) scratch=.build-fuzz-debug ;;
    *) echo "CALLWARDEN_FUZZ_CONFIGURATION must be release or debug" >&2; exit 2 ;;
esac
# lld: gold fails with an internal error on the address-sanitized objects.
build=(swift build -c "$configuration" --package-path Tests/Fuzz --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld)
"${build[@]}" >&2
bin=$("${build[@]}" --show-bin-path)

# Longest input per target: a line is at most 64 KiB but the interesting ones are short; a
# policy file or an export is a few KiB.
declare -A max_len=([fuzz-wire]=4096 [fuzz-policy]=16384 [fuzz-export]=32768)

# A failed property ends the run with fatalError; Swift's backtracer would then read the stack in
# a way the address sanitizer reports as a second error, burying the first.
export SWIFT_BACKTRACE=enable=no

status=0
summary=()
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"
    artifacts="$scratch/artifacts/$target/"
    log="$scratch/logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    echo "== $target for ${seconds}s" >&2
    set +e
    seeds=("Tests/Fuzz/Corpus/$target")
    # Inputs that once crashed a target are replayed first, with the seeds.
    [ -d "Tests/Fuzz/Regressions/$target" ] && seeds+=("Tests/Fuzz/Regressions/$target")
    "$bin/$target" "$corpus" "${seeds[@]}" \
        -max_total_time="$seconds" -max_len="${max_len[$target]:-4096}" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts" >"$log" 2>&1
    code=$?
    set -e
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
    final=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' <<<"$final" | grep -oE '[0-9]+' || true)
    ft=$(grep -oE 'ft: [0-9]+' <<<"$final" | grep -oE '[0-9]+' || true)
    if [ "$code" -ne 0 ]; then
        status=1
        result="CRASH (exit $code): $(ls -t "$artifacts" | head -1); log: $log"
        tail -40 "$log" >&2
    else
        result="ok"
    fi
    summary+=("$target: ${runs:-?} executions, cov ${cov:-?}, ft ${ft:-?}: $result")
done
printf '%s\n' "${summary[@]}"
exit $status
