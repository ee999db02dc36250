#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzzer + address sanitizers) and runs each for a while.
# Usage: Fuzz/run.sh [seconds per target (default 30)] [MCUboot|ESP32|CSV ...]
# Each target starts from its committed seed corpus (Fuzz/<Format>/corpus, copies of
# testvectors); new inputs go to a scratch folder, crashes to Fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(MCUboot ESP32 CSV)

# -Xswiftc applies the sanitizers to every module, so the parsers in the fwgate package get
# coverage instrumentation too (swift build --sanitize instruments only this package).
flags=(-c debug --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address --scratch-path ../.build-fuzz)
swift build "${flags[@]}" 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|Cannot export local symbol' || true
bin=$(swift build "${flags[@]}" --show-bin-path)
mkdir -p artifacts
status=0
for target in "${targets[@]}"; do
    scratch=$(mktemp -d)
    echo "fuzz: $target for ${seconds}s"
    if ! "$bin/Fuzz$target" "$scratch" "$target/corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="artifacts/$target-" -print_final_stats=1 2>&1 | tail -12; then
        status=1
    fi
    rm -rf "$scratch"
done
exit $status
