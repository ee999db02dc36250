#!/usr/bin/env python3
"""Write expected.json for the MCUboot vectors (called by generate.sh with its command log).

For every vector it: describes the file (describe.py), runs `imgtool verify -k <trusted key>` and
`imgtool verify` (no key) and records what imgtool said, runs `imgtool dumpinfo -f json` and
checks that it agrees with describe.py, and checks that the hand-written `failed` set equals what
describe.py's model of fwgate's rules computes. Any disagreement stops the script.
"""

import importlib.metadata
import json
import subprocess
import sys

import describe

TRUSTED = [
    "keys/test-rsa2048.pub.pem",
    "keys/test-rsa3072.pub.pem",
    "keys/test-ecdsa-p256.pub.pem",
    "keys/test-ecdsa-p384.pub.pem",
    "keys/test-ed25519.pub.pem",
]
P256 = "keys/test-ecdsa-p256.pub.pem"
RSA2048 = "keys/test-rsa2048.pub.pem"
ED = "keys/test-ed25519.pub.pem"

NO_KEY_OK = ("imgtool verify without -k only compares the hash TLV with the image; it never "
             "looks at a signature, so it says OK for any image whose hash matches")

WALK_STOPS = ("imgtool verify without -k returns OK as soon as the first hash TLV matches, before it "
              "reaches the bad TLV; with -k it skips past the area end and reports 'No signature found'. "
              "imgtool never checks a TLV length against the area; fwgate does.")

# name: (verifyKey, verdict, failed, twinOf, why, stricterThanReference)
V = {}


def vec(name, key, failed, twin, why, stricter=None):
    V[name] = dict(key=key, failed=sorted(failed), twin=twin, why=why, stricter=stricter)


vec("rsa2048.bin", RSA2048, [], None, "RSA-2048 PSS signature over the SHA-256 image hash; valid.")
vec("rsa3072.bin", "keys/test-rsa3072.pub.pem", [], None,
    "RSA-3072 PSS signature over the SHA-256 image hash; valid.")
vec("ecdsa-p256.bin", P256, [], None, "ECDSA P-256 signature over the SHA-256 image hash; valid.")
vec("ecdsa-p384.bin", "keys/test-ecdsa-p384.pub.pem", [], None,
    "ECDSA P-384 with a SHA-384 hash TLV and SHA-384 KEYHASH (imgtool picks SHA-384 for P-384 keys); valid.")
vec("ed25519.bin", ED, [], None, "Ed25519 signature over the 32-byte SHA-256 image hash; valid.")
vec("ed25519-sha512.bin", ED, [], None,
    "Ed25519 with --sha 512: SHA512 hash TLV, 64-byte SHA-512 KEYHASH, signature over the 64-byte hash; valid.")
vec("ed25519-pure.bin", ED, [], None,
    "Ed25519 --pure: SIG_PURE TLV, the signature covers the hashed bytes themselves (not the hash); a SHA512 TLV is still written; valid.")
vec("unsigned.bin", P256, ["signature.missing"], None,
    "No --key: only a SHA256 TLV, no KEYHASH and no signature; the hash is right but nothing is signed.",
    "imgtool verify without -k says the image 'was correctly validated' (hash only); fwgate fails an unsigned image unless the policy allows unsigned MCUboot images.")
vec("ecdsa-p256-hdr0x200.bin", P256, [], None,
    "--pad-header --header-size 0x200: 512-byte header area (the 32-byte struct, then 480 bytes of 0xff, imgtool's erased-flash fill), all hashed; valid.")
vec("ecdsa-p256-seccnt7.bin", P256, [], None,
    "--security-counter 7: protected TLV area (magic 0x6908) holding SEC_CNT = 7, covered by the hash; valid.")
vec("ecdsa-p256-version.bin", P256, [], None, "--version 1.2.3+45 in the header; valid.")
vec("ecdsa-p256-pubkey-full.bin", P256, [], None,
    "--public-key-format full: a PUBKEY TLV (SubjectPublicKeyInfo DER) instead of KEYHASH; valid.")
vec("ecdsa-p256-confirmed.bin", P256, [], None,
    "--pad --confirm --slot-size 0x2000: padded with 0xff to the slot size, swap trailer with image_ok = 0x01 and the boot magic; valid.")
vec("ecdsa-p256-align8.bin", P256, [], None,
    "--pad --align 8 --slot-size 0x3000: trailer sized for 8-byte flash writes (128 sectors x 3 x 8 status bytes); valid.")
vec("ecdsa-p256-ramload.bin", P256, [], None,
    "--load-addr 0x20000000: load address set and the RAM_LOAD flag (0x20) raised; valid.")
vec("ecdsa-p256-wrong-key.bin", P256, ["key.untrusted"], "ecdsa-p256.bin",
    "Same payload and options, signed by test-ecdsa-p256-other (not trusted): its KEYHASH matches no trusted key.",
    NO_KEY_OK + "; fwgate finds no trusted key for the KEYHASH.")
vec("rsa2048-wrong-key.bin", RSA2048, ["key.untrusted"], "rsa2048.bin",
    "Signed by test-rsa2048-other (not trusted): its KEYHASH matches no trusted key.",
    NO_KEY_OK + "; fwgate finds no trusted key for the KEYHASH.")
vec("ed25519-wrong-key.bin", ED, ["key.untrusted"], "ed25519.bin",
    "Signed by test-ed25519-other (not trusted): its KEYHASH matches no trusted key.",
    NO_KEY_OK + "; fwgate finds no trusted key for the KEYHASH.")
vec("ecdsa-p256-payload-flip.bin", P256, ["integrity.digest-mismatch"], "ecdsa-p256.bin",
    "One payload bit flipped: the SHA256 TLV no longer matches; the signature over the declared hash still verifies.")
vec("ecdsa-p256-header-flip.bin", P256, ["integrity.digest-mismatch"], "ecdsa-p256.bin",
    "Bit 0 of the version's minor byte flipped (1.0.0+0 -> 1.1.0+0): the header still parses but is hashed, so the hash no longer matches.")
vec("ecdsa-p256-sig-flip.bin", P256, ["signature.invalid"], "ecdsa-p256.bin",
    "One bit inside r of the DER ECDSA signature flipped: the DER still parses, the hash is right, the signature does not verify.",
    NO_KEY_OK + ".")
vec("ecdsa-p256-keyhash-flip.bin", P256, ["key.untrusted"], "ecdsa-p256.bin",
    "One bit of the KEYHASH flipped (unprotected, not hashed): the signature is still good but the key hash names no trusted key.",
    "imgtool verify -k never reads KEYHASH: it tries the given key on the signature and says OK. MCUboot itself looks the key up by KEYHASH and would find none; so does fwgate.")
vec("ecdsa-p256-trunc-tlv.bin", P256, ["malformed.truncated"], "ecdsa-p256.bin",
    "File cut in the middle of the KEYHASH value: the unprotected TLV area's it_tlv_tot runs past the end of the file.")
vec("ecdsa-p256-trunc-payload.bin", P256, ["malformed.truncated"], "ecdsa-p256.bin",
    "File cut in the middle of the payload: the file ends before ih_hdr_size + ih_img_size.")
vec("ecdsa-p256-tlv-len-overrun.bin", P256, ["malformed.length"], "ecdsa-p256.bin",
    "KEYHASH it_len rewritten from 32 to 256: the TLV runs past the end of its TLV area (and of the file); the area length is checked first, so it is malformed.length.",
    WALK_STOPS)
vec("ecdsa-p256-confirmed-tlv-len-overrun.bin", P256, ["malformed.length"], "ecdsa-p256-confirmed.bin",
    "KEYHASH it_len rewritten from 32 to 256 in a padded image: the TLV runs past the end of its TLV area but not past the end of the file.",
    WALK_STOPS)
vec("ecdsa-p256-tlv-info-too-long.bin", P256, ["malformed.truncated"], "ecdsa-p256.bin",
    "Unprotected it_tlv_tot rewritten to 0x4000, larger than the whole file: the file ends before the declared area length.")
vec("ecdsa-p256-dup-sha256.bin", P256, ["malformed.duplicate-tlv"], "ecdsa-p256.bin",
    "A second, identical SHA256 TLV inserted after the first (unprotected it_tlv_tot grown to match); hash and signature still verify.",
    "imgtool verify (with or without -k) checks every hash TLV against the image and says OK when they are all equal; fwgate refuses an image with two hash TLVs.")
vec("ecdsa-p256-seccnt-unprotected.bin", P256, ["malformed.tlv-placement"], "ecdsa-p256.bin",
    "A SEC_CNT TLV (value 7) appended to the unprotected area of the valid image: not covered by the hash, so anyone could have set it; hash and signature still verify.",
    "imgtool verify ignores TLVs it does not use and says OK; MCUboot's allowed_unprot_tlvs[] list rejects SEC_CNT outside the protected area, and so does fwgate.")
vec("ecdsa-p256-seccnt7-seccnt-flip.bin", P256, ["integrity.digest-mismatch"], "ecdsa-p256-seccnt7.bin",
    "Bit 3 of the protected SEC_CNT value flipped (7 -> 15): the protected area is hashed, so the hash no longer matches.")
vec("ecdsa-p256-seccnt7-moved-unprotected.bin", P256,
    ["malformed.tlv-placement", "integrity.digest-mismatch"], "ecdsa-p256-seccnt7.bin",
    "The SEC_CNT TLV moved from the protected area to the end of the unprotected one and ih_protect_tlv_size set to 0: misplaced TLV, and the header (hashed) changed.")
vec("rsa2048-payload-flip.bin", RSA2048, ["integrity.digest-mismatch"], "rsa2048.bin",
    "One payload bit flipped: the SHA256 TLV no longer matches; the RSA-PSS signature over the declared hash still verifies.")
vec("rsa2048-sig-flip.bin", RSA2048, ["signature.invalid"], "rsa2048.bin",
    "One bit of the RSA-2048 PSS signature flipped.", NO_KEY_OK + ".")
vec("ed25519-payload-flip.bin", ED, ["integrity.digest-mismatch"], "ed25519.bin",
    "One payload bit flipped: the SHA256 TLV no longer matches; the Ed25519 signature over the declared hash still verifies.")
vec("ed25519-sig-flip.bin", ED, ["signature.invalid"], "ed25519.bin",
    "One bit of the Ed25519 signature flipped.", NO_KEY_OK + ".")


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    out = (p.stdout + p.stderr).strip()
    lines = [ln.rstrip() for ln in out.splitlines() if ln.strip()]
    if any(ln.startswith("Traceback") for ln in lines):
        # Keep the exception line only: the frames name this machine's install paths.
        lines = ["(Python traceback) " + lines[-1]]
    said = "\n".join(lines)
    assert "/" + "root" not in said and "site-packages" not in said, said
    return {"command": " ".join(cmd), "exit": p.returncode, "said": said}


def dumpinfo_agrees(path, d):
    p = subprocess.run(["imgtool", "dumpinfo", "-f", "json", path], capture_output=True, text=True)
    res = {"command": f"imgtool dumpinfo -f json {path}", "exit": p.returncode}
    if p.returncode != 0:
        res["agrees"] = None
        lines = [ln for ln in (p.stdout + p.stderr).strip().splitlines() if ln.strip()]
        res["said"] = lines[-1] if lines else ""
        return res
    j = json.loads(p.stdout[p.stdout.index("{"):])
    h = j["header"]
    mine = describe.public_description(d)
    ok = (h["magic"] == int(mine["magic"], 16) and h["load_addr"] == mine["loadAddress"]
          and h["hdr_size"] == mine["headerSize"]
          and h["protected_tlv_size"] == mine["protectedTlvSize"]
          and h["img_size"] == mine["imageSize"] and h["flags"] == mine["flags"]
          and h["version"] == mine["version"])
    theirs = [(t["type"], t["len"], "protected") for t in j["tlv_area"]["tlvs_prot"]] + \
             [(t["type"], t["len"], "unprotected") for t in j["tlv_area"]["tlvs"]]
    ours = [(int(t["type"], 16), t["length"], t["area"]) for t in mine["tlvs"]]
    ok = ok and theirs == ours
    if not ok:
        sys.exit(f"dumpinfo disagrees with describe.py for {path}:\n{json.dumps(j, default=str)[:2000]}")
    res["agrees"] = True
    return res


def main():
    log = {}
    with open(sys.argv[1]) as f:
        for line in f:
            out, cmd, said = line.rstrip("\n").split("\t")
            log[out] = {"made": cmd, "said": said.strip()}
    missing = set(V) ^ set(log)
    if missing:
        sys.exit(f"vector table and generate.sh disagree about: {sorted(missing)}")

    vectors = []
    problems = []
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
        entry = {
            "file": name,
            "made": log[name]["made"],
            "trust": TRUSTED,
            "verdict": "fail" if spec["failed"] else "pass",
            "failed": spec["failed"],
            "warnings": [],
            "description": desc,
            "reference": run(["imgtool", "verify", "-k", spec["key"], name]),
            "referenceWithoutKey": run(["imgtool", "verify", name]),
            "dumpinfo": dumpinfo_agrees(name, d) if m is None else None,
            "stricterThanReference": None,
            "twinOf": spec["twin"],
            "why": spec["why"],
        }
        if log[name]["said"].startswith("{"):
            entry["tamper"] = json.loads(log[name]["said"])
        ref_ok = entry["reference"]["exit"] == 0 or entry["referenceWithoutKey"]["exit"] == 0
        if spec["failed"] and ref_ok:
            if not spec["stricter"]:
                problems.append(f"{name}: imgtool says OK somewhere but no stricterThanReference note: "
                                f"{entry['reference']} {entry['referenceWithoutKey']}")
            entry["stricterThanReference"] = spec["stricter"]
        elif spec["stricter"]:
            problems.append(f"{name}: stricterThanReference given but imgtool rejected the file both ways")
        if not spec["failed"] and entry["reference"]["exit"] != 0:
            problems.append(f"{name}: valid vector but imgtool verify -k failed: {entry['reference']}")
        vectors.append(entry)
    if problems:
        sys.exit("\n".join(problems))

    doc = {
        "about": ("MCUboot images made by imgtool (the MCUboot project's signing tool) with "
                  "freshly generated TEST keys (keys/, private halves committed on purpose: never "
                  "trust them), plus tampered twins made by tamper.py. generate.sh remakes every "
                  "file; ECDSA and RSA-PSS signatures are randomised, so a rerun changes the bytes "
                  "but not the expectations. 'failed' is the exact set of check codes fwgate must "
                  "report as failed when given the keys in 'trust'. Layout: "
                  "boot/bootutil/include/bootutil/image.h. 'description' is what fwgate inspect "
                  "must show (offsets are file offsets; tlv 'offset' is that of the 4-byte TLV "
                  "header). 'reference' is imgtool verify -k with the trusted key of the image's "
                  "algorithm; 'referenceWithoutKey' is imgtool verify with no key."),
        "tool": {"name": "imgtool", "version": importlib.metadata.version("imgtool")},
        "toolDependencies": {p: importlib.metadata.version(p) for p in ("cryptography", "click")},
        "payload": {"file": "payload.bin", "bytes": 4096,
                    "made": "python3 random.Random(1), getrandbits(8) per byte"},
        "trust": {"default": TRUSTED,
                  "neverTrusted": [p.replace(".pub.pem", "-other.pub.pem") for p in TRUSTED]},
        "vectors": vectors,
    }
    with open("expected.json", "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
