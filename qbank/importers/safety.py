"""Reading files from strangers: hardened XML parsing and zip extraction.

Every importer parses XML and zips only through these two functions, so the protections live in
one place and are tested once through the CLI:

* XML: no entity declarations (billion laughs, external entities), no DTD loading, no network,
  no huge trees; the IMS DOCTYPE line that real QTI 1.2 files carry is still accepted.
* Zips: no absolute or ``..`` member paths (zip slip), a cap on the decompressed size and on the
  compression ratio (zip bombs), a cap on the number of members, and a damaged archive
  (``BadZipFile``: truncated or overlapping entries) becomes one clear message.
"""

from __future__ import annotations

import io
import lzma
import posixpath
import re
import struct
import zipfile
import zlib

from lxml import etree

from qbank.importers import ImportFailure

MAX_ZIP_TOTAL = 512 * 1024 * 1024  # bytes, decompressed
MAX_ZIP_RATIO = 200  # decompressed / compressed, per member
MAX_ZIP_MEMBERS = 20_000
MAX_XML_BYTES = 256 * 1024 * 1024

_ENTITY = re.compile(rb"<!ENTITY", re.I)
_ENTITY_MESSAGE = (
    "XML entity declarations (<!ENTITY) are refused, because they can expand without limit or read local "
    "files; remove the declaration"
)
# What zipfile raises on a damaged or crafted archive besides BadZipFile (a negative seek, an
# undecodable member name, an unknown compression method or version, encryption, a bad stream).
_ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError, zlib.error, lzma.LZMAError)


def parse_xml(data: bytes, filename: str) -> etree._Element:
    """Parse untrusted XML, or raise :class:`ImportFailure` naming the line and the fix."""
    if len(data) > MAX_XML_BYTES:
        raise ImportFailure(f"{filename}: the XML file is larger than {MAX_XML_BYTES // 2**20} MiB; split it")
    match = _ENTITY.search(data)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        raise ImportFailure(f"{filename}: {_ENTITY_MESSAGE}", line)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        recover=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        raise ImportFailure(f"{filename}: not well-formed XML: {exc.msg}", line) from None
    if root is None:
        raise ImportFailure(f"{filename}: the XML file is empty")
    # The byte search above cannot see a declaration in UTF-16 or UTF-32 text; the parsed DTD can
    # (entities were neither expanded nor fetched: resolve_entities=False, no DTD loading).
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.entities()):
        raise ImportFailure(f"{filename}: {_ENTITY_MESSAGE}")
    return root


def _safe_member(name: str) -> str | None:
    """The member's normalised relative path, or None when it would escape the extraction folder."""
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or re.match(r"^[A-Za-z]:", cleaned):
        return None
    normal = posixpath.normpath(cleaned)
    if normal == ".." or normal.startswith("../") or "/../" in f"/{normal}/":
        return None
    return normal


def read_zip(data: bytes, filename: str) -> dict[str, bytes]:
    """Every file member of an untrusted zip by its normalised path, within the caps."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except _ZIP_ERRORS as exc:
        raise ImportFailure(f"{filename}: not a readable zip file ({exc}); re-export or re-download it") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise ImportFailure(f"{filename}: the zip has {len(infos)} members, more than the {MAX_ZIP_MEMBERS} allowed")
        _check_layout(infos, data, filename)
        declared = sum(i.file_size for i in infos)
        if declared > MAX_ZIP_TOTAL:
            raise ImportFailure(f"{filename}: the zip would unpack to {declared // 2**20} MiB, more than the {MAX_ZIP_TOTAL // 2**20} MiB allowed")
        out: dict[str, bytes] = {}
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            name = _safe_member(info.filename)
            if name is None:
                raise ImportFailure(
                    f"{filename}: the zip member {info.filename!r} points outside the package (absolute or '..' path); "
                    "refusing to read it"
                )
            if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
                raise ImportFailure(
                    f"{filename}: the zip member {info.filename!r} expands {info.file_size // max(info.compress_size, 1)}x, "
                    "which looks like a zip bomb; refusing to read it"
                )
            if info.flag_bits & 0x1:
                raise ImportFailure(f"{filename}: the zip member {info.filename!r} is encrypted (password-protected); export it again without a password")
            try:
                with archive.open(info) as fh:
                    content = fh.read(info.file_size + 1)
            except _ZIP_ERRORS as exc:
                raise ImportFailure(f"{filename}: the zip is damaged at {info.filename!r} ({exc}); re-export or re-download it") from None
            if len(content) > info.file_size:
                raise ImportFailure(f"{filename}: the zip member {info.filename!r} is larger than its header says; refusing it")
            total += len(content)
            if total > MAX_ZIP_TOTAL:
                raise ImportFailure(f"{filename}: the zip unpacks to more than {MAX_ZIP_TOTAL // 2**20} MiB")
            out[name] = content
        return out


def _check_layout(infos: list[zipfile.ZipInfo], data: bytes, filename: str) -> None:
    """Refuse duplicate member names and members whose data overlap (the "overlapping files" zip
    bomb; older Python releases do not check this themselves)."""
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            raise ImportFailure(f"{filename}: the zip has two members named {info.filename!r}; re-export it")
        seen.add(info.filename)
    end = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        start = info.header_offset
        if start < end:
            raise ImportFailure(f"{filename}: the zip's members overlap (at {info.filename!r}), which only a crafted or damaged zip does; refusing it")
        header = data[start:start + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise ImportFailure(f"{filename}: the zip is damaged at {info.filename!r} (no local header); re-export or re-download it")
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        end = start + 30 + name_length + extra_length + info.compress_size


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06"


def decode_text(data: bytes, filename: str, fix: str = "save the file as UTF-8") -> str:
    """UTF-8 text without a byte-order mark, or one :class:`ImportFailure` that names the line
    and ``fix`` (what to do in the program that saved the file). Shared by the text importers."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFailure(f"{filename}: the file is UTF-16 text; {fix}")
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ImportFailure(f"{filename}: not UTF-8 text (byte 0x{data[exc.start]:02x}); {fix}", line) from None
