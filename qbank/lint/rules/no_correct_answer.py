from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.model import Item


class NoCorrectAnswer(Rule):
    code = "QB101"
    name = "no-correct-answer"
    summary = "A choice item has no option marked correct."
    severity = Severity.ERROR
    types = frozenset({"multiple_choice", "multiple_response"})
    doc = RuleDoc(
        what="Reports a `multiple_choice` or `multiple_response` item in which no option has `correct: true`.",
        why="With no key, every student scores zero and the LMS may refuse the import. It is usually a "
        "forgotten `correct: true` or a typo in the key's field.",
        bad="options:\n  - text: Active listening and empathy\n  - text: Indifference\n",
        good="options:\n  - text: Active listening and empathy\n    correct: true\n  - text: Indifference\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        if item.options and not any(o.correct for o in item.options):
            yield Violation("no option is marked `correct: true`; mark the key", ("options",))
