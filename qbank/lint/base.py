"""What a lint rule is, and what it reports.

A rule is a small self-contained unit (yamllint and ruff are the models): a stable code and
kebab-case name, a default severity, its options with defaults, its own documentation, and a
``check`` function. Rules yield :class:`Violation` objects that name a *field path*; the engine turns
paths into file positions, applies selection and severities, and hands :class:`Finding` objects to
the reporters. Rules never see configuration files, positions or output formats.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Mapping, Sequence

if TYPE_CHECKING:
    from qbank.loader import LoadedItem
    from qbank.model import Item

FieldPath = tuple[str | int, ...]


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def rank(self) -> int:
        return 2 if self is Severity.ERROR else 1


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule's report on one item: what is wrong, and at which field."""

    message: str
    path: FieldPath = ()


@dataclass(frozen=True, slots=True)
class Finding:
    """One reported problem, ready for a reporter."""

    path: str
    line: int
    column: int
    code: str
    name: str
    severity: Severity
    message: str
    item_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "item_id": self.item_id,
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
        }


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """A rule's documentation, printed by ``qbank rule CODE`` and embedded in SARIF output."""

    what: str
    why: str
    bad: str
    good: str
    notes: str = ""


@dataclass(frozen=True, slots=True)
class RuleOption:
    name: str
    default: Any
    help: str


class Rule:
    """Base class for lint rules. Subclasses set the class attributes and override a ``check``."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    doc: ClassVar[RuleDoc]
    options: ClassVar[Sequence[RuleOption]] = ()
    #: Options the rule used to take, each with a hint saying where it went: a configuration that
    #: still sets one is refused with that hint instead of a bare "unknown option".
    moved_options: ClassVar[Mapping[str, str]] = {}
    #: "item" rules look at one item, "bank" rules at all items, "input" rules are reported by the loader.
    scope: ClassVar[str] = "item"
    #: Item types the rule applies to; ``None`` for all.
    types: ClassVar[frozenset[str] | None] = None
    #: False when findings depend on more than the item's own file (the lint cache then re-runs it).
    cacheable: ClassVar[bool] = True
    #: False for opt-in rules: they run only when named by code or name in ``select`` or
    #: ``extend-select`` (``ALL`` and prefixes such as ``QB3`` leave them out). A rule is opt-in when
    #: its precision on real banks stays below 0.9; its docs say why.
    default_enabled: ClassVar[bool] = True
    #: The languages whose text the rule can judge (primary subtags such as "en"); ``None`` for
    #: rules that read no wording (keys, structure, numbers). The engine skips an item in another
    #: language and says so in the summary. A rule that knows more than one language receives the
    #: item's language as ``opts["language"]``.
    languages: ClassVar[frozenset[str] | None] = None

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        """Report on one item (item rules)."""
        return ()

    def check_entry(self, entry: LoadedItem, opts: Mapping[str, Any]) -> Iterable[Violation]:
        """Report on one item with its origin; override only when the rule needs the item's file."""
        return self.check(entry.item, opts)

    def check_bank(self, items: Sequence[LoadedItem], opts: Mapping[str, Any]) -> Iterable[tuple[LoadedItem, Violation]]:
        """Report on the whole bank (bank rules)."""
        return ()

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        return {o.name: o.default for o in cls.options}

    def applies_to(self, item: Item) -> bool:
        return self.types is None or item.type in self.types


@dataclass(slots=True)
class RuleSettings:
    """A rule's effective settings after configuration."""

    rule: Rule
    severity: Severity
    options: dict[str, Any] = field(default_factory=dict)
