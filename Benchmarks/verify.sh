#!/usr/bin/env bash
# MCUboot verification (issue 10), in one run:
#  1. `fwgate verify` of a 16 MiB ECDSA P-256 image vs `openssl dgst -sha256` of the same file
#     (alternating rounds; files in the page cache). Target: ratio <= 1.3.
#  2. peak RSS of `fwgate verify` of a 2 GiB image. Target: <= 32 MiB.
# Images are signed with imgtool (PyPI, cached virtualenv) and the repository's test key.
# Usage: Benchmarks/verify.sh [rounds (default 3)] [runs per round (default 20)] [big-MiB (default 2048)]
source "$(dirname "$0")/lib.sh"
rounds=${1:-3}
runs=${2:-20}
big_mib=${3:-2048}
need hyperfine openssl python3
build_fwgate
make_workdir
make_mcuboot_image 16 "$WORK/img16.bin"
cat "$WORK/img16.bin" > /dev/null
"$FWGATE" verify "$WORK/img16.bin" --trust "$MCUBOOT_PUB" --quiet >/dev/null \
    || { echo "fwgate did not pass the 16 MiB image" >&2; exit 1; }
load_note
compare "verify a 16 MiB MCUboot image vs openssl dgst -sha256 of it" "$rounds" "$runs" \
    "$FWGATE verify $WORK/img16.bin --trust $MCUBOOT_PUB --quiet" "openssl dgst -sha256 $WORK/img16.bin"
echo "target: ratio <= 1.3"
echo "fwgate verify peak RSS, 16 MiB image: $(peak_rss_mib "$FWGATE" verify "$WORK/img16.bin" --trust "$MCUBOOT_PUB" --quiet) MiB"

make_mcuboot_image "$big_mib" "$WORK/big.bin"
"$FWGATE" verify "$WORK/big.bin" --trust "$MCUBOOT_PUB" --quiet >/dev/null \
    || { echo "fwgate did not pass the $big_mib MiB image" >&2; exit 1; }
echo "fwgate verify peak RSS, $big_mib MiB image: $(peak_rss_mib "$FWGATE" verify "$WORK/big.bin" --trust "$MCUBOOT_PUB" --quiet) MiB (target <= 32 MiB)"
load_note
