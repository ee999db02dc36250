#!/usr/bin/env bash
# Remakes the raw-signature vectors (needs openssl and python3).
set -euo pipefail
cd "$(dirname "$0")"
exec python3 generate.py
