"""Every rule documents itself, and docs/rules.md is generated from that documentation."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from qbank.cli import main
from qbank.lint.base import Rule, Severity
from qbank.lint.docs import rules_markdown
from qbank.lint.registry import all_rules
from tests.conftest import ROOT

RULES = all_rules()


def test_catalogue_is_complete_and_codes_unique() -> None:
    codes = [r.code for r in RULES]
    names = [r.name for r in RULES]
    assert len(codes) == len(set(codes)) == 30
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"QB\d{3}", c) for c in codes)
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", n) for n in names)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_has_full_documentation(rule: Rule) -> None:
    for part in ("what", "why", "bad", "good"):
        text = getattr(rule.doc, part)
        assert text.strip() and "TODO" not in text, f"{rule.code} {part}"
    assert rule.summary.strip()
    assert isinstance(rule.severity, Severity)
    assert rule.scope in {"item", "bank", "input"}
    for option in rule.options:
        assert option.help.strip()


def test_every_rule_module_is_registered() -> None:
    """A rule module that is not in the entry-point table would silently never run."""
    modules = {p.stem for p in (ROOT / "qbank" / "lint" / "rules").glob("*.py") if not p.stem.startswith("_")}
    registered = {type(r).__module__.rsplit(".", 1)[-1] for r in RULES}
    assert modules == registered


def test_docs_rules_md_is_generated_from_the_rules() -> None:
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown(RULES), (
        "docs/rules.md is out of date; run `qbank rule --all --format markdown > docs/rules.md`"
    )


def test_rule_text_fits_a_terminal() -> None:
    out = CliRunner().invoke(main, ["rule", "QB306"]).output
    prose = out.split("Flawed:")[0]
    assert max(len(line) for line in prose.splitlines()) <= 100
