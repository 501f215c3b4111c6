"""Markdown helpers shared by lint rules and exporters: finding the media an item refers to.

Images and linked files matter twice: lint must prove they exist and have alt text, and exporters
must package them. Both use :func:`media_refs`, so they never disagree about what an item needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote

from qbank.text import strip_code

# ![alt](src "title") and [text](src); src may be wrapped in <...>. Nested brackets in alt text are rare
# in exam items and not supported.
_INLINE = re.compile(r"(?P<bang>!?)\[(?P<alt>[^\]\n]*)\]\(\s*(?:<(?P<src1>[^>\n]*)>|(?P<src2>[^\s)]+))(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
_REF_USE = re.compile(r"(?P<bang>!?)\[(?P<alt>[^\]\n]*)\]\[(?P<ref>[^\]\n]*)\]")
_REF_DEF = re.compile(r"^[ ]{0,3}\[(?P<ref>[^\]\n]+)\]:\s*<?(?P<src>[^\s>]+)>?", re.M)
_TAG = re.compile(r"<(img|a|source|video|audio|object|embed)\b[^>]*>", re.I)
_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|#)")


@dataclass(frozen=True, slots=True)
class MediaRef:
    """A reference from Markdown to an image or a linked file."""

    src: str
    alt: str | None
    is_image: bool

    @property
    def is_local(self) -> bool:
        """True for a file path (relative or absolute); false for URLs, data: URIs and #anchors."""
        return bool(self.src) and _EXTERNAL.match(self.src) is None

    @property
    def local_path(self) -> str:
        """The file path without query, fragment or percent-encoding."""
        return unquote(self.src.split("#", 1)[0].split("?", 1)[0])


class _TagAttrs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def media_refs(markdown: str) -> list[MediaRef]:
    """Images (Markdown or HTML ``<img>``) and links to files in ``markdown``, code excluded."""
    text = strip_code(markdown)
    if "[" not in text and "<" not in text:
        return []
    refs: list[tuple[int, MediaRef]] = []
    for m in _INLINE.finditer(text):
        refs.append((m.start(), MediaRef(m.group("src1") or m.group("src2") or "", m.group("alt"), bool(m.group("bang")))))
    if "]:" in text:
        defs = {m.group("ref").casefold(): m.group("src") for m in _REF_DEF.finditer(text)}
        for m in _REF_USE.finditer(text):
            key = (m.group("ref") or m.group("alt")).casefold()
            if key in defs:
                refs.append((m.start(), MediaRef(defs[key], m.group("alt"), bool(m.group("bang")))))
    if "<" in text:
        for tag_match in _TAG.finditer(text):
            parser = _TagAttrs()
            parser.feed(tag_match.group(0))
            parser.close()
            at = tag_match.start()
            for tag, attrs in parser.found:
                if tag == "img":
                    refs.append((at, MediaRef(attrs.get("src") or "", attrs.get("alt"), True)))
                elif tag == "a":
                    if attrs.get("href"):
                        refs.append((at, MediaRef(attrs["href"] or "", None, False)))
                elif attrs.get("src"):
                    refs.append((at, MediaRef(attrs["src"] or "", None, False)))
    refs.sort(key=lambda pair: pair[0])
    return [ref for _, ref in refs]
