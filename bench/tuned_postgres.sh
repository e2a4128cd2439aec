#!/usr/bin/env bash
# A scratch PostgreSQL server with the settings docs/operations.md recommends for production,
# for benchmarks only: the machine's own server keeps Debian's defaults (shared_buffers 128 MB,
# max_wal_size 1 GB), which suit a laptop, not a registry of millions.
#
#   bench/tuned_postgres.sh start    # initdb into /tmp/ruhui-pg-tuned, listen on 127.0.0.1:5433
#   BENCH_PG=postgres://postgres@127.0.0.1:5433/ruhui_bench .venv/bin/python bench/bench_import.py
#   bench/tuned_postgres.sh stop     # stop it and delete its files
#
# Uses the PostgreSQL binaries already installed (Debian: /usr/lib/postgresql/<version>/bin);
# run as root it starts the server as the postgres user.
set -euo pipefail

DIR="${TUNED_PG_DIR:-/tmp/ruhui-pg-tuned}"
PORT="${TUNED_PG_PORT:-5433}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[ -x "$BIN/initdb" ] || { echo "no PostgreSQL binaries under /usr/lib/postgresql" >&2; exit 1; }

as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
  start)
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    as_pg "$BIN/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$DIR/data/postgresql.conf" <<EOF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
# docs/operations.md, "PostgreSQL 设置": memory for the member table's indexes, and WAL room so
# that a large import does not force checkpoints (each one makes the next change of every
# index page write the whole page to WAL again).
shared_buffers = 2GB
wal_buffers = 64MB
max_wal_size = 16GB
min_wal_size = 2GB
checkpoint_timeout = 30min
checkpoint_completion_target = 0.9
wal_compression = lz4
maintenance_work_mem = 512MB
effective_cache_size = 12GB
random_page_cost = 1.1
EOF
    as_pg "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w start >/dev/null
    echo "tuned PostgreSQL on 127.0.0.1:$PORT (data in $DIR)"
    ;;
  stop)
    if [ -d "$DIR/data" ]; then as_pg "$BIN/pg_ctl" -D "$DIR/data" -m fast -w stop >/dev/null || true; fi
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
