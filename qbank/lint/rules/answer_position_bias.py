"""PLACEHOLDER: implementation pending (issue 2 work in progress)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.model import Item


class AnswerPositionBias(Rule):
    code = "QB402"
    name = "answer-position-bias"
    summary = "In unshuffled items, the key sits in one position far more often than chance."
    severity = Severity.WARNING
    scope = "bank"
    doc = RuleDoc(what="TODO", why="TODO", bad="TODO", good="TODO")

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        return ()
