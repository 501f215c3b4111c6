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
