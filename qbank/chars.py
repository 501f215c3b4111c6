"""Which characters XML 1.0 cannot carry, and which are invisible: one answer for the whole tool.

* :data:`NOT_XML` is everything outside XML 1.0's ``Char`` production
  (``#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]``): the C0 controls
  other than tab, line feed and carriage return, lone surrogates, and the non-characters U+FFFE
  and U+FFFF. It is exactly what lxml refuses to put into a tree (tests/test_chars.py checks every
  code point), so it is what the XML exporters (Moodle XML, Canvas QTI 1.2, QTI 2.1/3.0) strip with
  a warning, what the JUnit reporter replaces, and what lint rule QB503 ``invalid-characters``
  reports as an error that blocks ``qbank export``. DEL (U+007F) and the C1 controls
  (U+0080-U+009F) are *not* in it: XML 1.0 allows them (it only discourages them), and both lxml
  (libxml2) and Python's ElementTree (expat) write and read them back unchanged.
* :data:`INVISIBLE` is text XML carries fine but a reader cannot see: soft hyphen, zero-width space
  and joiners, word joiner, byte-order mark, bidirectional embeddings/overrides/isolates, the
  Mongolian vowel separator, DEL and the C1 controls. Rule QB505 ``invisible-characters`` warns
  about them; exports keep them as they are.
"""

from __future__ import annotations

import re
import unicodedata

NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""One character XML 1.0 cannot carry (C0 controls but tab/LF/CR, surrogates, U+FFFE, U+FFFF)."""

SOFT_HYPHEN = "\u00ad"
ZWNJ = "\u200c"
ZWJ = "\u200d"
BOM = "\ufeff"
C1_CONTROLS = "".join(map(chr, range(0x80, 0xA0)))
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Embeddings and overrides (U+202A-U+202E) and isolates (U+2066-U+2069): the "Trojan Source" set."""

INVISIBLE = frozenset(
    "\u007f" + C1_CONTROLS + SOFT_HYPHEN + "\u180e\u200b" + ZWNJ + ZWJ + "\u2060" + BOM + BIDI_CONTROLS
)
"""Characters XML carries but nobody sees. Deliberately left out: U+00A0 NO-BREAK SPACE and the
other fixed-width spaces (visible as space, legitimate typography), and U+200E/U+200F/U+061C, the
bidirectional *marks*, which right-to-left text routinely needs."""

_INVISIBLE_RE = re.compile("[" + re.escape("".join(sorted(INVISIBLE))) + "]")


def xml_text(text: str) -> tuple[str, int]:
    """``text`` without the characters XML 1.0 cannot carry, and how many were removed."""
    return NOT_XML.subn("", text)


def invisible_characters(text: str) -> list[tuple[int, str]]:
    """``(offset, character)`` of every :data:`INVISIBLE` character in ``text``."""
    return [(m.start(), m.group(0)) for m in _INVISIBLE_RE.finditer(text)]


def describe_char(ch: str) -> str:
    """``U+00AD SOFT HYPHEN``; unnamed code points get their kind (control, surrogate, non-character)."""
    name = unicodedata.name(ch, "")
    if not name:
        kind = unicodedata.category(ch)
        name = {"Cc": "control character", "Cs": "surrogate", "Co": "private-use character"}.get(kind, "non-character")
    return f"U+{ord(ch):04X} {name}"


def parse_code_point(value: str) -> str | None:
    """The character a config value names: ``U+200D``, ``200D`` or the character itself; else None."""
    text = value.strip()
    if len(text) == 1:
        return text
    digits = text.upper().removeprefix("U+")
    if re.fullmatch(r"[0-9A-F]{1,6}", digits) and int(digits, 16) <= 0x10FFFF:
        return chr(int(digits, 16))
    return None
