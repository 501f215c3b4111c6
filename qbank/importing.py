"""The import pipeline behind ``qbank import``: read, detect, convert, plan the files, write.

Every source file is read and converted, and every target path is checked, before the first file
is written. A question that cannot be read (:class:`~qbank.importers.QuestionError`) or a file that
cannot be read at all (:attr:`SourceResult.failure`) is left out and reported; the caller decides
whether the rest is written (the default) or nothing (``--strict``). Planning and writing stay all
or nothing: an existing item file is never replaced without ``overwrite``, and when one would be,
or two items would need the same path, no file at all is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from qbank.fsio import atomic_write_bytes
from qbank.importers import ImportedItem, ImportFailure, ImportNote, QuestionError, all_importers, detect_format
from qbank.importers.ids import slug
from qbank.yamlwriter import dump_items


@dataclass
class SourceResult:
    path: Path
    fmt: str | None
    """The format read (None when it could not be told)."""
    items: list[ImportedItem]
    notes: list[ImportNote]
    errors: list[QuestionError] = field(default_factory=list)
    """Questions of this file that were left out."""
    failure: str | None = None
    """Why the whole file could not be read (the message names the file); it then has no items."""


@dataclass
class ImportPlan:
    files: dict[Path, bytes] = field(default_factory=dict)
    items: int = 0


def read_sources(paths: Sequence[Path], fmt: str | None) -> list[SourceResult]:
    """Convert every file, one result per path in order. A file that cannot be read at all does not
    stop the others: its result has a ``failure`` (naming the file) and no items."""
    return [_read_source(path, fmt) for path in paths]


def _read_source(path: Path, fmt: str | None) -> SourceResult:
    importers = all_importers()
    name = path.as_posix()
    try:
        data = path.read_bytes()
    except OSError as exc:
        return SourceResult(path, fmt, [], [], failure=f"{name}: cannot read the file ({exc.strerror or exc})")
    chosen = fmt or detect_format(data, path.name)
    if chosen is None:
        return SourceResult(
            path, None, [], [],
            failure=f"{name}: cannot tell the format from the content; name it with --from ({', '.join(importers)})",
        )
    try:
        result = importers[chosen].read(data, path.name)
    except ImportFailure as exc:
        where = f" (line {exc.line})" if exc.line else ""
        message = exc.message if exc.message.startswith(path.name) else f"{path.name}: {exc.message}"
        return SourceResult(path, chosen, [], [], failure=f"{message}{where}".replace(path.name, name, 1))
    return SourceResult(path, chosen, result.items, result.notes, result.errors)


def _unique_ids(results: Sequence[SourceResult]) -> None:
    """Ids are unique per file by construction; across files a clash gets a -2, -3 suffix.

    Ids that differ only in letter case clash too: their files (``Q1.yaml``, ``q1.yaml``) would be
    one file on macOS and Windows, and the second would silently replace the first.
    """
    taken: set[str] = set()
    for source in results:
        for imported in source.items:
            base, n = imported.item.id, 2
            new = base
            while new.casefold() in taken:
                new = f"{base}-{n}"
                n += 1
            if new != base:
                imported.item = imported.item.model_copy(update={"id": new})
            taken.add(new.casefold())


def plan(results: Sequence[SourceResult], out: Path, group_by: str, schema: str | None = None) -> ImportPlan:
    _unique_ids(results)
    result = ImportPlan()
    groups: dict[Path, list[ImportedItem]] = {}
    for source in results:
        for imported in source.items:
            if group_by == "category":
                name = slug("-".join(imported.category)) or "uncategorized"
            else:
                name = imported.item.id
            groups.setdefault(out / f"{name}.yaml", []).append(imported)
            for rel, data in imported.media.items():
                if not _inside(rel):
                    raise ImportFailure(f"{source.path.as_posix()}: the media file name {rel!r} points outside the output folder; refusing it")
                target = out / rel
                if target in result.files and result.files[target] != data:
                    raise ImportFailure(f"two different files would both be written to {target}")
                result.files[target] = data
            result.items += 1
    for path, members in groups.items():
        text = dump_items([(m.item, m.comment) for m in members], schema=schema)
        result.files[path] = text.encode("utf-8")
    return result


def _inside(rel: str) -> bool:
    """Whether a media path from an importer stays inside the output folder (defence in depth)."""
    parts = rel.replace("\\", "/").split("/")
    return bool(rel) and not rel.startswith(("/", "\\")) and ":" not in parts[0] and ".." not in parts


def write(plan_: ImportPlan, overwrite: bool) -> None:
    """Write every planned file; refuse (writing nothing) when an item file exists, or a media file
    exists with other content, and not ``overwrite``."""
    existing = sorted(
        p for p in plan_.files
        if p.exists() and (p.suffix in (".yaml", ".yml") or not p.is_file() or p.read_bytes() != plan_.files[p])
    )
    if existing and not overwrite:
        shown = ", ".join(p.as_posix() for p in existing[:5]) + (f" and {len(existing) - 5} more" if len(existing) > 5 else "")
        raise ImportFailure(f"{len(existing)} file(s) already exist ({shown}); use --overwrite to replace them")
    for path in sorted(plan_.files):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, plan_.files[path])


def schema_reference(out: Path) -> str | None:
    """A relative path from ``out`` to the nearest schemas/item.schema.json above it, if any."""
    import os

    folder = out.resolve()
    for candidate in (folder, *folder.parents):
        schema = candidate / "schemas" / "item.schema.json"
        if schema.is_file():
            return Path(os.path.relpath(schema, folder)).as_posix()
    return None
