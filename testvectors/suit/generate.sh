#!/usr/bin/env bash
# Remakes the SUIT vectors (needs python3 with cbor2 and pycose: pip install cbor2 pycose).
set -euo pipefail
cd "$(dirname "$0")"
python3 -c 'import cbor2, pycose' 2>/dev/null || pip install --quiet cbor2 pycose
python3 generate.py
# draft-ietf-suit-manifest Example 0, rebuilt from the draft and checked against its printed digest and signature.
python3 ietf_example.py
