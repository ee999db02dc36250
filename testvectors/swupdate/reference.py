#!/usr/bin/env python3
"""Writes expected.json for the SWUpdate .swu vectors: fwgate's expected verdict and exact failed
check codes for each, and the reference verdict.

Reference, CMS-trusted vectors: Debian 12's own swupdate (2022.12+dfsg-4+deb12u3, built with CMS
signature verification, OpenSSL) run offline as
    swupdate -c -i PACKAGE -k BUNDLE --cert-purpose codeSigning -H myboard:1.2
(verdict: the installer's "SWUPDATE successful !" notification and no [ERROR] line; not its
exit status nor endupdate's final line, which race on swupdate's internal IPC under -c -i) (-c checks and exits: signature, sw-description, hardware compatibility, every image's sha256,
cpio crc checksums; nothing is installed). BUNDLE is the vector's --trust certificates plus
keys/intermediate.pem: this swupdate build does not take intermediates from the CMS
certificate set (the CVE fix Debian shipped ignores the CMS's additional certificates), so
the intermediate must be in -k. swupdate checks at the wall-clock time, not at the vector's time;
the TEST certificates are valid (or expired) at both. The same run with SWUpdate's default purpose
(emailProtection, OpenSSL's smime_sign) is recorded as referenceDefaultPurpose.

Reference, RSA-trusted vectors (Debian's swupdate has no RSA / RSA-PSS verification built in):
    openssl dgst -sha256 -verify PUB [-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-2]
        -signature sw-description.sig sw-description
plus sha256sum of every member (extracted with GNU cpio -i) against the sw-description sha256s.
"""
import calendar, json, os, re, shutil, subprocess, tempfile, time

AT = "2026-06-01T00:00:00Z"
R = ["keys/root.pem"]
PUB = ["keys/rsa.pub.pem"]

# file, trust, verdict, failed, why[, at]
V = [
    # --- pass
    ("cms-signed.swu", R, "pass", [], "CMS-signed (RSA-2048 code-signing leaf, intermediate in the CMS certificates); images + files + scripts, each with sha256"),
    ("cms-minimal.swu", R, "pass", [], "CMS-signed; one image (rootfs.ext4) only, no files or scripts"),
    ("rsa-signed.swu", PUB, "pass", [], "SWUpdate's RSA method: RSA-3072 PKCS#1 v1.5 signature over SHA-256 of sw-description (openssl dgst -sha256 -sign)"),
    ("rsa-pss-signed.swu", PUB, "pass", [], "SWUpdate's RSA-PSS method: RSASSA-PSS, SHA-256, MGF1-SHA-256, salt length maximal (rsa_pss_saltlen:-2 when signing = 350 bytes for RSA-3072); verify with salt length auto-detected"),
    ("json-description.swu", R, "pass", [], "sw-description in JSON (SWUpdate's JSON parser): the same keys, images/files/scripts as JSON arrays"),
    ("board-specific.swu", R, "pass", [], "board-specific form: images/files/scripts under software.myboard; a /* */ and a // comment, ':' and '=', an integer and extra string settings"),
    ("crc-format.swu", R, "pass", [], "cpio 'crc' format (magic 070702): each header's c_chksum is the sum of the data bytes mod 2^32, and it matches"),
    # --- signature
    ("unsigned.swu", R, "fail", ["signature.missing"], "no sw-description.sig member, while a trust anchor was given"),
    ("sig-stripped.swu", R, "fail", ["signature.missing"], "cms-signed.swu repacked without its sw-description.sig member"),
    ("desc-edited.swu", R, "fail", ["signature.invalid"], "sw-description's software version changed 2.4.1 -> 2.4.2 after signing (the payload sha256s still match)"),
    ("sig-flip.swu", R, "fail", ["signature.invalid"], "one bit of the CMS signature value (5th byte from the end of the DER) flipped"),
    ("rsa-wrong-key.swu", PUB, "fail", ["signature.invalid"], "RSA-signed with keys/rsa-other.key.pem, verified with keys/rsa.pub.pem"),
    ("rsa-signed.swu", ["keys/rsa-other.pub.pem"], "fail", ["signature.invalid"], "a valid RSA package verified with the wrong public key"),
    # --- certificates
    ("cms-signed.swu", ["keys/unrelated-root.pem"], "fail", ["cert.untrusted-chain"], "a valid package, but the trust given is an unrelated root"),
    ("unrelated-signer.swu", R, "fail", ["cert.untrusted-chain"], "signed by a code-signing leaf of an unrelated CA (no intermediate in the CMS)"),
    ("expired-signer.swu", R, "fail", ["cert.expired"], "the signer certificate expired on 2026-01-01"),
    ("cms-signed.swu", R, "fail", ["cert.expired"], "the valid package verified in 2037, after the leaf's notAfter (2036-01-01)", "2037-01-01T00:00:00Z"),
    ("email-signer.swu", R, "fail", ["cert.purpose"], "the signer has extendedKeyUsage emailProtection only, not codeSigning. SWUpdate's default --cert-purpose is emailProtection (OpenSSL smime_sign) and it ACCEPTS this signer by default, and REJECTS a codeSigning-only leaf by default; only --cert-purpose codeSigning (or cert-purpose in swupdate.cfg) makes it demand codeSigning"),
    # --- manifest / integrity
    ("payload-flip.swu", R, "fail", ["manifest.entry-mismatch"], "one bit of rootfs.ext4 (byte 40000) flipped inside the archive; sw-description and its signature intact"),
    ("missing-entry.swu", R, "fail", ["manifest.missing-entry"], "boot.scr is listed in sw-description (files) but is not in the archive"),
    ("unlisted-entry.swu", R, "fail", ["manifest.unlisted-entry"], "extra.bin is in the archive but in no sw-description entry"),
    ("no-sha256.swu", R, "fail", ["integrity.unverifiable"], "rootfs.ext4's image entry has no sha256 (sw-description signed): fwgate requires a sha256 for every image, file and script of a signed package, as SWUpdate does when built with signed images"),
    ("crc-bad-checksum.swu", R, "fail", ["integrity.checksum-mismatch"], "crc format (070702): boot.scr's header c_chksum is off by one; the data itself matches its sha256. (SWUpdate 2022.12 checks the crc only for members it copies; for an installed-directly image it does not, so the same fault on rootfs.ext4 would pass it)"),
    # --- malformed
    ("desc-not-first.swu", R, "fail", ["malformed.encoding"], "rootfs.ext4 is the first member; sw-description must be first (and sw-description.sig second)"),
    ("truncated.swu", R, "fail", ["malformed.truncated"], "the archive cut 30000 bytes into rootfs.ext4's data"),
    ("path-traversal.swu", R, "fail", ["malformed.unsafe-path"], "a member named ../../etc/shadow, listed in files with its correct sha256, signed. SWUpdate 2022.12 accepts it and, even under -c (dry run), copies the member to TMPDIR + name, i.e. two folders above its TMPDIR, then deletes that file"),
    ("duplicate-entry.swu", R, "fail", ["malformed.duplicate-entry"], "rootfs.ext4 twice; the first copy matches its sha256, the second differs by one bit"),
    ("trailing-garbage.swu", R, "fail", ["malformed.encoding"], "64 non-zero bytes after the TRAILER!!! record and its zero padding to 512 bytes"),
    ("libconfig-syntax.swu", R, "fail", ["malformed.encoding"], "sw-description is not valid libconfig (the images list's closing ')' is missing), signed anyway: the signature is valid"),
]

JAIL_DEPTH = 6
SW_BASE = ["swupdate", "-c", "-H", "myboard:1.2", "-l", "5"]
SW_TOOL = "swupdate -c -i PACKAGE -k <trust + keys/intermediate.pem> --cert-purpose codeSigning -H myboard:1.2 (Debian swupdate 2022.12+dfsg-4+deb12u3, CMS)"
SW_TOOL_DEFAULT = "swupdate -c -i PACKAGE -k <trust + keys/intermediate.pem> -H myboard:1.2 (default cert purpose: emailProtection)"
RSA_TOOL = "openssl dgst -sha256 -verify PUB -signature sw-description.sig sw-description (PSS: -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-2) + sha256sum of members (GNU cpio -i) vs sw-description"
ERROR_LINE = re.compile(r"^\[ERROR\] : SWUPDATE failed \[\d\] (?:ERROR [^:]+ : [^:]+ : \d+ : )?(.*)$")


def swupdate(file, trust, purpose):
    """Runs the check twice and insists on the same verdict."""
    first, second = swupdate_once(file, trust, purpose), swupdate_once(file, trust, purpose)
    if first["accepts"] != second["accepts"]:
        raise SystemExit(f"swupdate -c gave two verdicts for {file} with {trust}: {first} / {second}")
    return first


def swupdate_once(file, trust, purpose):
    with tempfile.TemporaryDirectory() as tmp:
        bundle = os.path.join(tmp, "trust.pem")
        with open(bundle, "wb") as b:
            for t in trust + ["keys/intermediate.pem"]:
                b.write(open(t, "rb").read())
        # swupdate writes each copied member to TMPDIR + member name, unsanitised, and deletes it
        # afterwards: ../../etc/shadow in path-traversal.swu lands two folders above TMPDIR (run with
        # TMPDIR=/tmp/X/ it deleted the machine's /etc/shadow). So TMPDIR is JAIL_DEPTH folders down
        # in this temporary folder, and no package may climb out of it.
        names = subprocess.run(["cpio", "-it", "--quiet"], stdin=open(file, "rb"), capture_output=True,
                               text=True).stdout.splitlines()
        if any(n.startswith("/") or n.split("/").count("..") >= JAIL_DEPTH for n in names):
            raise SystemExit(f"{file}: a member name would leave swupdate's TMPDIR jail: {names}")
        jail = os.path.join(tmp, *["j"] * JAIL_DEPTH)
        os.makedirs(jail)
        os.makedirs(os.path.join(tmp, *["j"] * (JAIL_DEPTH - 2), "etc"))
        cmd = SW_BASE + ["-i", file, "-k", bundle] + (["--cert-purpose", purpose] if purpose else [])
        run = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, TMPDIR=jail + "/"),
                             timeout=120)
    log = (run.stdout + run.stderr).splitlines()
    errors = [m.group(1).strip() for m in map(ERROR_LINE.match, log) if m]
    errors = [e for e in errors if not e.startswith("SWUpdate *failed*")]
    hints = [l.split("] : ", 2)[-1].strip() for l in log
             if "Failed to verify certificate" in l or "not the first of the list" in l]
    # The verdict is the installer's own notification ("SWUPDATE successful !", no [ERROR] line).
    # Neither the exit status nor endupdate's "SWUpdate was successful / *failed*" line is used:
    # with -c -i both come back over swupdate's internal IPC and race (a rejected package is
    # sometimes reported "successful" there, an accepted one sometimes exits 1).
    accepts = any("SWUPDATE successful !" in l for l in log) and not any(l.startswith("[ERROR]") for l in log)
    return {"accepts": accepts, "error": None if accepts else "; ".join(hints + errors[:2]) or f"exit {run.returncode}"}


def rsa_reference(file, trust):
    with tempfile.TemporaryDirectory() as tmp:
        with open(file, "rb") as f:
            subprocess.run(["cpio", "-idm", "--quiet", "--no-absolute-filenames"], stdin=f, cwd=tmp, check=True)
        desc, sig = os.path.join(tmp, "sw-description"), os.path.join(tmp, "sw-description.sig")
        cmd = ["openssl", "dgst", "-sha256", "-verify", trust[0], "-signature", sig]
        if "pss" in file:
            cmd += ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:-2"]
        run = subprocess.run(cmd + [desc], capture_output=True, text=True)
        if run.returncode != 0:
            return {"accepts": False, "error": (run.stdout + run.stderr).strip().splitlines()[0]}
        text = open(desc).read()
        for name, digest in re.findall(r'filename = "([^"]+)";[^}]*?sha256 = "([0-9a-f]{64})"', text):
            path = os.path.join(tmp, name)
            if not os.path.exists(path):
                return {"accepts": False, "error": f"{name}: not in the archive"}
            got = subprocess.run(["sha256sum", path], capture_output=True, text=True).stdout.split()[0]
            if got != digest:
                return {"accepts": False, "error": f"{name}: sha256 {got} != {digest}"}
        return {"accepts": True, "error": None}


vectors = []
for entry in V:
    file, trust, verdict, failed, why = entry[:5]
    at = entry[5] if len(entry) > 5 else AT
    vector = {"file": file, "trust": trust, "verdict": verdict, "failed": failed, "warnings": [], "why": why,
              "description": None}
    if at != AT:
        vector["at"] = at
    if trust[0].endswith(".pub.pem"):
        vector["reference"] = {"tool": RSA_TOOL, **rsa_reference(file, trust)}
    else:
        ref = swupdate(file, trust, "codeSigning")
        if at != AT:
            ref["note"] = f"swupdate checks at the wall-clock time, not at {at}: this is not a reference verdict for 'at'"
        vector["reference"] = {"tool": SW_TOOL, **ref}
        vector["referenceDefaultPurpose"] = {"tool": SW_TOOL_DEFAULT, **swupdate(file, trust, None)}
    ref = vector["reference"]
    if ref["accepts"] != (verdict == "pass") and "note" not in ref:
        vector["why"] += (" (the reference accepts it: fwgate is stricter here)" if ref["accepts"]
                          else " (the reference rejects it)")
    vectors.append(vector)

sw_version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "swupdate"], capture_output=True, text=True).stdout
ossl_version = subprocess.run(["openssl", "version"], capture_output=True, text=True).stdout.strip()
doc = {
    "about": "SWUpdate .swu packages (cpio newc / crc archives: sw-description first, sw-description.sig second when signed, then the images), signed as SWUpdate's docs show with openssl cms (CMS, TEST PKI in keys/) or openssl dgst (RSA, RSA-PSS, keys/rsa.*), and tampered or malformed twins; generate.sh remakes them. Each vector is verified as fwgate verify FILE --trust TRUST... at 2026-06-01T00:00:00Z unless 'at' says otherwise; 'failed' is the exact set of failed check codes (a malformed.* archive reports only that code); 'reference' is Debian's swupdate -c with --cert-purpose codeSigning (CMS trust) or openssl dgst -verify + sha256sum (RSA trust); 'referenceDefaultPurpose' is swupdate -c with its default emailProtection purpose. Payload rootfs.ext4 is 64 KiB (not 200 KiB) to keep the folder under 3 MiB.",
    "tool": {"name": "swupdate", "version": f"{sw_version} (Debian 12); {ossl_version}"},
    "vectors": vectors,
}
with open("expected.json", "w") as f:
    json.dump(doc, f, indent=2)
    f.write("\n")
for v in vectors:
    r = v["reference"]
    d = v.get("referenceDefaultPurpose", {})
    print(f'{v["file"]:24} {",".join(v["trust"]):28} {v["verdict"]:4} {str(v["failed"]):32} ref={r["accepts"]!s:5} {r["error"]}  | default={d.get("accepts")} {d.get("error")}')
