"""Makes the FIT vectors with mkimage and their tampered twins, and writes expected.json.
Expected verdicts and codes come from how each file was made (this script) and the rules
fwgate states (Sources/FirmwareFormats/FIT/FITFormat.swift), never from fwgate's output.
Offsets of crafted structure errors come from libfdt (python3-libfdt). Run through generate.sh."""
import json
import os
import random
import shutil
import struct
import subprocess

import libfdt

HERE = os.path.dirname(os.path.abspath(__file__))
ENV = dict(os.environ, SOURCE_DATE_EPOCH="1767225600", TZ="UTC")
WORK = os.path.join(HERE, "payloads")
KEYS = os.path.join(HERE, "keys")
ATTACKER = os.path.join(HERE, "keys-attacker")


def run(*args, cwd=HERE, **kw):
    return subprocess.run(args, cwd=cwd, env=ENV, check=True, capture_output=True, text=True, **kw)


def keys():
    os.makedirs(KEYS, exist_ok=True)
    os.makedirs(ATTACKER, exist_ok=True)
    specs = [(KEYS, "dev", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], "key"),
             (KEYS, "dev3k", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"], "key"),
             (KEYS, "ecdev", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"], "pem"),
             (ATTACKER, "attacker", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], "key"),
             (ATTACKER, "dev", ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"], "key")]
    for folder, name, gen, ext in specs:
        private = os.path.join(folder, f"{name}.{ext}")
        if not os.path.exists(private):
            run("openssl", "genpkey", *gen, "-out", private)
        run("openssl", "pkey", "-in", private, "-pubout", "-out", os.path.join(folder, f"{name}.pub.pem"))
        if ext == "key" and not os.path.exists(os.path.join(folder, f"{name}.crt")):
            # mkimage -K reads an RSA key's public half from <name>.crt.
            run("openssl", "req", "-batch", "-new", "-x509", "-key", private, "-out", os.path.join(folder, f"{name}.crt"),
                "-days", "3650", "-subj", f"/CN=fwgate TEST key {name}")


def control_dtb():
    """A U-Boot control device tree holding the public keys (what mkimage -K writes into
    u-boot.dtb), for --trust keys/u-boot-pubkey.dtb."""
    with open(os.path.join(WORK, "u-boot.dts"), "w") as f:
        f.write('/dts-v1/;\n/ { model = "fwgate TEST u-boot control dtb"; };\n')
    run("dtc", "-I", "dts", "-O", "dtb", "-o", "keys/u-boot-pubkey.dtb", "payloads/u-boot.dts")
    for algo, hint in [("sha256,rsa2048", "dev"), ("sha256,ecdsa256", "ecdev")]:
        mkimage("scratch.itb", its(base_images, [config("conf-1", KF, algo, hint=hint)]), extra=["-K", "keys/u-boot-pubkey.dtb"])
    os.remove(os.path.join(HERE, "scratch.itb"))
    os.remove(os.path.join(WORK, "scratch.its"))


def payloads():
    os.makedirs(WORK, exist_ok=True)
    rng = random.Random(11)
    for name, size in [("kernel.bin", 16384 + 5), ("ramdisk.bin", 3001), ("attacker-kernel.bin", 16384 + 5)]:
        with open(os.path.join(WORK, name), "wb") as f:
            f.write(rng.randbytes(size))
    with open(os.path.join(WORK, "board.dts"), "w") as f:
        f.write('/dts-v1/;\n/ { compatible = "fwgate,test-board"; model = "fwgate test board"; memory@80000000 { device_type = "memory"; reg = <0x80000000 0x10000000>; }; };\n')
    run("dtc", "-I", "dts", "-O", "dtb", "-o", "payloads/board.dtb", "payloads/board.dts")


def image(name, data, kind, hashes=("sha256",), extra=""):
    hash_nodes = "".join(f'            hash-{i + 1} {{ algo = "{a}"; }};\n' for i, a in enumerate(hashes))
    fields = {"kernel": 'type = "kernel"; arch = "arm"; os = "linux"; compression = "none"; load = <0x80008000>; entry = <0x80008000>;',
              "fdt": 'type = "flat_dt"; arch = "arm"; compression = "none";',
              "ramdisk": 'type = "ramdisk"; arch = "arm"; os = "linux"; compression = "none";'}[kind]
    return f'        {name} {{\n            description = "{name}";\n            data = /incbin/("{data}");\n            {fields}\n{extra}{hash_nodes}        }};\n'


def config(name, refs, algo=None, hint="dev", sign_images=None, padding=None):
    props = "".join(f'            {k} = "{v}";\n' for k, v in refs)
    sig = ""
    if algo:
        signs = ", ".join(f'"{s}"' for s in (sign_images or [k for k, _ in refs]))
        pad = f' padding = "{padding}";' if padding else ""
        sig = f'            signature-1 {{ algo = "{algo}"; key-name-hint = "{hint}"; sign-images = {signs};{pad} }};\n'
    return f'        {name} {{\n            description = "{name}";\n{props}{sig}        }};\n'


def its(images, configs, default="conf-1"):
    return ('/dts-v1/;\n/ {\n    description = "fwgate test FIT";\n    #address-cells = <1>;\n    images {\n' + "".join(images)
            + '    };\n    configurations {\n' + (f'        default = "{default}";\n' if default else "") + "".join(configs) + '    };\n};\n')


def mkimage(out, source, keydir=KEYS, extra=()):
    path = os.path.join(WORK, out.replace(".itb", ".its"))
    with open(path, "w") as f:
        f.write(source)
    args = ["mkimage", *extra, "-f", path]
    if keydir:
        args += ["-k", keydir, "-r"]
    run(*args, out)


def read(name):
    with open(os.path.join(HERE, name), "rb") as f:
        return bytearray(f.read())


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(bytes(data))


def fdt(name):
    return libfdt.Fdt(bytes(read(name)))


def struct_base(blob):
    return struct.unpack(">I", blob[8:12])[0]


def node_offset(name, path):
    """Absolute file offset of a node's FDT_BEGIN_NODE token (libfdt gives it relative to the
    structure block)."""
    blob = read(name)
    return struct_base(blob) + fdt(name).path_offset(path)


def prop_value_offset(name, path, prop):
    f = fdt(name)
    blob = read(name)
    offset = f.first_property_offset(f.path_offset(path))
    while True:
        p = f.get_property_by_offset(offset)
        if p.name == prop:
            return struct_base(blob) + offset + 12  # FDT_PROP, len, nameoff, then the value
        offset = f.next_property_offset(offset)


def reference(name):
    r = subprocess.run(["dumpimage", "-l", name], cwd=HERE, env=ENV, capture_output=True, text=True)
    out = (r.stdout + r.stderr).splitlines()
    return {"tool": "dumpimage -l", "listsAsFIT": any(l.startswith("FIT description:") for l in out), "firstLine": out[0] if out else ""}


keys()
payloads()
KF = [("kernel", "kernel-1"), ("fdt", "fdt-1")]
base_images = [image("kernel-1", "kernel.bin", "kernel"), image("fdt-1", "board.dtb", "fdt")]

control_dtb()
mkimage("rsa2048.itb", its(base_images, [config("conf-1", KF, "sha256,rsa2048")]))
mkimage("rsa3072-pss-sha384.itb", its(base_images, [config("conf-1", KF, "sha384,rsa3072", hint="dev3k", padding="pss")]))
mkimage("ecdsa256.itb", its(base_images, [config("conf-1", KF, "sha256,ecdsa256", hint="ecdev")]))
mkimage("external.itb", its(base_images, [config("conf-1", KF, "sha256,rsa2048")]), extra=["-E"])
mkimage("position.itb", its(base_images, [config("conf-1", KF, "sha256,rsa2048")]), extra=["-E", "-p", "0x2000"])
mkimage("three-images.itb", its(base_images + [image("ramdisk-1", "ramdisk.bin", "ramdisk", hashes=("crc32", "sha512"))],
                                 [config("conf-1", KF + [("ramdisk", "ramdisk-1")], "sha256,rsa2048")]))
mkimage("attacker-key.itb", its(base_images, [config("conf-1", KF, "sha256,rsa2048", hint="attacker")]), keydir=ATTACKER)
mkimage("attacker-same-hint.itb", its(base_images, [config("conf-1", KF, "sha256,rsa2048")]), keydir=ATTACKER)
mkimage("sha1.itb", its(base_images, [config("conf-1", KF, "sha1,rsa2048")]))
mkimage("unsigned.itb", its(base_images, [config("conf-1", KF)]), keydir=None)
# Attacks
two = base_images + [image("kernel-2", "attacker-kernel.bin", "kernel")]
mkimage("default-unsigned.itb", its(two, [config("conf-1", KF, "sha256,rsa2048"), config("conf-2", [("kernel", "kernel-2"), ("fdt", "fdt-1")])], default="conf-2"))
mkimage("second-unsigned.itb", its(two, [config("conf-1", KF, "sha256,rsa2048"), config("conf-2", [("kernel", "kernel-2"), ("fdt", "fdt-1")])]))
mkimage("hashed-nodes-narrow.itb", its(base_images, [config("conf-1", KF, "sha256,rsa2048", sign_images=["kernel"])]))
mkimage("crc32-only.itb", its([image("kernel-1", "kernel.bin", "kernel", hashes=("crc32",)), image("fdt-1", "board.dtb", "fdt")],
                              [config("conf-1", KF, "sha256,rsa2048")]))

good = read("rsa2048.itb")
f = fdt("rsa2048.itb")
kernel_data = prop_value_offset("rsa2048.itb", "/images/kernel-1", "data")
t = bytearray(good); t[kernel_data + 100] ^= 0x01; write("rsa2048-kernel-flip.itb", t)
sig_value = prop_value_offset("rsa2048.itb", "/configurations/conf-1/signature-1", "value")
t = bytearray(good); t[sig_value + 10] ^= 0x01; write("rsa2048-sig-flip.itb", t)
load = prop_value_offset("rsa2048.itb", "/images/kernel-1", "load")
t = bytearray(good); t[load + 1] ^= 0x10; write("rsa2048-load-edit.itb", t)
write("rsa2048-truncated.itb", good[:len(good) // 2])
t = bytearray(good); t[0] ^= 0xFF; write("rsa2048-bad-magic.itb", t)
rng = random.Random(12)
write("rsa2048-trailing.itb", good + rng.randbytes(2048) + b"#!/bin/sh\nreboot\n")
# The fdt-1 node's hash node deleted after signing (fdtput -r): the image is no longer bound.
shutil.copy(os.path.join(HERE, "rsa2048.itb"), os.path.join(HERE, "rsa2048-fdt-hash-removed.itb"))
run("fdtput", "-r", "rsa2048-fdt-hash-removed.itb", "/images/fdt-1/hash-1")
# `default` is outside every signature: point it at a configuration that does not exist.
shutil.copy(os.path.join(HERE, "rsa2048.itb"), os.path.join(HERE, "rsa2048-default-missing.itb"))
run("fdtput", "-t", "s", "rsa2048-default-missing.itb", "/configurations", "default", "conf-9")
# hashed-strings deleted after signing: the signature still verifies over the structure block,
# but the property names in the strings block are covered by nothing.
shutil.copy(os.path.join(HERE, "rsa2048.itb"), os.path.join(HERE, "rsa2048-no-hashed-strings.itb"))
run("fdtput", "-d", "rsa2048-no-hashed-strings.itb", "/configurations/conf-1/signature-1", "hashed-strings")
# CVE-2021-27138: a second kernel node with a unit address.
shutil.copy(os.path.join(HERE, "rsa2048.itb"), os.path.join(HERE, "unit-address.itb"))
run("fdtput", "-c", "unit-address.itb", "/images/kernel-1@0")
run("fdtput", "-t", "s", "unit-address.itb", "/images/kernel-1@0", "description", "evil")
# A duplicate property: the 'arch' property of kernel-1 renamed to 'type' (its name offset
# pointed at the string 'type'), libfdt's view of which is two 'type' properties.
t = bytearray(good)
lf = libfdt.Fdt(bytes(t))
node = lf.path_offset("/images/kernel-1")
off = lf.first_property_offset(node)
names = {}
while True:
    p = lf.get_property_by_offset(off)
    names[p.name] = off
    try:
        off = lf.next_property_offset(off)
    except libfdt.FdtException:
        break
type_nameoff = struct.unpack(">I", t[struct_base(t) + names["type"] + 8:struct_base(t) + names["type"] + 12])[0]
arch_token = struct_base(t) + names["arch"]
t[arch_token + 8:arch_token + 12] = struct.pack(">I", type_nameoff)
write("duplicate-property.itb", t)
dup_offset = arch_token if names["arch"] > names["type"] else struct_base(t) + names["type"]
# data-size is outside every signature (excluded like the data): make it overrun the file.
ext = read("external.itb")
size_at = prop_value_offset("external.itb", "/images/kernel-1", "data-size")
t = bytearray(ext); t[size_at:size_at + 4] = struct.pack(">I", 0xFFFFFFF0); write("external-size-overflow.itb", t)
t = bytearray(ext); t[-50] ^= 0x01; write("external-fdt-flip.itb", t)
write("external-truncated.itb", ext[:len(ext) - 100])
ext_size_value = size_at

vectors = []


def vector(file, verdict, failed, warnings=(), trust=("keys/dev.pub.pem",), why="", fmt=None, parse_error=None, attack=None, lenient=None):
    v = {"file": file, "trust": list(trust), "verdict": verdict, "failed": sorted(failed), "warnings": sorted(warnings), "why": why}
    if fmt:
        v["format"] = fmt
    if attack:
        v["attack"] = attack
    if lenient:
        v["referenceMoreLenient"] = lenient
    v["description"] = {"parseError": parse_error} if parse_error else None
    v["reference"] = reference(file)
    vectors.append(v)


DUMP = "dumpimage -l lists it like a valid FIT (it checks no signature; U-Boot's bootm would)"
vector("rsa2048.itb", "pass", [], why="kernel and fdt, configuration signed sha256,rsa2048 (PKCS#1 v1.5) by mkimage")
vector("rsa3072-pss-sha384.itb", "pass", [], trust=["keys/dev3k.pub.pem"], why="sha384,rsa3072 with padding = pss")
vector("ecdsa256.itb", "pass", [], trust=["keys/ecdev.pub.pem"], why="sha256,ecdsa256 (raw r||s)")
vector("external.itb", "pass", [], why="mkimage -E: data after the tree, found by data-offset")
vector("position.itb", "pass", [], why="mkimage -E -p 0x2000: data at absolute data-position")
vector("three-images.itb", "pass", [], why="kernel, fdt and a ramdisk with crc32 and sha512 hash nodes; every hash node is checked")
vector("rsa2048.itb", "pass", [], trust=["keys/u-boot-pubkey.dtb"], why="trusted through the U-Boot control DTB mkimage -K wrote (/signature/key-dev)")
vector("ecdsa256.itb", "pass", [], trust=["keys/u-boot-pubkey.dtb"], why="trusted through the control DTB's ECDSA node (/signature/ecdev)")
vector("attacker-key.itb", "fail", ["key.untrusted"], trust=["keys/u-boot-pubkey.dtb"], why="the control DTB holds no key that verifies the attacker's signature")
vector("rsa2048.itb", "fail", ["key.untrusted"], trust=[], why="no trusted key at all")
vector("rsa2048.itb", "fail", ["key.untrusted"], trust=["keys/ecdev.pub.pem"], why="only a key of another type is trusted")
vector("attacker-key.itb", "fail", ["key.untrusted"], why="signed by another key (key-name-hint 'attacker'): no trusted key verifies it")
vector("attacker-same-hint.itb", "fail", ["signature.invalid"],
       why="signed by another key under the hint 'dev': the trusted 'dev' does not verify it", attack="sign with your own key under the vendor's key name")
vector("sha1.itb", "fail", ["algorithm.weak"], why="sha1,rsa2048: verifies, but SHA-1 is below the minimum", lenient="U-Boot accepts sha1,rsa2048")
vector("unsigned.itb", "fail", ["signature.missing"], why="no signature node in the default configuration")
vector("rsa2048-kernel-flip.itb", "fail", ["integrity.digest-mismatch"], why="one kernel data bit flipped: the sha256 hash node no longer matches (the configuration signature covers the hash node, not the data)")
vector("rsa2048-sig-flip.itb", "fail", ["signature.invalid"], why="one bit of the signature value flipped")
vector("rsa2048-load-edit.itb", "fail", ["signature.invalid"], why="the kernel's load address changed: a property of a signed node")
vector("rsa2048-truncated.itb", "fail", ["malformed.truncated"], why="cut in half: totalsize runs past the end (reported at the header, 0x0)",
       parse_error={"code": "malformed.truncated", "offset": 0})
vector("rsa2048-bad-magic.itb", "fail", ["malformed.bad-magic"], fmt="fit", why="the FDT magic changed (format forced)",
       parse_error={"code": "malformed.bad-magic", "offset": 0})
vector("rsa2048-trailing.itb", "warn", [], ["integrity.unsigned-trailing-data"], why="2 KiB of random bytes and a script after the tree",
       attack="append code after the image", lenient=DUMP)
vector("rsa2048-fdt-hash-removed.itb", "fail", ["integrity.fit-unsigned-image", "signature.invalid"],
       why="fdt-1's hash node removed after signing: the image is bound by nothing, and the signed nodes changed", attack="strip an image's hash so it can be swapped")
vector("rsa2048-default-missing.itb", "fail", ["manifest.missing-entry"],
       why="default (which no signature covers) names conf-9, which does not exist; conf-1 still verifies")
vector("rsa2048-no-hashed-strings.itb", "fail", ["signature.invalid"],
       why="hashed-strings removed after signing: the signed nodes' property names (strings block) would be covered by nothing; the structure regions alone still verify",
       attack="rename signed properties in the strings block",
       lenient="U-Boot hashes no strings when hashed-strings is absent and accepts the signature")
vector("default-unsigned.itb", "fail", ["signature.missing"],
       why="default points at conf-2, which is unsigned and boots another kernel; conf-1 is signed",
       attack="add an unsigned configuration and make it the default (default is outside every signature)", lenient=DUMP)
vector("second-unsigned.itb", "warn", [], ["signature.missing"],
       why="the default conf-1 is signed; conf-2 (another kernel) is unsigned: a warning, since an edit of default could make it boot where no key is required")
vector("hashed-nodes-narrow.itb", "fail", ["signature.fit-hashed-nodes"],
       why="sign-images = kernel only, while the configuration boots fdt-1 too: the signature covers what hashed-nodes lists, not fdt-1",
       attack="a configuration signature that leaves out an image it boots (accepted by U-Boot before 2021)", lenient=DUMP)
vector("crc32-only.itb", "fail", ["integrity.fit-unsigned-image"], why="kernel-1's only hash node is crc32: anyone can recompute it, so the signature binds nothing")
vector("unit-address.itb", "fail", ["malformed.fit-unit-address"],
       why="a node /images/kernel-1@0 added: libfdt would let it stand in for kernel-1 (CVE-2021-27138); reported at its begin-node token",
       attack="CVE-2021-27138", parse_error={"code": "malformed.fit-unit-address", "offset": node_offset("unit-address.itb", "/images/kernel-1@0")})
vector("duplicate-property.itb", "fail", ["malformed.fdt-structure"],
       why="kernel-1's 'arch' property renamed to 'type': two properties named 'type' in one node, reported at the second",
       parse_error={"code": "malformed.fdt-structure", "offset": dup_offset})
vector("external-size-overflow.itb", "fail", ["malformed.fit-data-range"],
       why="data-size (outside every signature, like the data) set to 0xfffffff0: past the end of the file; reported at data-offset's value",
       attack="resize external data after signing", parse_error={"code": "malformed.fit-data-range", "offset": prop_value_offset("external.itb", "/images/kernel-1", "data-offset")})
vector("external-fdt-flip.itb", "fail", ["integrity.digest-mismatch"], why="one byte of the external fdt-1 data flipped")
vector("external-truncated.itb", "fail", ["malformed.fit-data-range"], why="the last 100 bytes of the external data cut off: fdt-1's data runs past the end",
       parse_error={"code": "malformed.fit-data-range", "offset": prop_value_offset("external.itb", "/images/fdt-1", "data-offset")})

expected = {
    "about": "FIT images made by mkimage (u-boot-tools) from the .its sources in payloads/, signed with the TEST keys in keys/ (private halves committed on purpose: never trust them) or the attacker's keys in keys-attacker/, and tampered twins made with fdtput and byte edits; generate.sh remakes every file. 'failed' and 'warnings' are the exact sets of check codes fwgate must report with the keys in 'trust'; 'parseError' offsets come from libfdt. Rules assumed: the nodes a configuration signature covers are derived from the configuration (root, configuration, each image it names with its hash nodes), as U-Boot since 2021 does, never read from hashed-nodes; every image a configuration names needs a SHA-2 hash node; the default configuration must verify with a trusted key named by key-name-hint (key.untrusted when no trusted key of that name exists and none verifies; signature.invalid when the named trusted key does not verify); other configurations without a signature warn. 'reference' is dumpimage -l, which checks neither hashes nor signatures (Debian's u-boot-tools ships no fit_check_sign).",
    "tool": {"name": "u-boot-tools", "version": run("mkimage", "-V").stdout.strip()},
    "vectors": vectors,
}
with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=2)
    f.write("\n")
print(f"wrote {len(vectors)} vectors")
