#!/bin/sh
# Stop the tests' throwaway PostgreSQL server (scripts/start-test-postgres.sh); with --remove, delete its cluster too.
set -eu
DIR="${FOOTPRINT_TEST_PG_DIR:-${TMPDIR:-/tmp}/footprint-test-postgres}"
BIN=""
for candidate in /usr/lib/postgresql/*/bin; do
    if [ -x "$candidate/pg_ctl" ]; then BIN="$candidate"; fi
done
if [ -n "$BIN" ] && [ -f "$DIR/data/PG_VERSION" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >&2 || true
    else
        "$BIN/pg_ctl" -D "$DIR/data" -m fast stop >&2 || true
    fi
fi
if [ "${1:-}" = "--remove" ]; then rm -rf "$DIR"; fi
