#!/usr/bin/env bash
# Issue 14 benchmark: 10,000 posture entries through `fwgate batch` into PostgreSQL and into
# SQLite, with 1 writer and with 4 concurrent writers (4 batches of 2,500 pairs started
# together, each its own process), entries per second, each inventory audited afterwards.
# PostgreSQL is a throwaway local cluster on loopback (scripts/with-postgres.sh) with its
# default durability (fsync and synchronous commit on: WITH_POSTGRES_DURABLE=1).
# Usage: Benchmarks/inventory-backends.sh [entries (default 10000)] [debug|release (default release)]
set -euo pipefail
cd "$(dirname "$0")/.."
entries=${1:-10000}
mode=${2:-release}
if [ -z "${FWGATE_TEST_POSTGRES_URL:-}" ]; then
    WITH_POSTGRES_DURABLE=1 exec scripts/with-postgres.sh "$0" "$@"
fi
if [ "$mode" = release ]; then
    flags=(-c release --static-swift-stdlib --scratch-path .build-release-static)
else
    flags=()
fi
swift build "${flags[@]}" --product fwgate >/dev/null
# fwgate hands postgresql:// runs to fwgate-pg, built beside it.
swift build "${flags[@]}" --product fwgate-pg >/dev/null
bin=$(swift build "${flags[@]}" --show-bin-path)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vectors=testvectors/mcuboot
trust=(--trust "$vectors/keys/test-ecdsa-p256.pub.pem" --trust "$vectors/keys/test-ed25519.pub.pem")
mkdir "$work/pkgs"
i=0
for f in ecdsa-p256.bin ed25519.bin ecdsa-p256-seccnt7.bin ecdsa-p256-version.bin; do
    for copy in 0 1 2 3 4; do cp "$vectors/$f" "$work/pkgs/pkg-$i.bin"; i=$((i + 1)); done
done
python3 - "$work" "$entries" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
with open(f"{work}/devices.csv", "w") as d, open(f"{work}/all.csv", "w") as m:
    d.write("id,make,model,installedVersion\n"); m.write("file,device\n")
    for i in range(n):
        d.write(f"dev-{i:05d},acme,x1,1.0.0\n"); m.write(f"pkgs/pkg-{i % 20}.bin,dev-{i:05d}\n")
# 4 manifests of n/4 pairs, each over its own 5 packages (one artifact's pairs are one transaction).
for w in range(4):
    with open(f"{work}/part-{w}.csv", "w") as m:
        m.write("file,device\n")
        for i in range(n):
            if (i % 20) // 5 == w: m.write(f"pkgs/pkg-{i % 20}.bin,dev-{i:05d}\n")
PY

base=${FWGATE_TEST_POSTGRES_URL%%\?*}
base=${base%/*}
n=0
run() {  # run BACKEND WRITERS: prints entries/s
    local backend=$1 writers=$2 db
    n=$((n + 1))
    if [ "$backend" = postgresql ]; then
        psql -q "$FWGATE_TEST_POSTGRES_URL" -c "CREATE DATABASE bench_$n" >/dev/null
        db="$base/bench_$n?sslmode=disable"
    else
        db="$work/bench-$n.sqlite"
    fi
    "$bin/fwgate" devices import "$work/devices.csv" --db "$db" --quiet >/dev/null
    local start end
    start=$(date +%s.%N)
    if [ "$writers" = 1 ]; then
        "$bin/fwgate" batch "$work/all.csv" "${trust[@]}" --db "$db" --quiet --jobs 2 --site w0 >/dev/null
    else
        pids=()
        for w in 0 1 2 3; do
            "$bin/fwgate" batch "$work/part-$w.csv" "${trust[@]}" --db "$db" --quiet --jobs 1 --site "w$w" >/dev/null &
            pids+=($!)
        done
        for p in "${pids[@]}"; do wait "$p"; done
    fi
    end=$(date +%s.%N)
    local count audit
    count=$("$bin/fwgate" inventory head --json --db "$db" | python3 -c 'import json,sys; print(json.load(sys.stdin)["entries"])')
    audit=$("$bin/fwgate" inventory audit --db "$db")
    python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'{sys.argv[3]:10} {sys.argv[4]} writer(s): {int(sys.argv[5])} entries in {s:.2f} s = {int(sys.argv[5])/s:,.0f} entries/s; {sys.argv[6]}')" \
        "$start" "$end" "$backend" "$writers" "$count" "${audit%%;*}"
}
echo "fwgate $mode build; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in 1 2; do
    for backend in sqlite postgresql; do
        for writers in 1 4; do run "$backend" "$writers"; done
    done
done
