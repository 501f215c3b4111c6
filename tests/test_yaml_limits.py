"""Hostile YAML gets one QB001 at its line, in bounded memory: aliases, nesting and huge scalars.

The CLI runs in a child process with an address-space limit, so a regression fails the test (a
MemoryError, a crash or a timeout) instead of taking the test run down with it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from qbank.loader import LoadResult, load_text
from qbank.yamlnodes import MAX_ALIAS_NODES, MAX_ALIASES, MAX_DEPTH, MAX_SCALAR_CHARS

# Every test here runs with libyaml and with ruamel.yaml's pure-Python parser (see conftest).
pytestmark = pytest.mark.usefixtures("yaml_parser")

# Generous for a Python process with qbank imported; far below what an unbounded expansion needs.
MEMORY_LIMIT = 1024 * 1024 * 1024


def billion_laughs() -> str:
    """10 levels, each a list of 9 aliases to the level above: 9**9 'lol's from 400 bytes."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefghi", "bcdefghij"):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def lint_in_child(tmp_path: Path, name: str, text: str) -> tuple[int, str, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")

    def limit() -> None:  # pragma: no cover - runs in the child
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    proc = subprocess.run(
        [sys.executable, "-m", "qbank", "lint", "--no-cache", name],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, preexec_fn=limit,
        env={**os.environ, "NO_COLOR": "1"},
    )
    return proc.returncode, proc.stdout, proc.stderr


def one_qb001(stdout: str, stderr: str, name: str) -> tuple[int, str]:
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    findings = [line for line in stdout.splitlines() if ": QB" in line]
    assert len(findings) == 1, stdout
    where, _, message = findings[0].partition(": QB001 [error] ")
    assert message, findings[0]
    file, line, _col = where.rsplit(":", 2)
    assert file == name
    return int(line), message


@pytest.mark.parametrize(
    "name, text, line, words",
    [
        ("laughs.yaml", billion_laughs(), 5, "billion laughs"),
        ("flow.yaml", "id: deep\ntype: essay\nstem: " + "[" * 200_000 + "]" * 200_000 + "\n", 3, "nested more than"),
        ("block.yaml", "id: deep\ntype: essay\nstem:\n" + "".join(" " * i + "-\n" for i in range(3000)), 3 + MAX_DEPTH, "nested more than"),
        ("mappings.yaml", "id: deep\ntype: essay\nstem:\n" + "".join(" " * (i + 1) + "k:\n" for i in range(3000)), 3 + MAX_DEPTH, "nested more than"),
        ("scalar.yaml", "id: big\ntype: essay\nstem: '" + "a" * (3 * MAX_SCALAR_CHARS) + "'\n", 3, "characters long"),
        ("aliases.yaml", "id: many\ntype: essay\nstem: &s x\nanswers:\n" + "  - *s\n" * (MAX_ALIASES + 5), 5 + MAX_ALIASES, "aliases in one document"),
    ],
    ids=["billion-laughs", "flow-nesting", "block-nesting", "mapping-nesting", "huge-scalar", "alias-count"],
)
def test_hostile_yaml_is_one_qb001_at_its_line(tmp_path: Path, name: str, text: str, line: int, words: str) -> None:
    code, out, err = lint_in_child(tmp_path, name, text)
    assert code == 1, (out, err)
    found_line, message = one_qb001(out, err, name)
    assert found_line == line and words in message, (found_line, message)
    assert (tmp_path / name).read_text(encoding="utf-8") == text  # the input is never touched


def test_billion_laughs_is_stopped_within_a_few_megabytes() -> None:
    tracemalloc.start()
    try:
        result = LoadResult()
        load_text(billion_laughs(), "laughs.yaml", result)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [problem] = result.problems
    assert problem.code == "QB001" and (problem.line, problem.column) == (5, 8)
    assert peak < 5 * 1024 * 1024, peak


def test_a_later_document_in_the_file_is_not_charged_for_an_earlier_ones_aliases() -> None:
    body = "id: q{n}\ntype: essay\nstem: &s Describe a recovery goal.\nguidance: *s\n"
    text = "---\n".join(body.format(n=n) for n in range(MAX_ALIASES + 10))
    result = LoadResult()
    load_text(text, "bank.yaml", result)
    assert not result.problems and len(result.items) == MAX_ALIASES + 10


def test_ordinary_anchors_and_aliases_still_work_with_positions() -> None:
    text = (
        "id: shared\ntype: multiple_choice\nstem: Which?\n"
        "options:\n"
        "  - text: A\n    correct: true\n    rationale: &why\n      Because peers share lived experience.\n"
        "  - text: B\n    rationale: *why\n"
    )
    result = LoadResult()
    load_text(text, "bank.yaml", result)
    assert not result.problems
    [entry] = result.items
    assert entry.item.options[1].rationale == entry.item.options[0].rationale
    assert entry.position(("options", 1, "rationale")) == (7, 16)  # where the shared text is written


def test_alias_expansion_is_counted_in_values_not_aliases() -> None:
    """A handful of aliases to one big list is as costly as many small ones, and is stopped too."""
    big = "[" + ",".join(["x"] * (MAX_ALIAS_NODES // 4)) + "]"
    text = f"id: q\ntype: essay\nstem: s\ntags: &t {big}\nguidance: [*t, *t, *t, *t, *t]\n"
    result = LoadResult()
    load_text(text, "bank.yaml", result)
    [problem] = result.problems
    assert problem.code == "QB001" and problem.line == 5 and "expand to more than" in problem.message


def test_a_file_over_the_size_limit_is_one_problem_and_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from qbank import loader
    from qbank.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1000)
    (tmp_path / "big.yaml").write_text("id: big\ntype: essay\nstem: '" + "a" * 2000 + "'\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["lint", "--no-cache", "big.yaml"])
    assert result.exit_code == 1
    [finding] = [line for line in result.stdout.splitlines() if "QB" in line]
    assert finding.startswith("big.yaml:1:1: QB001 [error]") and "split the bank" in finding
