"""Deterministic zip archives: the same entries always give the same bytes.

Entry order, timestamps and permissions are fixed, so exporting an unchanged bank twice gives
byte-identical packages (diffable in git, cacheable in CI).
"""

from __future__ import annotations

import io
import zipfile
from typing import Iterable

_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def build_zip(entries: Iterable[tuple[str, bytes]], first: Iterable[str] = ()) -> bytes:
    """A zip of ``entries`` (name, bytes): names listed in ``first`` lead, the rest sorted.

    Package readers look for ``imsmanifest.xml`` at the root; listing it first also lets tools
    that peek at the first entry recognise the package.
    """
    data = dict(entries)
    leading = [name for name in first if name in data]
    order = leading + sorted(name for name in data if name not in leading)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, so the permission bits above are read as such
            archive.writestr(info, data[name])
    return buffer.getvalue()
