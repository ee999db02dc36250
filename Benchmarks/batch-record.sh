#!/usr/bin/env bash
# Issue 4 benchmarks, in one run:
#  1. recording: `fwgate batch` over a manifest of 10,000 device rows sharing 20 packages, into a
#     fresh inventory: entries per second, and the ratio to a bare GRDB insert loop of the same
#     number of rows (Benchmarks/InventoryBench);
#  2. scaling: `fwgate batch --no-record` over 16 CPU-bound 32 MiB images, --jobs 1 vs --jobs 2.
# Usage: Benchmarks/batch-record.sh [devices (default 10000)]
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-10000}
for tool in bc; do command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$tool"; }; done
flags=(-c release --static-swift-stdlib --scratch-path .build-release-static)
swift build "${flags[@]}" --product fwgate >/dev/null
swift build "${flags[@]}" --product fwgate-inventory-bench >/dev/null
bin=$(swift build "${flags[@]}" --show-bin-path)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vectors=testvectors/mcuboot
trust=(--trust "$vectors/keys/test-ecdsa-p256.pub.pem" --trust "$vectors/keys/test-ed25519.pub.pem" --trust "$vectors/keys/test-rsa2048.pub.pem")
mkdir "$work/pkgs"
i=0
for f in ecdsa-p256.bin ed25519.bin rsa2048.bin ecdsa-p256-seccnt7.bin ecdsa-p256-version.bin; do
    for copy in 0 1 2 3; do cp "$vectors/$f" "$work/pkgs/pkg-$i.bin"; i=$((i + 1)); done
done
python3 - "$work" "$devices" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
with open(f"{work}/devices.csv", "w") as d, open(f"{work}/manifest.csv", "w") as m:
    d.write("id,make,model,installedVersion\n"); m.write("file,device\n")
    for i in range(n):
        d.write(f"dev-{i:05d},acme,x1,1.0.0\n"); m.write(f"pkgs/pkg-{i % 20}.bin,dev-{i:05d}\n")
PY
"$bin/fwgate" devices import "$work/devices.csv" --db "$work/inv.sqlite" >/dev/null
start=$(date +%s.%N)
"$bin/fwgate" batch "$work/manifest.csv" "${trust[@]}" --db "$work/inv.sqlite" --quiet --jobs 2 >/dev/null
end=$(date +%s.%N)
batch_s=$(echo "$end - $start" | bc -l)
"$bin/fwgate" inventory audit --db "$work/inv.sqlite"
baseline=$("$bin/fwgate-inventory-bench" "$work/bare.sqlite" "$devices")
bare_rate=$(echo "$baseline" | sed -E 's/.*= ([0-9]+) rows\/s/\1/')
rate=$(echo "$devices / $batch_s" | bc -l)
printf 'batch: %d posture entries (20 packages) in %.3f s = %.0f entries/s (target >= 5000)\n' "$devices" "$batch_s" "$rate"
echo "$baseline"
printf 'ratio batch/bare insert loop: %.2f\n' "$(echo "$rate / $bare_rate" | bc -l)"

# Scaling on CPU-bound images.
mkdir "$work/big"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/fwgate/bench-venv"
[ -x "$venv/bin/imgtool" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q imgtool==2.5.0; }
"$venv/bin/imgtool" keygen -k "$work/key.pem" -t ecdsa-p256
"$venv/bin/imgtool" getpub -k "$work/key.pem" -e pem > "$work/key.pub.pem"
head -c $((32 * 1024 * 1024)) /dev/urandom > "$work/payload.bin"
"$venv/bin/imgtool" sign -k "$work/key.pem" -v 1.0.0 -H 0x20 --pad-header -S $((33 * 1024 * 1024)) "$work/payload.bin" "$work/big/img-0.bin" >/dev/null
for n in $(seq 1 15); do cp "$work/big/img-0.bin" "$work/big/img-$n.bin"; done
cat "$work"/big/* > /dev/null
best() {  # best of 3 wall times
    local b=999
    for _ in 1 2 3; do
        local s e t; s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N); t=$(echo "$e - $s" | bc -l)
        b=$(echo "if ($t < $b) $t else $b" | bc -l)
    done
    echo "$b"
}
j1=$(best "$bin/fwgate" batch "$work/big" --trust "$work/key.pub.pem" --no-record --quiet --jobs 1)
j2=$(best "$bin/fwgate" batch "$work/big" --trust "$work/key.pub.pem" --no-record --quiet --jobs 2)
printf 'scaling (16 x 32 MiB images, best of 3): --jobs 1 %.3f s, --jobs 2 %.3f s, speed-up %.2fx (target >= 1.8x)\n' \
    "$j1" "$j2" "$(echo "$j1 / $j2" | bc -l)"
