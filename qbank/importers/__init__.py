"""Readers from other formats into the canonical model (``qbank import``).

An importer is a pure function from bytes to items, the mirror of an exporter: it reads no other
files, prints nothing and looks up no configuration. Files come from strangers, so importers parse
XML and zips only through :mod:`qbank.importers.safety`. What an importer cannot map it reports as
an :class:`ImportNote` with the source line, never by dropping content silently. Importers register
in the ``qbank.importers`` entry-point group, the same way a third-party format would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar

from qbank.plugins import PluginLoadError, load_plugins

if TYPE_CHECKING:
    from qbank.model import Item

GROUP = "qbank.importers"


@dataclass(slots=True)
class ImportedItem:
    """One item read from a source file, with what the YAML writer needs besides the item."""

    item: Item
    category: tuple[str, ...] = ()
    """The source's category path (Moodle category, QTI section, folder inside a package)."""
    media: dict[str, bytes] = field(default_factory=dict)
    """Files the item's Markdown refers to, by the path used in the Markdown (``media/x.png``)."""
    line: int | None = None
    """Where the question starts in the source file (1-based), for notes."""
    comment: str | None = None
    """A source comment that belongs to the item; the YAML writer keeps it as a YAML comment."""


@dataclass(frozen=True, slots=True)
class ImportNote:
    """Something in the source that could not be mapped exactly."""

    message: str
    line: int | None = None
    item_id: str | None = None


@dataclass(slots=True)
class ImportResult:
    items: list[ImportedItem] = field(default_factory=list)
    notes: list[ImportNote] = field(default_factory=list)


class ImportFailure(Exception):
    """The whole file cannot be read (malformed, hostile, not this format): one clear message."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class Importer:
    """Base class: subclasses set the class attributes and implement :meth:`detect` and :meth:`read`."""

    name: ClassVar[str]
    label: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]] = ()

    def detect(self, data: bytes, filename: str) -> bool:
        """Whether ``data`` looks like this format (content first; the extension only breaks ties)."""
        raise NotImplementedError

    def read(self, data: bytes, filename: str) -> ImportResult:
        """Parse ``data``; raise :class:`ImportFailure` when the file cannot be read at all."""
        raise NotImplementedError


ImporterLoadError = PluginLoadError


@lru_cache(maxsize=1)
def all_importers() -> dict[str, Importer]:
    """Registered importers by format name."""
    return load_plugins(GROUP, Importer, "importer")


# Order matters for detection: specific container formats before loose text formats.
DETECTION_ORDER = ("canvas", "qti21", "qti30", "moodle-xml", "csv", "rexams", "gift", "aiken")


def detect_format(data: bytes, filename: str) -> str | None:
    importers = all_importers()
    names = [n for n in DETECTION_ORDER if n in importers] + [n for n in importers if n not in DETECTION_ORDER]
    for name in names:
        try:
            if importers[name].detect(data, filename):
                return name
        except ImportFailure:
            continue
    return None
