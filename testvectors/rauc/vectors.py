#!/usr/bin/env python3
"""Makes the tampered twins of the RAUC vectors and the bundles `rauc bundle` cannot make (it
recomputes every image's sha256 and size, and refuses a missing image), and writes
expected.json, with `rauc info`'s verdict (keyring: the EXAMPLE root; check-purpose=codesign; the
vector's time is not settable in rauc, so expiry vectors are marked) as the reference.

Usage: vectors.py [NAME...]  makes only the named vectors (default: all); expected.json is
always written, with every vector's reference verdict."""
import hashlib, json, os, struct, subprocess, sys, tempfile

ONLY = set(sys.argv[1:])


def want(name):
    return not ONLY or name.removesuffix(".raucb") in ONLY

AT = "2026-06-01T00:00:00Z"
ROOT = "../../keys-example/pki-rsa/root.pem"


def cms_start(data):
    return len(data) - 8 - struct.unpack(">Q", data[-8:])[0]


def mutate(src, dst, change):
    if not want(dst):
        return
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
if want("attached-plain"):
  with tempfile.TemporaryDirectory() as work:
    plain = open("plain.raucb", "rb").read()
    open(f"{work}/manifest", "wb").write(b"[update]\ncompatible=acme-pump-v2\nversion=2.4.1\n\n[image.rootfs]\nfilename=rootfs.ext4\n")
    subprocess.run(["openssl", "cms", "-sign", "-nodetach", "-binary", "-nosmimecap", "-outform", "DER", "-in", f"{work}/manifest",
                    "-signer", "keys/signer.pem", "-inkey", "keys/signer.key.pem", "-certfile", "../../keys-example/pki-rsa/intermediate.pem",
                    "-out", f"{work}/cms"], check=True)
    cms = open(f"{work}/cms", "rb").read()
    open("attached-plain.raucb", "wb").write(plain[:cms_start(plain)] + cms + struct.pack(">Q", len(cms)))
if want("truncated"):
    full = open("verity.raucb", "rb").read()
    open("truncated.raucb", "wb").write(full[:-100])


# Bundles made as rauc bundle makes them (mksquashfs, then openssl cms as RAUC signs: detached
# for plain, attached for verity; binary; no S/MIME capabilities; the intermediate embedded),
# but with a manifest rauc bundle would have corrected or refused.
def stream(size, iv):
    return subprocess.run(["openssl", "enc", "-aes-128-ctr", "-nosalt", "-K", "000102030405060708090a0b0c0d0e0f", "-iv", iv],
                          input=bytes(size), capture_output=True, check=True).stdout


def sign(work, content, attached=False):
    open(f"{work}/content", "wb").write(content)
    subprocess.run(["openssl", "cms", "-sign", "-binary", "-nosmimecap", "-outform", "DER", "-in", f"{work}/content",
                    "-signer", "keys/signer.pem", "-inkey", "keys/signer.key.pem", "-certfile", "../../keys-example/pki-rsa/intermediate.pem",
                    "-out", f"{work}/cms"] + (["-nodetach"] if attached else []), check=True)
    return open(f"{work}/cms", "rb").read()


def squashfs(work, files):
    os.makedirs(f"{work}/dir")
    for name, data in files.items():
        open(f"{work}/dir/{name}", "wb").write(data)
    subprocess.run(["mksquashfs", f"{work}/dir", f"{work}/payload.sqfs", "-noappend", "-quiet", "-no-progress", "-no-xattrs", "-all-root"], check=True)
    return open(f"{work}/payload.sqfs", "rb").read()  # mksquashfs pads to 4 KiB, as RAUC needs


def image_section(slot, name, data, sha256=None, size=None):
    return (f"[image.{slot}]\nsha256={sha256 or hashlib.sha256(data).hexdigest()}\nsize={len(data) if size is None else size}\n"
            f"filename={name}\n")


def hand_made_plain(name, manifest_images, files):
    if not want(name):
        return
    manifest = "[update]\ncompatible=acme-pump-v2\nversion=2.5.0\n\n" + "\n".join(manifest_images)
    with tempfile.TemporaryDirectory() as work:
        payload = squashfs(work, dict(files, **{"manifest.raucm": manifest.encode()}))
        cms = sign(work, payload)
        open(name, "wb").write(payload + cms + struct.pack(">Q", len(cms)))


def verity_tree(payload, salt):
    """dm-verity format 1 as RAUC builds it (4 KiB blocks, SHA-256 of salt || block, levels
    stored top first); returns (root hash, tree)."""
    levels, blocks = [], [payload[i:i + 4096] for i in range(0, len(payload), 4096)]
    while True:
        digests = b"".join(hashlib.sha256(salt + block).digest() for block in blocks)
        level = [digests[i:i + 4096].ljust(4096, b"\0") for i in range(0, len(digests), 4096)]
        levels.append(level)
        if len(level) == 1:
            break
        blocks = level
    return hashlib.sha256(salt + levels[-1][0]).hexdigest(), b"".join(b"".join(level) for level in reversed(levels))


rootfs = stream(6000, "00000000000000000000000000000003")
appfs = b"acme pump application partition\n" * 200
# rootfs.ext4's sha256 is that of other bytes (its first byte flipped); its size is right.
flipped = bytes([rootfs[0] ^ 1]) + rootfs[1:]
hand_made_plain("plain-wrong-sha256.raucb", [image_section("rootfs", "rootfs.ext4", rootfs, sha256=hashlib.sha256(flipped).hexdigest()),
                                             image_section("appfs", "appfs.img", appfs)], {"rootfs.ext4": rootfs, "appfs.img": appfs})
hand_made_plain("plain-wrong-size.raucb", [image_section("rootfs", "rootfs.ext4", rootfs, size=len(rootfs) + 1),
                                           image_section("appfs", "appfs.img", appfs)], {"rootfs.ext4": rootfs, "appfs.img": appfs})
hand_made_plain("plain-missing-image.raucb", [image_section("rootfs", "rootfs.ext4", rootfs), image_section("appfs", "appfs.img", appfs)],
                {"rootfs.ext4": rootfs})
if want("verity-wrong-sha256"):
    with tempfile.TemporaryDirectory() as work:
        payload = squashfs(work, {"rootfs.ext4": rootfs})
        salt = hashlib.sha256(b"fwgate verity-wrong-sha256 salt").digest()
        root, tree = verity_tree(payload, salt)
        manifest = ("[update]\ncompatible=acme-pump-v2\nversion=2.5.0\n\n[bundle]\nformat=verity\n"
                    f"verity-hash={root}\nverity-salt={salt.hex()}\nverity-size={len(tree)}\n\n"
                    + image_section("rootfs", "rootfs.ext4", rootfs, sha256=hashlib.sha256(flipped).hexdigest()))
        cms = sign(work, manifest.encode(), attached=True)
        open("verity-wrong-sha256.raucb", "wb").write(payload + tree + cms + struct.pack(">Q", len(cms)))


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
    ("plain-two-images.raucb", [ROOT], "pass", [], "plain bundle with two images (random and text, both in a fragment); fwgate reads manifest.raucm from the squashfs and checks each image's size and sha256"),
    ("plain-blocks.raucb", [ROOT], "pass", [], "plain bundle made with mksquashfs -b 4096 -no-fragments: the random image in stored blocks, the text image in compressed ones"),
    ("plain-wrong-sha256.raucb", [ROOT], "fail", ["manifest.entry-mismatch"], "hand-made plain bundle, signed: the manifest's sha256 for rootfs.ext4 is that of other bytes (rauc bundle would have recomputed it)"),
    ("plain-wrong-size.raucb", [ROOT], "fail", ["manifest.entry-mismatch"], "hand-made plain bundle, signed: the manifest's size for rootfs.ext4 is one byte too many"),
    ("plain-missing-image.raucb", [ROOT], "fail", ["manifest.missing-entry"], "hand-made plain bundle, signed: the manifest lists appfs.img, which the squashfs does not hold (rauc bundle would have refused)"),
    ("verity-wrong-sha256.raucb", [ROOT], "fail", ["manifest.entry-mismatch"], "hand-made verity bundle (tree computed as dm-verity format 1), signed: the manifest's sha256 for rootfs.ext4 is that of other bytes"),
    ("plain-xz.raucb", [ROOT], "fail", ["integrity.unverifiable"], "plain bundle whose squashfs is xz-compressed (rauc bundle --mksquashfs-args=-comp xz): the signature over the payload passes, but fwgate reads only gzip squashfs, so the manifest and the image cannot be checked"),
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
json.dump({"about": "RAUC bundles (plain and verity) made by Debian's rauc with a TEST signer under keys-example's EXAMPLE intermediate, and tampered twins and hand-made bundles (mksquashfs and openssl cms, as rauc signs) made by vectors.py; generate.sh remakes them. Each vector is verified as fwgate verify FILE --trust ...; 'failed' is the exact set of failed check codes; 'reference' is rauc info with the trust as keyring and check-purpose=codesign.",
           "tool": {"name": "rauc", "version": version}, "vectors": vectors}, open("expected.json", "w"), indent=2)
open("expected.json", "a").write("\n")
