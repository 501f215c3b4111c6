"""QB310: numeric options in a jumbled order.

Ordered numbers let a student find the value they computed at a glance, and they stop the key's
position from carrying information (authors tend to hide the key in the middle of a jumble). The
rule only judges sets where every option parses as one quantity in one unit: comparing 500 mg with
1 g, or a number with "Stage 3", would need knowledge the linter does not have.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.model import Item
from qbank.text import common_unit, is_monotonic, parse_quantity, plain


class UnorderedNumericOptions(Rule):
    code = "QB310"
    name = "unordered-numeric-options"
    summary = "Numeric options are not in ascending or descending order."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice", "multiple_response"})
    doc = RuleDoc(
        what="Reports a choice item whose options are all single numbers or quantities (optional sign, "
        "currency, thousands separators, decimals, fractions such as 1/36, %, a scale word such as "
        "million, or a unit such as mEq/hr) in one unit, listed neither in ascending nor in descending "
        "order. Ties are allowed. A set with any non-numeric option ('Stage 3', '3:00 a.m.', 'None', "
        "'first') is left alone.",
        why="The NBME item-writing guide asks for numeric options in logical (usually ascending) order, "
        "and Haladyna, Downing and Rodriguez (2002) recommend placing options in logical or numerical "
        "order. Ordered values spare the student a search, and keep the key's position from hinting at "
        "the answer.",
        bad="stem: A peer-run warmline took 120 calls in March and 150 in April. By what percentage did calls increase?\n"
        "options:\n"
        "  - text: 30%\n"
        "  - text: 25%\n"
        "    correct: true\n"
        "  - text: 20%\n"
        "  - text: 50%\n",
        good="stem: A peer-run warmline took 120 calls in March and 150 in April. By what percentage did calls increase?\n"
        "options:\n"
        "  - text: 20%\n"
        "  - text: 25%\n"
        "    correct: true\n"
        "  - text: 30%\n"
        "  - text: 50%\n",
        notes="Set `shuffle: false` on the item so that the LMS keeps the order you wrote.",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        if len(item.options) < 3:
            return
        parsed = [parse_quantity(o.text) for o in item.options]
        if any(p is None for p in parsed):
            return
        values = [p[0] for p in parsed if p is not None]
        units = [p[1] for p in parsed if p is not None]
        if not common_unit(units) or is_monotonic(values):
            return
        listed = ", ".join(plain(o.text) for o in item.options)
        ordered = ", ".join(plain(item.options[i].text) for i in sorted(range(len(values)), key=lambda i: values[i]))
        yield Violation(
            f"numeric options are out of order ({listed}); list them in ascending order ({ordered}) "
            "or descending order",
            ("options",),
        )
