"""Makes the signify vectors with signify-openbsd (Debian) and writes expected.json. TEST keys
made without a passphrase (-n), private halves committed on purpose: never trust them. Ed25519
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
    if not os.path.exists(path("keys", f"{name}.sec")):
        run("signify-openbsd", "-G", "-n", "-c", f"fwgate TEST key {name}", "-p", f"keys/{name}.pub", "-s", f"keys/{name}.sec")
content = random.Random(22).randbytes(30000)
open(path("firmware.bin"), "wb").write(content)
tampered = bytearray(content); tampered[100] ^= 1
open(path("firmware-tampered.bin"), "wb").write(bytes(tampered))

run("signify-openbsd", "-S", "-s", "keys/test.sec", "-m", "firmware.bin", "-x", "firmware.bin.sig")
run("signify-openbsd", "-S", "-s", "keys/other.sec", "-m", "firmware.bin", "-x", "other-key.sig")
run("signify-openbsd", "-S", "-e", "-s", "keys/test.sec", "-m", "firmware.bin", "-x", "embedded.sig")

lines = open(path("firmware.bin.sig")).read().split("\n")
blob = bytearray(base64.b64decode(lines[1]))
flipped = bytearray(blob); flipped[50] ^= 1
open(path("sig-flip.sig"), "w").write("\n".join([lines[0], base64.b64encode(flipped).decode(), ""]))
other = open(path("other-key.sig")).read().split("\n")
other_blob = bytearray(base64.b64decode(other[1])); other_blob[2:10] = blob[2:10]
open(path("keynum-swapped.sig"), "w").write("\n".join([other[0], base64.b64encode(other_blob).decode(), ""]))


def reference(content_file, sig):
    r = run("signify-openbsd", "-V", "-p", "keys/test.pub", "-m", content_file, "-x", sig, check=False)
    return {"tool": "signify-openbsd -V -p keys/test.pub", "accepts": r.returncode == 0}


vectors = []


def vector(file, signature, verdict, failed, trust=("keys/test.pub",), why="", parse_error=None, attack=None, stricter=None):
    v = {"file": file, "signature": signature, "trust": list(trust), "verdict": verdict, "failed": sorted(failed), "warnings": [], "why": why}
    if attack:
        v["attack"] = attack
    if stricter:
        v["referenceMoreLenient"] = stricter
    v["description"] = {"parseError": parse_error} if parse_error else None
    v["reference"] = reference(file, signature)
    vectors.append(v)


embedded_offset = len(open(path("embedded.sig"), "rb").read().split(b"\n")[0]) + 1 + len(open(path("embedded.sig"), "rb").read().split(b"\n")[1]) + 1
vector("firmware.bin", "firmware.bin.sig", "pass", [], why="signify -S over the file")
vector("firmware-tampered.bin", "firmware.bin.sig", "fail", ["signature.invalid"], why="one bit of the file flipped")
vector("firmware.bin", "sig-flip.sig", "fail", ["signature.invalid"], why="one bit of the signature flipped")
vector("firmware.bin", "other-key.sig", "fail", ["key.untrusted"], why="signed by another signify key: its key number is not trusted")
vector("firmware.bin", "keynum-swapped.sig", "fail", ["signature.invalid"], why="another key's signature with the trusted key number written in", attack="claim the vendor's key number")
vector("firmware.bin", "firmware.bin.sig", "fail", ["key.untrusted"], trust=[], why="no trusted key")
vector("firmware.bin", "embedded.sig", "fail", ["malformed.encoding"],
       why="signify -e: the message follows the signature inside the .sig; fwgate verifies a file against a detached signature only, and says so at the message's offset",
       parse_error={"code": "malformed.encoding", "offset": embedded_offset},
       stricter="signify -V -m firmware.bin accepts it (it reads the embedded message only with -e); fwgate refuses a signature file that carries anything else")

json.dump({"about": "signify signatures made by signify-openbsd with the TEST keys in keys/ over a fixed pseudo-random firmware.bin, and tampered twins; generate.py remakes them byte for byte. Each vector is verified as fwgate verify FILE --signature SIGNATURE --trust KEY; 'failed' is the exact set of failed check codes. 'reference' is signify-openbsd -V with keys/test.pub.",
           "tool": {"name": "signify-openbsd", "version": "Debian package " + run("dpkg-query", "-W", "-f=${Version}", "signify-openbsd").stdout}, "vectors": vectors},
          open(path("expected.json"), "w"), indent=2)
print(f"wrote {len(vectors)} vectors")
