# Shared helpers for the benchmark scripts (sourced, not run).
#
# Every script builds fwgate the one documented way (release, static Swift runtime, scratch path
# .build-release), makes its inputs under a temporary directory that is removed on exit, and
# compares fwgate with the reference tool *in the same run*: `compare` runs both commands in
# several rounds with hyperfine, swapping which goes first each round, so load from other
# processes hits both alike. It prints each round and the median of the rounds' ratios.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_FLAGS=(-c release --static-swift-stdlib --scratch-path .build-release)
BUILD_COMMAND="swift build ${BUILD_FLAGS[*]} --product fwgate"

need() {  # need TOOL...: fail with the package to install
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "benchmark needs '$tool' (apt-get install $tool)" >&2; exit 2; }
    done
    [ -x /usr/bin/time ] || { echo "benchmark needs GNU time (apt-get install time)" >&2; exit 2; }
}

build_fwgate() {  # sets FWGATE to the release binary
    swift build "${BUILD_FLAGS[@]}" --product fwgate >/dev/null
    FWGATE="$(swift build "${BUILD_FLAGS[@]}" --show-bin-path)/fwgate"
    echo "build: $BUILD_COMMAND"
}

make_workdir() {  # sets WORK to a fresh temporary directory, removed on exit
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/fwgate-bench.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
}

imgtool_bin() {  # prints the path of imgtool 2.5.0 (PyPI), installed into a cached virtualenv
    local venv="${XDG_CACHE_HOME:-$HOME/.cache}/fwgate/bench-venv"
    [ -x "$venv/bin/imgtool" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q imgtool==2.5.0; } >&2
    echo "$venv/bin/imgtool"
}

# make_mcuboot_image SIZE-MiB OUTPUT: an ECDSA P-256 MCUboot image signed by imgtool with the
# repository's test key (testvectors/mcuboot/keys, never for production), random payload.
MCUBOOT_KEY=testvectors/mcuboot/keys/test-ecdsa-p256.priv.pem
MCUBOOT_PUB=testvectors/mcuboot/keys/test-ecdsa-p256.pub.pem
make_mcuboot_image() {
    local mib=$1 out=$2 imgtool
    imgtool=$(imgtool_bin)
    head -c $((mib * 1024 * 1024)) /dev/urandom > "$out.payload"
    "$imgtool" sign -k "$MCUBOOT_KEY" -v 1.0.0 -H 0x20 --pad-header -S $((mib * 1024 * 1024 + 65536)) \
        "$out.payload" "$out" >/dev/null
    rm "$out.payload"
}

peak_rss_mib() {  # peak_rss_mib COMMAND...: the command's peak resident set, in MiB
    /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1 | awk '{printf "%.1f", $1 / 1024}'
}

# compare LABEL ROUNDS RUNS FWGATE-COMMAND REFERENCE-COMMAND
# Commands are strings run without a shell (hyperfine -N); the ratio is fwgate / reference of
# the median wall times, per round and as the median over rounds. Sets RATIO.
# With PREPARE set, hyperfine runs it before every timed run (e.g. dropping a file's pages).
compare() {
    local label=$1 rounds=$2 runs=$3 fw=$4 ref=$5 round
    local results=() prepare=()
    [ -z "${PREPARE:-}" ] || prepare=(--prepare "$PREPARE")
    for round in $(seq "$rounds"); do
        local json="$WORK/hyperfine-$round.json"
        if [ $((round % 2)) -eq 1 ]; then
            hyperfine -N --warmup 2 "${prepare[@]}" --runs "$runs" --export-json "$json" -n fwgate "$fw" -n reference "$ref" \
                >/dev/null 2>"$WORK/hyperfine.err" || { cat "$WORK/hyperfine.err" >&2; exit 1; }
        else
            hyperfine -N --warmup 2 "${prepare[@]}" --runs "$runs" --export-json "$json" -n reference "$ref" -n fwgate "$fw" \
                >/dev/null 2>"$WORK/hyperfine.err" || { cat "$WORK/hyperfine.err" >&2; exit 1; }
        fi
        results+=("$json")
    done
    RATIO=$(python3 - "$label" "$fw" "$ref" "${results[@]}" <<'PY'
import json, statistics, sys
label, fw, ref, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
ratios = []
print(f"{label}", file=sys.stderr)
print(f"  fwgate:    {fw[:110]}", file=sys.stderr)
print(f"  reference: {ref[:110]}", file=sys.stderr)
for i, path in enumerate(files, 1):
    res = {r["command"]: r for r in json.load(open(path))["results"]}
    f, r = statistics.median(res["fwgate"]["times"]), statistics.median(res["reference"]["times"])
    ratios.append(f / r)
    print(f"  round {i}: fwgate {f * 1000:8.1f} ms (user {res['fwgate']['user'] * 1000:.0f}, sys {res['fwgate']['system'] * 1000:.0f})"
          f"   reference {r * 1000:8.1f} ms (user {res['reference']['user'] * 1000:.0f}, sys {res['reference']['system'] * 1000:.0f})"
          f"   ratio {f / r:.3f}", file=sys.stderr)
print(f"{statistics.median(ratios):.3f}")
PY
    )
    echo "  median ratio fwgate/reference over $rounds rounds: $RATIO"
}

load_note() {  # prints the load average, so a noisy run shows in the output
    echo "load average (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
}
