"""PLACEHOLDER: implementation pending (issue 2 work in progress)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.model import Item


class FillInTheBlank(Rule):
    code = "QB312"
    name = "fill-in-the-blank"
    summary = "The stem is a fill-in-the-blank sentence with a ___ blank."
    severity = Severity.WARNING
    scope = "item"
    doc = RuleDoc(what="TODO", why="TODO", bad="TODO", good="TODO")

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        return ()
