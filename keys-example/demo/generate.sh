#!/usr/bin/env bash
# Makes the demo firmware for README's main job: images signed with the EXAMPLE vendor keys of
# keys-example/ (never for production: their private keys are in this repository), a tampered
# copy and an older version, and the device list and manifest that map them to example devices.
# Needs python3 with venv and PyPI access (imgtool 2.5.0, esptool 5.6.0 in a cache folder).
set -euo pipefail
cd "$(dirname "$0")"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/fwgate"
venv="$cache/demo-venv"
[ -x "$venv/bin/imgtool" ] && [ -x "$venv/bin/espsecure" ] || {
    python3 -m venv "$venv" && "$venv/bin/pip" install -q imgtool==2.5.0 esptool==5.6.0
}
keys=../vendor-keys
python3 -c 'import random; r = random.Random(7); open("firmware/pump-payload.bin", "wb").write(bytes(r.getrandbits(8) for _ in range(8192)))'
sign() {  # key version counter output
    "$venv/bin/imgtool" sign -k "$keys/$1.key.pem" -v "$2" -s "$3" -H 0x20 --pad-header -S 0x4000 \
        firmware/pump-payload.bin "firmware/$4" >/dev/null
}
sign ecdsa-p256 1.4.0 3 pump-x-1.4.0.bin
sign ed25519 1.2.0 2 pump-x-1.2.0.bin
# The same 1.4.0 image with one payload bit flipped (a corrupted or tampered download).
python3 - <<'PY'
data = bytearray(open("firmware/pump-x-1.4.0.bin", "rb").read())
data[0x20 + 100] ^= 0x01
open("firmware/pump-x-1.4.0-tampered.bin", "wb").write(data)
PY
# The monitor image: the unsigned ESP-IDF test app, signed with the example RSA-3072 key.
cp ../../testvectors/esp-idf/app-unsigned.bin firmware/monitor-m3-unsigned.bin
"$venv/bin/espsecure" sign-data --version 2 --keyfile "$keys/rsa3072.key.pem" \
    --output firmware/monitor-m3-1.0.0.bin firmware/monitor-m3-unsigned.bin >/dev/null
rm firmware/pump-payload.bin
echo "demo firmware written to firmware/"
