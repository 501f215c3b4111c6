"""Moodle GIFT: the plain-text question format, read the way Moodle's own reader reads it.

The reference for what a file means is Moodle's ``question/format/gift/format.php``; this is an
independent parser that follows its steps and adds line numbers and clear messages. A question
with broken syntax (an unclosed ``{``, a second answer block, a numerical answer that is not a
number; Moodle refuses some of these and quietly misreads others) is left out with a
:class:`~qbank.importers.QuestionError` naming its line, the cause and the fix, and the rest of the
file is read (Moodle, stopping on error, would import nothing; ``qbank import --strict`` does the
same). A blank line inside an answer block, which cuts the question in two, is one error at the
line of the ``{``. Where Moodle reads a construct that qbank's model cannot hold (partial credit,
per-answer feedback of short answers, several numerical answers) the item is kept as closely as the
model allows and a note says what was left out; descriptions are skipped with a note.

Reading, step by step (as Moodle does):

* The file is split into questions at blank lines; every line is trimmed. Lines starting with
  ``//`` are comments: ``[id:x]`` in them is the item id (Moodle's ID number), each ``[tag:x]`` a
  tag, and the other comment lines of a question are kept as a YAML comment above the item.
* ``$CATEGORY: a/b`` sets the category of the questions that follow (``//`` is a literal ``/``;
  a leading context such as ``$course$`` and Moodle's ``top`` are dropped). Moodle sees it only at
  the start of a blank-line-separated run; a ``$CATEGORY:`` line glued below a question whose answer
  block is closed is read as a category all the same, with a note that Moodle would ignore it.
  Category names are read as written: Moodle does not decode backslash escapes there, and neither
  does qbank's exporter write any. The category the exporter writes for items at the top of a bank (named after the
  export title) comes back as a one-level category of that name.
* Escapes ``\\~ \\= \\# \\{ \\} \\: \\\\`` give the character itself and ``\\n`` a line break; a
  backslash before anything else is kept as it is.
* ``::name::`` is the question's title; the id comes from ``[id:]`` when given, else from the title
  (slugified), else from a hash of the stem. A title equal to the id is not repeated.
* The answer block is the text between the first ``{`` and the first ``}``. When text follows it
  (a missing-word question) the stem shows ``_____`` where the block stood (and a note says so).
  ``####`` before the ``}`` starts the general feedback (the explanation).
* Text format: a field may start with ``[markdown]``, ``[html]``, ``[plain]`` or ``[moodle]``;
  answers and feedback default to the question text's format. Markdown is kept as it is, HTML is
  converted to Markdown where that is faithful (:func:`~qbank.importers.html_md.html_to_markdown`),
  plain text is escaped so that it shows as written. Moodle's default "auto-format" is plain text
  whose line breaks count, unless it holds HTML tags, which Moodle renders: then it is read as
  HTML with its line breaks kept.
* The question type follows from the answer block exactly as in Moodle: empty -> essay; starts
  with ``#`` -> numerical; holds ``~`` -> multiple choice (multiple response when no answer starts
  with ``=``); ``=`` and ``->`` -> matching; ``T``/``TRUE``/``F``/``FALSE`` -> true/false; anything
  else -> short answer. Text with no answer block is a description, which qbank skips with a note.

Exactly the inverse of :mod:`qbank.exporters.gift` for everything that exporter writes: the
``[markdown]`` marker, ``\\n`` for line breaks, ``&#37;`` for a leading ``%`` of an option,
``-\\>`` for ``->`` in a key or a matching prompt, ``\\*`` for a literal star in a short answer,
``%100%`` before a short answer that starts with ``%``, ``= -> x`` for a matching distractor, and
the wrong-then-right order of true/false feedback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from qbank.importers import (
    ImportedItem,
    Importer,
    ImportFailure,
    ImportNote,
    ImportResult,
    QuestionError,
)
from qbank.importers.html_md import html_to_markdown, plain_to_markdown
from qbank.importers.ids import derive_id
from qbank.importers.safety import decode_text, is_zip
from qbank.markup import media_refs
from qbank.model import ITEM_ADAPTER, text_fields

# PHP's trim(): Moodle trims these and nothing else (a line of non-breaking spaces is not blank).
_TRIM = " \t\n\r\0\x0b"

# Escaped special characters are replaced by Unicode noncharacters (reserved for internal use) while
# the structure is parsed, so that ``\{`` never opens an answer block; they are restored at the end.
_ESCAPABLE = ":#={}~n"
_MARK = {c: chr(0xFDD0 + i) for i, c in enumerate(_ESCAPABLE)}
_UNMARK = str.maketrans({v: ("\n" if k == "n" else k) for k, v in _MARK.items()})
_RESERVED = re.compile("[\ufdd0-\ufdef]")

_FORMATS = ("moodle", "html", "plain", "markdown")
_WEIGHT = re.compile(r"%(-*)([0-9]{1,2}\.?[0-9]*)%")  # Moodle's $giftanswerweightregex
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")  # PHP is_numeric
_TF = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_CONTEXT = re.compile(r"\$[a-z]+\$")  # $course$, $system$, $cat$, $module$
_CATEGORY_SPLIT = re.compile(r"(?<!/)/(?!/)")
_WILDCARD = re.compile(r"(?<!\\)\*")
_TOKEN = re.compile(r"\[(id|tag):((?:\\\]|[^\]\x00-\x1f\x7f])*)\]")
_BLANK = "_____"

# Moodle's auto-format renders HTML tags and entities; plain text in it is shown as written.
_HTML_TAG = re.compile(
    r"</?(?:a|abbr|b|big|blockquote|br|cite|code|dd|del|div|dl|dt|em|font|h[1-6]|hr|i|img|ins|kbd|li|ol|p|pre|"
    r"q|s|small|span|strike|strong|sub|sup|table|tbody|td|th|thead|tr|tt|u|ul|var)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_HTML_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_BLOCK_TAG = r"</?(?:p|div|ul|ol|li|table|thead|tbody|tr|td|th|blockquote|pre|h[1-6]|hr|br)\b[^<>]*>"
_ENDS_BLOCK = re.compile(_BLOCK_TAG + r"\s*$", re.IGNORECASE)
_STARTS_BLOCK = re.compile(r"\s*" + _BLOCK_TAG, re.IGNORECASE)

# XML and HTML documents (a question may well start with an HTML tag, so only document starts count).
_XML_START = re.compile(r"\s*<(?:\?xml|!DOCTYPE|quiz\b|questestinterop\b|assessment|manifest\b|html\b)", re.IGNORECASE)
_CSV_HEADER = re.compile(r"\s*\"?[A-Za-z_][\w ]*\"?(?:\s*[,;\t]\s*\"?[A-Za-z_][\w ]*\"?){2,}\s*")
_DETECT_NAME = re.compile(r"^::.*?[^\\]::", re.MULTILINE)
_DETECT_CATEGORY = re.compile(r"^\s*\$CATEGORY:", re.MULTILINE)
_DETECT_BLOCK = re.compile(r"(?<!\\)\{([^{}]*)(?<!\\)\}")
_DETECT_ANSWERS = re.compile(r"^\s*(?:#|(?:T|F|TRUE|FALSE)\s*(?:#|$))|(?:^|\s)[=~]", re.DOTALL)


class _Skip(Exception):
    """The question is not imported (a description); the note is already recorded."""


class _Bad(Exception):
    """The question cannot be read: it is left out with a :class:`QuestionError` (cause, fix, line)."""

    def __init__(self, cause: str, fix: str, line: int) -> None:
        super().__init__(cause)
        self.cause, self.fix, self.line = cause, fix, line


class _Unclosed(_Bad):
    """The answer block opened at ``line`` is not closed before the question ends. The reader looks
    at the questions after it to tell why (a blank line inside the braces, or a missing '}')."""

    def __init__(self, line: int) -> None:
        super().__init__("the answer block is never closed", "", line)


@dataclass(slots=True)
class _Line:
    number: int
    text: str


@dataclass(slots=True)
class _Answer:
    """One answer of a choice, short-answer or numerical block, as Moodle splits it."""

    line: int
    fraction: float
    fmt: str
    text: str  # after the format marker and escapes, trimmed
    feedback_fmt: str
    feedback: str
    key: bool = False  # written with '='


@dataclass
class _State:
    result: ImportResult = field(default_factory=ImportResult)
    taken: set[str] = field(default_factory=set)
    category: tuple[str, ...] = ()
    descriptions: int = 0
    categories: int = 0


def _mark(line: str) -> str:
    """One line with its escapes resolved: specials become placeholders, ``\\\\`` a backslash."""
    if "\\" not in line:
        return line
    out: list[str] = []
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == "\\" and i + 1 < n:
            nxt = line[i + 1]
            if nxt == "\\":
                out.append("\\")
                i += 2
                continue
            if nxt in _MARK:
                out.append(_MARK[nxt])
                i += 2
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _plain(marked: str) -> str:
    return marked.translate(_UNMARK)


def _field(raw: str, default: str) -> tuple[str, str]:
    """(format, text) of one field: an optional leading format marker, then the text, trimmed."""
    raw = raw.strip(_TRIM)
    fmt = default
    if raw.startswith("["):
        end = raw.find("]")
        if end > 0 and raw[1:end] in _FORMATS:
            fmt, raw = raw[1:end], raw[end + 1 :]
    return fmt, _plain(raw).strip(_TRIM)


def _moodle_auto_html(text: str) -> str:
    """Moodle auto-format text that holds HTML, with its line breaks as ``<br>`` (not next to blocks)."""
    lines = text.split("\n")
    out = lines[0]
    for line in lines[1:]:
        joiner = "\n" if _ENDS_BLOCK.search(out) or _STARTS_BLOCK.match(line) else "<br>\n"
        out += joiner + line
    return out


_PLAIN_SAFE = re.compile(r"[^\n\t#&*+\-<=>\[\\\]_`|~]*")
_LIST_LIKE = re.compile(r"(?:\s|^)[0-9]{1,9}[.)](?:\s|$)")


def plain_markdown(text: str) -> str:
    """:func:`plain_to_markdown`, skipping the conversion for text in which no character means anything
    in Markdown (the same result, much faster for the plain sentences most GIFT files hold)."""
    if _PLAIN_SAFE.fullmatch(text) and "  " not in text and not _LIST_LIKE.search(text) and text == text.strip():
        return text
    return plain_to_markdown(text)


def to_markdown(fmt: str, text: str) -> str:
    """A GIFT field's text in the given format as the Markdown the model stores."""
    if not text:
        return ""
    if fmt == "markdown":
        return text
    if fmt == "html":
        return html_to_markdown(text)
    if fmt == "moodle" and (_HTML_TAG.search(text) or _HTML_ENTITY.search(text)):
        return html_to_markdown(_moodle_auto_html(text))
    return plain_markdown(text)


def _cut(text: str, base: int, drop: str, keep: str = "") -> list[tuple[int, str]]:
    """Split at each ``drop`` character (removed) and before each ``keep`` character (kept), with offsets."""
    out: list[tuple[int, str]] = []
    start = 0
    for i, ch in enumerate(text):
        if ch in drop:
            out.append((base + start, text[start:i]))
            start = i + 1
        elif ch in keep:
            out.append((base + start, text[start:i]))
            start = i
    out.append((base + start, text[start:]))
    return out


def _weight(answer: str) -> tuple[float | None, str]:
    """(fraction, rest) for an answer that starts with Moodle's ``%n%`` weight; (None, answer) otherwise."""
    m = _WEIGHT.match(answer)
    if not m:
        return None, answer
    sign = "-" if m.group(1) else ""
    return float(sign + m.group(2)) / 100, answer[m.end() :]


def _number(text: str) -> Decimal | None:
    text = text.strip(_TRIM)
    if not _NUMBER.fullmatch(text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None
    return value if value.is_finite() and abs(value) < Decimal("1e300") else None


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.5f}".rstrip("0").rstrip(".") + "%"


def _category_path(raw: str) -> tuple[str, ...]:
    """Moodle's split_category_path, without the context prefix and ``top``."""
    names = [part.replace("//", "/").strip() for part in _CATEGORY_SPLIT.split(raw.strip(_TRIM))]
    names = [n for n in names if n]
    if names and _CONTEXT.fullmatch(names[0]):
        names = names[1:]
    if names and names[0] == "top":
        names = names[1:]
    return tuple(names)


def _comment_info(comments: list[_Line]) -> tuple[str | None, list[str], str | None]:
    """The ``[id:]``, the ``[tag:]`` list and the remaining comment text of one question."""
    idnumber: str | None = None
    tags: list[str] = []
    kept: list[str] = []
    for line in comments:
        body = line.text[2:]
        for m in _TOKEN.finditer(body):
            value = m.group(2).replace("\\]", "]").strip()
            if m.group(1) == "id":
                if idnumber is None and value:
                    idnumber = value
            elif value and not re.search(r"[<>`]", value) and value not in tags:
                tags.append(value)
        rest = _TOKEN.sub("", body).strip()
        if rest:
            kept.append(rest)
    return idnumber, tags, ("\n".join(kept) if kept else None)


class _Question:
    """One question block being read: its lines, offsets and notes."""

    def __init__(self, state: _State, lines: list[_Line], comments: list[_Line]) -> None:
        self.state = state
        self.lines = lines
        self.comments = comments
        self.text = "\n".join(_mark(line.text) for line in lines)
        self.line = lines[0].number
        self.notes: list[tuple[str, int | None]] = []

    # --- positions -----------------------------------------------------------------------------

    def line_at(self, offset: int) -> int:
        index = self.text.count("\n", 0, max(0, min(offset, len(self.text))))
        return self.lines[min(index, len(self.lines) - 1)].number

    def fail(self, cause: str, fix: str, offset: int) -> _Bad:
        return _Bad(cause, fix, self.line_at(offset))

    def note(self, message: str, line: int | None = None) -> None:
        self.notes.append((message, line or self.line))

    # --- the whole question --------------------------------------------------------------------

    def read(self) -> ImportedItem:
        text, pos = self.text, 0
        title: str | None = None
        if text.startswith("::"):
            end = text.find("::", 2)
            if end < 0:
                raise self.fail(
                    "the question name opened with '::' is never closed with '::'",
                    "close the name with '::', or write \\: for a literal colon",
                    0,
                )
            title = _plain(text[2:end]).replace("\n", " ").strip(_TRIM) or None
            rest = text[end + 2 :]
            pos = end + 2 + (len(rest) - len(rest.lstrip(_TRIM)))
            text = rest.strip(_TRIM)

        start, finish = text.find("{"), text.find("}")
        if start < 0 and finish < 0:
            self.description(text, title)
        if start < 0:
            raise self.fail(
                "'}' without an opening '{'",
                "add the '{' where the answers start, or write \\} for a literal brace",
                pos + finish,
            )
        if finish < 0:
            raise _Unclosed(self.line_at(pos + start))
        if finish < start:
            raise self.fail("'}' before the answer block's '{'", "write \\} for a literal brace", pos + finish)
        inner = text.find("{", start + 1, finish)
        if inner >= 0:
            raise self.fail(
                f"'{{' inside the answer block opened at line {self.line_at(pos + start)}, which is not closed before it",
                "close that block with '}' first, or write \\{ for a literal brace",
                pos + inner,
            )
        tail = text[finish + 1 :]
        extra = min((i for i in (tail.find("{"), tail.find("}")) if i >= 0), default=-1)
        if extra >= 0:
            raise self.fail(
                f"a second answer block in the question that starts at line {self.line} "
                "(a GIFT question has one '{...}', and only a blank line starts the next question)",
                "if this is the next question, put a blank line before it; else write \\{ and \\} for literal braces",
                pos + finish + 1 + extra,
            )

        embedded = bool(tail.strip(_TRIM))
        stem_raw = text[:start] + (_BLANK + tail if embedded else "")
        answers = text[start + 1 : finish]
        base = pos + start + 1 + (len(answers) - len(answers.lstrip(_TRIM)))
        answers = answers.strip(_TRIM)
        general_raw = ""
        cut = answers.rfind("####")
        if cut >= 0:
            general_raw = answers[cut + 4 :]
            answers = answers[:cut].strip(_TRIM)

        fmt, stem_text = _field(stem_raw, "moodle")
        general_fmt, general = _field(general_raw, fmt)
        self.fmt = fmt
        self.base = base
        data: dict[str, Any] = {"stem": to_markdown(fmt, stem_text)}
        if general:
            data["explanation"] = to_markdown(general_fmt, general)
        if embedded:
            self.note(
                "missing-word question (the answer block stands inside the text): "
                f"the stem shows {_BLANK} where the block was"
            )

        if answers == "":
            data["type"] = "essay"
        elif answers[0] == "#":
            data.update(self.numerical(answers))
        elif "~" in answers:
            data.update(self.choice(answers))
        elif "=" in answers and "->" in answers:
            data.update(self.matching(answers))
        else:
            check = answers
            if answers.find("#") > 0:
                check = answers[: answers.find("#")].strip(_TRIM)
            data.update(self.true_false(answers) if check in _TF else self.short_answer(answers))
        return self.build(data, title)

    def description(self, text: str, title: str | None) -> None:
        self.state.descriptions += 1
        what = f"'{title}'" if title else f"'{_short(_plain(text))}'"
        self.state.result.notes.append(
            ImportNote(
                f"description skipped: {what} has no answer block, so it is not a question "
                "(Moodle imports it as a description; qbank has no description items)",
                self.line,
            )
        )
        raise _Skip

    # --- the item ------------------------------------------------------------------------------

    def build(self, data: dict[str, Any], title: str | None) -> ImportedItem:
        idnumber, tags, comment = _comment_info(self.comments)
        item_id = derive_id(idnumber or title, data["stem"], self.state.taken)
        if idnumber and item_id != idnumber:
            self.note(f"ID number {idnumber!r} is not a usable or unique qbank id; the item id is {item_id!r}")
        data["id"] = item_id
        if title and title != item_id:
            data["title"] = title
        if tags:
            data["tags"] = tags
        try:
            item = ITEM_ADAPTER.validate_python(data)
        except ValidationError as exc:  # pragma: no cover - every field above is built to the model
            first = exc.errors()[0]
            raise _Bad(
                f"the question cannot be read as a qbank item: {first['msg']}", "please report this as a qbank bug", self.line
            ) from None
        for message, line in self.notes:
            self.state.result.notes.append(ImportNote(message, line, item_id))
        for where, value in self.markdown_fields(item):
            for ref in media_refs(value):
                if ref.is_local:
                    kind = "image" if ref.is_image else "linked file"
                    self.state.result.notes.append(
                        ImportNote(
                            f"the {where} refers to the {kind} {ref.src!r}, which a GIFT file cannot carry: "
                            "the reference is kept but the file is not there",
                            self.line,
                            item_id,
                        )
                    )
        return ImportedItem(item, self.state.category, {}, self.line, comment)

    @staticmethod
    def markdown_fields(item: Any) -> Iterator[tuple[str, str]]:
        for path, value in text_fields(item, markdown_only=True):
            where = " ".join(str(p + 1) if isinstance(p, int) else p.replace("_", " ") for p in path)
            yield re.sub(r"\b(option|pair)s (?=\d)", r"\1 ", where), value

    # --- per type ------------------------------------------------------------------------------

    def answers(self, text: str, *, choice: bool) -> list[_Answer]:
        """Moodle's split of an answer block into answers, each with its weight and feedback.

        Choice blocks split at ``~`` and before ``=``; an ``=`` answer is worth 100% and Moodle reads
        no weight after it. Short-answer and numerical blocks split at ``=``; an answer without a
        ``%n%`` weight is worth 100%.
        """
        pieces = _cut(text, self.base, "~", "=") if choice else _cut(text, self.base, "=")
        if pieces and not pieces[0][1].strip(_TRIM):
            pieces = pieces[1:]
        out: list[_Answer] = []
        for offset, piece in pieces:
            lead = len(piece) - len(piece.lstrip(_TRIM))
            line = self.line_at(offset + lead)
            piece = piece.strip(_TRIM)
            key = choice and piece.startswith("=")
            if key:
                fraction, piece = 1.0, piece[1:]
            else:
                found, piece = _weight(piece)
                fraction = found if found is not None else (0.0 if choice else 1.0)
            body, _, feedback = piece.partition("#")
            fmt, value = _field(body, self.fmt)
            feedback_fmt, feedback_text = _field(feedback, self.fmt)
            out.append(_Answer(line, fraction, fmt, value, feedback_fmt, feedback_text, key))
        return out

    def choice(self, text: str) -> dict[str, Any]:
        found = self.answers(text, choice=True)
        single = any(a.key for a in found)
        answers = []
        for a in found:
            if a.text:
                answers.append(a)
            else:
                self.note("an empty answer is ignored (Moodle skips it too)", a.line)
        if len(answers) < 2:
            self.note(f"a multiple-choice question with {len(answers)} answer(s): Moodle refuses fewer than two")
        options = []
        for a in answers:
            value = a.text
            if a.fmt == "markdown":
                if value.startswith("&#37;"):
                    value = "%" + value[5:]  # the exporter's guard for a leading '%'
                if a.key:
                    value = value.replace("-\\>", "->")  # the exporter's guard for '->' in a key
            option: dict[str, Any] = {"text": to_markdown(a.fmt, value)}
            if a.feedback:
                option["rationale"] = to_markdown(a.feedback_fmt, a.feedback)
            options.append(option)
        if single:
            for i, (a, option) in enumerate(zip(answers, options)):
                option["correct"] = a.fraction >= 1
                if 0 < a.fraction < 1:
                    self.note(
                        f"option {i + 1} ({_short(a.text)!r}) gives partial credit ({_pct(a.fraction)}), which a "
                        "multiple_choice item cannot hold: imported as a wrong option",
                        a.line,
                    )
                elif a.fraction < 0:
                    self.note(
                        f"option {i + 1} ({_short(a.text)!r}) has a penalty ({_pct(a.fraction)}), which qbank "
                        "does not keep: imported as a wrong option",
                        a.line,
                    )
            keys = sum(o["correct"] for o in options)
            if keys > 1:
                self.note(
                    f"{keys} answers give full marks; a multiple_choice item has one key "
                    "(keep one, or make it multiple_response)"
                )
            return {"type": "multiple_choice", "options": options}
        for a, option in zip(answers, options):
            option["correct"] = a.fraction > 0
        self.response_weights(answers)
        return {"type": "multiple_response", "options": options}

    def response_weights(self, answers: list[_Answer]) -> None:
        right = [a.fraction for a in answers if a.fraction > 0]
        wrong = [a.fraction for a in answers if a.fraction <= 0]
        if not right:
            self.note("no answer has a positive weight, so no option is marked correct")
            return
        even_right = all(abs(f * 100 - 100 / len(right)) < 0.01 for f in right)
        even_wrong = not wrong or all(abs(f * 100 + 100 / len(wrong)) < 0.01 for f in wrong)
        if even_right and even_wrong:
            return
        written = ", ".join(_pct(a.fraction) for a in answers)
        expected = f"each correct option {100 / len(right):.5g}%"
        if wrong:
            expected += f", each wrong one -{100 / len(wrong):.5g}%"
        self.note(
            f"answer weights ({written}) are not an even split ({expected}): options with a positive "
            "weight are imported as correct; qbank keeps no weights, and an export writes the even split"
        )

    def matching(self, text: str) -> dict[str, Any]:
        pieces = _cut(text, self.base, "=")
        if pieces and not pieces[0][1].strip(_TRIM):
            pieces = pieces[1:]
        if len(pieces) < 2:
            self.note(f"a matching question with {len(pieces)} line(s): Moodle refuses fewer than two")
        pairs: list[dict[str, str]] = []
        distractors: list[str] = []
        for offset, piece in pieces:
            lead = len(piece) - len(piece.lstrip(_TRIM))
            line = self.line_at(offset + lead)
            piece = piece.strip(_TRIM)
            arrow = piece.find("->")
            if arrow < 0:
                raise _Bad(
                    f"matching line {_short(_plain(piece))!r} has no '->' between the prompt and its match",
                    "write it as '=prompt -> match' (or '= -> match' for a distractor)",
                    line,
                )
            fmt, prompt = _field(piece[:arrow], self.fmt)
            match = _plain(piece[arrow + 2 :]).strip(_TRIM)
            if fmt == "markdown":
                prompt = prompt.replace("-\\>", "->")  # the exporter's guard for '->' in a prompt
            if not prompt:
                if match:
                    distractors.append(match)
                continue
            if not match:
                self.note(f"prompt {_short(prompt)!r} has no match after '->' and is left out", line)
                continue
            pairs.append({"prompt": to_markdown(fmt, prompt), "match": match})
        if not pairs:
            self.note("no line has both a prompt and a match; the item has no pairs")
        return {"type": "matching", "pairs": pairs, "distractors": distractors}

    def true_false(self, text: str) -> dict[str, Any]:
        bits = text.split("#", 2) + ["", ""]
        _, value = _field(bits[0], self.fmt)
        answer = _TF[value]
        wrong_fmt, wrong = _field(bits[1], self.fmt)
        right_fmt, right = _field(bits[2], self.fmt)
        # Moodle: the first feedback is for a wrong answer, the second for a right one.
        wrong_md = to_markdown(wrong_fmt, wrong) or None
        right_md = to_markdown(right_fmt, right) or None
        data: dict[str, Any] = {"type": "true_false", "answer": answer}
        true_rationale, false_rationale = (right_md, wrong_md) if answer else (wrong_md, right_md)
        if true_rationale:
            data["true_rationale"] = true_rationale
        if false_rationale:
            data["false_rationale"] = false_rationale
        return data

    def short_answer(self, text: str) -> dict[str, Any]:
        found = self.answers(text, choice=False)
        accepted: list[str] = []
        for a in found:
            if not a.text:
                self.note("an empty answer is ignored (Moodle skips it too)", a.line)
                continue
            shown = _short(a.text)
            if a.fraction < 1:
                what = "partial credit" if a.fraction > 0 else "no credit"
                extra = f" and its feedback {_short(a.feedback)!r}" if a.feedback else ""
                self.note(
                    f"answer {shown!r} ({what}, {_pct(a.fraction)}){extra} not imported: qbank keeps only "
                    "answers that give full marks",
                    a.line,
                )
                continue
            value = a.text
            if _WILDCARD.search(value):
                self.note(
                    f"answer {shown!r} uses Moodle's '*' wildcard; qbank answers are literal text, so the '*' "
                    "is kept as a literal star",
                    a.line,
                )
            value = value.replace("\\*", "*")
            if a.feedback:
                self.note(f"feedback for answer {shown!r} not imported: qbank short answers have no per-answer feedback", a.line)
            accepted.append(value)
        if not accepted:
            self.note("no answer gives full marks, so the item has no accepted answer")
        return {"type": "short_answer", "answers": accepted}

    def numerical(self, text: str) -> dict[str, Any]:
        body = text[1:]
        other: str | None = None
        tilde = body.find("~")
        if tilde >= 0:
            other = body[tilde + 1 :]
            body = body[:tilde]
        self.base += 1
        found = self.answers(body, choice=False)
        if not found:
            raise _Bad(
                "a numerical question needs a number after '#'", "write it as {#42}, {#3.14:0.01} or {#1..5}", self.line
            )
        values: list[tuple[_Answer, Decimal, Decimal]] = []
        for a in found:
            if a.text == "*":
                self.note("answer '*' (any other value) not imported: qbank keeps one numerical answer", a.line)
                continue
            parsed = self.number(a)
            values.append((a, *parsed))
        if not values:
            raise _Bad(
                "a numerical question needs at least one numeric answer ('*' only matches any other value)",
                "add the right answer, e.g. =42 or =3.14:0.01",
                self.line,
            )
        best = next((v for v in values if v[0].fraction >= 1), None)
        if best is None:
            best = max(values, key=lambda v: v[0].fraction)
            self.note(f"no answer gives full marks; the best one ({_pct(best[0].fraction)}) is imported as the answer")
        answer, value, tolerance = best
        if tolerance < 0:
            self.note(f"negative tolerance {tolerance} read as {-tolerance}", answer.line)
            tolerance = -tolerance
        if answer.feedback:
            self.note(f"feedback {_short(answer.feedback)!r} for the answer not imported: qbank has no place for it", answer.line)
        others = [v for v in values if v is not best]
        if others:
            listed = "; ".join(
                f"{_plain_number(v)}±{_plain_number(t)} ({_pct(a.fraction)})" + (f" #{_short(a.feedback)}" if a.feedback else "")
                for a, v, t in others
            )
            self.note(f"other answers not imported (qbank keeps one numerical answer): {listed}", others[0][0].line)
        if other is not None:
            feedback = other.partition("#")[2]
            _, feedback_text = _field(feedback, self.fmt)
            self.note(
                "feedback for any other answer (~) not imported" + (f": {_short(feedback_text)!r}" if feedback_text else "")
            )
        return {"type": "numerical", "answer": float(value), "tolerance": float(tolerance)}

    def number(self, a: _Answer) -> tuple[Decimal, Decimal]:
        text = a.text
        if text.find("..") > 0:
            low_text, _, high_text = text.partition("..")
            low, high = _number(low_text), _number(high_text)
            if low is None or high is None:
                raise _Bad(
                    f"numerical range {text!r} is not two numbers 'low..high'", "write it as e.g. 1..5 or 0.5..1.5", a.line
                )
            middle = (low + high) / 2
            return middle, high - middle
        if text.find(":") > 0:
            value_text, _, tolerance_text = text.partition(":")
            value, tolerance = _number(value_text), _number(tolerance_text)
            if value is None or tolerance is None:
                raise _Bad(
                    f"numerical answer {text!r} is not 'number:tolerance'", "write it as e.g. 3.14:0.01", a.line
                )
            return value, tolerance
        value = _number(text)
        if value is None:
            raise _Bad(
                f"numerical answer {text!r} is not a number",
                "write a number (42, 3.14, -1e3; '.' for decimals), or make it a short answer {=...}",
                a.line,
            )
        return value, Decimal(0)


def _plain_number(value: Decimal) -> str:
    return format(value.normalize(), "f")


class GiftImporter(Importer):
    name = "gift"
    label = "GIFT"
    extensions = (".gift", ".txt")

    def detect(self, data: bytes, filename: str) -> bool:
        if is_zip(data) or data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return False
        try:
            text = data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            return False
        if "\x00" in text or _XML_START.match(text):
            return False
        head = text.lstrip()
        if head.startswith(("{", "[")):
            try:
                json.loads(text)
                return False
            except RecursionError:
                return False  # brackets nested past the JSON reader's depth: not a GIFT question
            except ValueError:
                pass
        if _looks_like_csv(text):
            return False
        if _DETECT_CATEGORY.search(text) or _DETECT_NAME.search(text):
            return True
        for m in _DETECT_BLOCK.finditer(text):
            inner = m.group(1)
            if _DETECT_ANSWERS.search(inner):
                return True
            if not inner.strip() and re.match(r"[ \t]*(?:\r?\n|\r|$)", text[m.end() :]):
                return True  # an essay: '{}' ending a line
        return False

    def read(self, data: bytes, filename: str) -> ImportResult:
        text = _decode(data, filename)
        state = _State()
        reserved = _RESERVED.search(text)
        if reserved:
            line = text.count("\n", 0, reserved.start()) + 1
            state.result.notes.append(
                ImportNote("Unicode noncharacters (U+FDD0-U+FDEF) replaced by U+FFFD: they are reserved for internal use", line)
            )
            text = _RESERVED.sub("\ufffd", text)
        blocks = list(_blocks(text))
        glued: set[int] = set()
        i = 0
        while i < len(blocks):
            try:
                _read_block(state, blocks[i], glued=i in glued)
            except _Unclosed as bad:
                i = _unclosed(state, blocks, glued, i, bad.line)
            i += 1
        if not state.result.items and not state.result.errors:
            if not (state.descriptions or state.categories):
                raise ImportFailure(
                    "no GIFT questions in the file (a question needs an answer block such as {=right ~wrong})"
                )
            state.result.notes.append(
                ImportNote(
                    "no questions in the file: it holds only "
                    + (f"{state.descriptions} description(s)" if state.descriptions else "$CATEGORY lines")
                )
            )
        return state.result


def _looks_like_csv(text: str) -> bool:
    """A header row of three or more names, and a next row with as many separators: a table."""
    lines = [line for line in text.split("\n", 50)[:50] if line.strip()]
    if len(lines) < 2 or not _CSV_HEADER.fullmatch(lines[0].rstrip("\r")):
        return False
    separator = max(",;\t", key=lines[0].count)
    return lines[1].count(separator) >= lines[0].count(separator)


def _decode(data: bytes, filename: str) -> str:
    text = decode_text(data, filename)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFailure("the file holds NUL bytes: it is binary data, not a GIFT text file", line)
    if _XML_START.match(text):
        raise ImportFailure("this is XML or HTML, not GIFT; for a Moodle XML file use --from moodle-xml")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _blocks(text: str) -> Iterator[list[_Line]]:
    """Questions are the runs of lines between blank lines; every line is trimmed (as Moodle does)."""
    current: list[_Line] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(_TRIM)
        if not line:
            if current:
                yield current
                current = []
        else:
            current.append(_Line(number, line))
    if current:
        yield current


def _read_block(state: _State, block: list[_Line], glued: bool = False) -> None:
    """One run of lines between blank lines: normally one question, or one ``$CATEGORY:`` line.

    Moodle reads a ``$CATEGORY:`` line only at the start of a run, and then takes the whole run as
    the category name; anywhere else it is part of the question's text. A run holding both is split
    here as the author meant (a ``$CATEGORY:`` line after a closed answer block starts a new
    category), with a note that Moodle would read it otherwise. ``glued``: the run continues one
    that was cut off (it does not start where Moodle's question starts).
    """
    comments = [line for line in block if line.text.startswith("//")]
    body = [line for line in block if not line.text.startswith("//")]
    if not body:
        return
    moodle_category = not glued and body[0].text.startswith("$CATEGORY:")
    above = "the category name above it" if moodle_category else "the text of the question above it"
    first = not glued
    while body:
        if body[0].text.startswith("$CATEGORY:"):
            state.category = _category_path(body[0].text[len("$CATEGORY:") :])
            state.categories += 1
            if not first:
                shown = "/".join(state.category)
                state.result.notes.append(
                    ImportNote(
                        "no blank line separates this $CATEGORY line from the question above, so Moodle would "
                        f"ignore it: Moodle reads it as part of {above} and leaves the questions after it in the "
                        f"previous category; qbank puts them in {shown!r} as meant. Add a blank line before it",
                        body[0].number,
                    )
                )
            body = body[1:]
            if not body:
                return
            state.result.notes.append(
                ImportNote(
                    "a question follows $CATEGORY: without a blank line; read as a separate question "
                    + ("(Moodle would read it as part of the category name)" if moodle_category and first
                       else f"(Moodle would read it as part of {above})")
                    + ". Add a blank line before it",
                    body[0].number,
                )
            )
        elif glued and first:
            state.result.notes.append(
                ImportNote(
                    "no blank line separates this question from the one above; read as a separate question. "
                    "Add a blank line before it",
                    body[0].number,
                )
            )
        first = False
        cut = _glued_category(body)
        lines, body = body[:cut], body[cut:]
        end = body[0].number if body else None
        own = [c for c in comments if end is None or c.number < end]
        comments = comments[len(own) :]
        try:
            _read_question(state, lines, own)
        except _Unclosed as bad:
            if not body:
                raise  # the reader looks at the runs after this one
            # Only when a '{' and '}' in the question's ::title:: made it look closed: '::a{b}::Q?{'.
            state.result.errors.append(_never_closed(bad.line, f"at the $CATEGORY line at line {body[0].number}"))


def _glued_category(body: list[_Line]) -> int:
    """Where a ``$CATEGORY:`` line follows a question whose answer block is closed, without a blank
    line between them; ``len(body)`` when none does."""
    opened = closed = False
    for k, line in enumerate(body):
        if closed and line.text.startswith("$CATEGORY:"):
            return k
        marked = _mark(line.text)
        if not opened:
            at = marked.find("{")
            if at >= 0:
                opened, closed = True, "}" in marked[at + 1 :]
        elif not closed:
            closed = "}" in marked
    return len(body)


def _read_question(state: _State, lines: list[_Line], comments: list[_Line]) -> None:
    question = _Question(state, lines, comments)
    try:
        state.result.items.append(question.read())
    except _Skip:
        return
    except _Unclosed:
        raise
    except _Bad as bad:
        state.result.errors.append(QuestionError(bad.cause, bad.fix, bad.line))
    except ImportFailure as failure:
        # A text of this question that cannot be converted (HTML nested past what qbank converts):
        # the question is left out, at its line, and the rest of the file still imports.
        cause, _, fix = failure.message.partition("; ")
        state.result.errors.append(QuestionError(cause, fix, failure.line or question.line))


def _never_closed(line: int, where: str) -> QuestionError:
    return QuestionError(
        f"the answer block opened with '{{' is never closed: the question ends {where} without a '}}'",
        "add the '}' after the last answer, or write \\{ for a literal brace",
        line,
    )


def _unclosed(state: _State, blocks: list[list[_Line]], glued: set[int], index: int, line: int) -> int:
    """The question in ``blocks[index]`` opens an answer block at ``line`` that it never closes.

    When a later run of lines closes it (its first brace is a '}'), the braces held blank lines,
    which end a GIFT question: one error for the whole question, whose runs up to that '}' are left
    out with it. Whatever follows the '}' in the same run is read on its own. Otherwise the '}' is
    simply missing. Returns the index of the last run used.
    """
    gaps = [blocks[index][-1].number + 1]
    for j in range(index + 1, len(blocks)):
        body = [b for b in blocks[j] if not b.text.startswith("//")]
        if body and body[0].text.startswith("$CATEGORY:"):
            break
        brace = next(((b, c) for b in body for c in _mark(b.text) if c in "{}"), None)
        if brace is None:
            gaps.append(blocks[j][-1].number + 1)
            continue
        closing, char = brace
        if char == "{":
            break
        many = len(gaps) > 1
        listed = ", ".join(str(g) for g in gaps)
        state.result.errors.append(
            QuestionError(
                f"GIFT ends a question at a blank line, so the answer block '{{' opened at line {line} is never "
                f"closed in this question: the blank line{'s' if many else ''} at line{'s' if many else ''} "
                f"{listed} come{'' if many else 's'} before its '}}' (line {closing.number})",
                f"remove the blank line{'s' if many else ''} inside the braces",
                line,
            )
        )
        rest = [b for b in blocks[j] if b.number > closing.number]
        if not any(not b.text.startswith("//") for b in rest):
            return j
        blocks[j] = rest
        glued.add(j)
        return j - 1
    where = f"at the blank line at line {gaps[0]}" if index + 1 < len(blocks) else "at the end of the file"
    state.result.errors.append(_never_closed(line, where))
    return index
