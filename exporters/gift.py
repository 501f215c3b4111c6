"""Moodle GIFT: a plain-text question file that Moodle imports without any packaging.

GIFT keeps qbank's Markdown as Markdown: every question starts with ``[markdown]`` after its name,
and Moodle's reader uses the question text's format for the answers and all feedback too, so
emphasis, lists and paragraphs look the same as in the other formats. What GIFT cannot carry is
reported as a warning naming the item (``--strict`` turns warnings into errors).

Layout (UTF-8, ``\\n`` line endings, one blank line between questions)::

    $CATEGORY: ethics/boundaries
    // [id:mc-basic]
    // [tag:core-skills] [tag:ethics]
    ::Essential quality::[markdown]Which quality is essential?{
    \t=Active listening#Being heard builds trust.
    \t~Indifference#Indifference makes peers withdraw.
    \t####General feedback.
    }

* Name: ``::title::`` (the id when there is no title). Per-answer feedback follows ``#``, general
  feedback (the explanation) follows ``####`` as the last thing before ``}``.
* ``// [id:...]`` and ``// [tag:...]`` comment lines: Moodle (3.6 and later) reads them as the
  question's ID number and tags, and gift-pegjs reports them as ``id`` and ``tags``.
* multiple_choice: ``=key`` and ``~distractor``. A ``->`` in the key is written as Markdown's ``-\\>``
  (it renders the same): after ``=`` gift-pegjs-based tools would read a matching pair.
* multiple_response: every option ``~%w%``. Weights come only from Moodle's grade menu
  (:mod:`qbank.exporters._moodle`): the k correct options share 100% (``share(k)``), each of the n
  wrong ones gets ``-share(n)``, so ticking everything scores 0. When the menu has no exact share
  (k or n is 11-19 or over 20) the nearest lower value is used and a warning says so.
* true_false: ``{TRUE#a#b}`` / ``{FALSE#a#b}``. Moodle shows the first feedback to a student who
  answered wrongly and the second to one who answered rightly, so for a true statement ``a`` is
  ``false_rationale`` and ``b`` is ``true_rationale``, and the other way round for a false one.
* short_answer: ``=answer`` per accepted answer. ``*`` is written ``\\*`` (Moodle's wildcard
  otherwise). An answer holding ``->`` cannot be written (Moodle would read a matching question):
  it is left out with a warning.
* numerical: ``{#answer}`` or ``{#answer:tolerance}``, numbers in plain decimal notation.
* matching: ``=prompt -> match`` per pair and ``= -> distractor`` per distractor: an empty prompt is
  how Moodle stores an extra answer that matches nothing (its own GIFT export writes it that way).
  ``->`` inside a prompt is written ``-\\>`` (the first ``->`` ends the prompt).
* essay: ``{}``; grading guidance has no place in GIFT (warning).

Categories (``ExportOptions.category``): ``folder`` writes the item's folder path
(``BankItem.category``) joined with ``/``; ``tag`` writes the item's first tag; ``none`` writes no
category lines. Items keep their input order, and a ``$CATEGORY:`` line is written before the first
question and again whenever the category changes. An item at the bank's top level (or without tags
under ``tag``) goes to a category named after the export title, so it never lands silently in the
category of the item before it. A ``/`` inside a name is written ``//`` (Moodle's own rule). No
context prefix such as ``$course$`` is written: Moodle creates the categories in the context of
the category chosen on the import page (Moodle 5 moves course-level categories into the course's
question bank anyway).

Warnings (never silent drops): local images (replaced by ``[image: alt text]``, so the question
still reads sensibly) and links to local files (replaced by their link text), points other than 1
(Moodle gives every GIFT question a default mark of 1), ``shuffle: false`` (GIFT imports always
shuffle), case-sensitive short answers (GIFT imports are case-insensitive), short answers holding
``->``, essay guidance, ``->`` inside code in a key or prompt (the ``-\\>`` shows there), tags
Moodle's reader skips or shortens, ids and names Moodle would drop or alter, and items that cannot
be written at all (a choice item with fewer than two options or without its key, a short-answer
item with no writable answer, a matching item with fewer than two lines, a numerical item with a
non-finite number).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal

from qbank.exporters import (
    BankItem,
    Exporter,
    ExportOptions,
    ExportResult,
    ExportWarning,
)
from qbank.exporters import _gift_text as gt
from qbank.exporters._moodle import negative, share

from qbank.markup import media_refs
from qbank.model import (
    Essay,
    Item,
    Matching,
    MultipleChoice,
    MultipleResponse,
    Numerical,
    ShortAnswer,
    TrueFalse,
    single_key,
)

_TAG_UNREADABLE = re.compile(r"[<>`\x00-\x1f\x7f]")
_HTML_LIKE = re.compile(r"<[A-Za-z/!?]")
_NAME_MAX = 255  # Moodle's question name column; longer names are shortened on import
_IDNUMBER_MAX = 100  # Moodle's question ID number column
_TAG_MAX = 50  # Moodle's TAG_MAX_LENGTH


class _Skip(Exception):
    """The item cannot be written as a valid GIFT question; the message says why."""


class _Question:
    """One item being written: its GIFT lines and what it could not carry."""

    def __init__(self, entry: BankItem) -> None:
        self.item: Item = entry.item
        self.warnings: list[str] = []

    # --- text fields ---------------------------------------------------------------------------

    def markdown(self, where: str, text: str) -> str:
        """A Markdown field with local media taken out (and reported)."""
        written, replaced = gt.replace_local_media(text)
        by_src = {r.ref.local_path: r.written for r in replaced}
        seen: set[str] = set()
        for ref in media_refs(text):
            if not ref.is_local or ref.local_path in seen:
                continue
            seen.add(ref.local_path)
            kind = "image" if ref.is_image else "linked file"
            instead = by_src.get(ref.local_path)
            if instead is not None:
                self.warnings.append(
                    f"{kind} {ref.local_path} in the {where} not exported: GIFT cannot carry files; "
                    f"written as {instead!r} instead"
                )
            else:
                self.warnings.append(
                    f"{kind} {ref.local_path} in the {where} not exported: GIFT cannot carry files, "
                    "so the reference will not work in Moodle"
                )
        return written

    def feedback(self, where: str, text: str | None) -> str:
        if text is None or not _given(text):
            return ""
        return "#" + gt.rich(self.markdown(where, text))

    def general_feedback(self) -> str:
        text = self.item.explanation
        if text is None or not _given(text):
            return ""
        return "####" + gt.rich(self.markdown("explanation", text))

    # --- the parts every question has ----------------------------------------------------------

    def head(self) -> list[str]:
        item = self.item
        lines = []
        if len(item.id) <= _IDNUMBER_MAX:
            lines.append(f"// [id:{item.id}]")
        else:
            self.warnings.append(f"id not written as Moodle's ID number: longer than {_IDNUMBER_MAX} characters")
        tags = [self.tag(t) for t in item.tags]
        if any(tags):
            lines.append("// " + " ".join(t for t in tags if t))
        return lines

    def tag(self, tag: str) -> str:
        if _TAG_UNREADABLE.search(tag):
            self.warnings.append(f"tag {tag!r} not exported: Moodle's GIFT reader skips tags with < > ` or line breaks")
            return ""
        if len(tag.strip()) > _TAG_MAX:
            self.warnings.append(f"tag {tag!r} is longer than {_TAG_MAX} characters: Moodle shortens it")
        return "[tag:" + tag.strip().replace("]", "\\]") + "]"

    def name(self) -> str:
        title = gt.normalise(self.item.title or self.item.id).replace("\n", " ")
        if _HTML_LIKE.search(title):
            self.warnings.append("title holds something like an HTML tag, which Moodle removes from question names")
        if len(title) > _NAME_MAX:
            self.warnings.append(f"title longer than {_NAME_MAX} characters: Moodle shortens it")
        return f"::{gt.escape(title)}::"

    def opening(self) -> str:
        """Name, format marker and question text, up to the answers."""
        return self.name() + gt.MARKDOWN + gt.stem(self.markdown("stem", self.item.stem))

    def common_warnings(self) -> None:
        item = self.item
        if item.points != 1:
            self.warnings.append(
                f"points ({item.points:g}) not exported: GIFT has no mark, so Moodle imports the question "
                "with a default mark of 1; set the mark in the quiz"
            )
        if not item.shuffle and isinstance(item, (MultipleChoice, MultipleResponse, Matching)):
            self.warnings.append("shuffle: false not exported: GIFT imports always shuffle the answers in Moodle")

    # --- per type ------------------------------------------------------------------------------

    def body(self) -> str:
        item = self.item
        if isinstance(item, MultipleChoice):
            return self.block(self.multiple_choice(item))
        if isinstance(item, MultipleResponse):
            return self.block(self.multiple_response(item))
        if isinstance(item, ShortAnswer):
            return self.block(self.short_answer(item))
        if isinstance(item, Matching):
            return self.block(self.matching(item))
        if isinstance(item, TrueFalse):
            return self.opening() + "{" + self.true_false(item) + self.general_feedback() + "}"
        if isinstance(item, Numerical):
            return self.opening() + "{#" + self.numerical(item) + self.general_feedback() + "}"
        if isinstance(item, Essay):
            if item.guidance is not None:
                self.warnings.append("guidance not exported: GIFT has no place for grading notes")
            return self.opening() + "{" + self.general_feedback() + "}"
        raise _Skip(f"item type {item.type} has no GIFT form")  # pragma: no cover - every type is handled

    def block(self, answers: list[str]) -> str:
        """Answers one per line, as Moodle's own GIFT export lays them out."""
        lines = [self.opening() + "{", *("\t" + a for a in answers)]
        if _given(self.item.explanation):
            lines.append("\t" + self.general_feedback())
        lines.append("}")
        return "\n".join(lines)

    def options_checked(self, item: MultipleChoice | MultipleResponse) -> None:
        if len(item.options) < 2:
            raise _Skip("Moodle's GIFT reader needs at least two options")

    def arrows(self, where: str, markdown: str) -> str:
        written, in_code = gt.without_arrows(markdown)
        if in_code:
            self.warnings.append(
                f"'->' in code in the {where} is written '-\\>' (GIFT cannot hold '->' there), "
                "so Moodle shows the backslash"
            )
        return written

    def option(self, i: int, prefix: str, text: str, rationale: str | None) -> str:
        label = f"option {i + 1}"
        written = self.markdown(f"{label} text", text)
        if prefix == "=":
            written = self.arrows(f"{label} text", written)
        return prefix + gt.choice_text(written) + self.feedback(f"{label} rationale", rationale)

    def multiple_choice(self, item: MultipleChoice) -> list[str]:
        self.options_checked(item)
        key = single_key(item)
        if key is None:
            raise _Skip("a multiple_choice item needs exactly one correct option")
        return [self.option(i, "=" if i == key else "~", o.text, o.rationale) for i, o in enumerate(item.options)]

    def multiple_response(self, item: MultipleResponse) -> list[str]:
        self.options_checked(item)
        n_right = sum(o.correct for o in item.options)
        n_wrong = len(item.options) - n_right
        if n_right == 0:
            raise _Skip("a multiple_response item needs at least one correct option")
        right, exact = share(n_right)
        if not exact:
            self.warnings.append(
                f"Moodle's grade menu has no exact 1/{n_right} share: each correct option is worth {right}%, "
                f"so full marks reach {float(right) * n_right:g}%, not 100%"
            )
        wrong = "0"
        if n_wrong:
            wrong_share, exact = share(n_wrong)
            wrong = negative(wrong_share)
            if not exact:
                self.warnings.append(
                    f"Moodle's grade menu has no exact 1/{n_wrong} share: each wrong option costs {wrong_share}%, "
                    f"so ticking every option scores more than 0"
                )
        return [
            self.option(i, f"~%{right if o.correct else wrong}%", o.text, o.rationale)
            for i, o in enumerate(item.options)
        ]

    def true_false(self, item: TrueFalse) -> str:
        # Moodle's reader: first feedback = for a wrong answer, second = for a right answer.
        right, wrong = (
            (item.true_rationale, item.false_rationale) if item.answer else (item.false_rationale, item.true_rationale)
        )
        right_where, wrong_where = (
            ("true_rationale", "false_rationale") if item.answer else ("false_rationale", "true_rationale")
        )
        out = "TRUE" if item.answer else "FALSE"
        if _given(wrong):
            out += self.feedback(wrong_where, wrong)
        if _given(right):
            out += ("" if _given(wrong) else "#") + self.feedback(right_where, right)
        return out

    def short_answer(self, item: ShortAnswer) -> list[str]:
        if item.case_sensitive:
            self.warnings.append(
                "case_sensitive not exported: GIFT short answers are imported case-insensitive; "
                "tick 'Case sensitivity' in Moodle after the import"
            )
        answers = []
        for i, answer in enumerate(item.answers):
            if "->" in answer:
                self.warnings.append(
                    f"answer {i + 1} ({answer!r}) not exported: GIFT cannot hold '->' in a short answer "
                    "(Moodle would read a matching question)"
                )
                continue
            answers.append("=" + gt.short_answer(answer))
        if not answers:
            raise _Skip("no accepted answer can be written in GIFT")
        return answers

    def numerical(self, item: Numerical) -> str:
        if not (math.isfinite(item.answer) and math.isfinite(item.tolerance)):
            raise _Skip("GIFT numerical answers must be finite numbers")
        out = _number(item.answer)
        if item.tolerance:
            out += ":" + _number(item.tolerance)
        return out

    def matching(self, item: Matching) -> list[str]:
        if not item.pairs:
            raise _Skip("a matching item needs at least one pair")
        if len(item.pairs) + len(item.distractors) < 2:
            raise _Skip("Moodle's GIFT reader needs at least two matching lines")
        lines = []
        for i, pair in enumerate(item.pairs):
            where = f"pair {i + 1} prompt"
            prompt = gt.rich(self.arrows(where, self.markdown(where, pair.prompt)))
            lines.append(f"={prompt} -> {gt.plain(pair.match)}")
        lines.extend("= -> " + gt.plain(d) for d in item.distractors)
        return lines

    def write(self) -> str:
        """The whole question; raises :class:`_Skip` when it cannot be written."""
        body = self.body()
        self.common_warnings()
        return "\n".join([*self.head(), body])


def _given(text: str | None) -> bool:
    """Feedback with something in it; an empty ``####`` would not parse in gift-pegjs."""
    return text is not None and bool(gt.normalise(text))


def _number(value: float) -> str:
    """Plain decimal notation: gift-pegjs reads no exponent, and Moodle reads both."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _category_name(name: str) -> str:
    """One category name as Moodle splits paths: ``/`` doubled, padded when it would touch a separator."""
    name = gt.one_line(name).replace("/", "//")
    if name.startswith("/"):
        name = " " + name
    if name.endswith("/"):
        name += " "
    return name


def category_path(entry: BankItem, options: ExportOptions) -> str | None:
    """The ``$CATEGORY:`` path for an item, or None when categories are off."""
    if options.category == "none":
        return None
    if options.category == "folder":
        parts: tuple[str, ...] = entry.category
    elif options.category == "tag":
        parts = tuple(entry.item.tags[:1])
    else:
        raise ValueError(f"unknown category option {options.category!r} (folder, tag or none)")
    parts = tuple(p for p in parts if gt.one_line(p)) or (gt.one_line(options.title) or "qbank export",)
    return "/".join(_category_name(p) for p in parts)


class GiftExporter(Exporter):
    name = "gift"
    label = "Moodle GIFT"
    extension = ".gift"
    description = "Moodle GIFT text: every item type with Markdown and feedback; no images"

    def export(self, items: Sequence[BankItem], options: ExportOptions) -> ExportResult:
        blocks: list[str] = []
        warnings: list[ExportWarning] = []
        omitted: list[ExportWarning] = []
        current: str | None = None
        written = 0
        for entry in items:
            question = _Question(entry)
            try:
                text = question.write()
            except _Skip as skipped:
                omitted.append(ExportWarning(entry.item.id, str(skipped)))
                continue
            written += 1
            warnings.extend(ExportWarning(entry.item.id, m) for m in question.warnings)
            path = category_path(entry, options)
            if path is not None and path != current:
                blocks.append(f"$CATEGORY: {path}")
                current = path
            blocks.append(text)
        data = "\n\n".join(blocks) + "\n" if blocks else ""
        return ExportResult(data.encode("utf-8"), warnings, omitted, written)
