#!/usr/bin/env bash
# Mender artifact verification (issue 12), in one run: `fwgate verify` of a signed 256 MiB
# Mender artifact vs `mender-artifact validate -k` of the same file (alternating rounds, files in
# the page cache), and fwgate's peak RSS. Targets: fwgate faster (ratio < 1), peak RSS <= 64 MiB.
# The artifact is made and signed by mender-artifact with a throwaway RSA-3072 key made here.
# Usage: Benchmarks/mender.sh [rounds (default 3)] [runs per round (default 5)] [payload MiB (default 256)]
source "$(dirname "$0")/lib.sh"
rounds=${1:-3}
runs=${2:-5}
mib=${3:-256}
need hyperfine openssl mender-artifact
build_fwgate
make_workdir
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 2>/dev/null | openssl rsa -traditional -out "$WORK/key.pem" 2>/dev/null
openssl pkey -in "$WORK/key.pem" -pubout -out "$WORK/key.pub.pem"
# Half random, half zeros: a payload that compresses as a real root file system does, roughly.
{ head -c $((mib * 512 * 1024)) /dev/urandom; head -c $((mib * 512 * 1024)) /dev/zero; } > "$WORK/rootfs.ext4"
mender-artifact write rootfs-image -t bench-device -n bench-1.0 -f "$WORK/rootfs.ext4" -k "$WORK/key.pem" -o "$WORK/bench.mender" >/dev/null
rm "$WORK/rootfs.ext4"
cat "$WORK/bench.mender" > /dev/null
"$FWGATE" verify "$WORK/bench.mender" --trust "$WORK/key.pub.pem" --quiet >/dev/null || { echo "fwgate did not pass the artifact" >&2; exit 1; }
mender-artifact validate -k "$WORK/key.pub.pem" "$WORK/bench.mender" >/dev/null 2>&1 || { echo "mender-artifact did not pass the artifact" >&2; exit 1; }
load_note
compare "verify a signed Mender artifact ($mib MiB payload, $(($(stat -c %s "$WORK/bench.mender") >> 20)) MiB gzip) vs mender-artifact validate -k" \
    "$rounds" "$runs" \
    "$FWGATE verify $WORK/bench.mender --trust $WORK/key.pub.pem --quiet" "mender-artifact validate -k $WORK/key.pub.pem $WORK/bench.mender"
echo "target: ratio < 1 (fwgate faster)"
echo "fwgate verify peak RSS, $mib MiB Mender artifact: $(peak_rss_mib "$FWGATE" verify "$WORK/bench.mender" --trust "$WORK/key.pub.pem" --quiet) MiB (target <= 64 MiB)"
load_note
