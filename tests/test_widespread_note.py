"""The text report's note when a rule fires on most items of a run, and where it does not appear."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_per_file_ignores import GOOD, run, write_many

# Two distractors without rationale: two QB202 findings for one item.
TWICE = """\
id: {id}
type: multiple_choice
stem: {stem}
options:
  - text: Preparation
    correct: true
    rationale: Planning follows deciding.
  - text: Maintenance
  - text: Relapse
explanation: Preparation follows contemplation in the transtheoretical model.
"""

NOTE = (
    "note: QB202 missing-distractor-rationale fired on {n} of {total} items ({share}%); if that is expected "
    "for a folder, add it to {table} (qbank rule QB202)"
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def notes(*args: str) -> list[str]:
    """The note lines of ``qbank lint --select QB202``; write_many's default items each have one QB202."""
    _, out, _ = run("lint", "--select", "QB202", *args)
    return [line for line in out.splitlines() if line.startswith("note:")]


@pytest.mark.parametrize("flawed, good, shown", [(19, 0, False), (20, 0, True), (20, 20, False), (21, 19, True), (20, 19, True)])
def test_note_appears_exactly_past_the_thresholds(folder: Path, flawed: int, good: int, shown: bool) -> None:
    write_many(folder / "items" / "flawed.yaml", flawed)
    write_many(folder / "items" / "good.yaml", good, GOOD, prefix="g")
    total = flawed + good
    expected = [NOTE.format(n=flawed, total=total, share=flawed * 100 // total, table="[per-file-ignores]")] if shown else []
    assert notes() == expected
    assert notes("--statistics") == expected


def test_note_counts_items_not_findings(folder: Path) -> None:
    write_many(folder / "items" / "twice.yaml", 19, TWICE)  # 38 findings on 19 items
    code, out, _ = run("lint", "--select", "QB202")
    assert code == 1 and out.count("QB202 [error]") == 38
    assert notes() == []
    write_many(folder / "items" / "more.yaml", 1, TWICE, prefix="m")
    assert notes() == [NOTE.format(n=20, total=20, share=100, table="[per-file-ignores]")]


def test_note_counts_what_is_left_after_per_file_ignores_and_names_the_table(folder: Path) -> None:
    write_many(folder / "items" / "legacy" / "old.yaml", 30)
    write_many(folder / "items" / "new.yaml", 25, prefix="n")
    write_many(folder / "items" / "fine.yaml", 5, GOOD, prefix="g")
    assert notes() == [NOTE.format(n=55, total=60, share=91, table="[per-file-ignores]")]
    (folder / "pyproject.toml").write_text('[tool.qbank]\nselect = ["ALL"]\n', encoding="utf-8")
    assert notes() == [NOTE.format(n=55, total=60, share=91, table="[tool.qbank.per-file-ignores]")]
    (folder / "pyproject.toml").write_text(
        '[tool.qbank]\n[tool.qbank.per-file-ignores]\n"items/legacy/**" = ["QB202"]\n', encoding="utf-8"
    )
    assert notes() == []  # 25 of 60 is not most
    # Thousands are grouped; the share is rounded down.
    write_many(folder / "items" / "big.yaml", 1_000, prefix="b")
    assert notes() == [NOTE.format(n="1,025", total="1,060", share=96, table="[tool.qbank.per-file-ignores]")]


def test_note_only_in_text_and_github(folder: Path) -> None:
    write_many(folder / "items" / "flawed.yaml", 20)
    _, out, _ = run("lint", "--select", "QB202")
    lines = out.splitlines()
    assert lines[-2].startswith("note: QB202") and lines[-1] == "Found 20 errors and 0 warnings (20 items in 1 file)."
    _, out, _ = run("lint", "--select", "QB202", "--format", "json")
    assert "fired on" not in out and len(json.loads(out)) == 20
    for fmt in ("sarif", "junit"):
        _, out, _ = run("lint", "--select", "QB202", "--format", fmt)
        assert "fired on" not in out
    _, out, _ = run("lint", "--select", "QB202", "--format", "github")
    notice = [line for line in out.splitlines() if line.startswith("::notice")]
    assert notice == [
        "::notice title=qbank QB202 missing-distractor-rationale::QB202 missing-distractor-rationale fired on 20 of "
        "20 items (100%25); if that is expected for a folder, add it to [per-file-ignores] (qbank rule QB202)"
    ]
    assert out.splitlines()[-1].startswith("Found 20 errors")
    # With --output the note is in the report file; standard error keeps only the totals.
    code, out, err = run("lint", "--select", "QB202", "-o", "report.txt")
    assert code == 1 and out == "" and "fired on" not in err
    assert "note: QB202" in (folder / "report.txt").read_text(encoding="utf-8")


def test_no_note_for_items_that_were_not_checked(folder: Path) -> None:
    # Schema violations (QB002) are reported on items that never load, so they are not "items checked".
    bad = "id: {id}\ntype: multiple_choice\nstem: {stem}\ncolour: red\n"
    write_many(folder / "items" / "bad.yaml", 25, bad)
    write_many(folder / "items" / "good.yaml", 1, GOOD, prefix="g")
    _, out, _ = run("lint")
    assert out.count("QB002") >= 25 and "fired on" not in out
