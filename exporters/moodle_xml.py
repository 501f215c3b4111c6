"""Moodle XML writer: the richest way into a Moodle question bank.

The structure follows what Moodle's own reader (``question/format/xml/format.php``) looks for, and
the choices below follow what Moodle does with it on import:

- Every answer weight comes from Moodle's grade menu (:mod:`qbank.exporters._moodle`): one
  off-menu ``fraction`` makes Moodle refuse the whole file.
- Text is HTML (``format="html"``), Markdown rendered and sanitised by :mod:`qbank.markup`.
  Local images and linked files travel inside the file, base64 ``<file>`` elements next to the
  ``<text>`` that uses them (Moodle keeps one file area per text field), referenced as
  ``@@PLUGINFILE@@/name``.
- Categories are paths under the bank's ``top`` category, ``top/<export title>/<folder>/...``
  (or ``top/<export title>/<first tag>``). They carry no ``$course$``-style context, so the
  questions land in the question bank chosen on Moodle's import page; Moodle 5 keeps banks in
  activities, and a course context in the file would be redirected to the course's default bank.
  Items at the bank root go into ``top/<export title>`` itself, so they never fall into the
  category of the item before them.
- ``penalty`` is what Moodle's own editing forms use: 1 for true/false (fixed there), 0 for essays
  (never re-attempted), Moodle's default 0.3333333 otherwise. It only matters in interactive and
  adaptive quiz behaviours.
- Answers are numbered ``abc``; multiple-choice questions show Moodle's standard instruction
  ("Select one" / "Select one or more"), which is the importer's default too.
- Plain-text answers are written so Moodle reads them literally: a short answer's ``*`` is
  escaped (Moodle's wildcard), and a matching answer's ``&``, ``<`` and ``>`` become entities
  (Moodle shows the drop-down through ``format_string``, which strips tag-like text).
- Distractors of a matching item are Moodle's unpaired answers: subquestions with empty text.

Item metadata with no place in a Moodle question (objectives, difficulty, status, author,
references, language) is bank management, not question content, and is not warned about.
"""

from __future__ import annotations

import base64
import math
import re
import uuid
from decimal import Decimal
from typing import Callable, Sequence
from urllib.parse import quote

from lxml import etree

from qbank.chars import xml_text
from qbank.exporters import BankItem, Exporter, ExportOptions, ExportResult, ExportWarning, MediaFile
from qbank.exporters._moodle import negative, share
from qbank.markup import inline_html, markdown_to_html
from qbank.model import (
    Essay,
    Item,
    Matching,
    MultipleChoice,
    MultipleResponse,
    Numerical,
    ShortAnswer,
    TrueFalse,
)

QUESTION_TYPES: dict[str, str] = {
    "multiple_choice": "multichoice",
    "multiple_response": "multichoice",
    "true_false": "truefalse",
    "short_answer": "shortanswer",
    "numerical": "numerical",
    "matching": "matching",
    "essay": "essay",
}
"""Moodle XML question type per qbank item type."""

DEFAULT_PENALTY = "0.3333333"
PENALTIES = {"true_false": "1", "essay": "0"}

NAME_MAX = 255  # question.name is char(255); Moodle shortens longer names on import
IDNUMBER_MAX = 100  # question_bank_entries.idnumber is char(100)
TAG_MAX = 50  # TAG_MAX_LENGTH: Moodle cuts longer tags
MARK_DECIMALS = 7  # question.defaultmark is decimal(12,7)

# PHP's strip_tags (Moodle's PARAM_TEXT, used for names and categories) treats '<' followed by
# anything but whitespace as the start of a tag and drops it up to the next '>' (or the end).
_PHP_TAG = re.compile(r"<(?!\s)")
_TAG_DROPPED = re.compile("[<>`]")  # PARAM_TAG removes these from tag names
# A PHP numeric string: PHP compares two of these by value, so "1" == "1.0" when Moodle looks up
# matching answers with array_search().
_PHP_NUMERIC = re.compile(r"^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$")


def number(value: float) -> str:
    """A plain decimal (no exponent, no trailing zeros), the shape Moodle's number fields expect."""
    d = Decimal(repr(float(value)))
    if d == 0:
        return "0"
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def category_path(names: Sequence[str]) -> str:
    """A Moodle category path: names joined by '/', a '/' inside a name doubled (Moodle's escape)."""
    parts = []
    for name in names:
        escaped = name.replace("/", "//")
        if escaped.startswith("/"):
            escaped = " " + escaped  # Moodle trims each name after splitting, so the space goes away
        if escaped.endswith("/"):
            escaped += " "
        parts.append(escaped)
    return "/".join(["top", *parts])


def escape_shortanswer(answer: str) -> str:
    """A short answer matched literally: Moodle reads an unescaped '*' as a wildcard."""
    return answer.replace("*", "\\*")


def escape_choice(text: str) -> str:
    """A matching answer as Moodle should display it: the drop-down shows it as HTML after
    format_string, which strips anything tag-like, so '&', '<' and '>' go in as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _total(weight: str, count: int) -> str:
    return number(float(Decimal(weight) * count))


PLUGINFILE = "@@PLUGINFILE@@"
# What the rewriter writes for a packaged file until the author's literal PLUGINFILE text has been
# neutralised; random per process, so no item text can contain it, and never in the output.
_OUR_PLUGINFILE = f"qbank-pluginfile-{uuid.uuid4().hex}"


class _Skip(Exception):
    """The item cannot become a valid Moodle question; the message says why."""


class _QuestionWriter:
    """Builds one <question> element and collects what the item loses on the way."""

    def __init__(self, bank_item: BankItem, warnings: list[ExportWarning], omitted: list[ExportWarning]) -> None:
        self.bank_item = bank_item
        self.item: Item = bank_item.item
        self.warnings = warnings
        self.omitted = omitted
        self._cleaned = False
        self._missing: set[str] = set()

    # --- warnings and text hygiene ------------------------------------------------------------------

    def warn(self, message: str) -> None:
        self.warnings.append(ExportWarning(self.item.id, message))

    def clean(self, text: str) -> str:
        """``text`` without characters XML 1.0 cannot carry (warned once per item)."""
        cleaned, removed = xml_text(text)
        if removed and not self._cleaned:
            self._cleaned = True
            self.warn("removed control or non-character code points that XML 1.0 cannot carry")
        return cleaned

    def text(self, parent: etree._Element, value: str) -> etree._Element:
        element = etree.SubElement(parent, "text")
        element.text = self.clean(value)
        return element

    def element(self, parent: etree._Element, tag: str, value: str) -> etree._Element:
        element = etree.SubElement(parent, tag)
        element.text = self.clean(value)
        return element

    # --- HTML fields with their files ----------------------------------------------------------------

    def _media(self, src: str) -> MediaFile | None:
        media = self.bank_item.media
        return media.get(src) or media.get(src.split("#", 1)[0].split("?", 1)[0])

    def html(
        self,
        parent: etree._Element,
        tag: str | None,
        markdown: str | None,
        *,
        inline: bool = False,
    ) -> etree._Element:
        """A text field: ``<tag format="html"><text>…</text><file …/></tag>``, or the text and files
        appended to ``parent`` itself when ``tag`` is None (answers and subquestions carry their own
        text that way)."""
        if tag is None:
            element = parent
        else:
            element = etree.SubElement(parent, tag)
        element.set("format", "html")
        used: dict[str, MediaFile] = {}
        render: Callable[..., str] = inline_html if inline else markdown_to_html
        html = self.clean(render(markdown, self._rewriter(used)) if markdown else "")
        # Moodle replaces every "@@PLUGINFILE@@" in stored text with a file URL. The author's own
        # literal one becomes entities (shown as written, never rewritten); only ours stay live.
        html = html.replace(PLUGINFILE, "&#64;&#64;PLUGINFILE&#64;&#64;").replace(_OUR_PLUGINFILE, PLUGINFILE)
        text = etree.SubElement(element, "text")
        # CDATA keeps the HTML readable in the file, as in Moodle's own exports; the rare text
        # holding "]]>" (which would end the section) is escaped instead.
        text.text = etree.CDATA(html) if ("<" in html or "&" in html) and "]]>" not in html else html
        for media in used.values():
            file = etree.SubElement(element, "file", name=media.name, path="/", encoding="base64")
            file.text = base64.b64encode(media.data).decode("ascii")
        return element

    def _rewriter(self, used: dict[str, MediaFile]) -> Callable[[str], str]:
        def rewrite(src: str) -> str:
            media = self._media(src)
            if media is None:
                if src not in self._missing:
                    self._missing.add(src)
                    self.warn(f"{src}: the file was not provided, so the link stays relative and will be broken in Moodle")
                return src
            used.setdefault(media.name, media)
            return _OUR_PLUGINFILE + "/" + quote(media.name)

        return rewrite

    # --- the question ---------------------------------------------------------------------------------

    def build(self) -> etree._Element | None:
        item = self.item
        question = etree.Element("question", type=QUESTION_TYPES[item.type])
        try:
            self._header(question)
            body = {
                "multiple_choice": self._multichoice,
                "multiple_response": self._multichoice,
                "true_false": self._truefalse,
                "short_answer": self._shortanswer,
                "numerical": self._numerical,
                "matching": self._matching,
                "essay": self._essay,
            }[item.type]
            body(question)
        except _Skip as reason:
            self.omitted.append(ExportWarning(self.item.id, str(reason)))
            return None
        self._tags(question)
        return question

    def _header(self, question: etree._Element) -> None:
        item = self.item
        name = (item.title or "").strip() or item.id
        if _PHP_TAG.search(name):
            self.warn("the title contains '<' before a non-space; Moodle strips such tag-like text from question names")
        if len(name) > NAME_MAX:
            self.warn(f"the title is longer than {NAME_MAX} characters; Moodle shortens it")
        self.text(etree.SubElement(question, "name"), name)
        self.html(question, "questiontext", item.stem)
        self.html(question, "generalfeedback", item.explanation)
        points = float(item.points)
        if not math.isfinite(points):
            raise _Skip("points must be a finite number")
        if Decimal(repr(points)).as_tuple().exponent < -MARK_DECIMALS:  # type: ignore[operator]
            self.warn(f"points {item.points} has more than {MARK_DECIMALS} decimals; Moodle rounds the mark")
        self.element(question, "defaultgrade", number(points))
        self.element(question, "penalty", PENALTIES.get(item.type, DEFAULT_PENALTY))
        self.element(question, "hidden", "0")
        if len(item.id) > IDNUMBER_MAX:
            self.warn(f"the id is longer than Moodle's {IDNUMBER_MAX}-character ID number; no ID number was written")
        else:
            self.element(question, "idnumber", item.id)

    def _tags(self, question: etree._Element) -> None:
        tags = self.item.tags
        if not tags:
            return
        holder = etree.SubElement(question, "tags")
        for tag in tags:
            if _TAG_DROPPED.search(tag):
                self.warn(f"tag {tag!r}: Moodle removes '<', '>' and '`' from tags")
            if len(tag.strip()) > TAG_MAX:
                self.warn(f"tag {tag!r}: Moodle cuts tags to {TAG_MAX} characters")
            self.text(etree.SubElement(holder, "tag"), tag)

    def _multichoice(self, question: etree._Element) -> None:
        item = self.item
        assert isinstance(item, (MultipleChoice, MultipleResponse))
        options = item.options
        if len(options) < 2:
            raise _Skip("Moodle needs at least two options in a multiple-choice question and would abort the import")
        texts = [inline_html(o.text) for o in options]
        if any(not t.strip() for t in texts):
            raise _Skip("an option has no visible HTML; Moodle would drop it and misalign the weights")
        correct = [o for o in options if o.correct]
        wrong = [o for o in options if not o.correct]
        single = isinstance(item, MultipleChoice)
        if single:
            if len(correct) != 1:
                raise _Skip(f"a multiple_choice item needs exactly one correct option, not {len(correct)}")
            right, wrong_weight = "100", "0"
        else:
            if not correct:
                raise _Skip("a multiple_response item needs at least one correct option")
            right, exact = share(len(correct))
            if not exact:
                self.warn(
                    f"Moodle's grade menu has no exact 1/{len(correct)} share; each correct option is worth {right}%, "
                    f"so selecting all {len(correct)} correct options gives {_total(right, len(correct))}% instead of 100%"
                )
            wrong_weight = "0"
            if wrong:
                base, exact = share(len(wrong))
                wrong_weight = negative(base)
                if not exact:
                    self.warn(
                        f"Moodle's grade menu has no exact 1/{len(wrong)} share; each wrong option deducts {base}%, "
                        f"so selecting all {len(wrong)} wrong options deducts {_total(base, len(wrong))}% instead of 100%"
                    )
        self.element(question, "single", "true" if single else "false")
        self.element(question, "shuffleanswers", "true" if item.shuffle else "false")
        self.element(question, "answernumbering", "abc")
        self.element(question, "showstandardinstruction", "1")
        for option in options:
            answer = etree.SubElement(question, "answer", fraction=right if option.correct else wrong_weight)
            self.html(answer, None, option.text, inline=True)
            self.html(answer, "feedback", option.rationale, inline=True)

    def _truefalse(self, question: etree._Element) -> None:
        item = self.item
        assert isinstance(item, TrueFalse)
        for value, rationale in ((True, item.true_rationale), (False, item.false_rationale)):
            answer = etree.SubElement(question, "answer", fraction="100" if item.answer is value else "0")
            answer.set("format", "moodle_auto_format")
            self.text(answer, "true" if value else "false")
            self.html(answer, "feedback", rationale, inline=True)

    def _shortanswer(self, question: etree._Element) -> None:
        item = self.item
        assert isinstance(item, ShortAnswer)
        answers = [a.strip() for a in item.answers]
        if any(not a for a in answers):
            self.warn("dropped blank accepted answers; Moodle ignores them")
            answers = [a for a in answers if a]
        if not answers:
            raise _Skip("a short_answer item needs at least one accepted answer")
        self.element(question, "usecase", "1" if item.case_sensitive else "0")
        for text in answers:
            answer = etree.SubElement(question, "answer", fraction="100", format="moodle_auto_format")
            self.text(answer, escape_shortanswer(text))
            self.html(answer, "feedback", None)

    def _numerical(self, question: etree._Element) -> None:
        item = self.item
        assert isinstance(item, Numerical)
        if not (math.isfinite(item.answer) and math.isfinite(item.tolerance)):
            raise _Skip("the answer and tolerance must be finite numbers")
        answer = etree.SubElement(question, "answer", fraction="100", format="moodle_auto_format")
        self.text(answer, number(item.answer))
        self.html(answer, "feedback", None)
        self.element(answer, "tolerance", number(item.tolerance))

    def _matching(self, question: etree._Element) -> None:
        item = self.item
        assert isinstance(item, Matching)
        if not item.pairs:
            raise _Skip("a matching item needs at least one pair")
        if any(not inline_html(p.prompt).strip() for p in item.pairs):
            raise _Skip("a prompt has no visible HTML; Moodle would read it as an extra answer")
        if any(not p.match.strip() for p in item.pairs):
            raise _Skip("a prompt has a blank match; Moodle stops the import at such a question")
        distractors = [d.strip() for d in item.distractors]
        if any(not d for d in distractors):
            self.warn("dropped blank distractors; Moodle ignores them")
            distractors = [d for d in distractors if d]
        self._warn_numeric_twins([p.match.strip() for p in item.pairs] + distractors)
        self.element(question, "shuffleanswers", "true" if item.shuffle else "false")
        for pair in item.pairs:
            sub = etree.SubElement(question, "subquestion")
            self.html(sub, None, pair.prompt, inline=True)
            self.text(etree.SubElement(sub, "answer"), escape_choice(pair.match.strip()))
        # Moodle's own representation of an answer that matches nothing: a subquestion with empty text.
        for distractor in distractors:
            sub = etree.SubElement(question, "subquestion", format="html")
            self.text(sub, "")
            self.text(etree.SubElement(sub, "answer"), escape_choice(distractor))

    def _warn_numeric_twins(self, answers: list[str]) -> None:
        seen: dict[float, str] = {}
        for text in answers:
            if not _PHP_NUMERIC.match(text):
                continue
            value = float(text)
            other = seen.setdefault(value, text)
            if other != text:
                self.warn(f"Moodle treats the answers {other!r} and {text!r} as one choice, since they are the same number")

    def _essay(self, question: etree._Element) -> None:
        item = self.item
        assert isinstance(item, Essay)
        self.element(question, "responseformat", "editor")
        self.element(question, "responserequired", "1")
        self.element(question, "responsefieldlines", "15")
        self.element(question, "attachments", "0")
        self.element(question, "attachmentsrequired", "0")
        self.html(question, "graderinfo", item.guidance)
        self.html(question, "responsetemplate", None)


class MoodleXmlExporter(Exporter):
    name = "moodle-xml"
    label = "Moodle XML"
    extension = ".xml"
    description = "Moodle XML question file: every item type, feedback, images, tags and categories"

    def export(self, items: Sequence[BankItem], options: ExportOptions) -> ExportResult:
        if options.category not in ("folder", "tag", "none"):
            raise ValueError(f"unknown category option {options.category!r} (folder, tag or none)")
        warnings: list[ExportWarning] = []
        omitted: list[ExportWarning] = []
        quiz = etree.Element("quiz")
        current: str | None = None
        written = 0
        for bank_item in items:
            writer = _QuestionWriter(bank_item, warnings, omitted)
            question = writer.build()
            if question is None:
                continue
            written += 1
            names = self._category_names(bank_item, options)
            if names is not None and category_path(names) != current:
                current = category_path(names)
                self._check_category(names, writer)
                quiz.append(self._category_question(current, writer))
            quiz.append(question)
        etree.indent(quiz, space="  ")
        data = etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        return ExportResult(data, warnings, omitted, written)

    @staticmethod
    def _category_names(bank_item: BankItem, options: ExportOptions) -> list[str] | None:
        """The category below ``top`` for an item: the export title, then its folder or first tag."""
        if options.category == "none":
            return None
        title = options.title.strip() or ExportOptions.title
        if options.category == "tag":
            rest: tuple[str, ...] = (bank_item.item.tags[0],) if bank_item.item.tags else ()
        else:
            rest = bank_item.category
        return [name.strip() for name in (title, *rest)]

    @staticmethod
    def _check_category(names: list[str], writer: _QuestionWriter) -> None:
        for name in names:
            if _PHP_TAG.search(name):
                writer.warn(f"category {name!r}: Moodle strips tag-like text ('<' before a non-space) from category names")
            if not name or name == "top":
                writer.warn(f"category {name!r}: Moodle skips blank categories and ones named 'top', so the item lands in the parent category")

    @staticmethod
    def _category_question(path: str, writer: _QuestionWriter) -> etree._Element:
        question = etree.Element("question", type="category")
        writer.text(etree.SubElement(question, "category"), path)
        return question
