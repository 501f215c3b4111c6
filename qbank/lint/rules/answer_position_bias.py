from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.model import MultipleChoice

if TYPE_CHECKING:
    from qbank.loader import LoadedItem


def _upper_tail(z: float) -> float:
    """P(Z >= z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2))


class AnswerPositionBias(Rule):
    code = "QB402"
    name = "answer-position-bias"
    summary = "In items with shuffle: false, the key sits in one position far more often than chance."
    severity = Severity.WARNING
    scope = "bank"
    options = (
        RuleOption("min-items", 10, "Unshuffled single-key items needed before the test runs."),
        RuleOption("alpha", 0.01, "Significance level, split over the positions tested (Bonferroni)."),
    )
    doc = RuleDoc(
        what="Counts where the key sits in `multiple_choice` items with `shuffle: false` and one key. For "
        "each position it compares the count with what chance predicts given each item's number of "
        "options (a normal approximation to the Poisson-binomial, with continuity correction) and "
        "reports a position that holds the key significantly more often. It is reported once, at "
        "the first such item. Items the LMS shuffles are not counted: their written order is not "
        "what students see.",
        why="Test-wise students learn that the answer is usually C, or rarely the first option "
        "(Attali & Bar-Hillel 2003). When option order is fixed, the author's habits leak the key.",
        bad="# 12 items with shuffle: false, and the key is option 1 in 9 of them\n",
        good="# move keys so each position holds about its share, or let the LMS shuffle\nshuffle: true\n",
    )

    def check_bank(self, items: Sequence[LoadedItem], opts: Mapping[str, Any]) -> Iterable[tuple[LoadedItem, Violation]]:
        fixed = []
        for entry in items:
            item = entry.item
            if isinstance(item, MultipleChoice) and not item.shuffle and len(item.options) >= 2:
                keys = [i for i, o in enumerate(item.options) if o.correct]
                if len(keys) == 1:
                    fixed.append((entry, keys[0], len(item.options)))
        if len(fixed) < int(opts["min-items"]):
            return
        positions = max(n for _, _, n in fixed)
        alpha = float(opts["alpha"]) / positions
        observed: dict[int, list[LoadedItem]] = defaultdict(list)
        for entry, key, _ in fixed:
            observed[key].append(entry)
        worst: tuple[float, int, float] | None = None
        for pos in range(positions):
            expected = sum(1 / n for _, _, n in fixed if n > pos)
            variance = sum((1 / n) * (1 - 1 / n) for _, _, n in fixed if n > pos)
            count = len(observed[pos])
            if variance <= 0 or count <= expected:
                continue
            z = (count - 0.5 - expected) / math.sqrt(variance)
            p = _upper_tail(z)
            if p < alpha and (worst is None or p < worst[0]):
                worst = (p, pos, expected)
        if worst is None:
            return
        p, pos, expected = worst
        hits = observed[pos]
        yield hits[0], Violation(
            f"the key is option {pos + 1} in {len(hits)} of {len(fixed)} unshuffled items "
            f"(chance predicts {expected:.1f}; p = {p:.2g}); vary key positions or set shuffle: true",
            ("shuffle",),
        )
