"""Readers from other formats into the canonical model (``qbank import``).

An importer is a pure function from bytes to items, the mirror of an exporter: it reads no other
files, prints nothing and looks up no configuration. Files come from strangers, so importers parse
XML and zips only through :mod:`qbank.importers.safety`. What an importer cannot map it reports as
an :class:`ImportNote` with the source line, never by dropping content silently. A single question
that cannot be read at all is a :class:`QuestionError` in :attr:`ImportResult.errors`: it is left
out and the rest of the file still imports (``qbank import`` then exits 1). Only a file that cannot
be read at all raises :class:`ImportFailure`. Importers register in the ``qbank.importers``
entry-point group, the same way a third-party format would.
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


@dataclass(frozen=True, slots=True)
class QuestionError:
    """One question in the source that cannot be read: it is left out, and the rest of the file imports.

    Unlike an :class:`ImportNote` (the item imports, not quite exactly) nothing of the question is
    imported, so ``qbank import`` reports it as ``FILE:LINE: error: <cause>; <fix>`` and exits 1.
    """

    cause: str
    """What is wrong, in the source's own terms ("the answer block opened with '{' is never closed")."""
    fix: str
    """What to change in the source ("add the '}' after the last answer")."""
    line: int | None = None
    """Where the problem is (1-based), e.g. the line of the '{' that is never closed."""

    @property
    def message(self) -> str:
        return f"{self.cause}; {self.fix}" if self.fix else self.cause


@dataclass(slots=True)
class ImportResult:
    items: list[ImportedItem] = field(default_factory=list)
    notes: list[ImportNote] = field(default_factory=list)
    errors: list[QuestionError] = field(default_factory=list)
    """Questions left out because they cannot be read; one entry per question."""


class ImportFailure(Exception):
    """The whole file cannot be read (malformed, hostile, not this format): one clear message.

    For one bad question in an otherwise readable file, add a :class:`QuestionError` instead.
    """

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
        """Parse ``data``; raise :class:`ImportFailure` when the file cannot be read at all.

        A question that cannot be read goes into :attr:`ImportResult.errors` and the others are
        still returned.
        """
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
