"""The CSV export as a reviewer and `qbank import` meet it.

Every file is read twice: with Python's :mod:`csv` module and with a strict RFC 4180 reader written
here from the RFC's grammar (so a quoting mistake that the forgiving csv module would paper over
still fails). Rows are then decoded with :func:`read_row`, which implements the encoding documented
in ``exporters/csv_table.py`` from the documentation alone (JSON arrays, empty cells, booleans,
numbers, and undoing the formula neutralisation), and the rebuilt items must equal the originals.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any, Sequence

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbank.cli import main
from qbank.exporters import BankItem, ExportOptions, ExportResult
from qbank.exporters.csv_table import COLUMNS, CsvExporter
from qbank.model import ITEM_ADAPTER, ITEM_TYPES, Item
from tests.exporters.conftest import HOSTILE, OPTIONS, _item, bank_items
from tests.exporters.strategies import banks

HEADER = (
    "id,type,title,stem,options,correct,rationales,answer,tolerance,case_sensitive,pairs,distractors,"
    "guidance,explanation,true_rationale,false_rationale,points,tags,objectives,difficulty,status,author,"
    "references,language,shuffle,lint_ignore,category"
)
BOM = b"\xef\xbb\xbf"


def export(items: Sequence[BankItem], **options: Any) -> ExportResult:
    opts = ExportOptions(**{"title": OPTIONS.title, "identifier": OPTIONS.identifier, **options})
    return CsvExporter().export(items, opts)


# --- an independent, strict RFC 4180 reader -------------------------------------------------------


def rfc4180_records(text: str) -> list[list[str]]:
    """Records per RFC 4180 section 2, strictly: CRLF after every record, quotes only as the grammar
    allows (an unquoted field holding a quote, comma, CR or LF is an error, not a guess)."""
    records: list[list[str]] = []
    pos = 0
    while pos < len(text):
        record: list[str] = []
        while True:
            if text.startswith('"', pos):
                end = pos + 1
                value: list[str] = []
                while True:
                    close = text.index('"', end)  # ValueError: unterminated quoted field
                    value.append(text[end:close])
                    if text.startswith('"', close + 1):
                        value.append('"')
                        end = close + 2
                    else:
                        pos = close + 1
                        break
                record.append("".join(value))
            else:
                end = pos
                while end < len(text) and text[end] not in ',\r\n"':
                    end += 1
                assert not text.startswith('"', end), f"bare quote in an unquoted field at {end}"
                record.append(text[pos:end])
                pos = end
            if text.startswith(",", pos):
                pos += 1
                continue
            assert text.startswith("\r\n", pos), f"record not ended by CRLF at {pos}: {text[pos:pos + 20]!r}"
            pos += 2
            break
        records.append(record)
    return records


def parse(data: bytes) -> list[dict[str, str]]:
    """Rows by column name, after checking that both readers see exactly the same cells."""
    text = data.decode("utf-8")  # strict: the file must be valid UTF-8
    assert not text.startswith("\ufeff"), "no BOM unless asked for"
    strict = rfc4180_records(text)
    loose = list(csv.reader(io.StringIO(text, newline="")))
    assert strict == loose
    header, *rows = strict
    assert header == list(COLUMNS)
    assert all(len(row) == len(COLUMNS) for row in rows)
    return [dict(zip(header, row)) for row in rows]


# --- the documented encoding, inverted ------------------------------------------------------------

NUMBER_COLUMNS = {"points", "tolerance"}
LIST_COLUMNS = {"options", "correct", "rationales", "pairs", "distractors", "tags", "objectives", "references", "lint_ignore", "category"}
BOOL_COLUMNS = {"case_sensitive", "shuffle"}
OPTIONAL_TEXT = {"title", "guidance", "explanation", "true_rationale", "false_rationale", "difficulty", "author", "language"}


def unneutralise(cell: str) -> str:
    """The documented reverse rule: a cell that starts with ' had exactly one ' added."""
    return cell.removeprefix("'")


def boolean(cell: str) -> bool:
    assert cell in ("true", "false"), cell
    return cell == "true"


def read_row(raw: dict[str, str]) -> tuple[Item, tuple[str, ...]]:
    """Rebuild the item (and its category) from one row, as ``qbank import`` is meant to."""
    row = {name: unneutralise(value) for name, value in raw.items()}
    kind = row["type"]
    data: dict[str, Any] = {"id": row["id"], "type": kind, "stem": row["stem"], "status": row["status"]}
    for name in OPTIONAL_TEXT:
        if row[name]:
            data[name] = row[name]
    for name in ("tags", "objectives", "references"):
        data[name] = json.loads(row[name]) if row[name] else []
    data["points"] = float(row["points"])
    data["shuffle"] = boolean(row["shuffle"])
    data["lint"] = {"ignore": json.loads(row["lint_ignore"]) if row["lint_ignore"] else []}
    lists = {name: json.loads(row[name]) if row[name] else [] for name in ("options", "correct", "rationales", "pairs", "distractors")}
    if kind in ("multiple_choice", "multiple_response"):
        assert len(lists["options"]) == len(lists["correct"]) == len(lists["rationales"])
        data["options"] = [
            {"text": t, "correct": c, "rationale": r} for t, c, r in zip(lists["options"], lists["correct"], lists["rationales"])
        ]
    elif kind == "true_false":
        data["answer"] = boolean(row["answer"])
    elif kind == "short_answer":
        data["answers"] = json.loads(row["answer"]) if row["answer"] else []
        data["case_sensitive"] = boolean(row["case_sensitive"])
    elif kind == "numerical":
        data["answer"] = float(row["answer"])
        data["tolerance"] = float(row["tolerance"])
    elif kind == "matching":
        data["pairs"] = lists["pairs"]
        data["distractors"] = lists["distractors"]
    applies = {
        "multiple_choice": {"options", "correct", "rationales"},
        "multiple_response": {"options", "correct", "rationales"},
        "true_false": {"answer", "true_rationale", "false_rationale"},
        "short_answer": {"answer", "case_sensitive"},
        "numerical": {"answer", "tolerance"},
        "matching": {"pairs", "distractors"},
        "essay": {"guidance"},
    }[kind]
    for name in ("options", "correct", "rationales", "answer", "tolerance", "case_sensitive", "pairs", "distractors",
                 "guidance", "true_rationale", "false_rationale"):
        assert name in applies or raw[name] == "", f"{row['id']}: {name} does not apply to {kind}"
    category = tuple(json.loads(row["category"])) if row["category"] else ()
    return ITEM_ADAPTER.validate_python(data), category


def dump(item: Item) -> dict[str, Any]:
    return ITEM_ADAPTER.dump_python(item)  # type: ignore[no-any-return]


def assert_round_trip(items: Sequence[BankItem], data: bytes) -> list[dict[str, str]]:
    rows = parse(data)
    assert [r["id"] for r in rows] == [b.item.id for b in items]
    for entry, row in zip(items, rows):
        rebuilt, category = read_row(row)
        assert dump(rebuilt) == dump(entry.item), entry.item.id
        assert category == entry.category
    return rows


# --- the fixtures, every column ---------------------------------------------------------------------


def test_all_types_round_trip_every_column(all_types: list[BankItem]) -> None:
    result = export(all_types)
    assert result.warnings == []
    rows = {r["id"]: r for r in assert_round_trip(all_types, result.data)}

    mc = rows["mc-basic"]
    assert (mc["type"], mc["title"], mc["points"], mc["status"], mc["shuffle"]) == (
        "multiple_choice", "Essential quality", "2", "approved", "true",
    )
    assert json.loads(mc["options"])[0] == "Active listening and empathy"
    assert json.loads(mc["correct"]) == [True, False, False, False]
    assert json.loads(mc["rationales"])[1] == "Indifference makes peers withdraw."
    assert mc["explanation"] == "General feedback with **bold** text."  # Markdown kept as is
    assert mc["tags"] == '["core-skills"]' and mc["category"] == '["fixtures","multiple_choice"]'
    assert mc["objectives"] == mc["references"] == mc["author"] == mc["difficulty"] == mc["language"] == ""

    mr = rows["mr-basic"]
    assert json.loads(mr["correct"]) == [True, True, True, False, False]
    assert rows["mc-hostile"]["title"] == "" and rows["mc-hostile"]["shuffle"] == "false"

    assert rows["tf-basic"]["answer"] == "true" and rows["tf-false"]["answer"] == "false"
    assert rows["tf-basic"]["true_rationale"] == "Right: setbacks are part of recovery."
    assert rows["tf-false"]["true_rationale"] == rows["tf-false"]["false_rationale"] == ""

    assert json.loads(rows["sa-basic"]["answer"]) == ["Wellness Recovery Action Plan", "WRAP"]
    assert rows["sa-basic"]["case_sensitive"] == "false" and rows["sa-case"]["case_sensitive"] == "true"

    assert (rows["num-basic"]["answer"], rows["num-basic"]["tolerance"]) == ("10", "0")
    assert (rows["num-tolerance"]["answer"], rows["num-tolerance"]["tolerance"]) == ("-3.25", "0.5")

    match = rows["match-basic"]
    assert json.loads(match["pairs"])[0] == {"prompt": "Precontemplation", "match": "Not yet considering change"}
    assert json.loads(match["distractors"]) == ["Relapse prevention only"]
    assert rows["essay-basic"]["guidance"] == "Look for mutuality, hope and a clear account of the role."


def test_hostile_text_survives_quotes_commas_and_newlines(all_types: list[BankItem]) -> None:
    data = export(all_types).data
    row = next(r for r in parse(data) if r["id"] == "mc-hostile")
    assert row["stem"] == HOSTILE + "\n\nA second paragraph after a blank line.\n\n- a list item\n- another"
    assert row["explanation"] == HOSTILE + "\n\nSecond paragraph of the explanation."
    assert json.loads(row["rationales"]) == [HOSTILE, "Feedback with # hash and : colon", "Line one\n\nParagraph two"]
    assert json.loads(row["options"])[0] == "=SUM(A1:A2) looks like a formula"  # inside a JSON cell that starts with [
    # On the wire: the cell is quoted, inner quotes doubled, the paragraph break kept as LF.
    quoted = '"' + HOSTILE.replace('"', '""') + "\n\nA second paragraph"
    assert quoted.encode("utf-8") in data
    assert "café ≥ 5 ✓".encode("utf-8") in data


def test_records_end_in_crlf_and_text_keeps_its_own_line_breaks(all_types: list[BankItem]) -> None:
    data = export(all_types).data
    assert data.startswith(HEADER.encode("ascii") + b"\r\n")
    assert data.endswith(b"\r\n")
    assert data.count(b"\r\n") == len(all_types) + 1  # one per record, none inside cells (text uses LF)
    assert b"blank line.\n\n- a list item\n- another" in data


def test_sample_bank_round_trips(sample_bank: list[BankItem]) -> None:
    result = export(sample_bank)
    assert result.warnings == []
    rows = assert_round_trip(sample_bank, result.data)
    assert len(rows) == len(sample_bank) == 48
    assert {r["type"] for r in rows} == set(ITEM_TYPES)


# --- formula neutralisation ---------------------------------------------------------------------------


def test_formula_cells_are_neutralised_and_numbers_are_not() -> None:
    item = _item(
        id="formulas", type="numerical", title="=HYPERLINK(\"http://x\",\"y\")", stem="+1+1 is a stem",
        explanation="-minus first", author="@SUM(A1)", answer=-3.25, tolerance=0.5, points=1.5,
        references=["=in a list"],
    )
    essay = _item(id="tabs", type="essay", stem="\tstarts with a tab", guidance="\rstarts with CR", explanation="'=already quoted")
    tf = _item(id="quotes", type="true_false", stem="'plain apostrophe start", answer=True, true_rationale="''two", false_rationale="a=b")
    items = bank_items([item, essay, tf])
    data = export(items).data
    rows = {r["id"]: r for r in assert_round_trip(items, data)}
    f, e, q = rows["formulas"], rows["tabs"], rows["quotes"]
    assert f["title"] == "'=HYPERLINK(\"http://x\",\"y\")"
    assert f["stem"] == "'+1+1 is a stem"
    assert f["explanation"] == "'-minus first"
    assert f["author"] == "'@SUM(A1)"
    assert f["references"] == '["=in a list"]'  # starts with [: never a formula
    assert (f["answer"], f["tolerance"], f["points"]) == ("-3.25", "0.5", "1.5")
    assert b",-3.25,0.5," in data  # a bare number on the wire, not quoted, not prefixed
    assert e["stem"] == "'\tstarts with a tab"
    assert e["guidance"] == "'\rstarts with CR"
    assert e["explanation"] == "''=already quoted"
    assert q["stem"] == "''plain apostrophe start"
    assert q["true_rationale"] == "'''two"
    assert q["false_rationale"] == "a=b"  # only the first character matters
    assert q["answer"] == "true"


def test_every_text_cell_starting_with_a_trigger_is_prefixed() -> None:
    """No cell in the file starts with a formula character unless it is a plain number."""
    triggers = "=+-@\t\r\n\0'"
    items = [
        _item(id=f"t{i}", type="essay", stem=f"{ch}stem", explanation=f"{ch}expl", guidance=f"{ch}g", title=f"{ch}t", author=f"{ch}a")
        for i, ch in enumerate(triggers)
    ]
    rows = parse(export(bank_items(items)).data)
    for row in rows:
        for column, cell in row.items():
            if cell and cell[0] in triggers and column not in ("points", "tolerance", "answer"):
                assert cell.startswith("'") and len(cell) > 1 and cell[1] in triggers, (column, cell)


def test_non_finite_numbers_cannot_pass_as_formulas() -> None:
    item = _item(id="inf", type="numerical", stem="Odd but valid.", answer=-math.inf, tolerance=math.inf)
    rows = parse(export(bank_items([item])).data)
    assert (rows[0]["answer"], rows[0]["tolerance"]) == ("'-inf", "inf")
    rebuilt, _ = read_row(rows[0])
    assert rebuilt.answer == -math.inf and rebuilt.tolerance == math.inf  # type: ignore[union-attr]


# --- options, media, determinism, lint settings ---------------------------------------------------------


def test_bom_option_prefixes_exactly_one_bom(all_types: list[BankItem]) -> None:
    plain = export(all_types).data
    with_bom = export(all_types, csv_bom=True).data
    assert not plain.startswith(BOM)
    assert with_bom == BOM + plain
    assert with_bom.decode("utf-8-sig") == plain.decode("utf-8")


def test_export_is_deterministic(all_types: list[BankItem], sample_bank: list[BankItem]) -> None:
    assert export(all_types).data == export(all_types).data
    assert export(sample_bank).data == export(sample_bank).data


def test_image_reference_is_kept_and_the_missing_file_is_reported(image_item: BankItem) -> None:
    result = export([image_item])
    [row] = assert_round_trip([image_item], result.data)
    assert "![A readiness ruler at 3](media/ruler.png)" in row["stem"]
    [warning] = result.warnings
    assert warning.item_id == "mc-image"
    assert "media/ruler.png" in warning.message and "not included" in warning.message


def test_lint_settings_and_metadata_round_trip() -> None:
    item = _item(
        id="meta", type="multiple_choice", stem="Which?", difficulty="hard", author="Ana, \"the\" author", language="en-GB",
        objectives=["CPS-1", "a,b"], references=["Book; p. 3", ""], lint={"ignore": ["QB305", "longest-option-is-key"]},
        options=[{"text": "A", "correct": True}, {"text": "B"}, {"text": "C", "rationale": ""}],
    )
    entry = [BankItem(item, {}, ("ethics", "boundaries"))]
    [row] = parse(export(entry).data)
    assert row["lint_ignore"] == '["QB305","longest-option-is-key"]'
    assert row["category"] == '["ethics","boundaries"]'
    assert json.loads(row["rationales"]) == [None, None, ""]
    rebuilt, category = read_row(row)
    assert dump(rebuilt) == dump(item) and category == ("ethics", "boundaries")


def test_no_items_gives_the_header_alone() -> None:
    assert export([]).data == HEADER.encode("ascii") + b"\r\n"


# --- the CLI -----------------------------------------------------------------------------------------


def test_cli_export_with_bom(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "items" / "ethics"
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text(
        "id: cli-a\ntype: true_false\nstem: \"=1+1 is two.\"\nanswer: true\n"
        "true_rationale: Right.\nfalse_rationale: It is two.\nexplanation: Arithmetic.\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["export", "items", "--format", "csv", "-o", "out.csv", "--bom"])
    assert result.exit_code == 0, result.output
    data = (tmp_path / "out.csv").read_bytes()
    assert data.startswith(BOM)
    [row] = parse(data[len(BOM):])
    assert row["stem"] == "'=1+1 is two." and row["category"] == '["ethics"]'
    rebuilt, _ = read_row(row)
    assert rebuilt.stem == "=1+1 is two."


# --- generated banks ------------------------------------------------------------------------------------

categories = st.lists(st.text(alphabet="ab/,\"'= é\n", min_size=1, max_size=6), max_size=3).map(tuple)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bank=banks(), category=categories, bom=st.booleans())
def test_generated_banks_round_trip(bank: list[Item], category: tuple[str, ...], bom: bool) -> None:
    items = [BankItem(it, {}, category) for it in bank]
    data = export(items, csv_bom=bom).data
    assert data.startswith(BOM) == bom
    assert_round_trip(items, data.removeprefix(BOM))
    assert export(items, csv_bom=bom).data == data
