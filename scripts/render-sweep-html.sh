#!/usr/bin/env bash
# Renders a `fwgate certs sweep --format html` report to a PNG with headless Chromium, to look at
# the page the way a browser shows it (docs/sweep-report-example.png was made with this).
#
#   scripts/render-sweep-html.sh report.html out.png [WIDTHxHEIGHT]
#
# The window defaults to 1400x2000 (the screenshot is the window, not the whole page; give a
# larger height for long reports). Installs Debian's `chromium` with apt-get when it is missing.
# SHRINK=1 also reduces the PNG to a 256-colour palette with pngquant (apt-get install pngquant),
# about a third of the size, for files committed under docs/.
# Chromium runs with --no-sandbox (it runs as root in CI containers) on a page that loads nothing
# from the network, in a throwaway profile.
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 report.html out.png [WIDTHxHEIGHT]" >&2
    exit 2
fi
input=$1
output=$2
size=${3:-1400x2000}
[ -f "$input" ] || { echo "$0: $input: no such file" >&2; exit 2; }
[[ $size =~ ^[0-9]+x[0-9]+$ ]] || { echo "$0: size must be WIDTHxHEIGHT, not $size" >&2; exit 2; }

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    echo "$0: installing chromium (apt-get)" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get install -y chromium >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y chromium >/dev/null; }
    browser=$(command -v chromium)
fi

input_url="file://$(cd "$(dirname "$input")" && pwd)/$(basename "$input")"
output_path="$(cd "$(dirname "$output")" && pwd)/$(basename "$output")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

rm -f "$output_path"
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --no-default-browser-check \
    --user-data-dir="$profile" --force-device-scale-factor=1 --window-size="${size/x/,}" \
    --screenshot="$output_path" "$input_url" >/dev/null 2>"$profile/chromium.log" || {
    cat "$profile/chromium.log" >&2
    exit 1
}
if [ ! -s "$output_path" ]; then
    cat "$profile/chromium.log" >&2
    echo "$0: chromium wrote no screenshot" >&2
    exit 1
fi
if [ "${SHRINK:-0}" = 1 ]; then
    command -v pngquant >/dev/null || { echo "$0: SHRINK=1 needs pngquant (apt-get install pngquant)" >&2; exit 1; }
    pngquant --quality=70-95 --speed 1 --strip --force --output "$output_path" "$output_path"
fi
echo "$output"
