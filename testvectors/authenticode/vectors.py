#!/usr/bin/env python3
"""Makes the tampered twins of the Authenticode vectors and writes expected.json, with two
reference verdicts on each file: `osslsigncode verify` (the file's own CheckSum, the
Authenticode digest, the signer chain and, with -TSA-CAfile, an RFC 3161 countersignature,
at the vector's time) and `sbverify` (the UEFI view: the image hash and the PKCS#7 signature;
it has no time option, so it runs under faketime at the vector's time).

Every offset is computed from the PE/COFF structure (Microsoft PE Format: MS-DOS stub e_lfanew
at 0x3c, COFF file header, optional header, data directory 4 = the attribute certificate table,
section table) and from the DER of the PKCS#7 SignedData; none is hard-coded."""
import calendar, json, os, struct, subprocess, sys, tempfile, time

AT = "2026-06-01T00:00:00Z"
ROOT = "keys/root.pem"
UNRELATED = "keys/unrelated-root.pem"
WIN_CERT_REVISION_2_0 = 0x0200
WIN_CERT_TYPE_PKCS_SIGNED_DATA = 0x0002


def layout(data):
    """The offsets fwgate's parser reads, from the headers of one PE/COFF file."""
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    coff = pe + 4  # after the "PE\0\0" signature
    sections, = struct.unpack_from("<H", data, coff + 2)
    optional_size, = struct.unpack_from("<H", data, coff + 16)
    optional = coff + 20
    magic, = struct.unpack_from("<H", data, optional)
    pe32plus = {0x10B: False, 0x20B: True}[magic]
    directories = optional + (112 if pe32plus else 96)
    security = directories + 4 * 8  # IMAGE_DIRECTORY_ENTRY_SECURITY
    cert_offset, cert_size = struct.unpack_from("<II", data, security)
    table = optional + optional_size
    section_list = []
    for i in range(sections):
        header = table + 40 * i
        name = data[header:header + 8].rstrip(b"\0").decode()
        virtual_size, _, raw_size, raw_pointer = struct.unpack_from("<IIII", data, header + 8)
        section_list.append({"name": name, "header": header, "virtual_size": virtual_size,
                             "raw_size": raw_size, "raw_pointer": raw_pointer})
    return {"pe": pe, "time_date_stamp": coff + 4, "checksum": optional + 64,
            "file_alignment": struct.unpack_from("<I", data, optional + 36)[0],
            "security": security, "cert_offset": cert_offset, "cert_size": cert_size,
            "sections": {s["name"]: s for s in section_list}, "last_section": section_list[-1]}


def pe_checksum(data, checksum_offset):
    """The optional header's CheckSum as ImageHlp computes it: 16-bit one's-complement-style sum
    of the file with the CheckSum field taken as zero, plus the file length."""
    padded = bytes(data) + (b"\0" if len(data) % 2 else b"")
    total = 0
    for i in range(0, len(padded), 2):
        if i in (checksum_offset, checksum_offset + 2):
            continue
        total += padded[i] | padded[i + 1] << 8
        total = (total & 0xFFFF) + (total >> 16)
    return ((total & 0xFFFF) + (total >> 16) + len(data)) & 0xFFFFFFFF


def fix_checksum(data):
    """Rewrites CheckSum after an edit, as an attacker would, so that a twin tests one thing."""
    at = layout(data)
    struct.pack_into("<I", data, at["checksum"], pe_checksum(data, at["checksum"]))


def der(data, offset):
    """(tag, content offset, content length) of the DER element at offset."""
    tag, first = data[offset], data[offset + 1]
    if first < 0x80:
        return tag, offset + 2, first
    count = first & 0x7F
    return tag, offset + 2 + count, int.from_bytes(data[offset + 2:offset + 2 + count], "big")


def children(data, offset):
    tag, start, length = der(data, offset)
    at, end = start, start + length
    while at < end:
        child_tag, child_start, child_length = der(data, at)
        yield at, child_tag
        at = child_start + child_length


def signature_value(data, pkcs7):
    """File offset and length of the first SignerInfo's encryptedDigest (RFC 2315 9.2): the
    signer's RSA signature octets. ContentInfo [0] -> SignedData, whose last element is the
    signerInfos SET."""
    content = list(children(data, pkcs7))[1][0]            # [0] EXPLICIT content
    signed_data = next(children(data, content))[0]         # SignedData SEQUENCE
    signer_infos = list(children(data, signed_data))[-1]   # signerInfos SET
    assert signer_infos[1] == 0x31, "signerInfos is not the last element of SignedData"
    signer_info = next(children(data, signer_infos[0]))[0]
    octets = next(at for at, tag in children(data, signer_info) if tag == 0x04)
    _, start, length = der(data, octets)
    return start, length


def mutate(src, dst, change, checksum=True):
    data = bytearray(open(src, "rb").read())
    change(data, layout(data))
    if checksum:
        fix_checksum(data)
    open(dst, "wb").write(data)


def flip(where):
    def change(data, at):
        data[where(at)] ^= 0x01
    return change


def set_u16(where, value):
    def change(data, at):
        struct.pack_into("<H", data, where(at), value)
    return change


signed = open("signed.efi", "rb").read()
s = layout(signed)
cert = s["cert_offset"]
dw_length, revision, cert_type = struct.unpack_from("<IHH", signed, cert)
assert (revision, cert_type) == (WIN_CERT_REVISION_2_0, WIN_CERT_TYPE_PKCS_SIGNED_DATA)
assert cert + s["cert_size"] == len(signed) and pe_checksum(signed, s["checksum"]) == struct.unpack_from("<I", signed, s["checksum"])[0] != 0

mutate("signed.efi", "payload-flip.efi", flip(lambda at: at["sections"][".text"]["raw_pointer"] + at["sections"][".text"]["virtual_size"] // 2))
def header_edit(data, at):
    struct.pack_into("<I", data, at["time_date_stamp"], calendar.timegm(time.strptime(AT, "%Y-%m-%dT%H:%M:%SZ")))
mutate("signed.efi", "header-edit.efi", header_edit)
def checksum_edit(data, at):
    struct.pack_into("<I", data, at["checksum"], pe_checksum(data, at["checksum"]) ^ 0x00010101)
mutate("signed.efi", "checksum-edit.efi", checksum_edit, checksum=False)
def sig_flip(data, at):
    start, length = signature_value(data, at["cert_offset"] + 8)
    data[start + length // 2] ^= 0x01
mutate("signed.efi", "sig-flip.efi", sig_flip)
NESTED_OID = bytes.fromhex("060a2b060104018237020401")  # 1.3.6.1.4.1.311.2.4.1, SpcNestedSignature
def nested_pkcs7(data, pkcs7):
    """File offset of the first nested signature's ContentInfo: in the first SignerInfo's
    unsignedAttrs [1], the attribute whose type is SpcNestedSignature, the first value of its SET."""
    content = list(children(data, pkcs7))[1][0]
    signed_data = next(children(data, content))[0]
    signer_infos = list(children(data, signed_data))[-1]
    signer_info = next(children(data, signer_infos[0]))[0]
    unsigned = next(at for at, tag in children(data, signer_info) if tag == 0xA1)
    for attribute, _ in children(data, unsigned):
        (oid, _), (values, _) = list(children(data, attribute))[:2]
        _, start, length = der(data, oid)
        if bytes(data[oid:start + length]) == NESTED_OID:
            return next(children(data, values))[0]
    raise AssertionError("no nested signature")
def nested_sig_flip(data, at):
    start, length = signature_value(data, nested_pkcs7(data, at["cert_offset"] + 8))
    data[start + length // 2] ^= 0x01
mutate("nested.efi", "nested-sig-flip.efi", nested_sig_flip)
def truncate(data, at):
    del data[at["cert_offset"] + at["cert_size"] // 2:]
mutate("signed.efi", "truncated.efi", truncate)
mutate("signed.efi", "trailing-data.efi", lambda data, at: data.extend(b"fwgate TEST: 64 bytes after the certificate table".ljust(64, b"!")))
PAD = b"MS13-098 padding"  # 16 non-zero bytes: the 8-byte alignment is kept
def cert_padding(data, at):
    struct.pack_into("<I", data, at["cert_offset"], struct.unpack_from("<I", data, at["cert_offset"])[0] + len(PAD))
    struct.pack_into("<I", data, at["security"] + 4, at["cert_size"] + len(PAD))
    data.extend(PAD)
mutate("signed.efi", "cert-padding.efi", cert_padding)
mutate("signed.efi", "certtype-edited.efi", set_u16(lambda at: at["cert_offset"] + 6, 0x0001))
mutate("signed.efi", "revision-edited.efi", set_u16(lambda at: at["cert_offset"] + 4, 0x0100))
def certdir_past_end(data, at):
    struct.pack_into("<I", data, at["security"] + 4, len(data) - at["cert_offset"] + 4096)
mutate("signed.efi", "certdir-past-end.efi", certdir_past_end)
def section_past_end(data, at):
    last, align = at["last_section"], at["file_alignment"]
    raw_size = (len(data) - last["raw_pointer"] + align) // align * align
    struct.pack_into("<I", data, last["header"] + 16, raw_size)
mutate("signed.efi", "section-past-end.efi", section_past_end)
def bad_mz(data, at):
    data[0:2] = b"ZM"
mutate("signed.efi", "bad-mz.efi", bad_mz)
mutate("signed.efi", "bad-pe-offset.efi", lambda data, at: struct.pack_into("<I", data, 0x3C, len(data) + 0x100), checksum=False)
# signed.efi's whole certificate table on another valid unsigned PE: unsigned.efi with one byte
# of .data changed, the security directory and CheckSum fixed up.
def graft(data, at):
    data[at["sections"][".data"]["raw_pointer"]] ^= 0x01
    assert len(data) % 8 == 0 and at["cert_offset"] == 0
    struct.pack_into("<II", data, at["security"], len(data), s["cert_size"])
    data.extend(signed[cert:cert + s["cert_size"]])
mutate("unsigned.efi", "grafted.efi", graft)


def epoch(at):
    return str(calendar.timegm(time.strptime(at, "%Y-%m-%dT%H:%M:%SZ")))


def osslsigncode(path, trust, at, *extra):
    with tempfile.NamedTemporaryFile("wb", suffix=".pem") as bundle:
        for t in trust:
            bundle.write(open(t, "rb").read())
        bundle.flush()
        return subprocess.run(["osslsigncode", "verify", "-CAfile", bundle.name, "-TSA-CAfile", bundle.name, "-time", epoch(at),
                               *extra, "-in", path], capture_output=True).returncode == 0


def sbverify(path, trust, at):
    clock = time.strftime("%Y-%m-%d %H:%M:%S", time.strptime(at, "%Y-%m-%dT%H:%M:%SZ"))
    command = ["faketime", "-f", clock, "sbverify"] + [a for t in trust for a in ("--cert", t)] + [path]
    return subprocess.run(command, capture_output=True).returncode == 0


OSSL = "osslsigncode verify -CAfile TRUST -TSA-CAfile TRUST -time AT"
SBV = "sbverify --cert TRUST (each trust file; the clock set to AT with faketime)"

# file, trust, verdict, failed, why, {extra fields ("format", "at"); "warnings"; "osslsigncode" /
# "sbverify": why that tool's verdict differs from fwgate's, added to 'why' when it does}
V = [
    ("signed.efi", [ROOT], "pass", [], "osslsigncode sign -h sha256: PE32+ EFI application, RSA-3072 code-signing leaf, the intermediate in the PKCS#7 (-ac), root trusted"),
    ("signed32.efi", [ROOT], "pass", [], "the same on the PE32 build (gcc -m32, ld -m i386pe): the data directories sit 16 bytes earlier"),
    ("sbsign.efi", [ROOT], "pass", [], "sbsign --key --cert --addcert: the same leaf and intermediate; sbsign's signed attributes are contentType, signingTime, messageDigest and S/MIME capabilities (no SpcStatementType)"),
    ("ecdsa.efi", [ROOT], "pass", [], "ECDSA P-256 code-signing leaf, SHA-256"),
    ("nested.efi", [ROOT], "pass", [], "signed.efi with a nested second signature (osslsigncode sign -nest -h sha384, ECDSA leaf) in the SpcNestedSignature unsigned attribute (1.3.6.1.4.1.311.2.4.1): both signatures verify"),
    ("nested-sig-flip.efi", [ROOT], "fail", ["signature.invalid"], "nested.efi with one bit flipped in the middle of the nested (ECDSA, SHA-384) SignerInfo's signature value, found by walking the DER to the SpcNestedSignature attribute; the outer signature is untouched and valid (CheckSum recomputed): every nested signature must verify, not only the first", {"osslsigncode": "osslsigncode accepts it: it prints 'Signature verification: failed' for the nested signature but ends with 'Succeeded' and exit status 0 once the outer one verifies.", "sbverify": "sbverify accepts it: it verifies the outer signature only and never reads nested ones."}),
    ("nested-untrusted.efi", [ROOT], "fail", ["cert.untrusted-chain"], "signed.efi with a nested signature by a code-signing leaf of the unrelated root (osslsigncode sign -nest): the outer signature is valid and trusted, the nested one is not, and an untrusted signature in the file fails it", {"osslsigncode": "osslsigncode accepts it: it prints 'Signature verification: failed' for the nested signature but ends with 'Succeeded' and exit status 0 once the outer one verifies.", "sbverify": "sbverify accepts it: it verifies the outer signature only and never reads nested ones."}),
    ("timestamped.efi", [ROOT], "pass", [], "signed on 2024-06-01 by the leaf that expired on 2025-01-01, with an RFC 3161 countersignature (unsigned attribute 1.3.6.1.4.1.311.3.3.1, from osslsigncode's built-in TSA, -TSA-time 2024-06-01T00:01:00Z) by a time-stamping leaf of the trusted root: the trusted timestamp moves the validation time to the token's time, when the chain was valid"),
    ("timestamped-untrusted-tsa.efi", [ROOT], "fail", ["cert.expired"], "the same, but the TSA chains to the unrelated root: the timestamp is not trusted, so the chain is checked at the context time (2026-06-01), after the leaf's notAfter",
     {"sbverify": "sbverify accepts it: its verify callback ignores X509_V_ERR_CERT_HAS_EXPIRED ('UEFI explicitly allows expired certificates')."}),
    ("unsigned.efi", [ROOT], "fail", ["signature.missing"], "ld's output: no attribute certificate table (security directory 0, 0)"),
    ("sha1.efi", [ROOT], "fail", ["algorithm.weak"], "osslsigncode sign -h sha1: SHA-1 Authenticode digest and signature digest; the signature is otherwise valid",
     {"osslsigncode": "osslsigncode accepts SHA-1; fwgate is stricter, since collisions make the signature movable.",
      "sbverify": "sbverify takes only SHA-256 image hashes ('Invalid algorithm type')."}),
    ("payload-flip.efi", [ROOT], "fail", ["integrity.digest-mismatch"], "one bit flipped in the middle of .text (CheckSum recomputed, so only the digest differs)"),
    ("header-edit.efi", [ROOT], "fail", ["integrity.digest-mismatch"], "the COFF header's TimeDateStamp changed (0 -> 2026-06-01): the headers are covered by the digest (CheckSum recomputed)"),
    ("checksum-edit.efi", [ROOT], "warn", [], "the optional header's CheckSum made wrong (0x00010101 XORed in): the Authenticode digest skips CheckSum, so the signature still holds, but the stored value no longer matches the file (Windows kernel-mode loaders check it); a warning, so the verdict is warn",
     {"warnings": ["integrity.checksum-mismatch"]}),
    ("sig-flip.efi", [ROOT], "fail", ["signature.invalid"], "one bit flipped in the middle of the SignerInfo's encryptedDigest (the RSA signature value), found by walking the PKCS#7 DER (CheckSum recomputed)"),
    ("signed.efi", [UNRELATED], "fail", ["cert.untrusted-chain"], "wrong trust: signed.efi checked against the unrelated TEST root",
     {"sbverify": "sbverify accepts it: its verify callback ignores X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, so a leaf that comes with its intermediate passes whatever --cert is given."}),
    ("untrusted-ca.efi", [ROOT], "fail", ["cert.untrusted-chain"], "signed by a code-signing leaf of the unrelated root (a valid signature by the wrong key)"),
    ("expired-signer.efi", [ROOT], "fail", ["cert.expired"], "signed by the leaf that expired on 2025-01-01 (signingTime 2024-06-01 is an unauthenticated claim), no timestamp",
     {"sbverify": "sbverify accepts it: its verify callback ignores X509_V_ERR_CERT_HAS_EXPIRED ('UEFI explicitly allows expired certificates')."}),
    ("serverauth-signer.efi", [ROOT], "fail", ["cert.purpose"], "signed by a leaf whose extendedKeyUsage is serverAuth only, not codeSigning"),
    ("truncated.efi", [ROOT], "fail", ["malformed.truncated"], "signed.efi cut in the middle of the certificate table: the security directory runs past the end (CheckSum recomputed over what is left)"),
    ("trailing-data.efi", [ROOT], "fail", ["integrity.unsigned-trailing-data"], "64 bytes appended after the certificate table, the directory not updated: nothing covers them (CheckSum recomputed)"),
    ("cert-padding.efi", [ROOT], "fail", ["integrity.unsigned-trailing-data"], "16 non-zero bytes added inside the WIN_CERTIFICATE after the PKCS#7 and its padding, dwLength and the security directory grown to match (CVE-2013-3900 / MS13-098: the digest skips the certificate table, so data hidden there survives signing)",
     {"osslsigncode": "osslsigncode accepts it: d2i_PKCS7 stops at the end of the DER and the rest of dwLength is never looked at (Windows does the same unless EnableCertPaddingCheck is set).",
      "sbverify": "sbverify accepts it for the same reason."}),
    ("certtype-edited.efi", [ROOT], "fail", ["signature.unsupported-algorithm"], "WIN_CERTIFICATE wCertificateType 0x0002 (WIN_CERT_TYPE_PKCS_SIGNED_DATA) -> 0x0001 (WIN_CERT_TYPE_X509)"),
    ("revision-edited.efi", [ROOT], "fail", ["signature.unsupported-algorithm"], "WIN_CERTIFICATE wRevision 0x0200 (WIN_CERT_REVISION_2_0) -> 0x0100"),
    ("certdir-past-end.efi", [ROOT], "fail", ["malformed.truncated"], "the security directory's size grown so that the certificate table runs 4096 bytes past the end of the file",
     {"sbverify": "sbverify accepts it: it copies the table without a bounds check (reading past its buffer), verifies the first WIN_CERTIFICATE and stops at the garbage after it."}),
    ("grafted.efi", [ROOT], "fail", ["integrity.digest-mismatch"], "signed.efi's whole certificate table placed on another valid unsigned PE (unsigned.efi with one bit of .data flipped; security directory and CheckSum fixed up): a valid signature over other bytes"),
    ("section-past-end.efi", [ROOT], "fail", ["malformed.truncated"], "the last section's SizeOfRawData grown so that PointerToRawData + SizeOfRawData runs past the end of the file (CheckSum recomputed)"),
    ("bad-mz.efi", [ROOT], "fail", ["malformed.bad-magic"], "the MS-DOS header's 'MZ' replaced with 'ZM' (verified with --format authenticode: detection no longer recognises the file)",
     {"format": "authenticode"}),
    ("bad-pe-offset.efi", [ROOT], "fail", ["malformed.truncated"], "e_lfanew points 256 bytes past the end of the file (verified with --format authenticode)",
     {"format": "authenticode"}),
]

def sentence(text, more):
    return text + ("" if text.endswith(".") else ".") + " " + more


vectors = []
disagreements = []
for entry in V:
    file, trust, verdict, failed, why = entry[:5]
    extra = dict(entry[5]) if len(entry) > 5 else {}
    warnings = extra.pop("warnings", [])
    notes = {tool: extra.pop(tool) for tool in ("osslsigncode", "sbverify") if tool in extra}
    at = extra.get("at", AT)
    verdicts = {"osslsigncode": osslsigncode(file, trust, at), "sbverify": sbverify(file, trust, at)}
    for tool, accepts in verdicts.items():
        if accepts != (verdict != "fail"):
            note = notes.get(tool, f"{tool} {'accepts' if accepts else 'rejects'} it.")
            why = sentence(why, note)
            if tool not in notes:
                disagreements.append(f"{file} {trust}: {tool} {'accepts' if accepts else 'rejects'}, with no note")
    if file == "timestamped.efi":
        ignoring = osslsigncode(file, trust, at, "-ignore-timestamp")
        why = sentence(why, f"With -ignore-timestamp, osslsigncode {'accepts' if ignoring else 'rejects'} it.")
    vector = {"file": file, "trust": trust, "verdict": verdict, "failed": failed, "warnings": warnings, "why": why, "description": None,
              "reference": {"tool": OSSL, "accepts": verdicts["osslsigncode"]},
              "sbverify": {"tool": SBV, "accepts": verdicts["sbverify"]}}
    vector.update(extra)
    vectors.append(vector)
for line in disagreements:
    print("vectors.py: " + line, file=sys.stderr)


def version(package):
    return subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True).stdout


doc = {
    "about": "Authenticode-signed PE/COFF EFI applications: hello.c built with gcc " + version("gcc-12") + " and GNU ld (binutils " + version("binutils")
    + ") as PE32+ and PE32, signed with osslsigncode (Debian " + version("osslsigncode") + ") and sbsign (Debian sbsigntool " + version("sbsigntool")
    + ") with the TEST PKI in keys/, and tampered twins made by vectors.py; generate.sh remakes them. Each vector is verified as fwgate verify FILE --trust ... at 'at' (default 2026-06-01T00:00:00Z); 'failed' and 'warnings' are the exact sets of check codes; 'reference' is osslsigncode verify with the same trust and time, and 'sbverify' is sbverify's verdict (the UEFI view: image hash and PKCS#7, no validity or timestamp checks).",
    "tool": {"name": "osslsigncode", "version": version("osslsigncode")},
    "vectors": vectors,
}
with open("expected.json", "w") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
