#!/usr/bin/env bash
# Remakes the Mender artifact (format version 3) vectors with Debian's mender-artifact
# (bookworm: 3.9.0+ds1-1+b5; `apt-get install -y mender-artifact`), the openssl CLI and python3.
#
# The format as this mender-artifact writes it is described in README.md (the Swift reader follows
# that description). mutate.py makes the tampered twins; reference.py writes expected.json with
# the verdict of `mender-artifact validate -k PUBKEY FILE` next to fwgate's expected verdict.
#
# Keys: TEST keys in keys/ (published with the source, never for production), made on the first
# run and reused after that (delete keys/*.pem to get new ones). mender-artifact 3.9 reads only
# "traditional" private keys (PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY"), so the PKCS#8
# keys in keys/ are converted into a temporary folder before signing.
#
# Determinism: payloads and their mtimes are fixed and RSA PKCS#1 v1.5 signatures are
# deterministic, but the outer tar's header.tar.gz / data/0000.tar.gz members carry the mtime,
# uid/gid and user/group name of mender-artifact's temporary files, and ECDSA signatures are
# random, so a rerun changes some bytes (never the verdicts).
set -euo pipefail
cd "$(dirname "$0")"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

command -v mender-artifact >/dev/null || { echo "needs mender-artifact (apt-get install -y mender-artifact)" >&2; exit 1; }

# --- TEST keys (generate only if absent) -----------------------------------------------------
mkdir -p keys
[ -f keys/rsa3072.key.pem ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out keys/rsa3072.key.pem 2>/dev/null
[ -f keys/rsa3072-other.key.pem ] || openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out keys/rsa3072-other.key.pem 2>/dev/null
[ -f keys/ecdsa-p256.key.pem ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -pkeyopt ec_param_enc:named_curve -out keys/ecdsa-p256.key.pem
for k in rsa3072 rsa3072-other ecdsa-p256; do
  openssl pkey -in keys/$k.key.pem -pubout -out keys/$k.pub.pem
  openssl pkey -in keys/$k.key.pem -traditional -out "$WORK/$k.trad.pem"
done
cat >keys/TEST-KEYS-NOT-FOR-PRODUCTION.txt <<'EOF'
TEST KEYS - NOT FOR PRODUCTION.
The private keys in this folder are published with fwgate's test vectors; anyone can sign with
them. They exist only to make and check the Mender artifact test vectors in testvectors/mender/.
rsa3072        RSA-3072, signs the RSA vectors (PKCS#8 PEM; .pub.pem is SubjectPublicKeyInfo PEM)
rsa3072-other  RSA-3072, signs nothing: the "wrong key of the same type" trust
ecdsa-p256     ECDSA P-256, signs the ECDSA vectors
EOF
RSA="$WORK/rsa3072.trad.pem"
EC="$WORK/ecdsa-p256.trad.pem"

# --- payloads: deterministic pseudo-random bytes (AES-128-CTR keystream under a fixed key) ----
prng() {  # prng BYTES IV OUT
  head -c "$1" /dev/zero | openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f -iv "$2" >"$3"
  touch -d 2026-01-01T00:00:00Z "$3"
}
mkdir -p "$WORK/p"
prng 65536 0f0e0d0c0b0a09080706050403020100 "$WORK/p/rootfs.ext4"
prng 307200 00000000000000000000000000000001 "$WORK/p/app.bin"
cp "$WORK/p/rootfs.ext4" "$WORK/p/config.bin" && touch -d 2026-01-01T00:00:00Z "$WORK/p/config.bin"
printf '{"service":"acme-pump","restart":true}' >"$WORK/p/meta-data.json"
# A 1.5 GiB file of zeros (sparse, no disk space) for the gzip bomb.
truncate -s 1610612736 "$WORK/p/bomb.img" && touch -d 2026-01-01T00:00:00Z "$WORK/p/bomb.img"

# --- valid artifacts written by mender-artifact ----------------------------------------------
rootfs() {  # rootfs OUT [options]
  local out=$1
  shift
  rm -f "$out"
  mender-artifact write rootfs-image --no-progress -n acme-pump-2.4.1 -t acme-pump-v2 \
    -p rootfs-image.version:2.4.1 -o "$out" "$@" >/dev/null
}
rootfs rsa-signed.mender -f "$WORK/p/rootfs.ext4" -k "$RSA"
rootfs ecdsa-signed.mender -f "$WORK/p/rootfs.ext4" -k "$EC"
rootfs unsigned.mender -f "$WORK/p/rootfs.ext4"
rootfs lzma.mender -f "$WORK/p/rootfs.ext4" -k "$RSA" --compression lzma
rootfs uncompressed.mender -f "$WORK/p/rootfs.ext4" -k "$RSA" --compression none
rm -f module-image.mender two-files.mender
mender-artifact write module-image -T single-file -n acme-pump-app-2.4.1 -t acme-pump-v2 \
  -p app.version:2.4.1 -m "$WORK/p/meta-data.json" -f "$WORK/p/rootfs.ext4" -k "$EC" -o module-image.mender >/dev/null
mender-artifact write module-image -T directory -n acme-pump-files-2.4.1 -t acme-pump-v2 \
  -p app.version:2.4.1 -f "$WORK/p/config.bin" -f "$WORK/p/app.bin" -k "$RSA" -o two-files.mender >/dev/null
# The bomb, written by mender-artifact itself (so manifest and signature are genuine).
rootfs gzip-bomb.mender -f "$WORK/p/bomb.img" -k "$RSA"

# Check that mutate.py signs exactly as mender-artifact does (RSA PKCS#1 v1.5 is deterministic).
python3 mutate.py resign rsa-signed.mender "$WORK/resigned.mender" "$RSA"
cmp -s rsa-signed.mender "$WORK/resigned.mender" || { echo "mutate.py resign differs from mender-artifact's signature" >&2; exit 1; }

# --- tampered twins --------------------------------------------------------------------------
python3 mutate.py strip rsa-signed.mender sig-stripped.mender manifest.sig
python3 mutate.py flip-sig rsa-signed.mender sig-flip.mender
python3 mutate.py edit-manifest rsa-signed.mender manifest-edited.mender
python3 mutate.py tamper-payload rsa-signed.mender payload-tampered.mender
python3 mutate.py tamper-header rsa-signed.mender header-tampered.mender acme-pump-v2 acme-pump-v9
python3 mutate.py add rsa-signed.mender extra-member.mender evil -
python3 mutate.py add rsa-signed.mender extra-data.mender data/0001.tar.gz data/0000.tar.gz
python3 mutate.py drop-data-file two-files.mender missing-file.mender app.bin
python3 mutate.py truncate rsa-signed.mender truncated.mender
python3 mutate.py traversal rsa-signed.mender path-traversal.mender ../../etc/passwd "$RSA"
python3 mutate.py duplicate rsa-signed.mender duplicate-header.mender header.tar.gz

python3 reference.py
