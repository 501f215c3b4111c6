"""The export pipeline behind ``qbank export``: load, check, filter, resolve media, write.

Exporters themselves are pure (see :mod:`qbank.exporters`); this module does the I/O around them.
An export never starts from a bank that would produce a broken import: items that cannot be read,
have no or two keys, refer to missing media, or hold characters XML cannot carry stop it, and the
messages are the lint findings for those problems.
"""

from __future__ import annotations

import fnmatch
import hashlib
import mimetypes
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from qbank.config import Config
from qbank.exporters import (
    BankItem,
    ExportOptions,
    ExportResult,
    MediaFile,
    all_exporters,
)
from qbank.lint.base import Finding, Severity
from qbank.lint.engine import Selection, ignored_codes, lint_paths
from qbank.loader import LoadedItem, LoadResult, PathDisplay, iter_yaml_files, load_file
from qbank.markup import media_refs
from qbank.media import locate
from qbank.model import text_fields

# Findings that make an exported file wrong or unimportable: the export refuses to run with them.
BLOCKING_RULES = ("QB001", "QB002", "QB003", "QB004", "QB101", "QB102", "QB501", "QB503", "QB504")
DEFAULT_EXCLUDED_STATUS = "retired"


@dataclass
class Filters:
    tags: Sequence[str] = ()
    statuses: Sequence[str] = ()
    ids: Sequence[str] = ()

    def keep(self, entry: LoadedItem) -> bool:
        item = entry.item
        if self.statuses:
            if item.status not in self.statuses:
                return False
        elif item.status == DEFAULT_EXCLUDED_STATUS:
            return False
        if self.tags and not set(self.tags) & set(item.tags):
            return False
        if self.ids and not any(fnmatch.fnmatchcase(item.id, glob) for glob in self.ids):
            return False
        return True


@dataclass
class ExportRun:
    """What an export produced, or why it did not."""

    blocking: list[Finding] = field(default_factory=list)
    result: ExportResult | None = None
    exported: int = 0
    """Items the written file holds (the exporter's own count)."""
    skipped: int = 0
    """Items the filters left out."""
    omitted: list[tuple[LoadedItem, str]] = field(default_factory=list)
    """Items the filters chose but the format could not hold, with the reason."""
    overridden: list[Finding] = field(default_factory=list)
    """Blocking findings that the item's own ``lint: {ignore}`` asked to silence (it cannot)."""


def _safe_name(src: str, data: bytes) -> str:
    """A package file name that is unique per content and safe in every LMS: ``ruler-1a2b3c4d.png``."""
    base = os.path.basename(src.replace("\\", "/")) or "file"
    stem, suffix = os.path.splitext(base)
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-.") or "file"
    suffix = re.sub(r"[^A-Za-z0-9.]+", "", suffix.lower())
    return f"{stem[:60]}-{hashlib.sha256(data).hexdigest()[:8]}{suffix}"


def resolve_media(entry: LoadedItem) -> dict[str, MediaFile]:
    """Read every local file the item refers to (paths relative to the item's YAML file)."""
    folder = (entry.source or Path(entry.file)).parent
    media: dict[str, MediaFile] = {}
    for _, text in text_fields(entry.item, markdown_only=True):
        for ref in media_refs(text):
            if not ref.is_local or ref.local_path in media:
                continue
            found = locate(folder, ref.local_path)
            if found.problem is not None:  # QB501 blocks the export first; this is the last line of defence
                raise ValueError(f"{entry.file}: media '{ref.src}' {found.problem}")
            path = found.path
            data = path.read_bytes()
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            media[ref.local_path] = MediaFile(ref.local_path, _safe_name(ref.local_path, data), data, mime)
    return media


def _category(entry: LoadedItem, roots: Sequence[Path]) -> tuple[str, ...]:
    source = os.path.abspath(entry.source or entry.file)
    for root in roots:
        base = os.path.abspath(root)
        if os.path.isdir(base) and source.startswith(base.rstrip(os.sep) + os.sep):
            parts = Path(os.path.relpath(os.path.dirname(source), base)).parts
            return tuple(p for p in parts if p not in (".", ""))
    return ()


def load_bank(paths: Sequence[Path], config: Config, relative_to: Path | None = None) -> LoadResult:
    result = LoadResult()
    shown = PathDisplay(relative_to)
    for path in iter_yaml_files(paths, config.exclude):
        load_file(path, result, display=shown(path))
    return result


def blocking_selection() -> Selection:
    """The checks an export cannot start without, as errors, whatever an item says to ignore.

    A per-item ``lint: {ignore: [QB101]}`` is an author's note about review; it cannot make a
    keyless question importable, so the blocking check does not read it.
    """
    selection = Selection.from_config(Config(), select=list(BLOCKING_RULES))
    selection.item_ignores = False
    for s in selection.settings.values():
        s.severity = Severity.ERROR
    return selection


def run_export(
    paths: Sequence[Path],
    fmt: str,
    options: ExportOptions,
    filters: Filters,
    config: Config,
    relative_to: Path | None = None,
) -> ExportRun:
    """Load ``paths``, refuse on blocking problems, filter, and export to ``fmt`` (no file written)."""
    exporter = all_exporters()[fmt]
    loaded: list[LoadedItem] = []
    # One pass loads the bank (in worker processes when it is large) and runs the blocking checks.
    report = lint_paths(paths, config, blocking_selection(), relative_to=relative_to, collect=loaded)
    run = ExportRun(blocking=report.findings)
    if run.blocking:
        by_id = {e.item.id: e for e in loaded}
        run.overridden = [
            f for f in run.blocking
            if f.item_id in by_id and f.code in ignored_codes(by_id[f.item_id])
        ]
        return run
    chosen = [e for e in loaded if filters.keep(e)]
    run.skipped = len(loaded) - len(chosen)
    items = [BankItem(e.item, resolve_media(e), _category(e, paths)) for e in chosen]
    result = exporter.export(items, options)
    by_id = {e.item.id: e for e in chosen}
    run.omitted = [(by_id[o.item_id], o.message) for o in result.omitted]
    if result.written + len(result.omitted) != len(items):
        raise RuntimeError(
            f"the {fmt} exporter accounted for {result.written} written and {len(result.omitted)} omitted "
            f"item(s) out of {len(items)}"
        )
    run.result = result
    run.exported = result.written
    return run


def default_identifier(title: str) -> str:
    """An XML-safe identifier from a title: letters, digits, '-', '_' and '.', starting with a letter."""
    ident = re.sub(r"[^A-Za-z0-9_.-]+", "-", title).strip("-.") or "qbank-export"
    return ident if ident[0].isalpha() else f"q-{ident}"


__all__ = ["BLOCKING_RULES", "ExportRun", "Filters", "default_identifier", "resolve_media", "run_export"]
