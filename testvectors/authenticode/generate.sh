#!/usr/bin/env bash
# Remakes the Authenticode (PE/COFF) vectors: two tiny unsigned EFI applications built from
# hello.c with gcc and GNU ld (PE32+ and PE32), a TEST PKI in keys/ made with openssl ca, files
# signed with osslsigncode (its built-in RFC 3161 TSA for the timestamps) and sbsign, then the
# tampered twins and expected.json (vectors.py, which also records osslsigncode verify's and
# sbverify's verdicts).
#
# Needs (Debian 12): gcc gcc-multilib binutils openssl osslsigncode sbsigntool faketime python3.
# Keys are made once and kept (TEST keys, published: never for production); certificates have
# fixed serials and validity, and every signing time is fixed (-time, -TSA-time, faketime for
# sbsign), so a rerun remakes the RSA files byte for byte. ECDSA signatures and RFC 3161 token
# serial numbers are random, so ecdsa.efi, nested.efi and the timestamped files change bytes on
# a rerun (not verdicts).
set -euo pipefail
cd "$(dirname "$0")"
CNF=../cms/openssl-ca.cnf
EXT=authenticode.ext
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CA_DIR=$WORK/ca
mkdir -p keys
run() { "$@" 2>>"$WORK/log" >>"$WORK/log" || { cat "$WORK/log" >&2; exit 1; }; }
for tool in gcc ld objdump openssl osslsigncode sbsign sbverify faketime python3; do
  command -v "$tool" >/dev/null || { echo "generate.sh: $tool is missing" >&2; exit 1; }
done

# --- The unsigned EFI applications -----------------------------------------------------------
# No symbols (-s), no timestamp, FileAlignment 0x200 (so SizeOfHeaders is 0x400), base
# relocations kept: each file is 3.5 KiB and ends at its last section.
CFLAGS=(-Os -ffreestanding -fno-stack-protector -fshort-wchar -mno-red-zone -fno-pic
  -fno-asynchronous-unwind-tables -fno-ident -nostdlib)
LDFLAGS=(--subsystem 10 -e efi_main --no-insert-timestamp -s --file-alignment 0x200
  --section-alignment 0x1000 --enable-reloc-section)
# -mcmodel=large: ld's PE32+ image base is 0x140000000, above the small model's 2 GiB.
run gcc "${CFLAGS[@]}" -mcmodel=large -c hello.c -o "$WORK/hello64.o"
run ld -m i386pep "${LDFLAGS[@]}" "$WORK/hello64.o" -o unsigned.efi
run gcc -m32 "${CFLAGS[@]}" -c hello.c -o "$WORK/hello32.o"
run ld -m i386pe "${LDFLAGS[@]}" "$WORK/hello32.o" -o unsigned32.efi
objdump -x unsigned.efi | grep -q 'Magic.*(PE32+)' && objdump -x unsigned32.efi | grep -q 'Magic.*(PE32)' \
  || { echo "generate.sh: ld did not make a PE32+ and a PE32 file" >&2; exit 1; }

# --- The TEST PKI ----------------------------------------------------------------------------
key() {  # key NAME rsa|ec
  [ -f "keys/$1.key.pem" ] && return
  if [ "$2" = ec ]; then
    run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "keys/$1.key.pem"
  else
    run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "keys/$1.key.pem"
  fi
}
# issue SERIAL PROFILE START END NAME SUBJECT [-selfsign | ISSUER]
issue() {
  local serial=$1 profile=$2 start=$3 end=$4 name=$5 subj=$6 issuer=${7:--selfsign}
  rm -rf "$CA_DIR"; mkdir -p "$CA_DIR/newcerts"; : >"$CA_DIR/index.txt"; echo "$serial" >"$CA_DIR/serial"
  run openssl req -new -config "$CNF" -key "keys/$name.key.pem" -subj "$subj" -out "$WORK/req.csr"
  if [ "$issuer" = -selfsign ]; then
    set -- -selfsign -keyfile "keys/$name.key.pem"
  else
    set -- -cert "keys/$issuer.pem" -keyfile "keys/$issuer.key.pem"
  fi
  run openssl ca -batch -notext -preserveDN -config "$CNF" -extfile "$EXT" -extensions "$profile" \
    -startdate "$start" -enddate "$end" -in "$WORK/req.csr" -out "keys/$name.pem" "$@"
}
for k in root intermediate signer tsa expired-signer serverauth-signer unrelated-root unrelated-signer unrelated-tsa; do
  key "$k" rsa
done
key ecdsa-signer ec
O="/O=fwgate TEST"
# The CAs reach back to 2023 so that a chain can be checked at the 2024 timestamps.
issue 5001 v3_root 20230101000000Z 20400101000000Z root "$O/CN=fwgate TEST Authenticode Root"
issue 5002 v3_intermediate 20230101000000Z 20400101000000Z intermediate "$O/CN=fwgate TEST Authenticode Intermediate" root
issue 5003 v3_codesign 20250101000000Z 20300101000000Z signer "$O/CN=fwgate TEST authenticode signer" intermediate
issue 5004 v3_codesign 20250101000000Z 20300101000000Z ecdsa-signer "$O/CN=fwgate TEST authenticode ECDSA signer" intermediate
issue 5005 v3_timestamping 20240101000000Z 20340101000000Z tsa "$O/CN=fwgate TEST time-stamping authority" root
issue 5006 v3_codesign 20240101000000Z 20250101000000Z expired-signer "$O/CN=fwgate TEST authenticode signer (expired 2025-01-01)" intermediate
issue 5007 v3_serverauth 20250101000000Z 20300101000000Z serverauth-signer "$O/CN=fwgate TEST server (no code-signing EKU)" intermediate
issue 5008 v3_root 20230101000000Z 20400101000000Z unrelated-root "$O/CN=fwgate TEST Unrelated Root"
issue 5009 v3_codesign 20250101000000Z 20300101000000Z unrelated-signer "$O/CN=fwgate TEST authenticode signer (unrelated CA)" unrelated-root
issue 500A v3_timestamping 20240101000000Z 20340101000000Z unrelated-tsa "$O/CN=fwgate TEST time-stamping authority (unrelated CA)" unrelated-root
echo "TEST KEYS — published with fwgate's test vectors; NEVER for production." >keys/TEST-KEYS-NOT-FOR-PRODUCTION.txt

# --- Signing ---------------------------------------------------------------------------------
SIGNED_AT=1748736000   # 2025-06-01T00:00:00Z: the signingTime attribute (unauthenticated)
STAMPED_AT=1717200000  # 2024-06-01T00:00:00Z: inside the expired signer's validity
sign() {  # sign NAME IN OUT [osslsigncode sign options]
  local name=$1 in=$2 out=$3
  shift 3
  rm -f "$out"
  run osslsigncode sign -certs "keys/$name.pem" -key "keys/$name.key.pem" "$@" -in "$in" -out "$out"
}
sign signer unsigned.efi signed.efi -ac keys/intermediate.pem -h sha256 -time $SIGNED_AT
sign signer unsigned32.efi signed32.efi -ac keys/intermediate.pem -h sha256 -time $SIGNED_AT
sign ecdsa-signer unsigned.efi ecdsa.efi -ac keys/intermediate.pem -h sha256 -time $SIGNED_AT
sign ecdsa-signer signed.efi nested.efi -nest -ac keys/intermediate.pem -h sha384 -time $SIGNED_AT
sign unrelated-signer signed.efi nested-untrusted.efi -nest -h sha256 -time $SIGNED_AT
sign signer unsigned.efi sha1.efi -ac keys/intermediate.pem -h sha1 -time $SIGNED_AT
sign unrelated-signer unsigned.efi untrusted-ca.efi -h sha256 -time $SIGNED_AT
sign expired-signer unsigned.efi expired-signer.efi -ac keys/intermediate.pem -h sha256 -time $STAMPED_AT
sign serverauth-signer unsigned.efi serverauth-signer.efi -ac keys/intermediate.pem -h sha256 -time $SIGNED_AT
# RFC 3161 countersignatures from osslsigncode's built-in TSA, one minute after the signing time.
# The TSA puts the clock's time in its own CMS signingTime: faketime stops the clock at the
# token's time. The token's serial number is random, so these two files change on a rerun.
TSA_AT=$((STAMPED_AT + 60))
stamp() {  # stamp TSA OUT
  rm -f "$2"
  run faketime -f "$(date -u -d @$TSA_AT '+%Y-%m-%d %H:%M:%S')" osslsigncode sign \
    -certs keys/expired-signer.pem -key keys/expired-signer.key.pem -ac keys/intermediate.pem -h sha256 \
    -time $STAMPED_AT -TSA-certs "keys/$1.pem" -TSA-key "keys/$1.key.pem" -TSA-time $TSA_AT -in unsigned.efi -out "$2"
}
stamp tsa timestamped.efi
stamp unrelated-tsa timestamped-untrusted-tsa.efi
# sbsign has no time option and puts the current time in signingTime: freeze the clock.
rm -f sbsign.efi
run faketime -f '2025-06-01 00:00:00' sbsign --key keys/signer.key.pem --cert keys/signer.pem \
  --addcert keys/intermediate.pem --output sbsign.efi unsigned.efi

# Tampered twins and expected.json, with osslsigncode verify's and sbverify's verdicts.
python3 vectors.py
