"""CSV and Aiken import: the CSV export read back exactly (also after a spreadsheet touched it), and
Aiken files as Moodle users write them, through the importers and through `qbank import`."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any, Sequence

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from qbank.cli import main
from qbank.config import Config
from qbank.export import load_bank
from qbank.exporters import BankItem, ExportOptions
from qbank.exporters.csv_table import COLUMNS, CsvExporter
from qbank.importers import ImportFailure, ImportResult, detect_format
from qbank.importers.aiken import AikenImporter
from qbank.importers.csv_table import CsvImporter
from qbank.loader import load_paths
from qbank.markup import markdown_to_html
from qbank.model import ITEM_ADAPTER, ITEM_TYPES, Item
from tests.conftest import ROOT
from tests.exporters.conftest import HOSTILE, _item, all_types_items, bank_items
from tests.exporters.strategies import banks, items, plain_text

BOM = b"\xef\xbb\xbf"


# --- helpers ------------------------------------------------------------------------------------------


def export_csv(entries: Sequence[BankItem], bom: bool = False) -> bytes:
    return CsvExporter().export(entries, ExportOptions(csv_bom=bom)).data


def read_csv(data: bytes, name: str = "bank.csv") -> ImportResult:
    return CsvImporter().read(data, name)


def assert_same(entries: Sequence[BankItem], result: ImportResult) -> None:
    """CSV is lossless: every field of every item, and its category, come back exactly."""
    assert [i.item.id for i in result.items] == [e.item.id for e in entries]
    for entry, imported in zip(entries, result.items):
        assert imported.item.model_dump() == entry.item.model_dump(), entry.item.id
        assert imported.category == entry.category, entry.item.id
        assert imported.media == {}


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def write_rows(rows: Sequence[Sequence[str]], *, delimiter: str = ",", newline: str = "\n", bom: bool = False) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return (BOM if bom else b"") + buffer.getvalue().encode("utf-8")


def csv_text(*lines: str) -> bytes:
    """A hand-written CSV: the lines joined with CRLF, as the export writes them."""
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {}


def loaded(folder: Path) -> dict[str, Item]:
    result = load_paths([folder])
    assert not result.problems, result.problems
    return {e.item.id: e.item for e in result.items}


# --- CSV: the export read back exactly ---------------------------------------------------------------

categories = st.lists(st.text(alphabet="ab/,\"'= é\n", min_size=1, max_size=6), max_size=3).map(tuple)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bank=banks(), category=categories, bom=st.booleans())
def test_generated_banks_round_trip_exactly(bank: list[Item], category: tuple[str, ...], bom: bool) -> None:
    entries = [BankItem(it, {}, category) for it in bank]
    data = export_csv(entries, bom=bom)
    assert CsvImporter().detect(data, "x.csv")
    result = read_csv(data)
    assert result.notes == []
    assert_same(entries, result)


@pytest.mark.parametrize("bom", [False, True])
def test_all_types_round_trip(bom: bool) -> None:
    entries = bank_items(all_types_items())
    assert {e.item.type for e in entries} == set(ITEM_TYPES)
    result = read_csv(export_csv(entries, bom=bom))
    assert result.notes == []
    assert_same(entries, result)
    assert result.items[0].line == 2
    # mc-hostile holds paragraph breaks inside its quoted cells: the next record starts lines later.
    assert result.items[2].line > result.items[1].line + 1


def test_hostile_text_and_formula_prefixes_round_trip() -> None:
    triggers = "=+-@\t\r\n\0'"
    odd = [
        _item(id=f"t{i}", type="essay", stem=f"{ch}stem {HOSTILE}", explanation=f"{ch}expl", guidance=f"{ch}g", title=f"{ch}t", author=f"{ch}a")
        for i, ch in enumerate(triggers)
    ]
    odd += [
        _item(
            id="formulas", type="numerical", title="=HYPERLINK(\"http://x\",\"y\")", stem="+1+1 is a stem",
            explanation="-minus first", author="@SUM(A1)", answer=-3.25, tolerance=0.5, points=1.5, references=["=in a list"],
        ),
        _item(id="quotes", type="true_false", stem="'plain apostrophe start", answer=True, true_rationale="''two", false_rationale="a=b"),
        _item(id="inf", type="numerical", stem="Odd but valid.", answer=-float("inf"), tolerance=float("inf")),
        _item(
            id="meta", type="multiple_choice", stem=HOSTILE, difficulty="hard", author="Ana, \"the\" author", language="en-GB",
            objectives=["CPS-1", "a,b"], references=["Book; p. 3", ""], lint={"ignore": ["QB305", "longest-option-is-key"]},
            options=[{"text": "A", "correct": True}, {"text": HOSTILE}, {"text": "C", "rationale": ""}], shuffle=False,
        ),
    ]
    entries = [BankItem(it, {}, ("ethics", "boundaries")) for it in odd]
    for bom in (False, True):
        result = read_csv(export_csv(entries, bom=bom))
        assert result.notes == []
        assert_same(entries, result)
    meta = result.items[-1].item
    assert meta.lint.ignore == ["QB305", "longest-option-is-key"] and meta.options[2].rationale == ""  # type: ignore[union-attr]


def test_sample_bank_round_trips() -> None:
    loaded_bank = load_bank([ROOT / "items"], Config())
    assert not loaded_bank.problems
    entries = [BankItem(e.item, {}, tuple(Path(e.file).parent.parts[-1:])) for e in loaded_bank.items]
    assert len(entries) == 48
    result = read_csv(export_csv(entries))
    assert result.notes == []
    assert_same(entries, result)


# --- CSV: files a spreadsheet has saved -------------------------------------------------------------


def test_lf_line_endings_and_no_bom() -> None:
    entries = bank_items(all_types_items())
    data = export_csv(entries, bom=True)
    assert b"\r\n" in data
    result = read_csv(data.removeprefix(BOM).replace(b"\r\n", b"\n"))
    assert result.notes == []
    assert_same(entries, result)


def test_reordered_columns_extra_column_and_header_spelling() -> None:
    entries = bank_items(all_types_items())
    header, *rows = rows_of(export_csv(entries))
    order = list(reversed(range(len(header))))
    spelled = [f"  {name.replace('_', ' ').title()} " for name in header]  # "Case Sensitive", " Lint Ignore "
    new_header = ["Reviewer notes"] + [spelled[i] for i in order]
    new_rows = [["looks fine"] + [row[i] for i in order] for row in rows]
    data = write_rows([new_header, *new_rows], bom=True)
    result = read_csv(data)
    assert_same(entries, result)
    [note] = result.notes  # the unknown column, reported once
    assert note.line == 1 and "'reviewer_notes'" in note.message and "ignored" in note.message


def test_missing_optional_columns_take_the_defaults() -> None:
    data = csv_text(
        "ID,Type,Stem,Options,Correct",
        'mc-1,multiple_choice,Which one?,"[""Yes"",""No""]","[true,false]"',
        "es-1,essay,Describe it.,,",
    )
    result = read_csv(data)
    assert result.notes == []
    mc, essay = (i.item for i in result.items)
    assert mc.model_dump() == ITEM_ADAPTER.validate_python({
        "id": "mc-1", "type": "multiple_choice", "stem": "Which one?", "options": [{"text": "Yes", "correct": True}, {"text": "No"}],
    }).model_dump()
    assert (essay.status, essay.points, essay.shuffle, essay.tags) == ("draft", 1, True, [])


def test_formula_neutralised_cells_and_excel_booleans() -> None:
    cells = {
        "id": "f1", "type": "true_false", "stem": "'=SUM(A1:A2) is two cells", "answer": "TRUE", "explanation": "'-minus",
        "true_rationale": "''quoted", "false_rationale": "'@x", "points": "2", "status": "approved", "shuffle": "FALSE",
    }
    data = csv_text(",".join(COLUMNS), ",".join(cells.get(c, "") for c in COLUMNS))
    [imported] = read_csv(data).items
    item = imported.item
    assert item.stem == "=SUM(A1:A2) is two cells"
    assert item.explanation == "-minus"
    assert item.true_rationale == "'quoted"  # type: ignore[union-attr]
    assert item.false_rationale == "@x"  # type: ignore[union-attr]
    assert item.answer is True and item.shuffle is False  # type: ignore[union-attr]


def test_semicolon_separated_file_from_a_decimal_comma_locale() -> None:
    entries = bank_items(all_types_items())
    header, *rows = rows_of(export_csv(entries))
    data = write_rows([header, *rows], delimiter=";", newline="\r\n", bom=True)
    assert CsvImporter().detect(data, "x.csv")
    assert_same(entries, read_csv(data))


def test_blank_rows_are_skipped_and_a_short_row_is_padded() -> None:
    data = csv_text(
        "id,type,stem,explanation,author",
        ",,,,",
        "e1,essay,Describe it.",  # a spreadsheet may drop trailing empty cells
        "",
        ",,,,",
    )
    result = read_csv(data)
    assert [i.item.id for i in result.items] == ["e1"] and result.notes == []
    assert result.items[0].line == 3


def test_bad_rows_are_skipped_with_their_line_numbers() -> None:
    def row(**cells: str) -> str:
        return write_rows([[cells.get(c, "") for c in COLUMNS]], newline="\r\n").decode("utf-8").removesuffix("\r\n")

    data = csv_text(
        ",".join(COLUMNS),                                                                      # line 1
        row(id="ok-1", type="essay", stem="A good essay question?"),                           # line 2
        row(id="multi-1", type="essay", stem="A stem over\ntwo lines"),                        # lines 3-4
        row(id="bad-json", type="essay", stem="Tags are broken.", tags='["unclosed",'),        # line 5
        row(id="bad-type", type="multiple_guess", stem="Which?"),                              # line 6
        row(id="bad-points", type="essay", stem="Points below zero.", points="-1"),            # line 7
        row(id="bad-tf", type="true_false", stem="No answer given."),                          # line 8
        row(id="bad-mc", type="multiple_choice", stem="Lengths differ.", options='["a","b"]', correct="[true]"),  # line 9
        row(id="bad-num", type="numerical", stem="Comma decimal.", answer="0,5"),              # line 10
        row(id="ok-2", type="essay", stem="A good essay question?"),                           # line 11
    )
    result = read_csv(data)
    assert [(i.item.id, i.line) for i in result.items] == [("ok-1", 2), ("multi-1", 3), ("ok-2", 11)]
    assert result.items[1].item.stem == "A stem over\ntwo lines"
    notes = {n.line: n for n in result.notes}
    assert sorted(notes) == [5, 6, 7, 8, 9, 10]
    assert "'tags'" in notes[5].message and "JSON" in notes[5].message and notes[5].item_id == "bad-json"
    assert "'multiple_guess' is not an item type" in notes[6].message
    assert "points" in notes[7].message and "greater than 0" in notes[7].message
    assert "true or false" in notes[8].message
    assert "'options' has 2 entries, 'correct' 1" in notes[9].message
    assert "decimal point" in notes[10].message
    assert all(n.message.startswith("row skipped") for n in result.notes)


def test_a_cell_outside_its_type_is_reported_not_dropped_silently() -> None:
    data = csv_text("id,type,stem,guidance,answer", "e1,essay,Describe it.,Look for hope.,42")
    result = read_csv(data)
    [note] = result.notes
    assert note.line == 2 and note.item_id == "e1" and "'answer' cell does not apply to essay" in note.message
    assert result.items[0].item.guidance == "Look for hope."  # type: ignore[union-attr]


def test_ids_empty_invalid_and_duplicated() -> None:
    data = csv_text(
        "id,type,stem,title",
        ",essay,No id here.,",
        ",essay,No id but a title.,Peer Support: Quality #1",
        "My Question 1,essay,Spaces in the id.,",
        "dup,essay,First.,",
        "dup,essay,Second.,",
    )
    first = read_csv(data)
    again = read_csv(data)
    ids = [i.item.id for i in first.items]
    assert ids == [i.item.id for i in again.items]  # stable across re-imports
    assert ids[0].startswith("q-") and ids[1] == "peer-support-quality-1"
    assert ids[2:] == ["my-question-1", "dup", "dup-2"]
    messages = {n.line: n.message for n in first.notes}
    assert "id cell is empty" in messages[2] and "'my-question-1'" in messages[4] and "already used on line 5" in messages[6]


def test_files_that_cannot_be_read_at_all() -> None:
    with pytest.raises(ImportFailure, match=r"bank\.csv: the header row has no 'stem' column"):
        read_csv(csv_text("id,type,question", "a,essay,x"))
    with pytest.raises(ImportFailure, match=r"not UTF-8.*CSV UTF-8") as failure:
        read_csv(csv_text("id,type,stem", "a,essay,ok") + "b,essay,caf\xe9\r\n".encode("latin-1"))
    assert failure.value.line == 3
    with pytest.raises(ImportFailure, match=r"never closed") as failure:
        read_csv(csv_text("id,type,stem", "a,essay,ok", 'b,essay,"unclosed', "c,essay,more"))
    assert failure.value.line == 3
    with pytest.raises(ImportFailure, match=r"'stem' appears twice"):
        read_csv(csv_text("id,type,stem,Stem", "a,essay,x,y"))
    with pytest.raises(ImportFailure, match="empty"):
        read_csv(b"")
    with pytest.raises(ImportFailure, match="UTF-16"):
        read_csv("id,type,stem\r\n".encode("utf-16"))
    with pytest.raises(ImportFailure, match=r"no row could be imported; the first problem: 'mcq' is not an item type") as failure:
        read_csv(csv_text("id,type,stem", "a,mcq,x", "b,mcq,y"))
    assert failure.value.line == 2


def test_header_only_gives_no_items_and_says_so() -> None:
    result = read_csv(export_csv([]))
    assert result.items == [] and [n.line for n in result.notes] == [1]


def test_detection() -> None:
    data = export_csv(bank_items(all_types_items()))
    assert detect_format(data, "anything.txt") == "csv"
    assert detect_format(BOM + data, "bank.csv") == "csv"
    assert not CsvImporter().detect(b"question_text,question_type\r\nWhat?,essay\r\n", "x.csv")  # another tool's CSV
    assert not CsvImporter().detect("id,type,stem\r\n".encode("utf-16"), "x.csv")
    latin1 = b"id,type,stem\r\nb,essay,caf\xe9\r\n"  # Excel's plain "CSV": a legacy code page
    assert detect_format(latin1, "x.csv") == "csv"  # claimed, so that reading explains the encoding
    assert not AikenImporter().detect(data, "x.csv")


def test_corpus_files_are_not_taken_for_csv_or_aiken(shared_dir: Path) -> None:
    corpus = shared_dir / "corpora"
    files = [p for p in corpus.rglob("*") if p.is_file()]
    assert files
    for path in files:
        data = path.read_bytes()
        assert not CsvImporter().detect(data, path.name), path
        assert not AikenImporter().detect(data, path.name), path


def test_another_tools_csv_from_the_corpus_is_refused_with_the_reason(shared_dir: Path) -> None:
    [path] = (shared_dir / "corpora").rglob("question_details.csv")
    with pytest.raises(ImportFailure, match="'id', 'type', 'stem' column"):
        read_csv(path.read_bytes(), path.name)


# --- Aiken -----------------------------------------------------------------------------------------

AIKEN = """\
Which stage of change comes first?
A. Contemplation
B. Precontemplation
C. Action
ANSWER: B

What is 2*3 in <code>?
A) 5
B) 6
C) 7
D) 8
ANSWER: B

Which of these is a dimension of recovery
in SAMHSA's working definition?
A. Wealth
B. Home
ANSWER: B
"""


def aiken(text: str, name: str = "quiz.txt") -> ImportResult:
    return AikenImporter().read(text.encode("utf-8"), name)


def rendered(markdown: str) -> str:
    """The text a student sees."""
    root = lxml_html.fromstring(f"<div>{markdown_to_html(markdown)}</div>")
    return str(root.text_content()).strip()


def shown(markdown: str) -> str:
    """What a browser shows: the rendered text with runs of spaces collapsed, as HTML does."""
    return " ".join(rendered(markdown).split())


def test_aiken_valid_file_with_dot_and_bracket_labels() -> None:
    result = aiken(AIKEN)
    assert result.notes == []
    first, second, third = result.items
    assert [i.line for i in result.items] == [1, 7, 14]
    for imported in result.items:
        item = imported.item
        assert item.type == "multiple_choice" and imported.category == () and imported.media == {}
        assert item.title is None and item.explanation is None
        assert all(o.rationale is None for o in item.options)  # type: ignore[union-attr]
        assert re.fullmatch(r"q-[0-9a-f]{10}", item.id)
    assert [o.text for o in first.item.options] == ["Contemplation", "Precontemplation", "Action"]  # type: ignore[union-attr]
    assert [o.correct for o in second.item.options] == [False, True, False, False]  # type: ignore[union-attr]
    assert rendered(second.item.stem) == "What is 2*3 in <code>?"  # plain text, not Markdown emphasis or HTML
    assert rendered(third.item.stem) == "Which of these is a dimension of recovery\nin SAMHSA's working definition?"
    assert aiken(AIKEN).items[0].item.id == first.item.id  # stable ids


def test_aiken_crlf_bom_lowercase_answer_and_no_blank_lines() -> None:
    text = "Q1?\r\nA. yes\r\nB. no\r\nanswer: a\r\nQ2?\r\nA)x\r\nB)y\r\nANSWER:B\r\n"  # Moodle allows "A)x"
    result = AikenImporter().read(BOM + text.encode("utf-8"), "q.txt")
    assert [[o.correct for o in i.item.options] for i in result.items] == [[True, False], [False, True]]  # type: ignore[union-attr]
    assert [i.line for i in result.items] == [1, 5]
    assert [o.text for o in result.items[1].item.options] == ["x", "y"]  # type: ignore[union-attr]


def test_aiken_malformed_blocks_are_skipped_with_notes() -> None:
    text = """\
A. an option before any question

Good question?
A. yes
B. no
ANSWER: A

Only one option?
A. lonely
ANSWER: A

No answer line?
A. one
B. two

Answer names a missing option?
A. one
B. two
ANSWER: D

Two answers?
A. one
B. two
ANSWER: A, B

Same label twice?
A. one
A. two
ANSWER: A

ANSWER: C

Last good one?
A) first
B) second
ANSWER: B

Unfinished at the end
A. one
"""
    result = aiken(text)
    assert [i.line for i in result.items] == [3, 33]
    notes = {n.line: n.message for n in result.notes}
    assert sorted(notes) == [1, 8, 12, 16, 21, 26, 31, 38]
    assert "without a question" in notes[1]
    assert "1 option(s)" in notes[8]
    assert "no ANSWER line" in notes[12]
    assert "ANSWER on line 19 is D, but the options are A, B" in notes[16]
    assert "must name one option letter" in notes[21]
    assert "two options are labelled A" in notes[26]
    assert "ANSWER line without a question" in notes[31]
    assert "ends before its ANSWER line" in notes[38]


def test_aiken_without_a_valid_question_fails() -> None:
    with pytest.raises(ImportFailure, match=r"quiz\.txt: no Aiken question found.*\(line 1\).*at least two"):
        aiken("Only one option?\nA. lonely\nANSWER: A\n")
    with pytest.raises(ImportFailure, match="no Aiken question found"):
        aiken("")
    with pytest.raises(ImportFailure, match="not UTF-8") as failure:
        AikenImporter().read(b"Q?\nA. caf\xe9\nB. no\nANSWER: A\n", "quiz.txt")
    assert failure.value.line == 2


def test_aiken_detection() -> None:
    assert AikenImporter().detect(AIKEN.encode("utf-8"), "x.txt")
    assert AikenImporter().detect(AIKEN.replace("\n", "\r").encode("utf-8"), "x.txt")  # old Mac line ends
    assert detect_format(AIKEN.encode("utf-8"), "quiz.txt") == "aiken"
    assert not AikenImporter().detect(b"Which?\nA. one\nB. two\n", "x.txt")  # no ANSWER line
    assert not AikenImporter().detect(b"Notes\nANSWER: B\n", "x.txt")  # no options
    assert not CsvImporter().detect(AIKEN.encode("utf-8"), "x.txt")


_OPTION_LIKE = re.compile(r"[A-Z][.)]|answer\s*:", re.I)


def to_aiken(bank: Sequence[Item]) -> str:
    """Multiple-choice items written as Aiken, the way Moodle's exporter does (A) ... ANSWER: X)."""
    blocks = []
    for item in bank:
        lines = [item.stem]
        key = ""
        for i, option in enumerate(item.options):  # type: ignore[union-attr]
            letter = chr(ord("A") + i)
            lines.append(f"{letter}) {option.text}")
            key = letter if option.correct else key
        lines.append(f"ANSWER: {key}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


@st.composite
def plain_mc(draw: st.DrawFn) -> Item:
    """A multiple_choice item with single-line plain text, which is all Aiken can carry."""
    item = draw(items(("multiple_choice",)))
    stem = draw(plain_text)
    assume(not _OPTION_LIKE.match(stem))
    texts = draw(st.lists(plain_text, min_size=2, max_size=6, unique=True))
    key = draw(st.integers(0, len(texts) - 1))
    options = [{"text": t, "correct": i == key} for i, t in enumerate(texts)]
    return ITEM_ADAPTER.validate_python({"id": item.id, "type": "multiple_choice", "stem": stem, "options": options})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bank=st.lists(plain_mc(), min_size=1, max_size=5, unique_by=lambda it: it.stem))
def test_aiken_round_trip(bank: list[Item]) -> None:
    result = aiken(to_aiken(bank))
    assert result.notes == []
    assert len(result.items) == len(bank)
    for original, imported in zip(bank, result.items):
        item = imported.item
        assert shown(item.stem) == " ".join(original.stem.split())
        assert [shown(o.text) for o in item.options] == [" ".join(o.text.split()) for o in original.options]  # type: ignore[union-attr]
        assert [o.correct for o in item.options] == [o.correct for o in original.options]  # type: ignore[union-attr]


# --- through the CLI --------------------------------------------------------------------------------


@pytest.fixture
def exported_csv(tmp_path: Path) -> Path:
    """The sample bank exported by `qbank export` (categories from its folders)."""
    out = tmp_path / "bank.csv"
    result = run("export", str(ROOT / "items"), "--format", "csv", "-o", str(out), "--bom")
    assert result.exit_code == 0, result.output
    return out


def test_cli_import_then_lint(exported_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "imported"
    result = run("import", str(exported_csv), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Imported 48 item(s) from 1 file(s) (csv)" in result.output and "note" not in result.output
    originals = {e.item.id: e.item for e in load_bank([ROOT / "items"], Config()).items}
    back = loaded(out)
    assert {k: v.model_dump() for k, v in back.items()} == {k: v.model_dump() for k, v in originals.items()}
    assert sorted(p.name for p in out.glob("*.yaml")) == sorted(f"{i}.yaml" for i in originals)
    lint = run("lint", str(out))
    assert "QB001" not in lint.output and "QB002" not in lint.output
    assert "Traceback" not in lint.output


def test_cli_reimport_refuses_then_overwrites(exported_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "imported"
    assert run("import", str(exported_csv), "-o", str(out)).exit_code == 0
    before = snapshot(out)
    again = run("import", str(exported_csv), "-o", str(out))
    assert again.exit_code == 1
    assert "already exist" in again.output and "--overwrite" in again.output and "nothing was written" in again.output
    assert "48 file(s) already exist" in again.output and "and 43 more" in again.output
    assert (out / "boundary-warning-signs.yaml").as_posix() in again.output  # the first files are listed by name
    assert snapshot(out) == before

    # Edit a stem in the spreadsheet and import again with --overwrite: the same ids, the new text.
    text = exported_csv.read_bytes().decode("utf-8-sig")
    original = loaded(out)["boundary-warning-signs"].stem
    exported_csv.write_bytes(text.replace(original, "An edited stem?", 1).encode("utf-8"))
    replaced = run("import", str(exported_csv), "-o", str(out), "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    after = snapshot(out)
    assert set(after) == set(before)  # ids are stable: the same files, no duplicates
    assert loaded(out)["boundary-warning-signs"].stem == "An edited stem?"


def test_cli_group_by_category(exported_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "grouped"
    result = run("import", str(exported_csv), "-o", str(out), "--group-by", "category")
    assert result.exit_code == 0, result.output
    folders = sorted(p.name for p in (ROOT / "items").iterdir() if p.is_dir())
    assert sorted(p.stem for p in out.glob("*.yaml")) == folders
    ethics = load_paths([out / "ethics.yaml"])
    assert {e.item.id for e in ethics.items} == {e.item.id for e in load_paths([ROOT / "items" / "ethics"]).items}
    assert len(loaded(out)) == 48


def test_cli_ids_are_stable_across_reimports(tmp_path: Path) -> None:
    source = tmp_path / "no-ids.csv"
    source.write_bytes(csv_text("id,type,stem,options,correct", ',multiple_choice,Which?,"[""a"",""b""]","[true,false]"', ",essay,Describe."))
    quiz = tmp_path / "quiz.txt"
    quiz.write_text(AIKEN, encoding="utf-8")
    names = []
    for attempt in ("one", "two"):
        out = tmp_path / attempt
        result = run("import", str(source), str(quiz), "-o", str(out))
        assert result.exit_code == 0, result.output
        assert "(aiken, csv)" in result.output
        names.append(sorted(p.name for p in out.glob("*.yaml")))
        assert f"{source.as_posix()}:2: note:" in result.output  # the derived id is reported
    assert names[0] == names[1] and len(names[0]) == 5


def test_cli_aiken_import_lints_with_genuine_findings(tmp_path: Path) -> None:
    quiz = tmp_path / "quiz.txt"
    quiz.write_text(AIKEN, encoding="utf-8")
    out = tmp_path / "items"
    result = run("import", str(quiz), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert len(loaded(out)) == 3
    lint = run("lint", str(out))
    assert "QB001" not in lint.output and "QB002" not in lint.output
    assert "QB201" in lint.output  # no explanation: Aiken has no feedback


def test_cli_bad_rows_are_notes_with_lines(tmp_path: Path) -> None:
    source = tmp_path / "bank.csv"
    source.write_bytes(csv_text("id,type,stem,tags", "ok,essay,Fine.,", "bad,essay,Broken tags.,health"))
    out = tmp_path / "items"
    result = run("import", str(source), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"{source.as_posix()}:3: note: bad: row skipped: the 'tags' cell is not a JSON array" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in out.iterdir()) == ["ok.yaml"]


def test_cli_missing_required_column(tmp_path: Path) -> None:
    source = tmp_path / "bank.csv"
    source.write_bytes(csv_text("id,kind,stem", "a,essay,x"))
    out = tmp_path / "items"
    result = run("import", str(source), "--from", "csv", "-o", str(out))
    assert result.exit_code == 1
    assert f"{source.as_posix()}: the header row has no 'type' column" in result.output
    assert "nothing was written" in result.output and not out.exists()
