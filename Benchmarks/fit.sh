#!/usr/bin/env bash
# FIT verification (issue 11), in one run: `fwgate verify` of a signed FIT holding a 128 MiB
# kernel (embedded data) vs `openssl dgst -sha256` of the same file (alternating rounds, files in
# the page cache), and fwgate's peak RSS. Targets: ratio <= 1.15, peak RSS <= 32 MiB.
# The FIT is made and signed by mkimage (u-boot-tools) with the vectors' TEST key.
# Usage: Benchmarks/fit.sh [rounds (default 3)] [runs per round (default 10)] [kernel MiB (default 128)]
source "$(dirname "$0")/lib.sh"
rounds=${1:-3}
runs=${2:-10}
mib=${3:-128}
need hyperfine openssl python3 mkimage
build_fwgate
make_workdir
head -c $((mib * 1024 * 1024)) /dev/urandom > "$WORK/kernel.bin"
cat > "$WORK/image.its" <<ITS
/dts-v1/;
/ {
    description = "fwgate benchmark FIT";
    #address-cells = <1>;
    images {
        kernel-1 {
            data = /incbin/("kernel.bin");
            type = "kernel"; arch = "arm"; os = "linux"; compression = "none";
            load = <0x80008000>; entry = <0x80008000>;
            hash-1 { algo = "sha256"; };
        };
    };
    configurations {
        default = "conf-1";
        conf-1 { kernel = "kernel-1"; signature-1 { algo = "sha256,rsa2048"; key-name-hint = "dev"; sign-images = "kernel"; }; };
    };
};
ITS
mkimage -f "$WORK/image.its" -k testvectors/fit/keys -r "$WORK/image.itb" >/dev/null
KEY=testvectors/fit/keys/dev.pub.pem
cat "$WORK/image.itb" > /dev/null
"$FWGATE" verify "$WORK/image.itb" --trust "$KEY" --quiet >/dev/null || { echo "fwgate did not pass the FIT" >&2; exit 1; }
load_note
compare "verify a signed FIT with a $mib MiB kernel vs openssl dgst -sha256 of it" "$rounds" "$runs" \
    "$FWGATE verify $WORK/image.itb --trust $KEY --quiet" "openssl dgst -sha256 $WORK/image.itb"
echo "target: ratio <= 1.15"
echo "fwgate verify peak RSS, FIT with a $mib MiB kernel: $(peak_rss_mib "$FWGATE" verify "$WORK/image.itb" --trust "$KEY" --quiet) MiB (target <= 32 MiB)"
load_note
