#!/usr/bin/env bash
# Remakes the RAUC bundle vectors with Debian's rauc (1.8) and squashfs-tools, then the tampered
# and hand-made twins and expected.json (vectors.py, with `rauc info` as the reference), and the
# squashfs reader's images in squashfs/ (mksquashfs, reproducible) with their expected.json.
#
# Usage: generate.sh [NAME...]  remakes only the named bundles and twins (e.g. plain-xz);
# without names, everything. CMS signing times and (rauc bundle) squashfs timestamps differ
# between runs, so a rerun changes bytes, not verdicts: naming what is new keeps the other
# committed vectors as they are. expected.json and squashfs/ are always remade.
#
# Signer: a TEST code-signing leaf in keys/ issued by keys-example's EXAMPLE RSA intermediate
# (published keys, never for production); the chain-rule signers are testvectors/cms/keys' TEST
# leaves. Bundles embed the intermediate (rauc bundle --intermediate).
set -euo pipefail
cd "$(dirname "$0")"
EX=../../keys-example/pki-rsa
CNF=../cms/openssl-ca.cnf
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CA_DIR=$WORK/ca
ONLY=("$@")
want() {  # want NAME: true when NAME is to be (re)made
  [ ${#ONLY[@]} -eq 0 ] && return 0
  local name
  for name in "${ONLY[@]}"; do [ "$name" = "$1" ] && return 0; done
  return 1
}
run() { "$@" >>"$WORK/log" 2>&1 || { cat "$WORK/log" >&2; exit 1; }; }
if [ ! -f keys/signer.pem ]; then
  run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out keys/signer.key.pem
  mkdir -p "$CA_DIR/newcerts"; : >"$CA_DIR/index.txt"; echo 5001 >"$CA_DIR/serial"
  run openssl req -new -config "$CNF" -key keys/signer.key.pem -subj "/O=fwgate TEST/CN=fwgate TEST RAUC bundle signer" -out "$WORK/req.csr"
  run openssl ca -batch -notext -preserveDN -config "$CNF" -extensions v3_codesign -startdate 20260101000000Z -enddate 20360101000000Z \
    -cert $EX/intermediate.pem -keyfile $EX/intermediate.key.pem -in "$WORK/req.csr" -out keys/signer.pem
fi

# Payloads: deterministic pseudo-random bytes (AES-128-CTR keystream under a fixed key), and
# compressible text.
stream() { head -c "$1" /dev/zero | openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f -iv "$2"; }
text() { local s=""; while [ ${#s} -lt "$1" ]; do s+="$2"$'\n'; done; printf %s "${s:0:$1}"; }
bundle() {  # bundle NAME FORMAT SIZE CERT KEY [MKSQUASHFS-ARGS]
  want "$1" || return 0
  local dir="$WORK/$1"
  mkdir -p "$dir"
  stream "$3" 00000000000000000000000000000001 >"$dir/rootfs.ext4"
  printf '[update]\ncompatible=acme-pump-v2\nversion=2.4.1\n\n[bundle]\nformat=%s\n\n[image.rootfs]\nfilename=rootfs.ext4\n' "$2" >"$dir/manifest.raucm"
  rm -f "$1.raucb"
  run rauc bundle --cert="$4" --key="$5" --intermediate=$EX/intermediate.pem ${6:+--mksquashfs-args="$6"} "$dir" "$1.raucb"
}
two_images() {  # two_images NAME [MKSQUASHFS-ARGS]: a plain bundle with a random and a text image
  want "$1" || return 0
  local dir="$WORK/$1"
  mkdir -p "$dir"
  stream 10000 00000000000000000000000000000002 >"$dir/rootfs.ext4"
  text 10000 "acme pump application partition" >"$dir/appfs.img"
  printf '[update]\ncompatible=acme-pump-v2\nversion=2.5.0\n\n[image.rootfs]\nfilename=rootfs.ext4\n\n[image.appfs]\nfilename=appfs.img\n' >"$dir/manifest.raucm"
  rm -f "$1.raucb"
  run rauc bundle --cert=keys/signer.pem --key=keys/signer.key.pem --intermediate=$EX/intermediate.pem ${2:+--mksquashfs-args="$2"} "$dir" "$1.raucb"
}
bundle plain plain 200000 keys/signer.pem keys/signer.key.pem
bundle verity verity 200000 keys/signer.pem keys/signer.key.pem
bundle verity-multilevel verity 1200000 keys/signer.pem keys/signer.key.pem
bundle serverauth-signer verity 200000 ../cms/keys/serverauth-leaf.pem ../cms/keys/serverauth-leaf.key.pem
bundle expired-signer plain 200000 ../cms/keys/expired-leaf.pem ../cms/keys/expired-leaf.key.pem
# Plain bundles whose manifest fwgate reads from the squashfs: two images in fragments (the
# mksquashfs default for files under a block), two images in 4 KiB blocks (the random one
# stored, the text one compressed), and an xz-compressed squashfs (which fwgate does not read).
two_images plain-two-images
two_images plain-blocks "-b 4096 -no-fragments"
bundle plain-xz plain 3000 keys/signer.pem keys/signer.key.pem "-comp xz"

# The squashfs reader's images (tests read them; the fuzz target is seeded with them):
# reproducible (-mkfs-time 0 -all-time 0 -all-root), so a rerun gives the same bytes.
MK=(-noappend -quiet -no-progress -no-xattrs -all-root -mkfs-time 0 -all-time 0)
S=$WORK/squashfs
mkdir -p squashfs "$S/files/sub" "$S/blocks" "$S/stored" "$S/many" "$S/xz" "$S/sparse"
stream 3000 00000000000000000000000000000011 >"$S/files/rootfs.img"
text 6000 "fwgate squashfs reader test line" >"$S/files/notes.txt"
text 100 inner >"$S/files/sub/inner.txt"
ln -s notes.txt "$S/files/link"
: >"$S/files/empty"
stream 10000 00000000000000000000000000000012 >"$S/blocks/random.bin"
text 10000 "compressible block data" >"$S/blocks/text.bin"
{ head -c 8192 /dev/zero; stream 100 00000000000000000000000000000013; } >"$S/blocks/sparse.bin"
ln "$S/blocks/random.bin" "$S/blocks/hard.bin"
text 5000 "stored metadata" >"$S/stored/a.txt"
text 300 "small" >"$S/stored/b.txt"
for i in $(seq -w 1 300); do : >"$S/many/entry-$i-with-a-long-name-to-fill-the-listing"; done
text 2000 "xz compressed" >"$S/xz/a.txt"
head -c $((64 << 20)) /dev/zero >"$S/sparse/zeros.img"
# files: default gzip, 128 KiB blocks, tails in a fragment; a subfolder, a symlink, an empty file.
run mksquashfs "$S/files" squashfs/files.sqfs "${MK[@]}"
# blocks: 4 KiB blocks, no fragments: stored (random), compressed (text) and sparse (zeros)
# blocks; the sparse file and the hard-linked pair get extended file inodes.
run mksquashfs "$S/blocks" squashfs/blocks.sqfs "${MK[@]}" -b 4096 -no-fragments
# stored: nothing compressed (inode, directory, fragment tables and data), so tests can patch
# fields in place.
run mksquashfs "$S/stored" squashfs/stored.sqfs "${MK[@]}" -b 4096 -noI -noD -noF -noX
# many: 300 entries: the listing spans metadata blocks, under two headers (at most 256 each).
run mksquashfs "$S/many" squashfs/many.sqfs "${MK[@]}"
run mksquashfs "$S/xz" squashfs/xz.sqfs "${MK[@]}" -comp xz
# sparse: 64 MiB of zeros in 4 KiB blocks: 16,384 sparse blocks, whose size words (64 KiB)
# compress to a few hundred bytes of inode table.
run mksquashfs "$S/sparse" squashfs/sparse.sqfs "${MK[@]}" -b 4096
# What each image holds, from the folders it was made from (not from fwgate): each top-level
# entry's kind, and each top-level regular file's size and SHA-256 (many's 300 are all empty:
# their names and kinds only).
python3 - "$S" >squashfs/expected.json <<'PY'
import hashlib, json, os, stat, sys
root = sys.argv[1]
out = {"about": "what each image's root holds, read from the folders generate.sh gave mksquashfs (sizes and sha256 by Python's hashlib)",
       "images": {}}
for name in ["files", "blocks", "stored", "many", "xz", "sparse"]:
    entries, files = {}, {}
    for entry in sorted(os.listdir(f"{root}/{name}")):
        path = f"{root}/{name}/{entry}"
        mode = os.lstat(path).st_mode
        entries[entry] = "symlink" if stat.S_ISLNK(mode) else "directory" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"
        if stat.S_ISREG(mode) and name != "many":
            data = open(path, "rb").read()
            files[entry] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    out["images"][f"{name}.sqfs"] = {"entries": entries, "files": files}
print(json.dumps(out, indent=2))
PY

python3 vectors.py "$@"
