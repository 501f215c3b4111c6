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
import posixpath
import re
import zipfile
import zlib

from lxml import etree

from qbank.importers import ImportFailure

MAX_ZIP_TOTAL = 512 * 1024 * 1024  # bytes, decompressed
MAX_ZIP_RATIO = 200  # decompressed / compressed, per member
MAX_ZIP_MEMBERS = 20_000
MAX_XML_BYTES = 256 * 1024 * 1024

_ENTITY = re.compile(rb"<!ENTITY", re.I)


def parse_xml(data: bytes, filename: str) -> etree._Element:
    """Parse untrusted XML, or raise :class:`ImportFailure` naming the line and the fix."""
    if len(data) > MAX_XML_BYTES:
        raise ImportFailure(f"{filename}: the XML file is larger than {MAX_XML_BYTES // 2**20} MiB; split it")
    match = _ENTITY.search(data)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        raise ImportFailure(
            f"{filename}: XML entity declarations (<!ENTITY) are refused, because they can expand without "
            "limit or read local files; remove the declaration",
            line,
        )
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
    except zipfile.BadZipFile as exc:
        raise ImportFailure(f"{filename}: not a readable zip file ({exc}); re-export or re-download it") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise ImportFailure(f"{filename}: the zip has {len(infos)} members, more than the {MAX_ZIP_MEMBERS} allowed")
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
            try:
                with archive.open(info) as fh:
                    content = fh.read(info.file_size + 1)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
                raise ImportFailure(f"{filename}: the zip is damaged at {info.filename!r} ({exc}); re-export or re-download it") from None
            if len(content) > info.file_size:
                raise ImportFailure(f"{filename}: the zip member {info.filename!r} is larger than its header says; refusing it")
            total += len(content)
            if total > MAX_ZIP_TOTAL:
                raise ImportFailure(f"{filename}: the zip unpacks to more than {MAX_ZIP_TOTAL // 2**20} MiB")
            out[name] = content
        return out


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" or data[:4] == b"PK\x05\x06"
