#!/usr/bin/env bash
# Starts and stops Nudge's local services on loopback, each waited on until it answers:
#   tansu  (Kafka protocol, in-memory storage)  NUDGE_KAFKA_PORT     default 19092
#   redis  (AOF on)                              NUDGE_REDIS_PORT     default 16379
#   postgres (own cluster via initdb/pg_ctl)     NUDGE_POSTGRES_PORT  default 15432
#   mail   (aiosmtpd sink, Maildir .data/mail)   NUDGE_MAIL_PORT      default 12525
#   cluster (Redis Cluster, 3+3 nodes, for the cluster tests: scripts/redis-cluster.sh)
#                                                NUDGE_REDIS_CLUSTER_PORT default 18000 (+5)
# Data and logs live under .data/ (git-ignored). `stack.sh env` prints the variables that point
# Nudge and its tests at these services.
#   usage: scripts/stack.sh start|stop|restart|status|env [service...]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${NUDGE_DATA_DIR:-$root/.data}"
tools="$root/.tools"
kafka_port="${NUDGE_KAFKA_PORT:-19092}"
redis_port="${NUDGE_REDIS_PORT:-16379}"
pg_port="${NUDGE_POSTGRES_PORT:-15432}"
mail_port="${NUDGE_MAIL_PORT:-12525}"
pg_user=nudge
pg_db=nudge
pg_password=nudge

log() { printf '[stack] %s\n' "$*"; }
die() { printf '[stack] error: %s\n' "$*" >&2; exit 1; }

pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/pg_ctl" ] && { echo "$dir"; return; }; done
    die "PostgreSQL binaries not found: run scripts/install-deps.sh"
}

# Postgres refuses to run as root, so its cluster belongs to the postgres system user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# wait_for NAME SECONDS COMMAND...: retries COMMAND until it succeeds or SECONDS pass.
wait_for() {
    local name=$1 seconds=$2; shift 2
    local deadline=$((SECONDS + seconds))
    until "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || die "$name did not answer within ${seconds}s (logs in $data)"
        sleep 0.2
    done
    log "$name is up"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_kafka() {
    [ -x "$tools/bin/tansu" ] || die "tansu not installed: run scripts/install-deps.sh"
    mkdir -p "$data/kafka"
    # Something already answers on the port (another checkout's stack): use it.
    if ! pid_alive "$data/kafka/tansu.pid" && \
        ! "$tools/bin/tansu" topic list --broker "tcp://127.0.0.1:$kafka_port" >/dev/null 2>&1; then
        # In-memory storage: topics are created afresh on each start (nudge creates its own).
        nohup "$tools/bin/tansu" broker \
            --listener-url "tcp://127.0.0.1:$kafka_port" \
            --advertised-listener-url "tcp://127.0.0.1:$kafka_port" \
            --storage-engine "memory://tansu/" \
            >"$data/kafka/tansu.log" 2>&1 &
        echo $! >"$data/kafka/tansu.pid"
    fi
    wait_for "kafka (tansu) on 127.0.0.1:$kafka_port" 30 \
        "$tools/bin/tansu" topic list --broker "tcp://127.0.0.1:$kafka_port"
}

stop_kafka() {
    if pid_alive "$data/kafka/tansu.pid"; then
        kill "$(cat "$data/kafka/tansu.pid")" || true
        log "kafka stopped"
    fi
    rm -f "$data/kafka/tansu.pid"
}

start_redis() {
    mkdir -p "$data/redis"
    if ! redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
        redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$data/redis" \
            --appendonly yes --appendfsync everysec --save "" \
            --daemonize yes --pidfile "$data/redis/redis.pid" --logfile "$data/redis/redis.log"
    fi
    # PONG, not just an answer: after a restart Redis answers LOADING until its AOF is read.
    wait_for "redis on 127.0.0.1:$redis_port" 60 redis_ready
}

redis_ready() { [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ]; }

stop_redis() {
    if redis-cli -p "$redis_port" ping >/dev/null 2>&1; then
        redis-cli -p "$redis_port" shutdown nosave >/dev/null 2>&1 || true
        log "redis stopped"
    fi
}

start_postgres() {
    local bin; bin="$(pg_bin)"
    local pgdata="$data/postgres"
    mkdir -p "$pgdata"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$pgdata" && chmod 700 "$pgdata"
    if [ ! -f "$pgdata/PG_VERSION" ]; then
        local pwfile; pwfile="$(mktemp)"
        echo "$pg_password" >"$pwfile"; chmod 644 "$pwfile"
        as_pg "$bin/initdb" -D "$pgdata" -U "$pg_user" --pwfile="$pwfile" --auth=scram-sha-256 \
            --encoding=UTF8 >"$data/postgres-initdb.log" 2>&1 || { rm -f "$pwfile"; die "initdb failed, see $data/postgres-initdb.log"; }
        rm -f "$pwfile"
    fi
    if ! as_pg "$bin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1 && \
        ! "$bin/pg_isready" -h 127.0.0.1 -p "$pg_port" >/dev/null 2>&1; then
        as_pg "$bin/pg_ctl" -D "$pgdata" -l "$pgdata/postgres.log" -w -t 30 \
            -o "-p $pg_port -c listen_addresses=127.0.0.1 -k /tmp" start >/dev/null
    fi
    wait_for "postgres on 127.0.0.1:$pg_port" 30 "$bin/pg_isready" -h 127.0.0.1 -p "$pg_port"
    if ! PGPASSWORD=$pg_password psql -h 127.0.0.1 -p "$pg_port" -U "$pg_user" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$pg_db'" | grep -q 1; then
        PGPASSWORD=$pg_password psql -h 127.0.0.1 -p "$pg_port" -U "$pg_user" -d postgres -qc "CREATE DATABASE $pg_db" >/dev/null
    fi
}

stop_postgres() {
    local bin; bin="$(pg_bin)"
    if [ -f "$data/postgres/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$data/postgres" status >/dev/null 2>&1; then
        as_pg "$bin/pg_ctl" -D "$data/postgres" -m fast -w stop >/dev/null
        log "postgres stopped"
    fi
}

# A local mail sink for the email connector (connectors/email.yaml): every message the
# dispatcher sends lands as a file in .data/mail/maildir/new. Debian's python3-aiosmtpd, run by
# Debian's python (the one on PATH may be another).
mail_up() { (exec 3<>"/dev/tcp/127.0.0.1/$mail_port") 2>/dev/null; }

start_mail() {
    mkdir -p "$data/mail"
    if ! mail_up; then
        nohup /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$mail_port" -c aiosmtpd.handlers.Mailbox \
            "$data/mail/maildir" >"$data/mail/aiosmtpd.log" 2>&1 &
        echo $! >"$data/mail/aiosmtpd.pid"
    fi
    wait_for "mail sink on 127.0.0.1:$mail_port" 20 mail_up
}

stop_mail() {
    if pid_alive "$data/mail/aiosmtpd.pid"; then
        kill "$(cat "$data/mail/aiosmtpd.pid")" || true
        log "mail sink stopped"
    fi
    rm -f "$data/mail/aiosmtpd.pid"
}

start_cluster() { bash "$root/scripts/redis-cluster.sh" start; }
stop_cluster() { bash "$root/scripts/redis-cluster.sh" stop; }

print_env() {
    cat <<ENV
export NUDGE_KAFKA_BROKERS=127.0.0.1:$kafka_port
export NUDGE_REDIS_HOST=127.0.0.1
export NUDGE_REDIS_PORT=$redis_port
export NUDGE_POSTGRES_HOST=127.0.0.1
export NUDGE_POSTGRES_PORT=$pg_port
export NUDGE_POSTGRES_USER=$pg_user
export NUDGE_POSTGRES_PASSWORD=$pg_password
export NUDGE_POSTGRES_DATABASE=$pg_db
export SMTP_HOST=127.0.0.1
export SMTP_PORT=$mail_port
export NUDGE_REDIS_CLUSTER_PORT=${NUDGE_REDIS_CLUSTER_PORT:-18000}
ENV
}

status() {
    pid_alive "$data/kafka/tansu.pid" && log "kafka: running on $kafka_port" || log "kafka: stopped"
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && log "redis: running on $redis_port" || log "redis: stopped"
    pg_isready -h 127.0.0.1 -p "$pg_port" >/dev/null 2>&1 && log "postgres: running on $pg_port" || log "postgres: stopped"
    mail_up && log "mail sink: running on $mail_port" || log "mail sink: stopped"
    bash "$root/scripts/redis-cluster.sh" status
}

command="${1:-}"; shift || true
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(kafka redis postgres mail cluster)
case "$command" in
    start) for s in "${services[@]}"; do "start_$s"; done ;;
    stop) for s in "${services[@]}"; do "stop_$s"; done ;;
    restart) for s in "${services[@]}"; do "stop_$s"; "start_$s"; done ;;
    status) status ;;
    env) print_env ;;
    *) echo "usage: $0 start|stop|restart|status|env [kafka|redis|postgres|mail|cluster ...]" >&2; exit 2 ;;
esac
