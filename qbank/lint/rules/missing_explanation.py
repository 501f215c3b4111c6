from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.model import Item
from qbank.text import is_blank


class MissingExplanation(Rule):
    code = "QB201"
    name = "missing-explanation"
    summary = "An item has no explanation (general feedback)."
    severity = Severity.ERROR
    doc = RuleDoc(
        what="Reports an item whose `explanation` is absent, null or only whitespace.",
        why="The explanation is what turns a practice question into teaching: it says why the key is "
        "right, and it is exported as the LMS's general feedback. A practice bank without "
        "explanations is the most common complaint of certification candidates.",
        bad="id: ph-water\nstem: What is the pH of pure water at 25 °C?\n# no explanation\n",
        good="id: ph-water\nstem: What is the pH of pure water at 25 °C?\nexplanation: Pure water self-ionises equally into H⁺ and OH⁻, so its pH is 7.\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        if is_blank(item.explanation):
            path = ("explanation",) if item.explanation is not None else ()
            yield Violation("the item has no explanation; add `explanation:` saying why the key is right", path)
