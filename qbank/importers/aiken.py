"""Aiken: Moodle's plain-text format for single-answer multiple-choice questions.

    Which stage comes first?
    A. Contemplation
    B) Precontemplation
    ANSWER: B

A question is its text, then two or more options (a capital letter, ``.`` or ``)``, a space, which
Moodle lets you leave out, and the option text), then ``ANSWER:`` and the letter of the key. Blank lines between questions are usual
but not required: the ``ANSWER:`` line ends a question. Each question becomes a ``multiple_choice``
item; the text is plain, so it is escaped into Markdown that shows exactly what was written.

Aiken has no titles, ids, categories or feedback, so ids come from a hash of the question text
(stable across re-imports) and the items have no rationales or explanation: ``qbank lint`` will
say so, and that is a genuine finding about the source.

Compared with Moodle's reader: question text may run over several consecutive lines (Moodle keeps
only one line and discards the question otherwise), the ``ANSWER`` keyword and letter are accepted
in either case, and the key is found by the option's own letter rather than its position. A block
Moodle would reject or mangle (no options, one option, no ``ANSWER`` line, an ``ANSWER`` naming a
letter no option has, two options with the same letter) is skipped with a note naming its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qbank.importers import (
    ImportedItem,
    Importer,
    ImportFailure,
    ImportNote,
    ImportResult,
)
from qbank.importers.html_md import plain_to_markdown
from qbank.importers.ids import derive_id
from qbank.importers.safety import decode_text
from qbank.model import ITEM_ADAPTER

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_OPTION = re.compile(r"([A-Z])[.)][ \t]*(.*)\Z")  # like Moodle, the space after the label is optional
_ANSWER = re.compile(r"answer\s*:(.*)\Z", re.I)
_ANSWER_LETTER = re.compile(r"\s*([A-Za-z])\s*\Z")
_DETECT_ANSWER = re.compile(r"ANSWER:\s*[A-Z]\s*\Z")
_DETECT_OPTION = re.compile(r"[A-Z][.)][ \t]+\S")


@dataclass
class _Question:
    line: int
    stem: list[str]
    options: list[tuple[str, str, int]] = field(default_factory=list)  # (letter, text, line)
    after_blank: bool = False


def _is_answer_line(line: str) -> bool:
    """An ``ANSWER:`` line: the keyword in capitals, or in any case when a single letter follows."""
    if line.startswith("ANSWER:"):
        return True
    match = _ANSWER.match(line)
    return bool(match and _ANSWER_LETTER.match(match.group(1)))


class AikenImporter(Importer):
    name = "aiken"
    label = "Aiken"
    extensions = (".txt",)

    def detect(self, data: bytes, filename: str) -> bool:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        lines = [line.strip() for line in _LINE_BREAK.split(text)]
        return any(_DETECT_ANSWER.match(line) for line in lines) and any(_DETECT_OPTION.match(line) for line in lines)

    def read(self, data: bytes, filename: str) -> ImportResult:
        text = decode_text(data, filename)
        result = ImportResult()
        taken: set[str] = set()
        current: _Question | None = None

        def skip(question: _Question, why: str) -> None:
            shown = " ".join(question.stem)
            shown = shown if len(shown) <= 50 else shown[:47] + "..."
            result.notes.append(ImportNote(f"question skipped ({shown!r}): {why}", question.line))

        def finish(question: _Question, letter: str, line: int) -> None:
            labels = [o[0] for o in question.options]
            if len(question.options) < 2:
                skip(question, f"it has {len(question.options)} option(s); Aiken needs at least two ('A. text' lines)")
                return
            repeated = sorted({x for x in labels if labels.count(x) > 1})
            if repeated:
                skip(question, f"two options are labelled {', '.join(repeated)}")
                return
            if letter not in labels:
                skip(question, f"the ANSWER on line {line} is {letter}, but the options are {', '.join(labels)}")
                return
            stem = plain_to_markdown("\n".join(question.stem))
            options = [
                {"text": plain_to_markdown(option_text), "correct": label == letter}
                for label, option_text, _ in question.options
            ]
            item_id = derive_id(None, stem, taken)
            item = ITEM_ADAPTER.validate_python({"id": item_id, "type": "multiple_choice", "stem": stem, "options": options})
            result.items.append(ImportedItem(item, line=question.line))

        lines = _LINE_BREAK.split(text)
        for number, raw in enumerate(lines, start=1):
            line = raw.strip()
            if not line:
                if current is not None:
                    current.after_blank = True
                continue
            option = _OPTION.match(line)
            if _is_answer_line(line):
                letter_match = _ANSWER_LETTER.match(line.split(":", 1)[1])
                if current is None:
                    result.notes.append(ImportNote("an ANSWER line without a question before it; ignored", number))
                elif not letter_match:
                    skip(current, f"the ANSWER line on line {number} must name one option letter, such as 'ANSWER: B'")
                else:
                    finish(current, letter_match.group(1).upper(), number)
                current = None
            elif option:
                if current is None:
                    result.notes.append(
                        ImportNote(f"an option line ({line[:40]!r}) without a question before it; ignored", number)
                    )
                    continue
                current.options.append((option.group(1), (option.group(2) or "").strip(), number))
            elif current is not None and not current.options and not current.after_blank:
                current.stem.append(line)  # question text over several lines
            else:
                if current is not None:
                    why = "no ANSWER line after its options" if current.options else "no options and no ANSWER line"
                    skip(current, why)
                current = _Question(number, [line])
        if current is not None:
            skip(current, "the file ends before its ANSWER line" if current.options else "no options and no ANSWER line")

        if not result.items:
            first = f"; the first problem (line {result.notes[0].line}): {result.notes[0].message}" if result.notes else ""
            raise ImportFailure(
                f"{filename}: no Aiken question found (a question line, options such as 'A. text', then 'ANSWER: A'){first}"
            )
        return result
