"""Shared test helpers: build items in code and run one rule on them, the way the engine would."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from qbank.lint.base import Violation
from qbank.lint.registry import find_rule
from qbank.model import ITEM_ADAPTER, Item

# On CI (CI=true), property tests draw a fixed set of examples, so a run is reproducible and a red
# build always means a real regression; locally they explore new examples on every run.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def item(**fields: Any) -> Item:
    """A validated item; defaults make a clean multiple_choice item unless overridden."""
    data: dict[str, Any] = {"id": "t1", "type": "multiple_choice", "stem": "Which option is the key?", "explanation": "Because."}
    data.update(fields)
    return ITEM_ADAPTER.validate_python(data)


def mc(stem: str, *options: str, key: int | list[int] = 0, **fields: Any) -> Item:
    """A multiple_choice item whose options each have a rationale; ``key`` is the index (or indices) of the key."""
    keys = {key} if isinstance(key, int) else set(key)
    opts = [{"text": text, "correct": i in keys, "rationale": "Reason."} for i, text in enumerate(options)]
    return item(stem=stem, options=opts, **fields)


def run_rule(code_or_name: str, it: Item, **options: Any) -> list[Violation]:
    """Run one item rule with its default options (overridden by ``options``)."""
    rule = find_rule(code_or_name)
    assert rule is not None, code_or_name
    if not rule.applies_to(it):
        return []
    return list(rule.check(it, rule.defaults() | options))


def fires(code_or_name: str, it: Item, **options: Any) -> bool:
    return bool(run_rule(code_or_name, it, **options))


@pytest.fixture(params=["libyaml", "pure-python"])
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test once with libyaml (ruamel.yaml.clib) and once with ruamel.yaml's own parser.

    The second run is what qbank does on PyPy or wherever the C extension is missing; child
    processes get the same choice through the private QBANK_PURE_YAML switch.
    """
    from qbank import yamlnodes

    if request.param == "pure-python":
        monkeypatch.setattr(yamlnodes, "HAVE_C_COMPOSER", False)
        monkeypatch.setenv("QBANK_PURE_YAML", "1")
    elif not yamlnodes.HAVE_C_COMPOSER:
        pytest.skip("ruamel.yaml.clib is not installed here")
    return str(request.param)


@pytest.fixture
def shared_dir() -> Path:
    """The read-only ../shared folder; tests that need it skip when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present next to the checkout (export checkers and corpora live there)")
    return SHARED
