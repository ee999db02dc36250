#!/usr/bin/env bash
# Remakes the EXAMPLE trust material in keys-example/ (two code-signing PKIs, raw vendor keys)
# and README.md with the fingerprints of the new keys.
#
#   EXAMPLE ONLY - NEVER FOR PRODUCTION. Every private key made here is committed to a public
#   repository, so anyone can sign with it. fwgate's policy must never trust these in the field.
#
# Needs: bash, openssl (3.0 or later: -crl_lastupdate/-crl_nextupdate), sha256sum.
# Keys are new on every run; names, subjects, serials, extensions and dates are fixed.
set -euo pipefail
cd "$(dirname "$0")"
umask 022

CNF=openssl-ca.cnf
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Fixed dates (all 00:00:00Z).
ROOT_START=20250101000000Z;  ROOT_END=20500101000000Z
INT_START=20250101000000Z;   INT_END=20450101000000Z
LEAF_START=20260101000000Z;  LEAF_END=20360101000000Z
CRL_LAST=20260101000000Z;    CRL_NEXT=20360101000000Z
REVOKED_AT=260101000000Z     # revocation date written into the CA database (UTCTime)

NOTICE='EXAMPLE KEYS - NEVER FOR PRODUCTION. The private keys in this folder are published with
the fwgate source code; anyone can sign with them. Use them only for tests, demos and docs.
Regenerate with ../generate.sh.'

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
    rsa2048) run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" ;;
    rsa3072) run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out "$2" ;;
    p256)    run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out "$2" ;;
    p384)    run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -pkeyopt ec_param_enc:named_curve -out "$2" ;;
    ed25519) run openssl genpkey -algorithm ED25519 -out "$2" ;;
    *) log "unknown key type $1"; exit 1 ;;
  esac
}

ca_init() {  # ca_init NAME: a fresh openssl ca database for one issuing CA
  mkdir -p "$WORK/ca-$1/newcerts"
  : >"$WORK/ca-$1/index.txt"
  echo 1000 >"$WORK/ca-$1/crlnumber"
}

# issue CA SERIAL PROFILE START END KEY SUBJECT OUT [openssl ca options: -selfsign / -cert ... -keyfile ...]
issue() {
  local ca=$1 serial=$2 profile=$3 start=$4 end=$5 key=$6 subj=$7 out=$8
  shift 8
  CA_DIR="$WORK/ca-$ca" run openssl req -new -config "$CNF" -key "$key" -subj "$subj" -out "$WORK/req.csr"
  echo "$serial" >"$WORK/ca-$ca/serial"
  CA_DIR="$WORK/ca-$ca" run openssl ca -batch -notext -preserveDN -config "$CNF" \
    -extensions "$profile" -startdate "$start" -enddate "$end" \
    -in "$WORK/req.csr" -out "$out" "$@"
}

# make_pki DIR KEYALG LABEL SERIALBASE
make_pki() {
  local dir=$1 alg=$2 label=$3 base=$4
  local org="/O=fwgate EXAMPLE PKI - NOT FOR PRODUCTION"
  mkdir -p "$dir"
  ca_init "$dir-root"
  ca_init "$dir-int"

  newkey "$alg" "$dir/root.key.pem"
  issue "$dir-root" "${base}00" v3_root "$ROOT_START" "$ROOT_END" "$dir/root.key.pem" \
    "$org/CN=fwgate EXAMPLE $label Root CA" "$dir/root.pem" \
    -selfsign -keyfile "$dir/root.key.pem"

  newkey "$alg" "$dir/intermediate.key.pem"
  issue "$dir-root" "${base}01" v3_intermediate "$INT_START" "$INT_END" "$dir/intermediate.key.pem" \
    "$org/CN=fwgate EXAMPLE $label Intermediate CA" "$dir/intermediate.pem" \
    -cert "$dir/root.pem" -keyfile "$dir/root.key.pem"
  cp "$dir/intermediate.pem" "$dir/chain.pem"

  newkey "$alg" "$dir/leaf.key.pem"
  issue "$dir-int" "${base}10" v3_codesign "$LEAF_START" "$LEAF_END" "$dir/leaf.key.pem" \
    "$org/CN=fwgate EXAMPLE $label Code Signing" "$dir/leaf.pem" \
    -cert "$dir/intermediate.pem" -keyfile "$dir/intermediate.key.pem"

  newkey "$alg" "$dir/revoked-leaf.key.pem"
  issue "$dir-int" "${base}11" v3_codesign "$LEAF_START" "$LEAF_END" "$dir/revoked-leaf.key.pem" \
    "$org/CN=fwgate EXAMPLE $label Code Signing (revoked)" "$dir/revoked-leaf.pem" \
    -cert "$dir/intermediate.pem" -keyfile "$dir/intermediate.key.pem"

  # Revoke, then pin the revocation date (openssl ca -revoke records "now").
  CA_DIR="$WORK/ca-$dir-int" run openssl ca -config "$CNF" -revoke "$dir/revoked-leaf.pem" \
    -crl_reason keyCompromise -cert "$dir/intermediate.pem" -keyfile "$dir/intermediate.key.pem"
  awk -F'\t' -v OFS='\t' -v at="$REVOKED_AT" \
    '$1 == "R" { n = split($3, p, ","); $3 = at (n > 1 ? "," p[2] : "") } { print }' \
    "$WORK/ca-$dir-int/index.txt" >"$WORK/index.tmp"
  mv "$WORK/index.tmp" "$WORK/ca-$dir-int/index.txt"

  CA_DIR="$WORK/ca-$dir-int" run openssl ca -gencrl -config "$CNF" \
    -cert "$dir/intermediate.pem" -keyfile "$dir/intermediate.key.pem" \
    -crl_lastupdate "$CRL_LAST" -crl_nextupdate "$CRL_NEXT" -out "$dir/crl.pem"

  printf '%s\n' "$NOTICE" >"$dir/EXAMPLE-KEYS-NOT-FOR-PRODUCTION.txt"
}

rm -rf pki-rsa pki-ecdsa vendor-keys
make_pki pki-rsa rsa3072 RSA 10
make_pki pki-ecdsa p256 ECDSA 20

mkdir -p vendor-keys
for name in rsa2048 rsa3072 ecdsa-p256 ecdsa-p384 ed25519; do
  newkey "${name#ecdsa-}" "vendor-keys/$name.key.pem"
  run openssl pkey -in "vendor-keys/$name.key.pem" -pubout -out "vendor-keys/$name.pub.pem"
done
printf '%s\n' "$NOTICE" >vendor-keys/EXAMPLE-KEYS-NOT-FOR-PRODUCTION.txt

# ---- self-checks: the chains verify, the CRL revokes exactly the revoked leaf ----
for dir in pki-rsa pki-ecdsa; do
  at=1798761600  # 2027-01-01T00:00:00Z
  run openssl verify -x509_strict -attime "$at" -CAfile "$dir/root.pem" -untrusted "$dir/chain.pem" "$dir/leaf.pem"
  run openssl verify -x509_strict -attime "$at" -crl_check -CRLfile "$dir/crl.pem" \
    -CAfile "$dir/root.pem" -untrusted "$dir/chain.pem" "$dir/leaf.pem"
  if openssl verify -x509_strict -attime "$at" -crl_check -CRLfile "$dir/crl.pem" \
      -CAfile "$dir/root.pem" -untrusted "$dir/chain.pem" "$dir/revoked-leaf.pem" >"$WORK/cmd.log" 2>&1; then
    log "$dir/revoked-leaf.pem verified despite the CRL"; exit 1
  fi
  grep -q 'certificate revoked' "$WORK/cmd.log" || { cat "$WORK/cmd.log" >&2; exit 1; }
done

# ---- README.md with the fingerprints ----
spki_fp_pub()  { openssl pkey -pubin -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }
spki_fp_cert() { openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1; }
cert_fp()      { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }
subject()      { openssl x509 -in "$1" -noout -subject -nameopt RFC2253 | sed 's/^subject=//'; }

{
cat <<'EOF'
# keys-example: EXAMPLE trust material for fwgate

> **⚠ EXAMPLES ONLY — NEVER FOR PRODUCTION.** Every private key in this folder (`*.key.pem`) is
> published with the fwgate source code, so anyone can sign firmware with it. Never put these
> keys, roots or certificates into a real trust store or policy. They exist for tests, demos and
> documentation only.

Everything here is made by [`generate.sh`](generate.sh) with the openssl CLI and the
configuration in [`openssl-ca.cnf`](openssl-ca.cnf). To regenerate (new random keys, same
names, subjects, serials, extensions and dates), run:

```sh
keys-example/generate.sh      # needs bash, openssl >= 3.0, sha256sum
```

Regenerating changes every key and fingerprint below (the script rewrites this README).

## Contents

| path | what it is |
|---|---|
| `pki-rsa/root.pem`, `root.key.pem` | root CA, RSA-3072, sha256WithRSAEncryption; basicConstraints critical CA:TRUE; keyUsage critical keyCertSign, cRLSign; 2025-01-01 → 2050-01-01 |
| `pki-rsa/intermediate.pem`, `intermediate.key.pem` | intermediate CA issued by the root, RSA-3072; critical CA:TRUE, pathlen:0; keyCertSign, cRLSign; 2025-01-01 → 2045-01-01 |
| `pki-rsa/chain.pem` | the intermediate certificate alone (what `--chain` / an intermediate pool takes) |
| `pki-rsa/leaf.pem`, `leaf.key.pem` | code-signing certificate issued by the intermediate, RSA-3072; critical CA:FALSE; keyUsage critical digitalSignature; extendedKeyUsage codeSigning; 2026-01-01 → 2036-01-01 |
| `pki-rsa/revoked-leaf.pem`, `revoked-leaf.key.pem` | a second code-signing leaf like `leaf.pem`, revoked (keyCompromise, 2026-01-01) |
| `pki-rsa/crl.pem` | CRL issued by the intermediate, lastUpdate 2026-01-01, nextUpdate 2036-01-01, listing `revoked-leaf.pem` only |
| `pki-ecdsa/…` | the same files and structure with ECDSA P-256 keys, signed with ecdsa-with-SHA256 |
| `vendor-keys/<name>.key.pem` | raw vendor signing keys as MCUboot / ESP32-style signing uses them, PKCS#8 PEM (unencrypted): `rsa2048`, `rsa3072`, `ecdsa-p256`, `ecdsa-p384`, `ed25519` |
| `vendor-keys/<name>.pub.pem` | the matching public keys, SubjectPublicKeyInfo PEM |
| `*/EXAMPLE-KEYS-NOT-FOR-PRODUCTION.txt` | the warning again, next to the keys |
| `openssl-ca.cnf` | the `openssl req` / `openssl ca` configuration and certificate profiles used |
| `generate.sh` | the script that made all of the above |

All times are 00:00:00Z. Serials are fixed: RSA PKI root `1000`, intermediate `1001`, leaf
`1010`, revoked leaf `1011`; ECDSA PKI `2000`, `2001`, `2010`, `2011`.

Check a chain with OpenSSL:

```sh
cd keys-example
openssl verify -x509_strict -CAfile pki-rsa/root.pem -untrusted pki-rsa/chain.pem \
  -crl_check -CRLfile pki-rsa/crl.pem pki-rsa/leaf.pem
```

## Fingerprints

"SPKI SHA-256" is the SHA-256 of the DER SubjectPublicKeyInfo
(`openssl pkey -pubin -in KEY.pub.pem -outform DER | sha256sum`; for a certificate,
`openssl x509 -in CERT.pem -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum`).
"certificate SHA-256" is the SHA-256 of the DER certificate.

| file | subject | SPKI SHA-256 | certificate SHA-256 |
|---|---|---|---|
EOF
for f in pki-rsa/root.pem pki-rsa/intermediate.pem pki-rsa/leaf.pem pki-rsa/revoked-leaf.pem \
         pki-ecdsa/root.pem pki-ecdsa/intermediate.pem pki-ecdsa/leaf.pem pki-ecdsa/revoked-leaf.pem; do
  printf '| `%s` | %s | `%s` | `%s` |\n' "$f" "$(subject "$f")" "$(spki_fp_cert "$f")" "$(cert_fp "$f")"
done
cat <<'EOF'

| vendor key | SPKI SHA-256 |
|---|---|
EOF
for name in rsa2048 rsa3072 ecdsa-p256 ecdsa-p384 ed25519; do
  printf '| `vendor-keys/%s.pub.pem` | `%s` |\n' "$name" "$(spki_fp_pub "vendor-keys/$name.pub.pem")"
done
} >README.md

log "keys-example: done"
