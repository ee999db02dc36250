#!/usr/bin/env bash
# Remakes the UEFI FMP capsule vectors with U-Boot's mkeficapsule (Debian u-boot-tools) and the
# openssl CLI, then the tampered twins and expected.json (vectors.py).
#
# Signers: a self-signed TEST certificate in keys/ (no extendedKeyUsage, as U-Boot's capsule
# documentation makes them) and, for the chain rules, the TEST server-auth and expired leaves of
# testvectors/cms/keys issued by keys-example's EXAMPLE RSA intermediate. Keys are published:
# never for production. RSA PKCS#1 v1.5 signatures are deterministic, but mkeficapsule's PKCS#7
# carries a signing time, so a rerun changes bytes (not verdicts).
set -euo pipefail
cd "$(dirname "$0")"
CNF=../cms/openssl-ca.cnf
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CA_DIR=$WORK/ca
run() { "$@" 2>>"$WORK/log" || { cat "$WORK/log" >&2; exit 1; }; }
selfsigned() {  # selfsigned NAME SUBJECT: a self-signed TEST signer, 2025-01-01 → 2045-01-01
  [ -f "keys/$1.key.pem" ] || run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "keys/$1.key.pem"
  rm -rf "$CA_DIR"; mkdir -p "$CA_DIR/newcerts"; : >"$CA_DIR/index.txt"; echo 4001 >"$CA_DIR/serial"
  run openssl req -new -config "$CNF" -key "keys/$1.key.pem" -subj "$2" -out "$WORK/req.csr"
  run openssl ca -batch -notext -preserveDN -config "$CNF" -extensions v3_capsule_signer -extfile signer.ext \
    -startdate 20250101000000Z -enddate 20450101000000Z -selfsign -keyfile "keys/$1.key.pem" -in "$WORK/req.csr" -out "keys/$1.pem"
}
selfsigned signer "/O=fwgate TEST/CN=fwgate TEST capsule signer"
selfsigned other "/O=fwgate TEST/CN=fwgate TEST other capsule signer"

# The firmware: 48 KiB, the same bytes on every run.
head -c 49152 /dev/zero | openssl enc -aes-128-ctr -nosalt \
  -K 000102030405060708090a0b0c0d0e0f -iv 00112233445566778899aabbccddeeff >"$WORK/firmware.bin"
GUID=09d7cf52-0720-4710-91d1-08469b7fe9c8
cap() { run mkeficapsule -g "$GUID" -i 1 "$@"; }
cap -m 7 -p keys/signer.key.pem -c keys/signer.pem "$WORK/firmware.bin" signed.capsule
cap -I 2 -m 8 -p keys/signer.key.pem -c keys/signer.pem "$WORK/firmware.bin" signed-instance.capsule
cap "$WORK/firmware.bin" unsigned.capsule
# The same signer as an EFI signature list (efitools) and as U-Boot's capsule-key DTB.
run cert-to-efi-sig-list -g 11111111-2222-3333-4444-555555555555 keys/signer.pem keys/signer.esl
printf '/dts-v1/;\n/ {\n\tsignature {\n\t\tcapsule-key = /incbin/("signer.esl");\n\t};\n};\n' >"$WORK/capsule-key.dts"
run dtc -I dts -O dtb -i keys -o keys/capsule-key.dtb "$WORK/capsule-key.dts"
# A payload led by EDK II's FMP_PAYLOAD_HEADER: 'MSS1', HeaderSize 16, FwVersion 0x00020401,
# LowestSupportedVersion 0x00020000.
{ printf 'MSS1\x10\x00\x00\x00\x01\x04\x02\x00\x00\x00\x02\x00'; cat "$WORK/firmware.bin"; } >"$WORK/versioned.bin"
cap -m 9 -p keys/signer.key.pem -c keys/signer.pem "$WORK/versioned.bin" fw-versioned.capsule
cap -m 7 -p ../cms/keys/serverauth-leaf.key.pem -c ../cms/keys/serverauth-leaf.pem "$WORK/firmware.bin" serverauth-signer.capsule
cap -m 7 -p ../cms/keys/expired-leaf.key.pem -c ../cms/keys/expired-leaf.pem "$WORK/firmware.bin" expired-signer.capsule

# Tampered twins and expected.json, with openssl cms -verify's verdict on each signature.
python3 vectors.py
