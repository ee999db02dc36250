#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzzer + address sanitizers) and runs each for a while.
# Usage: Fuzz/run.sh [seconds per target (default 30)] [Name ...]   (default: every Fuzz/<Name>/)
# Each target starts from its committed seed corpus (Fuzz/<Name>/corpus), with its dictionary
# (Fuzz/<Name>/<name>.dict) and inputs up to 1 MiB. New inputs go to a scratch folder and are
# merged back (minimised: only inputs that add coverage) into the committed corpus. Crashes land
# in Fuzz/artifacts/; the whole log of a failing run is printed, never cut.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    for dir in */; do
        name=${dir%/}
        [ -f "$name/Fuzz$name.swift" ] && targets+=("$name")
    done
fi

# -Xswiftc applies the sanitizers to every module, so the code in the fwgate package gets
# coverage instrumentation too (swift build --sanitize instruments only this package).
# Package.swift lists the targets from the folders, so it is evaluated anew each run
# (--manifest-cache none) and the cached build plan is dropped: otherwise SwiftPM, seeing the
# same manifest text, would not notice a new Fuzz/<Name>/. Compiled objects are kept.
flags=(-c debug --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address --scratch-path ../.build-fuzz --manifest-cache none)
rm -f ../.build-fuzz/debug.yaml ../.build-fuzz/*/debug/description.json
swift build "${flags[@]}" 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|Cannot export local symbol' || true
bin=$(swift build "${flags[@]}" --show-bin-path)
mkdir -p artifacts logs
export LSAN_OPTIONS="suppressions=$PWD/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
status=0
for target in "${targets[@]}"; do
    scratch=$(mktemp -d)
    dict="$target/$(echo "$target" | tr '[:upper:]' '[:lower:]').dict"
    log="logs/$target.log"
    echo "fuzz: $target for ${seconds}s (log: Fuzz/$log)"
    if "$bin/Fuzz$target" "$scratch" "$target/corpus" -dict="$dict" -max_len=1048576 -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -artifact_prefix="artifacts/$target-" -print_final_stats=1 -print_coverage=1 >"$log" 2>&1; then
        grep -E '^#[0-9]+.*(DONE|cov:)' "$log" | tail -1 || true
        grep -E '^stat::' "$log" || true
        # Which of fwgate's verification functions the run reached (COVERED_FUNC lines).
        echo "covered: $(grep -c '^COVERED_FUNC' "$log" || true) functions, of them $(grep '^COVERED_FUNC' "$log" | grep -cE 'Verifier|verify|Session|Policy' || true) in verification"
        # Keep what added coverage: merge the new inputs into the committed corpus.
        "$bin/Fuzz$target" -merge=1 -max_len=1048576 "$target/corpus" "$scratch" >/dev/null 2>&1 || true
    else
        status=1
        echo "fuzz: $target FAILED; the whole log follows" >&2
        cat "$log" >&2
    fi
    rm -rf "$scratch"
done
exit $status
