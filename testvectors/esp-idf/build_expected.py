#!/usr/bin/env python3
"""Write expected.json for the ESP32-C5 vectors (called by generate.sh with its command log).

For every vector it: describes the file (describe.py); runs `espsecure verify-signature --version 2
--keyfile <trusted key>`, `esptool image-info` and `espsecure signature-info-v2` and records what
they said; checks that image-info's segment table, checksum/hash verdicts and application
information, and signature-info-v2's key digests, agree with describe.py; checks that
espsecure digest-sbv2-public-key agrees with describe.py's key digest; and checks that the
hand-written `failed` set equals what describe.py's model of fwgate's rules computes. Any
disagreement stops the script.
"""

import importlib.metadata
import json
import re
import subprocess
import sys

import describe

TRUSTED = [
    "keys/test-rsa3072.pub.pem",
    "keys/test-rsa3072-b.pub.pem",
    "keys/test-ecdsa-p256.pub.pem",
    "keys/test-ecdsa-p384.pub.pem",
]
NEVER = ["keys/test-rsa3072-other.pub.pem", "keys/test-ecdsa-p256-other.pub.pem",
         "keys/test-ecdsa-p384-other.pub.pem"]
RSA = "keys/test-rsa3072.pub.pem"
P256 = "keys/test-ecdsa-p256.pub.pem"
P384 = "keys/test-ecdsa-p384.pub.pem"

V = {}


def vec(name, key, failed, twin, why, stricter=None, also=None):
    V[name] = dict(key=key, failed=sorted(failed), twin=twin, why=why, stricter=stricter,
                   also=also or [])


vec("app-unsigned.bin", P256, ["signature.missing"], None,
    "elf2image output: header, 3 segments, checksum and appended SHA-256, no signature sector.")
vec("app-rsa3072.bin", RSA, [], None,
    "Signed with RSA-3072 (RSA-PSS, SHA-256): image padded with 0xff to 4 KiB, then a signature sector holding one RSA block; valid.")
vec("app-ecdsa-p256.bin", P256, [], None,
    "Signed with ECDSA P-256 (SHA-256): one ECDSA signature block; valid.")
vec("app-ecdsa-p384.bin", P384, [], None,
    "Signed with ECDSA P-384: one ECDSA block whose image digest is SHA-384 (sha byte = 1); valid.")
vec("app-rsa3072-2sig.bin", RSA, [], "app-rsa3072.bin",
    "app-rsa3072.bin with a second RSA-3072 block (test-rsa3072-b) appended by sign-data --append-signatures; both keys trusted, both blocks valid.",
    also=["keys/test-rsa3072-b.pub.pem"])
vec("app-overlap-unsigned.bin", P256, ["signature.missing", "policy.segment-overlap"], None,
    "elf2image output of the same app with .iram0.text linked at 0x40850000, inside the ESP32-C5 bootloader's own RAM; unsigned.")
vec("app-overlap-ecdsa-p256.bin", P256, ["policy.segment-overlap"], None,
    "Validly signed image whose IRAM segment (0x40850000, 1 KiB) overlaps the RAM the second-stage bootloader runs from (0x4084e5a0..0x40860000): loading it would overwrite the loader (the CVE-2018-18558 class).",
    "espsecure and esptool check signatures, checksums and hashes only; neither looks at load addresses. fwgate applies the per-chip bootloader RAM range.")
vec("app-ecdsa-p256-wrong-key.bin", P256, ["key.untrusted"], "app-ecdsa-p256.bin",
    "Same image signed by test-ecdsa-p256-other: the block's embedded public key digest matches no trusted key (eFuse digest).")
vec("app-rsa3072-wrong-key.bin", RSA, ["key.untrusted"], "app-rsa3072.bin",
    "Same image signed by test-rsa3072-other: the block's embedded public key digest matches no trusted key (eFuse digest).")
vec("app-ecdsa-p256-segment-flip.bin", P256, ["integrity.checksum-mismatch", "integrity.digest-mismatch"],
    "app-ecdsa-p256.bin",
    "One bit of segment 1 (IRAM) data flipped: the XOR checksum, the appended SHA-256 and the signature block's image digest all mismatch; the signature over the declared digest still verifies.")
vec("app-ecdsa-p256-sha256-flip.bin", P256, ["integrity.digest-mismatch"], "app-ecdsa-p256.bin",
    "One bit of the appended SHA-256 flipped: it no longer matches the image, and the signed region changed so the block's image digest no longer matches either; checksum and signature are fine.")
vec("app-ecdsa-p256-sig-flip.bin", P256, ["signature.invalid"], "app-ecdsa-p256.bin",
    "One bit of r in the ECDSA signature flipped and the block CRC recomputed: the block is well-formed, its digest is right, the signature does not verify.")
vec("app-ecdsa-p256-crc-flip.bin", P256, ["integrity.crc-mismatch"], "app-ecdsa-p256.bin",
    "One bit of signature block 0's CRC-32 flipped: the block fails its CRC, so it is not used (and no other block is present).")
vec("app-ecdsa-p256-truncated.bin", P256, ["malformed.truncated"], "app-ecdsa-p256.bin",
    "File cut 0x200 bytes into segment 1's data: the file ends before the segment's declared length.")
vec("app-ecdsa-p256-bad-magic.bin", P256, ["malformed.bad-magic"], "app-ecdsa-p256.bin",
    "First byte 0xe9 changed to 0xe8: not an ESP image any more.")
vec("app-rsa3072-sig-flip.bin", RSA, ["signature.invalid"], "app-rsa3072.bin",
    "One bit of the RSA-PSS signature flipped and the block CRC recomputed.")
vec("app-ecdsa-p384-sig-flip.bin", P384, ["signature.invalid"], "app-ecdsa-p384.bin",
    "One bit of r in the ECDSA P-384 signature flipped and the block CRC recomputed.")
vec("app-rsa3072-2sig-crc-flip1.bin", RSA, ["integrity.crc-mismatch"], "app-rsa3072-2sig.bin",
    "One bit of signature block 1's CRC-32 flipped; block 0 is still valid.",
    "espsecure verify-signature skips a block whose CRC is wrong ('Signature block 1 invalid. Skipping.') and succeeds on block 0; fwgate fails a present block that is corrupt.",
    also=["keys/test-rsa3072-b.pub.pem"])


def clean(text):
    lines = [ln.rstrip() for ln in text.strip().splitlines() if ln.strip()]
    lines = [ln for ln in lines if not re.fullmatch(r"(esptool|espsecure) v\d+\.\d+\.\d+", ln)]
    if any(ln.startswith("Traceback") for ln in lines):
        lines = ["(Python traceback) " + lines[-1]]
    said = "\n".join(lines)
    assert "/" + "root" not in said and "site-packages" not in said, said
    return said


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return {"command": " ".join(cmd), "exit": p.returncode, "said": clean(p.stdout + p.stderr)}


def crosscheck_image_info(name, ref, d):
    """image-info's segment table and footer must agree with describe.py."""
    if ref["exit"] != 0:
        return
    said = ref["said"]
    rows = re.findall(r"^\s+(\d+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(.*)$", said, re.M)
    theirs = [(int(i), int(ln, 16), int(a, 16), int(fo, 16), mt.strip()) for i, ln, a, fo, mt in rows]
    ours = [(s["index"], s["length"], s["loadAddress"], s["headerOffset"], ", ".join(s["memoryTypes"]))
            for s in d["segments"]]
    problems = []
    if theirs != ours:
        problems.append(f"segments {theirs} != {ours}")
    m = re.search(r"Checksum: (0x[0-9a-f]+) \((valid|invalid[^)]*)\)", said)
    if not m or int(m.group(1), 16) != int(d["checksum"]["stored"], 16):
        problems.append("checksum")
    m = re.search(r"Validation hash: ([0-9a-f]{64}) \((valid|invalid)\)", said)
    if m and (m.group(2) == "valid") != (m.group(1) == d["appendedDigest"]["value"]):
        problems.append("validation hash")
    a = d["appDescriptor"]
    for label, key in (("Project name", "projectName"), ("App version", "version"),
                       ("ELF file SHA256", "appElfSha256"), ("ESP-IDF", "idfVersion"),
                       ("Secure version", "secureVersion")):
        m = re.search(rf"^{label}: (.*)$", said, re.M)
        if not m or m.group(1).strip() != str(a[key]):
            problems.append(label)
    if f"Chip ID: {d['chip']['id']} ({d['chip']['name']})" not in said:
        problems.append("chip id")
    if problems:
        sys.exit(f"{name}: esptool image-info disagrees with describe.py: {problems}\n{said}")


def crosscheck_signature_info(name, ref, d):
    digests = {int(i): h.replace(" ", "") for i, h in
               re.findall(r"Public key digest for block (\d): ([0-9a-f ]+)", ref["said"])}
    for b in d.get("signatureBlocks", []):
        if b["index"] in digests and digests[b["index"]] != b["keyDigest"]:
            sys.exit(f"{name}: signature-info-v2 key digest differs for block {b['index']}")
    return bool(digests)


def main():
    log = {}
    with open(sys.argv[1]) as f:
        for line in f:
            out, cmd, said = line.rstrip("\n").split("\t")
            log[out] = {"made": cmd, "said": said.strip()}
    made_bins = {k for k in log if k.endswith(".bin")}
    if made_bins ^ set(V):
        sys.exit(f"vector table and generate.sh disagree about: {sorted(made_bins ^ set(V))}")

    key_digests = {}
    for p in TRUSTED + NEVER:
        with open(p.replace(".pub.pem", ".efuse-digest.bin"), "rb") as f:
            ref = f.read().hex()
        if describe.efuse_key_digest(describe.load_pub(p)) != ref:
            sys.exit(f"{p}: describe.py's eFuse key digest differs from espsecure's")
        key_digests[p] = ref

    problems = []
    vectors = []
    for name in sorted(V):
        spec = V[name]
        with open(name, "rb") as f:
            data = f.read()
        d, m = describe.parse(data)
        desc = describe.public_description(d)
        if m is not None:
            desc["parseError"] = {"code": m.code, "offset": m.offset, "message": m.message}
        model = sorted(describe.model_failed(data, TRUSTED))
        if model != spec["failed"]:
            problems.append(f"{name}: expected {spec['failed']} but the model of fwgate says {model}")
        verify = run(["espsecure", "verify-signature", "--version", "2", "--keyfile", spec["key"], name])
        info = run(["esptool", "image-info", name])
        siginfo = run(["espsecure", "signature-info-v2", name])
        if m is None:
            crosscheck_image_info(name, info, d)
            siginfo["keyDigestsAgree"] = crosscheck_signature_info(name, siginfo, d) or None
        entry = {
            "file": name,
            "made": log[name]["made"],
            "trust": TRUSTED,
            "verdict": "fail" if spec["failed"] else "pass",
            "failed": spec["failed"],
            "warnings": [],
            "description": desc,
            "reference": verify,
            "referenceOtherKeys": [run(["espsecure", "verify-signature", "--version", "2", "--keyfile",
                                        k, name]) for k in spec["also"]] or None,
            "referenceImageInfo": info,
            "referenceSignatureInfo": siginfo,
            "stricterThanReference": None,
            "twinOf": spec["twin"],
            "why": spec["why"],
        }
        if log[name]["said"].startswith("{"):
            entry["tamper"] = json.loads(log[name]["said"])
        if spec["failed"] and verify["exit"] == 0:
            if not spec["stricter"]:
                problems.append(f"{name}: espsecure says OK but no stricterThanReference note: {verify}")
            entry["stricterThanReference"] = spec["stricter"]
        elif spec["stricter"]:
            problems.append(f"{name}: stricterThanReference given but espsecure rejected it: {verify}")
        if not spec["failed"] and verify["exit"] != 0:
            problems.append(f"{name}: valid vector but espsecure verify-signature failed: {verify}")
        if spec["failed"] == ["malformed.bad-magic"]:
            # Not recognised as ESP-IDF any more: verified with --format esp-idf (forced), the
            # parser names the bad magic; detected, it is malformed.unknown-format.
            entry["format"] = "esp-idf"
        vectors.append(entry)
    if problems:
        sys.exit("\n".join(problems))

    doc = {
        "about": ("ESP32-C5 application images made by esptool elf2image from a fixed, "
                  "compiler-free ELF (mkelf.py), signed for Secure Boot v2 by espsecure sign-data "
                  "with freshly generated TEST keys (keys/, private halves committed on purpose: "
                  "never trust them), plus tampered twins made by tamper.py. generate.sh remakes "
                  "every file; the unsigned images are byte-for-byte reproducible, the signatures "
                  "are randomised. 'failed' is the exact set of check codes fwgate must report as "
                  "failed when given the keys in 'trust' (matched through their eFuse key digests, "
                  "trust.keyDigests). Rules assumed: a signature block is present when its first "
                  "byte is 0xe7; a present block with a bad CRC is integrity.crc-mismatch and is "
                  "not used further; signature.missing only when no block is present; the "
                  "signature is checked over the digest declared in its block. 'description' is "
                  "what fwgate inspect must show (offsets are file offsets); for a vector with "
                  "'parseError' it holds only what parsed before the error. 'reference' is "
                  "espsecure verify-signature with the trusted key of the image's algorithm; "
                  "'referenceImageInfo' is esptool image-info (esptool 5 has no --version switch: "
                  "the former v2 output is the only one); 'referenceSignatureInfo' is espsecure "
                  "signature-info-v2."),
        "tool": {"name": "esptool", "version": importlib.metadata.version("esptool")},
        "toolDependencies": {p: importlib.metadata.version(p) for p in ("cryptography", "click")},
        "chip": {"name": "ESP32-C5", "imageChipId": 23,
                 "why": ("ESP32-C5 accepts all three Secure Boot v2 schemes used here "
                         "(RSA-3072, ECDSA P-256, ECDSA P-384) and up to three signature blocks; "
                         "the ESP32 takes only one RSA block and the ESP32-C3 only RSA. espsecure "
                         "itself does not check the chip."),
                 "bootloaderRam": {"start": describe.BOOTLOADER_RAM_C5[0],
                                   "end": describe.BOOTLOADER_RAM_C5[1],
                                   "source": ("ESP-IDF components/bootloader/subproject/main/ld/"
                                              "esp32c5/bootloader.ld.in: iram_loader_seg starts at "
                                              "0x4084e5a0 (== the app's SRAM_DRAM_END), then "
                                              "dram_seg, stack and ROM data to the end of HP SRAM "
                                              "at 0x40860000")}},
        "elf": {"files": ["app.elf", "app-overlap.elf"], "made": "python3 mkelf.py (see its docstring)"},
        "trust": {"default": TRUSTED, "neverTrusted": NEVER, "keyDigests": key_digests},
        "vectors": vectors,
    }
    with open("expected.json", "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
