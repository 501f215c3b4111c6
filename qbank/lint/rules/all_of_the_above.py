"""PLACEHOLDER: implementation pending (issue 2 work in progress)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.model import Item


class AllOfTheAbove(Rule):
    code = "QB301"
    name = "all-of-the-above"
    summary = "An option is 'All of the above' or a variant."
    severity = Severity.WARNING
    scope = "item"
    doc = RuleDoc(what="TODO", why="TODO", bad="TODO", good="TODO")

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        return ()
