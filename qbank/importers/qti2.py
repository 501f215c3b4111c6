"""QTI 2.1 and QTI 3.0 readers: content packages (zip with ``imsmanifest.xml``) or one item file.

The mirror of :mod:`qbank.exporters._qti2`. QTI 3.0 is QTI 2.1 with kebab-case names
(``qti-choice-interaction``, ``response-identifier``), so every element is renamed to its QTI 2.1
name when it is parsed and one reader serves both versions.

What each interaction becomes:

- ``choiceInteraction``: single cardinality (or ``maxChoices="1"``) is multiple_choice, unless the
  two choices read True and False, which is true_false; multiple cardinality is
  multiple_response. The keys come from ``correctResponse`` (else from positive ``mapEntry``\\s).
- ``textEntryInteraction``: a string response is short_answer (accepted answers: the correct
  response and every full-credit ``mapEntry``; ``caseSensitive`` from the entries); a float or
  integer response is numerical (tolerance from the ``equal`` test's ``toleranceMode``).
- ``matchInteraction``: matching; the first match set holds the prompts, ``directedPair``\\s in
  ``correctResponse`` say which answer each prompt takes, unused answers are distractors.
- ``extendedTextInteraction``: essay; a ``rubricBlock`` for the scorer is the grading guidance.
- Anything else (hotspots, ordering, gaps, inline choices, several interactions in one item) is
  skipped with a note.

Feedback is read by running the item's own response processing (a small interpreter below) for
each possible answer: a ``modalFeedback`` shown for some options only is those options'
rationale; one shown whatever the answer is the explanation; one shown in no simple case (for a
complete multiple-response answer, say) is reported. Points come from ``SCORE``'s
``normalMaximum``, then ``MAXSCORE``, then the score the correct response earns.

The package's IEEE LOM metadata (written by the exporter per item resource) gives the original id,
title, tags, objectives, difficulty, status, author, references and language.

This module also holds what the Canvas (QTI 1.2) reader shares with it: package sniffing, image
collection and HTML to Markdown with packaged files rewritten.
"""

from __future__ import annotations

import copy
import hashlib
import html as htmllib
import math
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from lxml import etree
from lxml import html as lxml_html
from pydantic import ValidationError

from qbank.importers import (
    ImportedItem,
    Importer,
    ImportFailure,
    ImportNote,
    ImportResult,
)
from qbank.importers.html_md import html_to_markdown, plain_to_markdown
from qbank.importers.ids import derive_id
from qbank.importers.safety import is_zip, parse_xml, read_zip
from qbank.model import ITEM_ADAPTER, LANGUAGE_PATTERN

# --- shared by the QTI readers ------------------------------------------------------------------------

MANIFEST = "imsmanifest.xml"
_LANGUAGE = re.compile(LANGUAGE_PATTERN)
_EXTERNAL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//|#)")
QTI2_NAMESPACE = re.compile(r"^http://www\.imsglobal\.org/xsd/imsqti_v2p[0-9]$")


def localname(el: etree._Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(el: etree._Element) -> str:
    tag = el.tag
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if localname(c) == name]


def child(el: etree._Element, name: str) -> etree._Element | None:
    for c in el:
        if localname(c) == name:
            return c
    return None


def descendants(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el.iter() if localname(c) == name]


def text_of(el: etree._Element | None) -> str:
    return "".join(el.itertext()) if el is not None else ""


def valid_language(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if value and _LANGUAGE.match(value) else None


@lru_cache(maxsize=2)
def _sniff(data: bytes, filename: str) -> tuple[str | None, bool]:
    """(format, unreadable zip) for ``data``: canvas, qti21, qti30 or None."""
    if is_zip(data):
        try:
            files = read_zip(data, filename)
        except ImportFailure:
            return None, True
        if MANIFEST in files:
            try:
                parse_xml(files[MANIFEST], MANIFEST)
            except ImportFailure:
                return None, True  # an IMS package whose manifest cannot be read: say why
        return _sniff_package(files), False
    if b"<" not in data[:4096]:
        return None, False
    try:
        root = parse_xml(data, filename)
    except ImportFailure:
        # Not readable XML, but plainly meant as QTI: claim it so that the read says what is wrong.
        return _sniff_head(data[:4096]), False
    return _sniff_root(root), False


def _sniff_head(head: bytes) -> str | None:
    if re.search(rb"<(?:\w+:)?questestinterop[\s>/]", head):
        return "canvas"
    if re.search(rb"<qti-assessment-item[\s>/]", head):
        return "qti30"
    if re.search(rb"<(?:\w+:)?assessmentItem[\s>/]", head) and b"imsqti_v2p" in head:
        return "qti21"
    return None


def _sniff_root(root: etree._Element) -> str | None:
    name = localname(root)
    if name == "questestinterop":
        return "canvas"
    if name == "assessmentItem" and (QTI2_NAMESPACE.match(namespace(root)) or not namespace(root)):
        return "qti21"
    if name == "qti-assessment-item":
        return "qti30"
    # A test or a manifest alone is claimed too, so that the reader can say to import the package.
    if name == "assessmentTest" and QTI2_NAMESPACE.match(namespace(root)):
        return "qti21"
    if name == "qti-assessment-test":
        return "qti30"
    if name == "manifest":
        types = [(r.get("type") or "").lower() for r in descendants(root, "resource")]
        if any(t.startswith("imsqti_xmlv1p2") for t in types):
            return "canvas"
        if any(t.startswith(("imsqti_item_xmlv2p", "imsqti_test_xmlv2p")) for t in types):
            return "qti21"
        if any(t.startswith(("imsqti_item_xmlv3p", "imsqti_test_xmlv3p")) for t in types):
            return "qti30"
    return None


def _sniff_package(files: dict[str, bytes]) -> str | None:
    manifest = files.get(MANIFEST)
    if manifest is not None:
        try:
            root = parse_xml(manifest, MANIFEST)
        except ImportFailure:
            root = None
        if root is not None and localname(root) == "manifest":
            found = _sniff_root(root)
            if found:
                return found
    for name in sorted(files):
        if not name.lower().endswith((".xml", ".qti")) or name == MANIFEST:
            continue
        found = _sniff_head(files[name][:4096])
        if found:
            return found
    return None


def sniff(data: bytes, filename: str) -> str | None:
    return _sniff(data, filename)[0]


def unreadable_zip(data: bytes, filename: str) -> bool:
    """A zip that read_zip refuses (damaged, hostile), or a package whose manifest is not readable
    XML: the first QTI reader claims it, so that its read reports the real problem instead of
    "cannot tell the format"."""
    return _sniff(data, filename)[1]


class MediaStore:
    """Files of one package that items refer to, each under one safe ``media/<name>``."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self._names: dict[str, str] = {}  # package path -> media path
        self._taken: dict[str, bytes] = {}

    def media_path(self, package_path: str) -> str | None:
        if package_path not in self.files:
            return None
        found = self._names.get(package_path)
        if found:
            return found
        data = self.files[package_path]
        base = posixpath.basename(package_path) or "file"
        stem, suffix = posixpath.splitext(base)
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "file"
        suffix = re.sub(r"[^A-Za-z0-9.]+", "", suffix.lower())
        name = f"media/{stem[:60]}{suffix}"
        if name in self._taken and self._taken[name] != data:
            name = f"media/{stem[:60]}-{hashlib.sha256(data).hexdigest()[:8]}{suffix}"
        self._taken[name] = data
        self._names[package_path] = name
        return name


class ItemContext:
    """Per item: the media it uses and the notes it raises."""

    def __init__(self, store: MediaStore | None, base: str, where: str, line: int | None) -> None:
        self.store = store
        self.base = base  # folder of the file the item came from, inside the package
        self.where = where  # " (in path/file.xml)" for notes about package members
        self.line = line
        self.media: dict[str, bytes] = {}
        self.messages: list[str] = []
        self.filebase: str | None = None  # Canvas's $IMS-CC-FILEBASE$ token, resolved to the package root

    def note(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)

    def resolve(self, src: str) -> str | None:
        """The Markdown path for a packaged file referred to as ``src``, or None to leave it as is."""
        raw = src.strip()
        if not raw or raw.startswith(("data:", "#")):
            return None
        decoded = unquote(raw)
        path_part = decoded.split("#", 1)[0].split("?", 1)[0]
        if self.filebase is not None and path_part.startswith(self.filebase):
            candidate = path_part[len(self.filebase):].lstrip("/")
        elif _EXTERNAL.match(raw):
            return None
        elif path_part.startswith("/"):
            self.note(f"{raw!r} points to a file on the original server, not in the package; the reference is kept as written")
            return None
        else:
            candidate = posixpath.join(self.base, path_part) if self.base else path_part
        normal = posixpath.normpath(candidate) if candidate else ""
        if self.store is None or normal.startswith("../"):
            self.note(f"{raw!r} is not in the file that was imported (import the whole package to bring the file along); the reference is kept as written")
            return None
        media = self.store.media_path(normal)
        if media is None:
            self.note(f"{raw!r} is not in the package; the reference is kept as written")
            return None
        self.media[media] = self.store.files[normal]
        return media


def rewrite_html(html: str, ctx: ItemContext) -> str:
    """``html`` tidied (see :func:`_tidy`), with packaged images and linked files pointing at their
    ``media/`` copies and Canvas equation images turned back into their LaTeX source."""
    if "<" not in html:
        return " ".join(html.split()) if html.strip() else ""
    try:
        root = lxml_html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return html
    _tidy(root)
    for el in list(root.iter("img", "a")):
        if el.tag == "img" and _is_equation(el):
            latex = _equation_latex(el)
            if latex:
                _replace_with_text(el, f"\\({latex}\\)")
                ctx.note("a Canvas equation image became its LaTeX source between \\( and \\), which MathJax renders")
                continue
        attr = "src" if el.tag == "img" else "href"
        value = el.get(attr)
        if value is None:
            continue
        found = ctx.resolve(value)
        if found is not None:
            el.set(attr, found)
    return htmllib.escape(root.text or "", quote=False) + "".join(lxml_html.tostring(c, encoding="unicode") for c in root)


_BLOCK_TAGS = frozenset(["address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "ul"])
_KEEP_EMPTY = frozenset({"img", "br", "hr", "td", "th", "tr", "iframe", "video", "audio"})


def _tidy(root: etree._Element) -> None:
    """What only layout of the source changed, undone: indentation whitespace collapsed (outside
    ``pre``/``code``), empty paragraphs and divisions removed, and divisions (which carry no meaning
    once styles are gone) unwrapped around blocks or made paragraphs around text. Rendering stays
    the same, and the Markdown converter then finds the structure it can express."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        inside = any(a.tag in ("pre", "code") for a in el.iterancestors() if isinstance(a.tag, str))
        if el.tag not in ("pre", "code") and not inside and el.text:
            el.text = re.sub(r"[ \t\r\n]+", " ", el.text)
        if el.tail and not inside:
            el.tail = re.sub(r"[ \t\r\n]+", " ", el.tail)
    for el in reversed(list(root.iter())):
        if el is root or not isinstance(el.tag, str):
            continue
        if el.tag in ("p", "div", "span") and not len(el) and not (el.text or "").strip():
            _drop(el)
        elif el.tag == "div":
            parent = el.getparent()
            if parent is None or parent.tag == "p":
                continue
            if any(isinstance(c.tag, str) and c.tag in _BLOCK_TAGS for c in el):
                _unwrap(el)
            else:
                el.tag = "p"


def _is_equation(el: etree._Element) -> bool:
    return "equation_image" in (el.get("class") or "") or "/equation_images/" in (el.get("src") or "")


def _equation_latex(el: etree._Element) -> str:
    value = el.get("data-equation-content") or el.get("title") or ""
    if not value:
        alt = el.get("alt") or ""
        value = alt[len("LaTeX: "):] if alt.startswith("LaTeX: ") else ""
    if not value:
        src = el.get("src") or ""
        if "/equation_images/" in src:
            value = unquote(unquote(src.split("/equation_images/", 1)[1].split("?", 1)[0]))
    return value.strip()


def _replace_with_text(el: etree._Element, text: str) -> None:
    parent = el.getparent()
    if parent is None:
        return
    addition = text + (el.tail or "")
    previous = el.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + addition
    else:
        parent.text = (parent.text or "") + addition
    parent.remove(el)


def markdown(html: str, ctx: ItemContext) -> str:
    """Markdown for an HTML fragment from a package (packaged files rewritten)."""
    try:
        return html_to_markdown(rewrite_html(html, ctx))
    except ImportFailure as exc:  # HTML too deeply nested to convert: say which item
        raise ImportFailure(f"a text{ctx.where} has {exc.message}", exc.line or ctx.line) from None


def plain_markdown(text: str) -> str:
    return plain_to_markdown(text.strip())


def build_item(
    data: dict[str, Any], ctx: ItemContext, notes: list[ImportNote], category: tuple[str, ...]
) -> ImportedItem | None:
    """Validate ``data`` as an item; record the context's notes against it either way."""
    item_id = data.get("id")
    try:
        item = ITEM_ADAPTER.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        flush_notes(ctx, notes, item_id)
        notes.append(ImportNote(f"skipped: the question does not fit the {data.get('type')} item ({where}: {first.get('msg')}){ctx.where}", ctx.line, item_id))
        return None
    flush_notes(ctx, notes, item_id)
    return ImportedItem(item=item, category=category, media=dict(ctx.media), line=ctx.line)


def flush_notes(ctx: ItemContext, notes: list[ImportNote], item_id: str | None) -> None:
    for message in ctx.messages:
        notes.append(ImportNote(message + ctx.where, ctx.line, item_id))
    ctx.messages.clear()


def join_markdown(*parts: str | None) -> str | None:
    found = [p for p in parts if p and p.strip()]
    return "\n\n".join(found) if found else None


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def parse_decimal(text: str | None) -> Decimal | None:
    try:
        value = Decimal((text or "").strip())
    except (InvalidOperation, ValueError):
        return None
    # Finite as a float too: a model number must survive YAML and every exporter.
    return value if value.is_finite() and abs(value) < Decimal("1e300") else None


# --- QTI 2.x: names, values ---------------------------------------------------------------------------


def _camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def neutral(root: etree._Element) -> etree._Element:
    """Drops namespaces and renames QTI 3.0 elements and attributes to their QTI 2.1 names, in place."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = localname(el)
        if local.startswith("qti-"):
            el.tag = _camel(local[4:])
            for key in list(el.attrib):
                if "-" in key and not key.startswith("{"):
                    el.attrib[_camel(key)] = el.attrib.pop(key)
        else:
            el.tag = local
    return root


_INTERACTIONS_BLOCK = {"choiceInteraction", "matchInteraction", "extendedTextInteraction"}
_FEEDBACK_IN_BODY = {"feedbackBlock", "feedbackInline"}
_TEMPLATE_IN_BODY = {"templateBlock", "templateInline", "printedVariable"}
_SPAN_CLASSES = {"qti-underline": "u", "qbank-strikethrough": "s", "qbank-highlight": "mark"}


class _Unknown(Exception):
    """Response processing uses something the interpreter does not model."""


class _Exit(Exception):
    pass


@dataclass
class _Declaration:
    identifier: str
    cardinality: str
    base_type: str
    correct: list[str] = field(default_factory=list)
    mapping: list[tuple[str, float, bool]] = field(default_factory=list)
    default_mapped: float = 0.0
    lower: float | None = None
    upper: float | None = None
    default: Any = None
    has_mapping: bool = False


def _bool_attr(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in ("true", "1")


def _float_attr(value: str | None) -> float | None:
    number = parse_decimal(value)
    return float(number) if number is not None else None


def _convert(text: str, base_type: str) -> Any:
    text = text or ""
    if base_type in ("float", "integer", "duration"):
        number = parse_decimal(text)
        if number is None:
            raise _Unknown(f"not a number: {text!r}")
        return float(number)
    if base_type == "boolean":
        return text.strip().lower() in ("true", "1")
    if base_type == "directedPair":
        return " ".join(text.split())
    if base_type == "pair":
        return " ".join(sorted(text.split()))
    if base_type == "identifier":
        return text.strip()
    return text


def _declarations(root: etree._Element, version3: bool) -> dict[str, _Declaration]:
    out: dict[str, _Declaration] = {}
    for decl in list(children(root, "responseDeclaration")) + list(children(root, "outcomeDeclaration")):
        ident = decl.get("identifier") or ""
        d = _Declaration(ident, decl.get("cardinality") or "single", decl.get("baseType") or "identifier")
        correct = child(decl, "correctResponse")
        if correct is not None:
            d.correct = [text_of(v) for v in children(correct, "value")]
        default = child(decl, "defaultValue")
        if default is not None:
            values = [text_of(v) for v in children(default, "value")]
            try:
                converted = [_convert(v, d.base_type) for v in values]
            except _Unknown:
                converted = []
            if d.cardinality == "single":
                d.default = converted[0] if converted else None
            elif converted:
                d.default = tuple(converted) if d.cardinality == "ordered" else frozenset(converted)
        elif decl.tag == "outcomeDeclaration" and d.base_type in ("float", "integer") and d.cardinality == "single":
            d.default = 0.0
        mapping = child(decl, "mapping")
        if mapping is not None:
            d.has_mapping = True
            d.default_mapped = _float_attr(mapping.get("defaultValue")) or 0.0
            d.lower = _float_attr(mapping.get("lowerBound"))
            d.upper = _float_attr(mapping.get("upperBound"))
            for entry in children(mapping, "mapEntry"):
                value = _float_attr(entry.get("mappedValue"))
                key = entry.get("mapKey")
                if value is None or key is None:
                    continue
                d.mapping.append((key, value, _bool_attr(entry.get("caseSensitive"), not version3)))
        out[ident] = d
    return out


def _correct_value(d: _Declaration) -> Any:
    try:
        values = [_convert(v, d.base_type) for v in d.correct]
    except _Unknown:
        return None
    if not values:
        return None
    if d.cardinality == "single":
        return values[0]
    return tuple(values) if d.cardinality == "ordered" else frozenset(values)


class _Interpreter:
    """Runs QTI response processing for one hypothetical response, as far as items in the wild need."""

    def __init__(self, root: etree._Element, decls: dict[str, _Declaration]) -> None:
        self.decls = decls
        self.rules = self._rules(root)

    def _rules(self, root: etree._Element) -> list[etree._Element] | None:
        processing = child(root, "responseProcessing")
        if processing is None:
            return []
        rules = [c for c in processing if isinstance(c.tag, str)]
        if rules:
            return rules
        template = (processing.get("template") or processing.get("templateLocation") or "").rstrip("/")
        name = template.rsplit("/", 1)[-1].removesuffix(".xml")
        if name == "match_correct":
            xml = (
                "<responseCondition><responseIf><match><variable identifier='RESPONSE'/><correct identifier='RESPONSE'/></match>"
                "<setOutcomeValue identifier='SCORE'><baseValue baseType='float'>1</baseValue></setOutcomeValue></responseIf>"
                "<responseElse><setOutcomeValue identifier='SCORE'><baseValue baseType='float'>0</baseValue></setOutcomeValue>"
                "</responseElse></responseCondition>"
            )
        elif name == "map_response":
            xml = (
                "<responseCondition><responseIf><isNull><variable identifier='RESPONSE'/></isNull>"
                "<setOutcomeValue identifier='SCORE'><baseValue baseType='float'>0</baseValue></setOutcomeValue></responseIf>"
                "<responseElse><setOutcomeValue identifier='SCORE'><mapResponse identifier='RESPONSE'/></setOutcomeValue>"
                "</responseElse></responseCondition>"
            )
        else:
            return None  # an unknown template: nothing can be simulated
        return [etree.fromstring(xml)]

    @property
    def usable(self) -> bool:
        return self.rules is not None

    def run(self, responses: dict[str, Any]) -> dict[str, Any]:
        """The outcome values after processing ``responses``; raises _Unknown."""
        if self.rules is None:
            raise _Unknown("unknown response processing template")
        self.values: dict[str, Any] = {k: d.default for k, d in self.decls.items() if k not in responses}
        self.values.update(responses)
        try:
            self._block(self.rules)
        except _Exit:
            pass
        return self.values

    def _block(self, rules: Iterable[etree._Element]) -> None:
        for rule in rules:
            if not isinstance(rule.tag, str):
                continue
            name = rule.tag
            if name == "responseCondition":
                for branch in rule:
                    if not isinstance(branch.tag, str):
                        continue
                    if branch.tag in ("responseIf", "responseElseIf"):
                        parts = [c for c in branch if isinstance(c.tag, str)]
                        if not parts:
                            raise _Unknown("empty condition")
                        if self._eval(parts[0]) is True:
                            self._block(parts[1:])
                            break
                    elif branch.tag == "responseElse":
                        self._block(branch)
                        break
            elif name == "setOutcomeValue":
                parts = [c for c in rule if isinstance(c.tag, str)]
                if not parts:
                    raise _Unknown("setOutcomeValue without a value")
                self.values[rule.get("identifier") or ""] = self._eval(parts[0])
            elif name == "exitResponse":
                raise _Exit()
            elif name == "responseProcessingFragment":
                self._block(rule)
            else:
                raise _Unknown(name)

    def _args(self, el: etree._Element) -> list[Any]:
        return [self._eval(c) for c in el if isinstance(c.tag, str)]

    def _eval(self, el: etree._Element) -> Any:
        name = el.tag
        if name == "baseValue":
            return _convert(el.text or "", el.get("baseType") or "string")
        if name == "variable":
            ident = el.get("identifier") or ""
            if ident not in self.values:
                raise _Unknown(f"variable {ident}")
            return self.values[ident]
        if name == "correct":
            d = self.decls.get(el.get("identifier") or "")
            if d is None:
                raise _Unknown("correct")
            return _correct_value(d)
        if name == "default":
            d = self.decls.get(el.get("identifier") or "")
            return d.default if d else None
        if name == "null":
            return None
        if name == "isNull":
            [value] = self._args(el) or [None]
            return value is None or value == "" or (isinstance(value, (frozenset, tuple)) and not value)
        if name in ("match", "stringMatch"):
            args = self._args(el)
            if len(args) != 2:
                raise _Unknown(name)
            a, b = args
            if a is None or b is None:
                return None
            if name == "stringMatch" and not _bool_attr(el.get("caseSensitive"), True):
                return str(a).casefold() == str(b).casefold()
            return a == b
        if name == "and":
            args = self._args(el)
            if any(a is False for a in args):
                return False
            return None if any(a is None for a in args) else True
        if name == "or":
            args = self._args(el)
            if any(a is True for a in args):
                return True
            return None if any(a is None for a in args) else False
        if name == "not":
            [value] = self._args(el) or [None]
            return None if value is None else not value
        if name == "equal":
            args = self._args(el)
            if len(args) != 2:
                raise _Unknown(name)
            a, b = args
            if a is None or b is None:
                return None
            return _equal(float(a), float(b), el)
        if name in ("gt", "gte", "lt", "lte"):
            args = self._args(el)
            if len(args) != 2 or None in args:
                return None
            a, b = float(args[0]), float(args[1])
            return {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[name]
        if name in ("sum", "product", "subtract", "divide"):
            args = self._args(el)
            if any(a is None for a in args) or not args:
                return None
            nums = [float(a) for a in args]
            if name == "sum":
                return math.fsum(nums)
            if name == "product":
                return math.prod(nums)
            if name == "subtract":
                return nums[0] - nums[1]
            return nums[0] / nums[1] if nums[1] else None
        if name == "member":
            a, b = self._args(el)
            if a is None or b is None:
                return None
            return a in b
        if name == "contains":
            a, b = self._args(el)
            if a is None or b is None:
                return None
            return set(b if isinstance(b, (frozenset, tuple)) else [b]) <= set(a)
        if name in ("multiple", "ordered"):
            values: list[Any] = []
            for a in self._args(el):
                if a is None:
                    continue
                values.extend(a if isinstance(a, (frozenset, tuple)) else [a])
            if not values:
                return None
            return frozenset(values) if name == "multiple" else tuple(values)
        if name == "mapResponse":
            return self._map(el.get("identifier") or "")
        raise _Unknown(name)

    def _map(self, ident: str) -> float:
        d = self.decls.get(ident)
        if d is None or not d.has_mapping:
            raise _Unknown("mapResponse without a mapping")
        value = self.values.get(ident)
        members = list(value) if isinstance(value, (frozenset, tuple)) else ([] if value is None else [value])
        total = 0.0
        for member in members:
            for key, mapped, case in d.mapping:
                if d.base_type in ("float", "integer"):
                    hit = parse_decimal(key) is not None and float(parse_decimal(key) or 0) == float(member)
                elif d.base_type == "string" and not case:
                    hit = key.casefold() == str(member).casefold()
                else:
                    hit = _convert(key, d.base_type) == member
                if hit:
                    total += mapped
                    break
            else:
                total += d.default_mapped
        if d.lower is not None:
            total = max(total, d.lower)
        if d.upper is not None:
            total = min(total, d.upper)
        return total


def _tolerances(el: etree._Element) -> list[float]:
    raw = (el.get("tolerance") or "0").split()
    values = [_float_attr(v) for v in raw[:2]]
    if any(v is None for v in values) or not values:
        raise _Unknown("tolerance")
    out = [float(v or 0) for v in values]
    return out if len(out) == 2 else out * 2


def _equal(a: float, b: float, el: etree._Element) -> bool:
    mode = el.get("toleranceMode") or "exact"
    if mode == "exact":
        return a == b
    low_t, high_t = _tolerances(el)
    if mode == "absolute":
        low, high = b - low_t, b + high_t
    elif mode == "relative":
        low, high = b * (1 - low_t / 100), b * (1 + high_t / 100)
    else:
        raise _Unknown(mode)
    above = a >= low if _bool_attr(el.get("includeLowerBound"), True) else a > low
    below = a <= high if _bool_attr(el.get("includeUpperBound"), True) else a < high
    return above and below


# --- QTI 2.x: one item ------------------------------------------------------------------------------------


_LOM_DIFFICULTY = {"very easy": "easy", "easy": "easy", "medium": "medium", "difficult": "hard", "very difficult": "hard"}
_LOM_STATUS = {"draft": "draft", "revised": "review", "final": "approved", "unavailable": "retired"}


def _lom_strings(el: etree._Element | None) -> list[str]:
    """The language strings of a LOM element (``string`` in LOM 1.3, ``langstring`` in IMS MD 1.2)."""
    if el is None:
        return []
    found = [text_of(s).strip() for s in el.iter() if localname(s).lower() in ("string", "langstring")]
    if not found and not len(el):
        found = [(el.text or "").strip()]
    return [s for s in found if s]


def _lom_value(el: etree._Element | None) -> str:
    if el is None:
        return ""
    value = next((v for v in el.iter() if localname(v).lower() == "value"), None)
    strings = _lom_strings(value) if value is not None else []
    return (strings[0] if strings else "").strip()


def _vcard_name(vcard: str) -> str:
    match = re.search(r"(?:^|[\s])FN[^:\n]*:(.*?)(?:\r?\n|\s+[A-Z][A-Z-]*[:;]|\s+END:|$)", vcard, re.IGNORECASE | re.DOTALL)
    if not match:
        return ""
    value = match.group(1).strip()
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


def lom_fields(lom: etree._Element | None) -> dict[str, Any]:
    """Item fields from an IEEE LOM (or IMS MD) record."""
    if lom is None:
        return {}

    def first(parent: etree._Element | None, name: str) -> etree._Element | None:
        if parent is None:
            return None
        return next((c for c in parent if localname(c).lower() == name.lower()), None)

    def every(parent: etree._Element | None, name: str) -> list[etree._Element]:
        if parent is None:
            return []
        return [c for c in parent if localname(c).lower() == name.lower()]

    out: dict[str, Any] = {}
    general = first(lom, "general")
    for identifier in every(general, "identifier"):
        catalog = text_of(first(identifier, "catalog")).strip()
        entry = text_of(first(identifier, "entry")).strip()
        if catalog == "qbank" and entry:
            out["qbank_id"] = entry
    titles = _lom_strings(first(general, "title"))
    if titles:
        out["title"] = titles[0]
    language = valid_language(text_of(first(general, "language")))
    if language:
        out["language"] = language
    tags = [s for k in every(general, "keyword") for s in _lom_strings(k)]
    if tags:
        out["tags"] = tags
    life = first(lom, "lifeCycle")
    status = _LOM_STATUS.get(_lom_value(first(life, "status")).lower())
    if status:
        out["status"] = status
    for contribute in every(life, "contribute"):
        if _lom_value(first(contribute, "role")).lower() != "author":
            continue
        entity = first(contribute, "entity")
        if entity is None:
            entity = first(contribute, "centity")
        vcard = text_of(entity)
        name = _vcard_name(vcard) if "BEGIN:" in vcard.upper() else vcard.strip()
        if name:
            out["author"] = name
            break
    difficulty = _LOM_DIFFICULTY.get(_lom_value(first(first(lom, "educational"), "difficulty")).lower())
    if difficulty:
        out["difficulty"] = difficulty
    references: list[str] = []
    for relation in every(lom, "relation"):
        if _lom_value(first(relation, "kind")).lower() != "references":
            continue
        resource = first(relation, "resource")
        references.extend(_lom_strings(first(resource, "description")))
    if references:
        out["references"] = references
    objectives: list[str] = []
    for classification in every(lom, "classification"):
        if _lom_value(first(classification, "purpose")).lower() != "educational objective":
            continue
        objectives.extend(s for k in every(classification, "keyword") for s in _lom_strings(k))
    if objectives:
        out["objectives"] = objectives
    return out


class _ItemReader:
    """Reads one (neutral) assessmentItem into item fields."""

    def __init__(self, root: etree._Element, ctx: ItemContext, version3: bool) -> None:
        self.root = root
        self.ctx = ctx
        self.version3 = version3
        self.decls = _declarations(root, version3)
        self.interpreter = _Interpreter(root, self.decls)

    # HTML ------------------------------------------------------------------------------------------------

    def html(self, container: etree._Element) -> str:
        """The content of ``container`` as HTML (QTI markup turned into plain HTML)."""
        holder = copy.deepcopy(container)
        self._clean(holder)
        text = holder.text or ""
        return htmllib.escape(text, quote=False) + "".join(
            etree.tostring(c, method="html", encoding="unicode", with_tail=False) + htmllib.escape(c.tail or "", quote=False)
            for c in holder
        )

    def _clean(self, holder: etree._Element) -> None:
        for el in list(holder.iter())[1:]:
            if not isinstance(el.tag, str):
                if el.getparent() is not None:
                    _drop(el)
                continue
            name = el.tag
            if name in _FEEDBACK_IN_BODY:
                _drop(el)  # read as feedback by _feedback(), which reports what it cannot place
            elif name in _TEMPLATE_IN_BODY:
                self.ctx.note(f"{name} (template content inside the question) is not carried")
                _drop(el)
            elif name == "math":
                self.ctx.note("MathML is kept as plain text")
                _replace_with_text(el, " ".join("".join(el.itertext()).split()))
            elif name == "object":
                kind = el.get("type") or ""
                data = el.get("data") or ""
                if kind.startswith("image/") or re.search(r"\.(png|jpe?g|gif|svg|webp|bmp)$", data, re.IGNORECASE):
                    alt = " ".join("".join(el.itertext()).split())
                    img = etree.Element("img", {"src": data, "alt": alt})
                    img.tail = el.tail
                    el.getparent().replace(el, img)
                else:
                    self.ctx.note(f"an embedded object ({' '.join(x for x in (kind, data) if x) or 'unknown type'}) is not carried; its fallback content is kept")
                    _unwrap(el)
            elif name == "span" and el.get("class") in _SPAN_CLASSES:
                el.tag = _SPAN_CLASSES[el.get("class") or ""]
                del el.attrib["class"]
            elif name == "div" and el.get("class") in ("figure", "figcaption"):
                el.tag = el.get("class") or "div"
                del el.attrib["class"]
            elif name in ("contentBody", "prompt") or name.endswith("Interaction"):
                if name.endswith("Interaction"):
                    self.ctx.note(f"{name} inside the question text is not carried")
                _unwrap(el)

    def markdown(self, container: etree._Element) -> str:
        return markdown(self.html(container), self.ctx)

    # The item --------------------------------------------------------------------------------------------

    def read(self) -> dict[str, Any] | None:
        body = child(self.root, "itemBody")
        if body is None:
            self.ctx.note("skipped: the item has no itemBody")
            return None
        if child(self.root, "templateDeclaration") is not None or child(self.root, "templateProcessing") is not None:
            self.ctx.note("skipped: the item is a template (its values are generated when it is delivered), which qbank cannot express")
            return None
        interactions = [el for el in body.iter() if isinstance(el.tag, str) and el.tag.endswith("Interaction")]
        if not interactions:
            self.ctx.note("skipped: the item has no interaction (nothing to answer)")
            return None
        if len(interactions) > 1:
            names = ", ".join(sorted({el.tag for el in interactions}))
            self.ctx.note(f"skipped: the item has {len(interactions)} interactions ({names}); qbank items have one")
            return None
        interaction = interactions[0]
        kind = interaction.tag
        if (self.root.get("adaptive") or "").strip().lower() == "true":
            self.ctx.note("adaptive behaviour (several attempts, feedback between them) is not carried")
        decl = self.decls.get(interaction.get("responseIdentifier") or "")
        if kind == "choiceInteraction":
            fields = self._choice(interaction, decl)
        elif kind == "textEntryInteraction":
            fields = self._text_entry(interaction, decl)
        elif kind == "matchInteraction":
            fields = self._match(interaction, decl)
        elif kind == "extendedTextInteraction":
            fields = self._essay(interaction)
        else:
            self.ctx.note(f"skipped: {kind} has no qbank item type")
            return None
        if fields is None:
            return None
        if kind != "extendedTextInteraction" and any(_for_scorer(r) for r in body.iter() if isinstance(r.tag, str) and r.tag == "rubricBlock"):
            self.ctx.note("a rubric for scorers is not carried (only essays have grading guidance)")
        fields["stem"] = self._stem(body, interaction)
        fields["points"] = self._points(fields)
        return fields

    def _stem(self, body: etree._Element, interaction: etree._Element) -> str:
        holder = copy.deepcopy(body)
        target = next(el for el in holder.iter() if isinstance(el.tag, str) and el.tag == interaction.tag)
        for rubric in [el for el in holder.iter() if isinstance(el.tag, str) and el.tag == "rubricBlock"]:
            if _for_scorer(rubric):
                _drop(rubric)  # grading guidance (essays) or reported in read()
            else:
                _unwrap(rubric)  # a rubric the candidate sees is part of the question
        if target.tag in _INTERACTIONS_BLOCK:
            prompt = child(target, "prompt")
            if prompt is not None and (len(prompt) or (prompt.text or "").strip()):
                block = any(isinstance(c.tag, str) and c.tag in ("p", "div", "ul", "ol", "table", "blockquote", "pre") for c in prompt)
                prompt.tag = "div" if block else "p"
                prompt.attrib.clear()
                prompt.tail = target.tail
                target.getparent().replace(target, prompt)
            else:
                _drop(target)
        else:
            parent = target.getparent()
            alone = (
                parent is not holder
                and not (parent.text or "").strip()
                and not (target.tail or "").strip()
                and all(c is target for c in parent if isinstance(c.tag, str))
            )
            if alone:
                _drop(parent)
            elif parent is holder and not (target.tail or "").strip():
                _drop(target)
            else:
                _replace_with_text(target, "_____")
        return self.markdown(holder)

    def _points(self, fields: dict[str, Any]) -> float:
        score = self.decls.get("SCORE")
        candidates: list[float | None] = []
        if score is not None:
            candidates.append(_float_attr(self.root_outcome_attr("SCORE", "normalMaximum")))
        maxscore = self.decls.get("MAXSCORE")
        if maxscore is not None and isinstance(maxscore.default, float):
            candidates.append(maxscore.default)
        candidates.append(self._correct_score)
        for value in candidates:
            if value is not None and math.isfinite(value) and value > 0:
                return value
        return 1.0

    _correct_score: float | None = None

    def root_outcome_attr(self, ident: str, attr: str) -> str | None:
        for decl in children(self.root, "outcomeDeclaration"):
            if decl.get("identifier") == ident:
                return decl.get(attr)
        return None

    def _simulate(self, responses: list[Any], ident: str) -> list[dict[str, Any]] | None:
        if not self.interpreter.usable:
            return None
        out = []
        try:
            for response in responses:
                out.append(dict(self.interpreter.run({ident: response})))
        except (_Unknown, ValueError, TypeError, ZeroDivisionError):
            return None
        return out

    def _score_of(self, outcomes: dict[str, Any]) -> float | None:
        value = outcomes.get("SCORE")
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    def _feedback(self) -> list[tuple[etree._Element, str, str, bool]]:
        """(element, outcome, identifier, show) for every modalFeedback."""
        found = children(self.root, "modalFeedback")
        body = child(self.root, "itemBody")
        if body is not None:
            found += [el for el in body.iter() if isinstance(el.tag, str) and el.tag in _FEEDBACK_IN_BODY]
        return [
            (fb, fb.get("outcomeIdentifier") or "", fb.get("identifier") or "", (fb.get("showHide") or "show") != "hide")
            for fb in found
        ]

    @staticmethod
    def _shown(outcomes: dict[str, Any], outcome: str, ident: str, show: bool) -> bool:
        value = outcomes.get(outcome)
        if isinstance(value, (frozenset, tuple)):
            hit = ident in value
        elif isinstance(value, bool):
            hit = ident.strip().lower() == ("true" if value else "false")
        elif value is None:
            hit = False
        else:
            hit = str(value) == ident
        return hit if show else not hit

    def _feedback_markdown(self, fb: etree._Element) -> str:
        return self.markdown(fb)

    def _general_and_rest(
        self, runs: list[dict[str, Any]] | None
    ) -> tuple[str | None, list[tuple[etree._Element, list[bool]]]]:
        """The explanation (feedback shown for every simulated response) and the other feedback with
        where it shows; without a simulation, the exporter's FEEDBACK_GENERAL convention decides."""
        general: list[str] = []
        rest: list[tuple[etree._Element, list[bool]]] = []
        for fb, outcome, ident, show in self._feedback():
            if runs is None:
                if outcome == "FEEDBACK_GENERAL":
                    general.append(self._feedback_markdown(fb))
                else:
                    rest.append((fb, []))
                continue
            pattern = [self._shown(r, outcome, ident, show) for r in runs]
            if all(pattern):
                general.append(self._feedback_markdown(fb))
            else:
                rest.append((fb, pattern))
        return join_markdown(*general), rest

    def _unmapped(self, fb: etree._Element, why: str) -> None:
        text = " ".join(text_of(fb).split())
        shown = (text[:60] + "…") if len(text) > 60 else text
        self.ctx.note(f"feedback {fb.get('identifier')!r} ({shown!r}) is not carried: {why}")

    # Types ---------------------------------------------------------------------------------------------

    def _choice(self, interaction: etree._Element, decl: _Declaration | None) -> dict[str, Any] | None:
        choices = [c for c in interaction.iter() if isinstance(c.tag, str) and c.tag == "simpleChoice"]
        if not choices:
            self.ctx.note("skipped: the choice interaction has no choices")
            return None
        idents = [c.get("identifier") or "" for c in choices]
        if decl is None:
            self.ctx.note("the interaction has no response declaration, so no option is marked correct")
            decl = _Declaration("", "single" if interaction.get("maxChoices") == "1" else "multiple", "identifier")
        keys = {v.strip() for v in decl.correct}
        if not keys and decl.mapping:
            keys = {k for k, v, _ in decl.mapping if v > 0}
        if not keys:
            self.ctx.note("no option is marked correct (the item has no correct response)")
        single = decl.cardinality == "single" if decl.identifier else interaction.get("maxChoices") == "1"
        texts = [self.markdown(c) for c in choices]
        plain = [" ".join(_text_without_feedback(c).split()).casefold() for c in choices]
        ident = decl.identifier or "RESPONSE"
        if single:
            runs = self._simulate(idents, ident)
            correct_runs = self._simulate([_correct_value(decl)], ident)
        else:
            runs = self._simulate([frozenset([i]) for i in idents], ident)
            correct_runs = self._simulate([_correct_value(decl)], ident) if decl.correct else None
        if correct_runs:
            self._correct_score = self._score_of(correct_runs[0])
        all_runs = (runs or []) + (correct_runs or []) if runs is not None else None
        explanation, rest = self._general_and_rest(all_runs)
        rationales: list[list[str]] = [[] for _ in choices]
        for fb, pattern in rest:
            if runs is None:
                target = fb.get("identifier")
                if fb.get("outcomeIdentifier") == "FEEDBACK" and target in idents:
                    rationales[idents.index(target)].append(self._feedback_markdown(fb))
                else:
                    self._unmapped(fb, "it is not tied to one option")
                continue
            per_option = pattern[: len(choices)]
            if not single and len(pattern) > len(choices):
                # A rationale shows whenever its option is among those chosen, so for the complete
                # answer it shows exactly when it belongs to a key; anything else (feedback for any
                # wrong answer, say) is about the whole answer, not about options.
                key_shown = any(p for p, i in zip(per_option, idents) if i in keys)
                if all(per_option) or pattern[len(choices)] != key_shown:
                    self._unmapped(fb, "it depends on the whole answer, not on single options")
                    continue
            if any(per_option):
                text = self._feedback_markdown(fb)
                for i, shown in enumerate(per_option):
                    if shown:
                        rationales[i].append(text)
            else:
                self._unmapped(fb, "it is shown only for some combinations of answers, not for single options")
        if interaction.get("shuffle") == "true" and any(c.get("fixed") == "true" for c in choices):
            self.ctx.note("fixed positions of some options while the rest shuffle are not carried; the item keeps shuffle: true")
        if single and len(choices) == 2 and sorted(plain) == ["false", "true"]:
            true_i = plain.index("true")
            false_i = 1 - true_i
            return {
                "type": "true_false",
                "answer": idents[true_i] in keys,
                "true_rationale": join_markdown(*rationales[true_i]),
                "false_rationale": join_markdown(*rationales[false_i]),
                "explanation": explanation,
            }
        if single and len(keys) > 1:
            self.ctx.note(f"the single-answer item has {len(keys)} correct responses; all are marked correct")
        options = []
        for i, c in enumerate(choices):
            option: dict[str, Any] = {"text": texts[i], "correct": idents[i] in keys}
            rationale = join_markdown(*rationales[i])
            if rationale is not None:
                option["rationale"] = rationale
            options.append(option)
        return {
            "type": "multiple_choice" if single else "multiple_response",
            "options": options,
            "shuffle": interaction.get("shuffle") == "true",
            "explanation": explanation,
        }

    def _only_general(self, runs: list[dict[str, Any]] | None, why: str) -> str | None:
        explanation, rest = self._general_and_rest(runs)
        for fb, _ in rest:
            self._unmapped(fb, why)
        return explanation

    def _text_entry(self, interaction: etree._Element, decl: _Declaration | None) -> dict[str, Any] | None:
        if decl is None:
            self.ctx.note("skipped: the text entry has no response declaration")
            return None
        correct = _correct_value(decl) if decl.correct else None
        runs = self._simulate([correct, None], decl.identifier)
        if runs:
            self._correct_score = self._score_of(runs[0])
        explanation = self._only_general(runs, "it depends on the answer given")
        if decl.base_type in ("float", "integer"):
            return self._numerical(decl, explanation)
        if decl.base_type != "string":
            self.ctx.note(f"skipped: a text entry with base type {decl.base_type} has no qbank item type")
            return None
        answers: list[str] = []
        cases: list[bool] = []
        best = max((v for _, v, _ in decl.mapping), default=0.0)
        for correct in decl.correct:
            if correct.strip() and correct not in answers:
                answers.append(correct)
        for key, mapped, case in decl.mapping:
            if mapped <= 0:
                continue
            if mapped < best:
                self.ctx.note(f"the answer {key!r} earns partial credit ({number_text(mapped)} of {number_text(best)}), which qbank cannot express; it is left out")
                continue
            cases.append(case)
            if key not in answers and key.strip():
                answers.append(key)
        if not answers:
            self.ctx.note("skipped: the text entry has no accepted answer")
            return None
        case_sensitive = all(cases) if cases else True
        return {"type": "short_answer", "answers": answers, "case_sensitive": case_sensitive, "explanation": explanation}

    def _numerical(self, decl: _Declaration, explanation: str | None) -> dict[str, Any] | None:
        values = [parse_decimal(v) for v in decl.correct]
        if not values or values[0] is None:
            keys = [parse_decimal(k) for k, v, _ in decl.mapping if v > 0]
            values = [k for k in keys if k is not None]
        if not values or values[0] is None:
            self.ctx.note("skipped: the numeric entry has no correct value")
            return None
        if len(values) > 1:
            self.ctx.note("more than one accepted number; only the first is kept")
        answer = values[0]
        tolerance = Decimal(0)
        equal = next(
            (el for el in self.root.iter() if isinstance(el.tag, str) and el.tag == "equal" and self._tests_response(el, decl.identifier)),
            None,
        )
        if equal is not None:
            mode = equal.get("toleranceMode") or "exact"
            raw = [parse_decimal(t) for t in (equal.get("tolerance") or "0").split()[:2]]
            bounds = [t for t in raw if t is not None] or [Decimal(0)]
            if len(set(bounds)) > 1:
                self.ctx.note(f"an asymmetric tolerance ({' '.join(str(b) for b in bounds)}) became the larger one")
            width = max(bounds)
            if mode == "absolute":
                tolerance = abs(width)
            elif mode == "relative":
                tolerance = abs(answer * width / 100)
                self.ctx.note(f"a relative tolerance of {width}% became an absolute tolerance of {number_text(float(tolerance))}")
            if not (_bool_attr(equal.get("includeLowerBound"), True) and _bool_attr(equal.get("includeUpperBound"), True)) and tolerance:
                self.ctx.note("a tolerance that excludes its bounds became one that includes them")
        return {"type": "numerical", "answer": float(answer), "tolerance": float(tolerance), "explanation": explanation}

    @staticmethod
    def _tests_response(el: etree._Element, ident: str) -> bool:
        return any(isinstance(c.tag, str) and c.tag == "variable" and c.get("identifier") == ident for c in el)

    def _match(self, interaction: etree._Element, decl: _Declaration | None) -> dict[str, Any] | None:
        sets = children(interaction, "simpleMatchSet")
        if len(sets) != 2 or decl is None:
            self.ctx.note("skipped: the match interaction does not have two match sets and a response declaration")
            return None
        sources = children(sets[0], "simpleAssociableChoice")
        targets = children(sets[1], "simpleAssociableChoice")
        target_text: dict[str, str] = {}
        for t in targets:
            if any(isinstance(c.tag, str) and c.tag not in ("br",) for c in t):
                self.ctx.note("formatting in a matching answer is not carried (answers are plain text)")
            raw = text_of(t)
            target_text[t.get("identifier") or ""] = " ".join(raw.split()) if re.search(r"[\n\t\r]", raw) else raw.strip()
        pairs_wanted: dict[str, list[str]] = {}
        for value in decl.correct:
            parts = value.split()
            if len(parts) == 2:
                pairs_wanted.setdefault(parts[0], []).append(parts[1])
        pairs = []
        used: set[str] = set()
        for s in sources:
            sid = s.get("identifier") or ""
            prompt = self.markdown(s)
            wanted = [t for t in pairs_wanted.get(sid, []) if t in target_text]
            if not wanted:
                self.ctx.note(f"the prompt {' '.join(text_of(s).split())!r} has no correct answer; it is left out")
                continue
            if len(wanted) > 1:
                self.ctx.note(f"the prompt {' '.join(text_of(s).split())!r} has {len(wanted)} correct answers; only the first is kept")
            used.add(wanted[0])
            pairs.append({"prompt": prompt, "match": target_text[wanted[0]]})
        if not pairs:
            self.ctx.note("skipped: no prompt of the match interaction has a correct answer")
            return None
        matches = {p["match"] for p in pairs}
        distractors: list[str] = []
        for t in targets:
            text = target_text[t.get("identifier") or ""]
            if (t.get("identifier") or "") not in used and text not in matches and text not in distractors and text:
                distractors.append(text)
        runs = self._simulate([_correct_value(decl), None], decl.identifier)
        if runs:
            self._correct_score = self._score_of(runs[0])
        explanation = self._only_general(runs, "it depends on the answer given")
        return {
            "type": "matching",
            "pairs": pairs,
            "distractors": distractors,
            "shuffle": interaction.get("shuffle") == "true",
            "explanation": explanation,
        }

    def _essay(self, interaction: etree._Element) -> dict[str, Any]:
        guidance = []
        for rubric in [el for el in self.root.iter() if isinstance(el.tag, str) and el.tag == "rubricBlock"]:
            if _for_scorer(rubric):
                guidance.append(self.markdown(rubric))
        runs = self._simulate([None, "text"], interaction.get("responseIdentifier") or "RESPONSE")
        explanation = self._only_general(runs, "it depends on the answer given")
        return {"type": "essay", "guidance": join_markdown(*guidance), "explanation": explanation}


def _text_without_feedback(el: etree._Element) -> str:
    holder = copy.deepcopy(el)
    for fb in [f for f in holder.iter() if isinstance(f.tag, str) and f.tag in _FEEDBACK_IN_BODY]:
        _drop(fb)
    return text_of(holder)


def _for_scorer(rubric: etree._Element) -> bool:
    views = (rubric.get("view") or "").split()
    return "scorer" in views or "tutor" in views


def _drop(el: etree._Element) -> None:
    """Removes ``el`` but keeps its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail or ""
    previous = el.getprevious()
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _unwrap(el: etree._Element) -> None:
    """Replaces ``el`` by its content."""
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    previous = el.getprevious()
    lead = el.text or ""
    if lead:
        if previous is not None:
            previous.tail = (previous.tail or "") + lead
        else:
            parent.text = (parent.text or "") + lead
    kids = list(el)
    tail = el.tail or ""
    parent.remove(el)
    for offset, kid in enumerate(kids):
        parent.insert(index + offset, kid)
    if tail:
        if kids:
            kids[-1].tail = (kids[-1].tail or "") + tail
        else:
            before = parent[index - 1] if index > 0 else None
            if before is not None:
                before.tail = (before.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail


# --- QTI 2.x: packages -------------------------------------------------------------------------------------


@dataclass
class _Source:
    path: str  # package path, or the file name for a single XML file
    root: etree._Element
    lom: etree._Element | None = None
    category: tuple[str, ...] = ()


_ITEM_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:assessmentItem|qti-assessment-item)[\s>/]")


class _Qti2Reader:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.result = ImportResult()
        self.taken: set[str] = set()

    def read(self, data: bytes) -> ImportResult:
        if is_zip(data):
            files = read_zip(data, self.filename)
            store = MediaStore(files)
            for source in self._package_sources(files):
                base = posixpath.dirname(source.path)
                self._item(source, ItemContext(store, base, f" (in {source.path})", None))
        else:
            root = parse_xml(data, self.filename)
            name = localname(root)
            if name in ("assessmentTest", "qti-assessment-test"):
                raise ImportFailure(f"{self.filename}: this is an assessment test, which only refers to item files; import the whole package (the zip) instead")
            if name == "manifest":
                raise ImportFailure(f"{self.filename}: this is a package manifest; import the whole package (the zip) instead")
            if localname(root) not in ("assessmentItem", "qti-assessment-item"):
                raise ImportFailure(f"{self.filename}: not a QTI 2.1/3.0 item (the root element is <{name}>)")
            source = _Source(self.filename, root)
            self._item(source, ItemContext(None, "", "", root.sourceline))
        if not self.result.items and not self.result.notes:
            raise ImportFailure(f"{self.filename}: no QTI items found")
        return self.result

    def _package_sources(self, files: dict[str, bytes]) -> list[_Source]:
        manifest_data = files.get(MANIFEST)
        sources: list[_Source] = []
        seen: set[str] = set()
        package_lom: etree._Element | None = None
        item_resources: list[tuple[str, etree._Element | None]] = []
        tests: list[str] = []
        if manifest_data is not None:
            manifest = parse_xml(manifest_data, f"{self.filename}: {MANIFEST}")
            meta = child(manifest, "metadata")
            package_lom = next((el for el in meta.iter() if localname(el) == "lom"), None) if meta is not None else None
            for resource in descendants(manifest, "resource"):
                kind = (resource.get("type") or "").lower()
                href = resource.get("href") or next((f.get("href") for f in children(resource, "file") if f.get("href")), None)
                if not href:
                    continue
                path = posixpath.normpath(unquote(href))
                if kind.startswith("imsqti_item"):
                    metadata = child(resource, "metadata")
                    lom = next((el for el in metadata.iter() if localname(el) == "lom"), None) if metadata is not None else None
                    item_resources.append((path, lom))
                elif kind.startswith("imsqti_test"):
                    tests.append(path)
        categories = self._categories(files, tests)
        declared = bool(item_resources)
        lone = len(item_resources) == 1
        for path, lom in item_resources:
            if path in seen:
                continue
            seen.add(path)
            data = files.get(path)
            if data is None:
                self.result.notes.append(ImportNote(f"the manifest lists {path}, which is not in the package"))
                continue
            root = parse_xml(data, f"{self.filename}: {path}")
            if localname(root) not in ("assessmentItem", "qti-assessment-item"):
                self.result.notes.append(ImportNote(f"{path} is not a QTI 2.1/3.0 item (<{localname(root)}>); skipped"))
                continue
            if lom is None and lone and package_lom is not None:
                lom = package_lom
            sources.append(_Source(path, root, lom, categories.get(path, ())))
        # Items the manifest does not list (or every item, without a manifest) are read too, and said.
        for path in sorted(files):
            if path in seen or path == MANIFEST or path in tests or not path.lower().endswith(".xml"):
                continue
            if not _ITEM_ROOT.search(files[path][:4096]):
                continue
            root = parse_xml(files[path], f"{self.filename}: {path}")
            if localname(root) not in ("assessmentItem", "qti-assessment-item"):
                continue
            if declared or manifest_data is not None:
                self.result.notes.append(ImportNote(f"{path} is an item that the manifest does not list; it is imported too"))
            sources.append(_Source(path, root, None, categories.get(path, ())))
        if not sources and not self.result.notes:
            raise ImportFailure(f"{self.filename}: the package holds no QTI 2.1/3.0 items")
        return sources

    def _categories(self, files: dict[str, bytes], tests: list[str]) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for test_path in tests:
            data = files.get(test_path)
            if data is None:
                continue
            try:
                root = neutral(parse_xml(data, f"{self.filename}: {test_path}"))
            except ImportFailure:
                continue
            base = posixpath.dirname(test_path)

            def walk(el: etree._Element, trail: tuple[str, ...], base: str = base) -> None:
                for c in el:
                    if not isinstance(c.tag, str):
                        continue
                    if c.tag == "assessmentSection":
                        title = (c.get("title") or "").strip()
                        walk(c, trail + ((title,) if title and (not trail or trail[-1] != title) else ()), base)
                    elif c.tag == "assessmentItemRef" and c.get("href"):
                        path = posixpath.normpath(posixpath.join(base, unquote(c.get("href") or "")))
                        out.setdefault(path, trail)
                    elif c.tag == "testPart":
                        walk(c, trail, base)

            title = (root.get("title") or "").strip()
            walk(root, (title,) if title else ())
        return out

    def _item(self, source: _Source, ctx: ItemContext) -> None:
        version3 = localname(source.root).startswith("qti-")  # mapEntry caseSensitive defaults differ
        root = neutral(source.root)
        reader = _ItemReader(root, ctx, version3)
        meta = lom_fields(source.lom)
        identifier = root.get("identifier") or ""
        fields = reader.read()
        name = meta.get("qbank_id") or identifier or meta.get("title") or root.get("title")
        stem = fields.get("stem", "") if fields else ""
        item_id = derive_id(name, stem or identifier, self.taken)
        if fields is None:
            flush_notes(ctx, self.result.notes, item_id)
            return
        title = " ".join((root.get("title") or meta.get("title") or "").split())
        data: dict[str, Any] = {"id": item_id, **fields}
        if title and title != item_id:
            data["title"] = title
        language = valid_language(root.get("{http://www.w3.org/XML/1998/namespace}lang")) or meta.get("language")
        if language:
            data["language"] = language
        for key in ("tags", "objectives", "difficulty", "status", "author", "references"):
            if key in meta:
                data[key] = meta[key]
        data = {k: v for k, v in data.items() if v is not None}
        imported = build_item(data, ctx, self.result.notes, source.category)
        if imported is not None:
            self.result.items.append(imported)


class Qti21Importer(Importer):
    name = "qti21"
    label = "QTI 2.1"
    extensions = (".zip", ".xml")

    def detect(self, data: bytes, filename: str) -> bool:
        return sniff(data, filename) == self.name

    def read(self, data: bytes, filename: str) -> ImportResult:
        # Either version's reader reads both: the item's own root element says which it is.
        return _Qti2Reader(filename).read(data)


class Qti30Importer(Qti21Importer):
    name = "qti30"
    label = "QTI 3.0"
