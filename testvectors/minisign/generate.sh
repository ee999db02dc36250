#!/usr/bin/env bash
# Remakes the minisign vectors (needs Debian minisign and python3).
set -euo pipefail
cd "$(dirname "$0")"
exec python3 generate.py
