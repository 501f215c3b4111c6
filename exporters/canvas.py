"""Canvas writer: a QTI 1.2 zip in the dialect of Canvas's own quiz export.

Canvas imports a QTI zip (Settings > Import Course Content > QTI .zip file) by converting it with
its QTI Migration Tool, reading back its own item metadata, and then reading
``<assessment ident>/assessment_meta.xml`` (found through a learning-application-resource in the
manifest) for the quiz settings. So the zip copies the shape that Canvas itself exports and that
text2qti has shown to import:

    imsmanifest.xml                    resources: the assessment, its meta file, each media file
    g<hash>/g<hash>.xml                questestinterop > assessment > section "root_section" > items
    g<hash>/assessment_meta.xml        Canvas quiz settings (cccv1p0 namespace)
    media/<MediaFile.name>             images and linked files, one webcontent resource each

Per item Canvas reads ``itemmetadata/qtimetadata`` fields ``question_type``, ``points_possible``,
``original_answer_ids`` and ``assessment_question_identifierref``, the ``response_label``\\s, and
which conditions set SCORE. What each qbank type becomes:

- multiple_choice / multiple_response / true_false: ``response_lid`` (Single / Multiple) with one
  ``response_label`` per option (True and False for true_false). The key is a ``varequal`` in a
  condition that sets SCORE to 100; multiple_response ANDs every option (selected keys, not-selected
  distractors), which is how Canvas marks several correct answers. Canvas grades "multiple answers"
  questions with partial credit on its own, so no weights are written.
- short_answer: ``response_str``/``render_fib``; every accepted answer is a ``varequal``.
- numerical: ``render_fib fibtype="Decimal"``; answer ± tolerance is Canvas's "exact answer with
  margin": ``or(varequal exact, and(vargte low, varlte high))``. ``vargte`` (never ``vargt``)
  keeps Canvas from mistaking a margin that ends in 5 for its "precision answer" type.
- essay: ``response_str`` with no scoring condition (Canvas treats a text entry with no accepted
  answer as an essay).
- matching: one ``response_lid`` per prompt, each listing every match and distractor (Canvas reads
  the choices of the first list, so all lists carry the same ones), and a condition per prompt
  that adds its share of SCORE. Distractors are simply choices no prompt matches: that is how
  Canvas stores them, and its importer recovers them as "incorrect matches". The choices are in
  alphabetical order, so the key is never given away by position when the quiz does not shuffle.

Feedback: the explanation is ``itemfeedback general_fb`` (Canvas's neutral, always-shown comment);
each option's rationale (and true_rationale / false_rationale) is ``itemfeedback <answer>_fb``,
shown by a ``continue="Yes"`` condition on that answer. Texts are sanitised HTML in
``mattext texttype="text/html"``; images and linked files are packaged under ``media/`` and
referenced as ``$IMS-CC-FILEBASE$/media/<name>``, the token Canvas resolves to a file of the
package by that path (Canvas's link resolver then points the question at the imported file).

Identifiers are Canvas-style ``g`` + 32 hex digits, hashed from the export identifier and the item
id, so a re-export gives the same migration ids: re-imported with Canvas's "Overwrite assessment
content with matching IDs", it updates the quiz; without it Canvas prefixes ids that already exist
and adds a copy. Answer identifiers are numbers, as in Canvas's own exports: the
importer keeps a numeric ``original_answer_ids`` entry as the answer's id (and takes a matching
choice's id from the digits of its identifier), where text ids would get random numbers.

Shuffling: Canvas shuffles answers per quiz (``shuffle_answers`` in assessment_meta.xml), not per
question. Shuffling an item whose option order matters breaks it, while not shuffling only loses
some protection against copying, so the quiz shuffles only when every choice and matching item
allows it; items with ``shuffle: false`` in a bank that otherwise shuffles get a warning saying
the whole quiz is not shuffled. ``render_choice shuffle`` still records each item's own setting
for readers that honour it.

What Canvas cannot carry, reported as warnings: case-sensitive short answers (Canvas compares
answers case-insensitively; ``varequal case="Yes"`` is written but Canvas ignores it) and essay
grading guidance (Canvas essays have no grader-only notes). Bank metadata (tags, objectives,
difficulty, status, author, references, folder category) has no place in a Canvas quiz and is not
exported; the item's ``language`` becomes ``xml:lang``.

Validation: the assessment XML is valid against the official QTI 1.2.1 XSD. The manifest follows
Canvas's own QTI export (``schema`` "IMS Content", ``schemaversion`` 1.1.3, resource type
``imsqti_xmlv1p2``, no LOM record) rather than the strict Common Cartridge 1.1 profile, which wants
"IMS Common Cartridge" 1.1.0, a CC LOM record and a CC resource type: Canvas and text2qti write
these values and Canvas imports them, so the CC-profile check is advisory. ``assessment_meta.xml`` uses only
settings in Canvas's published ``cccv1p0`` XSD and validates against it.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable, NamedTuple, Sequence
from urllib.parse import unquote

from lxml import etree

from qbank.chars import xml_text
from qbank.exporters import BankItem, Exporter, ExportOptions, ExportResult, ExportWarning, MediaFile
from qbank.exporters._qti12 import (
    XML_LANG,
    el,
    itemfeedback,
    material,
    number,
    other,
    qtimetadata,
    respcondition,
    root,
    score_outcome,
    serialize,
    varequal,
)
from qbank.exporters._zip import build_zip
from qbank.markup import inline_html, markdown_to_html
from qbank.model import Essay, Matching, MultipleChoice, MultipleResponse, Numerical, ShortAnswer, TrueFalse, single_key

QUESTION_TYPES = {
    "multiple_choice": "multiple_choice_question",
    "multiple_response": "multiple_answers_question",
    "true_false": "true_false_question",
    "short_answer": "short_answer_question",
    "numerical": "numerical_question",
    "matching": "matching_question",
    "essay": "essay_question",
}
MEDIA_DIR = "media"
FILEBASE = "$IMS-CC-FILEBASE$"
CANVAS_NS = "http://canvas.instructure.com/xsd/cccv1p0"
CANVAS_XSD = "https://canvas.instructure.com/xsd/cccv1p0.xsd"
CC_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
GENERAL_FB = "general_fb"
RESPONSE = "response1"
# Items whose options Canvas's quiz-level "Shuffle answers" reorders.
SHUFFLED_TYPES = ("multiple_choice", "multiple_response", "matching")
QTI_RESOURCE = "imsqti_xmlv1p2"
META_RESOURCE = "associatedcontent/imscc_xmlv1p1/learning-application-resource"


def canvas_key(*parts: str) -> str:
    """A Canvas-style migration id (``g`` + 32 hex digits) for the given parts."""
    return "g" + hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


class _AnswerIds:
    """Stable four-digit answer ids, unique within one item, like the ones Canvas generates."""

    def __init__(self, item_id: str) -> None:
        self._item_id = item_id
        self._used: set[int] = set()

    def new(self, role: str, index: int) -> str:
        digest = hashlib.sha256(f"{self._item_id}\x1f{role}\x1f{index}".encode("utf-8")).hexdigest()
        value = 1000 + int(digest[:8], 16) % 9000
        while value in self._used:
            value = 1000 + (value - 999) % 9000
        self._used.add(value)
        return str(value)


class _Label(NamedTuple):
    """One answer of a choice item."""

    ident: str
    text: str
    html: bool
    correct: bool
    rationale: str | None


@dataclass
class _Body:
    """The type-specific parts of an item."""

    interaction: list[etree._Element]
    conditions: list[etree._Element]
    answer_ids: list[str]
    feedback: list[tuple[str, str]] = field(default_factory=list)


class _Skip(Exception):
    """The item cannot be written as a valid Canvas question; the message says why."""


class _ItemWriter:
    """Writes one item, collecting the warnings and media that belong to it."""

    def __init__(self, bank_item: BankItem, quiz_key: str, warn: Callable[[str, str], None]) -> None:
        self.bank_item = bank_item
        self.item = bank_item.item
        self.quiz_key = quiz_key
        self.ids = _AnswerIds(self.item.id)
        self.media: dict[str, MediaFile] = {}
        """The files this item refers to, by package name; packaged only if the item is written."""
        self._warn = warn
        self._warned: set[str] = set()

    def warn(self, message: str) -> None:
        if message not in self._warned:
            self._warned.add(message)
            self._warn(self.item.id, message)

    def text(self, value: str) -> str:
        cleaned, removed = xml_text(value)
        if removed:
            self.warn("removed character(s) that XML 1.0 cannot carry (control or non-characters)")
        return cleaned

    def html(self, markdown: str) -> str:
        return self.text(markdown_to_html(markdown, self.rewrite))

    def inline(self, markdown: str) -> str:
        return self.text(inline_html(markdown, self.rewrite))

    def rewrite(self, src: str) -> str:
        # Canvas resolves $IMS-CC-FILEBASE$/<path> to the packaged file at <path>; a #fragment or
        # ?query would become part of the looked-up file name, so it is not carried.
        path = src.split("#", 1)[0].split("?", 1)[0]
        found = self.bank_item.media.get(path) or self.bank_item.media.get(unquote(path))
        if found is None:
            self.warn(f"{src!r} was not resolved to a file, so it is not packaged and the link will not work in Canvas")
            return src
        self.media[found.name] = found
        return f"{FILEBASE}/{MEDIA_DIR}/{found.name}"

    def build(self) -> etree._Element:
        body = self._body()
        item = self.item
        ident = canvas_key(self.quiz_key, "item", item.id)
        node = el("item", {"ident": ident, "title": self.text(item.title or item.id)})
        if item.language:
            node.set(XML_LANG, item.language)
        node.append(el("itemmetadata", children=[qtimetadata([
            ("question_type", QUESTION_TYPES[item.type]),
            ("points_possible", number(item.points)),
            ("original_answer_ids", ",".join(body.answer_ids)),
            ("assessment_question_identifierref", canvas_key(self.quiz_key, "question", item.id)),
        ])]))
        node.append(el("presentation", children=[material(self.html(item.stem), True), *body.interaction]))
        general = self.html(item.explanation) if item.explanation else None
        conditions = [respcondition([other()], go_on=True, feedback=GENERAL_FB)] if general else []
        node.append(el("resprocessing", children=[score_outcome(), *conditions, *body.conditions]))
        feedback = ([(GENERAL_FB, general)] if general else []) + body.feedback
        node.extend(itemfeedback(ident, html) for ident, html in feedback)
        return node

    def _body(self) -> _Body:
        item = self.item
        if isinstance(item, (MultipleChoice, MultipleResponse)):
            return self._options(item)
        if isinstance(item, TrueFalse):
            return self._true_false(item)
        if isinstance(item, ShortAnswer):
            return self._short_answer(item)
        if isinstance(item, Numerical):
            return self._numerical(item)
        if isinstance(item, Matching):
            return self._matching(item)
        if isinstance(item, Essay):
            return self._essay(item)
        raise _Skip(f"item type {item.type!r} has no Canvas question type")

    # --- choice items ---------------------------------------------------------------------------

    def _options(self, item: MultipleChoice | MultipleResponse) -> _Body:
        if not item.options:
            raise _Skip("it has no options")
        multiple = isinstance(item, MultipleResponse)
        if not multiple and single_key(item) is None:
            keys = sum(o.correct for o in item.options)
            raise _Skip(f"a multiple_choice question needs exactly one correct option, and it has {keys}")
        labels = [
            _Label(self.ids.new("option", i), self.inline(o.text), True, o.correct, o.rationale)
            for i, o in enumerate(item.options)
        ]
        return self._choice_body(labels, multiple, item.shuffle)

    def _true_false(self, item: TrueFalse) -> _Body:
        labels = [
            _Label(self.ids.new("true", 0), "True", False, item.answer, item.true_rationale),
            _Label(self.ids.new("false", 0), "False", False, not item.answer, item.false_rationale),
        ]
        return self._choice_body(labels, False, False)

    def _choice_body(self, labels: list[_Label], multiple: bool, shuffle: bool) -> _Body:
        render = el("render_choice", {"shuffle": "Yes" if shuffle else "No"}, children=[
            el("response_label", {"ident": label.ident}, children=[material(label.text, label.html)]) for label in labels
        ])
        lid = el("response_lid", {"ident": RESPONSE, "rcardinality": "Multiple" if multiple else "Single"}, children=[render])
        explained = [label for label in labels if label.rationale]
        feedback = [(f"{label.ident}_fb", self.html(label.rationale or "")) for label in explained]
        conditions = [
            respcondition([varequal(RESPONSE, label.ident)], go_on=True, feedback=f"{label.ident}_fb") for label in explained
        ]
        if multiple:
            # Selected keys and unselected distractors: Canvas's own shape for "multiple answers".
            parts = [
                varequal(RESPONSE, lb.ident) if lb.correct else el("not", children=[varequal(RESPONSE, lb.ident)])
                for lb in labels
            ]
            key: list[etree._Element] = [el("and", children=parts)]
        else:
            key = [varequal(RESPONSE, label.ident) for label in labels if label.correct]
        conditions.append(respcondition(key, go_on=False, score=("Set", "100")))
        return _Body([lid], conditions, [label.ident for label in labels], feedback)

    # --- typed answers --------------------------------------------------------------------------

    @staticmethod
    def _text_entry(decimal: bool = False) -> etree._Element:
        label = el("response_label", {"ident": "answer1"} if decimal else {"ident": "answer1", "rshuffle": "No"})
        render = el("render_fib", {"fibtype": "Decimal"} if decimal else {}, children=[label])
        return el("response_str", {"ident": RESPONSE, "rcardinality": "Single"}, children=[render])

    def _short_answer(self, item: ShortAnswer) -> _Body:
        answers = [self.text(a) for a in item.answers if a.strip()]
        if not answers:
            raise _Skip("it has no accepted answer (Canvas would import it as an essay)")
        case = {"case": "Yes"} if item.case_sensitive else {}
        if item.case_sensitive:
            self.warn("case_sensitive: true is not carried: Canvas compares short answers case-insensitively")
        tests = [el("varequal", {"respident": RESPONSE, **case}, a) for a in answers]
        condition = tests if len(tests) == 1 else [el("or", children=tests)]
        ids = [self.ids.new("answer", i) for i in range(len(answers))]
        return _Body([self._text_entry()], [respcondition(condition, go_on=False, score=("Set", "100"))], ids)

    def _numerical(self, item: Numerical) -> _Body:
        if not (math.isfinite(item.answer) and math.isfinite(item.tolerance)):
            raise _Skip("its answer or tolerance is not a finite number")
        exact = Decimal(repr(float(item.answer)))
        margin = Decimal(repr(float(item.tolerance)))
        band = el("and", children=[
            el("vargte", {"respident": RESPONSE}, number(exact - margin)),
            el("varlte", {"respident": RESPONSE}, number(exact + margin)),
        ])
        test = el("or", children=[varequal(RESPONSE, number(exact)), band])
        condition = respcondition([test], go_on=False, score=("Set", "100"))
        return _Body([self._text_entry(decimal=True)], [condition], [self.ids.new("answer", 0)])

    def _essay(self, item: Essay) -> _Body:
        if item.guidance:
            self.warn("guidance is not carried: Canvas essay questions have no grader-only notes")
        return _Body([self._text_entry()], [respcondition([other()], go_on=False)], [])

    # --- matching -------------------------------------------------------------------------------

    def _matching(self, item: Matching) -> _Body:
        if not item.pairs:
            raise _Skip("it has no pairs")
        texts = {self.text(t) for t in [p.match for p in item.pairs] + list(item.distractors)}
        choices = sorted(texts, key=lambda t: (t.casefold(), t))
        choice_ids = {text: self.ids.new("match", i) for i, text in enumerate(choices)}
        shuffle = "Yes" if item.shuffle else "No"
        shares = _shares(len(item.pairs))
        interaction, conditions, ids = [], [], []
        for i, pair in enumerate(item.pairs):
            answer_id = self.ids.new("pair", i)
            respident = f"response_{answer_id}"
            labels = [el("response_label", {"ident": choice_ids[t]}, children=[material(t, False)]) for t in choices]
            interaction.append(el("response_lid", {"ident": respident, "rcardinality": "Single"}, children=[
                material(self.inline(pair.prompt), True), el("render_choice", {"shuffle": shuffle}, children=labels),
            ]))
            match_id = choice_ids[self.text(pair.match)]
            conditions.append(respcondition([varequal(respident, match_id)], go_on=True, score=("Add", shares[i])))
            ids.append(answer_id)
        return _Body(interaction, conditions, ids)


def _shares(n: int) -> list[str]:
    """``n`` shares of 100 with two decimals that add up to exactly 100 (the last takes the rest)."""
    each = (Decimal(100) / n).quantize(Decimal("0.01"))
    return [number(each)] * (n - 1) + [number(Decimal(100) - each * (n - 1))]


class _Package:
    """One export: the quiz, its items, and the files that go into the zip."""

    def __init__(self, options: ExportOptions) -> None:
        self.options = options
        self.key = canvas_key("assessment", options.identifier)
        self.warnings: list[ExportWarning] = []
        self.omitted: list[ExportWarning] = []
        self.media: dict[str, MediaFile] = {}

    def warn(self, item_id: str, message: str) -> None:
        self.warnings.append(ExportWarning(item_id, message))

    def build(self, items: Sequence[BankItem]) -> ExportResult:
        written: list[tuple[BankItem, etree._Element]] = []
        for bank_item in items:
            writer = _ItemWriter(bank_item, self.key, self.warn)
            try:
                written.append((bank_item, writer.build()))
            except _Skip as exc:
                self.omitted.append(ExportWarning(bank_item.item.id, str(exc)))
                continue
            self.media.update(writer.media)
        shuffle = self._shuffle([b for b, _ in written])
        points = sum((Decimal(repr(float(b.item.points))) for b, _ in written), Decimal(0))
        title = self._title()
        folder = self.key
        entries = {
            f"{folder}/{folder}.xml": serialize(self._assessment(title, [node for _, node in written])),
            f"{folder}/assessment_meta.xml": serialize(self._meta(title, shuffle, points)),
        }
        entries.update({f"{MEDIA_DIR}/{m.name}": m.data for m in self.media.values()})
        entries["imsmanifest.xml"] = serialize(self._manifest())
        data = build_zip(entries.items(), first=("imsmanifest.xml",))
        return ExportResult(data, self.warnings, self.omitted, len(written))

    def _title(self) -> str:
        title, removed = xml_text(self.options.title)
        if removed:
            self.warn(self.options.identifier, "removed character(s) that XML 1.0 cannot carry from the quiz title")
        return title

    def _shuffle(self, items: Sequence[BankItem]) -> bool:
        relevant = [b.item for b in items if b.item.type in SHUFFLED_TYPES]
        fixed = [it for it in relevant if not it.shuffle]
        if fixed and len(fixed) < len(relevant):
            others = len(relevant) - len(fixed)
            for it in fixed:
                self.warn(it.id, "shuffle: false makes the whole quiz unshuffled: Canvas shuffles answers per quiz, not per "
                                 f"question, so the {others} other question(s) that allow shuffling are not shuffled either")
        return bool(relevant) and not fixed

    def _assessment(self, title: str, items: list[etree._Element]) -> etree._Element:
        section = el("section", {"ident": "root_section"}, children=items)
        assessment = el("assessment", {"ident": self.key, "title": title}, children=[
            qtimetadata([("cc_maxattempts", "1")]), section,
        ])
        return root([assessment])

    def _meta(self, title: str, shuffle: bool, points: Decimal) -> etree._Element:
        def flag(value: bool) -> str:
            return "true" if value else "false"

        settings = [
            ("title", title),
            ("description", ""),
            ("shuffle_answers", flag(shuffle)),
            ("scoring_policy", "keep_highest"),
            ("quiz_type", "assignment"),
            ("points_possible", number(points)),
            ("show_correct_answers", "true"),
            ("anonymous_submissions", "false"),
            ("could_be_locked", "false"),
            ("allowed_attempts", "1"),
            ("one_question_at_a_time", "false"),
            ("cant_go_back", "false"),
            ("available", "false"),
            ("one_time_results", "false"),
            ("show_correct_answers_last_attempt", "false"),
            ("only_visible_to_overrides", "false"),
            ("require_lockdown_browser", "false"),
            ("require_lockdown_browser_for_results", "false"),
            ("require_lockdown_browser_monitor", "false"),
        ]
        quiz = etree.Element(f"{{{CANVAS_NS}}}quiz", {"identifier": self.key}, nsmap={None: CANVAS_NS, "xsi": XSI})
        quiz.set(f"{{{XSI}}}schemaLocation", f"{CANVAS_NS} {CANVAS_XSD}")
        for name, value in settings:
            etree.SubElement(quiz, f"{{{CANVAS_NS}}}{name}").text = value
        return quiz

    def _manifest(self) -> etree._Element:
        def cc(tag: str, attrib: dict[str, str] | None = None, text: str | None = None) -> etree._Element:
            node = etree.Element(f"{{{CC_NS}}}{tag}", attrib or {})
            node.text = text
            return node

        folder = self.key
        meta_id = canvas_key("assessment_meta", self.options.identifier)
        manifest_id = canvas_key("manifest", self.options.identifier)
        manifest = etree.Element(f"{{{CC_NS}}}manifest", {"identifier": manifest_id}, nsmap={None: CC_NS, "xsi": XSI})
        manifest.set(f"{{{XSI}}}schemaLocation", f"{CC_NS} http://www.imsglobal.org/xsd/imscp_v1p1.xsd")
        metadata = cc("metadata")
        metadata.extend([cc("schema", text="IMS Content"), cc("schemaversion", text="1.1.3")])
        resources = cc("resources")
        assessment = cc("resource", {"identifier": folder, "type": QTI_RESOURCE})
        assessment.extend([cc("file", {"href": f"{folder}/{folder}.xml"}), cc("dependency", {"identifierref": meta_id})])
        meta_href = f"{folder}/assessment_meta.xml"
        meta = cc("resource", {"identifier": meta_id, "type": META_RESOURCE, "href": meta_href})
        meta.append(cc("file", {"href": meta_href}))
        resources.extend([assessment, meta])
        for name in sorted(self.media):
            href = f"{MEDIA_DIR}/{name}"
            resource = cc("resource", {"identifier": canvas_key("media", name), "type": "webcontent", "href": href})
            resource.append(cc("file", {"href": href}))
            resources.append(resource)
        manifest.extend([metadata, cc("organizations"), resources])
        return manifest


class CanvasExporter(Exporter):
    name = "canvas"
    label = "Canvas (QTI 1.2 zip)"
    extension = ".zip"
    description = "Canvas (QTI 1.2 zip)"

    def export(self, items: Sequence[BankItem], options: ExportOptions) -> ExportResult:
        return _Package(options).build(items)
