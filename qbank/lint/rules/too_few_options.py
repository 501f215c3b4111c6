from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.model import Item


class TooFewOptions(Rule):
    code = "QB104"
    name = "too-few-options"
    summary = "A multiple_choice item has fewer options than the minimum (3 by default)."
    severity = Severity.WARNING
    types = frozenset({"multiple_choice"})
    options = (RuleOption("min-options", 3, "The smallest acceptable number of options."),)
    doc = RuleDoc(
        what="Reports a `multiple_choice` item with fewer than `min-options` options (default 3).",
        why="With two options a guess scores 50%, so the item says little about what the student "
        "knows. Three good options are as informative as four or five (Rodriguez 2005). A "
        "two-option item is a true/false question: write it as `type: true_false`.",
        bad="options:\n  - text: Custodial interrogation\n    correct: true\n  - text: A voluntary street conversation\n",
        good="options:\n  - text: Custodial interrogation\n    correct: true\n  - text: A voluntary street conversation\n  - text: A traffic stop without arrest\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        minimum = int(opts["min-options"])
        if len(item.options) < minimum:
            yield Violation(
                f"only {len(item.options)} option(s); write at least {minimum}, or use type: true_false",
                ("options",),
            )
