from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.loader import LoadedItem


class DuplicateId(Rule):
    code = "QB003"
    name = "duplicate-id"
    summary = "Two items in the bank share an id."
    severity = Severity.ERROR
    scope = "bank"
    doc = RuleDoc(
        what="Reports every item whose `id` was already used by an earlier item in the bank "
        "(in path order), naming the first one.",
        why="The id is the question identifier in every export. Two items with one id overwrite each "
        "other in an LMS import, and an LMS may update the wrong question when the bank is re-imported.",
        bad="# items/a.yaml\nid: boundaries-1\n...\n# items/b.yaml\nid: boundaries-1\n",
        good="# items/a.yaml\nid: boundaries-gifts\n...\n# items/b.yaml\nid: boundaries-dual-roles\n",
    )

    def check_bank(self, items: Sequence[LoadedItem], opts: Mapping[str, Any]) -> Iterable[tuple[LoadedItem, Violation]]:
        first: dict[str, LoadedItem] = {}
        for entry in items:
            seen = first.setdefault(entry.id, entry)
            if seen is not entry:
                line, _ = seen.position(("id",))
                yield entry, Violation(f"id '{entry.id}' is already used by the item at {seen.file}:{line}; give each item its own id", ("id",))
