#!/usr/bin/env python3
"""Writes testvectors/crypto/expected.json. Run by generate.sh after the openssl steps.

* digests and published signatures come from published.json (hand-written, each with a source);
* keys, generated signatures and certificates are described from the files generate.sh made;
* chain and CMS cases run the reference verifier (`openssl verify` / `openssl cms -verify`) and
  record the command, exit status and output.

Every value is cross-checked before it is written: digests against python hashlib/zlib and the
openssl CLI, signatures with python `cryptography` and the openssl CLI, key fingerprints and
certificate fields with both, openssl's verdicts against the errors this file expects. If anything
disagrees, nothing is written and the script exits 1 with a list of what failed.
"""
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import zlib
from datetime import datetime, timezone

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa, utils
from cryptography.hazmat.primitives.serialization import pkcs7

os.chdir(os.path.dirname(os.path.abspath(__file__)))

AT = "2026-06-01T00:00:00Z"
AT_EPOCH = int(datetime(2026, 6, 1, tzinfo=timezone.utc).timestamp())  # 1780272000
ROOT = "chains/root.pem"
INTERMEDIATE = "chains/intermediate.pem"
MESSAGE = "signatures/message.bin"
DIGEST = "signatures/message.sha256"

problems = []


def check(ok, what):
    if not ok:
        problems.append(what)
    return ok


def ossl(*args, data=None):
    """Runs the openssl CLI; returns (exit status, stdout bytes, stderr text)."""
    p = subprocess.run(["openssl", *args], input=data, capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def ossl_ok(*args, data=None):
    rc, out, err = ossl(*args, data=data)
    if rc != 0:
        sys.exit(f"openssl {' '.join(args)} failed ({rc}): {err}")
    return out


def ossl_said(args):
    """Runs openssl with stderr folded into stdout; returns (exit, normalised output)."""
    p = subprocess.run(["openssl", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    text = p.stdout.decode(errors="replace")
    # OpenSSL 3 prefixes error-queue lines with the thread id, which changes on every run.
    text = re.sub(r"(?m)^[0-9A-F]{8,16}:error:", "error:", text)
    return p.returncode, text.strip()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


HASHES = {"sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
          "sha384": hashes.SHA384, "sha512": hashes.SHA512}
CURVES = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1}
CURVE_BY_NAME = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}

X509_V_ERR = {
    0: "X509_V_OK", 1: "X509_V_ERR_UNSPECIFIED", 2: "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT",
    3: "X509_V_ERR_UNABLE_TO_GET_CRL", 4: "X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE",
    5: "X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE", 6: "X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
    7: "X509_V_ERR_CERT_SIGNATURE_FAILURE", 8: "X509_V_ERR_CRL_SIGNATURE_FAILURE",
    9: "X509_V_ERR_CERT_NOT_YET_VALID", 10: "X509_V_ERR_CERT_HAS_EXPIRED",
    11: "X509_V_ERR_CRL_NOT_YET_VALID", 12: "X509_V_ERR_CRL_HAS_EXPIRED",
    13: "X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD", 14: "X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD",
    15: "X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD", 16: "X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD",
    17: "X509_V_ERR_OUT_OF_MEM", 18: "X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT",
    19: "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN", 20: "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    21: "X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE", 22: "X509_V_ERR_CERT_CHAIN_TOO_LONG",
    23: "X509_V_ERR_CERT_REVOKED", 24: "X509_V_ERR_NO_ISSUER_PUBLIC_KEY",
    25: "X509_V_ERR_PATH_LENGTH_EXCEEDED", 26: "X509_V_ERR_INVALID_PURPOSE",
    27: "X509_V_ERR_CERT_UNTRUSTED", 28: "X509_V_ERR_CERT_REJECTED",
    29: "X509_V_ERR_SUBJECT_ISSUER_MISMATCH", 30: "X509_V_ERR_AKID_SKID_MISMATCH",
    31: "X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH", 32: "X509_V_ERR_KEYUSAGE_NO_CERTSIGN",
    33: "X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER", 34: "X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION",
    35: "X509_V_ERR_KEYUSAGE_NO_CRL_SIGN", 36: "X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION",
    37: "X509_V_ERR_INVALID_NON_CA", 38: "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED",
    39: "X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE", 40: "X509_V_ERR_PROXY_CERTIFICATES_NOT_ALLOWED",
    41: "X509_V_ERR_INVALID_EXTENSION", 42: "X509_V_ERR_INVALID_POLICY_EXTENSION",
    43: "X509_V_ERR_NO_EXPLICIT_POLICY", 44: "X509_V_ERR_DIFFERENT_CRL_SCOPE",
    45: "X509_V_ERR_UNSUPPORTED_EXTENSION_FEATURE", 46: "X509_V_ERR_UNNESTED_RESOURCE",
    47: "X509_V_ERR_PERMITTED_VIOLATION", 48: "X509_V_ERR_EXCLUDED_VIOLATION",
    49: "X509_V_ERR_SUBTREE_MINMAX", 50: "X509_V_ERR_APPLICATION_VERIFICATION",
    51: "X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE", 52: "X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX",
    53: "X509_V_ERR_UNSUPPORTED_NAME_SYNTAX", 54: "X509_V_ERR_CRL_PATH_VALIDATION_ERROR",
    55: "X509_V_ERR_PATH_LOOP", 62: "X509_V_ERR_HOSTNAME_MISMATCH", 63: "X509_V_ERR_EMAIL_MISMATCH",
    64: "X509_V_ERR_IP_ADDRESS_MISMATCH", 66: "X509_V_ERR_EE_KEY_TOO_SMALL",
    67: "X509_V_ERR_CA_KEY_TOO_SMALL", 68: "X509_V_ERR_CA_MD_TOO_WEAK", 69: "X509_V_ERR_INVALID_CALL",
    70: "X509_V_ERR_STORE_LOOKUP", 76: "X509_V_ERR_UNSUPPORTED_SIGNATURE_ALGORITHM",
    77: "X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH", 78: "X509_V_ERR_SIGNATURE_ALGORITHM_INCONSISTENCY",
    79: "X509_V_ERR_INVALID_CA", 80: "X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA",
    81: "X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN", 82: "X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA",
    83: "X509_V_ERR_ISSUER_NAME_EMPTY", 84: "X509_V_ERR_SUBJECT_NAME_EMPTY",
    85: "X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER", 86: "X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER",
    87: "X509_V_ERR_EMPTY_SUBJECT_ALT_NAME", 88: "X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL",
    89: "X509_V_ERR_CA_BCONS_NOT_CRITICAL", 90: "X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL",
    91: "X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL", 92: "X509_V_ERR_CA_CERT_MISSING_KEY_USAGE",
    93: "X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3", 94: "X509_V_ERR_EC_KEY_EXPLICIT_PARAMS",
}  # numbering of OpenSSL 3.0 (include/openssl/x509_vfy.h); the names are what expected.json keeps

# =================================================================================== digests


def message_bytes(m):
    if "ascii" in m:
        return m["ascii"].encode("ascii")
    if "hex" in m:
        return bytes.fromhex(m["hex"])
    return m["repeatAscii"].encode("ascii") * m["count"]


def crc32_bitwise(data):
    """CRC-32/ISO-HDLC written out from its catalogue parameters (independent of zlib)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0xEDB88320 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def build_digests(published):
    out = []
    for v in published["digests"]:
        data, alg, want = message_bytes(v["message"]), v["algorithm"], v["digest"]
        if alg == "crc32":
            got = [format(zlib.crc32(data), "08x"), format(crc32_bitwise(data), "08x")]
        else:
            got = [hashlib.new(alg, data).hexdigest(),
                   ossl_ok("dgst", "-" + alg, "-r", data=data).decode().split()[0]]
        if check(all(g == want for g in got), f"digest {v['name']}: published {want}, computed {got}"):
            out.append({k: v[k] for k in ("name", "source", "algorithm", "message", "digest")})
    return out

# =================================================================================== keys


def spki_der(pub):
    return pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_public(path, fmt, curve=None):
    data = read(path)
    if fmt == "spki-pem":
        return serialization.load_pem_public_key(data)
    if fmt in ("spki-der", "pkcs1-der"):
        return serialization.load_der_public_key(data)
    if fmt == "pkcs1-pem":
        return serialization.load_pem_public_key(data)
    if fmt == "ed25519-raw":
        return ed25519.Ed25519PublicKey.from_public_bytes(data)
    if fmt == "ec-point-raw":
        return ec.EllipticCurvePublicKey.from_encoded_point(CURVES[curve](), data)
    if fmt == "certificate-pem":
        return x509.load_pem_x509_certificate(data).public_key()
    if fmt == "certificate-der":
        return x509.load_der_x509_certificate(data).public_key()
    raise ValueError(fmt)


def openssl_spki_der(path, fmt, pub):
    """The DER SPKI as the openssl CLI reads the file (raw formats: openssl re-reads python's SPKI)."""
    inform = "DER" if fmt.endswith("-der") else "PEM"
    if fmt.startswith("spki-"):
        return ossl_ok("pkey", "-pubin", "-in", path, "-inform", inform, "-outform", "DER")
    if fmt.startswith("pkcs1-"):
        return ossl_ok("rsa", "-RSAPublicKey_in", "-in", path, "-inform", inform, "-pubout", "-outform", "DER")
    if fmt.startswith("certificate-"):
        pem = ossl_ok("x509", "-in", path, "-inform", inform, "-noout", "-pubkey")
        return ossl_ok("pkey", "-pubin", "-outform", "DER", data=pem)
    return ossl_ok("pkey", "-pubin", "-inform", "DER", "-outform", "DER", data=spki_der(pub))


def key_facts(pub):
    if isinstance(pub, rsa.RSAPublicKey):
        return "rsa", pub.key_size, None
    if isinstance(pub, ec.EllipticCurvePublicKey):
        return "ec", pub.curve.key_size, CURVE_BY_NAME[pub.curve.name]
    if isinstance(pub, ed25519.Ed25519PublicKey):
        return "ed25519", 256, None  # the key size; OpenSSL's EVP_PKEY_get_bits() says 253
    raise ValueError(type(pub))


KEY_FILES = [  # file, format, sibling in another encoding that must have the same fingerprint
    ("keys/rsa2048.spki.pem", "spki-pem", None),
    ("keys/rsa2048.spki.der", "spki-der", "keys/rsa2048.spki.pem"),
    ("keys/rsa2048.pkcs1.pem", "pkcs1-pem", "keys/rsa2048.spki.pem"),
    ("keys/rsa2048.pkcs1.der", "pkcs1-der", "keys/rsa2048.spki.pem"),
    ("keys/rsa2048-cert.pem", "certificate-pem", "keys/rsa2048.spki.pem"),
    ("keys/rsa2048-cert.der", "certificate-der", "keys/rsa2048.spki.pem"),
    ("keys/rsa3072.spki.pem", "spki-pem", None),
    ("keys/ed25519.spki.pem", "spki-pem", None),
    ("keys/ed25519.pub.bin", "ed25519-raw", "keys/ed25519.spki.pem"),
    ("keys/p256.spki.pem", "spki-pem", None),
    ("keys/p256.point.bin", "ec-point-raw", "keys/p256.spki.pem"),
    ("keys/p384.spki.pem", "spki-pem", None),
    ("keys/p384.point.bin", "ec-point-raw", "keys/p384.spki.pem"),
    ("keys/p521.spki.pem", "spki-pem", None),
    ("keys/p521.point.bin", "ec-point-raw", "keys/p521.spki.pem"),
]
RAW_CURVE = {"keys/p256.point.bin": "P-256", "keys/p384.point.bin": "P-384", "keys/p521.point.bin": "P-521"}

BAD_KEYS = [
    ("keys/garbage.bin", "64 random bytes: neither PEM nor any DER key structure"),
    ("keys/empty.pem", "an empty file (0 bytes)"),
    ("keys/truncated.pem", "keys/rsa2048.spki.pem cut in half: the base64 stops mid-way and there is no END line"),
    ("keys/wrong-type.pem", "a PKCS#10 certificate request (BEGIN CERTIFICATE REQUEST), not a public key or certificate"),
]


def write_published_keys(published):
    """Key files for the published signature vectors, made from the published numbers."""
    for s in published["signatures"]:
        path = s["key"]
        if s["keyFormat"] in ("ed25519-raw", "ec-point-raw"):
            write(path, bytes.fromhex(s["publicKeyHex"]))
        else:
            pub = rsa.RSAPublicNumbers(int(s["publicKeyE"], 16), int(s["publicKeyN"], 16)).public_key()
            write(path, pub.public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo))
        if (path, s["keyFormat"], None) not in KEY_FILES:
            KEY_FILES.append((path, s["keyFormat"], None))
            if s["keyFormat"] == "ec-point-raw":
                RAW_CURVE[path] = s["curve"]


def build_keys():
    out, fingerprints = [], {}
    for path, fmt, sibling in KEY_FILES:
        pub = load_public(path, fmt, RAW_CURVE.get(path))
        fp = sha256_hex(spki_der(pub))
        check(sha256_hex(openssl_spki_der(path, fmt, pub)) == fp, f"key {path}: openssl and python fingerprints differ")
        if sibling:
            check(fingerprints.get(sibling) == fp, f"key {path}: fingerprint differs from {sibling}")
        fingerprints[path] = fp
        ktype, bits, curve = key_facts(pub)
        if fmt == "ec-point-raw":
            check(curve == RAW_CURVE[path], f"key {path}: curve")
        out.append({"file": path, "format": fmt, "curve": curve, "type": ktype, "bits": bits, "fingerprint": fp})
    bad = []
    for path, why in BAD_KEYS:
        data = read(path)
        for args in (["pkey", "-pubin", "-in", path], ["pkey", "-pubin", "-inform", "DER", "-in", path],
                     ["x509", "-noout", "-in", path], ["x509", "-noout", "-inform", "DER", "-in", path]):
            check(ossl(*args)[0] != 0, f"bad key {path}: openssl {' '.join(args)} accepted it")
        for loader in (serialization.load_pem_public_key, serialization.load_der_public_key,
                       x509.load_pem_x509_certificate, x509.load_der_x509_certificate):
            try:
                loader(data)
                problems.append(f"bad key {path}: python {loader.__name__} accepted it")
            except Exception:
                pass
        bad.append({"file": path, "why": why})
    return out, bad, fingerprints

# =================================================================================== signatures


def pss_salt(salt, h):
    if isinstance(salt, int):
        return salt
    return {"digest": h.digest_size, "max": padding.PSS.MAX_LENGTH, "auto": padding.PSS.AUTO}[salt]


def well_formed(e, pub, sig):
    """Structural check: is this a signature of the right shape for the key and encoding?"""
    if e["scheme"] in ("rsa-pkcs1v15", "rsa-pss"):
        return len(sig) == (pub.key_size + 7) // 8
    if e["scheme"] == "ed25519":
        return len(sig) == 64
    n = (pub.curve.key_size + 7) // 8
    if e["signatureEncoding"] == "raw":
        return len(sig) == 2 * n
    try:
        r, s = utils.decode_dss_signature(sig)
    except ValueError:
        return False
    return utils.encode_dss_signature(r, s) == sig


def to_der(e, pub, sig):
    if e["scheme"] == "ecdsa" and e["signatureEncoding"] == "raw":
        n = len(sig) // 2
        return utils.encode_dss_signature(int.from_bytes(sig[:n], "big"), int.from_bytes(sig[n:], "big"))
    return sig


def python_verifies(e, pub, data, sig):
    h = HASHES[e["hash"]]() if e["hash"] else None
    algo = utils.Prehashed(h) if e["input"] == "digest" else h
    try:
        if e["scheme"] == "ed25519":
            pub.verify(sig, data)
        elif e["scheme"] == "ecdsa":
            pub.verify(to_der(e, pub, sig), data, ec.ECDSA(algo))
        elif e["scheme"] == "rsa-pkcs1v15":
            pub.verify(sig, data, padding.PKCS1v15(), algo)
        else:
            pub.verify(sig, data, padding.PSS(padding.MGF1(h), pss_salt(e["pssSaltLength"], h)), algo)
        return True
    except (InvalidSignature, ValueError):
        return False


def openssl_verifies(e, pub, data, sig, tmp):
    key, msg, sigf = (os.path.join(tmp, n) for n in ("key.pem", "msg.bin", "sig.bin"))
    write(key, pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    write(msg, data)
    write(sigf, to_der(e, pub, sig))
    if e["scheme"] == "ed25519":
        args = ["pkeyutl", "-verify", "-pubin", "-inkey", key, "-rawin", "-in", msg, "-sigfile", sigf]
    else:
        opts = []
        if e["scheme"] == "rsa-pss":
            opts = ["rsa_padding_mode:pss", f"rsa_pss_saltlen:{e['pssSaltLength']}"]
        if e["input"] == "digest":
            args = ["pkeyutl", "-verify", "-pubin", "-inkey", key, "-pkeyopt", f"digest:{e['hash']}",
                    *[x for o in opts for x in ("-pkeyopt", o)], "-in", msg, "-sigfile", sigf]
        else:
            args = ["dgst", "-" + e["hash"], "-verify", key, "-signature", sigf,
                    *[x for o in opts for x in ("-sigopt", o)], msg]
    return ossl(*args)[0] == 0


SIG_FIELDS = ("name", "source", "key", "keyFormat", "curve", "scheme", "hash", "pssSaltLength",
              "signatureEncoding", "input", "messageHex", "signatureHex", "result")


def cross_check_signature(e, tmp):
    pub = load_public(e["key"], e["keyFormat"], e["curve"])
    data, sig = bytes.fromhex(e["messageHex"]), bytes.fromhex(e["signatureHex"])
    shaped = well_formed(e, pub, sig)
    py = python_verifies(e, pub, data, sig) if shaped else False
    # openssl is asked about every signature whose bytes it can be handed (raw r||s of the wrong length cannot).
    can_ask = shaped or not (e["scheme"] == "ecdsa" and e["signatureEncoding"] == "raw")
    osl = openssl_verifies(e, pub, data, sig, tmp) if can_ask else False
    if e["scheme"] == "ed25519" and not data:
        # OpenSSL 3.0's pkeyutl cannot take an empty -rawin input ("Could not allocate 0 bytes for oneshot
        # sign/verify buffer") and dgst has no Ed25519 support, so only python can check an empty message.
        print(f"note: {e['name']}: empty message, checked with python cryptography only", file=sys.stderr)
        osl = None
    want = e["result"]
    state = f"shape {shaped}, python {py}, openssl {osl}"
    if want == "valid":
        check(shaped and py and osl in (True, None), f"signature {e['name']}: expected valid ({state})")
    elif want == "invalid":
        check(shaped and not py and not osl, f"signature {e['name']}: expected invalid ({state})")
    else:
        check(not shaped and not py and not osl, f"signature {e['name']}: expected malformed ({state})")


def flip(data, index, mask=0x01):
    b = bytearray(data)
    b[index] ^= mask
    return bytes(b)


def build_signatures(published, tmp):
    out = []

    def add(e):
        e = {k: e[k] for k in SIG_FIELDS}
        cross_check_signature(e, tmp)
        out.append(e)

    # ---- published vectors (checked against their published key material too) ----
    for s in published["signatures"]:
        if s["scheme"] == "ed25519":
            priv = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(s["secretKeyHex"]))
            check(priv.public_key().public_bytes_raw().hex() == s["publicKeyHex"], f"{s['name']}: public key from secret")
            check(priv.sign(bytes.fromhex(s["messageHex"])).hex() == s["signatureHex"], f"{s['name']}: re-signing")
        if s["scheme"] == "ecdsa":
            priv = ec.derive_private_key(int(s["privateKeyHex"], 16), CURVES[s["curve"]]())
            point = priv.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
            check(point.hex() == s["publicKeyHex"], f"{s['name']}: public key from private")
            try:  # RFC 6979 signatures are deterministic: re-signing must give the same r, s
                again = priv.sign(bytes.fromhex(s["messageHex"]), ec.ECDSA(HASHES[s["hash"]](), deterministic_signing=True))
                n = len(point) // 2
                check(again == utils.encode_dss_signature(int(s["signatureHex"][:2 * n], 16), int(s["signatureHex"][2 * n:], 16)),
                      f"{s['name']}: deterministic re-signing")
            except Exception as err:  # older cryptography/OpenSSL: verification below still applies
                print(f"note: {s['name']}: deterministic re-signing not available ({err})", file=sys.stderr)
        add(s)
    by_name = {e["name"]: e for e in out}

    t1 = by_name["RFC 8032 Ed25519 TEST 1"]
    add(dict(t1, name="RFC 8032 Ed25519 TEST 1, R bit flipped", result="invalid",
             source="derived from RFC 8032 section 7.1 TEST 1: first signature byte XOR 0x01",
             signatureHex=flip(bytes.fromhex(t1["signatureHex"]), 0).hex()))
    add(dict(t1, name="RFC 8032 Ed25519 TEST 1, 63-byte signature", result="malformed",
             source="derived from RFC 8032 section 7.1 TEST 1: last signature byte removed",
             signatureHex=t1["signatureHex"][:-2]))
    t2 = by_name["RFC 8032 Ed25519 TEST 2"]
    add(dict(t2, name="RFC 8032 Ed25519 TEST 2, message changed", result="invalid",
             source="derived from RFC 8032 section 7.1 TEST 2: message 0x72 replaced by 0x73",
             messageHex="73"))
    r6979 = by_name["RFC 6979 ECDSA P-256 SHA-256 'sample' (raw r||s)"]
    raw = bytes.fromhex(r6979["signatureHex"])
    der = utils.encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    add(dict(r6979, name="RFC 6979 ECDSA P-256 SHA-256 'sample' (DER)", signatureEncoding="der",
             source="RFC 6979 Appendix A.2.5 'sample' with SHA-256; (r, s) DER-encoded as ECDSA-Sig-Value by build_expected.py",
             signatureHex=der.hex()))
    add(dict(r6979, name="RFC 6979 ECDSA P-256 SHA-256 'sample' (raw), s bit flipped", result="invalid",
             source="derived from RFC 6979 Appendix A.2.5 'sample': last byte of s XOR 0x01",
             signatureHex=flip(raw, -1).hex()))
    add(dict(r6979, name="RFC 6979 ECDSA P-256 SHA-256 'sample' (raw), verified as SHA-384", result="invalid", hash="sha384",
             source="derived from RFC 6979 Appendix A.2.5 'sample' (SHA-256): the same signature checked with hash sha384"))
    nist15 = by_name["NIST CAVP RSA-2048 PKCS#1 v1.5 SHA-256 (SigGen15_186-3)"]
    add(dict(nist15, name="NIST CAVP RSA-2048 PKCS#1 v1.5 SHA-256, bit flipped", result="invalid",
             source="derived from NIST CAVP SigGen15_186-3 [mod = 2048] first SHA256 entry: last signature byte XOR 0x01",
             signatureHex=flip(bytes.fromhex(nist15["signatureHex"]), -1).hex()))
    pss0 = by_name["NIST CAVP RSA-2048 PSS SHA-256 salt 0 (SigGenPSS_186-3)"]
    add(dict(pss0, name="NIST CAVP RSA-2048 PSS SHA-256 salt 0, checked with salt 32", result="invalid", pssSaltLength=32,
             source="derived from NIST CAVP SigGenPSS_186-3 [mod = 2048] first SHA256 entry (salt length 0): checked with a required salt length of 32"))
    add(dict(pss0, name="NIST CAVP RSA-2048 PSS SHA-256 salt 0, salt auto-detected", pssSaltLength="auto",
             source="NIST CAVP SigGenPSS_186-3 [mod = 2048] first SHA256 entry (salt length 0): checked with the salt length recovered from the signature (auto)"))

    # ---- generated by generate.sh with openssl ----
    message, digest = read(MESSAGE), read(DIGEST)
    check(hashlib.sha256(message).digest() == digest, "signatures/message.sha256 is not SHA-256(message.bin)")

    def gen(name, key, key_format, scheme, hash_, sig_file, result, how, curve=None, salt=None,
            encoding=None, input_="message"):
        add({"name": name, "key": key, "keyFormat": key_format, "curve": curve, "scheme": scheme,
             "hash": hash_, "pssSaltLength": salt, "signatureEncoding": encoding, "input": input_,
             "messageHex": (digest if input_ == "digest" else message).hex(),
             "signatureHex": read(sig_file).hex(), "result": result,
             "source": f"generated by generate.sh with OpenSSL ({how}); file {sig_file}"})

    S = "signatures/"
    flipped = "the signature above with its last byte XOR 0x01"
    short = "the signature above with its last byte removed"
    over_msg = "over signatures/message.bin"
    over_dig = "over the 32-byte SHA-256 digest signatures/message.sha256"

    # RSA-2048 PKCS#1 v1.5 SHA-256, same signature against every encoding of the key
    how = f"openssl dgst -sha256 -sign, PKCS#1 v1.5, {over_msg}"
    for key, fmt in (("keys/rsa2048.spki.pem", "spki-pem"), ("keys/rsa2048.spki.der", "spki-der"),
                     ("keys/rsa2048.pkcs1.pem", "pkcs1-pem"), ("keys/rsa2048.pkcs1.der", "pkcs1-der"),
                     ("keys/rsa2048-cert.pem", "certificate-pem")):
        gen(f"RSA-2048 PKCS#1 v1.5 SHA-256 (key {fmt})", key, fmt, "rsa-pkcs1v15", "sha256",
            S + "rsa2048-pkcs1v15-sha256.sig", "valid", how)
    gen("RSA-2048 PKCS#1 v1.5 SHA-256, bit flipped", "keys/rsa2048.spki.pem", "spki-pem", "rsa-pkcs1v15", "sha256",
        S + "rsa2048-pkcs1v15-sha256-bitflip.sig", "invalid", flipped)
    gen("RSA-2048 PKCS#1 v1.5 SHA-256, 255-byte signature", "keys/rsa2048.spki.pem", "spki-pem", "rsa-pkcs1v15", "sha256",
        S + "rsa2048-pkcs1v15-sha256-short.sig", "malformed", short)
    gen("RSA-2048 PKCS#1 v1.5 SHA-256, verified as SHA-384", "keys/rsa2048.spki.pem", "spki-pem", "rsa-pkcs1v15", "sha384",
        S + "rsa2048-pkcs1v15-sha256.sig", "invalid", "a SHA-256 signature checked with hash sha384")
    gen("RSA-2048 PKCS#1 v1.5 SHA-256, checked with an RSA-3072 key", "keys/rsa3072.spki.pem", "spki-pem", "rsa-pkcs1v15", "sha256",
        S + "rsa2048-pkcs1v15-sha256.sig", "malformed",
        "an RSA-2048 signature (256 bytes) checked against an RSA-3072 key (wrong length for the key)")

    # RSA-3072 PSS SHA-256, salt = digest length
    how = f"openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest, MGF1-SHA-256, {over_msg}"
    gen("RSA-3072 PSS SHA-256 salt=digest", "keys/rsa3072.spki.pem", "spki-pem", "rsa-pss", "sha256",
        S + "rsa3072-pss-sha256-saltdigest.sig", "valid", how, salt="digest")
    gen("RSA-3072 PSS SHA-256 salt=digest, checked with salt 32", "keys/rsa3072.spki.pem", "spki-pem", "rsa-pss", "sha256",
        S + "rsa3072-pss-sha256-saltdigest.sig", "valid", how + "; salt length given as the number 32", salt=32)
    gen("RSA-3072 PSS SHA-256 salt=digest, checked with salt auto", "keys/rsa3072.spki.pem", "spki-pem", "rsa-pss", "sha256",
        S + "rsa3072-pss-sha256-saltdigest.sig", "valid", how + "; salt length recovered from the signature", salt="auto")
    gen("RSA-3072 PSS SHA-256 salt=digest, checked with salt 20", "keys/rsa3072.spki.pem", "spki-pem", "rsa-pss", "sha256",
        S + "rsa3072-pss-sha256-saltdigest.sig", "invalid", how + "; checked with a required salt length of 20", salt=20)
    gen("RSA-3072 PSS SHA-256 salt=digest, checked as PKCS#1 v1.5", "keys/rsa3072.spki.pem", "spki-pem", "rsa-pkcs1v15", "sha256",
        S + "rsa3072-pss-sha256-saltdigest.sig", "invalid", how + "; checked with the wrong padding scheme")
    gen("RSA-3072 PSS SHA-256 salt=digest, bit flipped", "keys/rsa3072.spki.pem", "spki-pem", "rsa-pss", "sha256",
        S + "rsa3072-pss-sha256-saltdigest-bitflip.sig", "invalid", flipped, salt="digest")
    gen("RSA-3072 PSS SHA-256 salt=digest, 383-byte signature", "keys/rsa3072.spki.pem", "spki-pem", "rsa-pss", "sha256",
        S + "rsa3072-pss-sha256-saltdigest-short.sig", "malformed", short, salt="digest")

    # RSA-2048 PSS SHA-256, salt = max (222)
    how = f"openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:max (222 bytes), MGF1-SHA-256, {over_msg}"
    gen("RSA-2048 PSS SHA-256 salt=max", "keys/rsa2048.spki.pem", "spki-pem", "rsa-pss", "sha256",
        S + "rsa2048-pss-sha256-saltmax.sig", "valid", how, salt="max")
    gen("RSA-2048 PSS SHA-256 salt=max, checked with salt auto", "keys/rsa2048.spki.pem", "spki-pem", "rsa-pss", "sha256",
        S + "rsa2048-pss-sha256-saltmax.sig", "valid", how + "; salt length recovered from the signature", salt="auto")
    gen("RSA-2048 PSS SHA-256 salt=max, checked with salt=digest", "keys/rsa2048.spki.pem", "spki-pem", "rsa-pss", "sha256",
        S + "rsa2048-pss-sha256-saltmax.sig", "invalid", how + "; checked with a required salt length of 32", salt="digest")
    gen("RSA-2048 PSS SHA-256 salt=max, bit flipped", "keys/rsa2048.spki.pem", "spki-pem", "rsa-pss", "sha256",
        S + "rsa2048-pss-sha256-saltmax-bitflip.sig", "invalid", flipped, salt="max")
    gen("RSA-2048 PSS SHA-256 salt=max, 255-byte signature", "keys/rsa2048.spki.pem", "spki-pem", "rsa-pss", "sha256",
        S + "rsa2048-pss-sha256-saltmax-short.sig", "malformed", short, salt="max")

    # ECDSA P-256 / P-384 / P-521, DER and raw r||s
    for curve, name, h in (("P-256", "p256", "sha256"), ("P-384", "p384", "sha384"), ("P-521", "p521", "sha512")):
        base = f"ECDSA {curve} {h.upper().replace('SHA', 'SHA-')}"
        stem = f"{S}ecdsa-{name}-{h}"
        spki, point = f"keys/{name}.spki.pem", f"keys/{name}.point.bin"
        how = f"openssl dgst -{h} -sign, DER ECDSA-Sig-Value, {over_msg}"
        how_raw = f"the DER signature {stem}-der.sig re-encoded as r||s (each left-padded to the field size)"
        gen(f"{base} DER", spki, "spki-pem", "ecdsa", h, stem + "-der.sig", "valid", how, curve=curve, encoding="der")
        gen(f"{base} raw r||s", point, "ec-point-raw", "ecdsa", h, stem + "-raw.sig", "valid", how_raw, curve=curve, encoding="raw")
        gen(f"{base} raw r||s (key spki-pem)", spki, "spki-pem", "ecdsa", h, stem + "-raw.sig", "valid", how_raw, curve=curve, encoding="raw")
        gen(f"{base} DER, bit flipped", spki, "spki-pem", "ecdsa", h, stem + "-der-bitflip.sig", "invalid",
            flipped + " (changes s; the DER stays well-formed)", curve=curve, encoding="der")
        gen(f"{base} raw r||s, bit flipped", point, "ec-point-raw", "ecdsa", h, stem + "-raw-bitflip.sig", "invalid",
            flipped, curve=curve, encoding="raw")
        gen(f"{base} DER, truncated", spki, "spki-pem", "ecdsa", h, stem + "-der-short.sig", "malformed",
            short + " (the DER lengths now run past the end)", curve=curve, encoding="der")
        gen(f"{base} raw r||s, one byte short", point, "ec-point-raw", "ecdsa", h, stem + "-raw-short.sig", "malformed",
            short, curve=curve, encoding="raw")
        gen(f"{base} DER, given as raw", spki, "spki-pem", "ecdsa", h, stem + "-der.sig", "malformed",
            "the DER signature declared as raw r||s (wrong length for raw)", curve=curve, encoding="raw")
    gen("ECDSA P-256 DER garbage", "keys/p256.spki.pem", "spki-pem", "ecdsa", "sha256", S + "ecdsa-der-garbage.sig",
        "malformed", "7 bytes 30ff0201010201: a SEQUENCE with an invalid length byte", curve="P-256", encoding="der")
    gen("ECDSA P-256 DER, wrong key", "keys/rfc6979-p256.point.bin", "ec-point-raw", "ecdsa", "sha256",
        S + "ecdsa-p256-sha256-der.sig", "invalid", "a valid P-256 signature checked against another P-256 key",
        curve="P-256", encoding="der")

    # Ed25519 (PureEdDSA)
    how = f"openssl pkeyutl -sign -rawin, {over_msg}"
    gen("Ed25519", "keys/ed25519.spki.pem", "spki-pem", "ed25519", None, S + "ed25519.sig", "valid", how)
    gen("Ed25519 (key raw)", "keys/ed25519.pub.bin", "ed25519-raw", "ed25519", None, S + "ed25519.sig", "valid", how)
    gen("Ed25519, R bit flipped", "keys/ed25519.spki.pem", "spki-pem", "ed25519", None, S + "ed25519-bitflip.sig",
        "invalid", "the signature above with its first byte XOR 0x01")
    gen("Ed25519, 63-byte signature", "keys/ed25519.spki.pem", "spki-pem", "ed25519", None, S + "ed25519-short.sig",
        "malformed", short)

    # Signatures over a precomputed digest (input: digest; messageHex is the 32-byte digest)
    how = f"openssl pkeyutl -sign -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:digest, {over_dig}"
    gen("RSA-2048 PSS SHA-256 salt=digest over a digest", "keys/rsa2048.spki.pem", "spki-pem", "rsa-pss", "sha256",
        S + "rsa2048-pss-sha256-saltdigest-prehashed.sig", "valid", how, salt="digest", input_="digest")
    gen("RSA-2048 PSS SHA-256 salt=digest over a digest, bit flipped", "keys/rsa2048.spki.pem", "spki-pem", "rsa-pss", "sha256",
        S + "rsa2048-pss-sha256-saltdigest-prehashed-bitflip.sig", "invalid", flipped, salt="digest", input_="digest")
    gen("RSA-2048 PSS SHA-256 salt=digest, same signature over the message", "keys/rsa2048.spki.pem", "spki-pem", "rsa-pss",
        "sha256", S + "rsa2048-pss-sha256-saltdigest-prehashed.sig", "valid",
        how + "; checked as input: message over signatures/message.bin", salt="digest")
    how = f"openssl pkeyutl -sign -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pkcs1, {over_dig}"
    gen("RSA-2048 PKCS#1 v1.5 SHA-256 over a digest", "keys/rsa2048.spki.pem", "spki-pem", "rsa-pkcs1v15", "sha256",
        S + "rsa2048-pkcs1v15-sha256-prehashed.sig", "valid", how, input_="digest")
    gen("RSA-2048 PKCS#1 v1.5 SHA-256 over a digest, bit flipped", "keys/rsa2048.spki.pem", "spki-pem", "rsa-pkcs1v15",
        "sha256", S + "rsa2048-pkcs1v15-sha256-prehashed-bitflip.sig", "invalid", flipped, input_="digest")
    how = f"openssl pkeyutl -sign -pkeyopt digest:sha256, DER ECDSA-Sig-Value, {over_dig}"
    gen("ECDSA P-256 SHA-256 over a digest", "keys/p256.spki.pem", "spki-pem", "ecdsa", "sha256",
        S + "ecdsa-p256-sha256-prehashed-der.sig", "valid", how, curve="P-256", encoding="der", input_="digest")
    gen("ECDSA P-256 SHA-256 over a digest, bit flipped", "keys/p256.spki.pem", "spki-pem", "ecdsa", "sha256",
        S + "ecdsa-p256-sha256-prehashed-der-bitflip.sig", "invalid", flipped, curve="P-256", encoding="der", input_="digest")
    gen("ECDSA P-256 SHA-256 over a digest, same signature over the message", "keys/p256.spki.pem", "spki-pem", "ecdsa",
        "sha256", S + "ecdsa-p256-sha256-prehashed-der.sig", "valid",
        how + "; checked as input: message over signatures/message.bin", curve="P-256", encoding="der")
    return out

# =================================================================================== certificates

KU_NAMES = {"Digital Signature": "digitalSignature", "Non Repudiation": "nonRepudiation",
            "Key Encipherment": "keyEncipherment", "Data Encipherment": "dataEncipherment",
            "Key Agreement": "keyAgreement", "Certificate Sign": "keyCertSign", "CRL Sign": "cRLSign",
            "Encipher Only": "encipherOnly", "Decipher Only": "decipherOnly"}
EKU_NAMES = {"Code Signing": "codeSigning", "TLS Web Server Authentication": "serverAuth",
             "TLS Web Client Authentication": "clientAuth", "E-mail Protection": "emailProtection",
             "Time Stamping": "timeStamping", "OCSP Signing": "OCSPSigning"}
EKU_OIDS = {"1.3.6.1.5.5.7.3.3": "codeSigning", "1.3.6.1.5.5.7.3.1": "serverAuth", "1.3.6.1.5.5.7.3.2": "clientAuth",
            "1.3.6.1.5.5.7.3.4": "emailProtection", "1.3.6.1.5.5.7.3.8": "timeStamping", "1.3.6.1.5.5.7.3.9": "OCSPSigning"}
KU_ATTRS = [("digital_signature", "digitalSignature"), ("content_commitment", "nonRepudiation"),
            ("key_encipherment", "keyEncipherment"), ("data_encipherment", "dataEncipherment"),
            ("key_agreement", "keyAgreement"), ("key_cert_sign", "keyCertSign"), ("crl_sign", "cRLSign")]


def rfc3339(openssl_iso):  # "2024-01-01 00:00:00Z" -> "2024-01-01T00:00:00Z"
    return openssl_iso.replace(" ", "T")


def describe_openssl(path):
    inform = "DER" if path.endswith(".der") else "PEM"
    base = ["x509", "-in", path, "-inform", inform, "-noout"]
    fields = {}
    for line in ossl_ok(*base, "-nameopt", "RFC2253", "-subject", "-issuer", "-serial", "-dateopt", "iso_8601",
                        "-startdate", "-enddate", "-fingerprint", "-sha256").decode().splitlines():
        k, _, v = line.partition("=")
        fields[k.strip()] = v.strip()
    text = ossl_ok(*base, "-text").decode()
    sigalg = re.search(r"Signature Algorithm: (\S+)", text).group(1)
    pkalg = re.search(r"Public Key Algorithm: (\S+)", text).group(1)
    bits = re.search(r"Public-Key: \((\d+) bit\)", text)
    curve = re.search(r"NIST CURVE: (P-\d+)", text)
    key_type = {"rsaEncryption": "rsa", "id-ecPublicKey": "ec", "ED25519": "ed25519"}[pkalg]
    ext = {}
    rc, out, _ = ossl(*base, "-ext", "basicConstraints,keyUsage,extendedKeyUsage,subjectAltName")
    lines = out.decode().splitlines() if rc == 0 else []
    for i, line in enumerate(lines):
        m = re.match(r"\s*X509v3 (.+?):( critical)?\s*$", line)
        if m and i + 1 < len(lines):
            ext[m.group(1)] = lines[i + 1].strip()
    bc = ext.get("Basic Constraints", "")
    pathlen = re.search(r"pathlen:(\d+)", bc)
    return {
        "file": path,
        "subject": fields["subject"],
        "issuer": fields["issuer"],
        "serial": fields["serial"].lower(),
        "notBefore": rfc3339(fields["notBefore"]),
        "notAfter": rfc3339(fields["notAfter"]),
        "keyType": key_type,
        "keyBits": int(bits.group(1)) if bits else 256,  # Ed25519: no bit count printed; 256-bit key
        "curve": curve.group(1) if curve else None,
        "signatureAlgorithm": sigalg,
        "subjectAltNames": [s.strip() for s in ext["Subject Alternative Name"].split(",")] if "Subject Alternative Name" in ext else [],
        "keyUsage": [KU_NAMES[s.strip()] for s in ext["Key Usage"].split(",")] if "Key Usage" in ext else [],
        "extendedKeyUsage": [EKU_NAMES[s.strip()] for s in ext["Extended Key Usage"].split(",")] if "Extended Key Usage" in ext else [],
        "isCA": "CA:TRUE" in bc,
        "pathLength": int(pathlen.group(1)) if pathlen else None,
        "sha256": fields["sha256 Fingerprint"].replace(":", "").lower(),
    }


def describe_python(path):
    data = read(path)
    cert = x509.load_der_x509_certificate(data) if path.endswith(".der") else x509.load_pem_x509_certificate(data)
    pub = cert.public_key()
    key_type, bits, curve = key_facts(pub)

    def ext(cls):
        try:
            return cert.extensions.get_extension_for_class(cls).value
        except x509.ExtensionNotFound:
            return None
    san, ku, eku, bc = (ext(x509.SubjectAlternativeName), ext(x509.KeyUsage), ext(x509.ExtendedKeyUsage),
                        ext(x509.BasicConstraints))
    sans = []
    for gn in san or []:
        prefix = {x509.DNSName: "DNS", x509.RFC822Name: "email", x509.UniformResourceIdentifier: "URI"}[type(gn)]
        sans.append(f"{prefix}:{gn.value}")
    kus = [name for attr, name in KU_ATTRS if ku is not None and getattr(ku, attr)]
    if ku is not None and ku.key_agreement:
        kus += [n for a, n in (("encipher_only", "encipherOnly"), ("decipher_only", "decipherOnly")) if getattr(ku, a)]
    return {
        "file": path,
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "x"),
        "notBefore": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "notAfter": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "keyType": key_type,
        "keyBits": bits,
        "curve": curve,
        "signatureAlgorithm": cert.signature_algorithm_oid._name,
        "subjectAltNames": sans,
        "keyUsage": kus,
        "extendedKeyUsage": [EKU_OIDS[o.dotted_string] for o in eku or []],
        "isCA": bool(bc and bc.ca),
        "pathLength": bc.path_length if bc else None,
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
    }


CERT_FILES = [
    "chains/root.pem", "chains/intermediate.pem", "chains/leaf-valid.pem",
    "chains/intermediate-expired.pem", "chains/intermediate-not-ca.pem",
    "chains/leaf-expired.pem", "chains/leaf-not-yet-valid.pem", "chains/leaf-under-expired-intermediate.pem",
    "chains/leaf-sigflip.pem", "chains/leaf-under-not-ca.pem", "chains/leaf-serverauth-only.pem",
    "chains/leaf-sha1.pem", "chains/leaf-rsa1024.pem", "chains/leaf-revoked.pem", "chains/leaf-self-signed.pem",
    "chains/leaf-no-digitalsignature.pem",
    "certs/ecdsa-root.pem", "certs/ed25519-leaf.pem", "certs/san-leaf.pem",
    "keys/rsa2048-cert.pem", "keys/rsa2048-cert.der",
    "cms/unrelated-root.pem", "cms/unrelated-leaf.pem",
]


def build_certificates():
    out = []
    for path in CERT_FILES:
        a, b = describe_openssl(path), describe_python(path)
        diff = {k: (a[k], b[k]) for k in a if a[k] != b[k]}
        # python writes the serial without leading zeros; openssl (BN_bn2hex) in whole bytes
        if "serial" in diff and int(a["serial"], 16) == int(b["serial"], 16):
            del diff["serial"]
        check(not diff, f"certificate {path}: openssl and python disagree: {diff}")
        out.append(a)
    return out

# =================================================================================== chains


def chain_case(name, leaf, failed, errors, why, intermediates=(INTERMEDIATE,), crls=(), crl_check="none",
               purpose="code-signing"):
    return {"name": name, "leaf": leaf, "intermediates": list(intermediates), "roots": [ROOT], "crls": list(crls),
            "crlCheck": crl_check, "purpose": purpose, "at": AT, "verdict": "fail" if failed else "pass",
            "failed": failed, "warnings": [], "opensslErrors": errors, "why": why}


CHAINS = [
    chain_case("valid", "chains/leaf-valid.pem", [], [],
               "Root -> intermediate (CA:TRUE, pathlen:0) -> code-signing leaf (digitalSignature, codeSigning), all in date at 2026-06-01."),
    chain_case("expired-leaf", "chains/leaf-expired.pem", ["cert.expired"], ["X509_V_ERR_CERT_HAS_EXPIRED"],
               "The leaf's notAfter (2025-01-01) is before the verification time."),
    chain_case("not-yet-valid-leaf", "chains/leaf-not-yet-valid.pem", ["cert.not-yet-valid"], ["X509_V_ERR_CERT_NOT_YET_VALID"],
               "The leaf's notBefore (2027-01-01) is after the verification time."),
    chain_case("expired-intermediate", "chains/leaf-under-expired-intermediate.pem", ["cert.expired"],
               ["X509_V_ERR_CERT_HAS_EXPIRED"],
               "The intermediate expired on 2025-01-01 (error at depth 1) although the leaf it signed is still in date.",
               intermediates=["chains/intermediate-expired.pem"]),
    chain_case("missing-intermediate", "chains/leaf-valid.pem", ["cert.untrusted-chain"],
               ["X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY"],
               "No intermediate is supplied, so no path from the leaf to the trusted root can be built.", intermediates=[]),
    chain_case("wrong-issuer-signature", "chains/leaf-sigflip.pem", ["cert.untrusted-chain"],
               ["X509_V_ERR_CERT_SIGNATURE_FAILURE"],
               "One bit of the leaf's signatureValue was flipped after issuance, so the intermediate's signature over it does not verify."),
    chain_case("intermediate-not-ca", "chains/leaf-under-not-ca.pem", ["cert.untrusted-chain"],
               ["X509_V_ERR_INVALID_CA", "X509_V_ERR_KEYUSAGE_NO_CERTSIGN"],
               "The issuing certificate has basicConstraints CA:FALSE (and keyUsage digitalSignature only) but signed the leaf; "
               "OpenSSL reports both the non-CA issuer and its missing keyCertSign.",
               intermediates=["chains/intermediate-not-ca.pem"]),
    chain_case("no-codesigning-eku", "chains/leaf-serverauth-only.pem", ["cert.purpose"], [],
               "The leaf's extendedKeyUsage is serverAuth only. openssl verify says OK (OpenSSL 3.0 has no code-signing "
               "purpose to check and no -purpose was given), but fwgate must fail it for purpose code-signing."),
    chain_case("no-codesigning-eku-no-purpose", "chains/leaf-serverauth-only.pem", [], [],
               "The same serverAuth-only leaf with no purpose requested: nothing about its EKU is checked, so the chain passes.",
               purpose=None),
    chain_case("sha1-signed-leaf", "chains/leaf-sha1.pem", ["algorithm.weak"], [],
               "The intermediate signed the leaf with sha1WithRSAEncryption. openssl verify says OK (no security level is "
               "applied by default), but fwgate's default policy refuses SHA-1."),
    chain_case("rsa1024-leaf", "chains/leaf-rsa1024.pem", ["algorithm.weak"], [],
               "The leaf's key is RSA-1024. openssl verify says OK (no security level is applied by default), but fwgate's "
               "default policy refuses RSA keys under 2048 bits."),
    chain_case("revoked-leaf", "chains/leaf-revoked.pem", ["cert.revoked"], ["X509_V_ERR_CERT_REVOKED"],
               "The intermediate's CRL (lastUpdate 2026-01-01) lists the leaf's serial as revoked (keyCompromise, 2025-06-01).",
               crls=["chains/intermediate.crl.pem"], crl_check="leaf"),
    chain_case("valid-leaf-crl-check", "chains/leaf-valid.pem", [], [],
               "The intermediate's CRL is current and does not list this leaf.",
               crls=["chains/intermediate.crl.pem"], crl_check="leaf"),
    chain_case("self-signed-leaf", "chains/leaf-self-signed.pem", ["cert.untrusted-chain"],
               ["X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT"],
               "The code-signing certificate is signed by its own key and is not among the trusted roots."),
    chain_case("valid-full-crl-check", "chains/leaf-valid.pem", [], [],
               "CRLs from the root (revoking nothing) and from the intermediate (revoking another leaf) are both current; "
               "nothing on this chain is revoked.",
               crls=["chains/root.crl.pem", "chains/intermediate.crl.pem"], crl_check="chain"),
    chain_case("no-digitalsignature-keyusage", "chains/leaf-no-digitalsignature.pem", ["cert.purpose"], [],
               "The leaf has extendedKeyUsage codeSigning but keyUsage keyEncipherment only, so its key may not make "
               "signatures. openssl verify says OK (it does not check keyUsage of the leaf without a purpose), but fwgate "
               "must fail it for purpose code-signing."),
]


def build_chains():
    out = []
    for case in CHAINS:
        args = ["verify", "-x509_strict", "-attime", str(AT_EPOCH), "-CAfile", case["roots"][0]]
        for i in case["intermediates"]:
            args += ["-untrusted", i]
        if case["crlCheck"] != "none":
            args.append("-crl_check" if case["crlCheck"] == "leaf" else "-crl_check_all")
            for c in case["crls"]:
                args += ["-CRLfile", c]
        args.append(case["leaf"])
        rc, said = ossl_said(args)
        seen = []
        for num in re.findall(r"error (\d+) at \d+ depth lookup", said):
            name = X509_V_ERR.get(int(num), f"X509_V_ERR_{num}")
            if name not in seen:
                seen.append(name)
        check(seen == case["opensslErrors"], f"chain {case['name']}: openssl reported {seen}, expected {case['opensslErrors']}:\n{said}")
        check(rc == (2 if seen else 0), f"chain {case['name']}: openssl verify exit {rc}")
        case = dict(case)
        case["reference"] = {"command": "openssl " + " ".join(args), "exit": rc, "said": said}
        why = case.pop("why")
        case["why"] = why
        out.append(case)
    return out

# =================================================================================== cms


CMS_CASES = [
    # name, file, encoding, content, signer cert, failed, openssl exit, text openssl must print, why
    ("detached-der-valid", "cms/detached.p7s", "der", "cms/content.bin", "chains/leaf-valid.pem", [], 0,
     "CMS Verification successful",
     "Detached SignedData (DER) by the code-signing leaf; the intermediate is embedded (-certfile), the root is trusted."),
    ("detached-pem-valid", "cms/detached.pem", "pem", "cms/content.bin", "chains/leaf-valid.pem", [], 0,
     "CMS Verification successful",
     "The same kind of detached signature in PEM (BEGIN CMS)."),
    ("attached-der-valid", "cms/attached.p7s", "der", None, "chains/leaf-valid.pem", [], 0,
     "CMS Verification successful",
     "SignedData with the content inside (-nodetach)."),
    ("detached-content-tampered", "cms/detached.p7s", "der", "cms/content-tampered.bin", "chains/leaf-valid.pem",
     ["signature.invalid"], 4, "content verify error",
     "One bit of the content (byte 1000) was flipped, so its digest no longer matches the signed messageDigest attribute."),
    ("detached-signature-flipped", "cms/detached-sigflip.p7s", "der", "cms/content.bin", "chains/leaf-valid.pem",
     ["signature.invalid"], 4, "CMS_SignerInfo_verify:verification failure",
     "One byte in the middle of the SignerInfo signature value was XORed with 0x01; the structure is intact."),
    ("unrelated-signer", "cms/unrelated-signer.p7s", "der", "cms/content.bin", "cms/unrelated-leaf.pem",
     ["cert.untrusted-chain"], 4, "unable to get local issuer certificate",
     "Signed by a code-signing leaf of an unrelated self-made CA (cms/unrelated-root.pem), which is not trusted."),
    ("expired-signer", "cms/expired-signer.p7s", "der", "cms/content.bin", "chains/leaf-expired.pem",
     ["cert.expired"], 4, "certificate has expired",
     "Signed by the leaf that expired on 2025-01-01; the signature itself is intact."),
    ("truncated", "cms/detached-truncated.p7s", "der", "cms/content.bin", None, ["malformed.encoding"], 2,
     "not enough data",
     "cms/detached.p7s cut to its first half: the outer DER length runs past the end of the file."),
]


def build_cms():
    out = []
    for name, path, enc, content, signer, failed, want_rc, want_text, why in CMS_CASES:
        args = ["cms", "-verify", "-binary", "-purpose", "any", "-attime", str(AT_EPOCH), "-CAfile", ROOT,
                "-inform", enc.upper(), "-in", path]
        if content:
            args += ["-content", content]
        args += ["-out", "/dev/null"]
        rc, said = ossl_said(args)
        check(rc == want_rc and want_text in said, f"cms {name}: openssl exit {rc}, said:\n{said}")
        subject = None
        if signer:
            subject = ossl_ok("x509", "-in", signer, "-noout", "-subject", "-nameopt", "RFC2253").decode().strip()
            subject = subject.partition("=")[2]
            data = read(path)
            if enc == "pem":  # "BEGIN CMS": the same DER inside; python only knows the "PKCS7" label
                data = base64.b64decode(b"".join(l for l in data.splitlines() if not l.startswith(b"-----")))
            certs = pkcs7.load_der_pkcs7_certificates(data)
            signer_der = x509.load_pem_x509_certificate(read(signer)).public_bytes(serialization.Encoding.DER)
            check(any(c.public_bytes(serialization.Encoding.DER) == signer_der for c in certs),
                  f"cms {name}: signer certificate {signer} is not embedded")
        out.append({"name": name, "file": path, "encoding": enc, "detachedContent": content, "roots": [ROOT],
                    "intermediates": [], "at": AT, "purpose": "code-signing", "verdict": "fail" if failed else "pass",
                    "failed": failed, "signerSubject": subject,
                    "reference": {"command": "openssl " + " ".join(args), "exit": rc, "said": said}, "why": why})
    return out

# =================================================================================== main


def main():
    published = json.loads(read("published.json"))
    version = ossl_ok("version").decode().strip()
    write_published_keys(published)
    with tempfile.TemporaryDirectory() as tmp:
        doc = {
            "about": (
                "Known-answer vectors for fwgate's FirmwareCrypto and X.509/CMS checks. Made by generate.sh with "
                f"{version} and python cryptography; published vectors come from published.json and cite their source. "
                "Every value was cross-checked with the openssl CLI and python cryptography when it was written. "
                "Paths are relative to testvectors/crypto/. Hex is lowercase; times are RFC 3339 UTC. "
                "keys[].fingerprint is SHA-256 over the DER SubjectPublicKeyInfo; bits for Ed25519 is 256 (the key size; "
                "OpenSSL's EVP_PKEY_get_bits says 253). signatures[].input 'digest' means messageHex is the precomputed "
                "hash that was signed. pssSaltLength: 'digest' = hash length, 'max' = modulus bytes - hash length - 2, "
                "'auto' = recover it from the signature, or a number of bytes. result 'malformed' = wrong length or "
                "broken encoding for the key; 'invalid' = well-formed but does not verify. certificates[]: keyUsage and "
                "extendedKeyUsage are [] when the extension is absent; subject/issuer as openssl -nameopt RFC2253. "
                "chains[] and cms[]: 'failed' lists the fwgate check codes (DESIGN.md) that must fail; 'opensslErrors' are "
                "the X509_V_ERR names `openssl verify` printed (numbers differ between OpenSSL versions, names do not); "
                "reference.said is openssl's stdout+stderr with the per-run thread id removed from error lines. "
                "All chain and CMS cases are evaluated at 'at' = 2026-06-01T00:00:00Z (openssl -attime 1780272000). "
                "Keys are random on every regeneration; names, subjects, serials, extensions and dates are fixed."),
            "digests": build_digests(published),
        }
        doc["keys"], doc["badKeys"], _ = build_keys()
        doc["signatures"] = build_signatures(published, tmp)
    doc["certificates"] = build_certificates()
    doc["chains"] = build_chains()
    doc["cms"] = build_cms()
    if problems:
        print("expected.json NOT written; these did not check out:", file=sys.stderr)
        for p in problems:
            print(" - " + p, file=sys.stderr)
        sys.exit(1)
    with open("expected.json", "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"expected.json: {len(doc['digests'])} digests, {len(doc['keys'])} keys, {len(doc['badKeys'])} bad keys, "
          f"{len(doc['signatures'])} signatures, {len(doc['certificates'])} certificates, {len(doc['chains'])} chains, "
          f"{len(doc['cms'])} cms", file=sys.stderr)


if __name__ == "__main__":
    main()
