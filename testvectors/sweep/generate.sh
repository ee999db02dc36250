#!/usr/bin/env bash
# Certificates with known notAfter dates around the reference time 2026-06-01T00:00:00Z, in every
# container a sweep reads (PEM, PEM bundle, DER, PKCS#7 .p7b in DER and PEM), plus a CRL past its
# nextUpdate, an empty file and a corrupt one. Made with the openssl CLI (`openssl ca` for fixed
# dates). Tests read the committed results; they never run this script.
set -euo pipefail
cd "$(dirname "$0")"
rm -rf certs work && mkdir -p certs work
cat > work/ca.cnf <<'CNF'
[ ca ]
default_ca = sweep
[ sweep ]
dir = work
database = work/index.txt
new_certs_dir = work/new
serial = work/serial
crlnumber = work/crlnumber
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[ anything ]
commonName = supplied
organizationName = optional
[ leaf ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
[ root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
CNF
mkdir -p work/new && : > work/index.txt && echo 1000 > work/serial && echo 01 > work/crlnumber
openssl ecparam -name prime256v1 -genkey -noout -out work/root.key
openssl req -new -key work/root.key -subj "/CN=Sweep Test Root/O=fwgate TEST" -out work/root.csr
openssl ca -batch -config work/ca.cnf -selfsign -keyfile work/root.key -in work/root.csr -extensions root \
    -startdate 20200101000000Z -enddate 20400101000000Z -out work/root.pem 2>/dev/null
openssl x509 -in work/root.pem -out certs/root.pem
issue() {  # name enddate
    openssl ecparam -name prime256v1 -genkey -noout -out "work/$1.key"
    openssl req -new -key "work/$1.key" -subj "/CN=$1/O=fwgate TEST" -out "work/$1.csr"
    openssl ca -batch -config work/ca.cnf -cert work/root.pem -keyfile work/root.key -in "work/$1.csr" -extensions leaf \
        -startdate 20250101000000Z -enddate "$2" -out "work/$1.pem" 2>/dev/null
    openssl x509 -in "work/$1.pem" -out "work/$1.clean.pem"
}
issue pump-expired   20260501000000Z   # expired at the reference time
issue pump-critical  20260605000000Z   # 4 days left: critical (<= 7d)
issue pump-warning   20260620000000Z   # 19 days left: warning (<= 30d)
issue pump-ok        20270601000000Z   # 365 days left: ok
issue gateway-ok     20300101000000Z
issue monitor-edge   20260608000000Z   # exactly 7 days left: still critical (<=)
cp work/pump-expired.clean.pem certs/pump-expired.pem
openssl x509 -in work/pump-critical.pem -outform DER -out certs/pump-critical.der
cat work/pump-warning.clean.pem work/pump-ok.clean.pem > certs/bundle.pem
openssl crl2pkcs7 -nocrl -certfile work/gateway-ok.clean.pem -certfile work/monitor-edge.clean.pem -outform DER -out certs/bundle.p7b
openssl crl2pkcs7 -nocrl -certfile work/pump-ok.clean.pem -out certs/bundle-pem.p7c
mkdir -p certs/nested && cp work/pump-expired.clean.pem certs/nested/copy-of-expired.pem   # same certificate, second place
openssl ca -batch -config work/ca.cnf -gencrl -cert work/root.pem -keyfile work/root.key \
    -crl_lastupdate 20260101000000Z -crl_nextupdate 20260501000000Z -out certs/root-stale.crl 2>/dev/null
: > certs/empty.pem
head -c 300 work/pump-ok.clean.pem > certs/corrupt.pem
printf 'this is not a certificate\n' > certs/notes.txt
# Outside certs/ (so the golden sweep above is unchanged): an expired certificate followed by a
# truncated block, and a damaged block (bad base64) between two good certificates. A sweep must
# still report the good certificates and name each damaged block by number and line.
rm -rf damaged && mkdir -p damaged
cat certs/pump-expired.pem certs/corrupt.pem > damaged/expired-then-truncated.pem
{ cat certs/pump-expired.pem; printf -- '-----BEGIN CERTIFICATE-----\nnot*base64*at*all\n-----END CERTIFICATE-----\n'; cat certs/root.pem; } \
    > damaged/good-bad-good.pem
rm -rf work
echo "certs/ written"
# The values a sweep must report, from openssl alone (subject, serial, notAfter, SHA-256; daysLeft
# and bucket computed from the fixed --at).
python3 expected_openssl.py
