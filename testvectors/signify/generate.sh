#!/usr/bin/env bash
# Remakes the signify vectors (needs Debian signify-openbsd and python3).
set -euo pipefail
cd "$(dirname "$0")"
exec python3 generate.py
