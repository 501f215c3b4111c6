"""PLACEHOLDER: implementation pending (issue 2 work in progress)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.model import Item


class NearDuplicateItems(Rule):
    code = "QB401"
    name = "near-duplicate-items"
    summary = "Two items in the bank have near-identical stems."
    severity = Severity.WARNING
    scope = "bank"
    doc = RuleDoc(what="TODO", why="TODO", bad="TODO", good="TODO")

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        return ()
