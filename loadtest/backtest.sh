#!/usr/bin/env bash
# Backtest throughput (issue 17): `nudge backtest` over a history of the realistic stream.
#   bash loadtest/backtest.sh        from the repository root (or anywhere)
# Starts a PRIVATE Kafka (Tansu, scripts/stack.sh, port BT_KAFKA_PORT [19492], data in
# loadtest/.data-backtest), produces BT_EVENTS [1000000] events of the realistic mix (nudge-load,
# Zipf over BT_CUSTOMERS [200000] ids) to a topic of BT_PARTITIONS [8] partitions, measures the
# consume-only ceiling of a plain librdkafka consumer on it, then runs a release `nudge backtest`
# with every rules/ sample over the whole window (and again with --customers BT_SAMPLE [10000]),
# and writes loadtest/results/backtest-<UTC timestamp>.md (+ the reports' JSON). The report's own
# timings split the run: read (Kafka fetch + decode, partitions in parallel), decode (CPU seconds
# summed over partitions), replay (the pure core, 8 shards in parallel).
# NUDGE_BINARY / NUDGE_LOAD_BINARY use existing binaries instead of building them.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lt="$root/loadtest"
export NUDGE_DATA_DIR="${BT_DATA_DIR:-$lt/.data-backtest}"
export NUDGE_KAFKA_PORT="${BT_KAFKA_PORT:-19492}"
brokers="127.0.0.1:$NUDGE_KAFKA_PORT"
events_n="${BT_EVENTS:-1000000}"
customers_n="${BT_CUSTOMERS:-200000}"
partitions="${BT_PARTITIONS:-8}"
sample="${BT_SAMPLE:-10000}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
work="$NUDGE_DATA_DIR/run-$stamp"
results="$lt/results"
nudge_bin="${NUDGE_BINARY:-$root/.build-release/release/nudge}"
load="${NUDGE_LOAD_BINARY:-$lt/.build/release/nudge-load}"
tansu="$root/.tools/bin/tansu"
topic="backtest-$stamp.events"

log() { printf '[backtest %4ds] %s\n' "$SECONDS" "$*" >&2; }
die() { printf '[backtest] error: %s\n' "$*" >&2; exit 1; }
mkdir -p "$work" "$results"
loadavg_start="$(cat /proc/loadavg)"

if [ -z "${NUDGE_BINARY:-}" ]; then
    log "building nudge (release, .build-release)"
    (cd "$root" && swift build -c release --product nudge --scratch-path "$root/.build-release" >"$work/build.log" 2>&1) ||
        { tail -5 "$work/build.log" >&2; die "release build failed"; }
fi
if [ -z "${NUDGE_LOAD_BINARY:-}" ]; then
    log "building the harness (loadtest/.build)"
    (cd "$lt" && swift build -c release 2>&1 | tail -2) >&2
fi
[ -x "$nudge_bin" ] || die "no nudge binary at $nudge_bin"
[ -x "$load" ] || die "no nudge-load binary at $load"

log "starting the private kafka on $brokers"
bash "$root/scripts/stack.sh" start kafka >&2
trap 'bash "$root/scripts/stack.sh" stop kafka >&2' EXIT
"$tansu" topic create "$topic" --partitions "$partitions" --broker "tcp://$brokers" >/dev/null

from="$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%SZ)"
log "producing $events_n events to $topic"
"$load" produce --brokers "$brokers" --topic "$topic" --count "$events_n" --customers "$customers_n" \
    --mix realistic --max-seconds 900 >"$work/produce.json"
to="$(date -u -d '+1 minute' +%Y-%m-%dT%H:%M:%SZ)"
log "consume-only ceiling"
"$load" consume --brokers "$brokers" --topic "$topic" --count "$events_n" --max-seconds 300 >"$work/consume.json"

run_backtest() {
    local label=$1; shift
    local started=$SECONDS
    NUDGE_KAFKA_BROKERS="$brokers" NUDGE_RULES_DIRECTORY="$root/rules" "$nudge_bin" backtest "$root/rules" \
        --from "$from" --to "$to" --topic "$topic" --format json -o "$work/$label.json" "$@" 2>"$work/$label.log"
    log "$label: $(cat "$work/$label.log") ($((SECONDS - started)) s wall)"
}
loadavg_backtest="$(cat /proc/loadavg)"
run_backtest full
run_backtest sample --customers "$sample"
cp "$work/full.json" "$results/backtest-$stamp.json"

python3 - "$work" "$results/backtest-$stamp.md" "$loadavg_start" "$loadavg_backtest" "$events_n" "$partitions" "$sample" <<'PY'
import json, subprocess, sys
work, out, load_start, load_bt, events, partitions, sample = sys.argv[1:]
full = json.load(open(f"{work}/full.json"))
part = json.load(open(f"{work}/sample.json"))
consume = json.load(open(f"{work}/consume.json"))
def sh(cmd):
    try: return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception: return "?"
def row(name, r):
    read, replay = r["read"], r["replay"]
    return (f"| {name} | {read['records']} | {read['seconds']:.2f} | {read.get('decode_seconds', 0):.2f} | "
            f"{replay['events']} | {replay['seconds']:.2f} | {replay['events_per_second']:.0f} | "
            f"{r['seconds']:.2f} | {r['events_per_second']:.0f} |")
cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
commit = sh("git -C " + work + " rev-parse --short HEAD")
lines = [
    f"# Backtest throughput, {out.split('backtest-')[-1][:-3]}", "",
    f"Machine: {sh('nproc')} cores, {sh('uname -r')}, {cpu}; git {commit}.",
    f"Load average at start: {load_start}; when the backtests started: {load_bt}.", "",
    f"History: {events} events of the realistic mix (nudge-load), {partitions} partitions on Tansu; "
    f"every rules/ sample with rules/policy.yaml.", "",
    f"Consume-only ceiling (plain librdkafka consumer, same topic): {consume['rate']:.0f} records/s.", "",
    "| run | records read | read s (fetch + decode) | decode CPU s | events replayed | replay s | replay events/s | total s | records/s overall |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    row("all customers", full), row(f"--customers {sample}", part), "",
    f"Inert (no scenario listens): {full['read']['inert']}; customers in the history: {full['customers']['in_history']}; "
    f"sent: {full['totals']['sent_total']}, suppressed: {full['totals']['suppressed_total']}, "
    f"deferred: {full['totals']['deferred_total']}, entered: {full['totals']['entered']}.",
]
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
log "report: $results/backtest-$stamp.md"
