"""Makes the minisign vectors with minisign (Debian's minisign) and writes expected.json.
TEST keys, unencrypted (-W), private halves committed on purpose: never trust them. Ed25519
signatures are deterministic, so the files are reproducible. Run: python3 generate.py"""
import base64
import json
import os
import random
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def run(*args, check=True):
    return subprocess.run(args, cwd=HERE, capture_output=True, text=True, check=check)


def path(*parts):
    return os.path.join(HERE, *parts)


os.makedirs(path("keys"), exist_ok=True)
for name in ["test", "other"]:
    if not os.path.exists(path("keys", f"{name}.key")):
        run("minisign", "-G", "-W", "-p", f"keys/{name}.pub", "-s", f"keys/{name}.key")
content = random.Random(21).randbytes(40000)
open(path("firmware.bin"), "wb").write(content)
tampered = bytearray(content); tampered[20000] ^= 1
open(path("firmware-tampered.bin"), "wb").write(bytes(tampered))

run("minisign", "-S", "-s", "keys/test.key", "-m", "firmware.bin", "-x", "firmware.bin.minisig", "-t", "fwgate test vector")
run("minisign", "-S", "-l", "-s", "keys/test.key", "-m", "firmware.bin", "-x", "legacy.minisig", "-t", "fwgate test vector (legacy)")
run("minisign", "-S", "-s", "keys/other.key", "-m", "firmware.bin", "-x", "other-key.minisig", "-t", "fwgate test vector")

lines = open(path("firmware.bin.minisig")).read().split("\n")
blob = bytearray(base64.b64decode(lines[1]))


def write_sig(name, new_lines):
    open(path(name), "w").write("\n".join(new_lines))


flipped = bytearray(blob); flipped[40] ^= 1
write_sig("sig-flip.minisig", [lines[0], base64.b64encode(flipped).decode()] + lines[2:])
write_sig("comment-edited.minisig", lines[:2] + ["trusted comment: fwgate test vector, approved for all devices"] + lines[3:])
other = open(path("other-key.minisig")).read().split("\n")
other_blob = bytearray(base64.b64decode(other[1])); other_blob[2:10] = blob[2:10]
write_sig("key-id-swapped.minisig", [other[0], base64.b64encode(other_blob).decode()] + other[2:])
write_sig("truncated.minisig", lines[:2])


def reference(content_file, sig):
    r = run("minisign", "-V", "-p", "keys/test.pub", "-m", content_file, "-x", sig, check=False)
    return {"tool": "minisign -V -p keys/test.pub", "accepts": r.returncode == 0}


vectors = []


def vector(file, signature, verdict, failed, trust=("keys/test.pub",), why="", fmt=None, parse_error=None, attack=None):
    v = {"file": file, "signature": signature, "trust": list(trust), "verdict": verdict, "failed": sorted(failed), "warnings": [], "why": why}
    if fmt:
        v["format"] = fmt
    if attack:
        v["attack"] = attack
    v["description"] = {"parseError": parse_error} if parse_error else None
    v["reference"] = reference(file, signature)
    vectors.append(v)


vector("firmware.bin", "firmware.bin.minisig", "pass", [], why="prehashed (ED) signature, the minisign default")
vector("firmware.bin", "legacy.minisig", "pass", [], why="legacy (Ed) signature over the file itself (minisign -l)")
vector("firmware-tampered.bin", "firmware.bin.minisig", "fail", ["signature.invalid"], why="one bit of the file flipped")
vector("firmware.bin", "sig-flip.minisig", "fail", ["signature.invalid"], why="one bit of the signature flipped")
vector("firmware.bin", "comment-edited.minisig", "fail", ["signature.invalid"], why="the trusted comment rewritten: the global signature no longer verifies",
       attack="edit the trusted comment (what the file is, for which devices)")
vector("firmware.bin", "other-key.minisig", "fail", ["key.untrusted"], why="signed by another minisign key: its key id is not trusted")
vector("firmware.bin", "key-id-swapped.minisig", "fail", ["signature.invalid"], why="signed by another key with the trusted key's id written in: the trusted key does not verify it",
       attack="claim the vendor's key id")
vector("firmware.bin", "firmware.bin.minisig", "fail", ["key.untrusted"], trust=[], why="no trusted key")
vector("firmware.bin", "truncated.minisig", "fail", ["malformed.truncated"], fmt="minisign", why="only the first two lines (format forced: detection needs all four)",
       parse_error={"code": "malformed.truncated", "offset": 0})

json.dump({"about": "minisign signatures made by minisign with the TEST keys in keys/, over a fixed pseudo-random firmware.bin, and tampered twins; generate.py remakes them byte for byte. Each vector is verified as fwgate verify FILE --signature SIGNATURE --trust KEY; 'failed' is the exact set of failed check codes. 'reference' is minisign -V with keys/test.pub.",
           "tool": {"name": "minisign", "version": run("minisign", "-v").stdout.strip()}, "vectors": vectors},
          open(path("expected.json"), "w"), indent=2)
print(f"wrote {len(vectors)} vectors")
