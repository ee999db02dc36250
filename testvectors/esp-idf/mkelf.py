#!/usr/bin/env python3
"""Write a tiny, fixed ESP32-C5 application ELF for `esptool elf2image` (no compiler needed).

  mkelf.py OUT.elf [--overlap]

The ELF is a 32-bit little-endian RISC-V executable with three loadable sections, laid out the
way an ESP-IDF app is:

  .flash.appdesc  0x42000020  esp_app_desc_t (256 bytes), first bytes of the first flash (DROM)
                              segment, so it lands at image offset 0x20 and its app_elf_sha256
                              field at 0xb0, where elf2image patches in the ELF's SHA-256
  .flash.rodata   0x42000120  1 KiB of pseudo-random bytes (merged by elf2image with the above)
  .iram0.text     0x40800000  1 KiB (entry point = its first byte)
  .dram0.data     0x40820000  512 bytes

With --overlap the .iram0.text section is linked at 0x40850000 instead: inside the second-stage
bootloader's own iram_loader_seg (0x4084e5a0..0x408555a0 in ESP-IDF's
components/bootloader/subproject/main/ld/esp32c5/bootloader.ld.in), the class of image behind
CVE-2018-18558. elf2image does not object.

Payload bytes come from random.Random(2) so every run writes the same file.

esp_app_desc_t (components/esp_app_format/include/esp_app_desc.h, 256 bytes, little endian):
  u32 magic_word (0xABCD5432); u32 secure_version; u32 reserv1[2]; char version[32];
  char project_name[32]; char time[16]; char date[16]; char idf_ver[32]; u8 app_elf_sha256[32];
  u16 min_efuse_blk_rev_full; u16 max_efuse_blk_rev_full; u8 mmu_page_size (log2);
  u8 reserv3[3]; u32 reserv2[18]
"""

import random
import struct
import sys

APP_DESC = dict(
    secure_version=2,
    version=b"1.0.0",
    project_name=b"fwgate-testvector",
    time=b"12:00:00",
    date=b"Jan  1 2025",
    idf_ver=b"v5.5",
    min_efuse_blk_rev_full=0,
    max_efuse_blk_rev_full=99,
    mmu_page_size=16,  # 64 KiB
)


def app_desc():
    a = APP_DESC
    b = struct.pack("<II8s32s32s16s16s32s32sHHB3s72s",
                    0xABCD5432, a["secure_version"], b"", a["version"], a["project_name"],
                    a["time"], a["date"], a["idf_ver"], b"\0" * 32,
                    a["min_efuse_blk_rev_full"], a["max_efuse_blk_rev_full"], a["mmu_page_size"],
                    b"", b"")
    assert len(b) == 256
    return b


def build(overlap):
    r = random.Random(2)
    rnd = lambda n: bytes(r.getrandbits(8) for _ in range(n))  # noqa: E731
    iram_addr = 0x40850000 if overlap else 0x40800000
    # (name, address, flags, data); SHF_ALLOC=2, SHF_WRITE=1, SHF_EXECINSTR=4
    sections = [
        (b".flash.appdesc", 0x42000020, 0x2, app_desc()),
        (b".flash.rodata", 0x42000120, 0x2, rnd(1024)),
        (b".iram0.text", iram_addr, 0x6, rnd(1024)),
        (b".dram0.data", 0x40820000, 0x3, rnd(512)),
    ]
    entry = iram_addr

    shstrtab = b"\0"
    name_off = []
    for name, *_ in sections:
        name_off.append(len(shstrtab))
        shstrtab += name + b"\0"
    shstr_name = len(shstrtab)
    shstrtab += b".shstrtab\0"

    EH, PH, SH = 52, 32, 40
    nph = len(sections)
    off = EH + PH * nph
    body = b""
    placed = []
    for name, addr, flags, data in sections:
        pad = (-(off + len(body))) % 16
        body += b"\0" * pad
        placed.append(off + len(body))
        body += data
    shstr_off = off + len(body)
    body += shstrtab
    pad = (-(off + len(body))) % 4
    body += b"\0" * pad
    shoff = off + len(body)

    ident = b"\x7fELF" + bytes([1, 1, 1, 0]) + b"\0" * 8  # ELFCLASS32, LSB, EV_CURRENT
    ehdr = ident + struct.pack("<HHIIIIIHHHHHH", 2, 0xF3, 1, entry, EH, shoff, 0x1, EH, PH, nph,
                               SH, len(sections) + 2, len(sections) + 1)
    phdrs = b""
    for (name, addr, flags, data), foff in zip(sections, placed):
        pflags = (1 if flags & 4 else 0) | (2 if flags & 1 else 0) | 4  # X, W, R
        phdrs += struct.pack("<IIIIIIII", 1, foff, addr, addr, len(data), len(data), pflags, 16)
    shdrs = b"\0" * SH
    for (name, addr, flags, data), foff, noff in zip(sections, placed, name_off):
        shdrs += struct.pack("<IIIIIIIIII", noff, 1, flags, addr, foff, len(data), 0, 0, 16, 0)
    shdrs += struct.pack("<IIIIIIIIII", shstr_name, 3, 0, 0, shstr_off, len(shstrtab), 0, 0, 1, 0)
    return ehdr + phdrs + body + shdrs


def main():
    args = sys.argv[1:]
    overlap = "--overlap" in args
    out = [a for a in args if not a.startswith("--")][0]
    with open(out, "wb") as f:
        f.write(build(overlap))


if __name__ == "__main__":
    main()
