#!/usr/bin/env bash
# Remakes Build/symbol-order/fwgate.txt, the order in which the release link (Package.swift)
# places the functions `fwgate --version` and `fwgate verify` run: first in the executable's
# code, together, so that starting fwgate reads a few contiguous pages of code instead of pages
# spread over its 21 MiB (issue 10: 59 -> 19 code page faults for `fwgate --version`).
#
# It builds the documented release, runs the commands under valgrind's callgrind (instruction-
# level, so every function that runs is seen, however short) and lists the functions of the
# fwgate executable in the order first seen. Remake it after large changes to the start-up or
# verify paths, or a new Swift toolchain; a stale list is harmless (names no longer in the
# executable are skipped, and functions not in it are placed after it, as before).
#
# Needs valgrind (Debian: valgrind) and python3. Usage: Build/symbol-order/make.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v valgrind >/dev/null || { echo "make.sh needs valgrind (apt-get install valgrind)" >&2; exit 2; }
build=(swift build -c release --static-swift-stdlib --scratch-path .build-release --product fwgate)
"${build[@]}" >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/fwgate-order.XXXXXX")
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read the DWARF 5 line tables; the symbol table is all it needs.
cp .build-release/release/fwgate "$work/fwgate"
strip --strip-debug "$work/fwgate"
image=testvectors/mcuboot/ecdsa-p256.bin
key=testvectors/mcuboot/keys/test-ecdsa-p256.pub.pem
profile() {  # profile NAME ARGS...: one callgrind run of fwgate
    local name=$1
    shift
    valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/$name.out" "$work/fwgate" "$@" >/dev/null 2>&1 \
        || { echo "make.sh: fwgate $* failed under valgrind; the profile would miss its path" >&2; exit 1; }
}
profile version --version
profile verify verify "$image" --trust "$key"
profile verify-json verify "$image" --trust "$key" --json
profile verify-quiet verify "$image" --trust "$key" --quiet
profile digest digest "$image"
python3 Build/symbol-order/functions.py /fwgate \
    "$work/version.out" "$work/verify.out" "$work/verify-json.out" "$work/verify-quiet.out" "$work/digest.out" \
    > Build/symbol-order/fwgate.txt
echo "Build/symbol-order/fwgate.txt: $(wc -l < Build/symbol-order/fwgate.txt) functions"
