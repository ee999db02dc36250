#!/usr/bin/env python3
"""Make a tampered twin of an MCUboot image: copy IN to OUT and change exactly one thing.

Usage (offsets are resolved by parsing IN with describe.py; the edit is printed as JSON):

  tamper.py flip IN OUT --at LOC [--bit N]     flip bit N (default 0) of the byte at LOC
  tamper.py cut IN OUT --at LOC                keep only the bytes before LOC
  tamper.py tlv-len IN OUT --type T --set N    rewrite the it_len of the first TLV of type T
  tamper.py tlv-info-len IN OUT --area A --set N   rewrite it_tlv_tot of area A (protected|unprotected)
  tamper.py dup-tlv IN OUT --type T            insert a copy of the first TLV of type T right after
                                               it (same area) and grow that area's it_tlv_tot
  tamper.py add-tlv IN OUT --type T --value HEX    append a TLV to the unprotected area, grow it_tlv_tot
  tamper.py unprotect-tlv IN OUT --type T      move the TLV of type T from the protected area to
                                               the end of the unprotected area; shrink or drop the
                                               protected area and rewrite ih_protect_tlv_size

LOC is one of: an integer (absolute offset, 0x.. allowed); header+N; header.load_addr+N;
header.version+N (8-byte image_version); payload+N (from ih_hdr_size); tlv:T+N (N-th byte of the
value of the first TLV of type T, e.g. tlv:0x22+10); info:AREA+N (N-th byte of that area's
image_tlv_info).
"""

import argparse
import json
import struct
import sys

import describe


def _parse(data):
    d, m = describe.parse(data)
    if m is not None:
        sys.exit(f"tamper.py: input does not parse: {m.message}")
    return d


def _tlv(d, ttype):
    for t in d["tlvs"]:
        if t["_type"] == ttype:
            return t
    sys.exit(f"tamper.py: no TLV of type 0x{ttype:02x}")


def _split_plus(loc):
    if "+" in loc:
        base, n = loc.rsplit("+", 1)
        return base, int(n, 0)
    return loc, 0


def resolve(data, loc):
    try:
        return int(loc, 0)
    except ValueError:
        pass
    base, n = _split_plus(loc)
    if base == "header":
        return n
    if base == "header.load_addr":
        return 4 + n
    if base == "header.version":
        return 20 + n
    d = _parse(data)
    if base == "payload":
        return d["headerSize"] + n
    if base.startswith("tlv:"):
        return _tlv(d, int(base[4:], 0))["offset"] + 4 + n
    if base.startswith("info:"):
        return d["tlvInfo"][base[5:]]["offset"] + n
    sys.exit(f"tamper.py: unknown location {loc!r}")


def _area_of(d, name):
    info = d["tlvInfo"][name]
    return info["offset"], info["totalLength"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("op", choices=["flip", "cut", "tlv-len", "tlv-info-len", "dup-tlv", "add-tlv",
                                   "unprotect-tlv"])
    ap.add_argument("infile")
    ap.add_argument("outfile")
    ap.add_argument("--at")
    ap.add_argument("--bit", type=int, default=0)
    ap.add_argument("--type", type=lambda s: int(s, 0))
    ap.add_argument("--set", type=lambda s: int(s, 0))
    ap.add_argument("--area", choices=["protected", "unprotected"])
    ap.add_argument("--value")
    a = ap.parse_args()
    with open(a.infile, "rb") as f:
        data = bytearray(f.read())
    edit = {"op": a.op, "from": a.infile}

    if a.op == "flip":
        off = resolve(data, a.at)
        before = data[off]
        data[off] ^= 1 << a.bit
        edit.update(at=a.at, offset=off, bit=a.bit, before=f"0x{before:02x}", after=f"0x{data[off]:02x}")
    elif a.op == "cut":
        off = resolve(data, a.at)
        edit.update(at=a.at, keptBytes=off, removedBytes=len(data) - off)
        data = data[:off]
    elif a.op == "tlv-len":
        t = _tlv(_parse(data), a.type)
        before = struct.unpack_from("<H", data, t["offset"] + 2)[0]
        struct.pack_into("<H", data, t["offset"] + 2, a.set)
        edit.update(type=f"0x{a.type:02x}", offset=t["offset"] + 2, before=before, after=a.set)
    elif a.op == "tlv-info-len":
        off, tot = _area_of(_parse(data), a.area)
        struct.pack_into("<H", data, off + 2, a.set)
        edit.update(area=a.area, offset=off + 2, before=tot, after=a.set)
    elif a.op == "dup-tlv":
        d = _parse(data)
        t = _tlv(d, a.type)
        start, end = t["offset"], t["offset"] + 4 + t["length"]
        info_off, tot = _area_of(d, t["area"])
        data[end:end] = data[start:end]
        struct.pack_into("<H", data, info_off + 2, tot + (end - start))
        edit.update(type=f"0x{a.type:02x}", copiedFrom=start, insertedAt=end, bytes=end - start,
                    area=t["area"], areaLengthBefore=tot, areaLengthAfter=tot + (end - start))
        if t["area"] == "protected":
            struct.pack_into("<H", data, 10, tot + (end - start))
            edit.update(headerProtectTlvSizeAfter=tot + (end - start))
    elif a.op == "add-tlv":
        d = _parse(data)
        value = bytes.fromhex(a.value)
        info_off, tot = _area_of(d, "unprotected")
        rec = struct.pack("<HH", a.type, len(value)) + value
        at = info_off + tot
        data[at:at] = rec
        struct.pack_into("<H", data, info_off + 2, tot + len(rec))
        edit.update(type=f"0x{a.type:02x}", value=a.value, insertedAt=at, bytes=len(rec),
                    area="unprotected", areaLengthBefore=tot, areaLengthAfter=tot + len(rec))
    elif a.op == "unprotect-tlv":
        d = _parse(data)
        t = _tlv(d, a.type)
        if t["area"] != "protected":
            sys.exit("tamper.py: that TLV is not in the protected area")
        rec = bytes(data[t["offset"]: t["offset"] + 4 + t["length"]])
        p_off, p_tot = _area_of(d, "protected")
        u_off, u_tot = _area_of(d, "unprotected")
        new_p_tot = p_tot - len(rec)
        unprot = bytearray(data[u_off: u_off + u_tot]) + rec
        struct.pack_into("<H", unprot, 2, u_tot + len(rec))
        prot = bytearray(data[p_off: p_off + p_tot])
        rel = t["offset"] - p_off
        del prot[rel: rel + len(rec)]
        if new_p_tot <= 4:  # nothing left but the info header: drop the protected area
            prot = bytearray()
            new_p_tot = 0
        else:
            struct.pack_into("<H", prot, 2, new_p_tot)
        tail = data[u_off + u_tot:]
        data = data[:p_off] + prot + unprot + tail
        struct.pack_into("<H", data, 10, new_p_tot)
        edit.update(type=f"0x{a.type:02x}", movedBytes=len(rec), headerProtectTlvSizeBefore=p_tot,
                    headerProtectTlvSizeAfter=new_p_tot, unprotectedLengthAfter=u_tot + len(rec))
    with open(a.outfile, "wb") as f:
        f.write(data)
    edit["to"] = a.outfile
    print(json.dumps(edit))


if __name__ == "__main__":
    main()
