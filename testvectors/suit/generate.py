"""Makes the SUIT vectors with cbor2 and pycose (PyPI) and writes expected.json.

SUIT envelopes as draft-ietf-suit-manifest-25 lays them out: a manifest (deterministic CBOR,
cbor2 canonical=True) whose shared sequence sets the vendor id, class id, image digest and image
size; an authentication wrapper holding the SHA-256 of the manifest's byte string (head
included, as suit-tool computes it) and a COSE_Sign1 made by pycose over that SUIT_Digest as a
detached payload. Keys in keys/ are TEST keys, made once by this script (their private halves are
committed on purpose: never trust them).

Reproducible byte for byte: Ed25519 signatures are deterministic, and pycose signs ECDSA
(ES256/ES384) with python-ecdsa's sign_deterministic (RFC 6979), so rerunning this script with
the committed keys rewrites every file unchanged.
Run: python3 generate.py (or ./generate.sh)."""
import hashlib
import json
import os
import random

import cbor2
import pycose
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from pycose.algorithms import EdDSA, Es256, Es384
from pycose.headers import Algorithm, KID
from pycose.keys import CoseKey
from pycose.messages import Sign1Message

HERE = os.path.dirname(os.path.abspath(__file__))


def path(*parts):
    return os.path.join(HERE, *parts)


def write(name, data):
    with open(path(name), "wb") as f:
        f.write(data)


# TEST keys: made once, then reused.
KEYS = {"test-es256": lambda: ec.generate_private_key(ec.SECP256R1()), "test-es384": lambda: ec.generate_private_key(ec.SECP384R1()),
        "test-ed25519": lambda: ed25519.Ed25519PrivateKey.generate(), "other-es256": lambda: ec.generate_private_key(ec.SECP256R1())}
private = {}
for name, make in KEYS.items():
    key_path = path("keys", f"{name}.pem")
    if not os.path.exists(key_path):
        key = make()
        write(f"keys/{name}.pem", key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        write(f"keys/{name}.pub.pem", key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    with open(key_path, "rb") as f:
        private[name] = serialization.load_pem_private_key(f.read(), password=None)


def cose_key(name):
    pem = private[name].private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return CoseKey._from_cryptography_key(serialization.load_pem_private_key(pem, password=None))


ALG = {"test-es256": Es256, "test-es384": Es384, "test-ed25519": EdDSA, "other-es256": Es256}

firmware = random.Random(13).randbytes(30000)
write("firmware.bin", firmware)
flipped = bytearray(firmware); flipped[15000] ^= 1
write("firmware-flipped.bin", bytes(flipped))
write("firmware-truncated.bin", firmware[:29000])

VENDOR = bytes.fromhex("fa6b4a53d5ad5fdfbe9de663e4d41ffe")  # the draft's example vendor id
CLASS = bytes.fromhex("1492af1425695e48bf429b2d51f2ab45")


def dumps(value):
    return cbor2.dumps(value, canonical=True)


def manifest(sequence=7, uri="https://firmware.example/pump-x1/firmware.bin", image=firmware, encode=dumps):
    digest = dumps([-16, hashlib.sha256(image).digest()])
    shared = dumps([20, {1: VENDOR, 2: CLASS, 3: digest, 14: len(image)}, 1, 15, 2, 15])
    common = dumps({2: [[b"\x00"]], 4: shared})
    install = dumps([20, {21: uri}, 21, 15, 3, 15])
    validate = dumps([3, 15])
    return encode({1: 1, 2: sequence, 3: common, 7: validate, 17: install})


def suit_digest(manifest_bytes):
    # The digest covers the manifest's byte string, head included (cbor2.dumps of the bytes).
    return dumps([-16, hashlib.sha256(cbor2.dumps(manifest_bytes)).digest()])


def sign(digest_bytes, key="test-es256", phdr=None, uhdr=None):
    message = Sign1Message(phdr=phdr if phdr is not None else {Algorithm: ALG[key]}, uhdr=uhdr or {}, payload=None)
    message.key = cose_key(key)
    return message.encode(tag=True, detached_payload=digest_bytes)


def envelope(manifest_bytes, key="test-es256", blocks=None, digest=None, extra=None):
    digest = digest if digest is not None else suit_digest(manifest_bytes)
    if blocks is None:
        blocks = [sign(digest, key)]
    auth = dumps([digest] + blocks)
    members = {2: auth, 3: manifest_bytes}
    members.update(extra or {})
    return cbor2.dumps(cbor2.CBORTag(107, members), canonical=True)


def reference_verify(data, trust):
    """pycose's verdict on the first authentication block (COSE_Sign1 with the SUIT_Digest as the
    detached payload), and hashlib's on the manifest digest; None when pycose cannot even
    decode it."""
    try:
        env = cbor2.loads(data).value
        auth = cbor2.loads(env[2])
        digest = auth[0]
        # Sign1Message.decode does this, but pycose 1.1 expects cbor2 to give lists and
        # cbor2 6 gives tuples and frozen maps: the same steps, with a list and a dict.
        tagged = cbor2.loads(auth[1])
        assert tagged.tag == 18
        block = Sign1Message.from_cose_obj([tagged.value[0], dict(tagged.value[1]), *tagged.value[2:]], True)
        pub = serialization.load_pem_public_key(open(path(trust), "rb").read())
        block.key = CoseKey._from_cryptography_key(pub)
        ok = block.verify_signature(detached_payload=digest)
        declared = cbor2.loads(digest)[1]
        return {"signature": bool(ok), "manifestDigest": hashlib.sha256(cbor2.dumps(env[3])).digest() == declared}
    except Exception as error:  # noqa: BLE001 (the reference refusing is an answer too)
        return {"error": type(error).__name__ + ": " + str(error)[:120]}


vectors = []


def vector(file, verdict, failed, trust=("keys/test-es256.pub.pem",), payload=None, why="", warnings=(), parse_error=None, attack=None,
           reference=True, stricter=None, fmt=None):
    v = {"file": file, "trust": list(trust), "verdict": verdict, "failed": sorted(failed), "warnings": sorted(warnings), "why": why}
    if payload:
        v["payload"] = payload
    if fmt:
        v["format"] = fmt
    if attack:
        v["attack"] = attack
    v["description"] = {"parseError": parse_error} if parse_error else None
    if reference and trust:
        v["reference"] = {"tool": f"pycose {pycose.__version__ if hasattr(pycose, '__version__') else ''} Sign1Message.verify_signature (detached SUIT_Digest) + hashlib over the manifest bstr".replace("  ", " "),
                          **reference_verify(open(path(file), "rb").read(), trust[0])}
    if stricter:
        v["stricterThanReference"] = stricter
    vectors.append(v)


good = manifest()
write("es256.suit", envelope(good, "test-es256"))
write("es384.suit", envelope(good, "test-es384"))
integrated = manifest(uri="#firmware")
write("eddsa-integrated.suit", envelope(integrated, "test-ed25519", extra={"#firmware": firmware}))
write("es256-integrated.suit", envelope(integrated, "test-es256", extra={"#firmware": firmware}))

vector("es256.suit", "pass", [], payload="firmware.bin", why="ES256 over the manifest digest; the image given as --payload")
vector("es384.suit", "pass", [], trust=["keys/test-es384.pub.pem"], payload="firmware.bin", why="ES384; the image given as --payload")
vector("eddsa-integrated.suit", "pass", [], trust=["keys/test-ed25519.pub.pem"], why="EdDSA (Ed25519); the image integrated in the envelope under '#firmware'")
vector("es256-integrated.suit", "pass", [], why="ES256; the image integrated in the envelope")

vector("es256.suit", "fail", ["integrity.digest-mismatch"], payload="firmware-flipped.bin", why="one bit of the payload flipped",
       reference=False)
vector("es256.suit", "fail", ["integrity.digest-mismatch", "manifest.entry-mismatch"], payload="firmware-truncated.bin",
       why="the payload cut to 29000 bytes: size and digest differ", reference=False)
vector("es256.suit", "fail", ["manifest.missing-entry"], why="no --payload: the image the manifest describes is not there", reference=False)

env = bytearray(open(path("eddsa-integrated.suit"), "rb").read())
at = bytes(env).find(firmware[:64])
env[at + 15000] ^= 1
write("eddsa-integrated-payload-flip.suit", bytes(env))
vector("eddsa-integrated-payload-flip.suit", "fail", ["integrity.digest-mismatch"], trust=["keys/test-ed25519.pub.pem"],
       why="one bit of the integrated payload flipped")

# The manifest edited after signing: the sequence number raised from 7 to 9, same length.
edited = manifest(sequence=9)
assert len(edited) == len(good)
signed = envelope(good, "test-es256")
write("manifest-edited.suit", signed.replace(good, edited))
vector("manifest-edited.suit", "fail", ["integrity.digest-mismatch"], payload="firmware.bin",
       why="the manifest's sequence number edited (7 -> 9) after signing; the wrapper's digest no longer matches",
       attack="raise the sequence number without the vendor's key")
# ... and with the digest recomputed: the signature covers the old digest.
old_digest = suit_digest(good)
blocks = cbor2.loads(cbor2.loads(signed).value[2])[1:]
write("manifest-edited-redigest.suit", envelope(edited, blocks=blocks))
vector("manifest-edited-redigest.suit", "fail", ["signature.invalid"], payload="firmware.bin",
       why="the manifest edited and the wrapper's digest recomputed: the signature still covers the old digest",
       attack="edit the manifest and fix up the digest")

cose = cbor2.loads(blocks[0])
sig = bytearray(cose.value[3]); sig[10] ^= 1
write("sig-flip.suit", envelope(good, blocks=[cbor2.dumps(cbor2.CBORTag(18, list(cose.value[:3]) + [bytes(sig)]))]))
vector("sig-flip.suit", "fail", ["signature.invalid"], payload="firmware.bin", why="one bit of the ES256 signature flipped")

write("other-key.suit", envelope(good, "other-es256"))
vector("other-key.suit", "fail", ["signature.invalid"], payload="firmware.bin",
       why="signed by another P-256 key: a COSE_Sign1 names no key fwgate can match (no kid), so a same-type key that does not verify reads as an invalid signature")
vector("es256.suit", "fail", ["key.untrusted"], trust=["keys/test-ed25519.pub.pem"], payload="firmware.bin",
       why="ES256-signed, only an Ed25519 key trusted: no trusted key could have made it")
vector("es256.suit", "fail", ["key.untrusted"], trust=[], payload="firmware.bin", why="no trusted key at all", reference=False)

whole = open(path("es256.suit"), "rb").read()
write("truncated.suit", whole[:len(whole) - 40])
vector("truncated.suit", "fail", ["malformed.truncated"], payload="firmware.bin", why="the envelope cut 40 bytes short (inside the manifest)",
       parse_error={"code": "malformed.truncated", "offset": whole.find(cbor2.dumps(good))})

# Algorithms.
digest = suit_digest(good)
message = Sign1Message(phdr={Algorithm: -36}, payload=None)  # ES512: not one fwgate verifies
message.key = cose_key("test-es256")
unsupported = cbor2.loads(sign(digest, "test-es256"))
protected_es512 = cbor2.dumps({1: -36})
write("unsupported-alg.suit", envelope(good, blocks=[cbor2.dumps(cbor2.CBORTag(18, [protected_es512, {}, None, unsupported.value[3]]))]))
vector("unsupported-alg.suit", "fail", ["signature.unsupported-algorithm"], payload="firmware.bin",
       why="the protected header names ES512 (-36), which fwgate does not verify")
write("unprotected-alg.suit", envelope(good, blocks=[sign(digest, "test-es256", phdr={}, uhdr={Algorithm: Es256})]))
vector("unprotected-alg.suit", "fail", ["signature.invalid"], payload="firmware.bin",
       why="alg (ES256) only in the unprotected header: a valid signature, but its algorithm is not authenticated (RFC 9052 §3.1)",
       attack="algorithm substitution through the unprotected header",
       stricter="pycose takes alg from either header and verifies the signature; fwgate requires alg in the protected header")
write("unsigned.suit", envelope(good, blocks=[]))
vector("unsigned.suit", "fail", ["signature.missing"], payload="firmware.bin", why="the authentication wrapper holds the digest only", reference=False)

# Encodings: each manifest below is correctly digested and signed, so only the encoding is wrong.
def noncanonical(value):
    # Sequence number 7 written as 0x18 0x07 (one byte longer than the shortest form).
    return dumps(value).replace(b"\x02\x07", b"\x02\x18\x07", 1)


loose = manifest(encode=noncanonical)
loose_file = envelope(loose, "test-es256")
write("non-deterministic.suit", loose_file)
loose_offset = loose_file.find(loose) + loose.find(b"\x02\x18\x07") + 1
vector("non-deterministic.suit", "fail", ["malformed.encoding"], payload="firmware.bin",
       why="the manifest's sequence number 7 encoded in two bytes (0x18 0x07), then digested and signed",
       parse_error={"code": "malformed.encoding", "offset": loose_offset}, attack="parser differential through a non-deterministic encoding",
       stricter="pycose verifies the signature (it covers the digest); fwgate refuses a manifest that is not deterministically encoded (RFC 8949 §4.2.1)")


def duplicate(value):
    # A second suit-manifest-sequence-number (key 2) after the first: a map where decoders that
    # keep the first or the last value read different counters.
    data = dumps(value)
    assert data[0] == 0xa5
    return b"\xa6" + data[1:] + b"\x02\x19\x03\xe8"


dup = manifest(encode=duplicate)
dup_file = envelope(dup, "test-es256")
write("duplicate-key.suit", dup_file)
vector("duplicate-key.suit", "fail", ["malformed.encoding"], payload="firmware.bin",
       why="the manifest map has key 2 (sequence number) twice, 7 then 1000, digested and signed",
       parse_error={"code": "malformed.encoding", "offset": dup_file.find(dup) + len(dup) - 4},
       attack="duplicate map keys: two decoders, two sequence numbers",
       stricter="pycose verifies the signature; fwgate refuses duplicate map keys (RFC 8949 §5.6)")

# Indefinite lengths: the envelope map written with 0xbf ... 0xff.
definite = cbor2.loads(open(path("es256.suit"), "rb").read()).value
indefinite = b"\xd8\x6b\xbf" + b"".join(cbor2.dumps(k) + cbor2.dumps(definite[k]) for k in sorted(definite)) + b"\xff"
write("indefinite.suit", indefinite)
vector("indefinite.suit", "fail", ["malformed.encoding"], payload="firmware.bin", why="the envelope map has an indefinite length (0xbf ... 0xff)",
       parse_error={"code": "malformed.encoding", "offset": 2}, fmt="suit",
       stricter="cbor2 and pycose accept indefinite lengths; fwgate refuses them")

# A depth bomb: an extra envelope member nested 100000 arrays deep.
bomb = b"\xd8\x6b\xa3" + cbor2.dumps(2) + cbor2.dumps(definite[2]) + cbor2.dumps(3) + cbor2.dumps(definite[3]) + cbor2.dumps("#x") + b"\x81" * 100000 + b"\x00"
write("depth-bomb.suit", bomb)
vector("depth-bomb.suit", "fail", ["malformed.encoding"], payload="firmware.bin", why="an envelope member nested 100000 arrays deep: refused at the 13th level (fwgate's SUIT limit is 12)",
       reference=False, parse_error={"code": "malformed.encoding", "offset": bomb.find(b"\x81" * 13) + 11})

# A severed member (suit-text): its SUIT_Digest in the manifest, its byte string in the envelope.
text = dumps({"en": {1: "pump-x1 firmware 7", 2: "TEST vector, not a real update"}})
severed = dumps({1: 1, 2: 7, 3: cbor2.loads(integrated)[3], 7: cbor2.loads(integrated)[7], 17: cbor2.loads(integrated)[17],
                 23: [-16, hashlib.sha256(cbor2.dumps(text)).digest()]})
write("severed-text.suit", envelope(severed, "test-ed25519", extra={23: text, "#firmware": firmware}))
vector("severed-text.suit", "pass", [], trust=["keys/test-ed25519.pub.pem"],
       why="suit-text severed: the manifest keeps its SHA-256, the envelope carries the text; the image integrated")
edited_text = text.replace(b"TEST vector", b"Safe update")
write("severed-text-edited.suit", envelope(severed, "test-ed25519", extra={23: edited_text, "#firmware": firmware}))
vector("severed-text-edited.suit", "fail", ["integrity.digest-mismatch"], trust=["keys/test-ed25519.pub.pem"],
       why="the severed suit-text edited in the envelope: it no longer matches the digest the signed manifest keeps", reference=False)

# A manifest of another version, signed.
v2 = dumps({**{k: v for k, v in cbor2.loads(good).items()}, 1: 2})
v2_file = envelope(v2, "test-ed25519")
write("manifest-version-2.suit", v2_file)
vector("manifest-version-2.suit", "fail", ["malformed.encoding"], trust=["keys/test-ed25519.pub.pem"], payload="firmware.bin",
       why="suit-manifest-version 2, digested and signed: only version 1 is defined",
       parse_error={"code": "malformed.encoding", "offset": v2_file.find(v2) + v2.find(b"\x01\x02") + 1},
       stricter="pycose verifies the signature; fwgate refuses a manifest version it does not know")

# A member nothing covers.
write("extra-member.suit", envelope(good, "test-es256", extra={99: b"not covered by anything"}))
vector("extra-member.suit", "warn", [], payload="firmware.bin", warnings=["integrity.unsigned-trailing-data"],
       why="an envelope member (key 99) that no digest or signature covers: reported as a warning")

json.dump({"about": "SUIT envelopes (draft-ietf-suit-manifest-25) made with cbor2 and signed with pycose (COSE_Sign1, detached SUIT_Digest) by the TEST keys in keys/, and tampered twins; generate.py remakes them byte for byte (Ed25519 and RFC 6979 ECDSA are deterministic). Each vector is verified as fwgate verify FILE [--payload PAYLOAD] --trust KEY; 'failed' is the exact set of failed check codes. 'reference' is pycose's verdict on the first COSE_Sign1 and hashlib's on the manifest digest (it does not check the payload, encodings or algorithm placement); 'stricterThanReference' says where fwgate refuses what the reference accepts.",
           "tool": {"name": "cbor2 + pycose", "version": f"cbor2 {cbor2.__version__ if hasattr(cbor2, '__version__') else '?'}, pycose {pycose.__version__ if hasattr(pycose, '__version__') else '?'}"},
           "vectors": vectors},
          open(path("expected.json"), "w"), indent=2)
print(f"wrote {len(vectors)} vectors")
