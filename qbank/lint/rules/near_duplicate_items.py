from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.text import stem, word_parts

if TYPE_CHECKING:
    from qbank.loader import LoadedItem


def _tokens(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in word_parts(text))


class NearDuplicateItems(Rule):
    code = "QB401"
    name = "near-duplicate-items"
    summary = "Two items in the bank have near-identical stems."
    severity = Severity.WARNING
    scope = "bank"
    options = (
        RuleOption("threshold", 0.85, "Jaccard similarity of the stems' stemmed word sets at which items count as near-duplicates."),
        RuleOption("min-words", 4, "Stems with fewer distinct words are not compared (short labels repeat by nature)."),
    )
    doc = RuleDoc(
        what="Compares every item's stem with the others by the Jaccard similarity of their stemmed "
        "word sets, and reports an item whose stem is at least `threshold` similar to an earlier "
        "item's (in path order). Candidate pairs come from prefix filtering on rare words, so a "
        "bank of 10,000 items is checked without comparing every pair.",
        why="Near-duplicates creep in when several authors write to one blueprint or when items are "
        "cloned and edited. On a test form they cue each other's answers, and in a practice bank "
        "they inflate the item count and skew scores. Merging or differentiating them is an "
        "editorial decision, so this is a warning.",
        bad="# items/a.yaml\nstem: Which quality is essential for effective peer support?\n"
        "# items/b.yaml\nstem: Which quality is most essential for effective peer support?\n",
        good="# items/b.yaml: a distinct question on the same objective\n"
        "stem: A peer says nobody listens to her. Which response shows active listening?\n",
    )

    def check_bank(self, items: Sequence[LoadedItem], opts: Mapping[str, Any]) -> Iterable[tuple[LoadedItem, Violation]]:
        threshold = float(opts["threshold"])
        min_words = int(opts["min-words"])
        sets = [_tokens(entry.item.stem) for entry in items]
        frequency: Counter[str] = Counter()
        for s in sets:
            frequency.update(s)
        # Prefix filtering (Chaudhuri et al. 2006; Bayardo et al. 2007): order each set's words from
        # rarest to commonest; two sets with Jaccard >= t must share a word among the first
        # |x| - ceil(t * |x|) + 1 words of each. Only pairs sharing such a word are compared.
        index: dict[str, list[int]] = defaultdict(list)
        reported: set[int] = set()
        for j, words in enumerate(sets):
            if len(words) < min_words:
                continue
            ordered = sorted(words, key=lambda w: (frequency[w], w))
            prefix = ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1]
            candidates: set[int] = set()
            for w in prefix:
                candidates.update(index[w])
            best: tuple[float, int] | None = None
            size = len(words)
            for i in candidates:
                other = sets[i]
                other_size = len(other)
                # The size bound alone rules a pair out: J <= min/max.
                if (size < threshold * other_size) if size < other_size else (other_size < threshold * size):
                    continue
                shared = len(words & other)
                similarity = shared / (size + other_size - shared)
                if similarity >= threshold and (best is None or (similarity, -i) > (best[0], -best[1])):
                    best = (similarity, i)
            if best is not None and j not in reported:
                reported.add(j)
                first = items[best[1]]
                line, _ = first.position(("stem",))
                yield items[j], Violation(
                    f"stem is {best[0]:.0%} similar to item '{first.id}' ({first.file}:{line}); "
                    "merge the two or make them ask different things",
                    ("stem",),
                )
            for w in prefix:
                index[w].append(j)
