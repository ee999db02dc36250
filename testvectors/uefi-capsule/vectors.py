#!/usr/bin/env python3
"""Makes the tampered twins of the UEFI capsule vectors and writes expected.json, with the verdict
of `openssl cms -verify -binary -purpose any` over each signed item's payload followed by its
8-byte monotonic count (what EDK II and U-Boot verify) as the reference."""
import json, struct, subprocess, tempfile

AT = "2026-06-01T00:00:00Z"
SIGNER = "keys/signer.pem"
EXAMPLE = ["../../keys-example/pki-rsa/root.pem", "../../keys-example/pki-rsa/chain.pem"]


def layout(data):
    """Offsets of one-item capsules as mkeficapsule writes them."""
    header_size = struct.unpack_from("<I", data, 16)[0]
    item = header_size + struct.unpack_from("<Q", data, header_size + 8)[0]
    image = item + 48
    image_size = struct.unpack_from("<I", data, item + 24)[0]
    dw = struct.unpack_from("<I", data, image + 8)[0]
    return {"header_size": header_size, "item": item, "image": image, "image_size": image_size, "dwLength": dw,
            "cert_type": image + 16, "cert_data": image + 32, "payload": image + 8 + dw, "end": image + image_size}


def mutate(src, dst, change):
    data = bytearray(open(src, "rb").read())
    change(data, layout(data))
    open(dst, "wb").write(data)


def flip(offset):
    def change(data, at):
        data[offset(at)] ^= 0x01
    return change


mutate("signed.capsule", "payload-flip.capsule", flip(lambda at: at["payload"] + 1000))
mutate("signed.capsule", "count-edited.capsule", flip(lambda at: at["image"]))
mutate("signed.capsule", "sig-flip.capsule", flip(lambda at: at["payload"] - 10))
mutate("signed.capsule", "certtype-edited.capsule", flip(lambda at: at["cert_type"]))
mutate("signed.capsule", "guid-edited.capsule", flip(lambda at: 0))
def set_u32(where, value):
    def change(data, at):
        struct.pack_into("<I", data, where(at), value(at))
    return change
mutate("signed.capsule", "image-size-past-end.capsule", set_u32(lambda at: at["item"] + 24, lambda at: at["image_size"] + 4096))
mutate("signed.capsule", "header-size-past-end.capsule", set_u32(lambda at: 16, lambda at: 0x7fff0000))
mutate("signed.capsule", "dwlength-past-image.capsule", set_u32(lambda at: at["image"] + 8, lambda at: at["image_size"]))
def offset_outside(data, at):
    struct.pack_into("<Q", data, at["header_size"] + 8, 1 << 40)
mutate("signed.capsule", "item-offset-outside.capsule", offset_outside)
def vendor_code(data, at):
    # 64 bytes of vendor code after the image: UpdateVendorCodeSize and CapsuleImageSize grow.
    struct.pack_into("<I", data, at["item"] + 28, 64)
    struct.pack_into("<I", data, 24, len(data) + 64)
    data.extend(b"\xcc" * 64)
mutate("signed.capsule", "vendor-code.capsule", vendor_code)
full = open("signed.capsule", "rb").read()
open("truncated.capsule", "wb").write(full[:len(full) - 4096])
open("trailing-bytes.capsule", "wb").write(full + b"\x90" * 512)


def reference(path, trust, at):
    data = open(path, "rb").read()
    try:
        l = layout(data)
        if struct.unpack_from("<H", data, l["image"] + 14)[0] != 0x0ef1:
            return False
        sig = data[l["cert_data"]:l["image"] + 8 + l["dwLength"]]
        content = data[l["payload"]:l["end"]] + data[l["image"]:l["image"] + 8]
    except struct.error:
        return False
    with tempfile.TemporaryDirectory() as work:
        open(f"{work}/sig.p7", "wb").write(sig)
        open(f"{work}/content", "wb").write(content)
        with open(f"{work}/ca.pem", "wb") as bundle:
            for t in trust:
                # The signature list and the DTB hold the signer's certificate (keys/signer.pem).
                bundle.write(open(SIGNER if t.endswith((".esl", ".dtb")) else t, "rb").read())
        epoch = subprocess.run(["date", "-u", "-d", at, "+%s"], capture_output=True, text=True).stdout.strip()
        result = subprocess.run(["openssl", "cms", "-verify", "-binary", "-purpose", "any", "-inform", "DER", "-in", f"{work}/sig.p7",
                                 "-content", f"{work}/content", "-CAfile", f"{work}/ca.pem", "-attime", epoch, "-out", "/dev/null"],
                                capture_output=True)
        return result.returncode == 0


# file, trust, verdict, failed, why, [extra fields]
V = [
    ("signed.capsule", [SIGNER], "pass", [], "mkeficapsule -m 7 -p KEY -c CERT: one FMP payload item (image header v3), PKCS#7 in WIN_CERTIFICATE_UEFI_GUID over payload + monotonic count, self-signed TEST signer trusted"),
    ("signed-instance.capsule", [SIGNER], "pass", [], "the same with UpdateHardwareInstance 2 and monotonic count 8"),
    ("signed.capsule", ["keys/signer.esl"], "pass", [], "the signer trusted through an EFI signature list (cert-to-efi-sig-list)"),
    ("signed.capsule", ["keys/capsule-key.dtb"], "pass", [], "the signer trusted through U-Boot's control DTB (/signature/capsule-key holding the signature list)"),
    ("fw-versioned.capsule", [SIGNER], "pass", [], "a payload led by EDK II's FMP_PAYLOAD_HEADER (FwVersion 0x00020401, LowestSupportedVersion 0x00020000), monotonic count 9"),
    ("unsigned.capsule", [SIGNER], "fail", ["signature.missing"], "mkeficapsule without -p/-c: no EFI_FIRMWARE_IMAGE_AUTHENTICATION"),
    ("payload-flip.capsule", [SIGNER], "fail", ["signature.invalid"], "one bit of the firmware payload flipped"),
    ("count-edited.capsule", [SIGNER], "fail", ["signature.invalid"], "the monotonic count changed (7 → 6): it is signed with the payload, so a replayed older capsule cannot claim a newer count"),
    ("sig-flip.capsule", [SIGNER], "fail", ["signature.invalid"], "one bit of the RSA signature value flipped"),
    ("signed.capsule", ["keys/other.pem"], "fail", ["cert.untrusted-chain"], "wrong trust: another self-signed TEST certificate"),
    ("serverauth-signer.capsule", EXAMPLE, "fail", ["cert.purpose"], "signed by a TEST leaf whose extendedKeyUsage is serverAuth only (EDK II and U-Boot check no purpose; fwgate refuses a signer issued for another purpose, and accepts one with no extendedKeyUsage)"),
    ("expired-signer.capsule", EXAMPLE, "fail", ["cert.expired"], "signed by a TEST leaf that expired on 2026-01-01"),
    ("signed.capsule", [SIGNER], "fail", ["cert.expired"], "the valid capsule verified in 2046, after its signer's notAfter (2045-01-01)", {"at": "2046-01-01T00:00:00Z"}),
    ("certtype-edited.capsule", [SIGNER], "fail", ["signature.unsupported-algorithm"], "CertType is no longer EFI_CERT_TYPE_PKCS7_GUID"),
    ("guid-edited.capsule", [SIGNER], "fail", ["malformed.bad-magic"], "the capsule GUID is not the FMP capsule GUID (verified with --format uefi-capsule)", {"format": "uefi-capsule"}),
    ("image-size-past-end.capsule", [SIGNER], "fail", ["malformed.length"], "UpdateImageSize claims 4096 bytes more than the capsule holds"),
    ("header-size-past-end.capsule", [SIGNER], "fail", ["malformed.length"], "HeaderSize is larger than CapsuleImageSize"),
    ("dwlength-past-image.capsule", [SIGNER], "fail", ["malformed.length"], "WIN_CERTIFICATE dwLength runs past the image"),
    ("item-offset-outside.capsule", [SIGNER], "fail", ["malformed.length"], "ItemOffsetList[0] points 1 TiB past the capsule"),
    ("vendor-code.capsule", [SIGNER], "fail", ["integrity.unverifiable"], "64 bytes of vendor code added after the image (UpdateVendorCodeSize): firmware would hand them to the FMP driver, and the image authentication does not cover them (the signature itself still verifies)"),
    ("truncated.capsule", [SIGNER], "fail", ["malformed.truncated"], "the last 4096 bytes cut off: CapsuleImageSize is larger than the file"),
    ("trailing-bytes.capsule", [SIGNER], "fail", ["integrity.unsigned-trailing-data"], "512 bytes appended after CapsuleImageSize: nothing covers them (openssl, checking only the signature, accepts)"),
]

vectors = []
for entry in V:
    file, trust, verdict, failed, why = entry[:5]
    extra = entry[5] if len(entry) > 5 else {}
    accepts = reference(file, trust, extra.get("at", AT))
    if accepts and verdict == "fail" and "openssl" not in why:
        why += " (openssl cms -verify of the signature alone accepts it: fwgate is stricter)"
    vector = {"file": file, "trust": trust, "verdict": verdict, "failed": failed, "warnings": [], "why": why, "description": None,
              "reference": {"tool": "openssl cms -verify -binary -purpose any over payload + monotonic count", "accepts": accepts}}
    vector.update(extra)
    vectors.append(vector)

doc = {
    "about": "UEFI FMP capsules made by U-Boot's mkeficapsule (Debian u-boot-tools) over a fixed 48 KiB firmware, signed with the TEST keys in keys/ (and testvectors/cms/keys for the chain rules), and tampered twins made by vectors.py; generate.sh remakes them. Each vector is verified as fwgate verify FILE --trust ...; 'failed' is the exact set of failed check codes; 'reference' is openssl cms -verify of each item's PKCS#7 over its payload followed by the monotonic count, as EDK II and U-Boot verify it.",
    "tool": {"name": "mkeficapsule", "version": "Debian u-boot-tools " + subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "u-boot-tools"], capture_output=True, text=True).stdout},
    "vectors": vectors,
}
with open("expected.json", "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
