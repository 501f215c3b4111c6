from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.model import Item
from qbank.text import blank_runs, ends_with_blank


class FillInTheBlank(Rule):
    code = "QB312"
    name = "fill-in-the-blank"
    summary = "The stem is a fill-in-the-blank sentence with a ___ blank."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice", "multiple_response"})
    options = (
        RuleOption("min-underscores", 3, "The shortest run of underscores that counts as a blank."),
        RuleOption(
            "final-blank",
            False,
            "Also report a stem whose only blank ends it ('... is called a ______.'), the completion "
            "format that the guidelines accept.",
        ),
    )
    doc = RuleDoc(
        what="Reports a choice item whose stem has a blank (a run of `min-underscores`, default 3, or "
        "more underscores outside inline code and code blocks; escaped underscores (`\\_`) count) "
        "anywhere but at its very end, or more than one blank. A single blank that ends the stem "
        "('... is called a ______.') completes the sentence, a form Haladyna, Downing and Rodriguez "
        "(2002) accept; it is reported only with `final-blank = true`. "
        "Python names such as `__init__` in code and double-underscore bold are not blanks, and a "
        "stem that simply ends mid-sentence is not reported. Short-answer and numerical items are "
        "not checked: a blank is the natural way to write a cloze item that the student types into.",
        why="A blank in a multiple-choice stem hides the question until the student has tried every "
        "option in the gap, so the item tests sentence fitting and grammar as much as knowledge, and "
        "blanks placed early or several to a sentence make it hard to read. The NBME guide prefers "
        "a closed question that a knowledgeable student could answer with the options covered "
        "(the 'cover the options' test), and Haladyna, Downing and Rodriguez (2002) advise against "
        "the cloze format for the same reason.",
        bad="stem: ________ is the name for sharing one's own recovery story to inspire hope.\n",
        good="stem: What is the term for a peer specialist sharing their own recovery story to inspire hope?\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        runs = blank_runs(item.stem, int(opts["min-underscores"]))
        if not runs or (len(runs) == 1 and not opts["final-blank"] and ends_with_blank(item.stem, int(opts["min-underscores"]))):
            return
        where = f"{len(runs)} fill-in blanks" if len(runs) > 1 else f"a fill-in blank ({runs[0]!r}) before the end"
        yield Violation(
            f"the stem has {where}; rewrite it as a direct question that can be answered with the options "
            "covered, or at most end the sentence with one blank",
            ("stem",),
        )
