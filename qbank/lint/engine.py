"""The lint engine: selection, per-item suppression, severities, ordering and the exit decision.

Rules only report; reporters only format. Everything policy-like lives here, so a rule cannot
accidentally change what another rule reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from qbank.config import Config
from qbank.lint.base import Finding, Rule, RuleSettings, Severity
from qbank.lint.registry import all_rules, expand_selector
from qbank.loader import LoadedItem, LoadResult, load_paths


@dataclass
class Selection:
    """Which rules run, with their severities and options."""

    settings: dict[str, RuleSettings]

    @classmethod
    def from_config(
        cls,
        config: Config,
        select: Sequence[str] | None = None,
        ignore: Sequence[str] | None = None,
        extend_select: Sequence[str] = (),
    ) -> "Selection":
        chosen: dict[str, Rule] = {}
        for sel in list(select if select is not None else config.select) + list(config.extend_select) + list(extend_select):
            for rule in expand_selector(sel):
                chosen[rule.code] = rule
        for sel in list(config.ignore) + list(ignore or ()):
            for rule in expand_selector(sel):
                chosen.pop(rule.code, None)
        settings = {}
        for code, rule in chosen.items():
            options = rule.defaults() | config.rule_options.get(code, {})
            settings[code] = RuleSettings(rule, config.severity.get(code, rule.severity), options)
        return cls(settings)


@dataclass
class LintReport:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    items: int = 0

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def fails(self, fail_on: Severity) -> bool:
        return any(f.severity.rank >= fail_on.rank for f in self.findings)


def _ignored_codes(entry: LoadedItem) -> set[str]:
    out: set[str] = set()
    for key in entry.item.lint.ignore:
        for rule in expand_selector(key):
            out.add(rule.code)
    return out


def lint_loaded(result: LoadResult, selection: Selection) -> LintReport:
    """Run the selected rules over loaded items and input problems."""
    findings: list[Finding] = []
    settings = selection.settings
    for p in result.problems:
        s = settings.get(p.code)
        if s is not None:
            findings.append(Finding(p.file, p.line, p.column, p.code, s.rule.name, s.severity, p.message, p.item_id))

    item_rules = [s for s in settings.values() if s.rule.scope == "item"]
    bank_rules = [s for s in settings.values() if s.rule.scope == "bank"]
    ignores: dict[int, set[str]] = {}
    for entry in result.items:
        ignored = _ignored_codes(entry) if entry.item.lint.ignore else set()
        if ignored:
            ignores[id(entry)] = ignored
        item = entry.item
        for s in item_rules:
            rule = s.rule
            if rule.code in ignored or not rule.applies_to(item):
                continue
            for v in rule.check_entry(entry, s.options):
                line, col = entry.position(v.path)
                findings.append(Finding(entry.file, line, col, rule.code, rule.name, s.severity, v.message, item.id))
    for s in bank_rules:
        rule = s.rule
        for entry, v in rule.check_bank(result.items, s.options):
            if rule.code in ignores.get(id(entry), ()):
                continue
            line, col = entry.position(v.path)
            findings.append(Finding(entry.file, line, col, rule.code, rule.name, s.severity, v.message, entry.id))
    findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))
    return LintReport(findings, files=len(result.files), items=len(result.items))


def lint_paths(
    paths: Iterable[Path], config: Config, selection: Selection | None = None, relative_to: Path | None = None
) -> LintReport:
    """Load and lint every item file under ``paths``: the library entry point behind ``qbank lint``."""
    result = load_paths(paths, config.exclude, relative_to=relative_to)
    return lint_loaded(result, selection or Selection.from_config(config))


__all__ = ["LintReport", "Selection", "all_rules", "lint_loaded", "lint_paths"]
