#!/usr/bin/env bash
# Issue 15 benchmark, in one run: `fwgate inventory report` in each format over an inventory of
# 10,000 devices and 100,000 posture entries, against `fwgate inventory export --format jsonl`
# of the same inventory (target: every report under 2x the export).
#
# The inventory is made by fwgate itself, so the hash chain and every entry are real:
# `devices import` of 10,000 generated devices (5 models, ePHI on most, some without a BAA, some
# past support end), then `batch --at T` rounds, 30 days apart, each verifying a package for
# every device from 20 packages copied from testvectors/mcuboot (valid, tampered, wrongly signed,
# unsigned), each device cycling through ARTIFACTS (default 3) package paths, until exactly
# ENTRIES (default 100,000) entries are recorded. 200 devices are never verified and 200 stop
# being verified after the fifth round (stale at the report time). The audit must pass.
#
# Usage: Benchmarks/fleet-report.sh [devices (default 10000)] [entries (default 100000)]
#        ARTIFACTS=10 Benchmarks/fleet-report.sh      (every entry its own artifact: the worst case)
#        KEEP=/tmp/fleet.sqlite Benchmarks/fleet-report.sh   (also keep a copy of the inventory)
#        ROUNDS=5 Benchmarks/fleet-report.sh          (timing rounds, default 3)
# Prints, per command, its best wall and CPU times over interleaved rounds and their ratio to
# the jsonl export, then the report's summary of the generated fleet.
set -euo pipefail
cd "$(dirname "$0")/.."
devices=${1:-10000}
entries=${2:-100000}
artifacts=${ARTIFACTS:-3}
for tool in bc; do command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$tool"; }; done
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time; }
flags=(-c release --static-swift-stdlib --scratch-path .build-release-static)
swift build "${flags[@]}" --product fwgate >/dev/null
bin=$(swift build "${flags[@]}" --show-bin-path)
fwgate=$bin/fwgate

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
vectors=testvectors/mcuboot
trust=(--trust "$vectors/keys/test-ecdsa-p256.pub.pem" --trust "$vectors/keys/test-ed25519.pub.pem" --trust "$vectors/keys/test-rsa2048.pub.pem")
mkdir "$work/pkgs"
i=0
for f in ecdsa-p256.bin ed25519.bin rsa2048.bin ecdsa-p256-seccnt7.bin ecdsa-p256-payload-flip.bin ecdsa-p256-sig-flip.bin \
    ecdsa-p256-wrong-key.bin unsigned.bin ecdsa-p256-version.bin ed25519-sig-flip.bin; do
    for copy in 0 1; do cp "$vectors/$f" "$work/pkgs/pkg-$i.bin"; i=$((i + 1)); done
done
now=$(date -u +%s)
python3 - "$work" "$devices" "$entries" "$artifacts" "$now" <<'PY'
import datetime, sys
work, devices, entries, artifacts, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
models = [("acme-medical", "pump-x1"), ("acme-medical", "pump-x2"), ("acme-medical", "monitor-m3"), ("breathe", "vent-v5"), ("labcorp", "analyzer-a2")]
with open(f"{work}/devices.csv", "w") as d:
    d.write("id,assetTag,make,model,serialNumber,location,storesEPHI,baaStatus,supportEndDate,installedVersion\n")
    for i in range(devices):
        make, model = models[i % len(models)]
        ephi = "no" if model == "analyzer-a2" else "yes"
        baa = "pending" if i % 97 == 0 else "signed"
        end = "2025-06-30" if i % 41 == 0 else "2031-12-31"
        d.write(f"dev-{i:05d},HX-{i:05d},{make},{model},SN-{i:06d},Ward {i % 40} bed {i % 12},{ephi},{baa},{end},0.1.0\n")
rounds, written = [], 0
r = 0
while written < entries:
    rows = []
    for i in range(devices):
        if i % 50 == 0 or (i % 50 == 1 and r >= 5):
            continue
        rows.append(f"pkgs/pkg-{(i + r % artifacts) % 20}.bin,dev-{i:05d}")
        if written + len(rows) == entries:
            break
    rounds.append(rows)
    written += len(rows)
    r += 1
for r, rows in enumerate(rounds):
    with open(f"{work}/round-{r:02d}.csv", "w") as m:
        m.write("file,device\n" + "\n".join(rows) + "\n")
    at = datetime.datetime.fromtimestamp(now - (len(rounds) - 1 - r) * 30 * 86400, datetime.timezone.utc)
    with open(f"{work}/round-{r:02d}.at", "w") as f:
        f.write(at.strftime("%Y-%m-%dT%H:%M:%SZ"))
PY
db=(--db "$work/inv.sqlite")
"$fwgate" devices import "$work/devices.csv" "${db[@]}" >/dev/null
start=$(date +%s.%N)
for manifest in "$work"/round-*.csv; do
    "$fwgate" batch "$manifest" "${trust[@]}" --at "$(cat "${manifest%.csv}.at")" "${db[@]}" --quiet --jobs 2 >/dev/null || true
done
end=$(date +%s.%N)
count=$("$fwgate" inventory export --format jsonl "${db[@]}" | wc -l)
printf 'inventory: %d devices, %d posture entries (%d batch rounds, %d artifact paths per device) made in %.1f s\n' \
    "$devices" "$count" "$(ls "$work"/round-*.csv | wc -l)" "$artifacts" "$(echo "$end - $start" | bc -l)"
"$fwgate" inventory audit "${db[@]}"
if [ -n "${KEEP:-}" ]; then cp "$work/inv.sqlite" "$KEEP"; echo "inventory kept as $KEEP"; fi

# The machine is shared: run the commands in interleaved rounds (each round runs every command
# once) and keep each command's best wall time and best CPU time (user + system) over ROUNDS
# rounds (default 3), so a burst of load elsewhere hits the baseline and the reports alike.
at=$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)
names=("inventory export --format jsonl" "inventory report --format html" "inventory report --format markdown"
    "inventory report --format json" "inventory report --format prometheus" "inventory export --format cyclonedx")
commands=("export --format jsonl" "report --format html --at $at" "report --format markdown --at $at"
    "report --format json --at $at" "report --format prometheus --at $at" "export --format cyclonedx")
declare -a wall cpu bytes
for ((k = 0; k < ${#commands[@]}; k++)); do wall[k]=999; cpu[k]=999; done
for ((round = 0; round < ${ROUNDS:-3}; round++)); do
    for ((k = 0; k < ${#commands[@]}; k++)); do
        # shellcheck disable=SC2086
        /usr/bin/time -f "%e %U %S" -o "$work/time" "$fwgate" inventory ${commands[k]} "${db[@]}" >"$work/out"
        read -r e u s <"$work/time"
        c=$(echo "$u + $s" | bc -l)
        wall[k]=$(echo "if ($e < ${wall[k]}) $e else ${wall[k]}" | bc -l)
        cpu[k]=$(echo "if ($c < ${cpu[k]}) $c else ${cpu[k]}" | bc -l)
        bytes[k]=$(wc -c <"$work/out")
    done
done
printf '%-40s %8s %6s %8s %6s %11s\n' "command (best of ${ROUNDS:-3})" "wall s" "ratio" "cpu s" "ratio" "bytes"
for ((k = 0; k < ${#commands[@]}; k++)); do
    printf '%-40s %8.2f %5.2fx %8.2f %5.2fx %11d\n' "${names[k]}" "${wall[k]}" "$(echo "${wall[k]} / ${wall[0]}" | bc -l)" \
        "${cpu[k]}" "$(echo "${cpu[k]} / ${cpu[0]}" | bc -l)" "${bytes[k]}"
done
echo "target: every report under 2x the jsonl export"
"$fwgate" inventory report --format markdown --at "$at" "${db[@]}" | sed -n '3,12p'
