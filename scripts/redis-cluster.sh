#!/usr/bin/env bash
# A local Redis Cluster on loopback for Nudge's cluster tests: 3 masters and 3 replicas
# (`redis-server --cluster-enabled yes`, AOF on, cluster-node-timeout 1 s so a dead master's
# replica takes over within a few seconds), created with `redis-cli --cluster create`.
#   NUDGE_REDIS_CLUSTER_PORT  first port, default 18000; the nodes use it and the 5 after it
# Data and logs live under .data/redis-cluster/<port>/ (git-ignored).
#   usage: scripts/redis-cluster.sh start|stop|status|env
#          scripts/redis-cluster.sh kill PORT     SIGKILL one node (a crash)
#          scripts/redis-cluster.sh revive PORT   start a killed node again from its data
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${NUDGE_DATA_DIR:-$root/.data}/redis-cluster"
base="${NUDGE_REDIS_CLUSTER_PORT:-18000}"
ports=()
for offset in 0 1 2 3 4 5; do ports+=($((base + offset))); done

log() { printf '[redis-cluster] %s\n' "$*"; }
die() { printf '[redis-cluster] error: %s\n' "$*" >&2; exit 1; }

answers() { [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ]; }

start_node() {
    local port=$1 dir="$data/$1"
    mkdir -p "$dir"
    answers "$port" && return 0
    redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" \
        --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 1000 \
        --appendonly yes --appendfsync everysec --save "" \
        --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
        </dev/null >/dev/null 2>&1  # the daemon must not hold a caller's pipes open
    local deadline=$((SECONDS + 30))
    until answers "$port"; do
        [ $SECONDS -lt $deadline ] || die "node $port did not answer within 30s (log: $dir/redis.log)"
        sleep 0.1
    done
}

cluster_ok() { redis-cli -p "$1" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; }

# Every node agrees the cluster is up, and every slot has a master.
wait_ok() {
    local deadline=$((SECONDS + ${1:-30})) port
    for port in "${ports[@]}"; do
        until cluster_ok "$port"; do
            [ $SECONDS -lt $deadline ] || die "cluster not ok within ${1:-30}s (logs in $data)"
            sleep 0.2
        done
    done
}

start() {
    local port
    for port in "${ports[@]}"; do start_node "$port"; done
    local known; known="$(redis-cli -p "$base" cluster info | sed -n 's/^cluster_known_nodes:\([0-9]*\).*/\1/p')"
    if [ "${known:-1}" = 1 ]; then
        local addresses=()
        for port in "${ports[@]}"; do addresses+=("127.0.0.1:$port"); done
        redis-cli --cluster create "${addresses[@]}" --cluster-replicas 1 --cluster-yes >"$data/create.log" 2>&1 \
            || die "redis-cli --cluster create failed, see $data/create.log"
    fi
    wait_ok 60
    log "cluster is up on 127.0.0.1:${ports[0]}-${ports[5]}"
}

stop() {
    local port stopped=0
    for port in "${ports[@]}"; do
        if answers "$port"; then
            redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
            stopped=1
        fi
    done
    [ $stopped = 0 ] || log "cluster stopped"
}

kill_node() {
    local port=$1 pidfile="$data/$1/redis.pid"
    [ -f "$pidfile" ] || die "no pid file for node $port"
    kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
    log "node $port killed"
}

status() {
    local port
    for port in "${ports[@]}"; do
        if answers "$port"; then
            log "$port: $(redis-cli -p "$port" role | head -1)"
        else
            log "$port: down"
        fi
    done
}

print_env() {
    local nodes=() port
    for port in "${ports[@]}"; do nodes+=("127.0.0.1:$port"); done
    local joined; joined="$(IFS=,; echo "${nodes[*]}")"
    cat <<ENV
export NUDGE_REDIS_MODE=cluster
export NUDGE_REDIS_NODES=$joined
ENV
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    env) print_env ;;
    kill) [ -n "${2:-}" ] || die "kill needs a port"; kill_node "$2" ;;
    revive) [ -n "${2:-}" ] || die "revive needs a port"; start_node "$2"; log "node $2 started" ;;
    *) echo "usage: $0 start|stop|status|env|kill PORT|revive PORT" >&2; exit 2 ;;
esac
