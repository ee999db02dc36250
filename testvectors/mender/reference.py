#!/usr/bin/env python3
"""Writes expected.json for the Mender artifact vectors: fwgate's expected verdict and failed check
codes for each (fwgate verify FILE --trust KEY.pem), and the reference verdict of
`mender-artifact validate -k KEY.pem FILE` (where mender-artifact accepts what fwgate must fail,
'why' says so)."""
import json, subprocess

K = "keys/"
RSA, RSA2, EC = K + "rsa3072.pub.pem", K + "rsa3072-other.pub.pem", K + "ecdsa-p256.pub.pem"

# file, trust, verdict, failed, why, [extra fields]
V = [
    ("rsa-signed.mender", [RSA], "pass", [], "rootfs-image, one 64 KiB payload file, gzip, signed with the TEST RSA-3072 key (manifest.sig: base64 of RSASSA-PKCS1-v1_5 SHA-256, 384 bytes)"),
    ("ecdsa-signed.mender", [EC], "pass", [], "the same payload signed with the TEST ECDSA P-256 key (manifest.sig: base64 of the raw 64-byte r||s, not DER)"),
    ("module-image.mender", [EC], "pass", [], "module-image of type single-file with a non-empty headers/0000/meta-data (JSON object), ECDSA P-256"),
    ("two-files.mender", [RSA], "pass", [], "module-image of type directory, one payload (data/0000) holding two files (config.bin 64 KiB, app.bin 300 KiB), RSA"),
    ("lzma.mender", [RSA], "fail", ["integrity.unverifiable"], "--compression lzma: header.tar.xz and data/0000.tar.xz (xz container, liblzma level 9); manifest lists header.tar.xz. fwgate links no xz decompressor, so it verifies the signature and the header's checksum but says plainly that the payload inside data/0000.tar.xz is not verified (a failure, never a pass); mender-artifact, which reads xz, accepts it", {"needs": "lzma"}),
    ("uncompressed.mender", [RSA], "pass", [], "--compression none: header.tar and data/0000.tar, not compressed; manifest lists header.tar"),
    ("unsigned.mender", [RSA], "fail", ["signature.missing"], "no manifest.sig at all, verified with a key given"),
    ("sig-stripped.mender", [RSA], "fail", ["signature.missing"], "manifest.sig removed from rsa-signed.mender, every other member byte-identical"),
    ("rsa-signed.mender", [EC], "fail", ["key.untrusted"], "signed with RSA, trusted key is ECDSA P-256: a key of that type cannot have made a 384-byte RSA signature"),
    ("rsa-signed.mender", [RSA2], "fail", ["signature.invalid"], "signed with RSA, trusted key is another RSA-3072 key: same type, the signature does not verify"),
    ("sig-flip.mender", [RSA], "fail", ["signature.invalid"], "one bit of the decoded RSA signature flipped (byte 192 of 384), re-encoded in base64"),
    ("manifest-edited.mender", [RSA], "fail", ["signature.invalid"], "first hex digit of the manifest's first line (data/0000/rootfs.ext4 checksum) changed after signing, manifest.sig kept; the manifest is not trusted, so its entries are not checked against the contents"),
    ("payload-tampered.mender", [RSA], "fail", ["manifest.entry-mismatch"], "one bit of rootfs.ext4 (offset 40000) flipped inside data/0000.tar.gz (re-gzipped); manifest and signature kept"),
    ("header-tampered.mender", [RSA], "fail", ["manifest.entry-mismatch"], "header-info's device_type acme-pump-v2 changed to acme-pump-v9 inside header.tar.gz (re-gzipped): header.tar.gz no longer matches its manifest line"),
    ("extra-member.mender", [RSA], "fail", ["manifest.unlisted-entry"], "an extra outer member 'evil' (5 bytes) after data/0000.tar.gz, not in the manifest"),
    ("extra-data.mender", [RSA], "fail", ["manifest.unlisted-entry"], "an extra outer member data/0001.tar.gz (a copy of data/0000.tar.gz) that no manifest line (data/0001/...) lists and no header payload describes"),
    ("missing-file.mender", [RSA], "fail", ["manifest.missing-entry"], "two-files.mender with app.bin removed from data/0000.tar.gz (re-gzipped): the manifest still lists data/0000/app.bin"),
    ("truncated.mender", [RSA], "fail", ["malformed.truncated"], "rsa-signed.mender cut in the middle of data/0000.tar.gz's data"),
    ("path-traversal.mender", [RSA], "fail", ["malformed.unsafe-path"], "the payload file inside data/0000.tar.gz renamed ../../etc/passwd; manifest line rewritten to 'data/0000/../../etc/passwd' with the same checksum and re-signed with the same RSA key, so only the name is wrong"),
    ("duplicate-header.mender", [RSA], "fail", ["malformed.duplicate-entry"], "header.tar.gz twice in the outer tar (byte-identical copies, one after the other)"),
    ("gzip-bomb.mender", [RSA], "fail", ["malformed.length"], "written and signed by mender-artifact itself: data/0000.tar.gz of ~2.2 MiB inflates to a 1.5 GiB tar (one 1,610,612,736-byte file of zeros), a ratio of ~700:1, beyond fwgate's 64x / 1 GiB caps"),
]


def reference(file, trust):
    p = subprocess.run(["mender-artifact", "validate", "-k", trust[0], file], capture_output=True, text=True)
    lines = [l.strip() for l in (p.stderr + "\n" + p.stdout).splitlines() if l.strip()]
    return p.returncode == 0, None if p.returncode == 0 else (lines[0] if lines else f"exit status {p.returncode}")


vectors = []
for entry in V:
    file, trust, verdict, failed, why = entry[:5]
    extra = entry[5] if len(entry) > 5 else {}
    accepts, error = reference(file, trust)
    if accepts and verdict == "fail":
        why += " (mender-artifact validate accepts it: fwgate is stricter here)"
    if not accepts and verdict == "pass":
        why += " (mender-artifact validate rejects it)"
    vector = {"file": file, "trust": trust, "verdict": verdict, "failed": failed, "warnings": [], "why": why,
              "description": None,
              "reference": {"tool": "mender-artifact validate -k", "accepts": accepts, "error": error}}
    vector.update(extra)
    vectors.append(vector)

version = subprocess.run(["mender-artifact", "--version"], capture_output=True, text=True).stdout.strip()
doc = {
    "about": "Mender artifacts (format version 3) written by Debian's mender-artifact and signed with the TEST keys in keys/, and tampered twins made by mutate.py; generate.sh remakes them, README.md describes the format. Each vector is verified as fwgate verify FILE --trust KEY.pem; 'failed' is the exact set of failed check codes; 'reference' is mender-artifact validate -k KEY.pem FILE (accepts, and the first line of its error). 'needs' names a decompressor a verifier must have to verify the payload (lzma; fwgate has none, so that vector fails with integrity.unverifiable).",
    "tool": {"name": "mender-artifact", "version": version.replace("mender-artifact version ", "")},
    "vectors": vectors,
}
with open("expected.json", "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
