"""`qbank export` as users run it: filters, refusal on broken banks, --strict, atomic output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import main
from qbank.exporters import all_exporters

ITEM = """\
id: {id}
type: multiple_choice
stem: {stem}
status: {status}
tags: [{tag}]
options:
  - text: Preparation
    correct: true
    rationale: Planning follows deciding.
  - text: Maintenance
    rationale: Maintenance sustains a change already made.
  - text: Action
    rationale: Action comes after preparation.
explanation: Preparation follows contemplation.
"""


def write(folder: Path, id: str, *, status: str = "approved", tag: str = "stages", stem: str | None = None) -> Path:
    path = folder / f"{id}.yaml"
    stem = stem or f"Which stage of change follows contemplation in case {id}?"
    path.write_text(ITEM.format(id=id, stem=stem, status=status, tag=tag), encoding="utf-8")
    return path


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    items = tmp_path / "items"
    (items / "ethics").mkdir(parents=True)
    write(items, "stage-a")
    write(items / "ethics", "ethics-b", tag="ethics")
    write(items, "stage-draft", status="draft")
    write(items, "stage-retired", status="retired")
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["export", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stderr


def exported_ids(path: Path) -> list[str]:
    import csv

    with path.open(encoding="utf-8", newline="") as fh:
        return [row["id"] for row in csv.DictReader(fh)]


def test_export_defaults_to_every_status_but_retired(bank: Path) -> None:
    code, err = run("items", "--format", "csv", "-o", "out.csv")
    assert code == 0, err
    assert sorted(exported_ids(bank / "out.csv")) == ["ethics-b", "stage-a", "stage-draft"]
    assert "Exported 3 item(s) to out.csv (csv, 1 filtered out)" in err


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--status", "approved"], ["ethics-b", "stage-a"]),
        (["--status", "retired"], ["stage-retired"]),
        (["--tag", "ethics"], ["ethics-b"]),
        (["--id", "stage-*"], ["stage-a", "stage-draft"]),
        (["--id", "stage-*", "--status", "approved"], ["stage-a"]),
    ],
)
def test_filters(bank: Path, args: list[str], expected: list[str]) -> None:
    code, err = run("items", "--format", "csv", "-o", "out.csv", *args)
    assert code == 0, err
    assert sorted(exported_ids(bank / "out.csv")) == expected


def test_no_match_writes_nothing(bank: Path) -> None:
    code, err = run("items", "--format", "csv", "-o", "out.csv", "--tag", "nothing")
    assert code == 1 and "no items matched" in err
    assert not (bank / "out.csv").exists()


def test_broken_bank_is_refused_and_previous_output_kept(bank: Path) -> None:
    assert run("items", "--format", "csv", "-o", "out.csv")[0] == 0
    before = (bank / "out.csv").read_bytes()
    broken = (bank / "items" / "stage-a.yaml").read_text().replace("    correct: true\n", "")
    (bank / "items" / "stage-a.yaml").write_text(broken, encoding="utf-8")
    code, err = run("items", "--format", "csv", "-o", "out.csv")
    assert code == 1
    assert "items/stage-a.yaml:6:1: QB101 [error]" in err and "nothing was written" in err
    assert (bank / "out.csv").read_bytes() == before
    assert sorted(p.name for p in bank.iterdir()) == ["items", "out.csv"]  # no temporary file left


def test_yaml_error_is_refused_with_file_and_line(bank: Path) -> None:
    (bank / "items" / "bad.yaml").write_text("id: bad\nstem: [unclosed\n", encoding="utf-8")
    code, err = run("items", "--format", "csv", "-o", "out.csv")
    assert code == 1 and "items/bad.yaml:3:1: QB001" in err
    assert not (bank / "out.csv").exists()


def test_missing_media_is_refused(bank: Path) -> None:
    write(bank / "items", "with-image", stem="'Which stage? ![A ruler](ruler.png)'")
    code, err = run("items", "--format", "csv", "-o", "out.csv")
    assert code == 1 and "QB501" in err and "ruler.png" in err


def test_strict_turns_warnings_into_errors(bank: Path) -> None:
    (bank / "items" / "ruler.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    write(bank / "items", "with-image", stem="'Which stage? ![A ruler](ruler.png)'")
    code, err = run("items", "--format", "csv", "-o", "out.csv")
    assert code == 0 and "qbank: warning: with-image:" in err
    os.remove(bank / "out.csv")
    code, err = run("items", "--format", "csv", "-o", "out.csv", "--strict")
    assert code == 1 and "qbank: error: with-image:" in err and "nothing was written" in err
    assert not (bank / "out.csv").exists()


def test_usage_errors(bank: Path) -> None:
    code, err = run("items", "--format", "qti", "-o", "out.zip")
    assert code == 2 and "unknown export format 'qti'" in err and "qti21" in err
    code, err = run("items", "--format", "csv", "-o", "items")
    assert code == 2 and "is a directory" in err
    code, err = run("nowhere", "--format", "csv", "-o", "x.csv")
    assert code == 2 and "nowhere: no such file or folder" in err


@pytest.mark.parametrize("fmt", sorted(all_exporters()))
def test_every_format_exports_the_sample_bank_twice_identically(fmt: str, tmp_path: Path) -> None:
    from tests.conftest import ROOT

    out1, out2 = tmp_path / f"a{fmt}", tmp_path / f"b{fmt}"
    args = ["export", str(ROOT / "items"), "--format", fmt, "--title", "CPS practice"]
    r1 = CliRunner().invoke(main, [*args, "-o", str(out1)])
    r2 = CliRunner().invoke(main, [*args, "-o", str(out2)])
    assert r1.exit_code == 0, r1.stderr
    assert r2.exit_code == 0, r2.stderr
    assert out1.read_bytes() == out2.read_bytes()
    assert out1.stat().st_size > 0


# --- an export never claims what it did not write ---------------------------------------------------

KEYLESS = """\
id: keyless
type: multiple_choice
stem: Which stage of change follows contemplation?
options:
  - text: Preparation
    rationale: Planning follows deciding.
  - text: Maintenance
    rationale: Maintenance sustains a change already made.
lint:
  ignore: [QB101, QB104]
"""

# Lint only warns about these (QB104), but Moodle's readers refuse them: GIFT and Moodle XML need
# two options, GIFT needs two matching lines.
ONE_OPTION = """\
id: one-option
type: multiple_choice
stem: Which stage of change follows contemplation?
options:
  - text: Preparation
    correct: true
    rationale: Planning follows deciding.
explanation: Preparation follows contemplation.
"""

ONE_PAIR = """\
id: one-pair
type: matching
stem: Match the stage to what happens in it.
pairs:
  - prompt: Preparation
    match: Planning the change
explanation: Preparation is planning.
"""


@pytest.mark.parametrize("fmt", sorted(all_exporters()))
def test_an_item_level_ignore_cannot_unblock_the_export(bank: Path, fmt: str) -> None:
    (bank / "items" / "keyless.yaml").write_text(KEYLESS, encoding="utf-8")
    code, err = run("items", "--format", fmt, "-o", "out")
    assert code == 1, err
    assert "items/keyless.yaml:4:1: QB101 [error]" in err
    assert "keyless: its `lint: ignore` lists QB101" in err and "nothing was written" in err
    assert not (bank / "out").exists()


def moodle_question_ids(path: Path) -> list[str]:
    from lxml import etree

    root = etree.parse(str(path)).getroot()
    return [q.findtext("idnumber") for q in root.iter("question") if q.get("type") != "category"]


@pytest.mark.parametrize("fmt", ["moodle-xml", "gift"])
def test_items_a_format_cannot_hold_are_named_and_the_count_is_what_was_written(bank: Path, fmt: str) -> None:
    (bank / "items" / "one-option.yaml").write_text(ONE_OPTION, encoding="utf-8")
    (bank / "items" / "one-pair.yaml").write_text(ONE_PAIR, encoding="utf-8")
    out = bank / f"out.{fmt}"
    code, err = run("items", "--format", fmt, "-o", str(out))
    assert code == 1, err
    assert "items/one-option.yaml:1:1: error: one-option: not exported: " in err
    left_out = 1 if fmt == "moodle-xml" else 2  # Moodle XML can hold one matching pair, GIFT cannot
    assert ("items/one-pair.yaml:1:1: error: one-pair: not exported: " in err) == (left_out == 2)
    total = 3 + 2  # stage-a, ethics-b, stage-draft and the two new items
    assert f"Exported {total - left_out} of {total} item(s) to {out}" in err
    assert f"{left_out} item(s) left out, listed above" in err
    if fmt == "moodle-xml":
        assert sorted(moodle_question_ids(out)) == ["ethics-b", "one-pair", "stage-a", "stage-draft"]
    else:
        text = out.read_text(encoding="utf-8")
        assert "[id:one-option]" not in text and "[id:one-pair]" not in text
        assert text.count("// [id:") == 3


@pytest.mark.parametrize("fmt", ["moodle-xml", "gift"])
def test_an_empty_quiz_is_never_written(bank: Path, fmt: str) -> None:
    out = bank / "out"
    out.write_bytes(b"previous export")
    (bank / "items" / "one-option.yaml").write_text(ONE_OPTION, encoding="utf-8")
    code, err = run("items", "--format", fmt, "-o", "out", "--id", "one-*")
    assert code == 1, err
    assert "one-option: not exported" in err and "none of the 1 item(s) can be written" in err
    assert out.read_bytes() == b"previous export"
    assert "Exported" not in err


def lint(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["lint", "--no-cache", *args])
    return result.exit_code, result.output


def test_a_soft_hyphen_is_a_warning_and_survives_the_export(bank: Path) -> None:
    from lxml import etree

    write(bank / "items", "soft", stem="Which stage of change follows contem\u00adplation?")  # as Word pastes it
    code, out = lint("items")
    assert code == 0, out  # a warning; fail-on is error
    assert "items/soft.yaml:3:7: QB505 [warning] contains U+00AD SOFT HYPHEN after '...stage of change follows contem'; delete it" in out
    assert "QB503" not in out
    code, err = run("items", "--format", "moodle-xml", "-o", "out.xml")
    assert code == 0, err
    assert "Exported 4 item(s)" in err and "XML 1.0" not in err
    root = etree.parse(str(bank / "out.xml")).getroot()
    [question] = [q for q in root.iter("question") if q.findtext("idnumber") == "soft"]
    assert "contem\u00adplation" in question.findtext("questiontext/text")


def test_a_bell_character_is_an_error_and_blocks_the_export(bank: Path) -> None:
    write(bank / "items", "bell", stem='"Which stage of change\\a follows contemplation?"')
    code, out = lint("items")
    assert code == 1
    assert "items/bell.yaml:3:7: QB503 [error] contains U+0007 control character after 'Which stage of change', which XML 1.0 cannot carry" in out
    code, err = run("items", "--format", "moodle-xml", "-o", "out.xml")
    assert code == 1 and "items/bell.yaml:3:7: QB503 [error]" in err and "nothing was written" in err
    assert not (bank / "out.xml").exists()
