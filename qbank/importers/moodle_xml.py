"""Moodle XML reader: the inverse of :mod:`qbank.exporters.moodle_xml`, and a reader for the files
Moodle itself writes (Question bank > Export > Moodle XML format).

The structure follows Moodle's own reader (``question/format/xml/format.php``): a ``<quiz>`` of
``<question type="…">`` elements, each text field a ``<text>`` child (trimmed) with a ``format``
attribute and its embedded files as base64 ``<file>`` siblings, referenced from the text as
``@@PLUGINFILE@@/name``. Defaults are Moodle's: a missing ``format`` is ``html`` for the question
text and the question text's format for every other field; ``single`` defaults to true,
``shuffleanswers`` to false for multiple choice and to true for matching.

Mapping (what cannot be mapped becomes an :class:`~qbank.importers.ImportNote` with the line):

- ``multichoice`` with ``single`` true -> ``multiple_choice``: the 100% answer is the key; another
  positive weight is partial credit, which the model cannot hold (noted; imported as wrong).
  ``single`` false -> ``multiple_response``: every positive weight is a key.
- ``truefalse`` -> ``true_false``: the ``true`` answer's weight gives ``answer``, the two feedbacks
  the rationales. ``shortanswer`` -> ``short_answer`` (100% answers, ``usecase``, ``\\*`` read as a
  literal star); ``numerical`` -> ``numerical`` (the 100% answer and its tolerance);
  ``matching`` -> ``matching`` (a subquestion with empty text is a distractor); ``essay`` ->
  ``essay`` (``graderinfo`` is the guidance).
- ``description``, ``cloze``, ``calculated*``, drag-and-drop and other plugin types: skipped, noted.
- Text: HTML becomes Markdown where that is faithful (:mod:`qbank.importers.html_md`), embedded
  files become ``media/<name>-<hash>.<ext>``; ``markdown`` text is kept as is; ``plain_text`` is
  escaped so it shows literally; ``moodle_auto_format`` is read as Moodle displays it (HTML with
  line breaks kept).
- ``name`` -> ``title`` (left out when it equals the id), ``idnumber`` (else the name) -> ``id``,
  ``generalfeedback`` -> ``explanation``, ``defaultgrade`` -> ``points``, ``shuffleanswers`` ->
  ``shuffle``, ``tags`` -> ``tags``, and ``<question type="category">`` -> the category of the
  questions after it (context and ``top`` and the bank's root category removed, so qbank's own
  ``top/<export title>/<folder>`` comes back as the folder).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html as htmllib
import math
import os
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from lxml import etree
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
from qbank.importers.safety import parse_xml
from qbank.model import ITEM_ADAPTER

_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_PLUGINFILE = re.compile(r"@@PLUGINFILE@@(/[^\"'<>\s)]*)")
_CONTEXT = re.compile(r"^\$[a-z]+\$$")
_LOOKS_HTML = re.compile(r"<[A-Za-z/!]|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
_BETWEEN_TAGS = re.compile(r">\s+<")
_CATEGORY_SPLIT = re.compile(r"(?<!/)/(?!/)")
# Moodle's editors end paragraphs with a line break the browser never shows ("<p>text<br></p>");
# it would keep the text from becoming Markdown, so it goes (only after text, not "<p><br></p>").
_TRAILING_BR = re.compile(r"(?<=[^>\s])\s*<br\s*/?>\s*(?=</(?:p|li|td|th|div|h[1-6])>|\Z)", re.IGNORECASE)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_WILDCARD = re.compile(r"(?<!\\)\*")

FULL = 100.0
_EPS = 1e-4

UNSUPPORTED = {
    "cloze": "embedded answers (Cloze)",
    "multianswer": "embedded answers (Cloze)",
    "calculated": "calculated",
    "calculatedsimple": "simple calculated",
    "calculatedmulti": "calculated multichoice",
    "ddwtos": "drag and drop into text",
    "gapselect": "select missing words",
    "ddimageortext": "drag and drop onto image",
    "ddmarker": "drag and drop markers",
    "randomsamatch": "random short-answer matching",
    "ordering": "ordering",
    "random": "random",
}
"""Moodle question types qbank has no item type for, with Moodle's name for them."""

COMBINED_DEFAULTS = {
    "Your answer is correct.",
    "Your answer is partially correct.",
    "Your answer is incorrect.",
}
"""Moodle's own (English) combined feedback, written into every export: not worth a note."""


def _text_of(element: etree._Element | None) -> str:
    """What Moodle reads from a field: its first ``<text>`` child, trimmed. Markup written inside
    ``<text>`` without CDATA (some generators do) is kept as the HTML it stands for."""
    if element is None:
        return ""
    child = element.find("text")
    if child is None:
        return ""
    parts = [child.text or ""]
    for sub in child:
        if isinstance(sub.tag, str):
            parts.append(etree.tostring(sub, encoding="unicode", with_tail=True))
        else:
            parts.append(sub.tail or "")
    return "".join(parts).strip()


def _flag(value: str | None, default: bool) -> bool:
    """Moodle's trans_single: 'false', '0' and empty are false, anything else true."""
    if value is None:
        return default
    value = value.strip()
    return not (value in ("false", "0") or not value)


def _number(value: str | None) -> float | None:
    try:
        number = float((value or "").strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _short(text: str, limit: int = 40) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def category_names(path: str) -> tuple[str, ...]:
    """The category path qbank keeps for a Moodle category path.

    Split as Moodle splits it ('/' separates, '//' is a '/' inside a name, names are trimmed); the
    context (``$course$``, ``$system$``, ...) is dropped; then ``top`` and the bank's root category
    under it (Moodle's "Default for ...", or the export title in files qbank wrote) are dropped, so
    ``$course$/top/Default for Biology/Week 1`` gives ``("Week 1",)``. Files from before Moodle 3.5
    have no ``top``; a leading "Default for ..." is dropped there too.
    """
    names = [raw.replace("//", "/").strip() for raw in _CATEGORY_SPLIT.split(path.strip())]
    if names and _CONTEXT.match(names[0]):
        names = names[1:]
    names = [n for n in names if n]
    if names and names[0] == "top":
        names = names[2:]
    elif names and names[0].startswith("Default for "):
        names = names[1:]
    return tuple(names)


def media_name(name: str, data: bytes) -> str:
    """A safe, content-addressed file name: ``diagram-1a2b3c4d.png``. A name that already ends in
    the content's hash (as qbank's exports write them) is kept, so a round trip keeps the name."""
    base = os.path.basename(name.replace("\\", "/")) or "file"
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem, suffix = os.path.splitext(base)
    stem = _UNSAFE_NAME.sub("-", stem).strip("-.")[:60] or "file"
    suffix = _UNSAFE_NAME.sub("", suffix.lower())[:10]
    digest = hashlib.sha256(data).hexdigest()[:8]
    if not stem.endswith(f"-{digest}"):
        stem = f"{stem}-{digest}"
    return f"{stem}{suffix}"


@dataclass
class _File:
    name: str
    data: bytes | None
    line: int | None


@dataclass
class _State:
    filename: str
    items: list[ImportedItem] = field(default_factory=list)
    notes: list[ImportNote] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    category: tuple[str, ...] = ()


class _Skip(Exception):
    """The question cannot become an item; the message says why."""


class _Question:
    """Reads one ``<question>`` into an item, collecting notes and media on the way."""

    def __init__(self, element: etree._Element, state: _State) -> None:
        self.q = element
        self.state = state
        self.line: int | None = element.sourceline
        self.item_id: str | None = None
        self.media: dict[str, bytes] = {}
        self.notes: list[ImportNote] = []
        self._files: dict[int, dict[str, _File]] = {}
        self._used: set[str] = set()
        self._missing: set[str] = set()
        questiontext = element.find("questiontext")
        declared = questiontext.get("format") if questiontext is not None else None
        self.qformat: str = (declared or "").strip() or "html"

    # --- helpers ------------------------------------------------------------------------------------

    def note(self, message: str, at: etree._Element | None = None) -> None:
        line = at.sourceline if at is not None and at.sourceline else self.line
        self.notes.append(ImportNote(message, line, self.item_id))

    def _child(self, tag: str) -> etree._Element | None:
        return self.q.find(tag)

    def _files_of(self, element: etree._Element) -> dict[str, _File]:
        """The ``<file>`` elements of one text field, by full path (``/name``)."""
        key = id(element)
        if key not in self._files:
            found: dict[str, _File] = {}
            for file in element.findall("file"):
                name = (file.get("name") or "").strip()
                if not name:
                    self.note("a <file> without a name attribute was ignored", file)
                    continue
                path = (file.get("path") or "/").strip() or "/"
                if not path.endswith("/"):
                    path += "/"
                full = (path if path.startswith("/") else "/" + path) + name
                if full in found:
                    continue  # Moodle keeps the first of two files with the same path
                found[full] = _File(name, self._decode(file, name), file.sourceline)
            self._files[key] = found
        return self._files[key]

    def _decode(self, file: etree._Element, name: str) -> bytes | None:
        encoding = (file.get("encoding") or "base64").strip().lower()
        if encoding != "base64":
            self.note(f"file {name!r} has encoding {encoding!r}, not base64; it was not imported", file)
            return None
        raw = "".join((file.text or "").split())
        try:
            return base64.b64decode(raw, validate=False)
        except (binascii.Error, ValueError):
            self.note(f"file {name!r} is not valid base64; it was not imported", file)
            return None

    def _all_files(self) -> dict[str, _File]:
        """Every file of the question, for references that point into another field's files."""
        found: dict[str, _File] = {}
        for element in self.q.iter():
            if isinstance(element.tag, str) and element.find("file") is not None:
                for full, file in self._files_of(element).items():
                    found.setdefault(full, file)
        return found

    def _rewrite(self, text: str, element: etree._Element) -> str:
        """``@@PLUGINFILE@@/name`` references -> ``media/<safe name>``, collecting the files."""
        if "@@PLUGINFILE@@" not in text:
            return text
        own = self._files_of(element)

        def replace(match: re.Match[str]) -> str:
            full = unquote(match.group(1).split("?", 1)[0].split("#", 1)[0])
            file = own.get(full) or self._all_files().get(full)
            if file is None or file.data is None:
                if file is None and full not in self._missing:
                    self._missing.add(full)
                    self.note(f"the text refers to {full.lstrip('/')!r}, which is not embedded in the file; the link will be broken", element)
                fallback = _UNSAFE_NAME.sub("-", os.path.basename(full)).strip("-.") or "file"
                return f"media/{fallback}"
            safe = media_name(file.name, file.data)
            self.media[f"media/{safe}"] = file.data
            self._used.add(full)
            return f"media/{safe}"

        return _PLUGINFILE.sub(replace, text)

    def convert(self, raw: str, fmt: str, element: etree._Element) -> str:
        """A field's text as the Markdown the model stores."""
        if not raw:
            return ""
        fmt = fmt.strip()
        if fmt == "plain_text":
            return plain_to_markdown(raw)
        text = self._rewrite(raw, element)
        if fmt == "markdown":
            return text
        if fmt in ("moodle_auto_format", "wiki_like"):
            # Moodle shows these through text_to_html: HTML stays HTML, line breaks are kept.
            if not _LOOKS_HTML.search(text):
                return plain_to_markdown(text)
            text = _BETWEEN_TAGS.sub("><", text).replace("\r\n", "\n").replace("\n", "<br>")
        try:
            return html_to_markdown(_TRAILING_BR.sub("", text))
        except ImportFailure as exc:  # HTML too deeply nested to convert: name the question and the line
            name = " ".join(_text_of(self.q.find("name")).split())
            label = f"question {name!r}" if name else "a question"
            raise ImportFailure(
                f"{self.state.filename}: the <{element.tag}> of {label} has {exc.message}", element.sourceline or self.line
            ) from None

    def text(self, element: etree._Element | None, default_format: str | None = None) -> str:
        """The Markdown of a text field (a field element, or an answer/subquestion itself)."""
        if element is None:
            return ""
        fmt = element.get("format") or default_format or self.qformat
        raw = _text_of(element)
        converted = self.convert(raw, fmt, element)
        if raw and not converted.strip():
            self.note(
                f"the <{element.tag}> text holds only markup qbank does not keep (such as inline SVG or scripts); it is empty now",
                element,
            )
        return converted

    def optional(self, element: etree._Element | None) -> str | None:
        return self.text(element) or None

    def fraction(self, answer: etree._Element) -> float:
        value = _number(answer.get("fraction"))
        if value is None and answer.find("fraction") is not None:  # deprecated child element
            legacy = _number(answer.findtext("fraction"))
            value = legacy * 100 if legacy is not None else None
        if value is None:
            if answer.get("fraction") is not None:
                self.note(f"answer weight {answer.get('fraction')!r} is not a number; read as 0%", answer)
            return 0.0
        return value

    # --- the question -------------------------------------------------------------------------------

    def header(self, name: str) -> dict[str, Any]:
        q = self.q
        stem = self.text(self._child("questiontext"), "html")
        legacy = self._legacy_image()
        if legacy:
            stem = f"{stem}\n\n{legacy}" if stem else legacy
        data: dict[str, Any] = {"id": self.item_id, "stem": stem}
        if name and name != self.item_id:
            data["title"] = name
        explanation = self.optional(self._child("generalfeedback"))
        if explanation:
            data["explanation"] = explanation
        grade = q.find("defaultgrade")
        if grade is not None:
            points = _number(grade.text)
            if points is None or points <= 0:
                self.note(f"default mark {(grade.text or '').strip()!r} is not a positive number; points set to 1", grade)
            else:
                data["points"] = points
        tags: list[str] = []
        for tag in q.findall("tags/tag") + q.findall("coursetags/tag"):
            value = _text_of(tag) or (tag.text or "").strip()
            if value and value not in tags:
                tags.append(value)
        if tags:
            data["tags"] = tags
        if (q.findtext("hidden") or "").strip() not in ("", "0"):
            self.note("the question is hidden in Moodle; qbank imports it like any other", q.find("hidden"))
        hints = [h for h in q.findall("hint") if _text_of(h)]
        if hints:
            self.note(f"{len(hints)} hint(s) for interactive quiz behaviour are not kept (qbank has no hints)", hints[0])
        return data

    def _legacy_image(self) -> str:
        """Moodle 1.x files: ``<image>`` and ``<image_base64>``, shown after the question text."""
        name = (self.q.findtext("image") or "").strip()
        encoded = "".join((self.q.findtext("image_base64") or "").split())
        if not name or not encoded:
            return ""
        try:
            data = base64.b64decode(encoded, validate=False)
        except (binascii.Error, ValueError):
            self.note(f"image {name!r} is not valid base64; it was not imported", self.q.find("image_base64"))
            return ""
        safe = media_name(name, data)
        self.media[f"media/{safe}"] = data
        return f"![](media/{safe})"

    def combined_feedback(self) -> None:
        kept = []
        for tag, label in (
            ("correctfeedback", "correct"),
            ("partiallycorrectfeedback", "partially correct"),
            ("incorrectfeedback", "incorrect"),
        ):
            value = _text_of(self._child(tag))
            if value and value not in COMBINED_DEFAULTS:
                kept.append(label)
        if kept:
            self.note(f"combined feedback ({', '.join(kept)}) is not kept; qbank has per-option rationales and one explanation")

    def unused_files(self) -> None:
        names = set()
        for element in self.q.iter():
            if isinstance(element.tag, str) and element.find("file") is not None:
                for full, file in self._files_of(element).items():
                    if full not in self._used and file.data is not None:
                        names.add(file.name)
        for name in sorted(names):
            self.note(f"embedded file {name!r} is not used by any text of the question; it was not imported")

    # --- per type -----------------------------------------------------------------------------------

    def multichoice(self, data: dict[str, Any]) -> None:
        q = self.q
        single = _flag(q.findtext("single"), True)
        data["type"] = "multiple_choice" if single else "multiple_response"
        data["shuffle"] = _flag(q.findtext("shuffleanswers"), False)
        options: list[dict[str, Any]] = []
        weights: list[float] = []
        elements: list[etree._Element] = []
        for n, answer in enumerate(q.findall("answer"), start=1):
            if not _text_of(answer):
                self.note(f"option {n} has no text; Moodle drops such options, and so does qbank", answer)
                continue
            text = self.text(answer)
            if not text.strip():
                self.note(f"option {n} was dropped, since nothing of its text could be kept", answer)
                continue
            option: dict[str, Any] = {"text": text}
            rationale = self.optional(answer.find("feedback"))
            if rationale:
                option["rationale"] = rationale
            options.append(option)
            weights.append(self.fraction(answer))
            elements.append(answer)
        if not options:
            raise _Skip("a multiple-choice question without options")
        if single:
            keys = [w >= FULL - _EPS for w in weights]
            if not any(keys):
                best = max(weights)
                if best <= 0:
                    self.note("no option gets any marks; imported without a key")
                else:
                    keys = [abs(w - best) < _EPS for w in weights]
                    self.note(f"no option gets 100%; the option(s) worth {best:g}% became the key")
            for option, weight, answer, key in zip(options, weights, elements, keys):
                option["correct"] = key
                if not key and weight > 0:
                    self.note(
                        f"option {_short(option['text'])!r} gives {weight:g}% partial credit, which qbank cannot hold; imported as a wrong option",
                        answer,
                    )
            if sum(keys) > 1:
                self.note(f"{sum(keys)} options get 100% in a single-answer question; all are marked correct")
        else:
            for option, weight in zip(options, weights):
                option["correct"] = weight > 0
            if not any(w > 0 for w in weights):
                self.note("no option has a positive weight; imported without a key")
        data["options"] = options
        self.combined_feedback()

    def truefalse(self, data: dict[str, Any]) -> None:
        answers = self.q.findall("answer")
        if not answers:
            raise _Skip("a true/false question without answers")
        data["type"] = "true_false"
        legacy = False
        answer_value: bool | None = None
        for n, answer in enumerate(answers):
            word = _text_of(answer)
            if word not in ("true", "false"):
                legacy = True
                word = "true" if n == 0 else "false"
            full = abs(self.fraction(answer) - FULL) < _EPS
            rationale = self.optional(answer.find("feedback"))
            if word == "true":
                answer_value = full
                if rationale:
                    data["true_rationale"] = rationale
            else:
                answer_value = not full
                if rationale:
                    data["false_rationale"] = rationale
        if legacy:
            self.note("the answers are not named 'true' and 'false' (an old, localised export); read as true first, then false")
        data["answer"] = bool(answer_value)

    def shortanswer(self, data: dict[str, Any]) -> None:
        q = self.q
        data["type"] = "short_answer"
        data["case_sensitive"] = (q.findtext("usecase") or "0").strip() not in ("", "0", "false")
        found: list[tuple[str, float, etree._Element]] = []
        for answer in q.findall("answer"):
            text = _text_of(answer)
            if not text:
                continue  # Moodle ignores blank answers
            found.append((text, self.fraction(answer), answer))
        if not found:
            raise _Skip("a short-answer question without answers")
        best = max(w for _, w, _ in found)
        if best <= 0:
            raise _Skip("no answer of the short-answer question gets any marks")
        top = FULL if best >= FULL - _EPS else best
        if top < FULL:
            self.note(f"no answer gets 100%; the answer(s) worth {best:g}% became the accepted answers")
        answers: list[str] = []
        for text, weight, answer in found:
            if weight >= top - _EPS:
                if _WILDCARD.search(text):
                    self.note(f"answer {text!r} uses Moodle's '*' wildcard, which qbank does not have; the '*' is kept as a literal star", answer)
                value = text.replace("\\*", "*")
                if value not in answers:
                    answers.append(value)
                if _text_of(answer.find("feedback")):
                    self.note(f"the feedback for answer {_short(value)!r} is not kept (qbank has no per-answer feedback for short answers)", answer)
            elif weight > 0:
                self.note(f"answer {_short(text)!r} gives {weight:g}% partial credit, which qbank cannot hold; it was not imported", answer)
            else:
                self.note(f"answer {_short(text)!r} (worth {weight:g}%, with its feedback) was not imported; qbank keeps only accepted answers", answer)
        data["answers"] = answers

    def numerical(self, data: dict[str, Any]) -> None:
        q = self.q
        data["type"] = "numerical"
        found: list[tuple[float | None, str, float, float, etree._Element]] = []
        for answer in q.findall("answer"):
            text = _text_of(answer) or (answer.text or "").strip()  # answers outside <text>: deprecated
            tolerance_text = answer.findtext("tolerance")
            tolerance = _number(tolerance_text) if tolerance_text is not None else 0.0
            if tolerance is None:
                self.note(f"tolerance {(tolerance_text or '').strip()!r} is not a number; read as 0", answer)
                tolerance = 0.0
            found.append((_number(text) if text != "*" else None, text, self.fraction(answer), tolerance, answer))
        usable = [f for f in found if f[0] is not None]
        if not usable:
            raise _Skip("a numerical question without a numeric answer")
        best = max(f[2] for f in usable)
        if best <= 0:
            raise _Skip("no answer of the numerical question gets any marks")
        chosen = next(f for f in usable if f[2] >= min(best, FULL) - _EPS)
        if best < FULL - _EPS:
            self.note(f"no answer gets 100%; the answer worth {best:g}% became the answer")
        value, _, _, tolerance, answer = chosen
        data["answer"] = value
        if tolerance < 0:
            self.note(f"negative tolerance {tolerance:g} read as {-tolerance:g}", answer)
        data["tolerance"] = abs(tolerance)
        if _text_of(answer.find("feedback")):
            self.note("the feedback for the correct answer is not kept (qbank has no per-answer feedback for numerical items)", answer)
        for other in found:
            if other is chosen:
                continue
            number, text, weight, tol, element = other
            if number is None and text != "*":
                self.note(f"answer {text!r} is not a number; it was not imported", element)
            elif text == "*":
                self.note(f"the catch-all answer '*' (worth {weight:g}%, with its feedback) was not imported", element)
            elif weight > 0:
                self.note(f"answer {text} ± {tol:g} gives {weight:g}% credit; qbank keeps one answer, so it was not imported", element)
            else:
                self.note(f"answer {text} (worth {weight:g}%, with its feedback) was not imported; qbank keeps only the correct answer", element)
        units = [(u.findtext("unit_name") or "").strip() for u in q.findall("units/unit")]
        units = [u for u in units if u]
        if units:
            self.note(f"units ({', '.join(units)}) are not supported; only the number was imported", q.find("units"))
        if _text_of(q.find("instructions")):
            self.note("the unit instructions are not kept", q.find("instructions"))

    def matching(self, data: dict[str, Any]) -> None:
        q = self.q
        data["type"] = "matching"
        data["shuffle"] = _flag(q.findtext("shuffleanswers"), True)
        pairs: list[dict[str, str]] = []
        distractors: list[str] = []
        for sub in q.findall("subquestion"):
            prompt_raw = _text_of(sub)
            match = htmllib.unescape(_text_of(sub.find("answer")))
            if not prompt_raw:
                if match and match not in distractors:
                    distractors.append(match)
                continue
            if not match:
                self.note("a prompt without an answer was not imported (Moodle refuses such a question)", sub)
                continue
            pairs.append({"prompt": self.text(sub), "match": match})
        if not pairs:
            raise _Skip("a matching question without prompts")
        data["pairs"] = pairs
        if distractors:
            data["distractors"] = distractors
        self.combined_feedback()

    def essay(self, data: dict[str, Any]) -> None:
        q = self.q
        data["type"] = "essay"
        guidance = self.optional(q.find("graderinfo"))
        if guidance:
            data["guidance"] = guidance
        if _text_of(q.find("responsetemplate")):
            self.note("the response template is not kept", q.find("responsetemplate"))
        attachments = _number(q.findtext("attachments")) or 0
        if attachments != 0 or (q.findtext("responseformat") or "").strip() == "noinline":
            self.note("file attachments to the answer are a Moodle setting qbank does not keep", q.find("attachments"))

    # --- entry point --------------------------------------------------------------------------------

    def read(self, qtype: str) -> ImportedItem | None:
        q = self.q
        name_el = q.find("name")
        name = _text_of(name_el)  # trimmed, as Moodle's clean_question_name does
        idnumber = (q.findtext("idnumber") or "").strip()
        state = self.state
        base = idnumber or name
        before = set(state.taken)
        self.item_id = derive_id(base or None, _text_of(q.find("questiontext")) + name, state.taken)
        if idnumber and self.item_id != idnumber:
            where = q.find("idnumber")
            if idnumber in before:
                self.note(f"ID number {idnumber!r} is used by another question too; this one became {self.item_id!r}", where)
            else:
                self.note(f"ID number {idnumber!r} cannot be a qbank id as it is (too long, or characters ids do not allow); it became {self.item_id!r}", where)
        if not name:
            self.note("the question has no name (Moodle requires one); the title is left empty")
        try:
            data = self.header(name)
            getattr(self, {"match": "matching"}.get(qtype, qtype))(data)
            item = ITEM_ADAPTER.validate_python(data)
        except _Skip as reason:
            state.taken.discard(self.item_id)
            self.item_id = None
            label = f" {name!r}" if name else ""
            self.notes = [ImportNote(f"{qtype} question{label} skipped: {reason}", self.line, None)]
            return None
        except ValidationError as exc:
            state.taken.discard(self.item_id)
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"][1:]) or "item"
            self.notes = [ImportNote(f"{qtype} question {name!r} skipped: {where}: {first['msg']}", self.line, None)]
            return None
        self.unused_files()
        return ImportedItem(item=item, category=state.category, media=dict(self.media), line=self.line)


class MoodleXmlImporter(Importer):
    name = "moodle-xml"
    label = "Moodle XML"
    extensions = (".xml",)

    def detect(self, data: bytes, filename: str) -> bool:
        head = data[:65536]
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            head = head.decode("utf-16", errors="ignore").encode("utf-8")
        match = _FIRST_TAG.search(_COMMENT.sub(b"", head))
        return match is not None and match.group(1) == b"quiz"

    def read(self, data: bytes, filename: str) -> ImportResult:
        try:
            root = parse_xml(data, filename)
        except ImportFailure as exc:
            if "Text node too long" in exc.message:
                raise ImportFailure(
                    f"{filename}: a text or embedded file in the XML is larger than 10 MB, more than the parser reads "
                    "safely; remove the large file from the question in Moodle (link to it instead) and export again",
                    exc.line,
                ) from None
            raise
        for entity in root.iter(etree.Entity):
            raise ImportFailure(
                f"{filename}: the file uses the entity {entity.text} from outside the file (a DOCTYPE with SYSTEM or "
                "PUBLIC); external entities are refused, since they can read local files; remove them",
                entity.sourceline,
            )
        if root.tag != "quiz":
            raise ImportFailure(
                f"{filename}: not a Moodle XML file: the root element is <{root.tag}>, not <quiz>", root.sourceline
            )
        state = _State(filename)
        for element in root:
            if not isinstance(element.tag, str):
                continue  # comments and processing instructions
            if element.tag != "question":
                if "".join(element.itertext()).strip():
                    state.notes.append(ImportNote(f"<{element.tag}> outside any question was ignored", element.sourceline))
                continue
            qtype = (element.get("type") or "").strip()
            if qtype == "category":
                holder = element.find("category")
                path = _text_of(holder) or ((holder.text or "") if holder is not None else "")
                state.category = category_names(path)
                continue
            name = " ".join(_text_of(element.find("name")).split())
            label = f" {name!r}" if name else ""
            if qtype == "description":
                state.notes.append(ImportNote(
                    f"description{label} skipped: a text-only question has no qbank item type", element.sourceline
                ))
                continue
            if qtype not in ("multichoice", "truefalse", "shortanswer", "numerical", "matching", "match", "essay"):
                kind = UNSUPPORTED.get(qtype, qtype or "untyped")
                state.notes.append(ImportNote(
                    f"{kind} question{label} (type={qtype!r}) skipped: not supported by qbank", element.sourceline
                ))
                continue
            reader = _Question(element, state)
            imported = reader.read(qtype)
            state.notes.extend(reader.notes)
            if imported is not None:
                state.items.append(imported)
        if not state.items and not state.notes:
            state.notes.append(ImportNote("the file holds no questions", root.sourceline))
        return ImportResult(items=state.items, notes=state.notes)
