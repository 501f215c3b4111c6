"""What the QTI 2.1 and QTI 3.0 content-package writers share.

QTI 3.0 is QTI 2.x with new names: ``choiceInteraction`` became ``qti-choice-interaction``,
``responseIdentifier`` became ``response-identifier``, feedback and rubric content moved into a
``qti-content-body``, and the namespaces, templates and manifest profile changed. So one builder
writes every item, test and manifest once, with the QTI 2.1 names, and a :class:`Dialect` renders
that tree in the version asked for. A fix to an item type therefore reaches both versions.

Decisions that hold for both versions (the user guide repeats them):

- Package layout: ``imsmanifest.xml``, one ``<identifier>.xml`` per item and one assessment test at
  the package root, images and linked files under ``media/``. Items sit at the root so that media
  references are plain ``media/name.png``, with no ``../`` that some importers resolve badly.
- Scoring: the standard ``match_correct`` / ``map_response`` templates when the item has no feedback
  and the template gives the item's ``points``; otherwise custom response processing that does the
  same and also sets the feedback outcomes. ``SCORE`` carries ``normalMaximum`` = points and a
  ``MAXSCORE`` outcome holds the points, as TAO expects.
- multiple_response partial credit: each key is worth ``points / keys``, each wrong option costs
  ``points / wrong options``, and the score never drops below 0 (``lowerBound``). Selecting every
  option therefore scores 0. Custom processing gives exactly ``points`` for the full key, so float
  rounding of the shares (1/3 + 1/3 + 1/3) never leaves a perfect answer short of full marks.
- matching: each correct pair is worth ``points / pairs``; any answer may be used for several
  prompts (as in Moodle and Canvas), distractors are extra answers that match nothing.
- Feedback: a rationale is a ``modalFeedback`` shown when its option (or True/False) is chosen,
  through the ``FEEDBACK`` outcome that response processing sets to the response; the explanation
  is a ``modalFeedback`` on ``FEEDBACK_GENERAL``, which response processing always sets, so it
  appears after every submitted answer. The test asks players to show feedback
  (``itemSessionControl showFeedback="true"``).
- Essay guidance is a ``rubricBlock view="scorer"``: players that honour views show it to markers
  only.
- Item metadata (original id, title, language, tags, objectives, difficulty, author, status,
  references) travels as IEEE LOM in the manifest.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import lxml.html
from lxml import etree

from qbank import __version__
from qbank.chars import xml_text
from qbank.exporters import BankItem, ExportOptions, ExportResult, ExportWarning, MediaFile
from qbank.exporters._zip import build_zip
from qbank.markup import MediaRef, inline_html, markdown_to_html
from qbank.model import Essay, Matching, MultipleChoice, MultipleResponse, Numerical, ShortAnswer, TrueFalse

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LOM = "http://ltsc.ieee.org/xsd/LOM"
LOM_LOCATION = "http://www.imsglobal.org/xsd/imsmd_loose_v1p3p2.xsd"
TOOL = "qbank"

RESPONSE = "RESPONSE"
SCORE = "SCORE"
MAXSCORE = "MAXSCORE"
FEEDBACK = "FEEDBACK"
FEEDBACK_GENERAL = "FEEDBACK_GENERAL"
EXPLANATION = "EXPLANATION"
TRUE_ID, FALSE_ID = "true", "false"


@dataclass(frozen=True)
class Dialect:
    """Everything that differs between QTI 2.1 and QTI 3.0 packages."""

    version: str
    ns: str
    schema_location: str
    cp_ns: str
    cp_schema_location: str
    cp_schema: str
    cp_schemaversion: str
    item_type: str
    test_type: str
    template_base: str
    template_suffix: str
    qti3_names: bool
    html5_figure: bool
    """QTI 3.0 has <figure>/<figcaption>; QTI 2.1 gets <div>s."""
    shared_css: bool
    """QTI 3.0 players style the shared CSS vocabulary (qti-underline); QTI 2.1 has no such thing."""

    def element(self, name: str) -> str:
        if not self.qti3_names or name in HTML_TAGS:
            return name
        return "qti-" + _kebab(name)

    def attribute(self, element: str, name: str) -> str:
        if not self.qti3_names or element in HTML_TAGS or name.startswith("{"):
            return name
        return _kebab(name)

    def template(self, name: str) -> str:
        return f"{self.template_base}{name}{self.template_suffix}"


QTI21 = Dialect(
    version="2.1",
    ns="http://www.imsglobal.org/xsd/imsqti_v2p1",
    schema_location="http://www.imsglobal.org/xsd/imsqti_v2p1 http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd",
    cp_ns="http://www.imsglobal.org/xsd/imscp_v1p1",
    cp_schema_location=(
        "http://www.imsglobal.org/xsd/imscp_v1p1 "
        "http://www.imsglobal.org/xsd/qti/qtiv2p1/qtiv2p1_imscpv1p2_v1p0.xsd"
    ),
    cp_schema="QTIv2.1 Package",
    cp_schemaversion="1.0.0",
    item_type="imsqti_item_xmlv2p1",
    test_type="imsqti_test_xmlv2p1",
    template_base="http://www.imsglobal.org/question/qti_v2p1/rptemplates/",
    template_suffix="",
    qti3_names=False,
    html5_figure=False,
    shared_css=False,
)

QTI30 = Dialect(
    version="3.0",
    ns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0",
    schema_location=(
        "http://www.imsglobal.org/xsd/imsqtiasi_v3p0 "
        "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
    ),
    cp_ns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1",
    cp_schema_location=(
        "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1 "
        "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd"
    ),
    cp_schema="QTI Package",
    # The 3.0.0 manifest XSD accepts only this value (3.0.1 packages fail it), and 3.0 importers
    # accept 3.0.0, so the package validates everywhere.
    cp_schemaversion="3.0.0",
    item_type="imsqti_item_xmlv3p0",
    test_type="imsqti_test_xmlv3p0",
    template_base="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/",
    template_suffix=".xml",
    qti3_names=True,
    html5_figure=True,
    shared_css=True,
)


def _kebab(name: str) -> str:
    return re.sub(r"[A-Z]", lambda m: "-" + m.group(0).lower(), name)


# --- small helpers ----------------------------------------------------------------------------------

_NCNAME_BAD = re.compile(r"[^A-Za-z0-9._-]")


def ncname(text: str, prefix: str = "q-") -> str:
    """An XML NCName (what QTI identifiers and manifest IDs must be) close to ``text``."""
    name = _NCNAME_BAD.sub("_", text)
    if not name or not (name[0].isalpha() or name[0] == "_"):
        name = prefix + name
    return name


class Names:
    """Hands out unique names in one scope; a taken name gets ``-2``, ``-3``… appended.

    ``fold`` compares case-insensitively, for file names that must not collide when the package is
    unpacked on Windows or macOS.
    """

    def __init__(self, fold: bool = False, reserved: Iterable[str] = ()) -> None:
        self._fold = fold
        self._used = {self._key(r) for r in reserved}

    def _key(self, name: str) -> str:
        return name.casefold() if self._fold else name

    def take(self, wanted: str) -> str:
        candidate, n = wanted, 2
        while self._key(candidate) in self._used:
            candidate, n = f"{wanted}-{n}", n + 1
        self._used.add(self._key(candidate))
        return candidate


def number(value: float) -> str:
    """A number as QTI values and xs:double attributes accept it, without a needless ``.0``."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def exact_shares(points: float, parts: int) -> bool:
    """Whether ``points / parts`` is a binary fraction, so that adding the parts in floating point
    gives exactly ``points`` (0.25 * 4 does; 0.1 * 10 does not)."""
    share = Fraction(points) / parts
    return share.denominator & (share.denominator - 1) == 0 and share.denominator <= 2**30


def letters(index: int) -> str:
    """Choice identifiers A, B, … Z, AA, AB …"""
    out, n = "", index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        out = chr(65 + rest) + out
    return out


def one_line(text: str) -> str:
    """Titles are xs:normalizedString: no line breaks or tabs."""
    return " ".join(text.split())


def E(tag: str, attrs: dict[str, str] | None = None, *children: etree._Element, text: str | None = None) -> etree._Element:
    """An element of the version-neutral tree (QTI 2.1 names, no namespace)."""
    el = etree.Element(tag, attrs or {})
    if text is not None:
        el.text = text
    el.extend(children)
    return el


def sub(parent: etree._Element, tag: str, attrs: dict[str, str] | None = None, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, tag, attrs or {})
    if text is not None:
        el.text = text
    return el


def _append_text(parent: etree._Element, text: str) -> None:
    if not text:
        return
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


class Losses:
    """What an item lost on the way, reported once per kind as an ExportWarning."""

    def __init__(self) -> None:
        self._messages: dict[str, None] = {}

    def add(self, message: str) -> None:
        self._messages.setdefault(message, None)

    def clean(self, text: str) -> str:
        cleaned, removed = xml_text(text)
        if removed:
            self.add("characters that XML 1.0 cannot carry (control characters) were removed")
        return cleaned

    def __iter__(self) -> Iterator[str]:
        return iter(self._messages)


# --- Markdown's HTML to QTI's XHTML -----------------------------------------------------------------

_INLINE = frozenset("a abbr b br cite code em i img kbd q samp small span strong sub sup var".split())
_BLOCK = frozenset("p div blockquote pre h1 h2 h3 h4 h5 h6 hr ol ul dl table figure".split())  # figure: QTI 3.0 only
_PARTS = frozenset("li dt dd caption thead tbody tfoot tr td th figcaption".split())
HTML_TAGS = _INLINE | _BLOCK | _PARTS

# The content model of each element we write, checked against both XSDs; where QTI 3.0 is looser
# (caption and blockquote take flow content there), the stricter QTI 2.1 model is used for both.
_CHILD_MODE = {
    **{t: "inline" for t in "p pre h1 h2 h3 h4 h5 h6 a abbr b cite code em i kbd q samp small span strong sub sup var dt caption".split()},
    **{t: "flow" for t in "div li dd td th figcaption".split()},
    "figure": "figure",
    "blockquote": "block",
    "ol": "list",
    "ul": "list",
    "dl": "dl",
    "table": "table",
    "thead": "rows",
    "tbody": "rows",
    "tfoot": "rows",
    "tr": "cells",
    "br": "empty",
    "hr": "empty",
    "img": "empty",
}
_ACCEPTS: dict[str, frozenset[str]] = {
    "inline": _INLINE,
    "flow": _INLINE | _BLOCK,
    "block": _BLOCK,
    "figure": _INLINE | _BLOCK | {"figcaption"},
    "list": frozenset({"li"}),
    "dl": frozenset({"dt", "dd"}),
    "table": frozenset({"caption", "thead", "tbody", "tfoot"}),
    "rows": frozenset({"tr"}),
    "cells": frozenset({"td", "th"}),
    "empty": frozenset(),
}
# Where stray content goes in a context that cannot hold it directly.
_WRAPPER = {"block": "p", "list": "li", "dl": "dd", "table": "tbody", "rows": "tr", "cells": "td"}
_SOURCE_TAGS = HTML_TAGS | {"u", "ins", "s", "del", "strike", "mark"}
_LENGTH = re.compile(r"[0-9]{1,9}%?")
_SPAN = re.compile(r"[0-9]{1,6}")
_ALIGN = frozenset({"left", "center", "right", "justify", "char"})
_SCOPE = frozenset({"row", "col", "rowgroup", "colgroup"})

STRIKE = "strikethrough (~~text~~, <s>, <del>): QTI has no such element, so the text is kept without the line"
HIGHLIGHT = "highlighting (<mark>): QTI has no such element, so the text is kept without the highlight"
UNDERLINE_21 = (
    "underlining (<u>, <ins>): QTI 2.1 has no such element; the text is kept in <span class=\"qti-underline\">, "
    "which only players that style that class underline"
)
TITLES = "tooltips (the title of a link, image or abbreviation): QTI has no title attribute"
LIST_START = "the start number of a numbered list: QTI lists have no start attribute, so numbering restarts at 1"
IMAGE_SIZE = "an image width or height that is not a number of pixels or a percentage"
NO_SOURCE = "an image without a usable source (it cannot be shown)"


class XhtmlWriter:
    """Rewrites sanitised HTML into the XHTML subset QTI allows, element by element.

    The HTML comes from :func:`qbank.markup.markdown_to_html`, so it is safe but follows HTML5's
    content model, not QTI's: a ``<p>`` may hold a ``<div>``, text may sit directly in a blockquote,
    a table may have only a header row. Content that a context cannot hold is wrapped (text in a
    block context gets a ``<p>``) or, in inline contexts, flattened with ``<br/>`` between former
    blocks, so no text is ever lost and the result always validates.
    """

    def __init__(self, dialect: Dialect, losses: Losses) -> None:
        self.dialect = dialect
        self.losses = losses

    def write(self, parent: etree._Element, html: str, mode: str) -> None:
        html = self.losses.clean(html)
        if not html.strip():
            return
        source = lxml.html.fragment_fromstring(html, create_parent="div")
        sink = _Sink(self, parent, mode)
        for node in self.nodes(source):
            sink.add(node)

    def nodes(self, element: etree._Element) -> Iterator[str | etree._Element]:
        """The children of ``element`` as text and elements, unknown wrappers unwrapped."""
        if element.text:
            yield element.text
        for child in element:
            if isinstance(child.tag, str):
                tag = child.tag.lower()
                if tag == "img" and not child.get("src"):
                    self.losses.add(NO_SOURCE)
                elif tag in _SOURCE_TAGS:
                    yield child
                else:
                    yield from self.nodes(child)
            if child.tail:
                yield child.tail

    def target(self, element: etree._Element) -> tuple[str, dict[str, str]]:
        """The QTI element name and attributes for a source element."""
        tag = element.tag.lower()
        src = element.attrib
        clean = self.losses.clean
        if "title" in src:
            self.losses.add(TITLES)
        if tag in ("u", "ins"):
            if not self.dialect.shared_css:
                self.losses.add(UNDERLINE_21)
            return "span", {"class": "qti-underline"}
        if tag in ("s", "del", "strike"):
            self.losses.add(STRIKE)
            return "span", {"class": "qbank-strikethrough"}
        if tag == "mark":
            self.losses.add(HIGHLIGHT)
            return "span", {"class": "qbank-highlight"}
        if tag in ("figure", "figcaption") and not self.dialect.html5_figure:
            return "div", {"class": tag}
        if tag == "a":
            href = src.get("href")
            return ("a", {"href": clean(href)}) if href else ("span", {})
        if tag == "img":
            attrs = {"src": clean(src.get("src", "")), "alt": clean(src.get("alt", ""))}
            for name in ("width", "height"):
                value = src.get(name)
                if value is not None:
                    if _LENGTH.fullmatch(value.strip()):
                        attrs[name] = value.strip()
                    else:
                        self.losses.add(IMAGE_SIZE)
            return "img", attrs
        if tag == "ol" and "start" in src:
            self.losses.add(LIST_START)
        attrs = {}
        if tag in ("td", "th"):
            for name in ("colspan", "rowspan"):
                if _SPAN.fullmatch(src.get(name, "")):
                    attrs[name] = src[name]
            if src.get("align", "").lower() in _ALIGN:
                attrs["align"] = src["align"].lower()
            if src.get("scope", "").lower() in _SCOPE:
                attrs["scope"] = src["scope"].lower()
        if tag == "code" and src.get("class"):
            attrs["class"] = clean(src["class"])
        return tag, attrs


class _Sink:
    """Appends nodes to one output element, keeping it inside that element's content model."""

    def __init__(self, writer: XhtmlWriter, element: etree._Element, mode: str) -> None:
        self.writer = writer
        self.element = element
        self.mode = mode
        self.wrapper: _Sink | None = None
        self.gap = False  # inline mode: a flattened block just ended; the next content starts a line

    def add(self, node: str | etree._Element) -> None:
        if isinstance(node, str):
            self._text(self.writer.losses.clean(node))
            return
        name, attrs = self.writer.target(node)
        accepted = _ACCEPTS[self.mode]
        if name in _PARTS and name not in accepted and self.mode in ("block", "flow", "figure"):
            name, attrs = "div", {}  # a list item or cell out of place keeps its content as a block
        if name in accepted:
            self.wrapper = None
            self._line_break()
            self._element(node, name, attrs)
        elif self.mode == "inline":
            self.gap = self._has_content()
            for child in self.writer.nodes(node):
                self.add(child)
            self.gap = True
        else:
            self._wrap().add(node)

    def _text(self, text: str) -> None:
        if self.mode in ("inline", "flow", "figure"):
            if text.strip():
                self._line_break()
            _append_text(self.element, text)
        elif text.strip() or (self.wrapper is not None and self.mode == "block"):
            self._wrap()._text(text)

    def _element(self, node: etree._Element, name: str, attrs: dict[str, str]) -> None:
        el = sub(self.element, name, attrs)
        mode = _CHILD_MODE[name]
        if mode != "empty":
            inner = _Sink(self.writer, el, mode)
            for child in self.writer.nodes(node):
                inner.add(child)
        _tidy(el, self.element)

    def _wrap(self) -> _Sink:
        if self.wrapper is None:
            tag = _WRAPPER[self.mode]
            self.wrapper = _Sink(self.writer, sub(self.element, tag), _CHILD_MODE[tag])
        return self.wrapper

    def _line_break(self) -> None:
        if self.gap:
            sub(self.element, "br")
            self.gap = False

    def _has_content(self) -> bool:
        return bool(len(self.element) or (self.element.text or "").strip())


def _tidy(el: etree._Element, parent: etree._Element) -> None:
    """Repairs what only the finished element shows: empty paragraphs, rowless tables, table order."""
    tag = el.tag
    if tag in ("p", "tr", "thead", "tbody", "tfoot") and not len(el) and not (el.text or "").strip():
        parent.remove(el)
    elif tag == "table":
        captions = [c for c in el if c.tag == "caption"]
        heads = [c for c in el if c.tag == "thead"]
        feet = [c for c in el if c.tag == "tfoot"]
        bodies = [c for c in el if c.tag == "tbody"] + heads[1:] + feet[1:]
        # A header-only Markdown table has no <tbody>, which QTI 2.1 requires; extra heads and
        # feet are not allowed either. Such rows become body rows (their cells stay <th>).
        for extra in heads[1:] + feet[1:]:
            extra.tag = "tbody"
        if not bodies and (heads or feet):
            (heads or feet)[0].tag = "tbody"
        for extra in captions[1:]:
            _append_text(captions[0], " " + (extra.text or ""))
            for child in list(extra):
                captions[0].append(child)
            el.remove(extra)
        order = {"caption": 0, "thead": 1, "tfoot": 2, "tbody": 3}
        children = sorted(el, key=lambda c: order[c.tag])
        for child in children:
            el.append(child)
        if not any(c.tag == "tbody" for c in el):  # no rows at all: keep a caption as a paragraph
            if captions:
                captions[0].tag = "p"
                parent.replace(el, captions[0])
            else:
                parent.remove(el)


# --- one item -------------------------------------------------------------------------------------


class SkipItem(Exception):
    """The item cannot be written as valid QTI; the message says why."""


@dataclass
class WrittenItem:
    ident: str
    href: str
    xml: bytes
    media: list[MediaFile]


@dataclass
class _Parts:
    """The pieces of an assessmentItem, filled by the per-type builders."""

    responses: list[etree._Element] = field(default_factory=list)
    body: list[etree._Element] = field(default_factory=list)
    scoring: list[etree._Element] = field(default_factory=list)
    """Custom response-processing rules that set SCORE (empty when a template does it)."""
    template: str | None = None
    option_feedback: list[tuple[str, str]] = field(default_factory=list)
    """(choice identifier, Markdown) for every rationale."""
    feedback_multiple: bool = False
    human_scored: bool = False


class ItemWriter:
    """Writes one bank item as a version-neutral assessmentItem tree.

    It also collects what the item lost (as warnings) and which media files it uses, because the
    manifest must declare those as the item's dependencies.
    """

    def __init__(self, dialect: Dialect, bank_item: BankItem, ident: str) -> None:
        self.dialect = dialect
        self.bank_item = bank_item
        self.item = bank_item.item
        self.ident = ident
        self.losses = Losses()
        self.html = XhtmlWriter(dialect, self.losses)
        self.media: dict[str, MediaFile] = {}

    # Markdown fields -------------------------------------------------------------------------------

    def rewrite(self, src: str) -> str:
        """Package path of a local image or linked file, relative to the item (which sits at the root)."""
        path = MediaRef(src, None, False).local_path
        found = self.bank_item.media.get(path) or self.bank_item.media.get(src)
        if found is None:
            self.losses.add(f"{src}: the file was not resolved, so it is not in the package; the reference is left as written")
            return src
        self.media.setdefault(found.name, found)
        fragment = "#" + src.split("#", 1)[1] if "#" in src else ""
        return f"media/{found.name}{fragment}"

    def blocks(self, parent: etree._Element, markdown: str) -> None:
        self.html.write(parent, markdown_to_html(markdown, self.rewrite), "block")

    def flow(self, parent: etree._Element, markdown: str, inline: bool = False) -> None:
        html = inline_html(markdown, self.rewrite) if inline else markdown_to_html(markdown, self.rewrite)
        self.html.write(parent, html, "flow")

    def text(self, value: str) -> str:
        return self.losses.clean(value)

    # The item --------------------------------------------------------------------------------------

    def warnings(self) -> list[ExportWarning]:
        return [ExportWarning(self.item.id, message) for message in self.losses]

    def build(self) -> etree._Element:
        item = self.item
        if not math.isfinite(item.points):
            raise SkipItem(f"points {item.points} is not a finite number, which QTI scores cannot hold")
        parts = self._parts()
        attrs = {
            "identifier": self.ident,
            "title": self.text(one_line(item.title or "") or item.id),
            "adaptive": "false",
            "timeDependent": "false",
            "toolName": TOOL,
            "toolVersion": __version__,
        }
        if item.language:
            attrs[XML_LANG] = item.language
        root = E("assessmentItem", attrs)
        root.extend(parts.responses)
        root.extend(self._outcomes(parts))
        body = sub(root, "itemBody")
        body.extend(parts.body)
        processing = self._processing(parts)
        if processing is not None:
            root.append(processing)
        for ident, markdown in parts.option_feedback:
            root.append(self._modal(FEEDBACK, ident, markdown))
        if item.explanation is not None:
            root.append(self._modal(FEEDBACK_GENERAL, EXPLANATION, item.explanation))
        return root

    def _parts(self) -> _Parts:
        item = self.item
        if isinstance(item, (MultipleChoice, MultipleResponse, TrueFalse)):
            return self._choice()
        if isinstance(item, ShortAnswer):
            return self._short_answer()
        if isinstance(item, Numerical):
            return self._numerical()
        if isinstance(item, Matching):
            return self._matching()
        if isinstance(item, Essay):
            return self._essay()
        raise SkipItem(f"item type {item.type} has no QTI interaction in this writer")

    def _outcomes(self, parts: _Parts) -> list[etree._Element]:
        points = number(self.item.points)
        score = {"identifier": SCORE, "cardinality": "single", "baseType": "float", "normalMaximum": points, "normalMinimum": "0"}
        if parts.human_scored and self.dialect.qti3_names:
            score["externalScored"] = "human"
        out = [
            E("outcomeDeclaration", score, E("defaultValue", {}, E("value", text="0"))),
            E(
                "outcomeDeclaration",
                {"identifier": MAXSCORE, "cardinality": "single", "baseType": "float"},
                E("defaultValue", {}, E("value", text=points)),
            ),
        ]
        if parts.option_feedback:
            cardinality = "multiple" if parts.feedback_multiple else "single"
            out.append(E("outcomeDeclaration", {"identifier": FEEDBACK, "cardinality": cardinality, "baseType": "identifier"}))
        if self.item.explanation is not None:
            out.append(E("outcomeDeclaration", {"identifier": FEEDBACK_GENERAL, "cardinality": "single", "baseType": "identifier"}))
        return out

    def _processing(self, parts: _Parts) -> etree._Element | None:
        feedback: list[etree._Element] = []
        if parts.option_feedback:
            feedback.append(E("setOutcomeValue", {"identifier": FEEDBACK}, _variable(RESPONSE)))
        if self.item.explanation is not None:
            feedback.append(E("setOutcomeValue", {"identifier": FEEDBACK_GENERAL}, _base("identifier", EXPLANATION)))
        if parts.template is not None and not feedback:
            return E("responseProcessing", {"template": self.dialect.template(parts.template)})
        rules = parts.scoring + feedback
        if not rules:
            return None
        return E("responseProcessing", {}, *rules)

    def _modal(self, outcome: str, ident: str, markdown: str) -> etree._Element:
        modal = E("modalFeedback", {"outcomeIdentifier": outcome, "identifier": ident, "showHide": "show"})
        self.flow(self._content(modal), markdown)
        return modal

    def _content(self, container: etree._Element) -> etree._Element:
        """Where feedback and rubric content goes: the element itself in 2.1, its qti-content-body in 3.0."""
        return sub(container, "contentBody") if self.dialect.qti3_names else container

    def _stem(self) -> list[etree._Element]:
        holder = E("itemBody")
        self.blocks(holder, self.item.stem)
        return list(holder)

    # Item types ------------------------------------------------------------------------------------

    def _choice(self) -> _Parts:
        item = self.item
        points = item.points
        if isinstance(item, TrueFalse):
            choices = [
                (TRUE_ID, "True", item.answer, item.true_rationale, True),
                (FALSE_ID, "False", not item.answer, item.false_rationale, True),
            ]
            shuffle = False
        else:
            if not item.options:
                raise SkipItem("a choice item without options has nothing to choose")
            choices = [(letters(i), o.text, o.correct, o.rationale, False) for i, o in enumerate(item.options)]
            shuffle = item.shuffle
        keys = [ident for ident, _, correct, _, _ in choices if correct]
        if not keys:
            raise SkipItem("no option is marked correct, so the item cannot be scored")
        multiple = isinstance(item, MultipleResponse)
        if not multiple and len(keys) != 1:
            raise SkipItem("a single-answer item needs exactly one correct option")
        parts = _Parts(feedback_multiple=multiple)
        if multiple:
            wrong = [ident for ident, _, correct, _, _ in choices if not correct]
            mapping = E("mapping", {"lowerBound": "0", "upperBound": number(points), "defaultValue": "0"})
            for ident, _, correct, _, _ in choices:
                value = points / len(keys) if correct else -points / len(wrong)
                sub(mapping, "mapEntry", {"mapKey": ident, "mappedValue": number(value)})
            cardinality = "multiple"
            if exact_shares(points, len(keys)):
                parts.template = "map_response"
            parts.scoring = _mapped_scoring(points)
        else:
            mapping = E("mapping", {"defaultValue": "0"}, E("mapEntry", {"mapKey": keys[0], "mappedValue": number(points)}))
            cardinality = "single"
            parts.template = "match_correct" if points == 1 else "map_response"
            parts.scoring = [_if_else(_match_correct(), _set_score(number(points)), _set_score("0"))]
        correct = E("correctResponse", {}, *(E("value", text=k) for k in keys))
        parts.responses.append(
            E("responseDeclaration", {"identifier": RESPONSE, "cardinality": cardinality, "baseType": "identifier"}, correct, mapping)
        )
        interaction = E(
            "choiceInteraction",
            {"responseIdentifier": RESPONSE, "shuffle": _bool(shuffle), "maxChoices": "0" if multiple else "1", "minChoices": "0"},
        )
        for ident, text, _, rationale, plain in choices:
            choice = sub(interaction, "simpleChoice", {"identifier": ident})
            if plain:
                choice.text = text
            else:
                self.flow(choice, text, inline=True)
            if rationale is not None:
                parts.option_feedback.append((ident, rationale))
        parts.body = self._stem() + [interaction]
        return parts

    def _short_answer(self) -> _Parts:
        item = self.item
        assert isinstance(item, ShortAnswer)
        answers: list[str] = []
        seen: set[str] = set()
        for answer in item.answers:
            key = answer if item.case_sensitive else answer.casefold()
            if key not in seen:
                seen.add(key)
                answers.append(self.text(answer))
        if not answers:
            raise SkipItem("a short-answer item without accepted answers cannot be scored")
        mapping = E("mapping", {"defaultValue": "0"})
        for answer in answers:
            sub(mapping, "mapEntry", {"mapKey": answer, "mappedValue": number(item.points), "caseSensitive": _bool(item.case_sensitive)})
        parts = _Parts(template="map_response", scoring=_mapped_scoring(None))
        parts.responses.append(
            E(
                "responseDeclaration",
                {"identifier": RESPONSE, "cardinality": "single", "baseType": "string"},
                E("correctResponse", {}, E("value", text=answers[0])),
                mapping,
            )
        )
        parts.body = self._stem() + [E("p", {}, E("textEntryInteraction", {"responseIdentifier": RESPONSE}))]
        return parts

    def _numerical(self) -> _Parts:
        item = self.item
        assert isinstance(item, Numerical)
        if not (math.isfinite(item.answer) and math.isfinite(item.tolerance)):
            raise SkipItem("the answer or tolerance is not a finite number")
        if item.tolerance:
            test = {"toleranceMode": "absolute", "tolerance": number(item.tolerance), "includeLowerBound": "true", "includeUpperBound": "true"}
        else:
            test = {"toleranceMode": "exact"}
        equal = E("equal", test, _variable(RESPONSE), E("correct", {"identifier": RESPONSE}))
        parts = _Parts(scoring=[_if_else(equal, _set_score(number(item.points)), _set_score("0"))])
        parts.responses.append(
            E(
                "responseDeclaration",
                {"identifier": RESPONSE, "cardinality": "single", "baseType": "float"},
                E("correctResponse", {}, E("value", text=number(item.answer))),
            )
        )
        parts.body = self._stem() + [E("p", {}, E("textEntryInteraction", {"responseIdentifier": RESPONSE}))]
        return parts

    def _matching(self) -> _Parts:
        item = self.item
        assert isinstance(item, Matching)
        if not item.pairs:
            raise SkipItem("a matching item without pairs has nothing to match")
        targets: dict[str, str] = {}  # answer text -> identifier; identical answers are one target
        for text in [p.match for p in item.pairs] + list(item.distractors):
            targets.setdefault(text, f"M{len(targets) + 1}")
        n = len(item.pairs)
        points = item.points
        correct = E("correctResponse")
        mapping = E("mapping", {"lowerBound": "0", "upperBound": number(points), "defaultValue": "0"})
        for i, pair in enumerate(item.pairs):
            key = f"P{i + 1} {targets[pair.match]}"
            sub(correct, "value", text=key)
            sub(mapping, "mapEntry", {"mapKey": key, "mappedValue": number(points / n)})
        parts = _Parts(scoring=_mapped_scoring(points))
        if exact_shares(points, n):
            parts.template = "map_response"
        parts.responses.append(
            E("responseDeclaration", {"identifier": RESPONSE, "cardinality": "multiple", "baseType": "directedPair"}, correct, mapping)
        )
        interaction = E("matchInteraction", {"responseIdentifier": RESPONSE, "shuffle": _bool(item.shuffle), "maxAssociations": str(n)})
        prompts = sub(interaction, "simpleMatchSet")
        for i, pair in enumerate(item.pairs):
            self.flow(sub(prompts, "simpleAssociableChoice", {"identifier": f"P{i + 1}", "matchMax": "1"}), pair.prompt, inline=True)
        answers = sub(interaction, "simpleMatchSet")
        for text, ident in targets.items():
            sub(answers, "simpleAssociableChoice", {"identifier": ident, "matchMax": str(n)}, text=self.text(text))
        parts.body = self._stem() + [interaction]
        return parts

    def _essay(self) -> _Parts:
        item = self.item
        assert isinstance(item, Essay)
        parts = _Parts(human_scored=True)
        parts.responses.append(E("responseDeclaration", {"identifier": RESPONSE, "cardinality": "single", "baseType": "string"}))
        body: list[etree._Element] = []
        if item.guidance is not None:
            rubric = E("rubricBlock", {"use": "scoring", "view": "scorer"})
            self.flow(self._content(rubric), item.guidance)
            body.append(rubric)
        parts.body = body + self._stem() + [E("extendedTextInteraction", {"responseIdentifier": RESPONSE})]
        return parts


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _variable(ident: str) -> etree._Element:
    return E("variable", {"identifier": ident})


def _base(base_type: str, value: str) -> etree._Element:
    return E("baseValue", {"baseType": base_type}, text=value)


def _set_score(value: str) -> etree._Element:
    return E("setOutcomeValue", {"identifier": SCORE}, _base("float", value))


def _match_correct() -> etree._Element:
    return E("match", {}, _variable(RESPONSE), E("correct", {"identifier": RESPONSE}))


def _if_else(condition: etree._Element, then: etree._Element, otherwise: etree._Element) -> etree._Element:
    return E("responseCondition", {}, E("responseIf", {}, condition, then), E("responseElse", {}, otherwise))


def _mapped_scoring(full: float | None) -> list[etree._Element]:
    """The map_response template, plus exactly ``full`` points for the whole key when given."""
    condition = E("responseCondition", {}, E("responseIf", {}, E("isNull", {}, _variable(RESPONSE)), _set_score("0")))
    if full is not None:
        condition.append(E("responseElseIf", {}, _match_correct(), _set_score(number(full))))
    condition.append(
        E("responseElse", {}, E("setOutcomeValue", {"identifier": SCORE}, E("mapResponse", {"identifier": RESPONSE})))
    )
    return [condition]


# --- rendering --------------------------------------------------------------------------------------

# Elements whose content is mixed (text and markup): pretty-printing must not add whitespace inside.
_MIXED = frozenset({"simpleChoice", "simpleAssociableChoice", "modalFeedback", "rubricBlock", "contentBody", "prompt"})


def _indent(el: etree._Element, level: int = 0) -> None:
    """Indents the structural elements only; text content keeps its exact whitespace."""
    if el.tag in HTML_TAGS or el.tag in _MIXED or not len(el):
        return
    if (el.text or "").strip() or any((c.tail or "").strip() for c in el):
        return
    pad = "\n" + "  " * (level + 1)
    el.text = pad
    for child in el:
        child.tail = pad
        _indent(child, level + 1)
    el[-1].tail = "\n" + "  " * level


def render(tree: etree._Element, dialect: Dialect) -> bytes:
    """Serialises a version-neutral tree in ``dialect``'s names and namespace."""
    _indent(tree)

    def copy(src: etree._Element, parent: etree._Element | None) -> etree._Element:
        tag = f"{{{dialect.ns}}}{dialect.element(src.tag)}"
        attrs = {dialect.attribute(src.tag, k): v for k, v in src.attrib.items()}
        if parent is None:
            el = etree.Element(tag, nsmap={None: dialect.ns, "xsi": XSI})
            el.set(f"{{{XSI}}}schemaLocation", dialect.schema_location)
            for k, v in attrs.items():
                el.set(k, v)
        else:
            el = etree.SubElement(parent, tag, attrs)
        el.text, el.tail = src.text, src.tail
        for child in src:
            copy(child, el)
        return el

    return _serialise(copy(tree, None))


def _serialise(root: etree._Element) -> bytes:
    # lxml's own declaration uses single quotes, which a few hand-rolled importers do not expect.
    body: bytes = etree.tostring(root, encoding="UTF-8")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


# --- test, manifest, package ------------------------------------------------------------------------


def _test(ident: str, title: str, part: str, section: str, items: Sequence[WrittenItem]) -> etree._Element:
    test = E("assessmentTest", {"identifier": ident, "title": title, "toolName": TOOL, "toolVersion": __version__})
    for name in (SCORE, MAXSCORE):
        sub(test, "outcomeDeclaration", {"identifier": name, "cardinality": "single", "baseType": "float"})
    test_part = sub(test, "testPart", {"identifier": part, "navigationMode": "nonlinear", "submissionMode": "individual"})
    sub(test_part, "itemSessionControl", {"maxAttempts": "1", "showFeedback": "true", "allowReview": "true", "showSolution": "false"})
    sec = sub(test_part, "assessmentSection", {"identifier": section, "title": title, "visible": "true"})
    for written in items:
        sub(sec, "assessmentItemRef", {"identifier": written.ident, "href": written.href})
    processing = sub(test, "outcomeProcessing")
    for name in (SCORE, MAXSCORE):
        total = sub(sub(processing, "setOutcomeValue", {"identifier": name}), "sum")
        sub(total, "testVariables", {"variableIdentifier": name})
    return test


_DIFFICULTY = {"easy": "easy", "medium": "medium", "hard": "difficult"}
_STATUS = {"draft": "draft", "review": "draft", "approved": "final", "retired": "unavailable"}


def _vcard(name: str) -> str:
    escaped = name.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")
    return f"BEGIN:VCARD\nVERSION:3.0\nFN:{escaped}\nEND:VCARD"


def _lom(bank_item: BankItem, losses: Losses) -> etree._Element:
    """IEEE LOM for one item: the manifest's place for what QTI items themselves do not carry."""
    item = bank_item.item
    clean = losses.clean

    def q(name: str) -> str:
        return f"{{{LOM}}}{name}"

    def lang_string(parent: etree._Element, name: str, value: str, language: str | None = None) -> None:
        attrs = {"language": language} if language else {}
        etree.SubElement(etree.SubElement(parent, q(name)), q("string"), attrs).text = clean(value)

    def vocabulary(parent: etree._Element, name: str, value: str) -> None:
        holder = etree.SubElement(parent, q(name))
        etree.SubElement(holder, q("source")).text = "LOMv1.0"
        etree.SubElement(holder, q("value")).text = value

    lom = etree.Element(q("lom"))
    general = etree.SubElement(lom, q("general"))
    identifier = etree.SubElement(general, q("identifier"))
    etree.SubElement(identifier, q("catalog")).text = TOOL
    etree.SubElement(identifier, q("entry")).text = item.id
    lang_string(general, "title", one_line(item.title or "") or item.id, item.language)
    if item.language:
        etree.SubElement(general, q("language")).text = item.language
    for tag in item.tags:
        lang_string(general, "keyword", tag)
    life = etree.SubElement(lom, q("lifeCycle"))
    vocabulary(life, "status", _STATUS[item.status])
    if item.author:
        contribute = etree.SubElement(life, q("contribute"))
        vocabulary(contribute, "role", "author")
        etree.SubElement(contribute, q("entity")).text = clean(_vcard(item.author))
    if item.difficulty:
        vocabulary(etree.SubElement(lom, q("educational")), "difficulty", _DIFFICULTY[item.difficulty])
    for reference in item.references:
        relation = etree.SubElement(lom, q("relation"))
        vocabulary(relation, "kind", "references")
        lang_string(etree.SubElement(relation, q("resource")), "description", reference)
    if item.objectives:
        classification = etree.SubElement(lom, q("classification"))
        vocabulary(classification, "purpose", "educational objective")
        for objective in item.objectives:
            lang_string(classification, "keyword", objective)
    return lom


def _manifest(
    dialect: Dialect,
    ident: str,
    test: tuple[str, str],
    items: Sequence[WrittenItem],
    media: dict[str, tuple[str, MediaFile]],
    metadata: dict[str, etree._Element],
) -> bytes:
    ns = dialect.cp_ns

    def q(name: str) -> str:
        return f"{{{ns}}}{name}"

    root = etree.Element(q("manifest"), nsmap={None: ns, "imsmd": LOM, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{dialect.cp_schema_location} {LOM} {LOM_LOCATION}")
    root.set("identifier", ident)
    meta = etree.SubElement(root, q("metadata"))
    etree.SubElement(meta, q("schema")).text = dialect.cp_schema
    etree.SubElement(meta, q("schemaversion")).text = dialect.cp_schemaversion
    etree.SubElement(root, q("organizations"))
    resources = etree.SubElement(root, q("resources"))
    test_ident, test_href = test
    resource = etree.SubElement(resources, q("resource"), {"identifier": test_ident, "type": dialect.test_type, "href": test_href})
    etree.SubElement(resource, q("file"), {"href": test_href})
    for written in items:
        etree.SubElement(resource, q("dependency"), {"identifierref": written.ident})
    for written in items:
        resource = etree.SubElement(resources, q("resource"), {"identifier": written.ident, "type": dialect.item_type, "href": written.href})
        etree.SubElement(resource, q("metadata")).append(metadata[written.ident])
        etree.SubElement(resource, q("file"), {"href": written.href})
        for file in written.media:
            etree.SubElement(resource, q("dependency"), {"identifierref": media[file.name][0]})
    for name, (res_ident, _) in media.items():
        resource = etree.SubElement(resources, q("resource"), {"identifier": res_ident, "type": "webcontent", "href": f"media/{name}"})
        etree.SubElement(resource, q("file"), {"href": f"media/{name}"})
    _indent_plain(root)
    return _serialise(root)


def _indent_plain(el: etree._Element, level: int = 0) -> None:
    """Manifest text is never mixed content, so every element can be indented."""
    if not len(el):
        return
    pad = "\n" + "  " * (level + 1)
    el.text = pad
    for child in el:
        child.tail = pad
        _indent_plain(child, level + 1)
    el[-1].tail = "\n" + "  " * level


def export_package(items: Sequence[BankItem], options: ExportOptions, dialect: Dialect) -> ExportResult:
    """The whole content package for ``items`` as zip bytes, with what could not be carried."""
    ids = Names()
    files = Names(fold=True, reserved=("imsmanifest",))
    warnings: list[ExportWarning] = []
    omitted: list[ExportWarning] = []
    written: list[WrittenItem] = []
    metadata: dict[str, etree._Element] = {}
    for bank_item in items:
        ident = ids.take(ncname(bank_item.item.id))
        writer = ItemWriter(dialect, bank_item, ident)
        try:
            tree = writer.build()
        except SkipItem as exc:
            omitted.append(ExportWarning(bank_item.item.id, str(exc)))
            continue
        metadata[ident] = _lom(bank_item, writer.losses)
        warnings.extend(writer.warnings())
        href = files.take(ident) + ".xml"
        written.append(WrittenItem(ident, href, render(tree, dialect), list(writer.media.values())))
    title = one_line(xml_text(options.title)[0]) or "qbank export"
    test_ident = ids.take(ncname(options.identifier or "qbank-export"))
    test_href = files.take(test_ident) + ".xml"
    part, section, manifest_ident = ids.take("part-1"), ids.take("section-1"), ids.take(f"{test_ident}-manifest")
    media: dict[str, tuple[str, MediaFile]] = {}
    for w in written:
        for file in w.media:
            if file.name not in media:
                media[file.name] = (ids.take(ncname("media-" + file.name)), file)
    entries: list[tuple[str, bytes]] = [(w.href, w.xml) for w in written]
    entries.append((test_href, render(_test(test_ident, title, part, section, written), dialect)))
    entries.extend((f"media/{name}", file.data) for name, (_, file) in media.items())
    entries.append(("imsmanifest.xml", _manifest(dialect, manifest_ident, (test_ident, test_href), written, media, metadata)))
    return ExportResult(build_zip(entries, first=("imsmanifest.xml",)), warnings, omitted, len(written))


__all__ = ["QTI21", "QTI30", "Dialect", "export_package", "ncname"]
