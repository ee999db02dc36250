#!/usr/bin/env bash
# Builds the example fleet of docs/fleet-report-example.png and renders its report:
# README's main job on keys-example/demo (seven devices), plus four devices verified with
# `fwgate verify --record` against committed vectors at earlier times (the same fleet as
# Sources/FwgateTestSupport/FleetFixture.swift, with two older entries so the chart has a history).
#
#   scripts/fleet-report-example.sh OUTDIR       -> OUTDIR/fwgate.sqlite, OUTDIR/fleet.html, OUTDIR/fleet.png
#
# Needs a built ./.build/debug/fwgate (swift build --product fwgate) and, for the PNG, chromium
# (scripts/render-sweep-html.sh installs it). SHRINK=1 is passed through (pngquant).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
fwgate=$PWD/.build/debug/fwgate
db=(--db "$out/fwgate.sqlite")
rm -f "$out/fwgate.sqlite"*
"$fwgate" devices import keys-example/demo/devices.csv "${db[@]}" >/dev/null
"$fwgate" batch keys-example/demo/manifest.csv --policy keys-example/policy.yaml --quiet "${db[@]}" >/dev/null || true
cat >"$out/more-devices.csv" <<'CSV'
id,assetTag,make,model,serialNumber,location,storesEPHI,baaStatus,supportEndDate,clinicalUse
vent-icu-07,HX-40007,breathe,vent-v5,V5-000077,ICU bed 7,yes,pending,2024-12-31,ventilator
lab-analyser-01,HX-30001,labcorp,analyzer-a2,A2-000001,Core lab,no,,2032-01-01,lab analyser
xray-02,HX-50002,breathe,xray-x5,X5-000002,Radiology 2,yes,signed,2033-01-01,imaging
pump-legacy-09,HX-10009,acme-medical,pump-x0,PX0-000009,Ward 2 bed 1,yes,signed,2031-12-31,infusion pump
CSV
"$fwgate" devices import "$out/more-devices.csv" "${db[@]}" >/dev/null
cat >"$out/policy.yaml" <<YAML
version: 1
vendors:
  - name: labcorp
    keys: [$PWD/keys-example/vendor-keys/ecdsa-p256.pub.pem]
    formats: [mcuboot]
  - name: breathe
    keys: [$PWD/testvectors/mcuboot/keys/test-ecdsa-p256.pub.pem]
    formats: [mcuboot]
knownTestKeys:
  allowUnsafe:
    - b0ec0431d91115ff37274a5f24e9a263952df7bc394e76cc5d24b46c141f395a  # keys-example/vendor-keys/ecdsa-p256.pub.pem
YAML
ago() { date -u -d "-$1 days" +%FT%TZ; }
verify=("$fwgate" verify --policy "$out/policy.yaml" --record "${db[@]}")
"${verify[@]}" testvectors/mcuboot/ecdsa-p256.bin --device xray-02 --at "$(ago 260)" >/dev/null
"${verify[@]}" testvectors/mcuboot/ecdsa-p256.bin --device xray-02 --at "$(ago 200)" >/dev/null
"${verify[@]}" testvectors/mcuboot/ecdsa-p256.bin --device vent-icu-07 --at "$(ago 60)" >/dev/null
"${verify[@]}" testvectors/mcuboot/ecdsa-p256-sig-flip.bin --device vent-icu-07 --at "$(ago 10)" >/dev/null || true
"${verify[@]}" keys-example/demo/firmware/pump-x-1.4.0.bin --device lab-analyser-01 --at "$(ago 2)" >/dev/null
"$fwgate" inventory report --format html --output "$out/fleet.html" "${db[@]}"
scripts/render-sweep-html.sh "$out/fleet.html" "$out/fleet.png" 1400x3100 >/dev/null
echo "$out/fleet.html"
echo "$out/fleet.png"
