from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.model import Item
from qbank.text import normalize


class DuplicateOptions(Rule):
    code = "QB103"
    name = "duplicate-options"
    summary = "Two options of one item have the same text."
    severity = Severity.ERROR
    types = frozenset({"multiple_choice", "multiple_response"})
    doc = RuleDoc(
        what="Reports an option whose text equals an earlier option's text after case-folding, "
        "trimming and collapsing runs of whitespace.",
        why="Students see two identical choices; if one is the key and the other is not, the item "
        "cannot be answered. Usually a copy-paste slip when drafting distractors.",
        bad="options:\n  - text: Richard I\n  - text: King John\n    correct: true\n  - text: richard  I\n",
        good="options:\n  - text: Richard I\n  - text: King John\n    correct: true\n  - text: Henry III\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        seen: dict[str, int] = {}
        for i, option in enumerate(item.options):
            key = normalize(option.text)
            if not key:
                continue  # empty text is QB504's finding
            if key in seen:
                yield Violation(
                    f"option {i + 1} repeats option {seen[key] + 1} ({option.text.strip()!r}); reword or remove one",
                    ("options", i, "text"),
                )
            else:
                seen[key] = i
