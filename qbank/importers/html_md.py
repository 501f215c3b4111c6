"""HTML from other systems to the Markdown the model stores, only where the conversion is faithful.

markdownify (a maintained converter, added as a dependency) proposes the Markdown; we render that
Markdown back with the same renderer the exporters use and compare it with the source HTML after
sanitising both. Equal structure and text: the Markdown is kept. Anything else (a table with
merged cells, colours, unusual markup): the sanitised HTML itself is kept, since raw HTML is valid
Markdown and exports unchanged. Scripts and event handlers never survive either way.

HTML nested deeper than :data:`MAX_DEPTH` elements (as written, or once sanitised) is refused with
an :class:`ImportFailure` (without a line: the importer adds the line of the field), because the
converters walk the tree recursively and would stop with a RecursionError, and the sanitiser takes
seconds on thousands of levels; no real question is formatted that deeply.
"""

from __future__ import annotations

import html as htmllib
import re

from lxml import etree
from lxml import html as lxml_html

from qbank.importers import ImportFailure
from qbank.markup import _PLAIN, markdown_to_html, sanitise

MAX_DEPTH = 100
"""Deepest element nesting converted (real questions stay under 20; markdownify recurses ~3 frames a level)."""

_SAME_TAG = {"b": "strong", "i": "em", "strike": "s", "del": "s"}
_WS = re.compile(r"\s+")
_BLOCKS = frozenset({"p", "div", "ul", "ol", "li", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "hr"})


def _canonical(html: str) -> str:
    """A comparable form: tag synonyms merged, whitespace collapsed, one wrapping <p> dropped."""
    if not html.strip():
        return ""
    try:
        parts = lxml_html.fragments_fromstring(html)
    except (etree.ParserError, ValueError):
        return _WS.sub(" ", html).strip()
    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            out.append(_WS.sub(" ", htmllib.escape(node, quote=False)))
            return
        el = node  # an lxml element
        tag = _SAME_TAG.get(el.tag, el.tag) if isinstance(el.tag, str) else ""
        if tag == "div":
            tag = "p"
        elif tag == "span":
            tag = ""  # a bare span changes nothing a reader sees
        attrs = " ".join(f'{k}="{v}"' for k, v in sorted(el.attrib.items()) if k in ("href", "src", "alt", "colspan", "rowspan"))
        if tag:
            out.append(f"<{tag}{' ' + attrs if attrs else ''}>" if tag in _BLOCKS or tag else "")
        if el.text:
            # Text is escaped, so the text "<br>" never compares equal to a <br> element.
            out.append(_WS.sub(" ", htmllib.escape(el.text, quote=False)))
        for child in el:
            walk(child)
        if tag and tag not in ("br", "img", "hr"):
            out.append(f"</{tag}>")
        if el.tail:
            out.append(_WS.sub(" ", htmllib.escape(el.tail, quote=False)))

    for part in parts:
        walk(part)
    text = "".join(out)
    text = re.sub(r"\s*(</?(?:p|li|ul|ol|table|tr|td|th|thead|tbody|blockquote|pre|h\d)[^>]*>)\s*", r"\1", text).strip()
    text = re.sub(r"\s*<br>\s*", "<br>", text)
    if text.startswith("<p>") and text.endswith("</p>") and text.count("<p>") == 1:
        text = text[3:-4]
    return text


def _check_depth(html: str) -> None:
    if html.count("<") > MAX_DEPTH and _depth(html) > MAX_DEPTH:
        raise ImportFailure(
            f"HTML nested more than {MAX_DEPTH} elements deep, more than qbank converts; "
            "simplify the formatting of this text in the source"
        )


def _depth(html: str) -> int:
    """How deeply the elements of ``html`` nest (without recursion, and stopping past MAX_DEPTH)."""
    try:
        parts = lxml_html.fragments_fromstring(html)
    except (etree.ParserError, ValueError):
        return 0
    deepest = 0
    stack = [(part, 1) for part in parts if not isinstance(part, str)]
    while stack and deepest <= MAX_DEPTH:
        element, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in element)
    return deepest


_PLAIN_PARAGRAPH = re.compile(r"(?:<p>)?([^<>&]*?)(?:</p>)?\Z", re.S)


def html_to_markdown(html: str) -> str:
    """Markdown for ``html`` when it renders back the same; otherwise the sanitised HTML."""
    from markdownify import markdownify

    plain = _PLAIN_PARAGRAPH.match(html.strip())
    if plain and _PLAIN.match(plain.group(1)):
        # One paragraph of prose with no markup and no character that means anything in HTML or
        # Markdown: the text itself is the Markdown (the renderer's own fast path proves it renders
        # back as exactly this paragraph). Most options and feedback in LMS exports look like this.
        return plain.group(1)
    _check_depth(html)  # before sanitising too: nh3 takes seconds on thousands of levels
    clean = sanitise(html)
    if not clean:
        return ""
    _check_depth(clean)
    markdown = markdownify(clean, heading_style="ATX", bullets="-", strong_em_symbol="*", escape_misc=True).strip()
    markdown = re.sub(r"\n{3,}", "\n\n", markdown)
    target = _canonical(clean)
    if _canonical(markdown_to_html(markdown)) == target:
        return _fewer_escapes(markdown, target)
    return clean


_MAX_UNESCAPE = 20_000
"""Longer Markdown keeps markdownify's escapes: each trial render of a long text costs up to seconds."""
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _fewer_escapes(markdown: str, target: str) -> str:
    """``markdown`` without the backslash escapes it does not need.

    markdownify escapes every character that could mean something somewhere ("in 2022\\.",
    "\\=SUM"), which makes the YAML harder to read and edit. An escape is dropped only when the
    Markdown still renders to the same HTML: first all at once (the usual case), then per escaped
    character, then, for a few, one at a time.
    """
    if "\\" not in markdown or len(markdown) > _MAX_UNESCAPE:
        return markdown  # escapes are correct Markdown; dropping them is not worth seconds of rendering

    def same(candidate: str) -> bool:
        if candidate.count("<") > MAX_DEPTH and _depth(candidate) > MAX_DEPTH:
            return False  # unescaped, the text would become deeply nested HTML (and slow to sanitise)
        return _canonical(markdown_to_html(candidate)) == target

    bare = _ESCAPE.sub(r"\1", markdown)
    if same(bare):
        return bare
    for char in sorted({m.group(1) for m in _ESCAPE.finditer(markdown)}):
        candidate = markdown.replace("\\" + char, char)
        if candidate != markdown and same(candidate):
            markdown = candidate
    found = list(_ESCAPE.finditer(markdown))
    if len(found) <= 8:
        for match in reversed(found):
            candidate = markdown[: match.start()] + markdown[match.start() + 1 :]
            if same(candidate):
                markdown = candidate
    return markdown


def plain_to_markdown(text: str) -> str:
    """Plain text (no markup meant) as Markdown that shows exactly that text."""
    if not text:
        return text
    escaped = htmllib.escape(text, quote=False).replace("\n", "<br>")
    markdown = html_to_markdown(f"<p>{escaped}</p>")
    return markdown
