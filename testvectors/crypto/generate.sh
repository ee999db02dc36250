#!/usr/bin/env bash
# Remakes the FirmwareCrypto test vectors in testvectors/crypto/: keys, signatures, fixed-date
# certificate chains and CRLs, CMS signatures, then expected.json (via build_expected.py, which
# also merges the hand-written published vectors from published.json and cross-checks
# everything with the openssl CLI and python `cryptography`).
#
# Test material only. The private keys live in a scratch folder and are deleted at the end;
# nothing here can be used to sign anything after this script has run.
#
# Needs: bash, openssl 3.0+, python3 with `cryptography`, coreutils.
# Keys are new on every run; names, subjects, serials, extensions and dates are fixed.
set -euo pipefail
cd "$(dirname "$0")"
umask 022

CNF=openssl-ca.cnf
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
P="$WORK/private"          # private keys: never copied out of $WORK
mkdir -p "$P"

# ---- fixed dates (all 00:00:00Z) ----
ROOT_START=20200101000000Z;  ROOT_END=20500101000000Z
INT_START=20210101000000Z;   INT_END=20400101000000Z
LEAF_START=20240101000000Z;  LEAF_END=20300101000000Z
CRL_LAST=20260101000000Z;    CRL_NEXT=20300101000000Z
REVOKED_AT=250601000000Z     # revocation date written into the CA database (UTCTime)

log() { printf '%s\n' "$*" >&2; }

run() {  # run a command quietly, show its output only if it fails
  if ! "$@" >"$WORK/cmd.log" 2>&1; then
    cat "$WORK/cmd.log" >&2
    log "failed: $*"
    exit 1
  fi
}

newkey() {  # newkey ALG OUT  (PKCS#8 PEM, unencrypted)
  case "$1" in
    rsa1024|rsa2048|rsa3072)
      run openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${1#rsa}" -out "$2" ;;
    p256|p384|p521)
      run openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:P-${1#p}" \
        -pkeyopt ec_param_enc:named_curve -out "$2" ;;
    ed25519) run openssl genpkey -algorithm ED25519 -out "$2" ;;
    *) log "unknown key type $1"; exit 1 ;;
  esac
}

# flip_byte IN OFFSET XORMASK OUT: copy IN to OUT with one byte XORed (negative OFFSET counts from the end)
flip_byte() {
  local in=$1 off=$2 mask=$3 out=$4 size b
  size=$(wc -c <"$in")
  if ((off < 0)); then off=$((size + off)); fi
  b=$(od -An -tu1 -j "$off" -N1 "$in" | tr -d ' \n')
  { head -c "$off" "$in"
    printf "\\$(printf '%03o' $((b ^ mask)))"
    tail -c +$((off + 2)) "$in"; } >"$out"
}

hex2bin() { printf '%b' "$(printf '%s' "$1" | sed 's/../\\x&/g')"; }

# ecdsa_der_to_raw DER FIELD_BYTES OUT: DER ECDSA-Sig-Value -> r||s, each left-padded to FIELD_BYTES
ecdsa_der_to_raw() {
  local der=$1 n=$2 out=$3 hex="" v
  while read -r v; do
    v=$(printf '%0*d%s' $((2 * n)) 0 "$v")
    hex+=${v: -$((2 * n))}
  done < <(openssl asn1parse -inform DER -in "$der" | awk -F: '/prim: INTEGER/ { print $NF }')
  [ ${#hex} -eq $((4 * n)) ] || { log "bad ECDSA signature $der"; exit 1; }
  hex2bin "$(printf '%s' "$hex" | tr 'A-F' 'a-f')" >"$out"
}

ca_init() {  # ca_init NAME: a fresh openssl ca database for one issuing CA
  mkdir -p "$WORK/ca-$1/newcerts"
  : >"$WORK/ca-$1/index.txt"
  echo 1000 >"$WORK/ca-$1/crlnumber"
}

# issue CA SERIAL PROFILE START END KEY SUBJECT OUT [openssl ca options: -selfsign, -cert, -keyfile, -md]
issue() {
  local ca=$1 serial=$2 profile=$3 start=$4 end=$5 key=$6 subj=$7 out=$8
  shift 8
  CA_DIR="$WORK/ca-$ca" run openssl req -new -config "$CNF" -key "$key" -subj "$subj" -out "$WORK/req.csr"
  echo "$serial" >"$WORK/ca-$ca/serial"
  CA_DIR="$WORK/ca-$ca" run openssl ca -batch -notext -preserveDN -config "$CNF" \
    -extensions "$profile" -startdate "$start" -enddate "$end" \
    -in "$WORK/req.csr" -out "$out" "$@"
}

ORG="/O=fwgate Test PKI"

rm -rf keys signatures certs chains cms expected.json
mkdir -p keys signatures certs chains cms

# =====================================================================================
# keys/: one RSA-2048 key in four encodings, Ed25519, EC points, a certificate, bad inputs
# =====================================================================================
newkey rsa2048 "$P/rsa2048.key"
run openssl pkey -in "$P/rsa2048.key" -pubout -out keys/rsa2048.spki.pem
run openssl pkey -in "$P/rsa2048.key" -pubout -outform DER -out keys/rsa2048.spki.der
run openssl rsa -in "$P/rsa2048.key" -RSAPublicKey_out -out keys/rsa2048.pkcs1.pem
run openssl rsa -in "$P/rsa2048.key" -RSAPublicKey_out -outform DER -out keys/rsa2048.pkcs1.der

newkey rsa3072 "$P/rsa3072.key"
run openssl pkey -in "$P/rsa3072.key" -pubout -out keys/rsa3072.spki.pem

newkey ed25519 "$P/ed25519.key"
run openssl pkey -in "$P/ed25519.key" -pubout -out keys/ed25519.spki.pem
openssl pkey -in "$P/ed25519.key" -pubout -outform DER | tail -c 32 >keys/ed25519.pub.bin

# SPKI DER ends with the uncompressed point 04||X||Y: 65 / 97 / 133 bytes.
for c in p256:65 p384:97 p521:133; do
  name=${c%%:*} len=${c##*:}
  newkey "$name" "$P/$name.key"
  run openssl pkey -in "$P/$name.key" -pubout -out "keys/$name.spki.pem"
  openssl pkey -in "$P/$name.key" -pubout -outform DER | tail -c "$len" >"keys/$name.point.bin"
done

# A self-signed certificate carrying the same RSA-2048 key (its SPKI fingerprint equals the keys').
ca_init keycert
issue keycert 6000 v3_codesign_selfsigned "$LEAF_START" "$LEAF_END" "$P/rsa2048.key" \
  "$ORG/CN=fwgate Test RSA-2048 Key Certificate" keys/rsa2048-cert.pem -selfsign -keyfile "$P/rsa2048.key"
run openssl x509 -in keys/rsa2048-cert.pem -outform DER -out keys/rsa2048-cert.der

# Inputs a key loader must refuse.
openssl rand 64 >keys/garbage.bin
: >keys/empty.pem
head -c $(($(wc -c <keys/rsa2048.spki.pem) / 2)) keys/rsa2048.spki.pem >keys/truncated.pem
CA_DIR="$WORK" run openssl req -new -config "$CNF" -key "$P/rsa2048.key" \
  -subj "$ORG/CN=fwgate Test CSR (not a key)" -out keys/wrong-type.pem

# =====================================================================================
# signatures/: generated by openssl over signatures/message.bin (or its SHA-256 digest)
# =====================================================================================
S=signatures
printf 'fwgate signature test vector\n' >$S/message.bin
openssl dgst -sha256 -binary $S/message.bin >$S/message.sha256

# RSA-2048 PKCS#1 v1.5 SHA-256
run openssl dgst -sha256 -sign "$P/rsa2048.key" -out $S/rsa2048-pkcs1v15-sha256.sig $S/message.bin
# RSA-3072 PSS SHA-256, salt = digest length (32)
run openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest \
  -sign "$P/rsa3072.key" -out $S/rsa3072-pss-sha256-saltdigest.sig $S/message.bin
# RSA-2048 PSS SHA-256, salt = maximum (256 - 32 - 2 = 222)
run openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:max \
  -sign "$P/rsa2048.key" -out $S/rsa2048-pss-sha256-saltmax.sig $S/message.bin
# ECDSA, DER and raw r||s
for c in p256:sha256:32 p384:sha384:48 p521:sha512:66; do
  IFS=: read -r name hash n <<<"$c"
  run openssl dgst "-$hash" -sign "$P/$name.key" -out "$S/ecdsa-$name-$hash-der.sig" $S/message.bin
  ecdsa_der_to_raw "$S/ecdsa-$name-$hash-der.sig" "$n" "$S/ecdsa-$name-$hash-raw.sig"
done
# Ed25519 (PureEdDSA over the message)
run openssl pkeyutl -sign -rawin -inkey "$P/ed25519.key" -in $S/message.bin -out $S/ed25519.sig
# Signatures over a precomputed SHA-256 digest (input: digest)
run openssl pkeyutl -sign -inkey "$P/rsa2048.key" -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss \
  -pkeyopt rsa_pss_saltlen:digest -in $S/message.sha256 -out $S/rsa2048-pss-sha256-saltdigest-prehashed.sig
run openssl pkeyutl -sign -inkey "$P/rsa2048.key" -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pkcs1 \
  -in $S/message.sha256 -out $S/rsa2048-pkcs1v15-sha256-prehashed.sig
run openssl pkeyutl -sign -inkey "$P/p256.key" -pkeyopt digest:sha256 \
  -in $S/message.sha256 -out $S/ecdsa-p256-sha256-prehashed-der.sig

# Tampered twins: one bit flipped (-> invalid) and wrong length / broken DER (-> malformed).
for f in rsa2048-pkcs1v15-sha256 rsa3072-pss-sha256-saltdigest rsa2048-pss-sha256-saltmax \
         ecdsa-p256-sha256-der ecdsa-p256-sha256-raw ecdsa-p384-sha384-der ecdsa-p384-sha384-raw \
         ecdsa-p521-sha512-der ecdsa-p521-sha512-raw rsa2048-pss-sha256-saltdigest-prehashed \
         rsa2048-pkcs1v15-sha256-prehashed ecdsa-p256-sha256-prehashed-der; do
  # last byte, lowest bit: for DER ECDSA that changes s and keeps the encoding valid
  flip_byte "$S/$f.sig" -1 1 "$S/$f-bitflip.sig"
done
# Ed25519: flip a bit of R (first byte); flipping S could push it past the group order.
flip_byte $S/ed25519.sig 0 1 $S/ed25519-bitflip.sig
for f in rsa2048-pkcs1v15-sha256 rsa3072-pss-sha256-saltdigest rsa2048-pss-sha256-saltmax \
         ecdsa-p256-sha256-raw ecdsa-p384-sha384-raw ecdsa-p521-sha512-raw ed25519 \
         ecdsa-p256-sha256-der ecdsa-p384-sha384-der ecdsa-p521-sha512-der; do
  # one byte short: a wrong length for RSA / raw / Ed25519, a DER length that runs past the end
  head -c -1 "$S/$f.sig" >"$S/$f-short.sig"
done
# DER garbage: a SEQUENCE whose length byte claims more than there is, then junk.
hex2bin 30ff0201010201 >$S/ecdsa-der-garbage.sig

# =====================================================================================
# chains/ (and certs/): fixed-date RSA PKI and the chain-validation cases
# =====================================================================================
C=chains
ca_init root; ca_init int; ca_init int-expired; ca_init int-not-ca; ca_init selfsigned; ca_init ecroot

newkey rsa3072 "$P/root.key"
issue root 1000 v3_root "$ROOT_START" "$ROOT_END" "$P/root.key" \
  "$ORG/CN=fwgate Test Root CA" $C/root.pem -selfsign -keyfile "$P/root.key"

newkey rsa3072 "$P/int.key"
issue root 1001 v3_intermediate "$INT_START" "$INT_END" "$P/int.key" \
  "$ORG/CN=fwgate Test Intermediate CA" $C/intermediate.pem -cert $C/root.pem -keyfile "$P/root.key"

newkey rsa2048 "$P/int-expired.key"
issue root 1002 v3_intermediate 20200101000000Z 20250101000000Z "$P/int-expired.key" \
  "$ORG/CN=fwgate Test Intermediate CA (expired)" $C/intermediate-expired.pem \
  -cert $C/root.pem -keyfile "$P/root.key"

newkey rsa2048 "$P/int-not-ca.key"
issue root 1003 v3_intermediate_not_ca "$INT_START" "$INT_END" "$P/int-not-ca.key" \
  "$ORG/CN=fwgate Test Intermediate (CA:FALSE)" $C/intermediate-not-ca.pem \
  -cert $C/root.pem -keyfile "$P/root.key"

BY_INT=(-cert $C/intermediate.pem -keyfile "$P/int.key")
leaf() {  # leaf KEYNAME KEYALG SERIAL PROFILE START END CN OUT [extra ca options]
  local key=$1 alg=$2 serial=$3 profile=$4 start=$5 end=$6 cn=$7 out=$8
  shift 8
  [ -f "$P/$key.key" ] || newkey "$alg" "$P/$key.key"
  issue int "$serial" "$profile" "$start" "$end" "$P/$key.key" "$ORG/CN=$cn" "$out" "${BY_INT[@]}" "$@"
}
leaf leaf-valid rsa2048 2000 v3_codesign "$LEAF_START" "$LEAF_END" \
  "fwgate Test Code Signing" $C/leaf-valid.pem
leaf leaf-expired rsa2048 2001 v3_codesign 20200101000000Z 20250101000000Z \
  "fwgate Test Code Signing (expired)" $C/leaf-expired.pem
leaf leaf-not-yet-valid rsa2048 2002 v3_codesign 20270101000000Z 20350101000000Z \
  "fwgate Test Code Signing (not yet valid)" $C/leaf-not-yet-valid.pem
leaf leaf-serverauth rsa2048 2003 v3_serverauth "$LEAF_START" "$LEAF_END" \
  "fwgate Test TLS Server (no codeSigning)" $C/leaf-serverauth-only.pem
leaf leaf-sha1 rsa2048 2004 v3_codesign "$LEAF_START" "$LEAF_END" \
  "fwgate Test Code Signing (SHA-1 signed)" $C/leaf-sha1.pem -md sha1
leaf leaf-rsa1024 rsa1024 2005 v3_codesign "$LEAF_START" "$LEAF_END" \
  "fwgate Test Code Signing (RSA-1024)" $C/leaf-rsa1024.pem
leaf leaf-revoked rsa2048 2006 v3_codesign "$LEAF_START" "$LEAF_END" \
  "fwgate Test Code Signing (revoked)" $C/leaf-revoked.pem
leaf leaf-keyenc rsa2048 2007 v3_codesign_keyenc_only "$LEAF_START" "$LEAF_END" \
  "fwgate Test Code Signing (keyEncipherment only)" $C/leaf-no-digitalsignature.pem
leaf leaf-sigflip rsa2048 2009 v3_codesign "$LEAF_START" "$LEAF_END" \
  "fwgate Test Code Signing (signature corrupted)" "$WORK/leaf-sigflip-good.pem"
leaf leaf-san rsa2048 2008 v3_codesign_san "$LEAF_START" "$LEAF_END" \
  "fwgate Test Code Signing (subjectAltName)" certs/san-leaf.pem

# Corrupt the issuer's signature: flip a bit in the middle of the signatureValue BIT STRING
# (the last element of the certificate), leaving the structure intact.
run openssl x509 -in "$WORK/leaf-sigflip-good.pem" -outform DER -out "$WORK/leaf-sigflip-good.der"
flip_byte "$WORK/leaf-sigflip-good.der" -128 0x10 "$WORK/leaf-sigflip.der"
run openssl x509 -inform DER -in "$WORK/leaf-sigflip.der" -out $C/leaf-sigflip.pem

newkey rsa2048 "$P/leaf-under-expired.key"
issue int-expired 3000 v3_codesign "$LEAF_START" "$LEAF_END" "$P/leaf-under-expired.key" \
  "$ORG/CN=fwgate Test Code Signing (under expired intermediate)" $C/leaf-under-expired-intermediate.pem \
  -cert $C/intermediate-expired.pem -keyfile "$P/int-expired.key"

newkey rsa2048 "$P/leaf-under-not-ca.key"
issue int-not-ca 4000 v3_codesign "$LEAF_START" "$LEAF_END" "$P/leaf-under-not-ca.key" \
  "$ORG/CN=fwgate Test Code Signing (under CA:FALSE intermediate)" $C/leaf-under-not-ca.pem \
  -cert $C/intermediate-not-ca.pem -keyfile "$P/int-not-ca.key"

newkey rsa2048 "$P/leaf-self-signed.key"
issue selfsigned 5000 v3_codesign_selfsigned "$LEAF_START" "$LEAF_END" "$P/leaf-self-signed.key" \
  "$ORG/CN=fwgate Test Code Signing (self-signed)" $C/leaf-self-signed.pem \
  -selfsign -keyfile "$P/leaf-self-signed.key"

# CRLs: the intermediate revokes leaf-revoked.pem (keyCompromise, 2025-06-01); the root revokes nothing.
CA_DIR="$WORK/ca-int" run openssl ca -config "$CNF" -revoke $C/leaf-revoked.pem \
  -crl_reason keyCompromise "${BY_INT[@]}"
awk -F'\t' -v OFS='\t' -v at="$REVOKED_AT" \
  '$1 == "R" { n = split($3, p, ","); $3 = at (n > 1 ? "," p[2] : "") } { print }' \
  "$WORK/ca-int/index.txt" >"$WORK/index.tmp"
mv "$WORK/index.tmp" "$WORK/ca-int/index.txt"
CA_DIR="$WORK/ca-int" run openssl ca -gencrl -config "$CNF" "${BY_INT[@]}" \
  -crl_lastupdate "$CRL_LAST" -crl_nextupdate "$CRL_NEXT" -out $C/intermediate.crl.pem
CA_DIR="$WORK/ca-root" run openssl ca -gencrl -config "$CNF" -cert $C/root.pem -keyfile "$P/root.key" \
  -crl_lastupdate "$CRL_LAST" -crl_nextupdate "$CRL_NEXT" -out $C/root.crl.pem

# certs/: an ECDSA P-384 root (ecdsa-with-SHA384) and an Ed25519 leaf under it.
newkey p384 "$P/ecroot.key"
issue ecroot 7000 v3_root "$ROOT_START" "$ROOT_END" "$P/ecroot.key" \
  "$ORG/CN=fwgate Test ECDSA Root CA" certs/ecdsa-root.pem -selfsign -keyfile "$P/ecroot.key" -md sha384
newkey ed25519 "$P/ed25519-leaf.key"
issue ecroot 7001 v3_codesign "$LEAF_START" "$LEAF_END" "$P/ed25519-leaf.key" \
  "$ORG/CN=fwgate Test Code Signing (Ed25519)" certs/ed25519-leaf.pem \
  -cert certs/ecdsa-root.pem -keyfile "$P/ecroot.key" -md sha384

# =====================================================================================
# cms/: CMS SignedData over a fixed 4 KiB pseudo-random payload
# =====================================================================================
M=cms
# AES-128-CTR keystream under a fixed key/IV: the same 4096 bytes on every run.
head -c 4096 /dev/zero | openssl enc -aes-128-ctr -nosalt \
  -K 000102030405060708090a0b0c0d0e0f -iv 00000000000000000000000000000000 >$M/content.bin
flip_byte $M/content.bin 1000 0x01 $M/content-tampered.bin

cms_sign() {  # cms_sign SIGNER_CERT SIGNER_KEY OUT [options]
  local cert=$1 key=$2 out=$3
  shift 3
  run openssl cms -sign -binary -nosmimecap -md sha256 -in $M/content.bin \
    -signer "$cert" -inkey "$key" -out "$out" "$@"
}
cms_sign $C/leaf-valid.pem "$P/leaf-valid.key" $M/detached.p7s -outform DER -certfile $C/intermediate.pem
cms_sign $C/leaf-valid.pem "$P/leaf-valid.key" $M/detached.pem -outform PEM -certfile $C/intermediate.pem
cms_sign $C/leaf-valid.pem "$P/leaf-valid.key" $M/attached.p7s -outform DER -nodetach -certfile $C/intermediate.pem
cms_sign $C/leaf-expired.pem "$P/leaf-expired.key" $M/expired-signer.p7s -outform DER -certfile $C/intermediate.pem

# An unrelated, self-made CA and a code-signing leaf under it.
ca_init unrelated
newkey rsa2048 "$P/unrelated-root.key"
issue unrelated 8000 v3_root "$ROOT_START" "$ROOT_END" "$P/unrelated-root.key" \
  "/O=Unrelated Test CA/CN=Unrelated Test Root CA" $M/unrelated-root.pem -selfsign -keyfile "$P/unrelated-root.key"
newkey rsa2048 "$P/unrelated-leaf.key"
issue unrelated 8001 v3_codesign "$LEAF_START" "$LEAF_END" "$P/unrelated-leaf.key" \
  "/O=Unrelated Test CA/CN=Unrelated Code Signing" $M/unrelated-leaf.pem \
  -cert $M/unrelated-root.pem -keyfile "$P/unrelated-root.key"
cms_sign $M/unrelated-leaf.pem "$P/unrelated-leaf.key" $M/unrelated-signer.p7s -outform DER

# Flip a byte inside the SignerInfo signature value: the last OCTET STRING of the structure.
# asn1parse prints "  off:d=N  hl=H l=  L prim: OCTET STRING ..."; squeeze "= " so fields split cleanly.
read -r sig_off sig_hl sig_len < <(openssl asn1parse -inform DER -in $M/detached.p7s | sed -E 's/= +/=/g' |
  awk '/prim: OCTET STRING/ { split($1, o, ":"); split($2, h, "="); split($3, l, "="); off = o[1]; hl = h[2]; len = l[2] }
       END { print off, hl, len }')
[ "$sig_len" -eq 256 ] || { log "unexpected signature length $sig_len in $M/detached.p7s"; exit 1; }
[ $((sig_off + sig_hl + sig_len)) -eq "$(wc -c <$M/detached.p7s)" ] || { log "signature is not at the end of $M/detached.p7s"; exit 1; }
flip_byte $M/detached.p7s $((sig_off + sig_hl + sig_len / 2)) 0x01 $M/detached-sigflip.p7s

head -c $(($(wc -c <$M/detached.p7s) / 2)) $M/detached.p7s >$M/detached-truncated.p7s

# =====================================================================================
# expected.json: describe, run the reference verifiers, cross-check, merge published vectors
# =====================================================================================
python3 build_expected.py

log "testvectors/crypto: done ($(du -sk . | cut -f1) KiB)"
