#!/usr/bin/env bash
# What one event costs Redis and the engine (the inputs of docs/capacity.md): produces
# LT_EVENTS [200000] realistic events (Zipf s=1 over LT_CUSTOMERS [1000000] customers) to a fresh
# topic, runs `nudge engine` with the sample rules until its group has committed them all, and
# reports Redis commands (INFO commandstats, in-script calls included), Redis CPU, network bytes
# and the engine's CPU per event, and Redis memory per customer key afterwards.
#   bash loadtest/redis-cost.sh     (after loadtest/run.sh or soak.sh built nudge and nudge-load)
# Uses a PRIVATE stack (scripts/stack.sh on LT_KAFKA_PORT [19192], LT_REDIS_PORT [16479]) and writes
# loadtest/results/redis-cost-<timestamp>.md, then stops that stack (LT_KEEP_STACK=1 keeps it).
# Figures are measured, not asserted.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
lt="$root/loadtest"
export NUDGE_DATA_DIR="${LT_DATA_DIR:-$lt/.data}"
export NUDGE_KAFKA_PORT="${LT_KAFKA_PORT:-19192}"
export NUDGE_REDIS_PORT="${LT_REDIS_PORT:-16479}"
export NUDGE_POSTGRES_PORT="${LT_POSTGRES_PORT:-15532}"
brokers="127.0.0.1:$NUDGE_KAFKA_PORT"
redis_port="$NUDGE_REDIS_PORT"
events="${LT_EVENTS:-200000}"
customers="${LT_CUSTOMERS:-1000000}"
nudge_bin="${NUDGE_BINARY:-$root/.build-release/release/nudge}"
load="$lt/.build/release/nudge-load"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
name="rc${stamp,,}"
out="$lt/results/redis-cost-$stamp.md"
[ -x "$nudge_bin" ] || { echo "no nudge at $nudge_bin: run loadtest/run.sh once, or set NUDGE_BINARY" >&2; exit 1; }
[ -x "$load" ] || { echo "no nudge-load at $load: run loadtest/run.sh once" >&2; exit 1; }
loadavg="$(cat /proc/loadavg)"

bash "$root/scripts/stack.sh" restart kafka redis >&2
for t in events outbound dead-letter feedback; do
    "$root/.tools/bin/tansu" topic create "$name.$t" --partitions 8 --broker "tcp://$brokers" >/dev/null
done
"$load" produce --brokers "$brokers" --topic "$name.events" --count "$events" --mix realistic \
    --customers "$customers" --max-seconds 120 >/dev/null
redis-cli -p "$redis_port" flushall >/dev/null
redis-cli -p "$redis_port" config resetstat >/dev/null
cpu() { redis-cli -p "$redis_port" info cpu | awk -F: '/^used_cpu_(sys|user):/ {s += $2} END {printf "%.3f", s}'; }
redis_cpu0=$(cpu)
env NUDGE_KAFKA_BROKERS="$brokers" NUDGE_REDIS_HOST=127.0.0.1 NUDGE_REDIS_PORT="$redis_port" \
    NUDGE_REDIS_KEY_PREFIX="$name" NUDGE_TOPICS_EVENTS="$name.events" NUDGE_TOPICS_DEAD_LETTER="$name.dead-letter" \
    NUDGE_TOPICS_OUTBOUND="$name.outbound" NUDGE_TOPICS_FEEDBACK="$name.feedback" NUDGE_TOPICS_PARTITIONS=8 \
    NUDGE_ENGINE_GROUP_ID="$name-engine" NUDGE_HTTP_HOST=127.0.0.1 NUDGE_HTTP_PORT="${LT_HTTP_PORT:-18090}" \
    NUDGE_RULES_DIRECTORY="$root/rules" NUDGE_LOG_LEVEL=notice "$nudge_bin" engine >"$NUDGE_DATA_DIR/$name-engine.log" 2>&1 &
engine_pid=$!
finish() {
    kill "$engine_pid" 2>/dev/null || true
    [ "${LT_KEEP_STACK:-0}" = 1 ] || bash "$root/scripts/stack.sh" stop kafka redis >&2 || true
}
trap finish EXIT
drain="$("$load" wait-lag --brokers "$brokers" --topic "$name.events" --group "$name-engine" --total "$events" \
    --max-seconds 300 | jq -c 'del(.timeline)')"
engine_cpu=$(awk '{printf "%.2f", ($14 + $15) / 100}' "/proc/$engine_pid/stat")
redis_cpu1=$(cpu)
stats="$(redis-cli -p "$redis_port" info stats)"
stat() { echo "$stats" | awk -F: -v k="$1" '$1 == k {print $2 + 0}'; }
commands=$(redis-cli -p "$redis_port" info commandstats | awk -F'[=,:]' '/^cmdstat_/ && !/info|config|resetstat/ {s += $3} END {print s}')
top=$(redis-cli -p "$redis_port" info commandstats | awk -F'[=,:]' '/^cmdstat_/ {print $1 " " $3}' |
    sed 's/cmdstat_//' | sort -k2 -n -r | head -8 | awk '{printf "%s %s, ", $1, $2}')
memory=$(redis-cli -p "$redis_port" info memory | awk -F: '/^used_memory:/ {print $2 + 0}')
customer_keys=$(redis-cli -p "$redis_port" --scan --pattern "$name:cust:*" | wc -l)
kill "$engine_pid" 2>/dev/null || true
python3 - "$events" "$commands" "$redis_cpu0" "$redis_cpu1" "$(stat total_net_input_bytes)" \
    "$(stat total_net_output_bytes)" "$engine_cpu" "$memory" "$customer_keys" "$drain" "$top" "$loadavg" \
    "$(git -C "$root" rev-parse --short HEAD)" > "$out" <<'PY'
import json, sys
(events, commands, cpu0, cpu1, net_in, net_out, engine_cpu, memory, keys, drain, top, load, commit) = sys.argv[1:]
events, commands, keys, memory = int(events), int(commands), int(keys), int(memory)
redis_cpu = float(cpu1) - float(cpu0)
drain = json.loads(drain)
print(f"""# Redis and engine cost per event ({commit})

Produced by `bash loadtest/redis-cost.sh`: {events:,} realistic events (Zipf s=1 over 1M customers),
the sample rules, one `nudge engine`, Tansu and Redis on this machine. Load average at start: {load}.

| figure | per event | total |
|---|---|---|
| Redis commands (in-script calls included) | {commands / events:.2f} | {commands:,} ({top.rstrip(', ')}) |
| Redis CPU (used_cpu_user + sys) | {redis_cpu / events * 1e6:.1f} us | {redis_cpu:.2f} s |
| bytes to / from Redis | {int(net_in) / events:.0f} B / {int(net_out) / events:.0f} B | {int(net_in):,} B / {int(net_out):,} B |
| engine CPU (process total, start-up included) | {float(engine_cpu) / events * 1e6:.1f} us | {engine_cpu} s |
| engine drain | {drain.get('rate', 0):,.0f} ev/s | drained: {drain.get('drained')} in {drain.get('seconds', 0):.1f} s |
| Redis memory after the run | {memory / max(keys, 1):.0f} B per customer key ({keys:,} customers touched) | {memory:,} B |
""")
PY
cat "$out"
