#!/usr/bin/env python3
"""Writes expected-openssl.json: what `fwgate certs sweep --at 2026-06-01T00:00:00Z` must report
for each certificate under certs/, from openssl alone (not from fwgate).

For every certificate in every PEM, DER, PEM bundle and PKCS#7 file, runs
`openssl x509 -noout -subject -serial -enddate -fingerprint -sha256 -nameopt RFC2253`, and computes
daysLeft (whole days from --at to notAfter, rounded down) and bucket (expired: notAfter < at;
critical: <= 7 days; warning: <= 30 days; ok) as DESIGN.md's sweep contract defines them.
Run from testvectors/sweep/ (generate.sh calls it last); needs only openssl and python3.
"""
import datetime, json, math, os, subprocess

AT = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)

def run(args, data=None):
    return subprocess.run(args, input=data, capture_output=True, check=True).stdout

def pems(path):
    raw = open(path, "rb").read()
    if path.endswith((".p7b", ".p7c")):
        form = "DER" if b"-----BEGIN" not in raw else "PEM"
        raw = run(["openssl", "pkcs7", "-print_certs", "-inform", form, "-in", path])
    elif b"-----BEGIN CERTIFICATE" not in raw:
        try:
            raw = run(["openssl", "x509", "-inform", "DER", "-in", path])
        except subprocess.CalledProcessError:
            return []
    blocks, current = [], []
    for line in raw.decode().splitlines():
        if line.startswith("-----BEGIN CERTIFICATE"):
            current = [line]
        elif current:
            current.append(line)
            if line.startswith("-----END CERTIFICATE"):
                blocks.append("\n".join(current) + "\n")
                current = []
    return blocks

def facts(pem):
    out = run(["openssl", "x509", "-noout", "-subject", "-serial", "-enddate", "-fingerprint", "-sha256",
               "-nameopt", "RFC2253"], pem.encode()).decode()
    fields = dict(line.split("=", 1) for line in out.splitlines())
    not_after = datetime.datetime.strptime(fields["notAfter"], "%b %d %H:%M:%S %Y GMT").replace(tzinfo=datetime.timezone.utc)
    days = math.floor((not_after - AT).total_seconds() / 86400)
    bucket = "expired" if not_after < AT else "critical" if days <= 7 else "warning" if days <= 30 else "ok"
    return {
        "subject": fields["subject"],
        "serial": fields["serial"].lower().lstrip("0") or "0",
        "notAfter": not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "sha256": fields["sha256 Fingerprint"].replace(":", "").lower(),
        "daysLeft": days,
        "bucket": bucket,
    }

certificates = {}
for folder, _, files in sorted(os.walk("certs")):
    for name in sorted(files):
        path = os.path.join(folder, name)
        try:
            for pem in pems(path):
                item = facts(pem)
                certificates.setdefault(item["sha256"], dict(item, files=[]))["files"].append(os.path.relpath(path, "certs"))
        except subprocess.CalledProcessError:
            pass  # not a certificate file (CRL, empty, corrupt, notes)

doc = {
    "about": "Made by expected_openssl.py from openssl output only; fwgate's sweep JSON must agree.",
    "at": AT.strftime("%Y-%m-%dT%H:%M:%SZ"),
    "certificates": sorted(certificates.values(), key=lambda c: (c["notAfter"], c["subject"])),
}
with open("expected-openssl.json", "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
print(f"expected-openssl.json: {len(certificates)} certificates")
