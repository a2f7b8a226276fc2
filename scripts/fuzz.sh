#!/usr/bin/env bash
# Builds the libFuzzer targets in Fuzz/ (every module with -sanitize=fuzzer,address) and runs
# each for a bounded time on a copy of its seed corpus (Fuzz/Corpus/<target>/). Crashes, leaks,
# timeouts and out-of-memory inputs are kept in Fuzz/.crashes/<target>/ (git-ignored); the run
# fails when any target found one. Prints executions and executions per second per target.
#   usage: scripts/fuzz.sh [seconds-per-target] [target...]     (default 60 s, every target)
#   env:   FUZZ_JOBS_NICE (default 10), FUZZ_MAX_LEN (default 8192 bytes)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/Fuzz"
command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"

seconds="${1:-60}"
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz-event-json fuzz-scenario-yaml fuzz-expression fuzz-template fuzz-callback
    fuzz-tracking-token fuzz-bounce-report)
nice_level="${FUZZ_JOBS_NICE:-10}"

swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 \
    | grep -v -e "warning: Cannot export local symbol" -e "prohibited flag" || true
bin="$(swift build -c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --show-bin-path)"

failed=0
printf '%-22s %10s %12s %8s %s\n' target seconds executions exec/s result
for target in "${targets[@]}"; do
    [ -x "$bin/$target" ] || { echo "no fuzz target $target" >&2; exit 2; }
    work="$root/Fuzz/.work/$target"
    crashes="$root/Fuzz/.crashes/$target"
    rm -rf "$work" && mkdir -p "$work" "$crashes"
    cp "$root/Fuzz/Corpus/$target/"* "$work/" 2>/dev/null || true
    log="$root/Fuzz/.work/$target.log"
    status=0
    # ASAN_OPTIONS: Swift's runtime keeps some allocations for the process's life; leaks are not bugs here.
    # SWIFT_BACKTRACE: the runtime's backtracer reads its own stack in a way ASan reports; libFuzzer prints the trace.
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" nice -n "$nice_level" "$bin/$target" "$work" \
        -max_total_time="$seconds" -max_len="${FUZZ_MAX_LEN:-8192}" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$crashes/" -print_final_stats=1 >"$log" 2>&1 || status=$?
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    result=ok
    if [ $status -ne 0 ] || ls "$crashes"/* >/dev/null 2>&1; then
        result="FOUND (see $log, inputs in $crashes)"
        failed=1
    fi
    printf '%-22s %10s %12s %8s %s\n' "$target" "$seconds" "${runs:-?}" "$(( ${runs:-0} / (seconds > 0 ? seconds : 1) ))" "$result"
done
exit $failed
