#!/usr/bin/env bash
# Content API latency: GET /v1/content on a release `nudge run` (private PostgreSQL, Kafka, Redis),
# after the welcome scenario has filled `home_hero` for LT_CONTENT_CUSTOMERS customers. `nudge-load content`
# sends LT_CONTENT_RATE requests/s open loop (each request due at a fixed time, its latency counted from
# then, so a stall shows in every request due meanwhile: no coordinated omission, which Debian's wrk has);
# requests alternate personalized customers and unknown ones (defaults).
# Writes WORK/content.json: the figures, or {"skipped": reason}. Called by run.sh with its environment.
#   usage: content.sh WORK_DIR
set -euo pipefail
work=$1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lt="$root/loadtest"
load="$lt/.build/release/nudge-load"
nudge_bin="${NUDGE_BINARY:-$root/.build-release/release/nudge}"
brokers="127.0.0.1:$NUDGE_KAFKA_PORT"
port="${LT_CONTENT_HTTP_PORT:-18091}"
customers="${LT_CONTENT_CUSTOMERS:-10000}"
rate="${LT_CONTENT_RATE:-5000}"
seconds="${LT_CONTENT_SECONDS:-20}"
connections=50
skip() { printf '{"skipped": "%s"}\n' "$1" > "$work/content.json"; echo "content: $1"; exit 0; }
[ "${LT_CONTENT:-1}" = 1 ] || skip "disabled (LT_CONTENT=0)"
grep -rqs "addAPIRoutes" "$root/Sources/NudgeApp" || skip "GET /v1/content is not mounted by nudge run yet"

bash "$root/scripts/stack.sh" start postgres >&2 || skip "private PostgreSQL did not start"
name="ct$(date +%s)"
rules="$work/rules-content"; mkdir -p "$rules"
cp "$root/rules/policy.yaml" "$root/rules/welcome.yaml" "$rules/"
for t in events outbound dead-letter feedback; do
    "$root/.tools/bin/tansu" topic create "$name.$t" --partitions 8 --broker "tcp://$brokers" >/dev/null
done
eval "$(bash "$root/scripts/stack.sh" env)"
env NUDGE_KAFKA_BROKERS="$brokers" NUDGE_REDIS_PORT="$NUDGE_REDIS_PORT" NUDGE_REDIS_KEY_PREFIX="$name" \
    NUDGE_TOPICS_EVENTS="$name.events" NUDGE_TOPICS_DEAD_LETTER="$name.dead-letter" \
    NUDGE_TOPICS_OUTBOUND="$name.outbound" NUDGE_TOPICS_FEEDBACK="$name.feedback" NUDGE_TOPICS_PARTITIONS=8 \
    NUDGE_ENGINE_GROUP_ID="$name-engine" NUDGE_HTTP_HOST=127.0.0.1 NUDGE_HTTP_PORT="$port" \
    NUDGE_RULES_DIRECTORY="$rules" NUDGE_LOG_LEVEL=notice NUDGE_API_SITE_KEYS="load=sk_load" \
    "$nudge_bin" run >"$work/nudge-run-content.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
ready=0
for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && { ready=1; break; }
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
[ $ready = 1 ] || { tail -5 "$work/nudge-run-content.log"; skip "nudge run did not become ready (log: nudge-run-content.log)"; }
"$load" produce --brokers "$brokers" --topic "$name.events" --count "$customers" --mix signups --max-seconds 60 >/dev/null
"$load" wait-lag --brokers "$brokers" --topic "$name.events" --group "$name-engine" --total "$customers" \
    --max-seconds 120 > "$work/content-seed.json"
check=$(curl -fs -H "X-Nudge-Site-Key: sk_load" "http://127.0.0.1:$port/v1/content?customer_id=w1&slots=home_hero" || true)
echo "sample answer: $check" >&2
# CPU seconds (user + system) so far of the processes named, summed: where a request's CPU goes.
cpu_seconds() {
    local total=0 p
    for p in "$@"; do
        total=$(awk -v t="$total" -v hz="$(getconf CLK_TCK)" '{printf "%.2f", t + ($14 + $15) / hz}' "/proc/$p/stat" 2>/dev/null || echo "$total")
    done
    echo "$total"
}
broker_pids=$(pgrep -f "tansu broker --listener-url tcp://127.0.0.1:$NUDGE_KAFKA_PORT" || true)
redis_pids=$(pgrep -f "redis-server.*:$NUDGE_REDIS_PORT" || true)
postgres_pids=$(pgrep -x postgres || true)
started=$(date +%s.%N)
cpu_before="$(cpu_seconds $pid) $(cpu_seconds $broker_pids) $(cpu_seconds $redis_pids) $(cpu_seconds $postgres_pids)"
# The generator's own CPU comes from its rusage (it runs as a child of this small wrapper).
python3 -c '
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:], stdout=open(sys.argv[1], "w"))
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.2f" % (usage.ru_utime + usage.ru_stime), file=sys.stderr)
sys.exit(code)' "$work/content-raw.json" \
    "$load" content --port "$port" --rate "$rate" --seconds "$seconds" --connections "$connections" \
    --customers "$customers" --site-key sk_load --slots home_hero,sidebar --max-seconds 120 \
    ${LT_CONTENT_PATH:+--path "$LT_CONTENT_PATH"} 2> "$work/content-generator-cpu.txt"
cpu_after="$(cpu_seconds $pid) $(cpu_seconds $broker_pids) $(cpu_seconds $redis_pids) $(cpu_seconds $postgres_pids)"
elapsed=$(python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$started" "$(date +%s.%N)")
cat "$work/content-raw.json" >&2
python3 - "$work" "$check" "$cpu_before" "$cpu_after" "$elapsed" <<'PY'
import json, sys
work, sample = sys.argv[1], sys.argv[2]
before, after = [float(x) for x in sys.argv[3].split()], [float(x) for x in sys.argv[4].split()]
seconds = float(sys.argv[5])
raw = json.load(open(work + "/content-raw.json"))
res = {k: raw[k] for k in ("tool", "target_rate", "rate", "requests", "non_2xx", "failures", "sent_late", "connections")}
for q in ("p50", "p95", "p99", "p999", "max"):
    res[q + "_ms"] = raw["latency"].get(q + "_ms")
res["service_p50_ms"] = raw["service_time"].get("p50_ms")
res["service_p99_ms"] = raw["service_time"].get("p99_ms")
res["personalized_sample_ok"] = "personalized" in sample
# Cores busy over the load window, per process: nudge run (API, engine on the impressions,
# dispatcher, timeline), the broker, Redis, PostgreSQL (timeline rows), the generator.
names = ("nudge", "broker", "redis", "postgres")
res["cores"] = {n: round((a - b) / seconds, 2) for n, b, a in zip(names, before, after)}
try:
    res["cores"]["generator"] = round(float(open(work + "/content-generator-cpu.txt").read().split()[-1]) / seconds, 2)
except (OSError, ValueError, IndexError):
    pass
if res.get("requests"):
    res["nudge_cpu_us_per_request"] = round((after[0] - before[0]) / res["requests"] * 1e6, 1)
json.dump(res, open(work + "/content.json", "w"))
print(res)
PY
