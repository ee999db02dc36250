#!/usr/bin/env python3
"""Describe an MCUboot image the way `fwgate inspect` must show it, and model fwgate's checks.

Used by generate.sh (through build_expected.py); tests never run it.

Layout followed (mcu-tools/mcuboot, boot/bootutil/include/bootutil/image.h), all little endian:

  struct image_header {            /* 32 bytes at offset 0 */
      uint32_t ih_magic;           /* 0x96f3b83d */
      uint32_t ih_load_addr;
      uint16_t ih_hdr_size;        /* payload starts here */
      uint16_t ih_protect_tlv_size;/* protected TLV area incl. its info header, 0 if none */
      uint32_t ih_img_size;        /* payload length, header excluded */
      uint32_t ih_flags;
      struct image_version { uint8_t major; uint8_t minor; uint16_t revision; uint32_t build_num; } ih_ver;
      uint32_t _pad1;
  };
  at hdr_size + img_size:                       optional protected area:
      struct image_tlv_info { uint16_t it_magic /* 0x6908 */; uint16_t it_tlv_tot /* incl. this info */; }
      struct image_tlv { uint16_t it_type; uint16_t it_len; } + it_len bytes, repeated
  then the unprotected area:
      struct image_tlv_info { uint16_t it_magic /* 0x6907 */; uint16_t it_tlv_tot; } + TLVs
  then (only in padded images) erased bytes and the swap trailer ending in the boot magic.

The image hash (SHA256/SHA384/SHA512 TLV) covers bytes [0, hdr_size + img_size + protect_tlv_size).
imgtool 2.5 writes named TLVs with struct.pack('<BBH', type, 0, len) - byte-identical to
'<HH' for types below 0x100 - and custom TLVs (0x00a0..0xfffe) with '<HH'.
"""

import hashlib
import json
import struct
import sys

IMAGE_MAGIC = 0x96F3B83D
IMAGE_HEADER_SIZE = 32
TLV_INFO_MAGIC = 0x6907
TLV_PROT_INFO_MAGIC = 0x6908
BOOT_MAGIC = bytes.fromhex("77c295f360d2ef7f3552500f2cb67980")

# Names as in image.h (IMAGE_TLV_<NAME>).
TLV_NAMES = {
    0x01: "KEYHASH", 0x02: "PUBKEY", 0x03: "KEYID",
    0x10: "SHA256", 0x11: "SHA384", 0x12: "SHA512",
    0x20: "RSA2048_PSS", 0x21: "ECDSA224", 0x22: "ECDSA_SIG", 0x23: "RSA3072_PSS",
    0x24: "ED25519", 0x25: "SIG_PURE",
    0x30: "ENC_RSA2048", 0x31: "ENC_KW", 0x32: "ENC_EC256", 0x33: "ENC_X25519",
    0x34: "ENC_X25519_SHA512",
    0x40: "DEPENDENCY", 0x50: "SEC_CNT", 0x60: "BOOT_RECORD",
    0x70: "DECOMP_SIZE", 0x71: "DECOMP_SHA", 0x72: "DECOMP_SIGNATURE", 0x73: "COMP_DEC_SIZE",
    0x74: "UUID_VID", 0x75: "UUID_CID",
}
FLAG_NAMES = {
    0x001: "PIC", 0x004: "ENCRYPTED_AES128", 0x008: "ENCRYPTED_AES256", 0x010: "NON_BOOTABLE",
    0x020: "RAM_LOAD", 0x100: "ROM_FIXED", 0x200: "COMPRESSED_LZMA1", 0x400: "COMPRESSED_LZMA2",
    0x800: "COMPRESSED_ARM_THUMB",
}
HASH_TLVS = {0x10: ("sha256", 32), 0x11: ("sha384", 48), 0x12: ("sha512", 64)}
SIG_TLVS = {0x20, 0x21, 0x22, 0x23, 0x24}
KEY_TLVS = {0x01, 0x02}
# mcuboot image_validate.c allowed_unprot_tlvs[] (with MCUBOOT_SIGN_PURE): everything else
# must sit in the protected area.
ALLOWED_UNPROTECTED = {0x01, 0x02, 0x03, 0x10, 0x11, 0x12, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25,
                       0x30, 0x31, 0x32, 0x33, 0x34}


class Malformed(Exception):
    def __init__(self, code, offset, message):
        super().__init__(message)
        self.code = code
        self.offset = offset
        self.message = message


def _u16(b, off):
    return struct.unpack_from("<H", b, off)[0]


def _need(data, off, n, what):
    if off + n > len(data):
        raise Malformed("malformed.truncated", off,
                        f"{what}: needs {n} bytes at 0x{off:x}, file ends at 0x{len(data):x}")


def _walk_area(data, start, magic_expected, area_name, declared_size=None):
    """Parse one TLV area starting with its image_tlv_info. Returns (info, [tlv])."""
    _need(data, start, 4, f"{area_name} TLV info")
    magic, tot = struct.unpack_from("<HH", data, start)
    if magic != magic_expected:
        raise Malformed("malformed.bad-magic", start,
                        f"{area_name} TLV info magic 0x{magic:04x}, expected 0x{magic_expected:04x}")
    if declared_size is not None and tot != declared_size:
        raise Malformed("malformed.length", start + 2,
                        f"{area_name} TLV info length {tot} differs from header "
                        f"ih_protect_tlv_size {declared_size}")
    if tot < 4:
        raise Malformed("malformed.length", start + 2,
                        f"{area_name} TLV info length {tot} is smaller than the info itself")
    end = start + tot
    _need(data, start, tot, f"{area_name} TLV area (it_tlv_tot {tot})")
    tlvs = []
    off = start + 4
    while off < end:
        if off + 4 > end:
            raise Malformed("malformed.length", off,
                            f"{area_name} TLV header at 0x{off:x} runs past the area end 0x{end:x}")
        ttype, tlen = struct.unpack_from("<HH", data, off)
        if off + 4 + tlen > end:
            raise Malformed("malformed.length", off + 2,
                            f"TLV 0x{ttype:02x} length {tlen} at 0x{off:x} runs past the "
                            f"{area_name} area end 0x{end:x}")
        tlvs.append({
            "type": f"0x{ttype:02x}",
            "name": TLV_NAMES.get(ttype, "UNKNOWN"),
            "length": tlen,
            "area": area_name,
            "offset": off,
            "_value": bytes(data[off + 4: off + 4 + tlen]),
            "_type": ttype,
        })
        off += 4 + tlen
    return {"magic": f"0x{magic:04x}", "offset": start, "totalLength": tot}, tlvs


def parse(data):
    """Return (description, malformed_or_None). The description holds what could be parsed."""
    d = {"format": "mcuboot", "fileSize": len(data)}
    try:
        _need(data, 0, IMAGE_HEADER_SIZE, "image header")
        (magic, load, hdr_size, prot_size, img_size, flags,
         vmaj, vmin, vrev, vbuild, _pad) = struct.unpack_from("<IIHHIIBBHII", data, 0)
        d.update({
            "magic": f"0x{magic:08x}",
        })
        if magic != IMAGE_MAGIC:
            raise Malformed("malformed.bad-magic", 0, f"image magic 0x{magic:08x}")
        d.update({
            "loadAddress": load,
            "headerSize": hdr_size,
            "protectedTlvSize": prot_size,
            "imageSize": img_size,
            "flags": flags,
            "flagNames": [n for bit, n in sorted(FLAG_NAMES.items()) if flags & bit],
            "version": f"{vmaj}.{vmin}.{vrev}+{vbuild}",
        })
        if hdr_size < IMAGE_HEADER_SIZE:
            raise Malformed("malformed.length", 8, f"ih_hdr_size {hdr_size} < 32")
        _need(data, 0, hdr_size + img_size, "header + payload (ih_hdr_size + ih_img_size)")
        off = hdr_size + img_size
        tlvs = []
        d["tlvInfo"] = {"protected": None, "unprotected": None}
        if prot_size != 0:
            info, ptlvs = _walk_area(data, off, TLV_PROT_INFO_MAGIC, "protected", prot_size)
            d["tlvInfo"]["protected"] = info
            tlvs += ptlvs
            off += prot_size
        else:
            _need(data, off, 4, "TLV info")
            if _u16(data, off) == TLV_PROT_INFO_MAGIC:
                raise Malformed("malformed.length", 10,
                                "protected TLV area present but ih_protect_tlv_size is 0")
        info, utlvs = _walk_area(data, off, TLV_INFO_MAGIC, "unprotected")
        d["tlvInfo"]["unprotected"] = info
        tlvs += utlvs
        d["hashedRange"] = [0, hdr_size + img_size + prot_size]
        d["tlvs"] = tlvs
        tlv_end = off + info["totalLength"]
        d["trailer"] = describe_trailer(data, tlv_end)
        return d, None
    except Malformed as m:
        return d, m


def describe_trailer(data, tlv_end):
    if len(data) == tlv_end:
        return None
    t = {"offset": tlv_end, "length": len(data) - tlv_end,
         "bootMagic": data[-16:] == BOOT_MAGIC}
    if t["bootMagic"]:
        # max_align 8: ... | swap_size(8) | swap_info(8) | copy_done(8) | image_ok(8) | magic(16)
        t["imageOk"] = f"0x{data[-16 - 8]:02x}"
    return t


def hash_name(tlvs):
    names = [HASH_TLVS[t["_type"]][0] for t in tlvs if t["_type"] in HASH_TLVS]
    return names[0] if names else None


def signature_algorithm(tlvs):
    types = [t["_type"] for t in tlvs]
    h = hash_name(tlvs)
    pure = 0x25 in types
    for t in types:
        if t == 0x20:
            return "RSA-2048-PSS"
        if t == 0x23:
            return "RSA-3072-PSS"
        if t == 0x21:
            return "ECDSA-P224"
        if t == 0x22:
            # ECDSA_SIG does not name its curve: MCUboot pairs P-256 with SHA-256 and
            # P-384 with SHA-384.
            return {"sha256": "ECDSA-P256", "sha384": "ECDSA-P384"}.get(h, "ECDSA")
        if t == 0x24:
            return "Ed25519-pure" if pure else "Ed25519"
    return None


def public_description(d):
    """The JSON description (fields starting with '_' dropped, derived fields added)."""
    out = {k: v for k, v in d.items() if not k.startswith("_")}
    if "tlvs" in d:
        tlvs = d["tlvs"]
        out["tlvs"] = [{k: v for k, v in t.items() if not k.startswith("_")} for t in tlvs]
        out["hashAlgorithm"] = hash_name(tlvs)
        out["signatureAlgorithm"] = signature_algorithm(tlvs)
        sec = [t for t in tlvs if t["_type"] == 0x50 and t["area"] == "protected"
               and t["length"] == 4]
        out["securityCounter"] = struct.unpack("<I", sec[0]["_value"])[0] if sec else None
        hashes = [t for t in tlvs if t["_type"] in HASH_TLVS]
        out["declaredDigest"] = hashes[0]["_value"].hex() if hashes else None
        kh = [t for t in tlvs if t["_type"] == 0x01]
        pk = [t for t in tlvs if t["_type"] == 0x02]
        if kh:
            out["keyHint"] = {"kind": "KEYHASH", "value": kh[0]["_value"].hex()}
        elif pk:
            out["keyHint"] = {"kind": "PUBKEY", "value": pk[0]["_value"].hex()}
        else:
            out["keyHint"] = None
    order = ["format", "fileSize", "magic", "loadAddress", "headerSize", "protectedTlvSize",
             "imageSize", "flags", "flagNames", "version", "securityCounter", "hashAlgorithm",
             "signatureAlgorithm", "declaredDigest", "keyHint", "hashedRange", "tlvInfo", "tlvs",
             "trailer"]
    return {k: out[k] for k in order if k in out}


# ---------------------------------------------------------------------------------------------
# fwgate semantics, modelled (cryptography is the package imgtool itself depends on).

def _load_pub(path):
    from cryptography.hazmat.primitives import serialization
    with open(path, "rb") as f:
        return serialization.load_pem_public_key(f.read())


def key_bytes_as_embedded(pub):
    """imgtool get_public_bytes(): RSA -> PKCS#1 RSAPublicKey DER, EC/Ed25519 -> SPKI DER."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    if isinstance(pub, rsa.RSAPublicKey):
        return pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    return pub.public_bytes(serialization.Encoding.DER,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def _verify_sig(pub, sig_type, sig, declared_digest, hash_alg, hashed_bytes, pure):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
    halg = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[hash_alg]
    try:
        if sig_type in (0x20, 0x23):
            if not isinstance(pub, rsa.RSAPublicKey):
                return False
            if pub.key_size != (2048 if sig_type == 0x20 else 3072):
                return False
            pub.verify(sig, declared_digest,
                       padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                       utils.Prehashed(hashes.SHA256()))
        elif sig_type == 0x22:
            if not isinstance(pub, ec.EllipticCurvePublicKey):
                return False
            pub.verify(sig, declared_digest, ec.ECDSA(utils.Prehashed(halg)))
        elif sig_type == 0x24:
            if not isinstance(pub, ed25519.Ed25519PublicKey):
                return False
            pub.verify(sig, hashed_bytes if pure else declared_digest)
        else:
            return False
        return True
    except (InvalidSignature, ValueError):
        return False


def model_failed(data, trusted_paths):
    """The set of check codes fwgate fails for these bytes, given these trusted keys."""
    d, m = parse(data)
    if m is not None:
        return {m.code}
    failed = set()
    tlvs = d["tlvs"]
    seen = {}
    for t in tlvs:
        seen.setdefault(t["_type"], []).append(t)
        if t["area"] == "unprotected" and t["_type"] not in ALLOWED_UNPROTECTED:
            failed.add("malformed.tlv-placement")
        if t["area"] == "protected" and t["_type"] in (SIG_TLVS | KEY_TLVS | set(HASH_TLVS)):
            failed.add("malformed.tlv-placement")
    hash_tlvs = [t for t in tlvs if t["_type"] in HASH_TLVS]
    if len(hash_tlvs) > 1 or any(len(v) > 1 for v in seen.values()):
        failed.add("malformed.duplicate-tlv")
    if not hash_tlvs:
        failed.add("integrity.digest-mismatch")
        return failed
    alg, size = HASH_TLVS[hash_tlvs[0]["_type"]]
    declared = hash_tlvs[0]["_value"]
    if len(declared) != size:
        failed.add("malformed.length")
        return failed
    hashed = bytes(data[: d["hashedRange"][1]])
    if hashlib.new(alg, hashed).digest() != declared:
        failed.add("integrity.digest-mismatch")
    sigs = [t for t in tlvs if t["_type"] in SIG_TLVS]
    if not sigs:
        failed.add("signature.missing")
        return failed
    sig = sigs[0]
    pure = 0x25 in seen
    trusted = [_load_pub(p) for p in trusted_paths]
    key = None
    if 0x01 in seen:
        want = seen[0x01][0]["_value"]
        for pub in trusted:
            if hashlib.new(alg, key_bytes_as_embedded(pub)).digest() == want:
                key = pub
    elif 0x02 in seen:
        want = seen[0x02][0]["_value"]
        for pub in trusted:
            if key_bytes_as_embedded(pub) == want:
                key = pub
    if key is None:
        failed.add("key.untrusted")
        return failed
    if not _verify_sig(key, sig["_type"], sig["_value"], declared, alg, hashed, pure):
        failed.add("signature.invalid")
    return failed


def main(argv):
    for path in argv[1:]:
        with open(path, "rb") as f:
            data = f.read()
        d, m = parse(data)
        out = public_description(d)
        if m is not None:
            out["parseError"] = {"code": m.code, "offset": m.offset, "message": m.message}
        print(json.dumps({"file": path, "description": out}, indent=2))


if __name__ == "__main__":
    main(sys.argv)
