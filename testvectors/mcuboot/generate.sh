#!/usr/bin/env bash
# Remakes the MCUboot test vectors in this folder with imgtool (MCUboot's reference signing
# tool), then expected.json. Tests never run this script: they read the committed outputs.
#
# Every key under keys/ is a TEST KEY made for these vectors. Its private half is committed on
# purpose, so it is public: never trust it anywhere outside fwgate's tests.
#
# Needs: bash, python3 (>= 3.9, with venv), network access to PyPI for the first run.
# The virtual environment lives outside the repository (override with FWGATE_VENV).
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1
cd "$(dirname "$0")"

IMGTOOL_VERSION=2.5.0
VENV="${FWGATE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/fwgate/venv-imgtool-$IMGTOOL_VERSION}"
if [ ! -x "$VENV/bin/imgtool" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "imgtool==$IMGTOOL_VERSION"
fi
export PATH="$VENV/bin:$PATH"
[ "$(imgtool version)" = "$IMGTOOL_VERSION" ] || { echo "imgtool is not $IMGTOOL_VERSION" >&2; exit 1; }

LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT

# made OUT CMD...: run CMD (which writes OUT) and note the exact command line for expected.json.
made() {
  local out="$1"; shift
  local said
  said="$("$@")"
  printf '%s\t%s\t%s\n' "$out" "$(printf '%q ' "$@" | sed 's/ $//')" "$(printf '%s' "$said" | tr '\n' ' ')" >> "$LOG"
}

# --- test keys: one trusted and one "other" (never trusted) per algorithm --------------------
mkdir -p keys
for spec in rsa-2048:rsa2048 rsa-3072:rsa3072 ecdsa-p256:ecdsa-p256 ecdsa-p384:ecdsa-p384 ed25519:ed25519; do
  type="${spec%%:*}"; name="${spec#*:}"
  for who in "" "-other"; do
    priv="keys/test-$name$who.priv.pem"
    [ -f "$priv" ] || imgtool keygen -t "$type" -k "$priv"
    imgtool getpub -e pem -k "$priv" -o "keys/test-$name$who.pub.pem"
  done
done

# --- payload: 4 KiB of pseudo-random bytes from a fixed seed -----------------------------------
python3 -c 'import random; r = random.Random(1); open("payload.bin", "wb").write(bytes(r.getrandbits(8) for _ in range(4096)))'

K=keys
COMMON=(-v 1.0.0 -H 0x20 --pad-header -S 0x10000)

# --- valid images, one per key type --------------------------------------------------------------
made rsa2048.bin      imgtool sign -k $K/test-rsa2048.priv.pem    "${COMMON[@]}" payload.bin rsa2048.bin
made rsa3072.bin      imgtool sign -k $K/test-rsa3072.priv.pem    "${COMMON[@]}" payload.bin rsa3072.bin
made ecdsa-p256.bin   imgtool sign -k $K/test-ecdsa-p256.priv.pem "${COMMON[@]}" payload.bin ecdsa-p256.bin
made ecdsa-p384.bin   imgtool sign -k $K/test-ecdsa-p384.priv.pem "${COMMON[@]}" payload.bin ecdsa-p384.bin
made ed25519.bin      imgtool sign -k $K/test-ed25519.priv.pem    "${COMMON[@]}" payload.bin ed25519.bin
made ed25519-sha512.bin imgtool sign -k $K/test-ed25519.priv.pem "${COMMON[@]}" --sha 512 payload.bin ed25519-sha512.bin
made ed25519-pure.bin imgtool sign -k $K/test-ed25519.priv.pem    "${COMMON[@]}" --pure payload.bin ed25519-pure.bin
made unsigned.bin     imgtool sign                                "${COMMON[@]}" payload.bin unsigned.bin

# --- variants (ECDSA P-256) ----------------------------------------------------------------------
made ecdsa-p256-hdr0x200.bin imgtool sign -k $K/test-ecdsa-p256.priv.pem -v 1.0.0 -H 0x200 --pad-header -S 0x10000 payload.bin ecdsa-p256-hdr0x200.bin
made ecdsa-p256-seccnt7.bin  imgtool sign -k $K/test-ecdsa-p256.priv.pem "${COMMON[@]}" --security-counter 7 payload.bin ecdsa-p256-seccnt7.bin
made ecdsa-p256-version.bin  imgtool sign -k $K/test-ecdsa-p256.priv.pem -v 1.2.3+45 -H 0x20 --pad-header -S 0x10000 payload.bin ecdsa-p256-version.bin
made ecdsa-p256-pubkey-full.bin imgtool sign -k $K/test-ecdsa-p256.priv.pem "${COMMON[@]}" --public-key-format full payload.bin ecdsa-p256-pubkey-full.bin
made ecdsa-p256-confirmed.bin imgtool sign -k $K/test-ecdsa-p256.priv.pem -v 1.0.0 -H 0x20 --pad-header -S 0x2000 --pad --confirm payload.bin ecdsa-p256-confirmed.bin
made ecdsa-p256-align8.bin   imgtool sign -k $K/test-ecdsa-p256.priv.pem -v 1.0.0 -H 0x20 --pad-header -S 0x3000 --pad --align 8 payload.bin ecdsa-p256-align8.bin
made ecdsa-p256-ramload.bin  imgtool sign -k $K/test-ecdsa-p256.priv.pem "${COMMON[@]}" --load-addr 0x20000000 payload.bin ecdsa-p256-ramload.bin

# --- wrong key: signed by the "other" key of the same type --------------------------------------
made ecdsa-p256-wrong-key.bin imgtool sign -k $K/test-ecdsa-p256-other.priv.pem "${COMMON[@]}" payload.bin ecdsa-p256-wrong-key.bin
made rsa2048-wrong-key.bin    imgtool sign -k $K/test-rsa2048-other.priv.pem    "${COMMON[@]}" payload.bin rsa2048-wrong-key.bin
made ed25519-wrong-key.bin    imgtool sign -k $K/test-ed25519-other.priv.pem    "${COMMON[@]}" payload.bin ed25519-wrong-key.bin

# --- tampered twins --------------------------------------------------------------------------------
T="python3 tamper.py"
made ecdsa-p256-payload-flip.bin   $T flip ecdsa-p256.bin ecdsa-p256-payload-flip.bin --at payload+0x100
made ecdsa-p256-header-flip.bin    $T flip ecdsa-p256.bin ecdsa-p256-header-flip.bin --at header.version+1
made ecdsa-p256-sig-flip.bin       $T flip ecdsa-p256.bin ecdsa-p256-sig-flip.bin --at tlv:0x22+12
made ecdsa-p256-keyhash-flip.bin   $T flip ecdsa-p256.bin ecdsa-p256-keyhash-flip.bin --at tlv:0x01+0
made ecdsa-p256-trunc-tlv.bin      $T cut ecdsa-p256.bin ecdsa-p256-trunc-tlv.bin --at tlv:0x01+16
made ecdsa-p256-trunc-payload.bin  $T cut ecdsa-p256.bin ecdsa-p256-trunc-payload.bin --at payload+0x800
made ecdsa-p256-tlv-len-overrun.bin $T tlv-len ecdsa-p256.bin ecdsa-p256-tlv-len-overrun.bin --type 0x01 --set 0x100
made ecdsa-p256-confirmed-tlv-len-overrun.bin $T tlv-len ecdsa-p256-confirmed.bin ecdsa-p256-confirmed-tlv-len-overrun.bin --type 0x01 --set 0x100
made ecdsa-p256-tlv-info-too-long.bin $T tlv-info-len ecdsa-p256.bin ecdsa-p256-tlv-info-too-long.bin --area unprotected --set 0x4000
made ecdsa-p256-dup-sha256.bin     $T dup-tlv ecdsa-p256.bin ecdsa-p256-dup-sha256.bin --type 0x10
made ecdsa-p256-seccnt-unprotected.bin $T add-tlv ecdsa-p256.bin ecdsa-p256-seccnt-unprotected.bin --type 0x50 --value 07000000
made ecdsa-p256-seccnt7-seccnt-flip.bin $T flip ecdsa-p256-seccnt7.bin ecdsa-p256-seccnt7-seccnt-flip.bin --at tlv:0x50+0 --bit 3
made ecdsa-p256-seccnt7-moved-unprotected.bin $T unprotect-tlv ecdsa-p256-seccnt7.bin ecdsa-p256-seccnt7-moved-unprotected.bin --type 0x50
made rsa2048-payload-flip.bin      $T flip rsa2048.bin rsa2048-payload-flip.bin --at payload+0x100
made rsa2048-sig-flip.bin          $T flip rsa2048.bin rsa2048-sig-flip.bin --at tlv:0x20+100
made ed25519-payload-flip.bin      $T flip ed25519.bin ed25519-payload-flip.bin --at payload+0x100
made ed25519-sig-flip.bin          $T flip ed25519.bin ed25519-sig-flip.bin --at tlv:0x24+5

# --- expected.json: descriptions, imgtool verify/dumpinfo runs, cross-checks ---------------------
python3 build_expected.py "$LOG"
echo "done: $(ls ./*.bin | wc -l) images, expected.json written"
