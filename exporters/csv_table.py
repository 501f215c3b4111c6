"""CSV: one row per item, for spreadsheets, subject-expert review and a lossless round trip.

The header (:data:`COLUMNS`) is a contract: ``qbank import`` reads these files back, so columns are
only ever appended, never renamed, removed or reordered. Text is written exactly as authored
(Markdown stays Markdown), because a CSV carries text, not HTML, and a reviewer edits the source.

File format
-----------
* UTF-8 without a byte-order mark; ``ExportOptions.csv_bom`` (``--bom``) adds one, because Excel
  guesses a legacy code page for a UTF-8 file without it and garbles every non-ASCII letter.
* RFC 4180: comma-separated, records end in CRLF (``\\r\\n``) as the RFC specifies, and a cell
  that holds a comma, a double quote, CR or LF is enclosed in double quotes with inner quotes
  doubled. Line breaks inside text are kept as authored (LF), inside the quoted cell. Excel,
  LibreOffice, Google Sheets and Python's :mod:`csv` all read this without options.
* Numbers use ``.`` as the decimal point whatever the reader's locale (a spreadsheet set to a
  decimal-comma locale reads ``0.5`` as text unless opened through its import dialog). Integral
  values are written without a fraction (``2``, not ``2.0``); others in Python's shortest
  round-tripping form (``-3.25``, ``1e-05``).
* Booleans are ``true`` or ``false``.

Empty cells
-----------
A column that does not apply to the item's type is empty. In a single-valued column an empty cell
means the value is absent (``null``); in a multi-valued column it means an empty list. An empty
string and an absent value therefore read back the same, as absent; the export refuses blank text
anyway (QB504), so nothing an author can export is lost.

Multi-valued cells
------------------
Every multi-valued cell holds one JSON array (RFC 8259, UTF-8 characters unescaped, no spaces
between tokens), such as ``["Health","Home"]``. JSON was chosen over a separator such as ``|`` or
``;`` because item text may contain every character: a separator needs its own escaping rule that
every reader must re-implement, while a JSON array is unambiguous, lossless (including line breaks,
quotes and empty strings), still readable in a spreadsheet, and decoded by one standard call in any
language. Arrays that belong together (``options``, ``correct``, ``rationales``) have the same length
and order.

Formula neutralisation (OWASP "CSV injection")
-----------------------------------------------
A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and some run one that
starts with a tab, CR, LF or NUL) as a formula, so text from a bank could execute on a reviewer's
machine. Every cell whose written text begins with one of

    ``=``  ``+``  ``-``  ``@``  TAB (U+0009)  CR (U+000D)  LF (U+000A)  NUL (U+0000)  ``'``

gets one ``'`` (U+0027) put in front of it. The apostrophe is itself in the list, so the rule is
exactly reversible: **a reader removes one leading** ``'`` **from any cell that starts with one**,
and never has to guess whether the quote was authored. Cells written as numbers (``points``,
``tolerance``, a numerical ``answer``) are not neutralised, so ``-3.25`` stays a number; JSON cells
start with ``[`` and booleans with a letter, so in practice only text cells ever get the prefix.

Columns
-------
``id``
    The item id.
``type``
    ``multiple_choice``, ``multiple_response``, ``true_false``, ``short_answer``, ``numerical``,
    ``matching`` or ``essay``.
``title``
    The title as authored; empty when the item has none (LMS exports then use the id).
``stem``
    The question (Markdown).
``options``
    Choice items: JSON array of the option texts (Markdown), in authored order.
``correct``
    Choice items: JSON array of booleans, ``true`` for each correct option (same order).
``rationales``
    Choice items: JSON array of each option's rationale (Markdown) or ``null`` (same order).
``answer``
    ``true_false``: ``true`` or ``false``. ``numerical``: the value, as a number.
    ``short_answer``: JSON array of the accepted answers (plain text).
``tolerance``
    ``numerical``: the absolute tolerance, as a number.
``case_sensitive``
    ``short_answer``: ``true`` or ``false``.
``pairs``
    ``matching``: JSON array of objects ``{"prompt": Markdown, "match": plain text}``.
``distractors``
    ``matching``: JSON array of the extra answers that match no prompt.
``guidance``
    ``essay``: grading notes for the marker (Markdown).
``explanation``
    General feedback (Markdown).
``true_rationale``, ``false_rationale``
    ``true_false``: feedback for answering True and for answering False (Markdown).
``points``
    The item's mark, as a number.
``tags``, ``objectives``, ``references``
    JSON arrays of strings.
``difficulty``
    ``easy``, ``medium``, ``hard`` or empty.
``status``
    ``draft``, ``review``, ``approved`` or ``retired``.
``author``
    Plain text, or empty.
``language``
    BCP 47 tag, or empty.
``shuffle``
    ``true`` or ``false``: whether the options may be shuffled.
``lint_ignore``
    JSON array of the item's ``lint.ignore`` entries (rule codes or names), so a round trip keeps them.
``category``
    JSON array of the folder names from the bank root to the item's file (``["ethics","boundaries"]``);
    empty for an item at the root. A reader may use it to put the item back in its folder.

What CSV cannot carry
---------------------
Media files. The Markdown reference (``![alt](media/ruler.png)``) is kept in the cell, but the
image or linked file is not in the CSV; each item that refers to a local file gets a warning
naming the files, so they can be copied alongside.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Callable, Sequence

from qbank.exporters import BankItem, Exporter, ExportOptions, ExportResult, ExportWarning
from qbank.markup import media_refs
from qbank.model import Essay, Item, Matching, MultipleChoice, MultipleResponse, Numerical, ShortAnswer, TrueFalse, text_fields

COLUMNS: tuple[str, ...] = (
    "id",
    "type",
    "title",
    "stem",
    "options",
    "correct",
    "rationales",
    "answer",
    "tolerance",
    "case_sensitive",
    "pairs",
    "distractors",
    "guidance",
    "explanation",
    "true_rationale",
    "false_rationale",
    "points",
    "tags",
    "objectives",
    "difficulty",
    "status",
    "author",
    "references",
    "language",
    "shuffle",
    "lint_ignore",
    "category",
)
"""The header row, in order. Append-only: ``qbank import`` relies on these names."""

FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\0'")
"""First characters that make a cell get a leading ``'`` (the apostrophe itself included, so the
prefix can always be removed without ambiguity)."""

NEUTRALISER = "'"

BOM = "\ufeff"


class Number(float):
    """A cell value written as a number, which formula neutralisation leaves alone."""


def neutralise(text: str) -> str:
    """Prefix ``'`` when a spreadsheet could read the cell as a formula (or it starts with ``'``)."""
    return NEUTRALISER + text if text[:1] in FORMULA_TRIGGERS else text


def format_number(value: float) -> str:
    """``2`` rather than ``2.0``; otherwise the shortest text that reads back as the same float."""
    number = float(value)
    if number.is_integer() and abs(number) < 2**53:
        return str(int(number))
    return repr(number)


def _json(values: object) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def _list(values: Sequence[object]) -> str:
    return _json(list(values)) if values else ""


def _bool(value: bool) -> str:
    return "true" if value else "false"


Cell = str | Number


def _choice_cells(item: MultipleChoice | MultipleResponse) -> dict[str, Cell]:
    return {
        "options": _list([o.text for o in item.options]),
        "correct": _list([o.correct for o in item.options]),
        "rationales": _list([o.rationale for o in item.options]),
    }


def _true_false_cells(item: TrueFalse) -> dict[str, Cell]:
    return {
        "answer": _bool(item.answer),
        "true_rationale": item.true_rationale or "",
        "false_rationale": item.false_rationale or "",
    }


def _short_answer_cells(item: ShortAnswer) -> dict[str, Cell]:
    return {"answer": _list(item.answers), "case_sensitive": _bool(item.case_sensitive)}


def _numerical_cells(item: Numerical) -> dict[str, Cell]:
    return {"answer": Number(item.answer), "tolerance": Number(item.tolerance)}


def _matching_cells(item: Matching) -> dict[str, Cell]:
    return {
        "pairs": _list([{"prompt": p.prompt, "match": p.match} for p in item.pairs]),
        "distractors": _list(item.distractors),
    }


def _essay_cells(item: Essay) -> dict[str, Cell]:
    return {"guidance": item.guidance or ""}


_TYPE_CELLS: dict[type, Callable[..., dict[str, Cell]]] = {
    MultipleChoice: _choice_cells,
    MultipleResponse: _choice_cells,
    TrueFalse: _true_false_cells,
    ShortAnswer: _short_answer_cells,
    Numerical: _numerical_cells,
    Matching: _matching_cells,
    Essay: _essay_cells,
}


def row_cells(entry: BankItem) -> dict[str, Cell]:
    """Every column's value for one item, before neutralisation (numbers as :class:`Number`)."""
    item = entry.item
    cells: dict[str, Cell] = {
        "id": item.id,
        "type": item.type,
        "title": item.title or "",
        "stem": item.stem,
        "explanation": item.explanation or "",
        "points": Number(item.points),
        "tags": _list(item.tags),
        "objectives": _list(item.objectives),
        "difficulty": item.difficulty or "",
        "status": item.status,
        "author": item.author or "",
        "references": _list(item.references),
        "language": item.language or "",
        "shuffle": _bool(item.shuffle),
        "lint_ignore": _list(item.lint.ignore),
        "category": _list(entry.category),
    }
    cells.update(_TYPE_CELLS[type(item)](item))
    return cells


def write_cell(value: Cell) -> str:
    """The text written for a cell: finite numbers as numbers, everything else neutralised."""
    if isinstance(value, Number) and math.isfinite(value):
        return format_number(value)
    if isinstance(value, Number):  # nan/inf/-inf: "-inf" would look like a formula
        return neutralise(repr(float(value)))
    return neutralise(value)


def _media_warning(item: Item) -> ExportWarning | None:
    files: list[str] = []
    for _, text in text_fields(item, markdown_only=True):
        for ref in media_refs(text):
            if ref.is_local and ref.local_path not in files:
                files.append(ref.local_path)
    if not files:
        return None
    names = ", ".join(files)
    return ExportWarning(
        item.id,
        f"CSV holds text only: the file(s) {names} are not included (the Markdown reference is kept); copy them alongside the CSV",
    )


class CsvExporter(Exporter):
    name = "csv"
    label = "CSV"
    extension = ".csv"
    description = "CSV, one row per item (UTF-8, RFC 4180; JSON arrays in multi-valued cells)"

    def export(self, items: Sequence[BankItem], options: ExportOptions) -> ExportResult:
        buffer = io.StringIO()
        if options.csv_bom:
            buffer.write(BOM)
        writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(COLUMNS)
        warnings: list[ExportWarning] = []
        for entry in items:
            cells = row_cells(entry)
            writer.writerow([write_cell(cells.get(column, "")) for column in COLUMNS])
            warning = _media_warning(entry.item)
            if warning is not None:
                warnings.append(warning)
        return ExportResult(buffer.getvalue().encode("utf-8"), warnings, written=len(items))
