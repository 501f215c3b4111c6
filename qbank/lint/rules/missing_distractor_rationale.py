from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.model import Item
from qbank.text import is_blank


class MissingDistractorRationale(Rule):
    code = "QB202"
    name = "missing-distractor-rationale"
    summary = "A distractor has no rationale saying why it is wrong."
    severity = Severity.ERROR
    types = frozenset({"multiple_choice", "multiple_response"})
    doc = RuleDoc(
        what="Reports each option that is not a key and has no `rationale` (absent, null or blank). "
        "In an item with no key every option counts as a distractor. A key without a rationale is "
        "not reported: the explanation covers it.",
        why="A student who picks a distractor needs to know why it is wrong; that feedback is the "
        "point of a practice bank. The rationale is exported as the option's feedback in Moodle "
        "and Canvas.",
        bad="options:\n  - text: Active listening and empathy\n    correct: true\n  - text: Indifference\n",
        good="options:\n  - text: Active listening and empathy\n    correct: true\n  - text: Indifference\n"
        "    rationale: Indifference tells clients that their struggles do not matter, and they withdraw.\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        for i, option in enumerate(item.options):
            if not option.correct and is_blank(option.rationale):
                path = ("options", i, "rationale") if option.rationale is not None else ("options", i)
                yield Violation(
                    f"distractor {i + 1} ({_short(option.text)}) has no rationale; say why it is wrong", path
                )


def _short(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 40 else text[:37] + "...")
