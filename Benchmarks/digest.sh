#!/usr/bin/env bash
# Streaming SHA-256: fwgate vs `openssl dgst -sha256` on the same file, in one run.
# Prints the median wall time of each, their ratio, and fwgate's peak RSS.
# Usage: Benchmarks/digest.sh [size-in-MiB (default 256)] [runs (default 5)]
set -euo pipefail
cd "$(dirname "$0")/.."
size_mib=${1:-256}
runs=${2:-5}
for tool in time bc; do command -v "$tool" >/dev/null || [ -x "/usr/bin/$tool" ] || { apt-get update -qq && apt-get install -y -qq "$tool"; }; done

swift build -c release --static-swift-stdlib --product fwgate --scratch-path .build-release-static >/dev/null
bin=$(swift build -c release --static-swift-stdlib --scratch-path .build-release-static --show-bin-path)/fwgate

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
file="$work/image.bin"
head -c $((size_mib * 1024 * 1024)) /dev/urandom > "$file"
cat "$file" > /dev/null  # warm the page cache for both tools

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() {  # prints seconds
    local start end
    start=$(date +%s.%N); "$@" > /dev/null; end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

[ "$("$bin" digest "$file" | cut -d' ' -f1)" = "$(openssl dgst -sha256 -r "$file" | cut -d' ' -f1)" ] \
    || { echo "digests differ" >&2; exit 1; }

fw=(); os=()
for _ in $(seq "$runs"); do
    fw+=("$(timeit "$bin" digest "$file")")
    os+=("$(timeit openssl dgst -sha256 "$file")")
done
fw_med=$(printf '%s\n' "${fw[@]}" | median)
os_med=$(printf '%s\n' "${os[@]}" | median)
rss_kib=$(/usr/bin/time -f '%M' "$bin" digest "$file" 2>&1 >/dev/null | tail -1)
printf 'file: %d MiB, %d runs each (median)\n' "$size_mib" "$runs"
printf 'fwgate digest --alg sha256: %.3f s (%.0f MiB/s)\n' "$fw_med" "$(echo "$size_mib / $fw_med" | bc -l)"
printf 'openssl dgst -sha256:       %.3f s (%.0f MiB/s)\n' "$os_med" "$(echo "$size_mib / $os_med" | bc -l)"
printf 'ratio fwgate/openssl: %.3f (target <= 1.10)\n' "$(echo "$fw_med / $os_med" | bc -l)"
printf 'fwgate peak RSS: %.1f MiB (target <= 32 MiB)\n' "$(echo "$rss_kib / 1024" | bc -l)"
