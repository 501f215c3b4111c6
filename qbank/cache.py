"""A per-file lint cache, so re-linting an unchanged bank costs almost nothing (ruff's idea).

An entry is keyed by the file's absolute path and validated by a BLAKE2 digest of its bytes: a
changed file is always re-read, whatever its timestamp says. It holds what the loader found (items
as plain data, their packed position tables, input problems) and the findings of the item rules
whose result depends only on the file's content. Rules that look outside the file (missing-media
asks the filesystem) and bank-wide rules run on every lint.

One cache file serves one combination of qbank version, registered rules and rule settings; any
change there starts a new file. The cache is a ``marshal`` blob (plain data only, no code), written
atomically; a missing, stale or unreadable cache is silently treated as empty.
"""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qbank import __version__
from qbank.fsio import atomic_write_bytes

FORMAT = 1
_GITIGNORE = "# Created by qbank; the lint cache is not for version control.\n*\n"


def digest(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


@dataclass(slots=True)
class CacheEntry:
    digest: bytes
    problems: list[tuple[Any, ...]]
    """(code, line, column, message, item_id) for each input problem."""
    items: list[tuple[dict[str, Any], int, int, bytes]]
    """(item data, line, column, packed positions) for each valid item."""
    findings: list[tuple[Any, ...]]
    """(code, line, column, message, item_id) for each finding of a cacheable item rule."""


class LintCache:
    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        self.path = folder / f"lint-{key}.bin"
        self.entries: dict[str, tuple[Any, ...]] = {}
        self.dirty = False
        try:
            data = marshal.loads(self.path.read_bytes())
            if isinstance(data, dict) and data.get("format") == FORMAT:
                self.entries = data["entries"]
        except (OSError, ValueError, EOFError, TypeError, KeyError):
            self.entries = {}
        self._seen: set[str] = set()

    @staticmethod
    def key_for(settings: Any) -> str:
        """A short hash of everything besides file content that findings depend on."""
        blob = repr((FORMAT, __version__, settings)).encode("utf-8")
        return hashlib.blake2b(blob, digest_size=8).hexdigest()

    def get(self, path: str, file_digest: bytes) -> CacheEntry | None:
        self._seen.add(path)
        raw = self.entries.get(path)
        if raw is None or raw[0] != file_digest:
            return None
        return CacheEntry(*raw)

    def put(self, path: str, entry: CacheEntry) -> None:
        self._seen.add(path)
        self.entries[path] = (entry.digest, entry.problems, entry.items, entry.findings)
        self.dirty = True

    def save(self) -> None:
        """Write the cache, dropping entries of files that no longer exist (deleted or renamed)."""
        stale = {p for p in set(self.entries) - self._seen if not Path(p).exists()}
        for path in stale:
            del self.entries[path]
        if not (self.dirty or stale):
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text(_GITIGNORE, encoding="utf-8")
            atomic_write_bytes(self.path, marshal.dumps({"format": FORMAT, "entries": self.entries}))
        except OSError:
            pass  # a read-only checkout still lints; it just does not get faster
