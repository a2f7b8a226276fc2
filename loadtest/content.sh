#!/usr/bin/env bash
# Content API latency: GET /v1/content on a release `nudge run` (private PostgreSQL, Kafka, Redis),
# after the welcome scenario has filled `home_hero` for LT_CONTENT_CUSTOMERS customers. wrk (Debian's,
# which has no constant-rate mode) paces itself with a per-connection delay (content.lua) to about
# LT_CONTENT_RATE requests/s; requests alternate personalized customers and unknown ones (defaults).
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
command -v wrk >/dev/null || skip "wrk not installed"
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
delay=$(python3 -c "print(max(0, round($connections * 1000 / $rate * 0.8, 2)))")
cat > "$work/content.lua" <<LUA
-- Alternates personalized customers (w1..w$customers) and unknown ones (defaults); paces each
-- connection with a delay so that $connections connections make about $rate requests/s.
local n = 0
request = function()
    n = n + 1
    local id = (n % 2 == 0) and ("w" .. ((n * 7919) % $customers + 1)) or ("visitor-" .. n)
    return wrk.format("GET", "/v1/content?customer_id=" .. id .. "&slots=home_hero,sidebar", {["X-Nudge-Site-Key"] = "sk_load"})
end
delay = function() return $delay end
LUA
wrk -t2 -c$connections -d${seconds}s --latency -s "$work/content.lua" "http://127.0.0.1:$port" > "$work/wrk.txt" 2>&1 || true
cat "$work/wrk.txt" >&2
python3 - "$work" "$rate" "$check" <<'PY'
import json, re, sys
work, target, sample = sys.argv[1], float(sys.argv[2]), sys.argv[3]
text = open(work + "/wrk.txt").read()
def ms(v, unit):
    return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
res = {"target_rate": target, "tool": "wrk (closed loop, per-connection delay; no coordinated-omission correction)"}
for q, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M):
    res["p%s_ms" % q] = round(ms(v, u), 3)
m = re.search(r"Requests/sec:\s+([\d.]+)", text)
res["rate"] = float(m.group(1)) if m else None
m = re.search(r"(\d+) requests in", text)
res["requests"] = int(m.group(1)) if m else None
m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
res["non_2xx"] = int(m.group(1)) if m else 0
res["personalized_sample_ok"] = "personalized" in sample
json.dump(res, open(work + "/content.json", "w"))
print(res)
PY
