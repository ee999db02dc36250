#!/usr/bin/env bash
# Remakes the RAUC bundle vectors with Debian's rauc (1.8) and squashfs-tools, then the tampered
# twins and expected.json (vectors.py, with `rauc info` as the reference).
#
# Signer: a TEST code-signing leaf in keys/ issued by keys-example's EXAMPLE RSA intermediate
# (published keys, never for production); the chain-rule signers are testvectors/cms/keys' TEST
# leaves. Bundles embed the intermediate (rauc bundle --intermediate). CMS signing times and
# squashfs timestamps differ between runs, so a rerun changes bytes, not verdicts.
set -euo pipefail
cd "$(dirname "$0")"
EX=../../keys-example/pki-rsa
CNF=../cms/openssl-ca.cnf
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CA_DIR=$WORK/ca
run() { "$@" >>"$WORK/log" 2>&1 || { cat "$WORK/log" >&2; exit 1; }; }
if [ ! -f keys/signer.pem ]; then
  run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out keys/signer.key.pem
  mkdir -p "$CA_DIR/newcerts"; : >"$CA_DIR/index.txt"; echo 5001 >"$CA_DIR/serial"
  run openssl req -new -config "$CNF" -key keys/signer.key.pem -subj "/O=fwgate TEST/CN=fwgate TEST RAUC bundle signer" -out "$WORK/req.csr"
  run openssl ca -batch -notext -preserveDN -config "$CNF" -extensions v3_codesign -startdate 20260101000000Z -enddate 20360101000000Z \
    -cert $EX/intermediate.pem -keyfile $EX/intermediate.key.pem -in "$WORK/req.csr" -out keys/signer.pem
fi

# Payloads: deterministic pseudo-random bytes (AES-128-CTR keystream under a fixed key).
stream() { head -c "$1" /dev/zero | openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f -iv "$2"; }
bundle() {  # bundle NAME FORMAT SIZE CERT KEY
  local dir="$WORK/$1"
  mkdir -p "$dir"
  stream "$3" 00000000000000000000000000000001 >"$dir/rootfs.ext4"
  printf '[update]\ncompatible=acme-pump-v2\nversion=2.4.1\n\n[bundle]\nformat=%s\n\n[image.rootfs]\nfilename=rootfs.ext4\n' "$2" >"$dir/manifest.raucm"
  rm -f "$1.raucb"
  run rauc bundle --cert="$4" --key="$5" --intermediate=$EX/intermediate.pem "$dir" "$1.raucb"
}
bundle plain plain 200000 keys/signer.pem keys/signer.key.pem
bundle verity verity 200000 keys/signer.pem keys/signer.key.pem
bundle verity-multilevel verity 1200000 keys/signer.pem keys/signer.key.pem
bundle serverauth-signer verity 200000 ../cms/keys/serverauth-leaf.pem ../cms/keys/serverauth-leaf.key.pem
bundle expired-signer plain 200000 ../cms/keys/expired-leaf.pem ../cms/keys/expired-leaf.key.pem
python3 vectors.py
