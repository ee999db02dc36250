#!/usr/bin/env bash
# Remakes every uImage vector with Debian's u-boot-tools (mkimage, dumpimage) and writes
# expected.json. Byte-for-byte reproducible: fixed payloads, SOURCE_DATE_EPOCH for ih_time.
# Needs: u-boot-tools, python3, gzip.
set -euo pipefail
cd "$(dirname "$0")"
command -v mkimage >/dev/null || { echo "generate.sh: mkimage missing (apt install u-boot-tools)" >&2; exit 1; }
exec python3 generate.py
