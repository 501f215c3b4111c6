from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.model import Item
from qbank.text import blank_runs


class FillInTheBlank(Rule):
    code = "QB312"
    name = "fill-in-the-blank"
    summary = "The stem is a fill-in-the-blank sentence with a ___ blank."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice", "multiple_response"})
    options = (RuleOption("min-underscores", 3, "The shortest run of underscores that counts as a blank."),)
    doc = RuleDoc(
        what="Reports a choice item whose stem contains a run of `min-underscores` (default 3) or more "
        "underscores outside inline code and code blocks; escaped underscores (`\\_`) count. "
        "Python names such as `__init__` in code and double-underscore bold are not blanks, and a "
        "stem that simply ends mid-sentence is not reported. Short-answer and numerical items are "
        "not checked: a blank is the natural way to write a cloze item that the student types into.",
        why="A blank in a multiple-choice stem hides the question until the student has tried every "
        "option in the gap, so the item tests sentence fitting and grammar as much as knowledge, and "
        "blanks placed early or several to a sentence make it hard to read. The NBME guide prefers "
        "a closed question that a knowledgeable student could answer with the options covered "
        "(the 'cover the options' test), and Haladyna, Downing and Rodriguez (2002) advise against "
        "the cloze format for the same reason.",
        bad="stem: Sharing one's own recovery story to inspire hope is called ________.\n",
        good="stem: What is the term for a peer specialist sharing their own recovery story to inspire hope?\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        runs = blank_runs(item.stem, int(opts["min-underscores"]))
        if runs:
            yield Violation(
                f"the stem has a fill-in blank ({runs[0]!r}); rewrite it as a direct question that can be "
                "answered with the options covered",
                ("stem",),
            )
