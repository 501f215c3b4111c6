"""qbank without ruamel.yaml.clib: the pure-Python parser gives the same items and findings.

PyPy, an unusual platform or a ``pip uninstall ruamel.yaml.clib`` leave qbank with ruamel.yaml's
own parser. The loader builds items from parser events either way; these tests hold the two paths
to the same results. (Where the parsers disagree about the YAML itself, as on a tab inside
unquoted text, which libyaml reads and ruamel.yaml's own parser refuses, both give one QB001;
see docs/security.md.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qbank import yamlnodes
from qbank.loader import LoadResult, load_text
from tests.conftest import ROOT, SHARED

# A child process where `import _ruamel_yaml` fails, as on a machine without the C extension.
WITHOUT_CLIB = """
import sys
sys.modules["_ruamel_yaml"] = None
from qbank import yamlnodes
assert not yamlnodes.HAVE_C_COMPOSER, "the C parser was still found"
from qbank.cli import main
main()
"""


def lint_json(args: list[str], *, without_clib: bool) -> tuple[int, list[dict[str, object]], str]:
    command = [sys.executable, "-c", WITHOUT_CLIB] if without_clib else [sys.executable, "-m", "qbank"]
    proc = subprocess.run(
        [*command, "lint", "--no-cache", "--format", "json", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def test_lint_without_the_c_extension_gives_the_same_findings() -> None:
    targets = ["items", "tests/fixtures/planted", "benchmarks/lint-eval-extra"]
    if (SHARED / "lint-eval" / "dev").is_dir():
        targets.append(str(SHARED / "lint-eval" / "dev"))
    with_c = lint_json(targets, without_clib=False)
    without = lint_json(targets, without_clib=True)
    assert "Traceback" not in without[2] and "internal error" not in without[2], without[2]
    assert with_c[0] == without[0] == 1
    assert len(with_c[1]) > 50  # the planted bank fires every rule
    assert without[1] == with_c[1]


# Malformed and hostile inputs: the same code, line, column and message from both parsers.
CASES = [
    "id: q\nstem: [a, b\n",
    "id: q\n  stem: x\n bad: y\n",
    "id: q\nstem: 'unterminated\n",
    "id: q\n\tstem: x\n",
    "id: q\nstem: *nothing\n",
    "id: q\nstem: !custom x\n",
    "id: q\nstem: ![chart](c.png) What?\n",
    "a: b: c\n",
    "- a\nb: c\n",
    "key: @x\n",
    "key: `x\n",
    "{a: 1\n",
    "a:\n- b\n  - c\n",
    "%YAML 1.1\n---\na: 1\n",
    "%FOO bar\n---\na: 1\n",
    "%YAML 2.0\n---\na: 1\n",
    "a: |\n  x\n y\n",
    "? [a]\n: b\n",
    ":\n",
    "a: \"\\q\"\n",
    "a: \"\\u12\"\n",
    "a: *\n",
    "a: b\n- c\n",
    "a: [b, c]]\n",
    "a: \x85b\n",
    "a: \u2028b\n",
    "stem: bad \ufffe here\n",
    "id: q\nid: r\ntype: essay\nstem: s\n",
    "id: q\ntype: essay\nstem: s\ntags: &a [*a]\n",
    "id: q\ntype: essay\nstem: &s s\nguidance: *s\nstem: t\n",
    "id: q\ntype: essay\nstem: !!int 3\n",
    "id: q\ntype: essay\nstem: !!bool maybe\n",
    "id: q\ntype: numerical\nstem: s\nanswer: !!float 1.5\n",
    "--- |\n  a\n b\n",
    "[" * 100 + "]" * 100 + "\n",
    "a: !!set {x}\n",
]


def load_with(text: str, *, c_parser: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[object, object]:
    monkeypatch.setattr(yamlnodes, "HAVE_C_COMPOSER", c_parser)
    result = LoadResult()
    load_text(text, "bank.yaml", result)
    problems = [(p.code, p.line, p.column, p.message) for p in result.problems]
    items = [(e.item.model_dump(), e.line, e.column, sorted(e.values.items()), sorted(e.keys.items())) for e in result.items]
    return problems, items


@pytest.mark.skipif(not yamlnodes.HAVE_C_COMPOSER, reason="ruamel.yaml.clib is not installed here, so there is nothing to compare with")
@pytest.mark.parametrize("text", CASES)
def test_both_parsers_report_the_same_problem(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with_c = load_with(text, c_parser=True, monkeypatch=monkeypatch)
    pure = load_with(text, c_parser=False, monkeypatch=monkeypatch)
    assert pure == with_c
    problems, items = with_c
    assert problems or items


@pytest.mark.skipif(not yamlnodes.HAVE_C_COMPOSER, reason="ruamel.yaml.clib is not installed here, so there is nothing to compare with")
def test_both_parsers_give_the_same_items_and_positions_for_every_bundled_file(monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted((ROOT / "items").rglob("*.yaml")) + sorted((ROOT / "tests" / "fixtures").rglob("*.yaml"))
    assert len(files) > 40
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert load_with(text, c_parser=False, monkeypatch=monkeypatch) == load_with(text, c_parser=True, monkeypatch=monkeypatch), path
