"""Markdown helpers shared by lint rules and exporters: finding the media an item refers to.

Images and linked files matter twice: lint must prove they exist and have alt text, and exporters
must package them. Both use :func:`media_refs`, so they never disagree about what an item needs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Callable
from urllib.parse import unquote

from qbank.text import strip_code

# ![alt](src "title") and [text](src); src may be wrapped in <...>. Nested brackets in alt text are rare
# in exam items and not supported. Alt text stops at any bracket, and sources and titles are capped,
# so a scan from one '[' never runs far: a row of 20,000 "![" cost a scan to the end of the line
# from each (quadratic; 15 s).
_INLINE = re.compile(r"(?P<bang>!?)\[(?P<alt>[^\[\]\n]*)\]\(\s*(?:<(?P<src1>[^<>\n]{0,4096})>|(?P<src2>(?:[^\s()]|\([^\s()]{0,256}\)){1,4096}))(?:\s+(?:\"[^\"\n]{0,1000}\"|'[^'\n]{0,1000}'|\([^)\n]{0,1000}\)))?\s*\)")
_REF_USE = re.compile(r"(?P<bang>!?)\[(?P<alt>[^\[\]\n]*)\]\[(?P<ref>[^\[\]\n]*)\]")
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


# --- Markdown to HTML, for every format that carries HTML ------------------------------------------

_ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl", "dt",
        "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd",
        "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul", "var",
    }
)
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start"},
    "code": {"class"},
    "abbr": {"title"},
}
_URL_SCHEMES = frozenset({"http", "https", "mailto", "data"})


def _renderer() -> Any:
    from markdown_it import MarkdownIt

    # CommonMark plus tables and strikethrough (what authors know from GitHub); raw HTML is allowed
    # through the parser and then sanitised, so <sub>, <sup> and <img width> keep working.
    return MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable(["table", "strikethrough"])


_MD: Any = None

# Most option texts and rationales are one line of plain prose, for which CommonMark can only
# produce one paragraph of the same text. Such text skips the parser and the sanitiser (they cost
# about 120 µs a call; an export of 10,000 items makes ~100,000 calls). The pattern admits no
# character with a Markdown or HTML meaning, no leading list or heading marker, and no characters
# the HTML serialiser would escape; tests check that the fast path agrees with the full one.
_PLAIN = re.compile(r"(?![0-9]+[.)])[^\W_](?:[^\W_]|[,.;:?!'’‘“”\"/%$@()=+-]| (?=\S))*\Z")


def markdown_to_html(text: str, rewrite: Callable[[str], str] | None = None) -> str:
    """Sanitised HTML for Markdown ``text``; ``rewrite`` maps local image and link targets to their
    exported location (a package path, ``@@PLUGINFILE@@/…``, a data URI).

    The same sanitiser runs for every format, so no exported file can carry a script, an event
    handler or a ``javascript:`` link, whatever an item (or an imported file) contained.
    """
    if _PLAIN.match(text):
        return f"<p>{text}</p>"
    return _render(text, rewrite)


def _render(text: str, rewrite: Callable[[str], str] | None = None) -> str:
    """The full path: CommonMark, then the sanitiser."""
    global _MD
    if _MD is None:
        _MD = _renderer()
    html = _MD.render(text)

    def attribute_filter(tag: str, attr: str, value: str) -> str | None:
        if rewrite is not None and ((tag == "img" and attr == "src") or (tag == "a" and attr == "href")):
            ref = MediaRef(value, None, tag == "img")
            if ref.is_local:
                return rewrite(unquote(value))
        return value

    return sanitise(html, attribute_filter)


def sanitise(html: str, attribute_filter: Callable[[str, str, str], str | None] | None = None) -> str:
    """``html`` reduced to the tags, attributes and URL schemes every target can carry safely.

    The one allowlist for exports (after rendering) and imports (before converting), so nothing an
    import lets in can be refused by an export, or the other way round.
    """
    import nh3

    cleaned = nh3.clean(
        html,
        tags=set(_ALLOWED_TAGS),
        attributes={k: set(v) for k, v in _ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        attribute_filter=attribute_filter,
        link_rel=None,
        strip_comments=True,
    )
    return cleaned.strip()


def inline_html(text: str, rewrite: Callable[[str], str] | None = None) -> str:
    """Like :func:`markdown_to_html`, without the wrapping ``<p>`` for a one-paragraph text.

    Option texts and short feedback read better inline in most LMS layouts.
    """
    html = markdown_to_html(text, rewrite)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html
