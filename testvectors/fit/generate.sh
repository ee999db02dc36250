#!/usr/bin/env bash
# Remakes every FIT vector with Debian's u-boot-tools (mkimage, dumpimage), device-tree-compiler
# (dtc, fdtput) and python3-libfdt, and writes expected.json. Keys are made once (keys/, TEST
# keys whose private halves are committed on purpose: never trust them); RSA PKCS#1 v1.5
# signatures are reproducible, PSS and ECDSA ones are randomised.
# Needs: u-boot-tools, device-tree-compiler, python3-libfdt, openssl (Debian's /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")"
for tool in mkimage dumpimage dtc fdtput openssl; do
    command -v "$tool" >/dev/null || { echo "generate.sh: $tool missing" >&2; exit 1; }
done
/usr/bin/python3 -c 'import libfdt' 2>/dev/null || { echo "generate.sh: python3-libfdt missing (apt install python3-libfdt)" >&2; exit 1; }
exec /usr/bin/python3 generate.py
