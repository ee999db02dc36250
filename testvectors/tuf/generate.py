"""Makes the TUF repository vectors with python-tuf's Metadata API and writes expected.json.

TEST keys live in keys/ (unencrypted PKCS#8 PEM, private halves committed on purpose: never
trust them). They are made once and reused. Ed25519 signatures are deterministic, so every
vector signed only with Ed25519 keys is remade byte for byte; vectors that use the ECDSA or
RSA-PSS keys (valid-threshold) get new signatures on every run.
Needs: pip install tuf 'securesystemslib[crypto]'. Run: python3 generate.py
"""
import copy
import datetime
import hashlib
import json
import os
import random
import shutil
import sys
from urllib import parse

import securesystemslib
import tuf
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner, Signature, SSlibKey
from tuf.api import exceptions
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Role,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer
from tuf.ngclient._internal.trusted_metadata_set import TrustedMetadataSet
from tuf.ngclient.config import EnvelopeType

HERE = os.path.dirname(os.path.abspath(__file__))
UTC = datetime.timezone.utc
FAR = datetime.datetime(2030, 1, 1, tzinfo=UTC)
PAST = datetime.datetime(2026, 1, 1, tzinfo=UTC)
AT = datetime.datetime(2026, 6, 1, tzinfo=UTC)
TOP_ROLES = ["root", "timestamp", "snapshot", "targets"]
# JSONSerializer() defaults to compact=False: indent 1, sorted keys. (Metadata.to_bytes/to_file with no
# serializer write compact JSON; we pass this one, as a repository that pretty-prints would.)
PRETTY = JSONSerializer()


def path(*parts):
    return os.path.join(HERE, *parts)


# ---------------------------------------------------------------- keys
KEYS = {
    # name: kind
    "root-1": "ed25519", "root-2": "ed25519", "root-3": "ed25519",
    "root-ecdsa": "ecdsa-p256", "root-rsa": "rsa-2048",
    "timestamp": "ed25519", "timestamp-2": "ed25519", "timestamp-3": "ed25519",
    "snapshot": "ed25519",
    "targets": "ed25519", "targets-2": "ed25519", "targets-ecdsa": "ecdsa-p256",
    "pump-vendor": "ed25519",
    "attacker": "ed25519",
    "other-repo": "ed25519",
}


def load_key(name):
    kind = KEYS[name]
    file = path("keys", f"{name}.{kind}.TEST-KEY.pem")
    if not os.path.exists(file):
        if kind == "ed25519":
            priv = ed25519.Ed25519PrivateKey.generate()
        elif kind == "ecdsa-p256":
            priv = ec.generate_private_key(ec.SECP256R1())
        else:
            priv = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        os.makedirs(path("keys"), exist_ok=True)
        with open(file, "wb") as f:
            f.write(priv.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    with open(file, "rb") as f:
        priv = serialization.load_pem_private_key(f.read(), None)
    # default scheme: ed25519, ecdsa-sha2-nistp256, rsassa-pss-sha256; default keyid
    return CryptoSigner(priv, SSlibKey.from_crypto(priv.public_key()))


K = {name: load_key(name) for name in KEYS}

# ---------------------------------------------------------------- target files
TARGETS = {
    "firmware/pump-2.4.1.bin": random.Random(241).randbytes(3000),
    "firmware/monitor-7.0.0.bin": random.Random(700).randbytes(4096),
    "firmware/display-1.0.3.bin": random.Random(103).randbytes(2048),
}
PUMP = "firmware/pump-2.4.1.bin"
MONITOR = "firmware/monitor-7.0.0.bin"


def dump(d):
    """Exactly what JSONSerializer() (compact=False) writes."""
    return json.dumps(d, indent=1, separators=(",", ": "), sort_keys=True).encode("utf-8")


def canonical(signed_dict):
    return encode_canonical(signed_dict).encode("utf-8")


def metafile(version, data, hashes=True):
    if not hashes:
        return MetaFile(version)
    return MetaFile(version, length=len(data), hashes={"sha256": hashlib.sha256(data).hexdigest()})


def sign_md(md, signers):
    md.signatures.clear()
    for s in signers:
        md.sign(s, append=True)
    return md


class Repo:
    """One repository: metadata objects, signing keys, and hooks for the attack vectors."""

    def __init__(self, consistent=False, delegate=False):
        self.consistent = consistent
        self.signers = {"root": [K["root-1"]], "timestamp": [K["timestamp"]],
                        "snapshot": [K["snapshot"]], "targets": [K["targets"]]}
        self.role_keys = None  # role -> list of public keys listed in root; default from signers
        self.threshold = {r: 1 for r in TOP_ROLES}
        self.expires = {r: FAR for r in TOP_ROLES + ["pump-vendor"]}
        self.version = {"timestamp": 1, "snapshot": 1, "targets": 1, "pump-vendor": 1}
        self.files = dict(TARGETS)  # on-disk target files
        self.top_targets = dict(TARGETS)  # path -> data listed in targets.json
        self.delegated = {}  # role -> {path: data}
        self.delegation_roles = []  # DelegatedRole objects
        self.delegation_signers = {}
        if delegate:
            self.delegate("pump-vendor", ["firmware/pump-*"], {PUMP: TARGETS[PUMP]})
            del self.top_targets[PUMP]
        self.root_chain = None  # list of (Metadata[Root] or dict, signers)
        self.post = {}  # role -> fn(Metadata) -> Metadata | bytes, after signing
        self.snapshot_hashes = True
        self.out = {}  # metadata file name (role) -> bytes
        self.target_custom = {}  # path -> value of the target's "custom" field

    def delegate(self, name, paths, listed, signer="pump-vendor"):
        self.delegation_roles.append(DelegatedRole(name, [K[signer].public_key.keyid], 1, True, paths=paths))
        self.delegation_signers[name] = [K[signer]]
        self.delegated[name] = dict(listed)
        self.version.setdefault(name, 1)
        self.expires.setdefault(name, FAR)

    def make_root(self, version=1, signers=None, expires=None):
        root = Root(version=version, expires=expires or self.expires["root"],
                    consistent_snapshot=self.consistent)
        for role in TOP_ROLES:
            keys = (self.role_keys or {}).get(role) or [s.public_key for s in self.signers[role]]
            root.roles[role] = Role([], self.threshold[role])
            for key in keys:
                root.add_key(key, role)
        return Metadata(root)

    def finish_role(self, role, md):
        """Apply a vector's hook; return the bytes written for this role."""
        fn = self.post.get(role)
        res = fn(md) if fn else md
        return res if isinstance(res, bytes) else res.to_bytes(PRETTY)

    def build(self):
        # delegated targets
        for name, listed in self.delegated.items():
            t = Targets(version=self.version[name], expires=self.expires[name])
            for p, data in listed.items():
                t.targets[p] = TargetFile.from_data(p, data, ["sha256", "sha512"])
            md = sign_md(Metadata(t), self.delegation_signers[name])
            self.out[name] = self.finish_role(name, md)
        # top-level targets
        t = Targets(version=self.version["targets"], expires=self.expires["targets"])
        for p, data in self.top_targets.items():
            t.targets[p] = TargetFile.from_data(p, data, ["sha256", "sha512"])
            if p in self.target_custom:
                t.targets[p].unrecognized_fields["custom"] = self.target_custom[p]
        if self.delegation_roles:
            keys = {}
            for name, signers in self.delegation_signers.items():
                for s in signers:
                    keys[s.public_key.keyid] = s.public_key
            t.delegations = Delegations(keys=keys, roles={r.name: r for r in self.delegation_roles})
        self.out["targets"] = self.finish_role("targets", sign_md(Metadata(t), self.signers["targets"]))
        # snapshot
        s = Snapshot(version=self.version["snapshot"], expires=self.expires["snapshot"])
        s.meta = {}
        for role in ["targets"] + list(self.delegated):
            hashes = self.snapshot_hashes if not isinstance(self.snapshot_hashes, dict) else self.snapshot_hashes.get(role, True)
            s.meta[f"{role}.json"] = metafile(self.version[role], self.out[role], hashes)
        self.snapshot_meta_override(s)
        self.out["snapshot"] = self.finish_role("snapshot", sign_md(Metadata(s), self.signers["snapshot"]))
        # timestamp
        ts = Timestamp(version=self.version["timestamp"], expires=self.expires["timestamp"],
                       snapshot_meta=metafile(self.version["snapshot"], self.out["snapshot"]))
        self.out["timestamp"] = self.finish_role("timestamp", sign_md(Metadata(ts), self.signers["timestamp"]))
        # roots
        if self.root_chain is None:
            self.root_chain = [(self.make_root(), self.signers["root"])]
        self.roots = []
        for md, signers in self.root_chain:
            if isinstance(md, bytes):
                self.roots.append(md)
            else:
                self.roots.append(sign_md(md, signers).to_bytes(PRETTY))
        return self

    def snapshot_meta_override(self, s):
        pass

    def write(self, name, client_root=None, client_extra=None, extra_files=None, skip_files=()):
        base = path(name)
        shutil.rmtree(base, ignore_errors=True)
        md_dir = os.path.join(base, "repository", "metadata")
        os.makedirs(md_dir)
        os.makedirs(os.path.join(base, "client", "metadata"))

        def put(rel, data):
            full = os.path.join(base, rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "wb") as f:
                f.write(data)

        for i, data in enumerate(self.roots):
            put(f"repository/metadata/{i + 1}.root.json", data)
        put("repository/metadata/root.json", self.roots[-1])
        put("repository/metadata/timestamp.json", self.out["timestamp"])
        for role in ["snapshot", "targets"] + list(self.delegated):
            fname = parse.quote(role, "") if role in self.delegated and "/" in role else role
            if role in self.delegated and "/" in role:
                continue  # written by the vector itself (path-traversal vector)
            if self.consistent:
                put(f"repository/metadata/{self.version[role]}.{fname}.json", self.out[role])
            else:
                put(f"repository/metadata/{fname}.json", self.out[role])
        for p, data in self.files.items():
            if p in skip_files:
                continue
            if self.consistent:
                d, sep, b = p.rpartition("/")
                p = f"{d}{sep}{hashlib.sha256(data).hexdigest()}.{b}"
            put(f"repository/targets/{p}", data)
        put("client/metadata/root.json", client_root if client_root is not None else self.roots[0])
        for fname, data in (client_extra or {}).items():
            put(f"client/metadata/{fname}", data)
        for rel, data in (extra_files or {}).items():
            put(rel, data)


# ---------------------------------------------------------------- reference (python-tuf client)
def read(p):
    with open(p, "rb") as f:
        return f.read()


def reference(name):
    """Offline client update as tuf.ngclient.Updater does it, with TrustedMetadataSet, at AT."""
    md_dir = path(name, "repository", "metadata")
    client = path(name, "client", "metadata")
    tdir = path(name, "repository", "targets")
    try:
        tms = TrustedMetadataSet(read(os.path.join(client, "root.json")), EnvelopeType.METADATA)
        tms.reference_time = AT
        while True:  # 5.3: N+1.root.json until absent
            nxt = os.path.join(md_dir, f"{tms.root.version + 1}.root.json")
            if not os.path.exists(nxt):
                break
            tms.update_root(read(nxt))
        local_ts = os.path.join(client, "timestamp.json")
        if os.path.exists(local_ts):
            try:
                tms.update_timestamp(read(local_ts))
            except exceptions.RepositoryError:
                pass  # the Updater ignores an unusable local timestamp the same way
        try:
            tms.update_timestamp(read(os.path.join(md_dir, "timestamp.json")))
        except exceptions.EqualVersionNumberError:
            pass
        local_snap = os.path.join(client, "snapshot.json")
        if os.path.exists(local_snap):
            try:
                tms.update_snapshot(read(local_snap), trusted=True)
            except exceptions.RepositoryError:
                pass
        cs = tms.root.consistent_snapshot

        def role_file(role, version):
            enc = parse.quote(role, "")
            return os.path.join(md_dir, f"{version}.{enc}.json" if cs else f"{enc}.json")

        tms.update_snapshot(read(role_file("snapshot", tms.timestamp.snapshot_meta.version)))

        def load(role, parent):
            if role in tms:
                return tms[role]
            meta = tms.snapshot.meta.get(f"{role}.json")
            version = meta.version if meta else 0
            if role == "targets":
                return tms.update_targets(read(role_file(role, version)))
            return tms.update_delegated_targets(read(role_file(role, version)), role, parent)

        # every role reachable from targets (an Updater loads a role when asked for a path it covers)
        listed = set()
        stack = [("targets", "root")]
        while stack:
            role, parent = stack.pop()
            t = load(role, parent)
            listed.update(t.targets)
            if t.delegations and t.delegations.roles:
                stack.extend((r, role) for r in reversed(list(t.delegations.roles)))
        for p in sorted(listed):  # Updater._preorder_depth_first_walk
            found = None
            visit, seen = [("targets", "root")], set()
            while visit and found is None:
                role, parent = visit.pop()
                if role in seen:
                    continue
                t = load(role, parent)
                if p in t.targets:
                    found = t.targets[p]
                    break
                seen.add(role)
                if t.delegations:
                    kids = []
                    for child, terminating in t.delegations.get_roles_for_target(p):
                        kids.append((child, role))
                        if terminating:
                            visit = []
                            break
                    visit.extend(reversed(kids))
            if found is None:
                raise exceptions.RepositoryError(f"no role provides {p}")
            fp = p
            if cs:
                d, sep, b = p.rpartition("/")
                fp = f"{d}{sep}{list(found.hashes.values())[0]}.{b}"
            found.verify_length_and_hashes(read(os.path.join(tdir, fp)))
        return {"tool": f"python-tuf {tuf.__version__} TrustedMetadataSet", "accepts": True, "error": None}
    except Exception as e:  # noqa: BLE001
        msg = str(e).replace(HERE + os.sep, "")
        cause = e.__cause__
        if cause is not None:
            msg += f" (caused by {type(cause).__name__}: {str(cause).replace(HERE + os.sep, '')})"
        return {"tool": f"python-tuf {tuf.__version__} TrustedMetadataSet", "accepts": False,
                "error": f"{type(e).__name__}: {msg}"}


VECTORS = []


def vector(name, verdict, failed, why, trust_extra=(), at=None):
    ref = reference(name)
    v = {"file": f"{name}/repository",
         "trust": [f"{name}/client/metadata/root.json"] + [f"{name}/client/metadata/{x}" for x in trust_extra],
         "verdict": verdict, "failed": failed, "warnings": [], "why": why, "description": None,
         "reference": ref}
    if at:
        v["at"] = at
    VECTORS.append(v)
    expect_accept = verdict == "pass"
    mark = "" if ref["accepts"] == expect_accept else "   <-- python-tuf differs"
    print(f"{name:40s} {verdict:4s} {failed} tuf={'accept' if ref['accepts'] else 'reject'}{mark}")


def tamper_sig(md_bytes, index=0):
    d = json.loads(md_bytes)
    sig = bytearray(bytes.fromhex(d["signatures"][index]["sig"]))
    sig[len(sig) // 2] ^= 0x01
    d["signatures"][index]["sig"] = sig.hex()
    return dump(d)


# ================================================================ vectors
def main():
    for entry in os.listdir(HERE):
        if os.path.isdir(path(entry)) and os.path.exists(path(entry, "repository")):
            shutil.rmtree(path(entry))

    # 1 valid-ed25519
    Repo().build().write("valid-ed25519")
    vector("valid-ed25519", "pass", [], "one Ed25519 key per role, threshold 1, consistent_snapshot false; "
           "timestamp and snapshot carry length and sha256 of the metadata they list; targets carry sha256 and sha512")

    # 2 valid-threshold
    r = Repo()
    r.signers["root"] = [K["root-1"], K["root-ecdsa"], K["root-rsa"]]
    r.threshold["root"] = 2
    r.signers["targets"] = [K["targets"], K["targets-ecdsa"]]
    r.threshold["targets"] = 2
    r.root_chain = [(r.make_root(), [K["root-ecdsa"], K["root-rsa"]])]
    r.build().write("valid-threshold")
    vector("valid-threshold", "pass", [], "root 2 of 3 keys (ed25519, ecdsa-sha2-nistp256, rsassa-pss-sha256), signed by "
           "the ECDSA and RSA keys only (the Ed25519 root key's signature is absent); targets 2 of 2 (ed25519 + ECDSA). "
           "ECDSA signatures are DER, RSA-PSS uses salt length 32; not byte-reproducible")

    # 3 valid-rotation
    def rotation(name, break_step=None, skip=False):
        r = Repo()
        chain = []
        steps = [("root-1", "timestamp"), ("root-2", "timestamp-2"), ("root-3", "timestamp-3")]
        for i, (rk, tk) in enumerate(steps):
            r.signers["root"] = [K[rk]]
            r.signers["timestamp"] = [K[tk]]
            version = i + 1
            if skip and i == 1:
                version = 3
            md = r.make_root(version=version)
            signers = [K[rk]] if i == 0 else [K[steps[i - 1][0]], K[rk]]
            if break_step == i:
                signers = [K[rk]]
            chain.append((md, signers))
            if skip and i == 1:
                break
        r.root_chain = chain
        return r.build()

    rotation("valid-rotation").write("valid-rotation")
    vector("valid-rotation", "pass", [], "root 1 -> 2 -> 3, root key and timestamp key replaced at each step; each new "
           "root signed by the previous root's key and its own; the client trusts 1.root.json")

    # 4 valid-delegation
    Repo(delegate=True).build().write("valid-delegation")
    vector("valid-delegation", "pass", [], "targets delegates firmware/pump-* to pump-vendor (own Ed25519 key, "
           "threshold 1, terminating); the pump image is listed only in pump-vendor.json")

    # 5 valid-consistent
    Repo(consistent=True, delegate=True).build().write("valid-consistent")
    vector("valid-consistent", "pass", [], "consistent_snapshot true: 1.snapshot.json, 1.targets.json, "
           "1.pump-vendor.json (no unversioned copies; timestamp.json unversioned; roots N.root.json and root.json) and "
           "target files as targets/firmware/<sha256>.<basename> (hash prefix on the basename, as python-tuf fetches "
           "them; sha256 is the first hash listed)")

    # extra valid: canonical JSON corner cases
    r = Repo()
    r.target_custom[MONITOR] = {
        "note": "Monitor \u2013 Gr\u00f6\u00dfe \"7.0.0\" C:\\fw\\ line1\nline2\ttab \u00e9\u0301 \U0001F600 </script>",
        "build": 20260601, "min_bootloader": -3, "big": 9007199254740993, "signed_off": True,
        "rollback_ok": False, "ticket": None, "tags": ["b", "a", "\u00e9"], "empty": {}, "none": [],
        "order": {"Z": 1, "a": 2, "z": 3, "~": 4, "\u00e9": 5, "\uff5a": 6, "\U0001F600": 7, "": 8, "a\u0000b": 9},
    }
    r.build().write("valid-canonical-json")
    vector("valid-canonical-json", "pass", [], "targets.json's firmware/monitor-7.0.0.bin has a 'custom' object with "
           "canonical-JSON corner cases: non-ASCII (written \\uXXXX-escaped by json.dumps in the file, signed as raw "
           "UTF-8), a non-BMP character (a surrogate pair in the file), quote, backslash, newline, tab and NUL "
           "(only \\\" and \\\\ are escaped in canonical form, the rest are raw bytes), a decomposed e + U+0301 "
           "(no Unicode normalisation), true/false/null, negative and > 2^53 integers, empty object/array, and "
           "keys sorted by Unicode code point (= UTF-8 byte order: 'ｚ' U+FF5A before the emoji U+1F600, "
           "the reverse of UTF-16 order; '' first)")

    # 6-8 target files
    r = Repo().build()
    bad = bytearray(TARGETS[MONITOR]); bad[1000] ^= 0x01
    r.files[MONITOR] = bytes(bad)
    r.write("target-tampered")
    vector("target-tampered", "fail", ["manifest.entry-mismatch"], "one bit of firmware/monitor-7.0.0.bin flipped "
           "after signing (same length, hashes differ)")

    r = Repo().build()
    r.files[PUMP] = TARGETS[PUMP] + b"\x00" * 512
    r.write("target-endless-data")
    vector("target-endless-data", "fail", ["manifest.entry-mismatch"], "endless-data attack: 512 bytes appended "
           "to firmware/pump-2.4.1.bin; length must be checked (read at most length+1 bytes)")

    Repo().build().write("target-missing", skip_files=(MONITOR,))
    vector("target-missing", "fail", ["manifest.missing-entry"], "firmware/monitor-7.0.0.bin is listed in "
           "targets.json but absent from repository/targets/")

    # 9 expiry
    for role in ["timestamp", "snapshot", "targets", "root"]:
        r = Repo()
        r.expires[role] = PAST
        r.build().write(f"{role}-expired")
        extra = " (freeze attack)" if role == "timestamp" else ""
        vector(f"{role}-expired", "fail", ["metadata.expired"], f"{role}.json expires 2026-01-01T00:00:00Z, "
               f"before the verification time 2026-06-01T00:00:00Z{extra}"
               + ("; the client's trusted root is that same root" if role == "root" else ""))

    # 10 timestamp-bad-signature
    r = Repo()
    r.post["timestamp"] = lambda md: tamper_sig(md.to_bytes(PRETTY))
    r.build().write("timestamp-bad-signature")
    vector("timestamp-bad-signature", "fail", ["metadata.threshold"], "one bit in the middle of the timestamp "
           "signature flipped (the hex stays well-formed)")

    # 11 targets-signed-by-wrong-key
    r = Repo()
    r.post["targets"] = lambda md: sign_md(md, [K["attacker"]])
    r.build().write("targets-signed-by-wrong-key")
    vector("targets-signed-by-wrong-key", "fail", ["metadata.threshold"], "targets.json signed only by a key that "
           "root does not list (its own keyid); snapshot and timestamp re-signed over the new bytes, as an attacker "
           "holding the snapshot and timestamp keys would")

    # 12 threshold-duplicate-signature
    r = Repo()
    r.signers["targets"] = [K["targets"], K["targets-2"]]
    r.threshold["targets"] = 2

    def dup(md):
        sign_md(md, [K["targets"]])
        d = md.to_dict()
        d["signatures"] = d["signatures"] * 2
        return dump(d)
    r.post["targets"] = dup
    r.build().write("threshold-duplicate-signature")
    vector("threshold-duplicate-signature", "fail", ["metadata.threshold"], "targets threshold 2 (keys targets and "
           "targets-2); targets.json carries the same valid signature entry (same keyid, same sig) twice; one key "
           "counts once")

    # 13 threshold-same-key-two-ids
    r = Repo()
    pub = K["targets"].public_key
    alias_id = hashlib.sha256(b"fwgate alias of " + pub.keyid.encode()).hexdigest()
    alias = SSlibKey(alias_id, pub.keytype, pub.scheme, dict(pub.keyval))
    r.role_keys = {"targets": [pub, alias]}
    r.threshold["targets"] = 2

    def two_ids(md):
        sign_md(md, [K["targets"]])
        sig = md.signatures[pub.keyid]
        md.signatures[alias_id] = Signature(alias_id, sig.signature)
        return md
    r.post["targets"] = two_ids
    r.build().write("threshold-same-key-two-ids")
    vector("threshold-same-key-two-ids", "fail", ["metadata.threshold"], "root lists the targets public key twice, "
           "under its canonical keyid and under an alias keyid that is not sha256 of its canonical form; targets "
           "threshold 2; targets.json carries the one signature under both keyids. fwgate counts distinct keys "
           "(key material), not keyids, and refuses a keyid that is not the canonical hash; python-tuf counts keyids "
           "and does not recompute keyids, so it accepts")

    # 14 threshold-zero
    r = Repo()
    root = r.make_root()
    d = root.signed.to_dict()
    d["roles"]["targets"]["threshold"] = 0
    sig = K["root-1"].sign(canonical(d))
    root_bytes = dump({"signatures": [sig.to_dict()], "signed": d})
    r.root_chain = [(root_bytes, None)]
    r.build().write("threshold-zero")
    vector("threshold-zero", "fail", ["metadata.threshold"], "root (the client's trusted root, validly signed) gives "
           "the targets role threshold 0, which would let unsigned targets metadata through; thresholds must be >= 1. "
           "targets.json is still validly signed")

    # 15 root-rotation-not-signed-by-old
    rotation("x", break_step=1).write("root-rotation-not-signed-by-old")
    vector("root-rotation-not-signed-by-old", "fail", ["metadata.threshold"], "2.root.json (new root key, new "
           "timestamp key) is signed only by its own new key, not by root 1's threshold; the client trusts 1.root.json")

    # 16 root-rotation-version-skip
    rotation("x", skip=True).write("root-rotation-version-skip")
    vector("root-rotation-version-skip", "fail", ["metadata.version-mismatch"], "the file 2.root.json holds a root "
           "with version 3 (properly signed by root 1's key and its own); root.json is the same; the client trusts 1")

    # 17 rollback-timestamp
    old = Repo(); old.version["timestamp"] = 5; old.build()
    r = Repo(); r.version["timestamp"] = 3; r.build()
    r.write("rollback-timestamp", client_extra={"timestamp.json": old.out["timestamp"]})
    vector("rollback-timestamp", "fail", ["rollback.version"], "the client holds timestamp version 5 (same snapshot "
           "meta); the repository serves a validly signed timestamp version 3", trust_extra=["timestamp.json"])

    # 18 rollback-snapshot / rollback-targets
    old = Repo(); old.version.update(snapshot=4, targets=4, timestamp=4); old.build()
    r = Repo(); r.version.update(snapshot=2, targets=2, timestamp=2); r.build()
    r.write("rollback-snapshot", client_extra={"snapshot.json": old.out["snapshot"]})
    vector("rollback-snapshot", "fail", ["rollback.version"], "the client holds snapshot version 4 listing "
           "targets.json version 4; the repository is an older, consistent and validly signed state (timestamp 2, "
           "snapshot 2, targets 2): snapshot 2 < 4 and targets 2 < 4", trust_extra=["snapshot.json"])

    r = Repo(); r.version.update(snapshot=5, targets=2, timestamp=5); r.build()
    r.write("rollback-targets", client_extra={"snapshot.json": old.out["snapshot"]})
    vector("rollback-targets", "fail", ["rollback.version"], "the client holds snapshot version 4 listing "
           "targets.json version 4; the repository serves a newer snapshot 5 (and timestamp 5) that lists an older, "
           "validly signed targets.json version 2", trust_extra=["snapshot.json"])

    # 19 mix-and-match
    t1 = Repo().build().out["targets"]
    r = Repo()
    r.version["targets"] = 2
    r.snapshot_hashes = {"targets": False}
    r.post["targets"] = lambda md: t1
    r.build().write("mix-and-match")
    vector("mix-and-match", "fail", ["metadata.version-mismatch"], "snapshot lists targets.json version 2 (without "
           "length/hashes, which the spec allows) but targets.json is the older, validly signed version 1")

    # 20 snapshot-hash-mismatch
    r = Repo().build()
    md = Metadata.from_bytes(r.out["snapshot"])
    md.signed.expires = datetime.datetime(2030, 1, 2, tzinfo=UTC)
    r.out["snapshot"] = sign_md(md, [K["snapshot"]]).to_bytes(PRETTY)
    r.write("snapshot-hash-mismatch")
    vector("snapshot-hash-mismatch", "fail", ["integrity.digest-mismatch"], "snapshot.json changed (expires "
           "2030-01-02) and re-signed by the snapshot key after timestamp recorded its sha256; length unchanged")

    # 21 delegation-outside-paths
    r = Repo(delegate=True)
    evil = random.Random(666).randbytes(4096)
    r.delegated["pump-vendor"][MONITOR] = evil
    r.build().write("delegation-outside-paths")
    vector("delegation-outside-paths", "fail", ["metadata.delegation"], "pump-vendor (delegated firmware/pump-*) "
           "also lists firmware/monitor-7.0.0.bin with other hashes than targets.json's; the file on disk is the "
           "top-level one. fwgate reports the out-of-scope entry and must not use it (so no manifest.entry-mismatch). "
           "python-tuf accepts: its lookup resolves firmware/monitor-7.0.0.bin in targets.json and never consults "
           "pump-vendor for it; fwgate is stricter because it verifies every entry in every role")

    # delegated roles badly signed
    r = Repo(delegate=True)
    r.post["pump-vendor"] = lambda md: tamper_sig(md.to_bytes(PRETTY))
    r.build().write("delegated-role-bad-signature")
    vector("delegated-role-bad-signature", "fail", ["metadata.threshold"], "one bit of pump-vendor.json's signature "
           "flipped (snapshot lists the tampered file's hashes, so only the delegated role's signature is wrong)")

    r = Repo(delegate=True)
    r.delegation_signers["pump-vendor"] = [K["targets"]]
    r.delegation_roles[0] = DelegatedRole("pump-vendor", [K["pump-vendor"].public_key.keyid], 1, True, paths=["firmware/pump-*"])
    r.build().write("delegated-role-wrong-key")
    vector("delegated-role-wrong-key", "fail", ["metadata.threshold"], "pump-vendor.json signed by the targets key, "
           "not by the key targets.json delegates pump-vendor to")

    # 22 wrong-trusted-root
    other = Repo()
    for role in TOP_ROLES:
        other.signers[role] = [K["other-repo"]]
    other.build()
    Repo().build().write("wrong-trusted-root", client_root=other.roots[0])
    vector("wrong-trusted-root", "fail", ["metadata.threshold"], "the client's trusted root.json is version 1 of "
           "another repository (all roles on the other-repo key); nothing in this repository is signed by it")

    # 23 malformed-json
    r = Repo().build()
    r.out["timestamp"] = r.out["timestamp"][: len(r.out["timestamp"]) // 2]
    r.write("malformed-json")
    vector("malformed-json", "fail", ["malformed.encoding"], "timestamp.json truncated to its first half")

    # 24 duplicate-json-key
    r = Repo()

    def dup_key(md):
        text = md.to_bytes(PRETTY).decode()
        fake = {MONITOR: TargetFile.from_data(MONITOR, random.Random(667).randbytes(4096),
                                              ["sha256", "sha512"]).to_dict()}
        fake_text = json.dumps(fake, indent=1, separators=(",", ": "), sort_keys=True)
        fake_text = "\n".join(("  " + line if i else line) for i, line in enumerate(fake_text.split("\n")))
        marker = '\n  "targets": {'
        assert text.count(marker) == 1
        text = text.replace(marker, '\n  "targets": ' + fake_text + "," + marker)
        return text.encode()
    r.post["targets"] = dup_key
    r.build().write("duplicate-json-key")
    vector("duplicate-json-key", "fail", ["malformed.encoding"], "targets.json's signed object has the key "
           "\"targets\" twice: first a map listing only firmware/monitor-7.0.0.bin with other hashes, then the real "
           "map; the signature is valid over the canonical form of the last value (what Python's json keeps); "
           "snapshot/timestamp hash the edited bytes. python-tuf accepts (json.loads keeps the last duplicate); fwgate "
           "refuses duplicate keys because which value a verifier sees is parser-dependent")

    # extra: delegated role name with path traversal
    r = Repo()
    name = "../escape"
    r.delegate(name, ["firmware/pump-*"], {PUMP: TARGETS[PUMP]})
    del r.top_targets[PUMP]
    r.build()
    r.write("delegation-role-path-traversal", extra_files={"repository/escape.json": r.out[name]})
    vector("delegation-role-path-traversal", "fail", ["metadata.delegation"], "targets delegates firmware/pump-* to "
           "a role named '../escape'; snapshot lists '../escape.json' and a validly signed file sits at "
           "repository/escape.json, where a verifier that joins metadata/ + name + .json would read it. fwgate must "
           "refuse role names with '/', '\\\\', '..' or other path syntax. python-tuf percent-encodes role names "
           "('..%2Fescape.json'): TrustedMetadataSet accepts the name, and this reference rejects only because "
           "metadata/..%2Fescape.json does not exist; the real tuf.ngclient.Updater with a fetcher that percent-decodes "
           "the URL (as a file server that decodes %2F would) reads repository/escape.json and ACCEPTS. fwgate must "
           "not depend on the transport for this")

    about = ("TUF 1.0 repositories made with python-tuf's Metadata API (tuf.api.metadata) and securesystemslib "
             "CryptoSigner with the TEST keys in keys/, and attack twins, each a copy of a valid repository with one "
             "change. Each vector is verified as fwgate verify FILE --trust TRUST[0] at 2026-06-01T00:00:00Z "
             "(or 'at'); TRUST[0] is the client's trusted root.json, further TRUST entries are the client's previously "
             "trusted timestamp.json/snapshot.json in the same client/metadata folder. 'failed' is the exact set of "
             "failed check codes. Metadata is as Metadata.to_file writes it (JSONSerializer: indent 1, sorted keys, "
             "ASCII-escaped). Reproducibility: generate.py remakes every vector byte for byte except valid-threshold "
             "(its ECDSA and RSA-PSS signatures are randomised). 'reference' is python-tuf's own client logic run "
             "offline: TrustedMetadataSet fed the trusted root, N+1.root.json while present, the client's local "
             "timestamp/snapshot (as the Updater does, errors ignored), timestamp, snapshot, targets and every "
             "reachable delegated role, then each listed target resolved by the Updater's preorder walk and checked "
             "with TargetFile.verify_length_and_hashes; reference_time set to 2026-06-01T00:00:00Z.")
    out = {"about": about,
           "tool": {"name": "python-tuf", "version": f"tuf {tuf.__version__}, securesystemslib "
                                                     f"{securesystemslib.__version__}"},
           "vectors": VECTORS}
    with open(path("expected.json"), "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    sys.exit(main())
