#!/usr/bin/env bash
# Issue 5 benchmark, in one run: `fwgate certs sweep` over 10,000 certificate files, recording
# them into a fresh inventory, vs a shell loop of `openssl x509 -noout -enddate` over the same
# files. The certificates are distinct (one test CA, random serials, spread-out notAfter),
# made with python's `cryptography`.
# Usage: Benchmarks/sweep.sh [files (default 10000)]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
for tool in bc; do command -v "$tool" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$tool"; }; done
python3 -c 'import cryptography' 2>/dev/null || pip install -q cryptography
flags=(-c release --static-swift-stdlib --scratch-path .build-release-static)
swift build "${flags[@]}" --product fwgate >/dev/null
bin=$(swift build "${flags[@]}" --show-bin-path)/fwgate

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/certs"
python3 - "$work/certs" "$count" <<'PY'
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
out, n = sys.argv[1], int(sys.argv[2])
ca_key = ec.generate_private_key(ec.SECP256R1())
leaf_key = ec.generate_private_key(ec.SECP256R1())
ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bench CA")])
base = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
for i in range(n):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"device-{i:05d}"), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "fwgate bench")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(ca_name).public_key(leaf_key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(base)
            .not_valid_after(base + datetime.timedelta(days=30 + i % 1000)).sign(ca_key, hashes.SHA256()))
    with open(f"{out}/device-{i:05d}.pem", "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
PY
cat "$work"/certs/* > /dev/null

start=$(date +%s.%N)
"$bin" certs sweep "$work/certs" --db "$work/inv.sqlite" --format json --at 2026-06-01T00:00:00Z > "$work/sweep.json" || true
end=$(date +%s.%N)
fw=$(echo "$end - $start" | bc -l)
found=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['certificates']))" "$work/sweep.json")

start=$(date +%s.%N)
for f in "$work"/certs/*; do openssl x509 -noout -enddate -in "$f"; done > /dev/null
end=$(date +%s.%N)
os=$(echo "$end - $start" | bc -l)

printf '%d files: fwgate certs sweep (parse, bucket, record, JSON) %.3f s (%d certificates); shell loop of openssl x509 -noout -enddate %.3f s\n' \
    "$count" "$fw" "$found" "$os"
printf 'speed-up %.1fx (target >= 50x)\n' "$(echo "$os / $fw" | bc -l)"
