#!/usr/bin/env bash
# Nudge soak (issue 16): `nudge run` (engine, dispatcher, API) under a constant open-loop event rate
# for LT_SOAK_MINUTES, with its RSS and Redis memory sampled every minute. One command:
#   bash loadtest/soak.sh            from the repository root (or anywhere)
# Installs what is missing, starts a PRIVATE stack with scripts/stack.sh (Tansu, Redis, PostgreSQL and
# the mail sink on their own ports, data in loadtest/.data), builds `nudge` in release
# (--scratch-path .build-release) and the harness (loadtest/.build), and writes
# loadtest/results/soak-<timestamp>.json, .md and .png (the plot needs matplotlib: it is installed
# from PyPI into loadtest/.venv-plot; without it the plot is skipped and the report says so).
# Knobs (environment, defaults in brackets): LT_SOAK_MINUTES [30], LT_SOAK_RATE [5000] events/s,
# LT_SOAK_CUSTOMERS [200000] (the population the events are drawn from, re-used all along),
# LT_SOAK_ZIPF [0.7] (skew of the draw), LT_SOAK_MAX_WAIT [2m] (every wait, window, timeout and
# absence in the soak's copy of rules/ is capped at this, so instances send, wait, time out and end
# within the run instead of after days), LT_SOAK_INTERVAL [60] seconds between samples,
# LT_KAFKA_PORT [19192], LT_REDIS_PORT [16479], LT_POSTGRES_PORT [15532], LT_MAIL_PORT [12625],
# LT_HTTP_PORT [18090], LT_DATA_DIR [loadtest/.data], NUDGE_BINARY (use this `nudge`, no build),
# LT_KEEP_STACK [0], LT_ENGINE_FETCH_WAIT [50ms] (the engine's fetch.wait.max.ms for this run, see below).
# Why 50 ms and not the shipped 5 ms: Tansu 0.6 (the in-memory dev broker) lists every stored batch
# of a partition on each fetch and shares one 5 MB budget across the partitions of a request in
# order, so on a saturated 2-core machine its answers to 5 ms fetches came back empty for offsets
# that existed and the engine group stopped at ~500k events (soak-20261207T114428Z.md); with 50 ms
# the same soak committed all 1.2M (soak-20261207T115410Z.md). The soak measures memory, not latency.
# Bounded: the producer stops after LT_SOAK_MINUTES (count = rate x seconds, and a hard time limit),
# the drain after it waits at most 120 s. Everything listens on 127.0.0.1 only.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lt="$root/loadtest"
export NUDGE_DATA_DIR="${LT_DATA_DIR:-$lt/.data}"
export NUDGE_KAFKA_PORT="${LT_KAFKA_PORT:-19192}"
export NUDGE_REDIS_PORT="${LT_REDIS_PORT:-16479}"
export NUDGE_POSTGRES_PORT="${LT_POSTGRES_PORT:-15532}"
export NUDGE_MAIL_PORT="${LT_MAIL_PORT:-12625}"
brokers="127.0.0.1:$NUDGE_KAFKA_PORT"
redis_port="$NUDGE_REDIS_PORT"
http_port="${LT_HTTP_PORT:-18090}"
minutes="${LT_SOAK_MINUTES:-30}"
rate="${LT_SOAK_RATE:-5000}"
customers="${LT_SOAK_CUSTOMERS:-200000}"
zipf="${LT_SOAK_ZIPF:-0.7}"
max_wait="${LT_SOAK_MAX_WAIT:-2m}"
interval="${LT_SOAK_INTERVAL:-60}"
engine_fetch_wait="${LT_ENGINE_FETCH_WAIT:-50ms}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
work="$NUDGE_DATA_DIR/soak-$stamp"
results="$lt/results"
load="$lt/.build/release/nudge-load"
nudge_bin="${NUDGE_BINARY:-$root/.build-release/release/nudge}"
tansu="$root/.tools/bin/tansu"
plot_py="$lt/.venv-plot/bin/python"
name="soak$stamp"; name="${name,,}"
started=$SECONDS

log() { printf '[soak %4ds] %s\n' $((SECONDS - started)) "$*" >&2; }
die() { printf '[soak] error: %s\n' "$*" >&2; exit 1; }
mkdir -p "$work" "$results"
# Before anything of ours runs: what else keeps the machine busy (it may be shared).
cat /proc/loadavg > "$work/loadavg-start.txt"

# ---------------------------------------------------------------- tools, stack, builds
if ! command -v jq >/dev/null || ! command -v redis-cli >/dev/null || ! command -v curl >/dev/null; then
    log "installing jq, redis-tools, curl"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq redis-tools curl >/dev/null
fi
if [ ! -x "$tansu" ] || ! command -v redis-server >/dev/null || ! pkg-config --exists rdkafka ||
    ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
    log "installing the platform's dependencies (scripts/install-deps.sh)"
    bash "$root/scripts/install-deps.sh"
fi
if ! "$plot_py" -c 'import matplotlib' 2>/dev/null; then
    log "installing matplotlib (PyPI) into loadtest/.venv-plot"
    { python3 -m venv "$lt/.venv-plot" && "$lt/.venv-plot/bin/pip" install -q matplotlib; } \
        > "$work/install-plot.log" 2>&1 || log "could not install matplotlib (log: $work/install-plot.log); no plot"
fi

if [ -z "${NUDGE_BINARY:-}" ]; then
    log "building nudge (release, .build-release)"
    if ! (cd "$root" && swift build -c release --product nudge --scratch-path "$root/.build-release" \
        > "$work/build-nudge.log" 2>&1); then
        grep -m5 'error:' "$work/build-nudge.log" >&2 || tail -5 "$work/build-nudge.log" >&2
        [ -x "$nudge_bin" ] || die "release build failed (log: $work/build-nudge.log)"
        log "WARNING: release build of the working tree failed; soaking the previous build at $nudge_bin"
        echo "release build of the working tree failed; soaked the previous binary" > "$work/build-warning.txt"
    fi
fi
log "building the harness (loadtest/.build)"
(cd "$lt" && swift build -c release 2>&1 | tail -2) >&2
[ -x "$nudge_bin" ] || die "no nudge binary at $nudge_bin"

# The mail sink's Maildir starts empty (before the sink starts: it keeps the folders open).
maildir="$NUDGE_DATA_DIR/mail/maildir"
bash "$root/scripts/stack.sh" stop mail >&2
rm -rf "$maildir" && mkdir -p "$maildir"/new "$maildir"/cur "$maildir"/tmp # aiosmtpd only makes them for a new folder
log "starting the private stack (kafka $brokers, redis :$redis_port, postgres :$NUDGE_POSTGRES_PORT, mail :$NUDGE_MAIL_PORT)"
bash "$root/scripts/stack.sh" restart kafka redis postgres mail >&2
for _ in $(seq 1 1500); do # PING answers while Redis still loads its AOF
    redis-cli -p "$redis_port" info persistence 2>/dev/null | grep -q '^loading:0' && break
    sleep 0.2
done
compact_redis() {
    redis-cli -p "$redis_port" flushall >/dev/null
    redis-cli -p "$redis_port" bgrewriteaof >/dev/null 2>&1 || true
    for _ in $(seq 1 100); do
        redis-cli -p "$redis_port" info persistence | grep -q '^aof_rewrite_in_progress:0' && break
        sleep 0.2
    done
}
compact_redis
# No AOF rewrite in the middle of the soak: its buffers and fork are not the data's memory.
redis-cli -p "$redis_port" config set auto-aof-rewrite-percentage 0 >/dev/null
ls -1d "$NUDGE_DATA_DIR"/soak-2*/ 2>/dev/null | head -n -3 | xargs -r rm -rf # the last three work folders

# ---------------------------------------------------------------- rules: the samples, waits capped
# The same scenarios and contact policy as rules/, with every plain `wait:`, `window:`,
# `remind_after:`, `timeout:` and absence `for:` duration capped at LT_SOAK_MAX_WAIT: carts are emailed,
# drafts reminded, instances time out and end within minutes, so the live set can reach its steady
# state inside the soak. Caps per day, dedup windows, `once_per` and banner TTLs are left as they are.
rules="$work/rules"
mkdir -p "$rules"
python3 - "$root/rules" "$rules" "$max_wait" <<'PY'
import pathlib, re, sys
src, dst, cap = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
unit = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
def seconds(text):
    return float(text[:-2]) * unit["ms"] if text.endswith("ms") else float(text[:-1]) * unit[text[-1]]
line = re.compile(r"^(\s*(?:wait|window|remind_after|timeout|for):\s*)(\d+(?:ms|s|m|h|d))(\s*(?:#.*)?)$")
for path in sorted(src.glob("*.yaml")):
    out = []
    for text in path.read_text().splitlines():
        m = line.match(text)
        if m and seconds(m.group(2)) > seconds(cap):
            text = m.group(1) + cap + m.group(3)
        out.append(text)
    (dst / path.name).write_text("\n".join(out) + "\n")
PY
diff -r "$root/rules" "$rules" | grep '^>' > "$work/rules-capped.txt" || true

# ---------------------------------------------------------------- nudge run
for t in events outbound dead-letter feedback; do
    "$tansu" topic create "$name.$t" --partitions 8 --broker "tcp://$brokers" >/dev/null
done
eval "$(bash "$root/scripts/stack.sh" env)"
# SMS and push gateways: nothing listens on that port, so those sends fail, retry and fall back to
# their hand-off connectors the way they would with the gateway down (email is the main channel).
gateway="http://127.0.0.1:$((http_port + 7))"
(cd "$root" && exec env NUDGE_KAFKA_BROKERS="$brokers" NUDGE_REDIS_HOST=127.0.0.1 NUDGE_REDIS_PORT="$redis_port" \
    NUDGE_REDIS_KEY_PREFIX="$name" NUDGE_TOPICS_EVENTS="$name.events" NUDGE_TOPICS_DEAD_LETTER="$name.dead-letter" \
    NUDGE_TOPICS_OUTBOUND="$name.outbound" NUDGE_TOPICS_FEEDBACK="$name.feedback" NUDGE_TOPICS_PARTITIONS=8 \
    NUDGE_ENGINE_GROUP_ID="$name-engine" NUDGE_DISPATCHER_GROUP_ID="$name-dispatcher" \
    NUDGE_ENGINE_FETCH_WAIT="$engine_fetch_wait" NUDGE_HTTP_HOST=127.0.0.1 NUDGE_HTTP_PORT="$http_port" NUDGE_RULES_DIRECTORY="$rules" \
    NUDGE_CONNECTORS_DIRECTORY="$root/connectors" NUDGE_LOG_LEVEL="${NUDGE_LOG_LEVEL:-notice}" ${NUDGE_KAFKA_PROPERTIES:+NUDGE_KAFKA_PROPERTIES="$NUDGE_KAFKA_PROPERTIES"} NUDGE_API_SITE_KEYS="soak=sk_soak" \
    NUDGE_TRACKING_SECRET=soak-local-tracking-secret NUDGE_TRACKING_BASE_URL="http://127.0.0.1:$http_port" \
    SMS_GATEWAY_URL="$gateway" PUSH_GATEWAY_URL="$gateway" \
    "$nudge_bin" run ${LT_NUDGE_CONFIG:+--config "$LT_NUDGE_CONFIG"}) >"$work/nudge-run.log" 2>&1 &
nudge_pid=$!
producer_pid=""
cleanup() {
    [ -n "$producer_pid" ] && kill -TERM "$producer_pid" 2>/dev/null || true
    if kill -0 "$nudge_pid" 2>/dev/null; then
        kill -TERM "$nudge_pid" 2>/dev/null || true
        for _ in $(seq 1 150); do kill -0 "$nudge_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$nudge_pid" 2>/dev/null || true
    fi
    wait 2>/dev/null || true
}
trap cleanup EXIT
ready=0
for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:$http_port/ready" >/dev/null 2>&1 && { ready=1; break; }
    kill -0 "$nudge_pid" 2>/dev/null || break
    sleep 0.1
done
[ $ready = 1 ] || { tail -20 "$work/nudge-run.log" >&2; die "nudge run did not become ready (log: $work/nudge-run.log)"; }
tansu_pid=$(cat "$NUDGE_DATA_DIR/kafka/tansu.pid")

# ---------------------------------------------------------------- sampling
# rss_kib PID...: VmRSS summed over the processes and their children (kB, from /proc).
rss_kib() {
    local total=0 p c
    for p in "$@"; do
        for c in "$p" $(pgrep -P "$p" 2>/dev/null || true); do
            total=$((total + $(awk '/^VmRSS:/ { print $2 }' "/proc/$c/status" 2>/dev/null || echo 0)))
        done
    done
    echo "$total"
}
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }
info_field() { grep "^$2:" <<<"$1" | cut -d: -f2 | tr -d '\r'; }
# Key counts by kind (the name after the prefix) through SCAN: a few seconds of Redis time with
# millions of keys, so every fifth sample and the last one only.
key_kinds() {
    local cursor=0 reply
    while :; do
        reply=$(redis-cli -p "$redis_port" scan "$cursor" count 10000)
        cursor=$(head -1 <<<"$reply")
        tail -n +2 <<<"$reply"
        [ "$cursor" != 0 ] || break
    done | sed -E "s/^$name:([^:{]*).*/\1/" | sort | uniq -c |
        awk 'BEGIN { printf "{" } { printf "%s\"%s\": %d", (NR > 1 ? ", " : ""), $2, $1 } END { printf "}" }'
}
# pending_timers: the engine's timer sets, one per partition.
pending_timers() {
    local p total=0
    for p in $(seq 0 7); do total=$((total + $(redis-cli -p "$redis_port" zcard "$name:timers:{p$p}"))); done
    echo "$total"
}
samples="$work/samples.jsonl"
: > "$samples"
load_started=0
sample() { # sample INDEX [kinds] [PHASE: load | drained]
    local info offsets kinds='null' now
    now=$(date +%s.%N)
    info=$(redis-cli -p "$redis_port" info memory)
    offsets=$("$load" offsets --brokers "$brokers" --topics "$name.events,$name.outbound,$name.dead-letter,$name.feedback" \
        --group "$name-engine" --group-topic "$name.events" --max-seconds 30 2>/dev/null || echo '{}')
    [ "${2:-}" = kinds ] && kinds=$(key_kinds)
    jq -cn --argjson i "$1" --argjson t "$(awk -v a="$load_started" -v b="$now" 'BEGIN { printf "%.1f", (a > 0 ? b - a : 0) }')" \
        --arg utc "$(date -u +%H:%M:%S)" --argjson nudge_rss "$(rss_kib "$nudge_pid")" \
        --argjson nudge_cpu "$(cpu_seconds "$nudge_pid")" --argjson tansu_rss "$(rss_kib "$tansu_pid")" \
        --argjson tansu_cpu "$(cpu_seconds "$tansu_pid")" \
        --argjson used "$(info_field "$info" used_memory)" --argjson used_rss "$(info_field "$info" used_memory_rss)" \
        --argjson dataset "$(info_field "$info" used_memory_dataset)" \
        --argjson keys "$(redis-cli -p "$redis_port" dbsize)" --argjson timers "$(pending_timers)" \
        --argjson offsets "$offsets" --argjson kinds "$kinds" --arg n "$name" --arg phase "${3:-load}" \
        --argjson progress "$(cat "$work/progress.json" 2>/dev/null || echo '{}')" \
        --argjson mails "$(find "$maildir/new" -maxdepth 1 -type f 2>/dev/null | wc -l)" \
        --arg loadavg "$(cut -d' ' -f1-3 /proc/loadavg)" \
        '{index: $i, phase: $phase, t: $t, utc: $utc, nudge_rss_kib: $nudge_rss, nudge_cpu_s: $nudge_cpu, tansu_rss_kib: $tansu_rss,
          tansu_cpu_s: $tansu_cpu, redis_used_memory: $used, redis_used_memory_rss: $used_rss,
          redis_used_memory_dataset: $dataset, redis_keys: $keys, pending_timers: $timers,
          produced: ($progress.sent // 0), delivered: ($progress.delivered // 0),
          events: $offsets.end[$n + ".events"], engine_committed: $offsets.committed,
          outbound: $offsets.end[$n + ".outbound"], dead_letter: $offsets.end[$n + ".dead-letter"],
          feedback: $offsets.end[$n + ".feedback"], mails_delivered: $mails,
          loadavg: ($loadavg | split(" ") | map(tonumber)), key_kinds: $kinds}' >> "$samples"
    tail -1 "$samples" | jq -c '{t, produced, nudge_rss_mib: (.nudge_rss_kib / 1024 | floor), redis_mib: (.redis_used_memory / 1048576 | floor),
        keys: .redis_keys, timers: .pending_timers, events, committed: .engine_committed, outbound, mails: .mails_delivered, loadavg}' >&2
}

sleep 5 # partitions assigned
sample 0 kinds
seconds=$((minutes * 60))
log "producing $rate events/s for $minutes min (realistic mix, Zipf s=$zipf over $customers customers)"
load_started=$(date +%s.%N)
"$load" produce --brokers "$brokers" --topic "$name.events" --count $((rate * seconds)) --rate "$rate" \
    --mix realistic --customers "$customers" --zipf "$zipf" --max-seconds "$seconds" --progress-file "$work/progress.json" \
    > "$work/produce.json" 2> "$work/produce.log" &
producer_pid=$!
samples_n=$((seconds / interval))
for i in $(seq 1 "$samples_n"); do
    # Sleep to the next whole interval since the start (sampling takes a few seconds itself).
    sleep "$(awk -v s="$load_started" -v i="$i" -v n="$interval" -v now="$(date +%s.%N)" \
        'BEGIN { d = s + i * n - now; printf "%.2f", (d > 0 ? d : 0) }')"
    kill -0 "$nudge_pid" 2>/dev/null || { log "nudge run exited"; tail -20 "$work/nudge-run.log" >&2; break; }
    if [ $((i % 5)) = 0 ] || [ "$i" = "$samples_n" ]; then sample "$i" kinds; else sample "$i"; fi
done
wait "$producer_pid" || log "the producer exited with status $?"
producer_pid=""
cat "$work/produce.json" >&2
log "draining: the engine's group to the end of the events topic (at most 120 s)"
produced=$(jq -r '.produced // 0' "$work/produce.json")
"$load" wait-lag --brokers "$brokers" --topic "$name.events" --group "$name-engine" --total "$produced" \
    --max-seconds 120 > "$work/drain.json" || true
sample $((samples_n + 1)) kinds drained
curl -fs "http://127.0.0.1:$http_port/metrics" > "$work/metrics-end.txt" 2>/dev/null || true
cleanup
trap - EXIT

# ---------------------------------------------------------------- report
py=python3
"$plot_py" -c 'import matplotlib' 2>/dev/null && py="$plot_py"
"$py" "$lt/soak_report.py" "$work" "$results/soak-$stamp" "$nudge_bin" "$rate" "$minutes" "$customers" "$zipf" "$max_wait" "$engine_fetch_wait"
rm -rf "$maildir"/new "$maildir"/cur "$maildir"/tmp
compact_redis
if [ "${LT_KEEP_STACK:-0}" != 1 ]; then
    log "stopping the private stack (LT_KEEP_STACK=1 keeps it)"
    bash "$root/scripts/stack.sh" stop >&2 || true
fi
log "done: $results/soak-$stamp.json, .md and .png"
