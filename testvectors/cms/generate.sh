#!/usr/bin/env bash
# Remakes the detached CMS / PKCS#7 vectors with the openssl CLI (Debian openssl >= 3.0).
#
# Valid signatures are made with keys-example's EXAMPLE code-signing leaves (RSA-3072 and ECDSA
# P-256 chains); the extra signers (expired, server-auth only, an unrelated CA) are TEST
# certificates whose keys are in keys/ — published, never for production. ECDSA and the new
# keys are random, so a rerun changes bytes (not verdicts). Rerun after keys-example/generate.sh.
set -euo pipefail
cd "$(dirname "$0")"
EX=../../keys-example
CNF=openssl-ca.cnf
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CA_DIR=$WORK/ca

run() { "$@" 2>>"$WORK/log" || { cat "$WORK/log" >&2; exit 1; }; }
flip_byte() {  # flip_byte IN OFFSET(from end if negative) OUT
  python3 - "$1" "$2" "$3" <<'PY'
import sys
data = bytearray(open(sys.argv[1], 'rb').read()); i = int(sys.argv[2])
data[i] ^= 0x01
open(sys.argv[3], 'wb').write(data)
PY
}
ca_init() { rm -rf "$CA_DIR"; mkdir -p "$CA_DIR/newcerts"; : >"$CA_DIR/index.txt"; echo "$1" >"$CA_DIR/serial"; }
# issue SERIAL PROFILE START END KEY SUBJECT OUT [-selfsign | -cert C -keyfile K]
issue() {
  local serial=$1 profile=$2 start=$3 end=$4 key=$5 subj=$6 out=$7
  shift 7
  ca_init "$serial"
  run openssl req -new -config "$CNF" -key "$key" -subj "$subj" -out "$WORK/req.csr"
  run openssl ca -batch -notext -preserveDN -config "$CNF" -extensions "$profile" \
    -startdate "$start" -enddate "$end" -in "$WORK/req.csr" -out "$out" "$@"
}

# The content: 64 KiB, the same bytes on every run (AES-128-CTR keystream under a fixed key).
head -c 65536 /dev/zero | openssl enc -aes-128-ctr -nosalt \
  -K 000102030405060708090a0b0c0d0e0f -iv 0f0e0d0c0b0a09080706050403020100 >firmware.bin
flip_byte firmware.bin 40000 firmware-tampered.bin
head -c 65535 firmware.bin >firmware-truncated.bin

sign() {  # sign CERT KEY OUT [openssl cms options]
  local cert=$1 key=$2 out=$3
  shift 3
  run openssl cms -sign -binary -nosmimecap -in firmware.bin -signer "$cert" -inkey "$key" -out "$out" "$@"
}
RSA=$EX/pki-rsa
EC=$EX/pki-ecdsa
sign $RSA/leaf.pem $RSA/leaf.key.pem rsa.p7s -outform DER -md sha256 -certfile $RSA/chain.pem
sign $RSA/leaf.pem $RSA/leaf.key.pem rsa.pem -outform PEM -md sha256 -certfile $RSA/chain.pem
sign $RSA/leaf.pem $RSA/leaf.key.pem rsa-noattr.p7s -outform DER -md sha256 -noattr -certfile $RSA/chain.pem
sign $RSA/leaf.pem $RSA/leaf.key.pem rsa-pss.p7s -outform DER -md sha384 -keyopt rsa_padding_mode:pss -certfile $RSA/chain.pem
sign $EC/leaf.pem $EC/leaf.key.pem ecdsa.p7s -outform DER -md sha256 -certfile $EC/chain.pem
sign $RSA/leaf.pem $RSA/leaf.key.pem rsa-nochain.p7s -outform DER -md sha256
sign $RSA/leaf.pem $RSA/leaf.key.pem rsa-sha1.p7s -outform DER -md sha1 -certfile $RSA/chain.pem
sign $RSA/leaf.pem $RSA/leaf.key.pem rsa-attached.p7s -outform DER -md sha256 -nodetach -certfile $RSA/chain.pem
sign $RSA/revoked-leaf.pem $RSA/revoked-leaf.key.pem rsa-revoked.p7s -outform DER -md sha256 -certfile $RSA/chain.pem
# PKCS#7 (openssl smime), PEM armour "PKCS7".
run openssl smime -sign -binary -nosmimecap -in firmware.bin -signer $RSA/leaf.pem -inkey $RSA/leaf.key.pem \
  -certfile $RSA/chain.pem -outform PEM -out pkcs7.pem

# Tampered signatures: a bit of the RSA signature value (the last bytes of the DER), the
# signed attributes' message digest, a truncated file.
flip_byte rsa.p7s -5 sig-flip.p7s
python3 - <<'PY'
# The messageDigest attribute: OID 1.2.840.113549.1.9.4, SET, OCTET STRING of 32 bytes.
data = bytearray(open('rsa.p7s', 'rb').read())
oid = bytes.fromhex('06092a864886f70d010904')
at = data.index(oid) + len(oid) + 4  # SET tag+len, OCTET STRING tag+len
data[at] ^= 0x01
open('digest-attr-flip.p7s', 'wb').write(data)
open('truncated.p7s', 'wb').write(bytes(open('rsa.p7s', 'rb').read()[:-100]))
PY

# Extra TEST signers under the EXAMPLE RSA intermediate, and an unrelated TEST CA.
[ -f keys/expired-leaf.key.pem ] || run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out keys/expired-leaf.key.pem
[ -f keys/serverauth-leaf.key.pem ] || run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out keys/serverauth-leaf.key.pem
[ -f keys/unrelated-root.key.pem ] || run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out keys/unrelated-root.key.pem
[ -f keys/unrelated-leaf.key.pem ] || run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out keys/unrelated-leaf.key.pem
BY_INT=(-cert $RSA/intermediate.pem -keyfile $RSA/intermediate.key.pem)
issue 3001 v3_codesign 20250101000000Z 20260101000000Z keys/expired-leaf.key.pem \
  "/O=fwgate TEST/CN=fwgate TEST Code Signing (expired 2026-01-01)" keys/expired-leaf.pem "${BY_INT[@]}"
issue 3002 v3_serverauth 20260101000000Z 20360101000000Z keys/serverauth-leaf.key.pem \
  "/O=fwgate TEST/CN=fwgate TEST server (no code-signing EKU)" keys/serverauth-leaf.pem "${BY_INT[@]}"
issue 3003 v3_root 20250101000000Z 20500101000000Z keys/unrelated-root.key.pem \
  "/O=fwgate TEST/CN=fwgate TEST Unrelated Root" keys/unrelated-root.pem -selfsign -keyfile keys/unrelated-root.key.pem
issue 3004 v3_codesign 20260101000000Z 20360101000000Z keys/unrelated-leaf.key.pem \
  "/O=fwgate TEST/CN=fwgate TEST Code Signing (unrelated CA)" keys/unrelated-leaf.pem \
  -cert keys/unrelated-root.pem -keyfile keys/unrelated-root.key.pem
sign keys/expired-leaf.pem keys/expired-leaf.key.pem expired-signer.p7s -outform DER -md sha256 -certfile $RSA/chain.pem
sign keys/serverauth-leaf.pem keys/serverauth-leaf.key.pem serverauth-signer.p7s -outform DER -md sha256 -certfile $RSA/chain.pem
sign keys/unrelated-leaf.pem keys/unrelated-leaf.key.pem unrelated-signer.p7s -outform DER -md sha256

# A lab policy (never production) that lets keys-example's published leaf keys only warn.
{
  echo "version: 1"
  echo "# Lab policy (never production): keys-example's EXAMPLE leaf keys are published test keys;"
  echo "# here they only warn (key.known-test-key), so the other rules can be shown on them."
  echo "knownTestKeys:"
  echo "  allowUnsafe:"
  for leaf in $RSA/leaf.pem $RSA/revoked-leaf.pem $EC/leaf.pem; do
    fp=$(openssl x509 -in "$leaf" -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
    echo "    - $fp   # ${leaf#../../}"
  done
} >policy-lab.yaml

# The reference verdicts: openssl cms -verify -binary -purpose any, at the vectors' time.
python3 reference.py
