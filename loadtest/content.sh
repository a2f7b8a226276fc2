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
"$load" content --port "$port" --rate "$rate" --seconds "$seconds" --connections "$connections" \
    --customers "$customers" --site-key sk_load --slots home_hero,sidebar --max-seconds 120 > "$work/content-raw.json"
cat "$work/content-raw.json" >&2
python3 - "$work" "$check" <<'PY'
import json, sys
work, sample = sys.argv[1], sys.argv[2]
raw = json.load(open(work + "/content-raw.json"))
res = {k: raw[k] for k in ("tool", "target_rate", "rate", "requests", "non_2xx", "failures", "sent_late", "connections")}
for q in ("p50", "p95", "p99", "p999", "max"):
    res[q + "_ms"] = raw["latency"].get(q + "_ms")
res["service_p99_ms"] = raw["service_time"].get("p99_ms")
res["personalized_sample_ok"] = "personalized" in sample
json.dump(res, open(work + "/content.json", "w"))
print(res)
PY
