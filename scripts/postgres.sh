#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for tests and local use; nothing system-wide.
#   scripts/postgres.sh install   apt-installs the server packages if they are missing
#   scripts/postgres.sh start DIR [PORT]   initialises DIR (once) and starts the server
#   scripts/postgres.sh stop DIR
set -euo pipefail

bin_dir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] || { echo "postgres.sh: no PostgreSQL server found; run: $0 install" >&2; exit 1; }
    echo "$dir"
}

# initdb and the server refuse to run as root: run them as the `postgres` user when root.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
    install)
        if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        fi
        ;;
    start)
        dir=$(realpath -m "${2:?data directory}")
        port=${3:-54329}
        bin=$(bin_dir)
        mkdir -p "$dir"
        [ "$(id -u)" = 0 ] && chown postgres "$dir"
        if [ ! -f "$dir/PG_VERSION" ]; then
            as_owner "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
        fi
        as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off" start >/dev/null
        ;;
    stop)
        dir=$(realpath -m "${2:?data directory}")
        if [ -f "$dir/postmaster.pid" ]; then
            as_owner "$(bin_dir)/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
        fi
        ;;
    *)
        echo "usage: $0 install | start DIR [PORT] | stop DIR" >&2
        exit 2
        ;;
esac
