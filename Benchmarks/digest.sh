#!/usr/bin/env bash
# Streaming SHA-256 (issue 10): `fwgate digest` vs `openssl dgst -sha256` on the same file, in one
# run (alternating rounds), plus fwgate's peak RSS:
#  1. the file in the page cache. Targets: ratio <= 0.95, peak RSS <= 32 MiB.
#  2. the file read from disk: its pages are dropped (dd iflag=nocache) before every run.
# With BASELINE=/path/to/an/older/fwgate, that binary is compared with this one too (warm and
# cold), e.g. a build of the commit before the read-ahead engine.
# Usage: Benchmarks/digest.sh [size-MiB (default 256)] [rounds (default 3)] [runs per round (default 5)]
source "$(dirname "$0")/lib.sh"
size_mib=${1:-256}
rounds=${2:-3}
runs=${3:-5}
need hyperfine openssl python3
build_fwgate
make_workdir
file="$WORK/image.bin"
head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$file"
cat "$file" > /dev/null  # into the page cache for both tools

[ "$("$FWGATE" digest "$file" | cut -d' ' -f1)" = "$(openssl dgst -sha256 -r "$file" | cut -d' ' -f1)" ] \
    || { echo "digests differ" >&2; exit 1; }
load_note
compare "SHA-256 of $size_mib MiB" "$rounds" "$runs" "$FWGATE digest $file" "openssl dgst -sha256 $file"
echo "target: ratio <= 0.95"
echo "fwgate peak RSS: $(peak_rss_mib "$FWGATE" digest "$file") MiB (target <= 32 MiB)"
if [ -n "${BASELINE:-}" ]; then
    compare "SHA-256 of $size_mib MiB, this fwgate vs BASELINE ($BASELINE)" "$rounds" "$runs" \
        "$FWGATE digest $file" "$BASELINE digest $file"
fi
PREPARE="dd if=$file iflag=nocache count=0 status=none"
compare "SHA-256 of $size_mib MiB read from disk (page cache dropped before each run)" "$rounds" "$runs" \
    "$FWGATE digest $file" "openssl dgst -sha256 $file"
echo "target: not slower than the reference when reading from disk"
if [ -n "${BASELINE:-}" ]; then
    compare "SHA-256 of $size_mib MiB read from disk, this fwgate vs BASELINE" "$rounds" "$runs" \
        "$FWGATE digest $file" "$BASELINE digest $file"
fi
unset PREPARE
load_note
