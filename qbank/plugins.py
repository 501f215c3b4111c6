"""Entry-point discovery shared by rules, exporters and importers.

Built-ins register exactly the way third-party plugins do (flake8 and pytest keep their cores
small the same way); a broken plugin is reported as one clear error, never as a qbank crash.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import TypeVar

T = TypeVar("T")


class PluginLoadError(Exception):
    """A plugin's entry point could not be imported or is not the expected kind of class."""


def load_plugins(group: str, base: type[T], kind: str) -> dict[str, T]:
    """One instance of each class registered in ``group``, by entry-point name, sorted by name."""
    found: dict[str, T] = {}
    for ep in entry_points(group=group):
        try:
            cls = ep.load()
        except Exception as exc:  # a broken plugin must not look like a qbank crash
            raise PluginLoadError(f"cannot load {kind} plugin {ep.name} ({ep.value}): {exc}") from exc
        if not (isinstance(cls, type) and issubclass(cls, base)):
            raise PluginLoadError(f"entry point {ep.name} ({ep.value}) is not a qbank {base.__name__} class")
        found[ep.name] = cls()
    return dict(sorted(found.items()))
