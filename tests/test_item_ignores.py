"""Per-item ``lint: {ignore: [...]}`` silences that item only, however the bank is loaded.

The engine once kept ignore sets in a table keyed by ``id()`` of loaded entries that were freed
after each file, so a later item reusing the address inherited a dead item's ignores. These tests
lint many one-item files through the CLI, serially, in worker processes and through the cache.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import main
from qbank.lint import engine

# Every test here runs with libyaml and with ruamel.yaml's pure-Python parser (see conftest).
pytestmark = pytest.mark.usefixtures("yaml_parser")

ITEM = """\
id: q{n:03d}
type: multiple_choice
stem: Which support is offered in peer meeting number {n}?
options:
  - text: Shared experience
    correct: true
    rationale: Peers draw on lived experience.
  - text: Clinical diagnosis
    rationale: Diagnosis is outside the peer role.
  - text: All of the above
    rationale: Diagnosis is not part of it.
{ignore}"""

FILES = 120


def make_bank(folder: Path) -> set[str]:
    """One item per file, all with 'All of the above'; every 5th ignores QB301. Returns the ids that must be reported."""
    folder.mkdir()
    expected = set()
    for n in range(FILES):
        ignored = n % 5 == 0
        text = ITEM.format(n=n, ignore="lint:\n  ignore: [QB301]\n" if ignored else "")
        (folder / f"q{n:03d}.yaml").write_text(text, encoding="utf-8")
        if not ignored:
            expected.add(f"q{n:03d}")
    return expected


def reported(*args: str) -> list[str]:
    result = CliRunner().invoke(main, ["lint", "items", "--select", "QB301", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return sorted(f["item_id"] for f in json.loads(result.stdout))


@pytest.mark.parametrize("mode", ["serial", "workers", "cache"])
def test_item_ignores_never_leak_to_other_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    monkeypatch.chdir(tmp_path)
    expected = make_bank(tmp_path / "items")
    pools: list[object] = []
    if mode == "workers":
        monkeypatch.setattr(engine, "PARALLEL_MIN_FILES", 1)
        monkeypatch.setattr(os, "cpu_count", lambda: 2)

        class CountedPool(concurrent.futures.ProcessPoolExecutor):
            def __init__(self, *args: object, **kwargs: object) -> None:
                pools.append(self)
                super().__init__(*args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", CountedPool)
    if mode == "cache":
        cold = reported()
        assert cold == sorted(expected)
        assert (tmp_path / ".qbank_cache").is_dir()
        # Change one file so the warm run mixes cached entries with a freshly parsed one.
        (tmp_path / "items" / "q001.yaml").write_text(ITEM.format(n=1, ignore="lint:\n  ignore: [QB301]\n"))
        expected.discard("q001")
        assert reported() == sorted(expected)
        return
    assert reported("--no-cache") == sorted(expected)
    assert len(pools) == (1 if mode == "workers" else 0)


def test_an_ignore_by_name_or_prefix_covers_only_its_own_item(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    items = tmp_path / "items"
    items.mkdir()
    (items / "a.yaml").write_text(ITEM.format(n=1, ignore="lint:\n  ignore: [all-of-the-above]\n"))
    (items / "b.yaml").write_text(ITEM.format(n=2, ignore="lint:\n  ignore: [QB3]\n"))
    (items / "c.yaml").write_text(ITEM.format(n=3, ignore=""))
    assert reported("--no-cache") == ["q003"]
