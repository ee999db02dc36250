#!/usr/bin/env python3
"""Rebuilds draft-ietf-suit-manifest's Example 0 ("Secure Boot", Appendix B.1 of -19 and later,
with ES256) from its CBOR diagnostic notation, and the draft's example public key (the P-256
trust anchor every example is signed with). The rebuilt envelope must hash to the digest the
draft prints, and its signature (the draft's own bytes) must then verify: an interoperability
check against the IETF's example, not a file made here."""
import hashlib, sys
import cbor2
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import serialization

DIGEST = bytes.fromhex("6658ea560262696dd1f13b782239a064da7c6c5cbaf52fded428a6fc83c7e5af")
SIGNATURE = bytes.fromhex("68113f1e76731330fea16136cead2be4fa8d4bb3e327e3f9232eb4f13b5d118f"
                          "2ea6e31d9a09a240f6f5770776916e15a4ebca1b6262cf6e40a44353bd8161d9")
# The examples' trust anchor (uncompressed P-256 point).
POINT = bytes.fromhex("0484" "96811aae0baaabd26157189eecda26beaa8bf11b6f3fe6e2b5659c85dbc0ad3b"
                      "1f2a4b6c098131c0a36dacd1d78bd381dcdfb09c052db33991db7338b4a896")

enc = lambda value: cbor2.dumps(value, canonical=True)
common = enc({
    2: [[b"\x00"]],
    4: enc([20, {1: bytes.fromhex("fa6b4a53d5ad5fdfbe9de663e4d41ffe"), 2: bytes.fromhex("1492af1425695e48bf429b2d51f2ab45"),
                 3: enc([-16, bytes.fromhex("00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210")]), 14: 34768},
            1, 15, 2, 15]),
})
manifest = enc({1: 1, 2: 0, 3: common, 7: enc([3, 15]), 9: enc([23, 2])})
digest = hashlib.sha256(enc(manifest)).digest()
if digest != DIGEST:
    sys.exit(f"the rebuilt manifest hashes to {digest.hex()}, not the draft's {DIGEST.hex()}")
digest_item = enc([-16, DIGEST])
cose = cbor2.CBORTag(18, [enc({1: -7}), {}, None, SIGNATURE])
envelope = cbor2.CBORTag(107, {2: enc([digest_item, enc(cose)]), 3: manifest})
open("ietf-example-0.suit", "wb").write(enc(envelope))
key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), POINT)
open("keys/ietf-example.pub.pem", "wb").write(key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
# The draft's signature over its own Sig_structure, checked here with the draft's key.
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
sig_structure = enc(["Signature1", enc({1: -7}), b"", digest_item])
key.verify(encode_dss_signature(int.from_bytes(SIGNATURE[:32], "big"), int.from_bytes(SIGNATURE[32:], "big")), sig_structure, ec.ECDSA(hashes.SHA256()))
flipped = bytearray(enc(envelope)); flipped[flipped.index(SIGNATURE) + 10] ^= 0x01
open("ietf-example-0-sig-flip.suit", "wb").write(flipped)
print("ietf-example-0.suit: digest and signature as the draft prints them")

# The two vectors in expected.json (replaced if generate.py already wrote them).
import json
doc = json.load(open("expected.json"))
doc["vectors"] = [v for v in doc["vectors"] if not v["file"].startswith("ietf-example-0")]
reference = {"tool": "the draft's printed SUIT_Digest and signature, checked with python cryptography and the draft's example key",
             "signature": True, "manifestDigest": True}
doc["vectors"] += [
    {"file": "ietf-example-0.suit", "trust": ["keys/ietf-example.pub.pem"], "verdict": "fail", "failed": ["manifest.missing-entry"],
     "warnings": [], "why": "draft-ietf-suit-manifest Example 0 (Secure Boot), rebuilt from the draft's diagnostic notation byte for byte "
     "(its SUIT_Digest matches the draft's), signed by the draft's example key: the digest and the ES256 signature verify; the image "
     "(digest 0011...3210, 34768 bytes) is one the example only names, so it is reported missing", "description": None,
     "reference": dict(reference, note="the example names an image it does not carry; no reference verifies it either")},
    {"file": "ietf-example-0-sig-flip.suit", "trust": ["keys/ietf-example.pub.pem"], "verdict": "fail",
     "failed": ["manifest.missing-entry", "signature.invalid"], "warnings": [], "why": "the draft's Example 0 with one bit of its signature flipped",
     "description": None, "reference": dict(reference, signature=False)},
]
with open("expected.json", "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
