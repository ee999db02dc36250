#!/usr/bin/env bash
# MCUboot verification: fwgate vs `imgtool verify` (16 MiB ECDSA P-256 image), and fwgate vs
# `openssl dgst -sha256` on a 256 MiB image, in one run. Prints medians, ratios, peak RSS.
# Usage: Benchmarks/mcuboot-verify.sh [runs (default 5)]
# Installs imgtool 2.5.0 into a virtualenv under ${XDG_CACHE_HOME:-~/.cache}/fwgate/bench-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
for tool in time bc; do command -v "$tool" >/dev/null || [ -x "/usr/bin/$tool" ] || { apt-get update -qq && apt-get install -y -qq "$tool"; }; done
venv="${XDG_CACHE_HOME:-$HOME/.cache}/fwgate/bench-venv"
[ -x "$venv/bin/imgtool" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q imgtool==2.5.0; }
imgtool="$venv/bin/imgtool"

swift build -c release --static-swift-stdlib --product fwgate --scratch-path .build-release-static >/dev/null
bin=$(swift build -c release --static-swift-stdlib --scratch-path .build-release-static --show-bin-path)/fwgate

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$imgtool" keygen -k "$work/key.pem" -t ecdsa-p256
"$imgtool" getpub -k "$work/key.pem" -e pem > "$work/key.pub.pem"
make_image() {  # size-MiB output
    head -c $(($1 * 1024 * 1024)) /dev/urandom > "$work/payload-$1.bin"
    "$imgtool" sign -k "$work/key.pem" -v 1.0.0 -H 0x20 --pad-header -S $(($1 * 1024 * 1024 + 65536)) \
        "$work/payload-$1.bin" "$2" >/dev/null
    rm "$work/payload-$1.bin"
}
make_image 16 "$work/img16.bin"
make_image 256 "$work/img256.bin"
cat "$work/img16.bin" "$work/img256.bin" > /dev/null  # warm the page cache

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); echo "$e - $s" | bc -l; }
series() { local out=(); for _ in $(seq "$runs"); do out+=("$(timeit "$@")"); done; printf '%s\n' "${out[@]}" | median; }
rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }

"$bin" verify "$work/img16.bin" --trust "$work/key.pub.pem" --quiet >/dev/null || { echo "fwgate did not pass the 16 MiB image" >&2; exit 1; }
"$imgtool" verify -k "$work/key.pem" "$work/img16.bin" >/dev/null || { echo "imgtool did not pass the 16 MiB image" >&2; exit 1; }

fw16=$(series "$bin" verify "$work/img16.bin" --trust "$work/key.pub.pem" --quiet)
im16=$(series "$imgtool" verify -k "$work/key.pem" "$work/img16.bin")
fw256=$(series "$bin" verify "$work/img256.bin" --trust "$work/key.pub.pem" --quiet)
os256=$(series openssl dgst -sha256 "$work/img256.bin")
rss16=$(rss "$bin" verify "$work/img16.bin" --trust "$work/key.pub.pem" --quiet)
rss256=$(rss "$bin" verify "$work/img256.bin" --trust "$work/key.pub.pem" --quiet)

printf '%d runs each (median)\n' "$runs"
printf '16 MiB ECDSA P-256:  fwgate verify %.3f s   imgtool verify %.3f s   speed-up %.1fx (target >= 10x)\n' \
    "$fw16" "$im16" "$(echo "$im16 / $fw16" | bc -l)"
printf '256 MiB:             fwgate verify %.3f s   openssl dgst -sha256 %.3f s   ratio %.3f (target <= 1.15)\n' \
    "$fw256" "$os256" "$(echo "$fw256 / $os256" | bc -l)"
printf 'fwgate peak RSS: %.1f MiB (16 MiB image), %.1f MiB (256 MiB image) (target < 32 MiB)\n' \
    "$(echo "$rss16 / 1024" | bc -l)" "$(echo "$rss256 / 1024" | bc -l)"
