#!/usr/bin/env bash
# Instruction counts (issue 10): user-space instructions of `fwgate --version` against
# `openssl version`, and of `fwgate verify` of a small (4 KiB) MCUboot image against
# `openssl dgst -sha256` of it, counted by valgrind (`--tool=lackey --basic-counts=yes`, every
# thread, the dynamic loader included). Unlike wall time, the count does not move with the
# load on a shared machine, so it shows what a start-up change saved; the kernel's share (page
# faults, exec) is not in it, so startup.sh and verify.sh stay the measure of the targets.
# valgrind 3.19 cannot read the DWARF 5 debug information Swift writes, so it runs a copy of
# fwgate without it (`strip --strip-debug`: symbols kept).
# Usage: Benchmarks/instructions.sh
source "$(dirname "$0")/lib.sh"
need valgrind openssl python3 strip
build_fwgate
make_workdir
make_small_image() {  # make_small_image OUTPUT: like make_mcuboot_image, with a 4 KiB payload
    local imgtool
    imgtool=$(imgtool_bin)
    head -c 4096 /dev/urandom > "$WORK/payload"
    "$imgtool" sign -k "$MCUBOOT_KEY" -v 1.0.0 -H 0x20 --pad-header -S $((4096 + 65536)) "$WORK/payload" "$1" >/dev/null
}
make_small_image "$WORK/img4k.bin"
strip --strip-debug -o "$WORK/fwgate" "$FWGATE"
"$WORK/fwgate" verify "$WORK/img4k.bin" --trust "$MCUBOOT_PUB" --quiet >/dev/null \
    || { echo "fwgate did not pass the 4 KiB image" >&2; exit 1; }
count() {  # count COMMAND...: guest instructions
    valgrind --tool=lackey --basic-counts=yes "$@" 2>&1 >/dev/null | awk '/guest instrs:/ { gsub(",", "", $NF); print $NF }'
}
report() {  # report LABEL FWGATE-COUNT REFERENCE-COUNT
    python3 -c "import sys; f, r = int(sys.argv[2]), int(sys.argv[3]); print(f'{sys.argv[1]}: fwgate {f / 1e6:.2f} M, reference {r / 1e6:.2f} M, ratio {f / r:.3f}')" "$@"
}
report "--version vs openssl version" "$(count "$WORK/fwgate" --version)" "$(count openssl version)"
report "verify 4 KiB MCUboot image vs openssl dgst -sha256" \
    "$(count "$WORK/fwgate" verify "$WORK/img4k.bin" --trust "$MCUBOOT_PUB" --quiet)" "$(count openssl dgst -sha256 "$WORK/img4k.bin")"
