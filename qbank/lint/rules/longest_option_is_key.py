"""QB305: the key stands out by its length.

Test-wise students pick the longest option when unsure, because authors pad the key with the
qualifications that make it defensible and leave distractors short. A ratio (not an absolute
difference) keeps the rule fair to both short and long option sets, and the word floor keeps it
quiet on one-word answers, where length differences say nothing.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.model import Item, single_key
from qbank.text import char_length


class LongestOptionIsKey(Rule):
    code = "QB305"
    name = "longest-option-is-key"
    summary = "The key is much longer than every distractor."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice"})
    options = (
        RuleOption(
            "ratio",
            1.5,
            "How many times longer (in characters) than the longest distractor the key must be to be reported. "
            "Below 1.5, parallel options of one form (the same sentence with different details) differ by "
            "chance: on real banks most findings at 1.3-1.4 were such sets.",
        ),
        RuleOption("min-words", 4, "Keys with fewer words are never reported: short answers differ in length by chance."),
    )
    doc = RuleDoc(
        what="Reports a `multiple_choice` item with one key when the key has at least `min-words` words "
        "and its length in characters is at least `ratio` times (default 1.5) the length of the longest "
        "distractor. Lengths are measured on the trimmed text with whitespace runs collapsed.",
        why="Students who do not know the answer learn to choose the longest option, because authors tend "
        "to load the key with the qualifications that make it correct. The NBME item-writing guide lists "
        "a longer, more detailed key among the cues that help test-wise examinees, and Haladyna, Downing "
        "and Rodriguez (2002) advise keeping options about equal in length. When the key stands out, the "
        "item measures test-wiseness rather than knowledge.",
        bad="stem: A peer tells you she relapsed last weekend. What is the most helpful first response?\n"
        "options:\n"
        "  - text: Listen without judgment, ask what support she wants now, and revisit her recovery plan together\n"
        "    correct: true\n"
        "  - text: Remind her of program rules\n"
        "  - text: Refer her to a clinician\n"
        "  - text: Share your own relapse story\n",
        good="stem: A peer tells you she relapsed last weekend. What is the most helpful first response?\n"
        "options:\n"
        "  - text: Listen without judgment and ask what support she wants\n"
        "    correct: true\n"
        "  - text: Remind her of the program rules on substance use\n"
        "  - text: Refer her to a clinician for a relapse assessment\n"
        "  - text: Share the story of your own first relapse\n",
        notes="Fix it either way: trim the key to what makes it correct, or give the distractors the same "
        "level of detail. Items whose key is long for a reason (a procedure, a definition) can suppress "
        "the rule with `lint: {ignore: [QB305]}`.",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        k = single_key(item)
        if k is None or len(item.options) < 2:
            return
        key_text = item.options[k].text
        if len(key_text.split()) < int(opts["min-words"]):
            return
        longest = max(char_length(o.text) for i, o in enumerate(item.options) if i != k)
        if longest == 0:
            return  # empty distractors are QB504's finding
        key_len = char_length(key_text)
        ratio = key_len / longest
        if key_len >= float(opts["ratio"]) * longest - 1e-9:  # 13 chars vs 10 is exactly 1.3
            yield Violation(
                f"the key (option {k + 1}, {key_len} characters) is {ratio:.2f}x as long as the longest "
                f"distractor ({longest} characters); trim the key or give the distractors comparable detail",
                ("options", k, "text"),
            )
