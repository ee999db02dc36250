"""Makes raw (container-less) signatures with openssl and writes expected.json. TEST keys,
private halves committed on purpose: never trust them. RSA PKCS#1 v1.5 and Ed25519 signatures
are deterministic; PSS and ECDSA ones are randomised. Run: python3 generate.py"""
import json
import os
import random
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def run(*args, check=True):
    return subprocess.run(args, cwd=HERE, capture_output=True, check=check)


def path(*parts):
    return os.path.join(HERE, *parts)


os.makedirs(path("keys"), exist_ok=True)
specs = {"rsa2048": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
         "p256": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
         "p384": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
         "ed25519": ["-algorithm", "ed25519"],
         "other-p256": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]}
for name, gen in specs.items():
    if not os.path.exists(path("keys", f"{name}.key")):
        run("openssl", "genpkey", *gen, "-out", f"keys/{name}.key")
    run("openssl", "pkey", "-in", f"keys/{name}.key", "-pubout", "-out", f"keys/{name}.pub.pem")

content = random.Random(23).randbytes(50000)
open(path("firmware.bin"), "wb").write(content)
tampered = bytearray(content); tampered[49999] ^= 1
open(path("firmware-tampered.bin"), "wb").write(bytes(tampered))

run("openssl", "dgst", "-sha256", "-sign", "keys/rsa2048.key", "-out", "rsa2048-sha256.sig", "firmware.bin")
run("openssl", "dgst", "-sha512", "-sign", "keys/rsa2048.key", "-out", "rsa2048-sha512.sig", "firmware.bin")
run("openssl", "dgst", "-sha256", "-sign", "keys/rsa2048.key", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-out", "rsa2048-pss.sig", "firmware.bin")
run("openssl", "dgst", "-sha256", "-sign", "keys/p256.key", "-out", "p256.sig", "firmware.bin")
run("openssl", "dgst", "-sha384", "-sign", "keys/p384.key", "-out", "p384.sig", "firmware.bin")
run("openssl", "pkeyutl", "-sign", "-rawin", "-inkey", "keys/ed25519.key", "-in", "firmware.bin", "-out", "ed25519.sig")
run("openssl", "dgst", "-sha256", "-sign", "keys/other-p256.key", "-out", "other-p256.sig", "firmware.bin")
sig = bytearray(open(path("p256.sig"), "rb").read()); open(path("p256-truncated.sig"), "wb").write(bytes(sig[:-5]))
sig = bytearray(open(path("rsa2048-sha256.sig"), "rb").read()); sig[100] ^= 1; open(path("rsa2048-flip.sig"), "wb").write(bytes(sig))
open(path("oversized.sig"), "wb").write(random.Random(24).randbytes(3000))


def reference(content_file, sig, key):
    if key is None:
        return {"tool": "none", "accepts": None}
    if "ed25519" in key:
        r = run("openssl", "pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", key, "-in", content_file, "-sigfile", sig, check=False)
        return {"tool": f"openssl pkeyutl -verify -rawin -pubin -inkey {key}", "accepts": r.returncode == 0}
    digest = "-sha384" if "p384" in key else ("-sha512" if "sha512" in sig else "-sha256")
    extra = ["-sigopt", "rsa_padding_mode:pss"] if "pss" in sig else []
    r = run("openssl", "dgst", digest, *extra, "-verify", key, "-signature", sig, content_file, check=False)
    return {"tool": f"openssl dgst {digest} {' '.join(extra)} -verify {key}".replace("  ", " "), "accepts": r.returncode == 0}


vectors = []


def vector(file, signature, verdict, failed, trust, why, parse_error=None, attack=None):
    v = {"file": file, "signature": signature, "trust": trust, "verdict": verdict, "failed": sorted(failed), "warnings": [], "why": why}
    if attack:
        v["attack"] = attack
    v["description"] = {"parseError": parse_error} if parse_error else None
    v["reference"] = reference(file, signature, trust[0] if trust else None)
    vectors.append(v)


vector("firmware.bin", "rsa2048-sha256.sig", "pass", [], ["keys/rsa2048.pub.pem"], "openssl dgst -sha256 -sign (RSA PKCS#1 v1.5)")
vector("firmware.bin", "rsa2048-sha512.sig", "pass", [], ["keys/rsa2048.pub.pem"], "RSA PKCS#1 v1.5 with SHA-512")
vector("firmware.bin", "rsa2048-pss.sig", "pass", [], ["keys/rsa2048.pub.pem"], "RSA-PSS with SHA-256, salt 32")
vector("firmware.bin", "p256.sig", "pass", [], ["keys/p256.pub.pem"], "ECDSA P-256 SHA-256, DER")
vector("firmware.bin", "p384.sig", "pass", [], ["keys/p384.pub.pem"], "ECDSA P-384 SHA-384, DER")
vector("firmware.bin", "ed25519.sig", "pass", [], ["keys/ed25519.pub.pem"], "openssl pkeyutl -sign -rawin (pure Ed25519 over the file)")
vector("firmware.bin", "ed25519.sig", "pass", [], ["keys/p256.pub.pem", "keys/ed25519.pub.pem"], "two trusted keys: a 64-byte signature is tried as P-256 r||s and as Ed25519 (the reference, run with the first key, refuses it)")
vector("firmware-tampered.bin", "p256.sig", "fail", ["signature.invalid"], ["keys/p256.pub.pem"], "the last bit of the file flipped")
vector("firmware-tampered.bin", "ed25519.sig", "fail", ["signature.invalid"], ["keys/ed25519.pub.pem"], "the last bit of the file flipped")
vector("firmware.bin", "rsa2048-flip.sig", "fail", ["signature.invalid"], ["keys/rsa2048.pub.pem"], "one bit of the RSA signature flipped")
vector("firmware.bin", "p256-truncated.sig", "fail", ["signature.invalid"], ["keys/p256.pub.pem"], "the DER signature cut by 5 bytes")
vector("firmware.bin", "other-p256.sig", "fail", ["signature.invalid"], ["keys/p256.pub.pem"],
       "signed by another P-256 key: a raw signature names no key, so fwgate cannot tell this from a changed file, and says both", attack="sign with your own key")
vector("firmware.bin", "ed25519.sig", "fail", ["key.untrusted"], ["keys/rsa2048.pub.pem"], "only an RSA-2048 key is trusted: no trusted key could have made a 64-byte signature")
vector("firmware.bin", "p256.sig", "fail", ["key.untrusted"], [], "no trusted key")
vector("firmware.bin", "oversized.sig", "fail", ["malformed.length"], ["keys/p256.pub.pem"], "3000 bytes of noise: longer than any signature",
       parse_error={"code": "malformed.length", "offset": 0})

json.dump({"about": "Raw signatures over a fixed pseudo-random firmware.bin made by openssl with the TEST keys in keys/, and tampered twins; generate.py remakes them (PSS and ECDSA signatures are randomised). Each vector is verified as fwgate verify FILE --signature SIGNATURE --trust KEY...; 'failed' is the exact set of failed check codes. 'reference' is openssl dgst -verify / pkeyutl -verify with the first trusted key.",
           "tool": {"name": "openssl", "version": run("openssl", "version").stdout.decode().strip()}, "vectors": vectors},
          open(path("expected.json"), "w"), indent=2)
print(f"wrote {len(vectors)} vectors")
