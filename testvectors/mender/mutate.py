#!/usr/bin/env python3
"""Makes the tampered Mender artifact vectors from the ones mender-artifact wrote (see generate.sh).

The outer tar is rewritten member by member: a member that is not changed keeps its original
512-byte header block and data bytes exactly as mender-artifact (Go archive/tar) wrote them; a
changed member gets a new ustar header from Python's tarfile (TarInfo.tobuf, USTAR_FORMAT, the
device fields patched to Go's form) with
the original name, mode, uid/gid, uname/gname and mtime and the new size. The archive ends, as Go
writes it, with two zero blocks and no padding to a 10 KiB record.

Usage: mutate.py OPERATION IN OUT [ARGS...]   (operations: see OPS at the end)
"""
import base64, gzip, io, subprocess, sys, tarfile

BLOCK = 512


class Member:
    def __init__(self, info, raw_header, data):
        self.info, self.raw_header, self.data = info, raw_header, data

    def blocks(self):
        head = self.raw_header if self.raw_header is not None else go_ustar(self.info)
        pad = (-len(self.data)) % BLOCK
        return head + self.data + b"\0" * pad

    def replaced(self, data, name=None):
        info = tarfile.TarInfo(name if name is not None else self.info.name)
        for attr in ("mode", "uid", "gid", "uname", "gname", "mtime", "type"):
            setattr(info, attr, getattr(self.info, attr))
        info.size = len(data)
        return Member(info, None, data)


def go_ustar(info):
    """A ustar header block as Go's archive/tar writes it for a regular file: Python's tarfile
    header, with devmajor/devminor written "0000000\\0" as Go does (Python leaves them empty for
    non-device members) and the checksum recomputed ("%06o\\0 ")."""
    b = bytearray(info.tobuf(tarfile.USTAR_FORMAT, "utf-8", "strict"))
    assert len(b) == BLOCK, "name too long for a plain ustar header"
    b[329:345] = b"0000000\0" * 2
    b[148:156] = b" " * 8
    b[148:156] = b"%06o\0 " % sum(b)
    return bytes(b)


def read_tar(raw):
    """The members of a tar held in bytes, each with its raw header block(s) and data."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tf:
        for m in tf.getmembers():
            out.append(Member(m, raw[m.offset:m.offset_data], raw[m.offset_data:m.offset_data + m.size]))
    return out


def write_tar(members):
    return b"".join(m.blocks() for m in members) + b"\0" * (2 * BLOCK)


def find(members, name):
    hits = [i for i, m in enumerate(members) if m.info.name == name]
    if len(hits) != 1:
        sys.exit(f"mutate.py: expected one member {name!r}, found {len(hits)}")
    return hits[0]


def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def sign_rsa(manifest, key):
    """manifest.sig as mender-artifact makes it with an RSA key: base64 (standard alphabet, padded,
    no newline) of the RSASSA-PKCS1-v1_5 SHA-256 signature over the manifest's bytes."""
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=manifest,
                         capture_output=True, check=True).stdout
    return base64.b64encode(sig)


def with_inner(members, name, edit):
    """Decompresses the gzip member `name`, applies edit(inner tar bytes) -> bytes, recompresses."""
    i = find(members, name)
    members[i] = members[i].replaced(gz(edit(gzip.decompress(members[i].data))))


# --- operations -----------------------------------------------------------------------------

def op_strip(members, name):
    del members[find(members, name)]


def op_flip_sig(members):
    i = find(members, "manifest.sig")
    sig = bytearray(base64.b64decode(members[i].data, validate=True))
    sig[len(sig) // 2] ^= 0x01
    members[i] = members[i].replaced(base64.b64encode(bytes(sig)))


def op_edit_manifest(members):
    # One hex digit of the first line's checksum (the data/0000/... line) changed; manifest.sig kept.
    i = find(members, "manifest")
    data = bytearray(members[i].data)
    data[0] = ord("0") if data[0] != ord("0") else ord("1")
    members[i] = members[i].replaced(bytes(data))


def op_tamper_payload(members):
    def edit(inner):
        files = read_tar(inner)
        off = files[0].info.offset_data + 40000  # a byte in the middle of the first payload file
        b = bytearray(inner)
        b[off] ^= 0x01
        return bytes(b)
    with_inner(members, "data/0000.tar.gz", edit)


def op_tamper_header(members, old, new):
    assert len(old) == len(new)
    def edit(inner):
        hi = next(m for m in read_tar(inner) if m.info.name == "header-info")
        start = hi.info.offset_data
        body = inner[start:start + hi.info.size]
        assert body.count(old.encode()) == 1, body
        return inner[:start] + body.replace(old.encode(), new.encode()) + inner[start + hi.info.size:]
    with_inner(members, "header.tar.gz", edit)


def op_add(members, name, source):
    """Appends member `name` after the last member; its content is that of member `source`, or
    the text 'evil\\n' when source is '-'."""
    if source == "-":
        members.append(members[find(members, "version")].replaced(b"evil\n", name=name))
    else:
        members.append(members[find(members, source)].replaced(members[find(members, source)].data, name=name))


def op_duplicate(members, name):
    i = find(members, name)
    members.insert(i + 1, Member(members[i].info, members[i].raw_header, members[i].data))


def op_drop_data_file(members, filename):
    def edit(inner):
        files = read_tar(inner)
        del files[find(files, filename)]
        return write_tar(files)
    with_inner(members, "data/0000.tar.gz", edit)


def op_traversal(members, evil_name, key):
    """Renames the (only) payload file inside data/0000.tar.gz to evil_name, rewrites its manifest
    line to data/0000/<evil_name> (same checksum) and re-signs the manifest with the RSA key."""
    old = {}
    def edit(inner):
        files = read_tar(inner)
        assert len(files) == 1
        old["name"] = files[0].info.name
        files[0] = files[0].replaced(files[0].data, name=evil_name)
        return write_tar(files)
    with_inner(members, "data/0000.tar.gz", edit)
    i = find(members, "manifest")
    manifest = members[i].data.replace(f"  data/0000/{old['name']}\n".encode(), f"  data/0000/{evil_name}\n".encode())
    assert manifest != members[i].data
    members[i] = members[i].replaced(manifest)
    s = find(members, "manifest.sig")
    members[s] = members[s].replaced(sign_rsa(manifest, key))


def op_resign(members, key):
    """Re-signs the manifest with the RSA key (used to check that sign_rsa matches mender-artifact)."""
    s = find(members, "manifest.sig")
    members[s] = members[s].replaced(sign_rsa(members[find(members, "manifest")].data, key))


OPS = {"strip": op_strip, "flip-sig": op_flip_sig, "edit-manifest": op_edit_manifest,
       "tamper-payload": op_tamper_payload, "tamper-header": op_tamper_header, "add": op_add,
       "duplicate": op_duplicate, "drop-data-file": op_drop_data_file, "traversal": op_traversal,
       "resign": op_resign}


def main():
    op, src, dst, *args = sys.argv[1:]
    raw = open(src, "rb").read()
    if op == "truncate":  # cut in the middle of data/0000.tar.gz's data
        m = next(m for m in read_tar(raw) if m.info.name.startswith("data/0000.tar"))
        open(dst, "wb").write(raw[:m.info.offset_data + m.info.size // 2])
        return
    members = read_tar(raw)
    OPS[op](members, *args)
    open(dst, "wb").write(write_tar(members))


if __name__ == "__main__":
    main()
