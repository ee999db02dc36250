#!/usr/bin/env bash
# Remakes the TUF vectors (needs python3 with: pip install tuf 'securesystemslib[crypto]').
set -euo pipefail; cd "$(dirname "$0")"; exec python3 generate.py
