"""Where an item's local media files may come from: inside its bank, never outside.

Exports package every file an item links to. A path such as ``../../../home/me/.ssh/id_rsa`` or an
absolute path, or a symlink that leads out, would copy a file from outside the bank into a zip
that is then shared or uploaded by CI. So a media path must be relative, and once symlinks are
resolved it must stay inside the bank root: the nearest folder above the item that holds
``qbank.toml``, ``pyproject.toml`` or ``.git`` (the project), else the item's own folder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT_MARKERS = ("qbank.toml", "pyproject.toml", ".git")


def bank_root(folder: str) -> str:
    """The real path of the bank root for items in ``folder`` (see the module docstring)."""
    return _bank_root(os.path.realpath(folder))


@lru_cache(maxsize=4096)
def _bank_root(start: str) -> str:
    current = start
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in ROOT_MARKERS):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return start
        current = parent


@dataclass(frozen=True, slots=True)
class Located:
    """A local media reference resolved against its item: the file, or why it cannot be used."""

    path: Path
    problem: str | None = None
    """None when the path may be read; else what is wrong (absolute, outside the bank, missing)."""


def locate(item_folder: Path, local_path: str) -> Located:
    """Resolve ``local_path`` (as written in the item) relative to the item's folder."""
    target = Path(local_path)
    if target.is_absolute() or local_path.startswith(("/", "\\")) or (len(local_path) > 1 and local_path[1] == ":"):
        return Located(target, "is an absolute path; qbank packages only files inside the bank, so put the file "
                               "in the bank and use a path relative to the item's YAML file")
    path = item_folder / target
    root = bank_root(os.fspath(item_folder))
    real = os.path.realpath(path)
    if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
        return Located(path, f"leads outside the bank ({root}); qbank packages only files inside the bank, so move "
                             "the file into it (symbolic links that lead out do not count)")
    if not os.path.isfile(real):
        return Located(path, "does not exist; add the file or fix the path (paths are relative to the item's YAML file)")
    return Located(Path(real))
