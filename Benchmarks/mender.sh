#!/usr/bin/env bash
# Mender artifact verification (issue 12), in one run: `fwgate verify` of a signed Mender
# artifact with a 256 MiB payload vs `mender-artifact validate -k` of the same file (alternating
# rounds, files in the page cache), and fwgate's peak RSS. Targets: fwgate faster (ratio < 1),
# peak RSS <= 64 MiB. Two payloads, each in its own artifact:
#  1. rootfs: an ext4 root file system image (mkfs.ext4 -d) 3/4 full of this machine's own
#     programs and shared libraries (and this repository's sources as text), the rest free
#     space: what a rootfs-image update carries. The share of free space matters: zeros are
#     what zlib inflates slowly (see 2); a quarter is a modest reserve.
#  2. half-zero: half random bytes, half zeros. The zeros inflate through zlib's byte-at-a-time
#     copy of distance-1 matches (zlib 1.2.13, about 0.6 GB/s here), which alone takes longer
#     than mender-artifact's whole run (Go's inflater copies such matches in blocks): a limit
#     of the zlib fwgate links, reported beside the first.
# Artifacts are made and signed by mender-artifact with a throwaway RSA-3072 key made here.
# Usage: Benchmarks/mender.sh [rounds (default 3)] [runs per round (default 5)] [payload MiB (default 256)]
source "$(dirname "$0")/lib.sh"
rounds=${1:-3}
runs=${2:-5}
mib=${3:-256}
need hyperfine openssl mender-artifact mkfs.ext4
build_fwgate
make_workdir
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 2>/dev/null | openssl rsa -traditional -out "$WORK/key.pem" 2>/dev/null
openssl pkey -in "$WORK/key.pem" -pubout -out "$WORK/key.pub.pem"

# 1. An ext4 root file system 3/4 full of real files: the programs in the folder that holds
#    `openssl` on PATH (those under 3 MiB), then the shared libraries in the folder of the
#    libcrypto it loads, and this repository's sources and docs as text; the last quarter is
#    free space (zeros), as on a device image with room to grow.
programs=$(dirname "$(command -v openssl)")
libraries=$(dirname "$(ldd "$(command -v openssl)" | awk '/libcrypto/ { print $3 }')")
mkdir -p "$WORK/tree/bin" "$WORK/tree/lib" "$WORK/tree/share/fwgate"
cp -r Sources docs README.md "$WORK/tree/share/fwgate/"
find "$programs" -maxdepth 1 -type f -size -3M -exec cp {} "$WORK/tree/bin/" \; 2>/dev/null
for library in $(find "$libraries" -maxdepth 1 -type f -name '*.so*' -size -8M | sort); do
    [ "$(du -sm "$WORK/tree" | cut -f1)" -ge $((mib * 3 / 4)) ] && break
    cp "$library" "$WORK/tree/lib/"
done
while [ "$(du -sm "$WORK/tree" | cut -f1)" -gt $((mib * 3 / 4)) ]; do
    find "$WORK/tree/bin" -type f | awk 'NR <= 20' | xargs rm -f
done
truncate -s "${mib}M" "$WORK/rootfs.ext4"
mkfs.ext4 -q -F -d "$WORK/tree" "$WORK/rootfs.ext4"
rm -rf "$WORK/tree"
mender-artifact write rootfs-image -t bench-device -n bench-1.0 -f "$WORK/rootfs.ext4" -k "$WORK/key.pem" -o "$WORK/rootfs.mender" >/dev/null
rm "$WORK/rootfs.ext4"

# 2. Half random, half zeros.
{ head -c $((mib * 512 * 1024)) /dev/urandom; head -c $((mib * 512 * 1024)) /dev/zero; } > "$WORK/half.img"
mender-artifact write rootfs-image -t bench-device -n bench-1.0 -f "$WORK/half.img" -k "$WORK/key.pem" -o "$WORK/half-zero.mender" >/dev/null
rm "$WORK/half.img"

for name in rootfs half-zero; do
    artifact="$WORK/$name.mender"
    cat "$artifact" > /dev/null
    "$FWGATE" verify "$artifact" --trust "$WORK/key.pub.pem" --quiet >/dev/null || { echo "fwgate did not pass $name.mender" >&2; exit 1; }
    mender-artifact validate -k "$WORK/key.pub.pem" "$artifact" >/dev/null 2>&1 || { echo "mender-artifact did not pass $name.mender" >&2; exit 1; }
    load_note
    compare "$name: verify a signed Mender artifact ($mib MiB payload, $(($(stat -c %s "$artifact") >> 20)) MiB gzip) vs mender-artifact validate -k" \
        "$rounds" "$runs" \
        "$FWGATE verify $artifact --trust $WORK/key.pub.pem --quiet" "mender-artifact validate -k $WORK/key.pub.pem $artifact"
    echo "target: ratio < 1 (fwgate faster)"
    echo "fwgate verify peak RSS, $name: $(peak_rss_mib "$FWGATE" verify "$artifact" --trust "$WORK/key.pub.pem" --quiet) MiB (target <= 64 MiB)"
done
load_note
