#!/bin/sh
# A throwaway PostgreSQL server for the registry's tests (tests/test_registry_postgres.py).
#
# Installs Debian's postgresql package where it is missing (apt-get, as root or through sudo),
# makes a cluster of its own in $FOOTPRINT_TEST_PG_DIR (default /tmp/footprint-test-postgres)
# with trust authentication, listening on a Unix socket in that folder only (no TCP port, so it
# never meets another server), starts it unless it runs already, creates the database
# footprint_test, and prints the server's URL on stdout:
#
#   FOOTPRINT_TEST_POSTGRES="$(sh scripts/start-test-postgres.sh)" python -m pytest tests/test_registry_postgres.py
#
# initdb refuses to run as root: as root, the cluster belongs to the postgres user (created
# by the package) and every server command runs as that user. The server runs with fsync off:
# the tests kill clients, never the server, and the data is thrown away.
# Stop it with scripts/stop-test-postgres.sh. Messages go to stderr; stdout is the URL only.
set -eu
DIR="${FOOTPRINT_TEST_PG_DIR:-${TMPDIR:-/tmp}/footprint-test-postgres}"
PORT="${FOOTPRINT_TEST_PG_PORT:-5439}"  # names the socket file only: the server opens no TCP port
DB=footprint_test

say() { echo "start-test-postgres: $*" >&2; }

bindir() {
    found=""
    for candidate in /usr/lib/postgresql/*/bin; do
        if [ -x "$candidate/initdb" ]; then found="$candidate"; fi
    done
    echo "$found"
}

BIN="$(bindir)"
if [ -z "$BIN" ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        say "no PostgreSQL server found (/usr/lib/postgresql/*/bin/initdb) and no apt-get; install PostgreSQL and try again"
        exit 1
    fi
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
            say "PostgreSQL is missing; run as root: apt-get install postgresql"
            exit 1
        fi
    fi
    say "installing postgresql (apt-get)"
    $SUDO apt-get update -qq >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    BIN="$(bindir)"
    if [ -z "$BIN" ]; then say "postgresql installed but no initdb in /usr/lib/postgresql/*/bin"; exit 1; fi
fi

# as root, the cluster is the postgres user's (initdb refuses root)
if [ "$(id -u)" -eq 0 ]; then
    OWNER=postgres
    as_owner() { runuser -u postgres -- "$@"; }
else
    OWNER="$(id -un)"
    as_owner() { "$@"; }
fi

mkdir -p "$DIR"
if [ "$(id -u)" -eq 0 ]; then chown "$OWNER" "$DIR"; fi
chmod 700 "$DIR"

if [ ! -f "$DIR/data/PG_VERSION" ]; then
    say "new cluster in $DIR/data ($("$BIN/postgres" --version))"
    as_owner "$BIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --no-locale --no-sync >"$DIR/initdb.log" 2>&1 || {
        cat "$DIR/initdb.log" >&2; exit 1; }
fi

if ! as_owner "$BIN/pg_ctl" -D "$DIR/data" status >/dev/null 2>&1; then
    as_owner "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-c listen_addresses='' -c unix_socket_directories='$DIR' -p $PORT -c fsync=off -c max_connections=100" \
        start >&2 || { tail -20 "$DIR/server.log" >&2; exit 1; }
fi

if ! as_owner "$BIN/psql" -h "$DIR" -p "$PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'" \
        | grep -q 1; then
    as_owner "$BIN/createdb" -h "$DIR" -p "$PORT" -U postgres "$DB"
fi
echo "postgresql://postgres@/$DB?host=$DIR&port=$PORT"
