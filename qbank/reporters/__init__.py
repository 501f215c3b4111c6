"""Reporters turn a lint report into text for people or machines. They only format: no policy.

Each module exposes ``render(report, ctx) -> str``. The CLI picks one by ``--format``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Protocol, Sequence

from qbank.lint.base import Rule, Severity
from qbank.lint.engine import LintReport

FORMATS = ("text", "json", "github", "sarif", "junit")


@dataclass(frozen=True)
class ReportContext:
    """What a reporter may know besides the findings."""

    root: Path
    """Folder that finding paths are relative to (the repository root, for SARIF's uriBaseId)."""
    rules: Sequence[Rule] = ()
    """The rules that ran, for formats that describe them (SARIF)."""
    color: bool = False
    fail_on: Severity = Severity.ERROR
    version: str = ""
    statistics: bool = False
    extra: dict[str, str] = field(default_factory=dict)


class Renderer(Protocol):
    def __call__(self, report: LintReport, ctx: ReportContext) -> str: ...


def get_renderer(fmt: str) -> Renderer:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    module = import_module(f"qbank.reporters.{fmt}_report")
    return module.render  # type: ignore[no-any-return]


WIDESPREAD_MIN_ITEMS = 20
"""A rule must fire on at least this many items before the run says it fires on most of them. In a
small run a majority is a handful of items, which says nothing about a folder; the note would only
be noise next to findings the reader is already looking at."""

WIDESPREAD_SHARE = 0.5
"""A rule must also fire on more than this share of the items checked (exactly half is not most).
A rule that fires on most items of a run is more likely a convention of part of the bank (an
imported folder without feedback, a course that writes no rationales) than many separate mistakes;
the note points at ``[per-file-ignores]`` once, instead of leaving the reader to scroll through
thousands of identical findings."""


def widespread_rules(report: LintReport) -> list[tuple[str, int]]:
    """``(code, items)`` for each rule that fired on most of the items checked, most items first."""
    total = report.items
    found = [
        (code, n) for code, n in report.rule_items.items()
        if WIDESPREAD_MIN_ITEMS <= n <= total and n > total * WIDESPREAD_SHARE
    ]
    return sorted(found, key=lambda cn: (-cn[1], cn[0]))


def widespread_notes(report: LintReport, ctx: ReportContext) -> list[tuple[str, str]]:
    """``(rule, sentence)`` per rule that fired on most items (see :data:`WIDESPREAD_SHARE`), for people.

    The sentence reads ``QB202 missing-distractor-rationale fired on 2,641 of 2,720 items (97%); if
    that is expected for a folder, add it to [per-file-ignores] (qbank rule QB202)``; the share is
    rounded down, so 100% means every item. It names the table as the configuration in use spells it.
    """
    names = {f.code: f.name for f in report.findings}
    config = ctx.extra.get("config", "")
    table = "[tool.qbank.per-file-ignores]" if Path(config).name == "pyproject.toml" else "[per-file-ignores]"
    notes = []
    for code, n in widespread_rules(report):
        share = n * 100 // report.items
        named = f"{code} {names[code]}" if code in names else code
        sentence = (
            f"{named} fired on {n:,} of {report.items:,} items ({share}%); if that is expected for a folder, "
            f"add it to {table} (qbank rule {code})"
        )
        notes.append((named, sentence))
    return notes


def language_notes(report: LintReport) -> list[tuple[str, str]]:
    """``(title, sentence)`` per language whose items some wording rules could not read.

    Each such rule is named once, so a Russian bank never passes the English word-list rules in
    silence: ``52 items are in ru (Russian), which QB306 negative-stem and QB307 word-repeat do not
    read; set `language` on the item or in the config if that is wrong (docs/rules.md#languages)``.
    """
    from qbank.lang import language_name
    from qbank.lint.registry import find_rule

    notes = []
    for language, counts in sorted(report.unchecked.items()):
        items = max(counts.values())
        rules = []
        for code in sorted(counts):
            rule = find_rule(code)
            rules.append(f"{code} {rule.name}" if rule is not None else code)
        listed = rules[0] if len(rules) == 1 else ", ".join(rules[:-1]) + " and " + rules[-1]
        verb = "does" if len(rules) == 1 else "do"
        sentence = (
            f"{items:,} item{'s are' if items != 1 else ' is'} in {language} ({language_name(language)}), which "
            f"{listed} {verb} not read, so {'it was' if len(rules) == 1 else 'they were'} not checked for those "
            "flaws; set `language` on the item or in the config if that is wrong (docs/rules.md#languages)"
        )
        notes.append((f"language {language}", sentence))
    return notes


def summary_line(report: LintReport) -> str:
    """One line with the totals, for people and for CI logs that truncate annotations."""
    errors = report.count(Severity.ERROR)
    warnings = report.count(Severity.WARNING)
    where = f"{report.items} item{'s' if report.items != 1 else ''} in {report.files} file{'s' if report.files != 1 else ''}"
    if not report.findings:
        return f"All checks passed ({where})."
    return (
        f"Found {errors} error{'s' if errors != 1 else ''} and {warnings} warning{'s' if warnings != 1 else ''} ({where})."
    )
