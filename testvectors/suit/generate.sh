#!/usr/bin/env bash
# Remakes the SUIT vectors (needs python3 with cbor2 and pycose: pip install cbor2 pycose).
set -euo pipefail
cd "$(dirname "$0")"
python3 -c 'import cbor2, pycose' 2>/dev/null || pip install --quiet cbor2 pycose
exec python3 generate.py
