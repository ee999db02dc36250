#!/usr/bin/env bash
# Start-up (issue 10): `fwgate --version` vs `openssl version`, and `fwgate --help` for scale,
# in one run (alternating rounds). Target: --version ratio <= 1.5.
# Usage: Benchmarks/startup.sh [rounds (default 3)] [runs per round (default 100)]
source "$(dirname "$0")/lib.sh"
rounds=${1:-3}
runs=${2:-100}
need hyperfine openssl python3
build_fwgate
make_workdir
load_note
compare "fwgate --version vs openssl version" "$rounds" "$runs" "$FWGATE --version" "openssl version"
echo "target: ratio <= 1.5"
compare "fwgate formats (the whole command tree is built) vs openssl version" "$rounds" "$runs" "$FWGATE formats" "openssl version"
echo "fwgate --version peak RSS: $(peak_rss_mib "$FWGATE" --version) MiB; openssl version: $(peak_rss_mib openssl version) MiB"
load_note
