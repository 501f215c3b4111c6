"""PLACEHOLDER: implementation pending (issue 2 work in progress)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.model import Item


class LongestOptionIsKey(Rule):
    code = "QB305"
    name = "longest-option-is-key"
    summary = "The key is much longer than every distractor."
    severity = Severity.WARNING
    scope = "item"
    doc = RuleDoc(what="TODO", why="TODO", bad="TODO", good="TODO")

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        return ()
