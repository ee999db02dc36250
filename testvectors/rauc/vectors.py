#!/usr/bin/env python3
"""Makes the tampered twins of the RAUC vectors and writes expected.json, with `rauc info`'s
verdict (keyring: the EXAMPLE root; check-purpose=codesign; the vector's time is not settable in
rauc, so expiry vectors are marked) as the reference."""
import json, os, struct, subprocess, tempfile

AT = "2026-06-01T00:00:00Z"
ROOT = "../../keys-example/pki-rsa/root.pem"


def cms_start(data):
    return len(data) - 8 - struct.unpack(">Q", data[-8:])[0]


def mutate(src, dst, change):
    data = bytearray(open(src, "rb").read())
    change(data)
    open(dst, "wb").write(data)


def flip(at):
    def change(data):
        data[at(data)] ^= 0x01
    return change


def tree_start(data):
    # verity-size is in the manifest inside the CMS (plain text).
    text = bytes(data[cms_start(data):])
    size = int(text[text.index(b"verity-size=") + 12:].split(b"\n")[0])
    return cms_start(data) - size


mutate("plain.raucb", "plain-payload-flip.raucb", flip(lambda d: 50000))
mutate("verity.raucb", "verity-payload-flip.raucb", flip(lambda d: 50000))
mutate("verity.raucb", "verity-tree-flip.raucb", flip(lambda d: tree_start(d) + 40))
mutate("verity.raucb", "manifest-edited.raucb", lambda d: d.__setitem__(slice(d.index(b"version=2.4.1"), d.index(b"version=2.4.1") + 13), b"version=9.4.1"))
mutate("plain.raucb", "sig-flip.raucb", flip(lambda d: len(d) - 8 - 20))
mutate("verity.raucb", "trailer-edited.raucb", lambda d: d.__setitem__(slice(len(d) - 8, len(d)), struct.pack(">Q", struct.unpack(">Q", bytes(d[-8:]))[0] - 16)))
# A plain payload with an attached CMS over a manifest that has no verity parameters: the
# signature is valid, but it covers the manifest only, not the squashfs.
with tempfile.TemporaryDirectory() as work:
    plain = open("plain.raucb", "rb").read()
    open(f"{work}/manifest", "wb").write(b"[update]\ncompatible=acme-pump-v2\nversion=2.4.1\n\n[image.rootfs]\nfilename=rootfs.ext4\n")
    subprocess.run(["openssl", "cms", "-sign", "-nodetach", "-binary", "-nosmimecap", "-outform", "DER", "-in", f"{work}/manifest",
                    "-signer", "keys/signer.pem", "-inkey", "keys/signer.key.pem", "-certfile", "../../keys-example/pki-rsa/intermediate.pem",
                    "-out", f"{work}/cms"], check=True)
    cms = open(f"{work}/cms", "rb").read()
    open("attached-plain.raucb", "wb").write(plain[:cms_start(plain)] + cms + struct.pack(">Q", len(cms)))
full = open("verity.raucb", "rb").read()
open("truncated.raucb", "wb").write(full[:-100])


def reference(path, trust):
    with tempfile.TemporaryDirectory() as work:
        open(f"{work}/ca.pem", "wb").write(b"".join(open(t, "rb").read() for t in trust))
        open(f"{work}/system.conf", "w").write(f"[system]\ncompatible=acme-pump-v2\nbootloader=noop\n\n[keyring]\npath={work}/ca.pem\ncheck-purpose=codesign\n")
        result = subprocess.run(["rauc", f"--conf={work}/system.conf", "info", path], capture_output=True, text=True)
        error = next((l for l in (result.stderr + result.stdout).splitlines() if "fail" in l.lower() or "error" in l.lower()), None)
        return result.returncode == 0, error


V = [
    ("plain.raucb", [ROOT], "pass", [], "plain bundle: squashfs, then a detached CMS over it (intermediate embedded), then its size"),
    ("verity.raucb", [ROOT], "pass", [], "verity bundle: squashfs, its dm-verity tree (one level), the CMS carrying the manifest with verity-hash/salt/size"),
    ("verity-multilevel.raucb", [ROOT], "pass", [], "verity bundle whose tree has two levels (1.2 MB payload)"),
    ("plain-payload-flip.raucb", [ROOT], "fail", ["signature.invalid"], "one bit of a plain bundle's squashfs flipped"),
    ("verity-payload-flip.raucb", [ROOT], "fail", ["integrity.digest-mismatch"], "one bit of a verity bundle's squashfs flipped: the recomputed root hash differs from the signed one (rauc info checks only the manifest's signature)"),
    ("verity-tree-flip.raucb", [ROOT], "fail", ["integrity.digest-mismatch"], "one bit of the stored hash tree flipped: a device would refuse to read the bundle (rauc info does not look)"),
    ("manifest-edited.raucb", [ROOT], "fail", ["signature.invalid"], "the signed manifest's version edited inside the CMS"),
    ("sig-flip.raucb", [ROOT], "fail", ["signature.invalid"], "one bit of the plain bundle's RSA signature flipped"),
    ("verity.raucb", ["../../keys-example/pki-ecdsa/root.pem"], "fail", ["cert.untrusted-chain"], "wrong trust: the ECDSA EXAMPLE root"),
    ("serverauth-signer.raucb", [ROOT], "fail", ["cert.purpose"], "signed by a TEST leaf for TLS servers only (no codeSigning)"),
    ("expired-signer.raucb", [ROOT], "fail", ["cert.expired"], "signed by a TEST leaf that expired on 2026-01-01"),
    ("verity.raucb", [ROOT], "fail", ["cert.expired"], "the valid bundle verified in 2037, after its signer's notAfter (2036-01-01)", {"at": "2037-01-01T00:00:00Z"}),
    ("trailer-edited.raucb", [ROOT], "fail", ["malformed.encoding"], "the CMS size in the trailer 16 bytes short: the CMS no longer decodes"),
    ("attached-plain.raucb", [ROOT], "fail", ["integrity.unverifiable"], "a valid attached signature over a manifest without verity parameters, after a plain squashfs: it covers the manifest, not the payload"),
    ("truncated.raucb", [ROOT], "fail", ["malformed.length"], "the last 100 bytes cut off: the trailer is CMS bytes and gives an impossible size"),
]
vectors = []
for entry in V:
    file, trust, verdict, failed, why = entry[:5]
    extra = entry[5] if len(entry) > 5 else {}
    accepts, error = reference(file, trust)
    if "at" in extra or "expired" in file:
        why += " (rauc info checks at the machine's clock, not at the vector's time)"
    elif accepts and verdict == "fail":
        why += " (rauc info accepts it: fwgate is stricter)"
    v = {"file": file, "trust": trust, "verdict": verdict, "failed": failed, "warnings": [], "why": why, "description": None,
         "reference": {"tool": "rauc info (keyring: the trust, check-purpose=codesign)", "accepts": accepts, "error": error}}
    v.update(extra)
    vectors.append(v)
version = subprocess.run(["rauc", "--version"], capture_output=True, text=True).stdout.strip()
json.dump({"about": "RAUC bundles (plain and verity) made by Debian's rauc with a TEST signer under keys-example's EXAMPLE intermediate, and tampered twins made by vectors.py; generate.sh remakes them. Each vector is verified as fwgate verify FILE --trust ...; 'failed' is the exact set of failed check codes; 'reference' is rauc info with the trust as keyring and check-purpose=codesign.",
           "tool": {"name": "rauc", "version": version}, "vectors": vectors}, open("expected.json", "w"), indent=2)
open("expected.json", "a").write("\n")
