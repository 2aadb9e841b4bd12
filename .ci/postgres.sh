#!/usr/bin/env bash
# Start a throw-away PostgreSQL server for the archive's tests and print the line that
# points the tests at it:   eval "$(.ci/postgres.sh)"
# Installs PostgreSQL with apt when absent (CI runs as root on a fresh Debian/Ubuntu);
# the server runs as the `postgres` user, data in $KGXP_PG_DATA, port $KGXP_PG_PORT.
set -euo pipefail
PORT="${KGXP_PG_PORT:-55432}"
DATA="${KGXP_PG_DATA:-/tmp/kgxp-postgres-$PORT}"
find_bin() { ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname; }
BIN="$(find_bin)"
if [ -z "$BIN" ]; then
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    BIN="$(find_bin)"
fi
as_postgres() {
    if [ "$(id -un)" = postgres ]; then "$@"; else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
}
if [ "$(id -u)" = 0 ]; then
    mkdir -p "$DATA" && chown postgres: "$DATA"
fi
if [ ! -f "$DATA/PG_VERSION" ]; then
    as_postgres "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >&2
fi
if ! as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    as_postgres "$BIN/pg_ctl" -D "$DATA" -w -l "$DATA/server.log" \
        -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1" start >&2
fi
as_postgres "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'kgxp_test'" | grep -q 1 ||
    as_postgres "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres kgxp_test >&2
echo "export KGXP_TEST_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:$PORT/kgxp_test"
