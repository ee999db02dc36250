#!/usr/bin/env python3
"""Writes expected.json for the CMS vectors: fwgate's expected verdict and failed codes for each,
and the reference verdict of `openssl cms -verify -binary -purpose any (OpenSSL 3.0 has no code-signing purpose)` at the same time
with the same trust (where openssl is more lenient than fwgate, 'why' says so)."""
import calendar, json, subprocess, tempfile, time

AT = "2026-06-01T00:00:00Z"
RSA = "../../keys-example/pki-rsa/"
EC = "../../keys-example/pki-ecdsa/"

# file, signature, trust, verdict, failed, why, [at]
V = [
    ("firmware.bin", "rsa.p7s", [RSA + "root.pem"], "pass", [], "DER, signed attributes, RSA-3072 EXAMPLE leaf, intermediate in the CMS"),
    ("firmware.bin", "rsa.pem", [RSA + "root.pem"], "pass", [], "the same, PEM ('CMS')"),
    ("firmware.bin", "rsa-noattr.p7s", [RSA + "root.pem"], "pass", [], "no signed attributes: the signature is over the file itself (-noattr)"),
    ("firmware.bin", "rsa-pss.p7s", [RSA + "root.pem"], "pass", [], "RSASSA-PSS with SHA-384"),
    ("firmware.bin", "ecdsa.p7s", [EC + "root.pem"], "pass", [], "ECDSA P-256 EXAMPLE chain"),
    ("firmware.bin", "pkcs7.pem", [RSA + "root.pem"], "pass", [], "PKCS#7 from openssl smime, PEM ('PKCS7')"),
    ("firmware.bin", "rsa-nochain.p7s", [RSA + "root.pem", RSA + "chain.pem"], "pass", [], "no intermediate in the CMS; it comes with --trust"),
    ("firmware.bin", "rsa-nochain.p7s", [RSA + "root.pem"], "fail", ["cert.untrusted-chain"], "no intermediate anywhere: the signer does not chain to the root"),
    ("firmware-tampered.bin", "rsa.p7s", [RSA + "root.pem"], "fail", ["signature.invalid"], "one bit of the file flipped (the message-digest attribute no longer matches)"),
    ("firmware-tampered.bin", "rsa-noattr.p7s", [RSA + "root.pem"], "fail", ["signature.invalid"], "one bit of the file flipped, signature directly over the file"),
    ("firmware-truncated.bin", "rsa.p7s", [RSA + "root.pem"], "fail", ["signature.invalid"], "the file's last byte cut off"),
    ("firmware.bin", "sig-flip.p7s", [RSA + "root.pem"], "fail", ["signature.invalid"], "one bit of the RSA signature value flipped"),
    ("firmware.bin", "digest-attr-flip.p7s", [RSA + "root.pem"], "fail", ["signature.invalid"], "the signed message-digest attribute edited after signing"),
    ("firmware.bin", "truncated.p7s", [RSA + "root.pem"], "fail", ["malformed.encoding"], "the .p7s cut short by 100 bytes: not a CMS structure"),
    ("firmware.bin", "rsa.p7s", [EC + "root.pem"], "fail", ["cert.untrusted-chain"], "wrong trust: the RSA signer does not chain to the ECDSA root"),
    ("firmware.bin", "unrelated-signer.p7s", [RSA + "root.pem"], "fail", ["cert.untrusted-chain"], "signed by a code-signing leaf of an unrelated CA (a valid signature by the wrong key)"),
    ("firmware.bin", "expired-signer.p7s", [RSA + "root.pem"], "fail", ["cert.expired"], "the signer certificate expired on 2026-01-01"),
    ("firmware.bin", "serverauth-signer.p7s", [RSA + "root.pem"], "fail", ["cert.purpose"], "the signer certificate is for TLS servers (serverAuth), not code signing"),
    ("firmware.bin", "rsa-sha1.p7s", [RSA + "root.pem"], "fail", ["algorithm.weak"], "SHA-1 message digest; openssl accepts it, fwgate does not (collisions make the signature movable)"),
    ("firmware.bin", "rsa-attached.p7s", [RSA + "root.pem"], "fail", ["signature.invalid"], "an attached CMS (it carries its own copy of the content): it is not a detached signature over the file"),
    ("firmware.bin", "rsa-revoked.p7s", [RSA + "root.pem", RSA + "crl.pem"], "fail", ["cert.revoked"], "the signer certificate is revoked in the intermediate's CRL given with --trust"),
    ("firmware.bin", "rsa.p7s", [RSA + "root.pem"], "fail", ["cert.expired"], "the valid vector verified in 2037, after the leaf's notAfter (2036-01-01)", "2037-01-01T00:00:00Z"),
    ("firmware.bin", "rsa.p7s", [RSA + "root.pem"], "fail", ["key.known-test-key"], "the valid vector under fwgate's default policy: keys-example's leaf key is published, so it fails unless a lab policy allows it", AT, None),
]
# Signatures whose signer is a keys-example EXAMPLE leaf: a known test key (its private key is
# committed), which the lab policy downgrades to a warning.
EXAMPLE_SIGNED = {"rsa.p7s", "rsa.pem", "rsa-noattr.p7s", "rsa-pss.p7s", "ecdsa.p7s", "pkcs7.pem", "rsa-nochain.p7s",
                  "sig-flip.p7s", "digest-attr-flip.p7s", "rsa-sha1.p7s", "rsa-revoked.p7s"}


def reference(file, sig, trust, at):
    cmd = ["openssl", "cms", "-verify", "-binary", "-purpose", "any", "-content", file, "-in", sig,
           "-inform", "PEM" if sig.endswith(".pem") else "DER", "-out", "/dev/null",
           "-attime", str(calendar.timegm(time.strptime(at, "%Y-%m-%dT%H:%M:%SZ")))]
    # OpenSSL 3.0's cms has no -untrusted: certificates given with --trust go into one -CAfile.
    certs = [t for t in trust if not t.endswith("crl.pem")]
    with tempfile.NamedTemporaryFile("wb", suffix=".pem") as bundle:
        for t in certs:
            bundle.write(open(t, "rb").read())
        bundle.flush()
        cmd += ["-CAfile", bundle.name]
        for t in trust:
            if t.endswith("crl.pem"):
                cmd += ["-CRLfile", t, "-crl_check"]
        return subprocess.run(cmd, capture_output=True).returncode == 0


vectors = []
for entry in V:
    file, sig, trust, verdict, failed, why = entry[:6]
    at = entry[6] if len(entry) > 6 else AT
    policy = entry[7] if len(entry) > 7 else "policy-lab.yaml"
    accepts = reference(file, sig, trust, at)
    if accepts and verdict == "fail":
        why += " (openssl cms -verify accepts it: fwgate is stricter here)"
    warned = policy and sig in EXAMPLE_SIGNED
    vector = {"file": file, "signature": sig, "trust": trust, "verdict": "warn" if verdict == "pass" and warned else verdict, "failed": failed,
              "warnings": ["key.known-test-key"] if warned else [], "why": why,
              "description": None,
              "reference": {"tool": "openssl cms -verify -binary -purpose any (OpenSSL 3.0 has no code-signing purpose)", "accepts": accepts}}
    if at != AT:
        vector["at"] = at
    if policy:
        vector["policy"] = policy
    vectors.append(vector)

version = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
doc = {
    "about": "Detached CMS / PKCS#7 signatures made by openssl cms / openssl smime over a fixed 64 KiB firmware.bin, signed with keys-example's EXAMPLE code-signing chains and TEST signers in keys/, and tampered twins; generate.sh remakes them. Each vector is verified as fwgate verify FILE --signature SIGNATURE --trust ...; 'failed' is the exact set of failed check codes; 'reference' is openssl cms -verify at the same time and trust.",
    "tool": {"name": "openssl", "version": version},
    "vectors": vectors,
}
with open("expected.json", "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
