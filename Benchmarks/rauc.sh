#!/usr/bin/env bash
# RAUC bundle verification (issue 12), in one run: `fwgate verify` of a plain RAUC bundle with a
# 256 MiB image vs `rauc info --keyring=ROOT` of the same file (alternating rounds, the file in
# the page cache), and fwgate's peak RSS. Targets: fwgate faster (ratio < 1), peak RSS <= 64 MiB.
#
# The bundle is made and signed by `rauc bundle` with testvectors/rauc's TEST signer under
# keys-example's EXAMPLE intermediate (published keys, never for production). The image is random
# bytes: mksquashfs (rauc's default arguments, gzip) finds no block that compresses and stores
# them all uncompressed, as it would an encrypted or already compressed root file system.
# fwgate checks the signature over the squashfs and the image's size and sha256 from its manifest;
# `rauc info` checks the signature and reads the manifest (not the image). Both check the
# signer's chain with the code-signing purpose (rauc: check-purpose=codesign in a system.conf
# made here, as testvectors/rauc/vectors.py does).
# Usage: Benchmarks/rauc.sh [rounds (default 3)] [runs per round (default 5)] [image MiB (default 256)]
source "$(dirname "$0")/lib.sh"
rounds=${1:-3}
runs=${2:-5}
mib=${3:-256}
need hyperfine rauc mksquashfs
build_fwgate
make_workdir
ROOT=keys-example/pki-rsa/root.pem
mkdir "$WORK/bundle"
head -c $((mib << 20)) /dev/urandom >"$WORK/bundle/rootfs.ext4"
printf '[update]\ncompatible=bench-device\nversion=1.0.0\n\n[image.rootfs]\nfilename=rootfs.ext4\n' >"$WORK/bundle/manifest.raucm"
rauc bundle --cert=testvectors/rauc/keys/signer.pem --key=testvectors/rauc/keys/signer.key.pem \
    --intermediate=keys-example/pki-rsa/intermediate.pem "$WORK/bundle" "$WORK/bench.raucb" >/dev/null 2>&1
rm -r "$WORK/bundle"
printf '[system]\ncompatible=bench-device\nbootloader=noop\n\n[keyring]\ncheck-purpose=codesign\n' >"$WORK/system.conf"
cat "$WORK/bench.raucb" >/dev/null
"$FWGATE" verify "$WORK/bench.raucb" --trust "$ROOT" --quiet >/dev/null || { echo "fwgate did not pass the bundle" >&2; exit 1; }
"$FWGATE" verify "$WORK/bench.raucb" --trust "$ROOT" --json | grep -q '"manifest.entry-mismatch"' \
    || { echo "fwgate did not check the image" >&2; exit 1; }
rauc --conf="$WORK/system.conf" info --keyring="$ROOT" "$WORK/bench.raucb" >/dev/null 2>&1 || { echo "rauc info did not pass the bundle" >&2; exit 1; }
load_note
compare "verify a plain RAUC bundle ($mib MiB image, $(($(stat -c %s "$WORK/bench.raucb") >> 20)) MiB bundle) vs rauc info --keyring" \
    "$rounds" "$runs" \
    "$FWGATE verify $WORK/bench.raucb --trust $ROOT --quiet" "rauc --conf=$WORK/system.conf info --keyring=$ROOT $WORK/bench.raucb"
echo "target: ratio < 1 (fwgate faster)"
echo "fwgate verify peak RSS, $mib MiB RAUC bundle: $(peak_rss_mib "$FWGATE" verify "$WORK/bench.raucb" --trust "$ROOT" --quiet) MiB (target <= 64 MiB)"
load_note
