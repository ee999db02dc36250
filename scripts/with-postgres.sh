#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster, then stops the cluster and removes it.
#
#   scripts/with-postgres.sh swift test                 # the whole suite, PostgreSQL tests included
#   scripts/with-postgres.sh swift test --filter Postgres
#
# The cluster lives in a new temporary folder (initdb; as the `postgres` user when run as root,
# since PostgreSQL refuses to run as root), listens on 127.0.0.1 at a free port and on a Unix
# socket in that folder, requires a password over TCP (scram-sha-256; random, made here) and
# offers TLS with a self-signed certificate for "localhost". The command sees:
#   FWGATE_TEST_POSTGRES_URL   postgresql://postgres:PASSWORD@127.0.0.1:PORT/fwgate_test?sslmode=disable
#   FWGATE_TEST_POSTGRES_CA    the server certificate (sslrootcert for sslmode=verify-full)
#   FWGATE_TEST_POSTGRES_SOCKET_DIR  the Unix socket folder (local connections: no password)
# Needs Debian's postgresql package (initdb, pg_ctl) and openssl.
set -euo pipefail

bindir=""
if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    bindir=$(pg_config --bindir)
fi
if [ -z "$bindir" ]; then
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "with-postgres: no PostgreSQL server found (initdb); install it: apt-get install -y postgresql" >&2
    exit 2
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/fwgate-pg.XXXXXX")
as_owner=()
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$dir"
    as_owner=(runuser -u postgres --)
fi
chmod 700 "$dir"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password=$(openssl rand -hex 16)
# Tests need no durability across a power cut; benchmarks set WITH_POSTGRES_DURABLE=1 to keep
# PostgreSQL's defaults (fsync, synchronous commit).
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${WITH_POSTGRES_DURABLE:-0}" = 1 ] && durability=""

stop() {
    status=$?
    "${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    exit $status
}
trap stop EXIT INT TERM

"${as_owner[@]}" bash -c "umask 077; printf '%s\n' '$password' > '$dir/pwfile'"
"${as_owner[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --pwfile="$dir/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 2; }
"${as_owner[@]}" openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
    -keyout "$dir/data/server.key" -out "$dir/data/server.crt" >/dev/null 2>&1
cp "$dir/data/server.crt" "$dir/ca.crt"
chmod 644 "$dir/ca.crt"
# Readable by the tests when they run as another user than the cluster's owner.
chmod 711 "$dir"
"${as_owner[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c ssl=on $durability -c max_connections=200" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 2; }
"${as_owner[@]}" "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -q -c "CREATE DATABASE fwgate_test" >/dev/null

export FWGATE_TEST_POSTGRES_URL="postgresql://postgres:$password@127.0.0.1:$port/fwgate_test?sslmode=disable"
export FWGATE_TEST_POSTGRES_CA="$dir/ca.crt"
export FWGATE_TEST_POSTGRES_SOCKET_DIR="$dir"
export FWGATE_TEST_POSTGRES_BINDIR="$bindir"
echo "with-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (cluster in $dir)" >&2
"$@"
