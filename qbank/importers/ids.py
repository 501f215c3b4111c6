"""Stable item ids for imported questions.

Ids come from the source's own names where it has them (a GIFT ``::title::``, a Moodle question
name or idnumber, a QTI identifier), slugified; otherwise from a hash of the question text. So
importing the same file twice gives the same ids, and an id never depends on the order of other
files on the command line.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from qbank.model import ID_PATTERN

_ID = re.compile(ID_PATTERN)


def slug(text: str, max_length: int = 60) -> str:
    """Lower-case ASCII words joined by '-' ("Peer Support: Quality #1" -> "peer-support-quality-1")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[A-Za-z0-9]+", ascii_text.lower())
    out = "-".join(words)[:max_length].strip("-")
    return out


def derive_id(name: str | None, text: str, taken: set[str], prefix: str = "q") -> str:
    """A valid, unique id from ``name`` (preferred) or a hash of ``text``; records it in ``taken``."""
    base = ""
    if name and _ID.match(name) and len(name) <= 80:
        base = name  # already a good id (QTI identifiers, Moodle idnumbers): keep it as is
    elif name:
        base = slug(name)
    if not base:
        base = f"{prefix}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:10]}"
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    taken.add(candidate)
    return candidate
