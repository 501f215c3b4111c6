from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.model import Item


class MultipleCorrectAnswers(Rule):
    code = "QB102"
    name = "multiple-correct-answers"
    summary = "A multiple_choice item has more than one key."
    severity = Severity.ERROR
    types = frozenset({"multiple_choice"})
    doc = RuleDoc(
        what="Reports a `multiple_choice` item with two or more options marked `correct: true`. "
        "The finding points at the second key.",
        why="A single-answer question with two keys is either miskeyed or really a 'select all that "
        "apply' question. LMSs grade the two differently, so the author must decide.",
        bad="type: multiple_choice\noptions:\n  - text: Empathy\n    correct: true\n  - text: Active listening\n    correct: true\n  - text: Indifference\n",
        good="type: multiple_response   # or keep multiple_choice with one key\noptions:\n  - text: Empathy\n    correct: true\n  - text: Active listening\n    correct: true\n  - text: Indifference\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        keys = [i for i, o in enumerate(item.options) if o.correct]
        if len(keys) > 1:
            numbers = ", ".join(str(i + 1) for i in keys)
            yield Violation(
                f"{len(keys)} options are marked correct (options {numbers}); keep one key, "
                "or make the item multiple_response",
                ("options", keys[1], "correct"),
            )
