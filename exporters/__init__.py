"""Writers from the canonical model to LMS formats (installed as ``qbank.exporters``).

Every exporter is a pure function from items to bytes: it reads no files, prints nothing and looks
up no configuration. What it needs arrives in :class:`BankItem` (the item, its resolved media, its
category) and :class:`ExportOptions`. What it cannot express it reports as an
:class:`ExportWarning`, never by dropping content silently. Exporters register in the
``qbank.exporters`` entry-point group, the same way a third-party format would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar, Mapping, Sequence

from qbank.plugins import PluginLoadError, load_plugins

if TYPE_CHECKING:
    from qbank.model import Item

GROUP = "qbank.exporters"


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A local file an item refers to, read by the caller and handed to the exporter."""

    src: str
    """The reference as written in the item's Markdown (``media/ruler.png``)."""
    name: str
    """A unique, safe file name for packages (``ruler-1a2b3c4d.png``), stable for the same bytes."""
    data: bytes
    mime: str


@dataclass(frozen=True, slots=True)
class BankItem:
    """One item as exporters see it."""

    item: Item
    media: Mapping[str, MediaFile] = field(default_factory=dict)
    """Resolved local media by ``src`` as written (after percent-decoding)."""
    category: tuple[str, ...] = ()
    """The item's category path: its folder inside the bank (``("ethics", "boundaries")``)."""


@dataclass(frozen=True, slots=True)
class ExportOptions:
    title: str = "qbank export"
    """Quiz, assessment or question-bank title, where the format has one."""
    identifier: str = "qbank-export"
    """A stable identifier for the package/assessment (derived from the title by the CLI)."""
    category: str = "folder"
    """GIFT and Moodle XML categories: ``folder`` (the item's folder), ``tag`` (first tag) or ``none``."""
    csv_bom: bool = False
    """Write a UTF-8 byte-order mark so spreadsheet programs detect the encoding."""


@dataclass(frozen=True, slots=True)
class ExportWarning:
    """Something the target format cannot carry, and so did not get."""

    item_id: str
    message: str


@dataclass(slots=True)
class ExportResult:
    """The file an exporter made, and an honest account of what is in it.

    ``written`` counts the items the file holds; every other item handed in is in ``omitted``
    with the reason. The export pipeline checks that the two add up, so a count it prints is a
    count of what was written, never of what was asked for.
    """

    data: bytes
    warnings: list[ExportWarning] = field(default_factory=list)
    """Items that were written but lost something on the way."""
    omitted: list[ExportWarning] = field(default_factory=list)
    """Items that were not written at all, each with the reason."""
    written: int = 0


class Exporter:
    """Base class: subclasses set the class attributes and implement :meth:`export`."""

    name: ClassVar[str]
    label: ClassVar[str]
    extension: ClassVar[str]
    """File extension of the output, with the dot (``.zip``)."""
    description: ClassVar[str]

    def export(self, items: Sequence[BankItem], options: ExportOptions) -> ExportResult:
        raise NotImplementedError


ExporterLoadError = PluginLoadError


@lru_cache(maxsize=1)
def all_exporters() -> dict[str, Exporter]:
    """Registered exporters by format name."""
    return load_plugins(GROUP, Exporter, "exporter")
