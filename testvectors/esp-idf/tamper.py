#!/usr/bin/env python3
"""Make a tampered twin of an ESP app image: copy IN to OUT and change exactly one thing.

  tamper.py flip IN OUT --at LOC [--bit N] [--fix-crc]   flip bit N (default 0) of the byte at LOC;
                                   with --fix-crc, then recompute the CRC-32 of the signature
                                   block that byte lies in (what a forger would do)
  tamper.py cut IN OUT --at LOC    keep only the bytes before LOC

LOC (resolved by parsing IN with describe.py; the edit is printed as JSON) is one of:
  an integer (absolute offset, 0x.. allowed); header+N; segment:I+N (N-th data byte of segment I);
  checksum; sha256+N (appended SHA-256); sigblock:I+N (N-th byte of signature block I);
  sigblock:I.crc+N; sigblock:I.signature+N (N-th byte of the signature field: RSA at 812,
  ECDSA P-256 at 101, P-384 at 149).
"""

import argparse
import json
import struct
import sys
import zlib

import describe

SIG_FIELD = {"RSA-3072-PSS": 812, "ECDSA-P256": 101, "ECDSA-P384": 149}


def _parse(data):
    d, m = describe.parse(data)
    if m is not None:
        sys.exit(f"tamper.py: input does not parse: {m.message}")
    return d


def _block(d, i):
    for b in d["signatureBlocks"]:
        if b["index"] == i:
            return b
    sys.exit(f"tamper.py: no signature block {i}")


def resolve(data, loc):
    try:
        return int(loc, 0)
    except ValueError:
        pass
    base, n = (loc.rsplit("+", 1)[0], int(loc.rsplit("+", 1)[1], 0)) if "+" in loc else (loc, 0)
    if base == "header":
        return n
    d = _parse(data)
    if base.startswith("segment:"):
        return d["segments"][int(base[8:])]["dataOffset"] + n
    if base == "checksum":
        return d["checksum"]["offset"] + n
    if base == "sha256":
        return d["appendedDigest"]["offset"] + n
    if base.startswith("sigblock:"):
        spec = base[9:]
        idx, field = (spec.split(".", 1) + [None])[:2]
        b = _block(d, int(idx))
        if field is None:
            return b["offset"] + n
        if field == "crc":
            return b["offset"] + 1196 + n
        if field == "signature":
            return b["offset"] + SIG_FIELD[b["algorithm"]] + n
    sys.exit(f"tamper.py: unknown location {loc!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("op", choices=["flip", "cut"])
    ap.add_argument("infile")
    ap.add_argument("outfile")
    ap.add_argument("--at", required=True)
    ap.add_argument("--bit", type=int, default=0)
    ap.add_argument("--fix-crc", action="store_true")
    a = ap.parse_args()
    with open(a.infile, "rb") as f:
        data = bytearray(f.read())
    edit = {"op": a.op, "from": a.infile, "at": a.at}
    off = resolve(data, a.at)
    if a.op == "flip":
        before = data[off]
        data[off] ^= 1 << a.bit
        edit.update(offset=off, bit=a.bit, before=f"0x{before:02x}", after=f"0x{data[off]:02x}")
        if a.fix_crc:
            d = _parse(bytes(data))
            blk = next(b for b in d["signatureBlocks"]
                       if b["offset"] <= off < b["offset"] + describe.SIG_BLOCK)
            crc = zlib.crc32(bytes(data[blk["offset"]: blk["offset"] + 1196])) & 0xFFFFFFFF
            old = struct.unpack_from("<I", data, blk["offset"] + 1196)[0]
            struct.pack_into("<I", data, blk["offset"] + 1196, crc)
            edit.update(crcRecomputed={"block": blk["index"], "offset": blk["offset"] + 1196,
                                       "before": f"0x{old:08x}", "after": f"0x{crc:08x}"})
    else:
        edit.update(keptBytes=off, removedBytes=len(data) - off)
        data = data[:off]
    with open(a.outfile, "wb") as f:
        f.write(data)
    edit["to"] = a.outfile
    print(json.dumps(edit))


if __name__ == "__main__":
    main()
