#!/usr/bin/env bash
# Remakes the SWUpdate .swu vectors with the openssl and GNU cpio CLIs (Debian 12: openssl 3.0,
# cpio 2.13), then expected.json via reference.py (which runs Debian's swupdate -c where it can).
#
# The TEST PKI in keys/ is made once (only what is absent) and reused on reruns: a root CA, an
# intermediate, a code-signing leaf, an expired leaf, an emailProtection-only leaf, an unrelated
# root + leaf, and two RSA-3072 key pairs for SWUpdate's RSA / RSA-PSS method. All TEST, never
# production. Payloads are fixed bytes; CMS signatures carry a signingTime and RSA-PSS a random
# salt, so a rerun changes those packages' bytes (not verdicts). RSA PKCS#1 v1.5 and unsigned
# packages are byte-identical on rerun.
#
# Package layout, as SWUpdate's docs make it: `cpio -o -H newc` over the names
# sw-description, sw-description.sig (when signed), then the images in sw-description order.
# --reproducible (renumbered inodes, no device numbers), -R 0:0 and fixed mtimes make the cpio
# headers the same on every run.
set -euo pipefail
cd "$(dirname "$0")"
CNF=openssl-ca.cnf
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CA_DIR=$WORK/ca
export LC_ALL=C

run() { "$@" 2>>"$WORK/log" || { cat "$WORK/log" >&2; exit 1; }; }
ca_init() { rm -rf "$CA_DIR"; mkdir -p "$CA_DIR/newcerts"; : >"$CA_DIR/index.txt"; echo "$1" >"$CA_DIR/serial"; }
# issue SERIAL PROFILE START END KEY SUBJECT OUT [-selfsign | -cert C -keyfile K]   (only if OUT is absent)
issue() {
  local serial=$1 profile=$2 start=$3 end=$4 key=$5 subj=$6 out=$7
  shift 7
  [ -f "$out" ] && return 0
  ca_init "$serial"
  run openssl req -new -config "$CNF" -key "$key" -subj "$subj" -out "$WORK/req.csr"
  run openssl ca -batch -notext -preserveDN -config "$CNF" -extensions "$profile" \
    -startdate "$start" -enddate "$end" -in "$WORK/req.csr" -out "$out" "$@"
}
genkey() { [ -f "$1" ] || run openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$2" -out "$1"; }

# ---------------------------------------------------------------- TEST PKI (made once)
mkdir -p keys
for k in root intermediate leaf expired-leaf email-leaf unrelated-root unrelated-leaf; do
  genkey keys/$k.key.pem 2048
done
genkey keys/rsa.key.pem 3072
genkey keys/rsa-other.key.pem 3072
[ -f keys/rsa.pub.pem ] || run openssl pkey -in keys/rsa.key.pem -pubout -out keys/rsa.pub.pem
[ -f keys/rsa-other.pub.pem ] || run openssl pkey -in keys/rsa-other.key.pem -pubout -out keys/rsa-other.pub.pem
ROOT=(-cert keys/root.pem -keyfile keys/root.key.pem)
INT=(-cert keys/intermediate.pem -keyfile keys/intermediate.key.pem)
issue 5001 v3_root 20250101000000Z 20450101000000Z keys/root.key.pem \
  "/O=fwgate TEST/CN=fwgate TEST SWUpdate Root CA" keys/root.pem -selfsign -keyfile keys/root.key.pem
issue 5002 v3_intermediate 20250101000000Z 20400101000000Z keys/intermediate.key.pem \
  "/O=fwgate TEST/CN=fwgate TEST SWUpdate Intermediate CA" keys/intermediate.pem "${ROOT[@]}"
issue 5003 v3_codesign 20260101000000Z 20360101000000Z keys/leaf.key.pem \
  "/O=fwgate TEST/CN=fwgate TEST SWUpdate Code Signing" keys/leaf.pem "${INT[@]}"
issue 5004 v3_codesign 20250101000000Z 20260101000000Z keys/expired-leaf.key.pem \
  "/O=fwgate TEST/CN=fwgate TEST SWUpdate Code Signing (expired 2026-01-01)" keys/expired-leaf.pem "${INT[@]}"
issue 5005 v3_email 20260101000000Z 20360101000000Z keys/email-leaf.key.pem \
  "/O=fwgate TEST/CN=fwgate TEST SWUpdate emailProtection only" keys/email-leaf.pem "${INT[@]}"
issue 5006 v3_root 20250101000000Z 20450101000000Z keys/unrelated-root.key.pem \
  "/O=fwgate TEST/CN=fwgate TEST Unrelated Root CA" keys/unrelated-root.pem -selfsign -keyfile keys/unrelated-root.key.pem
issue 5007 v3_codesign 20260101000000Z 20360101000000Z keys/unrelated-leaf.key.pem \
  "/O=fwgate TEST/CN=fwgate TEST Code Signing (unrelated CA)" keys/unrelated-leaf.pem \
  -cert keys/unrelated-root.pem -keyfile keys/unrelated-root.key.pem

# ---------------------------------------------------------------- fixed payloads
# Deterministic pseudo-random bytes: the AES-128-CTR keystream under a fixed key.
# rootfs.ext4 is 64 KiB, not 200 KiB: ~27 packages each carrying it must stay under the
# folder's 3 MiB budget (64 KiB still spans four of SWUpdate's 16 KiB read buffers).
mkdir -p payload
head -c 65536 /dev/zero | openssl enc -aes-128-ctr -nosalt \
  -K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 >payload/rootfs.ext4
head -c 4096 /dev/zero | openssl enc -aes-128-ctr -nosalt \
  -K 000102030405060708090a0b0c0d0e0f -iv 00000000000000010000000000000000 >payload/boot.scr
printf '%s\n' '#!/bin/sh' '# fwgate TEST post-install script (SWUpdate shellscript handler)' \
  'echo "post-install: $1"' 'exit 0' >payload/post.sh
H_ROOTFS=$(sha256sum payload/rootfs.ext4 | cut -d' ' -f1)
H_BOOT=$(sha256sum payload/boot.scr | cut -d' ' -f1)
H_POST=$(sha256sum payload/post.sh | cut -d' ' -f1)
SHADOW='root:*:20454:0:99999:7::: # fwgate TEST, not a real shadow file'

# ---------------------------------------------------------------- sw-description texts
IMG_ROOTFS="{ filename = \"rootfs.ext4\"; device = \"/dev/mmcblk0p2\"; type = \"raw\"; sha256 = \"$H_ROOTFS\"; version = \"2.4.1\"; installed-directly = true; }"
FILE_BOOT="{ filename = \"boot.scr\"; path = \"/boot/boot.scr\"; sha256 = \"$H_BOOT\"; }"
SCRIPT_POST="{ filename = \"post.sh\"; type = \"shellscript\"; sha256 = \"$H_POST\"; }"
# desc [IMAGES] [FILES] [SCRIPTS] [VERSION]: the flat sw-description; "" drops a section
desc() {
  local images=${1-$IMG_ROOTFS} files=${2-$FILE_BOOT} scripts=${3-$SCRIPT_POST} version=${4:-2.4.1}
  echo 'software = {'
  echo "    version = \"$version\";"
  echo '    description = "Acme pump firmware";'
  echo '    hardware-compatibility = [ "1.0", "1.2" ];'
  [ -n "$images" ] && echo "    images: ( $images );"
  [ -n "$files" ] && echo "    files: ( $files );"
  [ -n "$scripts" ] && echo "    scripts: ( $scripts );"
  echo '};'
}

# ---------------------------------------------------------------- packing and signing
# stage NAME: a fresh folder with the payloads; the vector's sw-description goes in it.
stage() { S=$WORK/stage/$1; rm -rf "$S"; mkdir -p "$S"; cp payload/rootfs.ext4 payload/boot.scr payload/post.sh "$S/"; }
# pack FORMAT OUT NAME...: cpio over NAMEs (relative to $S), in that order, as SWUpdate's docs do.
pack() {
  local fmt=$1 out=$2
  shift 2
  (
    cd "$S"
    for n in "$@"; do
      chmod 0644 "$n"
      touch -h -d '2026-01-01 00:00:00 UTC' "$n"
    done
    [ -f post.sh ] && chmod 0755 post.sh
    for i in "$@"; do echo "$i"; done | cpio -o --quiet -H "$fmt" --reproducible -R 0:0
  ) >"$out"
}
sign_cms() {  # sign_cms CERT KEY (signs $S/sw-description)
  run openssl cms -sign -in "$S/sw-description" -out "$S/sw-description.sig" -signer "$1" -inkey "$2" \
    -outform DER -nosmimecap -binary -certfile keys/intermediate.pem
}
sign_rsa() { run openssl dgst -sha256 -sign "$1" -out "$S/sw-description.sig" "$S/sw-description"; }
sign_pss() {
  run openssl dgst -sha256 -sign "$1" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-2 \
    -out "$S/sw-description.sig" "$S/sw-description"
}
SIGNED=(sw-description sw-description.sig rootfs.ext4 boot.scr post.sh)
LEAF=(keys/leaf.pem keys/leaf.key.pem)

# ---------------------------------------------------------------- valid packages
stage cms-signed; desc >"$S/sw-description"; sign_cms "${LEAF[@]}"; pack newc cms-signed.swu "${SIGNED[@]}"
cp "$S/sw-description" "$WORK/desc-signed"; cp "$S/sw-description.sig" "$WORK/sig-signed"
stage cms-minimal; desc "$IMG_ROOTFS" "" "" >"$S/sw-description"; sign_cms "${LEAF[@]}"
pack newc cms-minimal.swu sw-description sw-description.sig rootfs.ext4
stage rsa-signed; desc >"$S/sw-description"; sign_rsa keys/rsa.key.pem; pack newc rsa-signed.swu "${SIGNED[@]}"
stage rsa-pss-signed; desc >"$S/sw-description"; sign_pss keys/rsa.key.pem; pack newc rsa-pss-signed.swu "${SIGNED[@]}"
stage crc-format; desc >"$S/sw-description"; sign_cms "${LEAF[@]}"; pack crc crc-format.swu "${SIGNED[@]}"

# sw-description in JSON (SWUpdate's JSON parser; same keys, images/files/scripts as arrays).
stage json-description
cat >"$S/sw-description" <<EOF
{
    "software": {
        "version": "2.4.1",
        "description": "Acme pump firmware",
        "hardware-compatibility": [ "1.0", "1.2" ],
        "images": [ { "filename": "rootfs.ext4", "device": "/dev/mmcblk0p2", "type": "raw", "sha256": "$H_ROOTFS", "version": "2.4.1", "installed-directly": true } ],
        "files": [ { "filename": "boot.scr", "path": "/boot/boot.scr", "sha256": "$H_BOOT" } ],
        "scripts": [ { "filename": "post.sh", "type": "shellscript", "sha256": "$H_POST" } ]
    }
}
EOF
sign_cms "${LEAF[@]}"; pack newc json-description.swu "${SIGNED[@]}"

# Board-specific form: everything but the version under the board's group ("myboard"), a
# comment, ':' and '=' both used, a list with two groups, an integer and a boolean.
stage board-specific
cat >"$S/sw-description" <<EOF
/* fwgate TEST: board-specific settings (SWUpdate looks up <board>.<entry>, then <entry>) */
software =
{
    version = "2.4.1";
    description = "Acme pump firmware";

    myboard: {
        hardware-compatibility = [ "1.0", "1.2" ];
        images: (
            {
                filename = "rootfs.ext4";
                device = "/dev/mmcblk0p2";
                type = "raw";
                sha256 = "$H_ROOTFS";
                version = "2.4.1";
                installed-directly = true;
            }
        );
        files: (
            {
                filename = "boot.scr";
                path = "/boot/boot.scr";
                sha256 = "$H_BOOT";
            }
        );
        scripts: (
            {
                filename = "post.sh";
                type = "shellscript";
                sha256 = "$H_POST";
                // data is handed to the script; priority orders scripts
                data = "fwgate-test";
                priority = 10;
            }
        );
    };
};
EOF
sign_cms "${LEAF[@]}"; pack newc board-specific.swu "${SIGNED[@]}"

# ---------------------------------------------------------------- signature failures
stage unsigned; desc "$IMG_ROOTFS" "" "" >"$S/sw-description"; pack newc unsigned.swu sw-description rootfs.ext4
stage sig-stripped; cp "$WORK/desc-signed" "$S/sw-description"; pack newc sig-stripped.swu sw-description rootfs.ext4 boot.scr post.sh
# sw-description edited after signing: the software version 2.4.1 -> 2.4.2 (same length).
stage desc-edited; cp "$WORK/desc-signed" "$S/sw-description"; cp "$WORK/sig-signed" "$S/sw-description.sig"
sed -i '2s/version = "2.4.1"/version = "2.4.2"/' "$S/sw-description"
pack newc desc-edited.swu "${SIGNED[@]}"
# One bit of the CMS signature value (its last bytes) flipped.
stage sig-flip; cp "$WORK/desc-signed" "$S/sw-description"; cp "$WORK/sig-signed" "$S/sw-description.sig"
python3 - "$S/sw-description.sig" <<'PY'
import sys
p = sys.argv[1]; d = bytearray(open(p, 'rb').read()); d[-5] ^= 0x01; open(p, 'wb').write(d)
PY
pack newc sig-flip.swu "${SIGNED[@]}"
stage unrelated-signer; desc >"$S/sw-description"
run openssl cms -sign -in "$S/sw-description" -out "$S/sw-description.sig" -signer keys/unrelated-leaf.pem \
  -inkey keys/unrelated-leaf.key.pem -outform DER -nosmimecap -binary
pack newc unrelated-signer.swu "${SIGNED[@]}"
stage expired-signer; desc >"$S/sw-description"; sign_cms keys/expired-leaf.pem keys/expired-leaf.key.pem
pack newc expired-signer.swu "${SIGNED[@]}"
stage email-signer; desc >"$S/sw-description"; sign_cms keys/email-leaf.pem keys/email-leaf.key.pem
pack newc email-signer.swu "${SIGNED[@]}"
stage rsa-wrong-key; desc >"$S/sw-description"; sign_rsa keys/rsa-other.key.pem; pack newc rsa-wrong-key.swu "${SIGNED[@]}"

# ---------------------------------------------------------------- manifest / integrity failures
# One bit of rootfs.ext4 flipped inside the archive (sw-description and its signature intact).
stage payload-flip; cp "$WORK/desc-signed" "$S/sw-description"; cp "$WORK/sig-signed" "$S/sw-description.sig"
python3 - "$S/rootfs.ext4" <<'PY'
import sys
p = sys.argv[1]; d = bytearray(open(p, 'rb').read()); d[40000] ^= 0x01; open(p, 'wb').write(d)
PY
pack newc payload-flip.swu "${SIGNED[@]}"
# boot.scr listed (files) but not in the archive.
stage missing-entry; cp "$WORK/desc-signed" "$S/sw-description"; cp "$WORK/sig-signed" "$S/sw-description.sig"
pack newc missing-entry.swu sw-description sw-description.sig rootfs.ext4 post.sh
# An extra member not listed in sw-description.
stage unlisted-entry; cp "$WORK/desc-signed" "$S/sw-description"; cp "$WORK/sig-signed" "$S/sw-description.sig"
printf 'fwgate TEST: a file no sw-description entry names\n' >"$S/extra.bin"
pack newc unlisted-entry.swu sw-description sw-description.sig rootfs.ext4 boot.scr post.sh extra.bin
# The image entry has no sha256 (signed).
stage no-sha256
desc "{ filename = \"rootfs.ext4\"; device = \"/dev/mmcblk0p2\"; type = \"raw\"; version = \"2.4.1\"; installed-directly = true; }" >"$S/sw-description"
sign_cms "${LEAF[@]}"; pack newc no-sha256.swu "${SIGNED[@]}"

# ---------------------------------------------------------------- malformed archives
# sw-description is not the first member.
stage desc-not-first; cp "$WORK/desc-signed" "$S/sw-description"; cp "$WORK/sig-signed" "$S/sw-description.sig"
pack newc desc-not-first.swu rootfs.ext4 sw-description sw-description.sig boot.scr post.sh
# Cut inside rootfs.ext4's data (30000 bytes into it).
python3 - <<'PY'
d = open('cms-signed.swu', 'rb').read()
at = d.index(b'rootfs.ext4\x00') + len('rootfs.ext4\x00')
at += (4 - at % 4) % 4
open('truncated.swu', 'wb').write(d[:at + 30000])
PY
# A member named ../../etc/shadow, listed in files with its sha256, signed. The name goes into
# the archive as given (cpio -o runs two folders down, so the path resolves to a real file).
stage path-traversal; mkdir -p "$S/etc" "$S/a/b"; printf '%s\n' "$SHADOW" >"$S/etc/shadow"
H_SHADOW=$(sha256sum "$S/etc/shadow" | cut -d' ' -f1)
desc "$IMG_ROOTFS" "$FILE_BOOT, { filename = \"../../etc/shadow\"; path = \"/etc/shadow\"; sha256 = \"$H_SHADOW\"; }" >"$S/sw-description"
sign_cms "${LEAF[@]}"
mv "$S/sw-description" "$S/sw-description.sig" "$S/rootfs.ext4" "$S/boot.scr" "$S/post.sh" "$S/a/b/"
S0=$S; S=$S0/a/b; pack newc path-traversal.swu "${SIGNED[@]}" ../../etc/shadow; S=$S0
# rootfs.ext4 twice, the second copy different (one bit flipped): packed as rootfs.ext4 and
# rootfs.ext5, then the second name is patched to rootfs.ext4 (same length: headers stay valid).
stage duplicate-entry; cp "$WORK/desc-signed" "$S/sw-description"; cp "$WORK/sig-signed" "$S/sw-description.sig"
python3 - "$S/rootfs.ext4" "$S/rootfs.ext5" <<'PY'
import sys
d = bytearray(open(sys.argv[1], 'rb').read()); d[100] ^= 0x01; open(sys.argv[2], 'wb').write(d)
PY
pack newc "$WORK/dup.swu" sw-description sw-description.sig rootfs.ext4 rootfs.ext5 boot.scr post.sh
python3 - "$WORK/dup.swu" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
assert d.count(b'rootfs.ext5\x00') == 1
open('duplicate-entry.swu', 'wb').write(d.replace(b'rootfs.ext5\x00', b'rootfs.ext4\x00'))
PY
# 64 bytes of non-zero data after the archive's 512-byte block padding.
python3 - <<'PY'
d = open('cms-signed.swu', 'rb').read()
assert len(d) % 512 == 0
open('trailing-garbage.swu', 'wb').write(d + b'fwgate TEST trailing bytes after TRAILER!!! and its padding....\n')
PY
# crc format (070702) with boot.scr's header checksum off by one. (boot.scr, not rootfs.ext4:
# SWUpdate 2022.12 compares the crc only for members it copies, not for installed-directly
# streams, so only a copied member shows the reference rejecting a bad checksum.)
python3 - <<'PY'
d = bytearray(open('crc-format.swu', 'rb').read())
name = d.index(b'boot.scr\x00')
hdr = name - 110
assert d[hdr:hdr + 6] == b'070702'
chk = int(d[hdr + 102:hdr + 110], 16)
d[hdr + 102:hdr + 110] = b'%08X' % ((chk + 1) & 0xffffffff)
open('crc-bad-checksum.swu', 'wb').write(d)
PY
# libconfig syntax error (the images list's closing ')' is missing), signed anyway.
stage libconfig-syntax; desc | sed 's/^    images: ( \(.*\) );$/    images: ( \1 ;/' >"$S/sw-description"
grep -q '^    images: ( .* } ;$' "$S/sw-description"
sign_cms "${LEAF[@]}"; pack newc libconfig-syntax.swu "${SIGNED[@]}"

# ---------------------------------------------------------------- expected.json
python3 reference.py
