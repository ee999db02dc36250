#!/usr/bin/env bash
# Remakes the TLS fetcher test PKI in testvectors/tls/: a root, an intermediate, and the server
# certificates that Tests/FirmwareCryptoTests/TLSFetchTests.swift serves with `openssl s_server`
# on 127.0.0.1 (valid chain, expired leaf, self-signed, incomplete chain).
#
# Test material only. The server keys (*.key) ARE committed, because a TLS server cannot run
# without its key; they protect nothing and are served on loopback only. The CA keys stay in a
# scratch folder and are deleted at the end, so nothing new can be issued under this root.
#
# Dates are fixed (no test depends on today's date except that "valid" means valid until 2099).
# Keys are new on every run; names, serials, extensions and dates are fixed.
#
# Needs: bash, openssl 3.0+.
set -euo pipefail
cd "$(dirname "$0")"
umask 022

CNF=openssl-tls.cnf
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
P="$WORK/private"
mkdir -p "$P"

# ---- fixed dates (all 00:00:00Z) ----
CA_START=20200101000000Z;      CA_END=20990101000000Z
VALID_START=20240101000000Z;   VALID_END=20990101000000Z
EXPIRED_START=20200101000000Z; EXPIRED_END=20210101000000Z

ORG="/O=fwgate Test PKI"

log() { printf '%s\n' "$*" >&2; }
run() {  # run a command quietly, show its output only if it fails
  if ! "$@" >"$WORK/cmd.log" 2>&1; then
    cat "$WORK/cmd.log" >&2
    log "failed: $*"
    exit 1
  fi
}
newkey() { run openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out "$1"; }
ca_init() { mkdir -p "$WORK/ca-$1/newcerts"; : >"$WORK/ca-$1/index.txt"; }

# issue CA SERIAL PROFILE START END KEY SUBJECT OUT [openssl ca options]
issue() {
  local ca=$1 serial=$2 profile=$3 start=$4 end=$5 key=$6 subj=$7 out=$8
  shift 8
  CA_DIR="$WORK/ca-$ca" run openssl req -new -config "$CNF" -key "$key" -subj "$subj" -out "$WORK/req.csr"
  echo "$serial" >"$WORK/ca-$ca/serial"
  CA_DIR="$WORK/ca-$ca" run openssl ca -batch -notext -preserveDN -config "$CNF" \
    -extensions "$profile" -startdate "$start" -enddate "$end" \
    -in "$WORK/req.csr" -out "$out" "$@"
}

rm -f ./*.pem ./*.key
ca_init root; ca_init int; ca_init self

newkey "$P/root.key"
issue root 2000 v3_root "$CA_START" "$CA_END" "$P/root.key" \
  "$ORG/CN=fwgate Test TLS Root CA" root.pem -selfsign -keyfile "$P/root.key"

newkey "$P/int.key"
issue root 2001 v3_intermediate "$CA_START" "$CA_END" "$P/int.key" \
  "$ORG/CN=fwgate Test TLS Intermediate CA" intermediate.pem -cert root.pem -keyfile "$P/root.key"

# A device certificate valid until 2099, issued by the intermediate.
newkey valid-leaf.key
issue int 3000 v3_server "$VALID_START" "$VALID_END" valid-leaf.key \
  "$ORG/CN=device.fwgate.test" valid-leaf.pem -cert intermediate.pem -keyfile "$P/int.key"

# The same kind of certificate, expired on 2021-01-01.
newkey expired-leaf.key
issue int 3001 v3_server "$EXPIRED_START" "$EXPIRED_END" expired-leaf.key \
  "$ORG/CN=expired.device.fwgate.test" expired-leaf.pem -cert intermediate.pem -keyfile "$P/int.key"

# A self-signed device certificate (no CA behind it).
newkey selfsigned.key
issue self 3002 v3_server_selfsigned "$VALID_START" "$VALID_END" selfsigned.key \
  "$ORG/CN=selfsigned.device.fwgate.test" selfsigned.pem -selfsign -keyfile selfsigned.key

chmod 644 ./*.key

# Cross-checks: the chain verifies (at a fixed time), the expired leaf is expired.
run openssl verify -attime 1735689600 -CAfile root.pem -untrusted intermediate.pem valid-leaf.pem
run openssl verify -attime 1590969600 -CAfile root.pem -untrusted intermediate.pem expired-leaf.pem
if openssl verify -attime 1735689600 -CAfile root.pem -untrusted intermediate.pem expired-leaf.pem >/dev/null 2>&1; then
  log "expired-leaf.pem verifies in 2025"; exit 1
fi
log "testvectors/tls: done"
