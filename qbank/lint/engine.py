"""The lint engine: selection, per-item suppression, severities, ordering and the exit decision.

Rules only report; reporters only format. Everything policy-like lives here, so a rule cannot
accidentally change what another rule reports.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from qbank.cache import CacheEntry, LintCache, digest
from qbank.config import Config
from qbank.lang import language_of
from qbank.lint.base import Finding, Rule, RuleSettings, Severity
from qbank.lint.per_file import PerFileIgnores
from qbank.lint.registry import all_rules, expand_selector
from qbank.loader import (
    LoadedItem,
    LoadResult,
    PathDisplay,
    Problem,
    iter_loaded_bytes,
    iter_yaml_files,
    read_file,
)
from qbank.model import ITEM_ADAPTER


@dataclass
class Selection:
    """Which rules run, with their severities and options."""

    settings: dict[str, RuleSettings]
    item_ignores: bool = True
    """Whether an item's own ``lint: {ignore: [...]}`` is honoured. The export's blocking check
    turns it off: an author may silence a finding in review, but not the ones that break an import."""
    per_file: PerFileIgnores | None = None
    """The configuration's ``[per-file-ignores]``. Applied to the findings after the cache, so it is
    not part of :meth:`cache_key`: changing it re-uses every cached file. The export's blocking
    check is built from a fresh ``Config()`` and so never has any."""
    language: str | None = None
    """The bank's language for items without their own (see :mod:`qbank.lang`)."""

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
                if rule.default_enabled or sel.strip().lower() in (rule.code.lower(), rule.name.lower()):
                    chosen[rule.code] = rule
        for sel in list(config.ignore) + list(ignore or ()):
            for rule in expand_selector(sel):
                chosen.pop(rule.code, None)
        settings = {}
        for code, rule in chosen.items():
            options = rule.defaults() | config.rule_options.get(code, {})
            settings[code] = RuleSettings(rule, config.severity.get(code, rule.severity), options)
        per_file = PerFileIgnores.from_table(config.root, config.per_file_ignores) if config.per_file_ignores else None
        return cls(settings, per_file=per_file, language=config.language)

    def cache_key(self) -> str:
        """Identifies everything besides file content that cached findings depend on.

        Per-file ignores are not among them: the cache holds a file's findings before they apply.
        """
        described = sorted(
            (code, type(s.rule).__module__, type(s.rule).__qualname__, s.severity.value, repr(sorted(s.options.items())))
            for code, s in self.settings.items()
        )
        return LintCache.key_for([*described, ("item-ignores", self.item_ignores), ("language", self.language)])


@dataclass
class LintReport:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    items: int = 0
    rule_items: dict[str, int] = field(default_factory=dict)
    """Per rule code, how many of the ``items`` checked it reported at least once (after every
    ignore), counting each item once however many findings it got."""
    unchecked: dict[str, dict[str, int]] = field(default_factory=dict)
    """Per language, per rule code: items in that language the rule could not judge and skipped."""

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def fails(self, fail_on: Severity) -> bool:
        return any(f.severity.rank >= fail_on.rank for f in self.findings)


@functools.lru_cache(maxsize=1024)
def _expand_ignores(selectors: tuple[str, ...]) -> frozenset[str]:
    return frozenset(rule.code for key in selectors for rule in expand_selector(key))


def ignored_codes(entry: LoadedItem) -> frozenset[str]:
    """The rule codes an item's own ``lint: {ignore: [...]}`` switches off.

    Worked out from the item each time it is asked, never kept in a side table: an item loaded
    from the cache, in a worker process or in another file must not be able to lend its ignore
    list to an unrelated item (an ``id()`` key outlives the object it named).
    """
    selectors = entry.item.lint.ignore
    return _expand_ignores(tuple(selectors)) if selectors else frozenset()


class _Run:
    """One lint run: turns problems, item rules and bank rules into findings."""

    def __init__(self, selection: Selection) -> None:
        self.settings = selection.settings
        self.item_ignores = selection.item_ignores
        self.language = selection.language
        self.unchecked: dict[str, dict[str, int]] = {}
        item_rules = [s for s in self.settings.values() if s.rule.scope == "item"]
        self.cached_rules = [s for s in item_rules if s.rule.cacheable]
        self.live_rules = [s for s in item_rules if not s.rule.cacheable]
        self.bank_rules = [s for s in self.settings.values() if s.rule.scope == "bank"]
        self.findings: list[Finding] = []
        self.per_file = selection.per_file
        self.file_ignores: dict[str, frozenset[str]] = {}
        """Shown path -> codes its per-file ignores drop, worked out from the file's real path."""
        self.rule_items: dict[str, int] = {}

    def note_file(self, file: str, source: Path | str) -> None:
        """Record which per-file ignores apply to the file shown as ``file`` and read from ``source``.

        Every finding about the file, whether a load problem, a (cached) item finding or a bank
        rule's finding for one of its items, carries ``file`` as its path, so one table keyed by the
        shown path serves them all; the glob itself is matched against the real path below the
        configuration's folder, never against the shown one (which is relative to the cwd).
        """
        if self.per_file is None:
            return
        codes = self.per_file.codes_for(source)
        if codes:
            self.file_ignores[file] = codes

    def finding(self, code: str, file: str, line: int, col: int, message: str, item_id: str | None) -> Finding | None:
        s = self.settings.get(code)
        if s is None:
            return None
        return Finding(file, line, col, code, s.rule.name, s.severity, message, item_id)

    def add_problems(self, problems: Iterable[Problem]) -> None:
        for p in problems:
            f = self.finding(p.code, p.file, p.line, p.column, p.message, p.item_id)
            if f is not None:
                self.findings.append(f)

    def ignored(self, entry: LoadedItem) -> frozenset[str]:
        return ignored_codes(entry) if self.item_ignores else frozenset()

    def item_findings(self, entry: LoadedItem, rules: Sequence[RuleSettings]) -> list[Finding]:
        ignored = self.ignored(entry)
        out = []
        item = entry.item
        language: str | None = None
        for s in rules:
            rule = s.rule
            if rule.code in ignored or not rule.applies_to(item):
                continue
            options = s.options
            if rule.languages is not None:
                language = language or language_of(item, self.language)
                if language not in rule.languages:
                    continue  # counted in finish(), for every item wherever it was checked
                if len(rule.languages) > 1:
                    options = {**options, "language": language}
            for v in rule.check_entry(entry, options):
                line, col = entry.position(v.path)
                out.append(Finding(entry.file, line, col, rule.code, rule.name, s.severity, v.message, item.id))
        return out

    def finish(self, items: Sequence[LoadedItem]) -> list[Finding]:
        for entry in items:
            self.findings.extend(self.item_findings(entry, self.live_rules))
        for s in self.bank_rules:
            rule = s.rule
            for entry, v in rule.check_bank(items, s.options):
                if rule.code in self.ignored(entry):
                    continue
                line, col = entry.position(v.path)
                self.findings.append(Finding(entry.file, line, col, rule.code, rule.name, s.severity, v.message, entry.id))
        if self.file_ignores:
            dropped = self.file_ignores
            self.findings = [f for f in self.findings if f.code not in dropped.get(f.path, ())]
        self.findings.sort(key=lambda f: (f.path, f.line, f.column, f.code))
        self.rule_items = _count_items(self.findings, items)
        self.unchecked = self._unchecked(items)
        return self.findings

    def _unchecked(self, items: Sequence[LoadedItem]) -> dict[str, dict[str, int]]:
        """Per language, per rule: the items a wording rule skipped because it cannot read them."""
        wording = [s.rule for s in self.settings.values() if s.rule.scope == "item" and s.rule.languages is not None]
        out: dict[str, dict[str, int]] = {}
        if not wording:
            return out
        for entry in items:
            item = entry.item
            language = language_of(item, self.language)
            skipped = [r for r in wording if language not in r.languages and r.applies_to(item)]  # type: ignore[operator]
            if not skipped:
                continue
            ignored = self.ignored(entry) | self.file_ignores.get(entry.file, frozenset())
            counts = out.setdefault(language, {})
            for rule in skipped:
                if rule.code not in ignored:
                    counts[rule.code] = counts.get(rule.code, 0) + 1
        return {lang: counts for lang, counts in out.items() if counts}


def _count_items(findings: Sequence[Finding], items: Sequence[LoadedItem]) -> dict[str, int]:
    """Per rule, the number of distinct checked items (by shown file and id) it reported."""
    checked = {(entry.file, entry.id) for entry in items}
    seen: dict[str, set[tuple[str, str]]] = {}
    for f in findings:
        if f.item_id is not None and (f.path, f.item_id) in checked:
            seen.setdefault(f.code, set()).add((f.path, f.item_id))
    return {code: len(keys) for code, keys in seen.items()}


def lint_loaded(result: LoadResult, selection: Selection) -> LintReport:
    """Run the selected rules over already loaded items and input problems."""
    run = _Run(selection)
    # Per-file ignores need real paths: an item's source, else the shown path taken from the cwd.
    sources = {entry.file: entry.source for entry in result.items if entry.source is not None}
    for file in result.files:
        run.note_file(file, sources.get(file) or file)
    run.add_problems(result.problems)
    for entry in result.items:
        run.findings.extend(run.item_findings(entry, run.cached_rules))
    findings = run.finish(result.items)
    return LintReport(findings, files=len(result.files), items=len(result.items), rule_items=run.rule_items, unchecked=run.unchecked)


def _from_cache(entry: CacheEntry, file: str, source: Path, run: _Run, items: list[LoadedItem]) -> None:
    for code, line, col, message, item_id in entry.problems:
        f = run.finding(code, file, line, col, message, item_id)
        if f is not None:
            run.findings.append(f)
    for data, line, col, packed in entry.items:
        loaded = LoadedItem(ITEM_ADAPTER.validate_python(data), file, line, col, source=source, packed=packed)
        items.append(loaded)
    for code, line, col, message, item_id in entry.findings:
        f = run.finding(code, file, line, col, message, item_id)
        if f is not None:
            run.findings.append(f)


# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 400

_WORKER_RUN: _Run | None = None


def _init_worker(selection: Selection) -> None:
    global _WORKER_RUN
    _WORKER_RUN = _Run(selection)


def _analyse(job: tuple[bytes, str, str], run: _Run | None = None) -> CacheEntry:
    """Parse one file and run the content-only item rules: everything the cache stores for it.

    Runs in a worker process for large banks, so it returns plain data, not live objects.
    """
    raw, file, source = job
    run = run or _WORKER_RUN
    assert run is not None
    problems, items, findings = [], [], []
    # Each item is packed as soon as it is read, so only one document's position tables are alive.
    for loaded in iter_loaded_bytes(raw, file, Path(source)):
        if isinstance(loaded, Problem):
            problems.append((loaded.code, loaded.line, loaded.column, loaded.message, loaded.item_id))
            continue
        for f in run.item_findings(loaded, run.cached_rules):
            findings.append((f.code, f.line, f.column, f.message, f.item_id))
        items.append((loaded.item.model_dump(), loaded.line, loaded.column, loaded.packed_positions()))
    return CacheEntry(b"", problems, items, findings)


def _analyse_all(jobs: list[tuple[bytes, str, str]], selection: Selection) -> list[CacheEntry]:
    """Analyse files, in worker processes when there are enough of them and more than one core."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_MIN_FILES or workers < 2:
        local = _Run(selection)
        return [_analyse(job, local) for job in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = max(1, len(jobs) // (workers * 4))
    # Workers produce cacheable, unfiltered findings: they need no per-file ignores (nor its memo).
    worker_selection = dataclasses.replace(selection, per_file=None)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(worker_selection,)) as pool:
        return list(pool.map(_analyse, jobs, chunksize=chunk))


def lint_paths(
    paths: Iterable[Path],
    config: Config,
    selection: Selection | None = None,
    relative_to: Path | None = None,
    cache_dir: Path | None = None,
    collect: list[LoadedItem] | None = None,
) -> LintReport:
    """Load and lint every item file under ``paths``: the library entry point behind ``qbank lint``.

    ``collect``, when given, receives the loaded items (the export reuses this one pass).

    With ``cache_dir``, unchanged files (same bytes) reuse their items and item-rule findings from
    the previous run; see :mod:`qbank.cache`. Files that must be parsed are spread over worker
    processes when there are many of them. Either way each file yields the same plain record, so
    a finding never depends on which path produced it.
    """
    selection = selection or Selection.from_config(config)
    run = _Run(selection)
    cache = LintCache(cache_dir, selection.cache_key()) if cache_dir is not None else None
    files = iter_yaml_files(paths, config.exclude)
    shown = PathDisplay(relative_to)
    slots: list[tuple[Path, str, str, bytes, CacheEntry | None]] = []
    jobs: list[tuple[bytes, str, str]] = []
    for path in files:
        file = shown(path)
        run.note_file(file, path)
        scratch = LoadResult()
        raw = read_file(path, file, scratch)
        if raw is None:
            run.add_problems(scratch.problems)
            continue
        key = os.path.abspath(path) if cache is not None else ""
        file_digest = digest(raw) if cache is not None else b""
        cached = cache.get(key, file_digest) if cache is not None else None
        if cached is None:
            jobs.append((raw, file, str(path)))
        slots.append((path, file, key, file_digest, cached))
    fresh = iter(_analyse_all(jobs, selection))
    items: list[LoadedItem] = []
    for path, file, key, file_digest, cached in slots:
        entry = cached
        if entry is None:
            entry = next(fresh)
            entry.digest = file_digest
            if cache is not None:
                cache.put(key, entry)
        _from_cache(entry, file, path, run, items)
    findings = run.finish(items)
    if cache is not None:
        cache.save()
    if collect is not None:
        collect.extend(items)
    return LintReport(findings, files=len(files), items=len(items), rule_items=run.rule_items, unchecked=run.unchecked)


__all__ = ["LintReport", "Selection", "all_rules", "lint_loaded", "lint_paths"]
