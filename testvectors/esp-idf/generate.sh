#!/usr/bin/env bash
# Remakes the ESP32-C5 app-image test vectors in this folder with esptool / espsecure
# (Espressif's reference tools), then expected.json. Tests never run this script: they read
# the committed outputs.
#
# Every key under keys/ is a TEST KEY made for these vectors. Its private half is committed on
# purpose, so it is public: never trust it (or its eFuse digest) anywhere outside fwgate's tests.
#
# Needs: bash, python3 (>= 3.10, with venv), network access to PyPI for the first run.
# The virtual environment lives outside the repository (override with FWGATE_VENV).
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1
cd "$(dirname "$0")"

ESPTOOL_VERSION=5.6.0
VENV="${FWGATE_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/fwgate/venv-esptool-$ESPTOOL_VERSION}"
if [ ! -x "$VENV/bin/espsecure" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "esptool==$ESPTOOL_VERSION"
fi
export PATH="$VENV/bin:$PATH"
[ "$(esptool version | tail -n 1)" = "$ESPTOOL_VERSION" ] || { echo "esptool is not $ESPTOOL_VERSION" >&2; exit 1; }

LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT

# made OUT CMD...: run CMD (which writes OUT) and note the exact command line for expected.json.
made() {
  local out="$1"; shift
  local said
  said="$("$@")"
  printf '%s\t%s\t%s\n' "$out" "$(printf '%q ' "$@" | sed 's/ $//')" "$(printf '%s' "$said" | tr '\n\t' '  ')" >> "$LOG"
}

# --- test keys ------------------------------------------------------------------------------------
# trusted: rsa3072, rsa3072-b (second key, for the two-signature image), ecdsa-p256, ecdsa-p384
# never trusted: rsa3072-other, ecdsa-p256-other, ecdsa-p384-other
mkdir -p keys
for spec in rsa3072:rsa3072 rsa3072:rsa3072-b rsa3072:rsa3072-other ecdsa256:ecdsa-p256 \
            ecdsa256:ecdsa-p256-other ecdsa384:ecdsa-p384 ecdsa384:ecdsa-p384-other; do
  scheme="${spec%%:*}"; name="${spec#*:}"
  priv="keys/test-$name.priv.pem"
  [ -f "$priv" ] || espsecure generate-signing-key --version 2 --scheme "$scheme" "$priv" >/dev/null
  espsecure extract-public-key --version 2 --keyfile "$priv" "keys/test-$name.pub.pem" >/dev/null
  # The 32 bytes an ESP32-C5 would hold in a SECURE_BOOT_DIGESTn eFuse block for this key.
  espsecure digest-sbv2-public-key --keyfile "keys/test-$name.pub.pem" --output "keys/test-$name.efuse-digest.bin" >/dev/null
done

# --- the application: a fixed ELF (no compiler) turned into an image by esptool ------------------
made app.elf          python3 mkelf.py app.elf
made app-overlap.elf  python3 mkelf.py app-overlap.elf --overlap
ELF2IMAGE=(esptool --chip esp32c5 elf2image --flash-mode dio --flash-freq 80m --flash-size 2MB)
made app-unsigned.bin "${ELF2IMAGE[@]}" -o app-unsigned.bin app.elf
made app-overlap-unsigned.bin "${ELF2IMAGE[@]}" -o app-overlap-unsigned.bin app-overlap.elf

# --- Secure Boot v2 signatures -----------------------------------------------------------------------
K=keys
SIGN=(espsecure sign-data --version 2)
made app-rsa3072.bin    "${SIGN[@]}" --keyfile $K/test-rsa3072.priv.pem    --output app-rsa3072.bin    app-unsigned.bin
made app-ecdsa-p256.bin "${SIGN[@]}" --keyfile $K/test-ecdsa-p256.priv.pem --output app-ecdsa-p256.bin app-unsigned.bin
made app-ecdsa-p384.bin "${SIGN[@]}" --keyfile $K/test-ecdsa-p384.priv.pem --output app-ecdsa-p384.bin app-unsigned.bin
made app-rsa3072-2sig.bin "${SIGN[@]}" --append-signatures --keyfile $K/test-rsa3072-b.priv.pem --output app-rsa3072-2sig.bin app-rsa3072.bin
made app-overlap-ecdsa-p256.bin "${SIGN[@]}" --keyfile $K/test-ecdsa-p256.priv.pem --output app-overlap-ecdsa-p256.bin app-overlap-unsigned.bin
made app-ecdsa-p256-wrong-key.bin "${SIGN[@]}" --keyfile $K/test-ecdsa-p256-other.priv.pem --output app-ecdsa-p256-wrong-key.bin app-unsigned.bin
made app-rsa3072-wrong-key.bin    "${SIGN[@]}" --keyfile $K/test-rsa3072-other.priv.pem    --output app-rsa3072-wrong-key.bin    app-unsigned.bin

# --- tampered twins ------------------------------------------------------------------------------------
T="python3 tamper.py"
made app-ecdsa-p256-segment-flip.bin $T flip app-ecdsa-p256.bin app-ecdsa-p256-segment-flip.bin --at segment:1+0x10
made app-ecdsa-p256-sha256-flip.bin  $T flip app-ecdsa-p256.bin app-ecdsa-p256-sha256-flip.bin --at sha256+0
made app-ecdsa-p256-sig-flip.bin     $T flip app-ecdsa-p256.bin app-ecdsa-p256-sig-flip.bin --at sigblock:0.signature+5 --fix-crc
made app-ecdsa-p256-crc-flip.bin     $T flip app-ecdsa-p256.bin app-ecdsa-p256-crc-flip.bin --at sigblock:0.crc+0
made app-ecdsa-p256-truncated.bin    $T cut app-ecdsa-p256.bin app-ecdsa-p256-truncated.bin --at segment:1+0x200
made app-ecdsa-p256-bad-magic.bin    $T flip app-ecdsa-p256.bin app-ecdsa-p256-bad-magic.bin --at header+0
made app-rsa3072-sig-flip.bin        $T flip app-rsa3072.bin app-rsa3072-sig-flip.bin --at sigblock:0.signature+5 --fix-crc
made app-ecdsa-p384-sig-flip.bin     $T flip app-ecdsa-p384.bin app-ecdsa-p384-sig-flip.bin --at sigblock:0.signature+5 --fix-crc
made app-rsa3072-2sig-crc-flip1.bin  $T flip app-rsa3072-2sig.bin app-rsa3072-2sig-crc-flip1.bin --at sigblock:1.crc+0

# --- expected.json: descriptions, esptool/espsecure runs, cross-checks -------------------------------
python3 build_expected.py "$LOG"
echo "done: $(ls ./*.bin | wc -l) images, expected.json written"
