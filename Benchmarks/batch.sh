#!/usr/bin/env bash
# Batch (issue 10): `fwgate batch --jobs 2 --no-record` over N MCUboot images of 1 MiB vs one
# `openssl dgst -sha256` process over all of them, in one run (alternating rounds; files in the
# page cache). Prints the throughput of fwgate relative to openssl. Target: >= 1.6.
# Usage: Benchmarks/batch.sh [images (default 2000)] [rounds (default 3)] [runs per round (default 3)]
source "$(dirname "$0")/lib.sh"
count=${1:-2000}
rounds=${2:-3}
runs=${3:-3}
need hyperfine openssl python3
build_fwgate
make_workdir
mkdir "$WORK/images"
# 20 distinct signed images, each copied to make up the count.
for i in $(seq 0 19); do make_mcuboot_image 1 "$WORK/seed-$i.bin"; done
for i in $(seq 0 $((count - 1))); do cp "$WORK/seed-$((i % 20)).bin" "$WORK/images/img-$(printf %05d "$i").bin"; done
rm "$WORK"/seed-*.bin
cat "$WORK"/images/* > /dev/null
"$FWGATE" batch "$WORK/images" --trust "$MCUBOOT_PUB" --jobs 2 --no-record --quiet >/dev/null \
    || { echo "fwgate batch did not pass every image" >&2; exit 1; }
load_note
compare "batch: $count x 1 MiB, fwgate --jobs 2 vs one openssl dgst -sha256 over all" "$rounds" "$runs" \
    "$FWGATE batch $WORK/images --trust $MCUBOOT_PUB --jobs 2 --no-record --quiet" \
    "openssl dgst -sha256 $(echo "$WORK"/images/*)"
echo "throughput fwgate/openssl: $(awk -v r="$RATIO" 'BEGIN { printf "%.3f", 1 / r }') (target >= 1.6)"
load_note
