#!/usr/bin/env bash
# Nudge load test (issue 8): one command, every measure next to its ceiling, one report.
#   bash loadtest/run.sh            from the repository root (or anywhere)
# Installs what is missing (wrk, redis-tools), starts a PRIVATE stack with scripts/stack.sh (Tansu on
# 19192, Redis on 16479, data in loadtest/.data, so it never touches the development stack), builds
# `nudge` in release (--scratch-path .build-release) and the harness (loadtest/.build), runs the
# measures and writes loadtest/results/<timestamp>.json and .md.
# Sizes (environment, defaults in brackets): LT_EVENTS [200000] events per throughput run,
# LT_SCENARIO_EVENTS [100000], LT_TIMERS [1000000, scaled down to what seeds in ~150 s],
# LT_LATENCY_SECONDS [20], LT_PROFILE [1] (perf on separate runs like the throughput and 100-scenario ones),
# LT_CONTENT [1] (GET /v1/content with wrk, content.sh), LT_KEEP_STACK [0] (leave the stack running),
# LT_DRAFT_EVENTS [200000] and LT_DRAFT_CUSTOMERS [50000] (the draft-reminder stream, Nudge vs Quix Streams),
# LT_ONLY [all; "drafts": only that comparison], LT_DATA_DIR [loadtest/.data] (stack data and work folders).
# Every load loop is bounded in count and time; everything listens on 127.0.0.1 only.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lt="$root/loadtest"
export NUDGE_DATA_DIR="${LT_DATA_DIR:-$lt/.data}"
export NUDGE_KAFKA_PORT="${LT_KAFKA_PORT:-19192}"
export NUDGE_REDIS_PORT="${LT_REDIS_PORT:-16479}"
export NUDGE_POSTGRES_PORT="${LT_POSTGRES_PORT:-15532}"
brokers="127.0.0.1:$NUDGE_KAFKA_PORT"
redis_port="$NUDGE_REDIS_PORT"
http_port="${LT_HTTP_PORT:-18090}"
events_n="${LT_EVENTS:-200000}"
scenario_events_n="${LT_SCENARIO_EVENTS:-100000}"
timers_max="${LT_TIMERS:-1000000}"
latency_seconds="${LT_LATENCY_SECONDS:-20}"
drafts_n="${LT_DRAFT_EVENTS:-200000}"
draft_customers="${LT_DRAFT_CUSTOMERS:-50000}"
only="${LT_ONLY:-}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
work="$NUDGE_DATA_DIR/run-$stamp"
results="$lt/results"
load="$lt/.build/release/nudge-load"
nudge_bin="${NUDGE_BINARY:-$root/.build-release/release/nudge}"
tansu="$root/.tools/bin/tansu"
quix_py="$lt/.venv-quix/bin/python"
run_started=$SECONDS

log() { printf '[loadtest %4ds] %s\n' $((SECONDS - run_started)) "$*" >&2; }
die() { printf '[loadtest] error: %s\n' "$*" >&2; exit 1; }
[ -z "$only" ] || [ "$only" = drafts ] || die "LT_ONLY: only \"drafts\" is known"
mkdir -p "$work" "$results"
cat /proc/loadavg > "$work/loadavg-start.txt"

# ---------------------------------------------------------------- tools, stack, builds
need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
command -v redis-benchmark >/dev/null || need_apt+=(redis-tools)
command -v perf >/dev/null || [ "${LT_PROFILE:-1}" = 0 ] || need_apt+=(linux-perf)
if [ ${#need_apt[@]} -gt 0 ]; then
    log "installing ${need_apt[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null ||
        log "could not install ${need_apt[*]}; the measures that need them are skipped"
fi
# Quix Streams (the draft-reminder comparison) in a venv of its own, from PyPI.
if ! "$quix_py" -c 'import quixstreams' 2>/dev/null; then
    log "installing Quix Streams (loadtest/quix/requirements.txt) into loadtest/.venv-quix"
    { python3 -m venv "$lt/.venv-quix" && "$lt/.venv-quix/bin/pip" install -q -r "$lt/quix/requirements.txt"; } \
        > "$work/install-quix.log" 2>&1 || log "could not install Quix Streams (log: $work/install-quix.log); its row is skipped"
fi
if [ ! -x "$tansu" ] || ! command -v redis-server >/dev/null || ! pkg-config --exists rdkafka; then
    log "installing the platform's dependencies (scripts/install-deps.sh)"
    bash "$root/scripts/install-deps.sh"
fi

log "starting the private stack (kafka $brokers, redis 127.0.0.1:$redis_port)"
bash "$root/scripts/stack.sh" restart kafka redis >&2
# The private Redis keeps AOF on like the stack does; compact it so runs do not pile up gigabytes.
compact_redis() {
    redis-cli -p "$redis_port" flushall >/dev/null
    redis-cli -p "$redis_port" bgrewriteaof >/dev/null 2>&1 || true
    for _ in $(seq 1 100); do
        redis-cli -p "$redis_port" info persistence | grep -q '^aof_rewrite_in_progress:0' && break
        sleep 0.2
    done
}
# PING answers while Redis still loads its AOF; wait until the data set is loaded (at most 5 min).
for _ in $(seq 1 1500); do
    redis-cli -p "$redis_port" info persistence 2>/dev/null | grep -q '^loading:0' && break
    sleep 0.2
done
compact_redis
# Work folders of earlier runs: keep the last three.
ls -1d "$NUDGE_DATA_DIR"/run-* 2>/dev/null | head -n -3 | xargs -r rm -rf
# Keep memory figures about the data: no AOF rewrite buffers in the middle of a measure.
redis-cli -p "$redis_port" config set auto-aof-rewrite-percentage 0 >/dev/null

if [ -z "${NUDGE_BINARY:-}" ]; then
    log "building nudge (release, .build-release)"
    if ! (cd "$root" && swift build -c release --product nudge --scratch-path "$root/.build-release" \
        > "$work/build-nudge.log" 2>&1); then
        grep -m5 'error:' "$work/build-nudge.log" >&2 || tail -5 "$work/build-nudge.log" >&2
        [ -x "$nudge_bin" ] || die "release build failed (log: $work/build-nudge.log)"
        log "WARNING: release build of the working tree failed; measuring the previous build at $nudge_bin"
        echo "release build of the working tree failed; measured the previous binary" > "$work/build-warning.txt"
    fi
fi
log "building the harness (loadtest/.build)"
(cd "$lt" && swift build -c release 2>&1 | tail -2) >&2
[ -x "$nudge_bin" ] || die "no nudge binary at $nudge_bin"

# ---------------------------------------------------------------- helpers
engine_pid=""
stop_engine() {
    if [ -n "$engine_pid" ] && kill -0 "$engine_pid" 2>/dev/null; then
        kill -TERM "$engine_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$engine_pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$engine_pid" 2>/dev/null && kill -KILL "$engine_pid" 2>/dev/null || true
        wait "$engine_pid" 2>/dev/null || true
    fi
    engine_pid=""
}
quix_pid=""
stop_quix() {
    if [ -n "$quix_pid" ] && kill -0 "$quix_pid" 2>/dev/null; then
        kill -TERM "$quix_pid" 2>/dev/null || true
        wait "$quix_pid" 2>/dev/null || true
    fi
    quix_pid=""
}
trap 'stop_engine; stop_quix' EXIT

# make_topics NAME [CONFIG]: NAME.events/.outbound/.dead-letter/.feedback with 8 partitions (and a topic
# config, name=value, for all four).
make_topics() {
    local t
    for t in events outbound dead-letter feedback; do
        "$tansu" topic create "$1.$t" --partitions 8 ${2:+--config "$2"} --broker "tcp://$brokers" >/dev/null
    done
}

# start_engine NAME RULES_DIR [KAFKA_PROPERTIES]: a release `nudge engine` on NAME's topics, group
# and key prefix (extra librdkafka properties as name=value,name=value).
start_engine() {
    local name=$1 rules=$2 properties=${3:-}
    env ${properties:+NUDGE_KAFKA_PROPERTIES=$properties} NUDGE_KAFKA_BROKERS="$brokers" NUDGE_REDIS_HOST=127.0.0.1 NUDGE_REDIS_PORT="$redis_port" \
        NUDGE_REDIS_KEY_PREFIX="$name" NUDGE_TOPICS_EVENTS="$name.events" \
        NUDGE_TOPICS_DEAD_LETTER="$name.dead-letter" NUDGE_TOPICS_OUTBOUND="$name.outbound" \
        NUDGE_TOPICS_FEEDBACK="$name.feedback" NUDGE_TOPICS_PARTITIONS=8 NUDGE_ENGINE_GROUP_ID="$name-engine" \
        NUDGE_HTTP_HOST=127.0.0.1 NUDGE_HTTP_PORT="$http_port" NUDGE_RULES_DIRECTORY="$rules" NUDGE_LOG_LEVEL=notice \
        "$nudge_bin" engine >"$work/engine-$name.log" 2>&1 &
    engine_pid=$!
    local i
    for i in $(seq 1 150); do
        curl -fs "http://127.0.0.1:$http_port/health" >/dev/null 2>&1 && return 0
        kill -0 "$engine_pid" 2>/dev/null || { tail -20 "$work/engine-$name.log" >&2; die "engine $name exited"; }
        sleep 0.1
    done
    die "engine $name did not answer /health within 15 s"
}

# rules_dir NAME FILE...: a rules folder with the contact policy and the given scenario files.
rules_dir() {
    local dir="$work/rules-$1"; shift
    mkdir -p "$dir"
    cp "$root/rules/policy.yaml" "$dir/"
    [ $# -gt 0 ] && cp "$@" "$dir/"
    echo "$dir"
}

# CPU seconds (user + system) a process has used so far.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat" 2>/dev/null || echo 0; }
tansu_pid() { cat "$NUDGE_DATA_DIR/kafka/tansu.pid" 2>/dev/null || echo 0; }
used_memory() { redis-cli -p "$redis_port" info memory | awk -F: '/^used_memory:/ {print $2+0}'; }
# profile_engine LABEL RULES_DIR EVENTS SECONDS: perf -g of an engine working through a backlog of the realistic
# stream, on topics of its own. Separate from the measured runs: perf with call graphs slows the
# engine it samples (200k events: 23k ev/s under perf at 999 Hz, 34k ev/s without, same binary).
profile_engine() {
    [ "${LT_PROFILE:-1}" = 1 ] && command -v perf >/dev/null || return 0
    local label=$1 rules=$2 count=$3 seconds=$4 pname="pf$1$stamp"; pname="${pname,,}"
    make_topics "$pname"
    "$load" produce --brokers "$brokers" --topic "$pname.events" --count "$count" --mix realistic \
        --customers 1000000 --max-seconds 120 > /dev/null
    start_engine "$pname" "$rules"
    timeout 30 perf record -F 499 -g -p "$engine_pid" -o "$work/perf-$label.data" -- sleep "$seconds" \
        >"$work/perf-record-$label.log" 2>&1 || true
    stop_engine
}
metric() { curl -fs "http://127.0.0.1:$http_port/metrics" > "$work/metrics-$1.txt" 2>/dev/null || true; }

# measure_drafts: the draft-reminder stream alone (issue 12), one topic read twice on the same broker:
# a release engine with draft-application-reminder.yaml (+ policy) alone, then the same logic in Quix
# Streams (loadtest/quix/draft_reminder.py, RocksDB state, reminders in event time) in a group of its
# own. Both are timed the same way: wait-lag on the group's committed offsets (first commit to the
# last record); the Quix app also reports its own first-to-last-record rate.
measure_drafts() {
    local name="dr$stamp"; name="${name,,}"
    # Kafka's default retention, stated: Tansu describes only the configs set at creation, and Quix
    # Streams derives its changelog topic's config from its input topic's retention.ms.
    make_topics "$name" retention.ms=604800000
    "$tansu" topic create "$name.reminders" --partitions 8 --config retention.ms=604800000 --broker "tcp://$brokers" >/dev/null
    log "producing $drafts_n draft-reminder events over $draft_customers customers to $name.events"
    "$load" produce --brokers "$brokers" --topic "$name.events" --count "$drafts_n" --mix drafts \
        --customers "$draft_customers" --max-seconds 120 | jq -c --argjson c "$draft_customers" '. + {customers: $c}' \
        > "$work/produce-drafts.json"
    log "draft reminders: Nudge (draft-application-reminder.yaml alone)"
    start_engine "$name" "$(rules_dir drafts "$root/rules/draft-application-reminder.yaml")"
    local cpu0 cpu1 wall0 wall1 p timers=0
    cpu0=$(cpu_seconds "$engine_pid"); wall0=$(date +%s.%N)
    "$load" wait-lag --brokers "$brokers" --topic "$name.events" --group "$name-engine" --total "$drafts_n" \
        --max-seconds 300 > "$work/drafts-nudge.json"
    cpu1=$(cpu_seconds "$engine_pid"); wall1=$(date +%s.%N)
    # Pending timers: one per open draft (nothing fires: the engine's 24 h run from its own clock).
    for p in $(seq 0 7); do timers=$((timers + $(redis-cli -p "$redis_port" zcard "$name:timers:{p$p}"))); done
    stop_engine
    jq --argjson c "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')" \
        --argjson w "$(awk -v a="$wall0" -v b="$wall1" 'BEGIN { printf "%.2f", b - a }')" --argjson t "$timers" \
        '. + {engine_cpu_seconds: $c, wall_seconds: $w, pending_timers: $t}' "$work/drafts-nudge.json" \
        > "$work/drafts-nudge.tmp" && mv "$work/drafts-nudge.tmp" "$work/drafts-nudge.json"
    jq -c 'del(.timeline)' "$work/drafts-nudge.json" >&2
    if ! "$quix_py" -c 'import quixstreams' 2>/dev/null; then
        echo '{"skipped": "Quix Streams not installed"}' > "$work/drafts-quix.json"
        return 0
    fi
    log "draft reminders: the same stream through Quix Streams (group $name-quix)"
    # Its own --max-seconds stops it (and commits); timeout is the bound should it hang before that.
    PYTHONWARNINGS=ignore timeout 420 "$quix_py" "$lt/quix/draft_reminder.py" --brokers "$brokers" \
        --input "$name.events" --output "$name.reminders" --group "$name-quix" --state-dir "$work/quix-state" \
        --count "$drafts_n" --max-seconds 360 --result "$work/drafts-quix-app.json" > "$work/quix-$name.log" 2>&1 &
    quix_pid=$!
    "$load" wait-lag --brokers "$brokers" --topic "$name.events" --group "$name-quix" --total "$drafts_n" \
        --max-seconds 360 > "$work/drafts-quix.json"
    wait "$quix_pid" || log "Quix Streams exited with status $? (log: $work/quix-$name.log)"
    quix_pid=""
    rm -rf "$work/quix-state"
    jq -c 'del(.timeline)' "$work/drafts-quix.json" >&2
    cat "$work/drafts-quix-app.json" >&2 2>/dev/null || true
}

# finish_run: the report, then Redis compacted and the private stack stopped.
finish_run() {
    log "writing the report"
    python3 "$lt/report.py" "$work" "$results/$stamp" "$nudge_bin"
    compact_redis
    if [ "${LT_KEEP_STACK:-0}" != 1 ]; then
        log "stopping the private stack (LT_KEEP_STACK=1 keeps it)"
        bash "$root/scripts/stack.sh" stop >&2 || true
    fi
    log "done in $((SECONDS - run_started)) s: $results/$stamp.json and $results/$stamp.md"
}

if [ "$only" = drafts ]; then
    measure_drafts
    finish_run
    exit 0
fi

# ---------------------------------------------------------------- 1. Redis ceiling
log "redis-benchmark -P 100 (the pipelined ceiling)"
redis-benchmark -h 127.0.0.1 -p "$redis_port" -P 100 -q -t set,get -n 2000000 2>/dev/null | tr '\r' '\n' |
    grep "requests per second" > "$work/redis-benchmark.txt" || true
redis-cli -p "$redis_port" flushall >/dev/null
cat "$work/redis-benchmark.txt" >&2

# ---------------------------------------------------------------- 2. engine throughput vs consume ceiling
name="tp$stamp"; name="${name,,}"
make_topics "$name"
log "producing $events_n realistic events (Zipf over 1M customers) to $name.events"
"$load" produce --brokers "$brokers" --topic "$name.events" --count "$events_n" --mix realistic \
    --customers 1000000 --max-seconds 120 > "$work/produce-throughput.json"
log "consume-only ceiling (plain librdkafka consumer, same topic, same broker)"
"$load" consume --brokers "$brokers" --topic "$name.events" --count "$events_n" --max-seconds 120 \
    > "$work/consume-ceiling.json"
cat "$work/consume-ceiling.json" >&2
rules_all="$(rules_dir all "$root"/rules/*.yaml)"
mem_before=$(used_memory)
start_engine "$name" "$rules_all"
cpu0=$(cpu_seconds "$engine_pid"); wall0=$(date +%s.%N)
"$load" wait-lag --brokers "$brokers" --topic "$name.events" --group "$name-engine" --total "$events_n" \
    --max-seconds 300 > "$work/throughput.json"
cpu1=$(cpu_seconds "$engine_pid"); wall1=$(date +%s.%N)
python3 -c "print('{\"engine_cpu_seconds\": %.2f, \"wall_seconds\": %.2f}' % ($cpu1 - $cpu0, $wall1 - $wall0))" \
    > "$work/throughput-cpu.json"
metric throughput
stop_engine
mem_after=$(used_memory)
echo "{\"before\": $mem_before, \"after\": $mem_after}" > "$work/memory-throughput.json"
jq -c 'del(.timeline)' "$work/throughput.json" >&2

# ---------------------------------------------------------------- 3. 1, 10, 100 active scenarios
# "N" runs: N copies of abandoned-cart that all listen to the same events (each event moves N
# instances: the work itself grows N times). "100i": abandoned-cart plus 99 copies whose trigger
# and goal name events the stream does not carry (hundreds of scenarios active, one listening:
# what the index by event type must make free).
for n in 1 10 100 100i; do
    dir="$work/rules-scen$n"
    mkdir -p "$dir"; cp "$root/rules/policy.yaml" "$dir/"
    count="${n%i}"
    for i in $(seq 1 "$count"); do
        rename=()
        if [ "$n" != "$count" ] && [ "$i" -gt 1 ]; then
            rename=(-e "s/Product Added/Product Added $i/" -e "s/Order Completed/Order Completed $i/")
        fi
        sed -e "s/^id: abandoned-cart/id: abandoned-cart-$i/" -e "s/^name: Abandoned cart/name: Abandoned cart $i/" \
            "${rename[@]}" "$root/rules/abandoned-cart.yaml" > "$dir/abandoned-cart-$i.yaml"
    done
    name="sc$n-$stamp"; name="${name,,}"
    make_topics "$name"
    "$load" produce --brokers "$brokers" --topic "$name.events" --count "$scenario_events_n" --mix realistic \
        --customers 1000000 --max-seconds 120 > /dev/null
    log "throughput with $n active scenario(s)"
    start_engine "$name" "$dir"
    "$load" wait-lag --brokers "$brokers" --topic "$name.events" --group "$name-engine" \
        --total "$scenario_events_n" --max-seconds 240 > "$work/scenarios-$n.json"
    stop_engine
    jq -c 'del(.timeline)' "$work/scenarios-$n.json" >&2
done

# The profiles, on runs of their own (the engine busy the whole time perf samples it).
log "profiling the engine (all sample scenarios; 100 scenarios)"
profile_engine throughput "$rules_all" 400000 6
profile_engine scenarios100 "$work/rules-scen100" "$scenario_events_n" 10

# ---------------------------------------------------------------- 4. end-to-end latency at fixed rates
# The broker's own round trip first (the generator's events read back from the events topic, no
# engine): the floor under every event -> outbound figure, which crosses the broker twice.
name="rt$stamp"; name="${name,,}"
make_topics "$name"
for rate in 1000 10000; do
    log "broker round trip (produce -> consume, no engine) at $rate events/s"
    tansu_cpu0=$(cpu_seconds "$(tansu_pid)")
    "$load" latency --brokers "$brokers" --topic "$name.events" --outbound "$name.events" --rate "$rate" \
        --seconds "$latency_seconds" --drain-seconds 30 --seed "$rate" > "$work/broker-roundtrip-$rate.json"
    tansu_cpu=$(awk -v a="$tansu_cpu0" -v b="$(cpu_seconds "$(tansu_pid)")" 'BEGIN { printf "%.2f", b - a }')
    jq --argjson c "$tansu_cpu" '. + {broker_cpu_seconds: $c}' \
        "$work/broker-roundtrip-$rate.json" > "$work/broker-roundtrip-$rate.tmp" &&
        mv "$work/broker-roundtrip-$rate.tmp" "$work/broker-roundtrip-$rate.json"
    cat "$work/broker-roundtrip-$rate.json" >&2
done
name="lat$stamp"; name="${name,,}"
make_topics "$name"
rules_lat="$(rules_dir lat "$root"/rules/*.yaml "$lt/scenarios/latency-probe.yaml")"
start_engine "$name" "$rules_lat"
sleep 3 # partitions assigned
for rate in 1000 10000; do
    log "end-to-end latency at $rate events/s for ${latency_seconds}s"
    engine_cpu0=$(cpu_seconds "$engine_pid"); tansu_cpu0=$(cpu_seconds "$(tansu_pid)")
    "$load" latency --brokers "$brokers" --topic "$name.events" --outbound "$name.outbound" --rate "$rate" \
        --seconds "$latency_seconds" --drain-seconds 30 --seed "$rate" > "$work/latency-$rate.json"
    engine_cpu=$(awk -v a="$engine_cpu0" -v b="$(cpu_seconds "$engine_pid")" 'BEGIN { printf "%.2f", b - a }')
    tansu_cpu=$(awk -v a="$tansu_cpu0" -v b="$(cpu_seconds "$(tansu_pid)")" 'BEGIN { printf "%.2f", b - a }')
    jq --argjson e "$engine_cpu" --argjson b "$tansu_cpu" '. + {engine_cpu_seconds: $e, broker_cpu_seconds: $b}' \
        "$work/latency-$rate.json" > "$work/latency-$rate.tmp" && mv "$work/latency-$rate.tmp" "$work/latency-$rate.json"
    cat "$work/latency-$rate.json" >&2
done
stop_engine
# The same with the engine's consumer told not to park fetches (librdkafka's fetch.wait.max.ms is
# 500 ms; the local broker answers an empty fetch only when it expires): configuration, not code.
name="latf$stamp"; name="${name,,}"
make_topics "$name"
start_engine "$name" "$rules_lat" "fetch.wait.max.ms=5"
sleep 3
for rate in 1000 5000 10000; do
    log "end-to-end latency at $rate events/s, engine with fetch.wait.max.ms=5"
    "$load" latency --brokers "$brokers" --topic "$name.events" --outbound "$name.outbound" --rate "$rate" \
        --seconds "$latency_seconds" --drain-seconds 30 --seed "$rate" > "$work/latency-fetch5-$rate.json"
    cat "$work/latency-fetch5-$rate.json" >&2
done
stop_engine

# ---------------------------------------------------------------- 5+6. Redis memory per customer, timer lateness
name="tm$stamp"; name="${name,,}"
make_topics "$name"
rules_tm="$(rules_dir tm "$lt/scenarios/timer-probe.yaml")"
start_engine "$name" "$rules_tm"
sleep 3
profiles_n=100000
log "memory without an instance: $profiles_n customers with page views and identify only"
m0=$(used_memory)
"$load" produce --brokers "$brokers" --topic "$name.events" --count "$profiles_n" --mix profiles \
    --max-seconds 60 > /dev/null
"$load" wait-lag --brokers "$brokers" --topic "$name.events" --group "$name-engine" --total "$profiles_n" \
    --max-seconds 120 > "$work/profiles-lag.json"
m1=$(used_memory)
# Calibration: 50k timer customers due in an hour (they never fire during the run) give the seeding
# rate of this exact workload and a clean memory figure (nothing fires while it is measured).
calib_n=50000
"$load" produce --brokers "$brokers" --topic "$name.events" --count "$calib_n" --mix timers --first-customer 5000000 \
    --due-start-ms $(( $(date +%s%3N) + 3600000 )) --due-spread-ms 60000 --run-tag calib --max-seconds 60 > /dev/null
"$load" wait-lag --brokers "$brokers" --topic "$name.events" --group "$name-engine" \
    --total $((profiles_n + calib_n)) --max-seconds 120 > "$work/timers-calibration-lag.json"
m_cal=$(used_memory)
# Timers: as many as seed in about 150 s at the calibrated rate (at most LT_TIMERS).
seed_rate=$(jq -r '.rate' "$work/timers-calibration-lag.json")
timers_n=$(python3 -c "print(int(min($timers_max, max(10000, $seed_rate * 150 // 10000 * 10000))))")
# The full seed runs much slower than the 50k calibration (20261206T115523Z: 23k/s calibrated, 1M
# seeded at 6.5k/s), so the window opens after a pessimistic estimate: firing must not overlap it.
seed_seconds=$(python3 -c "print(int($timers_n / max($seed_rate, 1) * 4) + 30)")
due_start=$(( $(date +%s%3N) + seed_seconds * 1000 ))
log "seeding $timers_n timers due within one minute, starting in ${seed_seconds}s (calibrated at $seed_rate/s)"
"$load" produce --brokers "$brokers" --topic "$name.events" --count "$timers_n" --mix timers \
    --due-start-ms "$due_start" --due-spread-ms 60000 --max-seconds 200 > "$work/produce-timers.json"
"$load" wait-lag --brokers "$brokers" --topic "$name.events" --group "$name-engine" \
    --total $((profiles_n + calib_n + timers_n)) --max-seconds $((seed_seconds + 60)) > "$work/timers-seed-lag.json"
m2=$(used_memory)
seeded_at=$(date +%s%3N)
metric timers-seeded
echo "{\"base\": $m0, \"after_profiles\": $m1, \"after_calibration\": $m_cal, \"calibration\": $calib_n, \"after_timers\": $m2, \"profiles\": $profiles_n, \"timers\": $timers_n, \"due_start_ms\": $due_start, \"seeded_at_ms\": $seeded_at}" \
    > "$work/memory.json"
log "waiting for the timers to fire (window ends $(( (due_start + 60000 - seeded_at) / 1000 ))s from now)"
"$load" timers --brokers "$brokers" --outbound "$name.outbound" --count "$timers_n" --quiet-seconds 20 \
    --max-seconds $(( (due_start + 60000 - seeded_at) / 1000 + 240 )) > "$work/timers.json"
metric timers
stop_engine
cat "$work/timers.json" >&2

# ---------------------------------------------------------------- 7. content API
bash "$lt/content.sh" "$work" >&2 || log "content API measure skipped (see report)"

# ---------------------------------------------------------------- 8. draft reminders: Nudge vs Quix Streams
measure_drafts

# ---------------------------------------------------------------- profile
# Self time (the leaves) and inclusive time of Nudge's own functions (where the leaves are spent).
summarise_profile() {
    local data=$1 label=$2
    [ -f "$data" ] || return 0
    perf report -i "$data" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -30 |
        swift demangle --simplified | cut -c1-160 | sed 's/ *$//' > "$work/perf-self-$label.txt" || true
    perf report -i "$data" --children --sort symbol --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -400 |
        swift demangle --simplified | cut -c1-160 | sed 's/ *$//' |
        grep -E 'EngineService|PartitionPipeline|PartitionWorker|BatchPlanner|EventDecoder|CustomerRecord|CustomerState|InstanceState|ScenarioEngine|Catalog|Value\.|Value\b|Policy|Redis|Kafka|JSONDecoder\.decode|JSONEncoder\.encode' |
        head -30 > "$work/perf-inclusive-$label.txt" || true
}
if command -v perf >/dev/null; then
    log "summarising the profiles"
    summarise_profile "$work/perf-throughput.data" throughput
    summarise_profile "$work/perf-scenarios100.data" scenarios100
fi

# ---------------------------------------------------------------- report
finish_run
