"""The lint cache: a warm run gives the same findings, and nothing stale survives a change."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import qbank.lint.engine as engine
from qbank.cli import main

# Every test here runs with libyaml and with ruamel.yaml's pure-Python parser (see conftest).
pytestmark = pytest.mark.usefixtures("yaml_parser")

ITEM = """\
id: {id}
type: multiple_choice
stem: Which stage of change follows contemplation in the transtheoretical model?
options:
  - text: Preparation
    correct: true
    rationale: Planning follows deciding.
  - text: Maintenance
    rationale: {rationale}
  - text: Action
    rationale: Action comes after preparation.
explanation: Preparation follows contemplation.
"""


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "items").mkdir()
    (tmp_path / "items" / "a.yaml").write_text(ITEM.format(id="a", rationale="''"), encoding="utf-8")
    return tmp_path


def lint(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["lint", *args])
    return result.exit_code, result.stdout


def test_warm_run_reuses_the_cache_and_reports_the_same(bank: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cold = lint()
    assert cold[0] == 1 and "QB202" in cold[1]
    assert list((bank / ".qbank_cache").glob("lint-*.bin"))
    assert (bank / ".qbank_cache" / ".gitignore").read_text().strip().endswith("*")

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged file was parsed again")

    monkeypatch.setattr(engine, "iter_loaded_bytes", no_parsing)
    assert lint() == cold


def test_changed_file_is_checked_again(bank: Path) -> None:
    assert lint()[0] == 1
    (bank / "items" / "a.yaml").write_text(ITEM.format(id="a", rationale="Maintenance sustains change."), encoding="utf-8")
    assert lint()[0] == 0


def test_bank_rules_see_cached_and_fresh_items(bank: Path) -> None:
    lint()
    (bank / "items" / "b.yaml").write_text(ITEM.format(id="a", rationale="x"), encoding="utf-8")
    code, out = lint("--select", "QB003")
    assert code == 1 and "items/b.yaml:1:5: QB003" in out


def test_missing_media_is_rechecked_even_when_the_item_is_cached(bank: Path) -> None:
    media = bank / "items" / "ruler.png"
    media.write_bytes(b"png")
    (bank / "items" / "a.yaml").write_text(
        ITEM.format(id="a", rationale="x").replace("stem: Which stage", "stem: '![A ruler](ruler.png) Which stage").replace("model?", "model?'"), encoding="utf-8"
    )
    assert lint("--select", "QB501")[0] == 0
    media.unlink()
    code, out = lint("--select", "QB501")
    assert code == 1 and "ruler.png" in out


def test_settings_change_is_not_served_from_the_cache(bank: Path) -> None:
    assert lint()[0] == 1
    (bank / "qbank.toml").write_text('ignore = ["QB202"]\n', encoding="utf-8")
    assert lint()[0] == 0


def test_corrupt_cache_is_ignored(bank: Path) -> None:
    expected = lint()
    for f in (bank / ".qbank_cache").glob("lint-*.bin"):
        f.write_bytes(b"\x00garbage")
    assert lint() == expected


def test_no_cache_writes_nothing(bank: Path) -> None:
    lint("--no-cache")
    assert not (bank / ".qbank_cache").exists()


def test_worker_processes_report_exactly_what_one_process_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qbank.config import Config
    from qbank.lint.engine import lint_paths

    for i in range(12):
        rationale = "''" if i % 3 == 0 else "Maintenance sustains change."
        (tmp_path / f"q{i:02d}.yaml").write_text(ITEM.format(id=f"q{i}", rationale=rationale), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("id: x\nstem: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 10_000)
    single = lint_paths([tmp_path], Config(), relative_to=tmp_path)
    monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 2)
    parallel = lint_paths([tmp_path], Config(), relative_to=tmp_path)
    assert parallel.findings == single.findings
    assert (parallel.items, parallel.files) == (single.items, single.files) == (12, 13)
    assert {f.code for f in single.findings} >= {"QB001", "QB202", "QB401"}
