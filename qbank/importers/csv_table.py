"""CSV: the exact inverse of the CSV export (``exporters/csv_table.py``), for files a spreadsheet touched.

The export's docstring is the specification; this reader undoes it step by step:

* UTF-8 with or without a byte-order mark. Any other encoding is refused with the fix ("save as
  CSV UTF-8"), because guessing a legacy code page silently garbles letters.
* RFC 4180 records ending in CRLF, LF or CR (spreadsheets differ), quoted cells with doubled inner
  quotes, line breaks inside quoted cells kept as written. A file saved by a spreadsheet set to a
  decimal-comma locale uses ``;`` (or a tab) between cells: the separator is taken from the header.
* The header names the columns, so their order does not matter, names are compared ignoring case,
  surrounding blanks and ``-``/space versus ``_``, optional columns may be missing, and unknown
  columns are reported once and ignored. ``id``, ``type`` and ``stem`` must be there.
* Formula neutralisation is undone by the documented rule: one leading ``'`` is removed from every
  cell that starts with one.
* Empty cell: the value is absent (single-valued) or an empty list (multi-valued). Multi-valued
  cells are JSON arrays; numbers use ``.``; booleans are ``true``/``false`` (any letter case, since
  Excel rewrites them as ``TRUE``/``FALSE``).
* Text is Markdown and stays exactly as written.
* ``category`` becomes the item's category (``--group-by category``), ``lint_ignore`` its
  ``lint.ignore`` list.

A row that cannot become an item (bad JSON, an unknown type, a value the model refuses) is skipped
with a note naming the physical line where the record starts; the other rows still import.
JSON nested more than 32 levels deep in a cell (no export writes that; only a damaged or hostile
file has it) refuses the whole file, naming the line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

from pydantic import ValidationError

from qbank.exporters.csv_table import BOM, COLUMNS, NEUTRALISER
from qbank.importers import (
    ImportedItem,
    Importer,
    ImportFailure,
    ImportNote,
    ImportResult,
)
from qbank.importers.ids import derive_id
from qbank.importers.safety import decode_text
from qbank.model import ITEM_ADAPTER, ITEM_TYPES

REQUIRED = ("id", "type", "stem")
DELIMITERS = (",", ";", "\t")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")

# Which type-specific columns each type reads; a filled cell outside its type is reported.
_TYPE_COLUMNS: dict[str, frozenset[str]] = {
    "multiple_choice": frozenset({"options", "correct", "rationales"}),
    "multiple_response": frozenset({"options", "correct", "rationales"}),
    "true_false": frozenset({"answer", "true_rationale", "false_rationale"}),
    "short_answer": frozenset({"answer", "case_sensitive"}),
    "numerical": frozenset({"answer", "tolerance"}),
    "matching": frozenset({"pairs", "distractors"}),
    "essay": frozenset({"guidance"}),
}
_SPECIFIC = frozenset().union(*_TYPE_COLUMNS.values())
_OPTIONAL_TEXT = ("title", "explanation", "author")  # Markdown or plain text, kept exactly
_LIST_COLUMNS = ("tags", "objectives", "references")


class _RowError(Exception):
    """This row cannot become an item; the message says why and how to fix it."""


class _Refused(Exception):
    """The whole file is refused (damaged or hostile beyond one row); the message says why and the fix."""


MAX_JSON_DEPTH = 32
"""Deepest JSON nesting read from a cell; exports write at most 2 (an array of pairs)."""


def _decode(data: bytes, filename: str) -> str:
    return decode_text(
        data,
        filename,
        fix='save it as "CSV UTF-8" in the spreadsheet (a legacy code page would garble every non-ASCII letter)',
    ).removeprefix(BOM)


def _records(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(physical line where the record starts, cells) for each record, RFC 4180 with lenient line ends.

    Like spreadsheets and Python's csv module, a quote inside an unquoted cell is kept as text, and
    text after a closing quote is appended to the cell; an unclosed quoted cell is an error.
    """
    unquoted = re.compile(f"[^{re.escape(delimiter)}\\r\\n]*")
    pos, line, end = 0, 1, len(text)
    while pos < end:
        start_line = line
        cells: list[str] = []
        while True:
            if text.startswith('"', pos):
                cell_line, parts, scan = line, [], pos + 1
                while True:
                    close = text.find('"', scan)
                    if close < 0:
                        raise ImportFailure(
                            f"a quoted cell that starts on line {cell_line} is never closed (a missing \"); "
                            "check that quotes inside cells are doubled",
                            cell_line,
                        )
                    parts.append(text[scan:close])
                    if text.startswith('"', close + 1):
                        parts.append('"')
                        scan = close + 2
                        continue
                    break
                tail = unquoted.match(text, close + 1)
                assert tail is not None  # the pattern matches the empty string
                parts.append(tail.group())
                line += len(_LINE_BREAK.findall(text, pos, tail.end()))
                pos = tail.end()
                cells.append("".join(parts))
            else:
                match = unquoted.match(text, pos)
                assert match is not None
                cells.append(match.group())
                pos = match.end()
            if text.startswith(delimiter, pos):
                pos += len(delimiter)
                continue
            brk = _LINE_BREAK.match(text, pos)
            if brk:
                pos = brk.end()
                line += 1
            break
        yield start_line, cells


def _column_name(cell: str) -> str:
    return re.sub(r"[\s-]+", "_", cell.strip().lower())


def _blank(cells: list[str]) -> bool:
    return not any(c.strip() for c in cells)


@dataclass
class _Header:
    delimiter: str
    line: int
    names: list[str]
    records: Iterator[tuple[int, list[str]]]


def _header(text: str, filename: str) -> _Header:
    """The header record with the separator that makes it name id, type and stem."""
    best: _Header | None = None
    for delimiter in DELIMITERS:
        records = _records(text, delimiter)
        for line, cells in records:
            if not _blank(cells):
                header = _Header(delimiter, line, [_column_name(c) for c in cells], records)
                break
        else:
            raise ImportFailure(f"{filename}: the file is empty; a qbank CSV starts with the header row ({','.join(REQUIRED)},...)")
        if all(name in header.names for name in REQUIRED):
            return header
        if best is None or len(header.names) > len(best.names):
            best = header
    assert best is not None
    missing = [name for name in REQUIRED if name not in best.names]
    raise ImportFailure(
        f"{filename}: the header row has no {', '.join(repr(m) for m in missing)} column "
        f"(required: {', '.join(REQUIRED)}); the first row must be the header that `qbank export --format csv` writes",
        best.line,
    )


def _unneutralise(cell: str) -> str:
    return cell[1:] if cell.startswith(NEUTRALISER) else cell


def _json_depth(text: str) -> int:
    """How deeply arrays and objects nest in JSON ``text`` (brackets inside strings do not count)."""
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')


def _json_list(column: str, cell: str) -> list[Any]:
    if not cell.strip():
        return []
    too_deep = _Refused(
        f"the {column!r} cell nests JSON more than {MAX_JSON_DEPTH} levels deep, which no export writes; "
        'write it as a flat array such as ["first","second"]'
    )
    if cell.count("[") + cell.count("{") > MAX_JSON_DEPTH and _json_depth(cell) > MAX_JSON_DEPTH:
        raise too_deep  # json.loads would stop with a RecursionError
    try:
        value = json.loads(cell)
    except RecursionError:
        raise too_deep from None
    except json.JSONDecodeError as exc:
        raise _RowError(f"the {column!r} cell is not a JSON array ({exc.msg}); write it like [\"first\",\"second\"]") from None
    if not isinstance(value, list):
        raise _RowError(f"the {column!r} cell must be a JSON array such as [\"first\",\"second\"], not {cell.strip()[:40]!r}")
    return value


def _boolean(column: str, cell: str) -> bool:
    value = cell.strip().lower()
    if value not in ("true", "false"):
        raise _RowError(f"the {column!r} cell must be true or false, not {cell.strip()[:40]!r}")
    return value == "true"


def _number(column: str, cell: str) -> int | float:
    value = cell.strip()
    if _INTEGER.match(value):
        return int(value)
    try:
        return float(value)
    except ValueError:
        hint = " (use . as the decimal point)" if "," in value else ""
        raise _RowError(f"the {column!r} cell must be a number, not {value[:40]!r}{hint}") from None


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(p) for p in err["loc"][1:] or err["loc"])  # loc[0] is the type tag
        parts.append(f"{loc}: {err['msg']}" if loc else err["msg"])
    more = f" (and {exc.error_count() - 3} more)" if exc.error_count() > 3 else ""
    return "; ".join(parts) + more


def _row_data(cells: dict[str, str], notes: list[str]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The item's data (without its id) and category from one row's cells (already unneutralised)."""
    raw_type = cells.get("type", "").strip()
    kind = _column_name(raw_type)
    if kind not in ITEM_TYPES:
        shown = repr(raw_type) if raw_type else "an empty type"
        raise _RowError(f"{shown} is not an item type (types: {', '.join(ITEM_TYPES)})")
    data: dict[str, Any] = {"type": kind, "stem": cells.get("stem", "")}
    for name in _OPTIONAL_TEXT:
        if cells.get(name, ""):
            data[name] = cells[name]
    for name in ("difficulty", "status"):
        if cells.get(name, "").strip():
            data[name] = cells[name].strip().lower()
    if cells.get("language", "").strip():
        data["language"] = cells["language"].strip()
    if cells.get("points", "").strip():
        data["points"] = _number("points", cells["points"])
    for name in _LIST_COLUMNS:
        data[name] = _json_list(name, cells.get(name, ""))
    if cells.get("shuffle", "").strip():
        data["shuffle"] = _boolean("shuffle", cells["shuffle"])
    data["lint"] = {"ignore": _json_list("lint_ignore", cells.get("lint_ignore", ""))}
    category = _json_list("category", cells.get("category", ""))
    if not all(isinstance(c, str) for c in category):
        raise _RowError("the 'category' cell must be a JSON array of folder names (strings)")

    applies = _TYPE_COLUMNS[kind]
    for name in sorted(_SPECIFIC - applies, key=COLUMNS.index):
        if cells.get(name, "").strip():
            notes.append(f"the {name!r} cell does not apply to {kind} items; ignored")

    if kind in ("multiple_choice", "multiple_response"):
        texts = _json_list("options", cells.get("options", ""))
        correct = _json_list("correct", cells.get("correct", ""))
        rationales = _json_list("rationales", cells.get("rationales", "")) or [None] * len(texts)
        if not (len(texts) == len(correct) == len(rationales)):
            raise _RowError(
                f"'options' has {len(texts)} entries, 'correct' {len(correct)} and 'rationales' {len(rationales)}; "
                "they must match one to one (rationales may be left empty)"
            )
        data["options"] = [
            {"text": t, "correct": c, **({"rationale": r} if r is not None else {})} for t, c, r in zip(texts, correct, rationales)
        ]
    elif kind == "true_false":
        if not cells.get("answer", "").strip():
            raise _RowError("a true_false item needs answer true or false")
        data["answer"] = _boolean("answer", cells["answer"])
        for name in ("true_rationale", "false_rationale"):
            if cells.get(name, ""):
                data[name] = cells[name]
    elif kind == "short_answer":
        data["answers"] = _json_list("answer", cells.get("answer", ""))
        if cells.get("case_sensitive", "").strip():
            data["case_sensitive"] = _boolean("case_sensitive", cells["case_sensitive"])
    elif kind == "numerical":
        if not cells.get("answer", "").strip():
            raise _RowError("a numerical item needs its answer, a number")
        data["answer"] = _number("answer", cells["answer"])
        if cells.get("tolerance", "").strip():
            data["tolerance"] = _number("tolerance", cells["tolerance"])
    elif kind == "matching":
        data["pairs"] = _json_list("pairs", cells.get("pairs", ""))
        data["distractors"] = _json_list("distractors", cells.get("distractors", ""))
    elif kind == "essay" and cells.get("guidance", ""):
        data["guidance"] = cells["guidance"]
    return data, tuple(category)


@dataclass
class _Row:
    line: int
    raw_id: str
    data: dict[str, Any]
    category: tuple[str, ...]


class CsvImporter(Importer):
    name = "csv"
    label = "CSV"
    extensions = (".csv",)

    def detect(self, data: bytes, filename: str) -> bool:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return False
        # A file whose header row is ours but whose text is not UTF-8 (Excel's plain "CSV" is a legacy
        # code page) is still claimed, so that reading it explains the encoding instead of "cannot
        # tell the format".
        text = data.decode("utf-8", errors="replace").removeprefix(BOM)
        try:
            _header(text, filename)
        except ImportFailure:
            return False
        return True

    def read(self, data: bytes, filename: str) -> ImportResult:
        try:
            return self._read(data, filename)
        except ImportFailure as exc:
            if exc.message.startswith(f"{filename}: "):
                raise
            raise ImportFailure(f"{filename}: {exc.message}", exc.line) from None

    def _read(self, data: bytes, filename: str) -> ImportResult:
        text = _decode(data, filename)
        header = _header(text, filename)
        result = ImportResult()
        known = set(COLUMNS)
        index: dict[str, int] = {}
        unknown: list[str] = []
        unnamed: list[int] = []
        for i, name in enumerate(header.names):
            if name in known:
                if name in index:
                    raise ImportFailure(
                        f"{filename}: the column {name!r} appears twice in the header (columns {index[name] + 1} and {i + 1}); "
                        "delete one of them",
                        header.line,
                    )
                index[name] = i
            elif name:
                unknown.append(name)
            else:
                unnamed.append(i)
        if unknown:
            result.notes.append(
                ImportNote(f"column(s) {', '.join(repr(u) for u in unknown)} are not qbank columns; their cells are ignored", header.line)
            )

        rows: list[_Row] = []
        unnamed_used = False
        data_rows = 0
        for line, raw in header.records:
            if _blank(raw):
                continue  # spreadsheets leave empty rows (",,,,") behind
            data_rows += 1
            unnamed_used = unnamed_used or any(i < len(raw) and raw[i].strip() for i in unnamed)
            if len(raw) > len(header.names) and not _blank(raw[len(header.names):]):
                result.notes.append(
                    ImportNote(f"the row has {len(raw)} cells but the header names {len(header.names)}; the extra cells are ignored", line)
                )
            cells = {name: _unneutralise(raw[i]) if i < len(raw) else "" for name, i in index.items()}
            messages: list[str] = []
            try:
                item_data, category = _row_data(cells, messages)
                ITEM_ADAPTER.validate_python({"id": "x", **item_data})  # the id is assigned below
            except _RowError as exc:
                result.notes.append(ImportNote(f"row skipped: {exc}", line, cells["id"].strip() or None))
                continue
            except _Refused as exc:
                raise ImportFailure(f"{filename}: {exc}", line) from None
            except ValidationError as exc:
                result.notes.append(ImportNote(f"row skipped: not a valid item: {_validation_message(exc)}", line, cells["id"].strip() or None))
                continue
            rows.append(_Row(line, cells["id"].strip(), item_data, category))
            result.notes.extend(ImportNote(m, line, cells["id"].strip() or None) for m in messages)
        if unnamed_used:
            result.notes.append(ImportNote("cells under a column with no name in the header are ignored", header.line))

        ids = self._assign_ids(rows, result.notes)
        for row, item_id in zip(rows, ids):
            item = ITEM_ADAPTER.validate_python({"id": item_id, **row.data})
            result.items.append(ImportedItem(item, category=row.category, line=row.line))
        if data_rows and not rows:
            first = next(n for n in result.notes if n.message.startswith("row skipped"))
            problem = first.message.removeprefix("row skipped: ")
            raise ImportFailure(f"{filename}: no row could be imported; the first problem: {problem}", first.line)
        if not data_rows:
            result.notes.append(ImportNote("the file has a header row but no items", header.line))
        result.notes.sort(key=lambda n: n.line or 0)
        return result

    @staticmethod
    def _assign_ids(rows: list[_Row], notes: list[ImportNote]) -> list[str]:
        """Ids from the id column first (so a filled-in id is never displaced), then derived ones."""
        taken: set[str] = set()
        ids: list[str] = [""] * len(rows)
        first_line: dict[str, int] = {}
        for i, row in enumerate(rows):
            if not row.raw_id:
                continue
            new = derive_id(row.raw_id, row.data["stem"], taken)
            ids[i] = new
            if row.raw_id in first_line:
                notes.append(ImportNote(f"the id {row.raw_id!r} is already used on line {first_line[row.raw_id]}; imported as {new!r}", row.line, new))
            elif new != row.raw_id:
                notes.append(ImportNote(f"{row.raw_id!r} is not a valid id (letters, digits, '.', '_', '-'; at most 80); imported as {new!r}", row.line, new))
            first_line.setdefault(row.raw_id, row.line)
        for i, row in enumerate(rows):
            if row.raw_id:
                continue
            ids[i] = derive_id(row.data.get("title"), row.data["stem"], taken)
            notes.append(ImportNote(f"the id cell is empty; the item gets the id {ids[i]!r}", row.line, ids[i]))
        return ids
