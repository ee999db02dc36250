#!/usr/bin/env python3
"""Describe an ESP32-family app image the way `fwgate inspect` must show it, and model fwgate's
checks. Used by generate.sh (through build_expected.py); tests never run it.

Layout followed (ESP-IDF components/bootloader_support/include/esp_app_format.h and
esp_image_format.h, esptool bin_image.py, espsecure/__init__.py), all little endian:

  esp_image_header_t, 24 bytes at offset 0
     0 u8  magic 0xE9            1 u8  segment_count        2 u8 spi_mode (0 QIO,1 QOUT,2 DIO,3 DOUT)
     3 u8  spi_speed:4 (low nibble) | spi_size:4 (high nibble)  4 u32 entry_addr
     8 u8  wp_pin               9..11 u8 x3 SPI pin drive strengths (two 4-bit fields each)
    12 u16 chip_id             14 u8  min_chip_rev (legacy)  15 u16 min_chip_rev_full
    17 u16 max_chip_rev_full   19..22 reserved[4]           23 u8  hash_appended (0 or 1)
  then segment_count x { u32 load_addr; u32 data_len; data[data_len] }
  then zero padding so that the checksum byte is the last byte of a 16-byte block;
       checksum = 0xEF XOR every segment data byte (headers and padding excluded)
  then, if hash_appended == 1, SHA-256 of bytes [0, checksum offset + 1)
  then (Secure Boot v2 signed images) 0xFF padding to a 4096-byte boundary, then a 4096-byte
  signature sector: up to 3 signature blocks of 1216 bytes, rest 0xFF.

  RSA block (version 0x02)                      ECDSA block (version 0x03)
     0 u8 magic 0xE7   1 u8 version 0x02          0 magic 0xE7  1 version 0x03  2 u8 sha (0: SHA-256, 1: SHA-384)
     4 image_digest[32] (SHA-256 of [0, sector))  4 image_digest[32 or 48]
    36 n[384] little endian                       36/52 u8 curve_id (1 P-192, 2 P-256, 3 P-384)
   420 u32 e                                      37/53 point x||y, each little endian (64 or 96 bytes)
   424 rinv[384] little endian (R^2 mod n)        101/149 r||s, each little endian (64 or 96 bytes)
   808 u32 mdash (-n^-1 mod 2^32)                 zero padding
   812 signature[384] little endian (RSA-PSS SHA-256, MGF1 SHA-256, salt 32, over image_digest)
  1196 u32 CRC-32 (zlib) of bytes [0, 1196)  1200 16 zero bytes
  The eFuse key digest is SHA-256 of block[36:812] (RSA), block[36:101] (P-256) or
  block[52:149] (P-384) - espsecure digest-sbv2-public-key computes the same from a PEM.
"""

import hashlib
import json
import struct
import sys
import zlib

ESP_IMAGE_MAGIC = 0xE9
CHECKSUM_SEED = 0xEF
SECTOR = 4096
SIG_BLOCK = 1216
SIG_MAGIC = 0xE7
CHIPS = {0: "ESP32", 2: "ESP32-S2", 5: "ESP32-C3", 9: "ESP32-S3", 12: "ESP32-C2", 13: "ESP32-C6",
         16: "ESP32-H2", 18: "ESP32-P4", 20: "ESP32-C61", 23: "ESP32-C5", 25: "ESP32-H21",
         28: "ESP32-H4", 31: "ESP32-E22", 32: "ESP32-S31"}
FLASH_MODES = {0: "QIO", 1: "QOUT", 2: "DIO", 3: "DOUT"}
FLASH_SIZES = {0x0: "1MB", 0x1: "2MB", 0x2: "4MB", 0x3: "8MB", 0x4: "16MB", 0x5: "32MB",
               0x6: "64MB", 0x7: "128MB"}
FLASH_FREQ_C5 = {0xF: "80m", 0x0: "40m", 0x2: "20m"}
# esptool targets/esp32c5.py MEMORY_MAP (the parts an app uses).
MEMORY_MAP_C5 = [(0x42000000, 0x44000000, "DROM"), (0x40800000, 0x40860000, "DRAM"),
                 (0x40800000, 0x40860000, "BYTE_ACCESSIBLE"), (0x42000000, 0x44000000, "IROM"),
                 (0x40800000, 0x40860000, "IRAM"), (0x50000000, 0x50004000, "RTC_IRAM"),
                 (0x50000000, 0x50004000, "RTC_DRAM")]
# RAM the ESP32-C5 second-stage bootloader lives in while it loads an app: from
# bootloader_iram_loader_seg_start (asserted == 0x4084e5a0 == the app's SRAM_DRAM_END in
# components/bootloader/subproject/main/ld/esp32c5/bootloader.ld.in) through its dram_seg, stack
# and the ROM's data to the end of HP SRAM. An app segment loaded here overwrites the loader.
BOOTLOADER_RAM_C5 = (0x4084E5A0, 0x40860000)


class Malformed(Exception):
    def __init__(self, code, offset, message):
        super().__init__(message)
        self.code, self.offset, self.message = code, offset, message


def _need(data, off, n, what):
    if off + n > len(data):
        raise Malformed("malformed.truncated", off,
                        f"{what}: needs {n} bytes at 0x{off:x}, file ends at 0x{len(data):x}")


def _cstr(b):
    return b.split(b"\0", 1)[0].decode("ascii", "replace")


def app_desc(seg):
    if len(seg) < 256:
        return None
    (magic, secure_version, _r1, version, project, time, date, idf, elf_sha, min_efuse, max_efuse,
     mmu, _r3, _r2) = struct.unpack("<II8s32s32s16s16s32s32sHHB3s72s", seg[:256])
    if magic != 0xABCD5432:
        return None
    return {"magic": f"0x{magic:08x}", "secureVersion": secure_version, "version": _cstr(version),
            "projectName": _cstr(project), "time": _cstr(time), "date": _cstr(date),
            "idfVersion": _cstr(idf), "appElfSha256": elf_sha.hex(),
            "minEfuseBlkRevFull": min_efuse, "maxEfuseBlkRevFull": max_efuse,
            "mmuPageSizeLog2": mmu}


def memory_types(addr):
    return [name for lo, hi, name in MEMORY_MAP_C5 if lo <= addr < hi]


def _rsa_from_block(blk):
    from cryptography.hazmat.primitives.asymmetric import rsa
    n = int.from_bytes(blk[36:420], "little")
    e = struct.unpack_from("<I", blk, 420)[0]
    return rsa.RSAPublicNumbers(e, n).public_key()


def _ec_from_block(blk, p384):
    from cryptography.hazmat.primitives.asymmetric import ec
    base, ln, curve = (53, 48, ec.SECP384R1()) if p384 else (37, 32, ec.SECP256R1())
    x = int.from_bytes(blk[base: base + ln], "little")
    y = int.from_bytes(blk[base + ln: base + 2 * ln], "little")
    return ec.EllipticCurvePublicNumbers(x, y, curve).public_key()


def sig_block(blk, index, offset):
    version, sha = blk[1], blk[2]
    b = {"index": index, "offset": offset, "version": f"0x{version:02x}"}
    if version == 0x02:
        b.update(algorithm="RSA-3072-PSS", hashAlgorithm="sha256", declaredDigest=blk[4:36].hex(),
                 keyDigest=hashlib.sha256(blk[36:812]).hexdigest())
    elif version == 0x03 and sha == 0 and blk[36] == 2:
        b.update(algorithm="ECDSA-P256", hashAlgorithm="sha256", declaredDigest=blk[4:36].hex(),
                 keyDigest=hashlib.sha256(blk[36:101]).hexdigest())
    elif version == 0x03 and sha == 0 and blk[36] == 1:
        b.update(algorithm="ECDSA-P192", hashAlgorithm="sha256", declaredDigest=blk[4:36].hex(),
                 keyDigest=hashlib.sha256(blk[36:85]).hexdigest())
    elif version == 0x03 and sha == 1:
        b.update(algorithm="ECDSA-P384", hashAlgorithm="sha384", declaredDigest=blk[4:52].hex(),
                 keyDigest=hashlib.sha256(blk[52:149]).hexdigest())
    else:
        b.update(algorithm=None, hashAlgorithm=None, declaredDigest=None, keyDigest=None)
    crc = struct.unpack_from("<I", blk, 1196)[0]
    b["crc"] = f"0x{crc:08x}"
    b["crcValid"] = crc == zlib.crc32(blk[:1196]) & 0xFFFFFFFF
    return b


def parse(data):
    d = {"format": "esp-idf", "fileSize": len(data)}
    try:
        _need(data, 0, 1, "image header")
        d["magic"] = f"0x{data[0]:02x}"
        if data[0] != ESP_IMAGE_MAGIC:
            raise Malformed("malformed.bad-magic", 0, f"image magic 0x{data[0]:02x}, expected 0xe9")
        _need(data, 0, 24, "image header + extended header")
        magic, nseg, mode, speed_size, entry = struct.unpack_from("<BBBBI", data, 0)
        wp, d1, d2, d3, chip, min_rev, min_full, max_full = struct.unpack_from("<BBBBHBHH", data, 8)
        hash_appended = data[23]
        d.update({
            "chip": {"id": chip, "name": CHIPS.get(chip)},
            "segmentCount": nseg,
            "flash": {"mode": FLASH_MODES.get(mode, f"0x{mode:02x}"),
                      "size": FLASH_SIZES.get(speed_size >> 4), "frequency":
                      FLASH_FREQ_C5.get(speed_size & 0xF) if chip == 23 else f"0x{speed_size & 0xF:x}"},
            "entry": entry,
            "extendedHeader": {"wpPin": f"0x{wp:02x}",
                               "spiPinDrive": [d1 & 0xF, d1 >> 4, d2 & 0xF, d2 >> 4, d3 & 0xF, d3 >> 4],
                               "chipId": chip, "minChipRev": min_rev, "minChipRevFull": min_full,
                               "maxChipRevFull": max_full, "hashAppended": hash_appended == 1},
        })
        if hash_appended not in (0, 1):
            raise Malformed("malformed.length", 23, f"hash_appended is {hash_appended}, not 0 or 1")
        if nseg > 16:
            raise Malformed("malformed.length", 1, f"{nseg} segments (at most 16)")
        off = 24
        segs = []
        for i in range(nseg):
            _need(data, off, 8, f"segment {i} header")
            addr, ln = struct.unpack_from("<II", data, off)
            _need(data, off + 8, ln, f"segment {i} data (length {ln})")
            segs.append({"index": i, "loadAddress": addr, "length": ln, "headerOffset": off,
                         "dataOffset": off + 8, "memoryTypes": memory_types(addr)})
            off += 8 + ln
        d["segments"] = segs
        ck_off = off + (15 - off % 16)
        _need(data, ck_off, 1, "checksum byte")
        d["checksum"] = {"offset": ck_off, "stored": f"0x{data[ck_off]:02x}"}
        end = ck_off + 1
        if hash_appended == 1:
            _need(data, end, 32, "appended SHA-256")
            d["appendedDigest"] = {"offset": end, "value": data[end:end + 32].hex()}
            end += 32
        else:
            d["appendedDigest"] = None
        d["imageLength"] = end
        first_drom = next((s for s in segs if "DROM" in s["memoryTypes"]), None)
        desc = app_desc(data[first_drom["dataOffset"]: first_drom["dataOffset"] + first_drom["length"]]) \
            if first_drom else None
        d["appDescriptor"] = desc
        d["version"] = desc["version"] if desc else None
        d["securityCounter"] = desc["secureVersion"] if desc else None
        if len(data) > end:
            sig_off = (end + SECTOR - 1) // SECTOR * SECTOR
            _need(data, sig_off, SECTOR, "Secure Boot v2 signature sector")
            d["signatureSector"] = {"offset": sig_off, "length": SECTOR}
            d["signedRange"] = [0, sig_off]
            blocks = []
            for i in range(3):
                bo = sig_off + i * SIG_BLOCK
                blk = data[bo: bo + SIG_BLOCK]
                if blk[0] == SIG_MAGIC:
                    blocks.append(sig_block(blk, i, bo))
            d["signatureBlocks"] = blocks
            if len(data) > sig_off + SECTOR:
                d["trailingBytes"] = len(data) - sig_off - SECTOR
        else:
            d["signatureSector"] = None
            d["signedRange"] = None
            d["signatureBlocks"] = []
        d["hashAlgorithm"] = "sha256"
        d["signatureAlgorithm"] = d["signatureBlocks"][0]["algorithm"] if d["signatureBlocks"] else None
        return d, None
    except Malformed as m:
        return d, m


def public_description(d):
    order = ["format", "fileSize", "magic", "chip", "segmentCount", "flash", "entry",
             "extendedHeader", "segments", "checksum", "appendedDigest", "imageLength", "version",
             "securityCounter", "hashAlgorithm", "signatureAlgorithm", "appDescriptor",
             "signatureSector", "signedRange", "signatureBlocks", "trailingBytes"]
    return {k: d[k] for k in order if k in d}


def efuse_key_digest(pub):
    """espsecure _digest_sbv2_public_key(): SHA-256 of the key as a signature block holds it."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    if isinstance(pub, rsa.RSAPublicKey):
        nums = pub.public_numbers()
        n, e = nums.n, nums.e
        rinv = (1 << (pub.key_size * 2)) % n
        mdash = (-pow(n, -1, 1 << 32)) & 0xFFFFFFFF
        raw = struct.pack("<384sI384sI", n.to_bytes(384, "big")[::-1], e,
                          rinv.to_bytes(384, "big")[::-1], mdash)
    else:
        nums = pub.public_numbers()
        ln = pub.curve.key_size // 8
        cid = {256: 2, 384: 3, 192: 1}[pub.curve.key_size]
        raw = bytes([cid]) + nums.x.to_bytes(ln, "little") + nums.y.to_bytes(ln, "little")
    return hashlib.sha256(raw).hexdigest()


def load_pub(path):
    from cryptography.hazmat.primitives import serialization
    with open(path, "rb") as f:
        return serialization.load_pem_public_key(f.read())


def _verify_block(blk, digest_hex, algorithm):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, utils
    digest = bytes.fromhex(digest_hex)
    try:
        if algorithm == "RSA-3072-PSS":
            _rsa_from_block(blk).verify(blk[812:1196][::-1], digest,
                                        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32),
                                        utils.Prehashed(hashes.SHA256()))
        else:
            p384 = algorithm == "ECDSA-P384"
            ln = 48 if p384 else 32
            base = 149 if p384 else 101
            r = int.from_bytes(blk[base: base + ln], "little")
            s = int.from_bytes(blk[base + ln: base + 2 * ln], "little")
            h = hashes.SHA384() if p384 else hashes.SHA256()
            _ec_from_block(blk, p384).verify(utils.encode_dss_signature(r, s), digest,
                                             ec.ECDSA(utils.Prehashed(h)))
        return True
    except (InvalidSignature, ValueError):
        return False


def model_failed(data, trusted_paths):
    d, m = parse(data)
    if m is not None:
        return {m.code}
    failed = set()
    segs = d["segments"]
    ck = CHECKSUM_SEED
    for s in segs:
        for b in data[s["dataOffset"]: s["dataOffset"] + s["length"]]:
            ck ^= b
    if ck != data[d["checksum"]["offset"]]:
        failed.add("integrity.checksum-mismatch")
    if d["appendedDigest"]:
        if hashlib.sha256(data[: d["checksum"]["offset"] + 1]).hexdigest() != d["appendedDigest"]["value"]:
            failed.add("integrity.digest-mismatch")
    lo, hi = BOOTLOADER_RAM_C5
    for s in segs:
        if not ({"DROM", "IROM"} & set(s["memoryTypes"])) and \
                s["loadAddress"] < hi and s["loadAddress"] + s["length"] > lo:
            failed.add("policy.segment-overlap")
    blocks = d["signatureBlocks"]
    if not blocks:
        failed.add("signature.missing")
        return failed
    trusted = {efuse_key_digest(load_pub(p)) for p in trusted_paths}
    signed = bytes(data[: d["signedRange"][1]])
    for b in blocks:
        blk = data[b["offset"]: b["offset"] + SIG_BLOCK]
        if not b["crcValid"]:
            failed.add("integrity.crc-mismatch")
            continue
        if b["algorithm"] is None:
            failed.add("signature.unsupported-algorithm")
            continue
        if hashlib.new(b["hashAlgorithm"], signed).hexdigest() != b["declaredDigest"]:
            failed.add("integrity.digest-mismatch")
        if b["keyDigest"] not in trusted:
            failed.add("key.untrusted")
            continue
        if not _verify_block(blk, b["declaredDigest"], b["algorithm"]):
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
