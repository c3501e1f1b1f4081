#!/bin/bash
# Runs the whole test suite under a sanitizer: the tests, and the callwardend they start (built
# beside them), are compiled with -sanitize=address or -sanitize=thread.
#
# Usage: scripts/sanitize.sh address|thread [swift test arguments...]
#   Each sanitizer has a scratch path of its own (.build-address, .build-thread): the first run
#   builds everything (several minutes on two cores); later runs are incremental.
# Exits non-zero if the build fails, a test fails, or the sanitizer reports anything (a report
# from the daemon ends it with a non-zero status, which the end-to-end tests notice).
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizer=${1:?usage: scripts/sanitize.sh address|thread [swift test arguments...]}
shift
case $sanitizer in
    address | thread) ;;
    *) echo "unknown sanitizer '$sanitizer': address or thread" >&2; exit 2 ;;
esac
scratch=.build-$sanitizer

# Every report, from the test process and from each daemon the tests start (whose standard error
# goes to a log the tests delete), is written to a file of its own under $reports, and any file
# there fails the run. halt_on_error: the first report ends the process that made it.
reports=$(mktemp -d)
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1:abort_on_error=0}:log_path=$reports/report
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}:log_path=$reports/report

swift build --build-tests --scratch-path "$scratch" -Xswiftc -sanitize="$sanitizer"
log=$(mktemp)
set +e
swift test --skip-build --scratch-path "$scratch" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if compgen -G "$reports/report*" >/dev/null; then
    echo "the $sanitizer sanitizer reported problems:" >&2
    cat "$reports"/report* >&2
    status=1
else
    echo "the $sanitizer sanitizer reported nothing (test process and every daemon started)"
fi
rm -rf "$log" "$reports"
exit "$status"
