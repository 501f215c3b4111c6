from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.model import Item
from qbank.text import (
    NOT_NEGATIVE_PHRASES,
    exception_words,
    in_title_case_run,
    is_emphasised,
    lead_in_span,
    word_tokens,
)

# Phrases in which a negative word asks nothing negative.
NOT_NEGATIVE = list(NOT_NEGATIVE_PHRASES)
_TRUE_OR_FALSE = re.compile(r"^\W*true\s*(?:or|/)\s*false\b", re.I)


class NegativeStem(Rule):
    code = "QB306"
    name = "negative-stem"
    summary = "The stem asks for the option that does NOT fit without emphasising the negative word."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice", "multiple_response", "short_answer", "numerical"})
    languages = frozenset({"en"})  # English grammar and word lists
    options = (
        RuleOption("extend-terms", [], "More negative words to report in a lead-in (for example 'never', 'avoid')."),
        RuleOption(
            "ignore-phrases",
            NOT_NEGATIVE,
            "Phrases in which a negative word does not turn the question around; replace the list to add your own.",
        ),
    )
    doc = RuleDoc(
        what="Reports a stem whose lead-in (the last sentence with a question mark, else the last "
        "sentence that is not an instruction such as 'Select all that apply') asks for the option "
        "that does not fit with not, n't, cannot, except, least, false, incorrect, untrue, inaccurate, "
        "incorrectly, mismatched or exception (plus `extend-terms`), when that word is not emphasised. Emphasised means written in capitals "
        "(NOT, EXCEPT, LEAST) or in bold (`**not**`, `__not__`, `<b>`, `<strong>`, `<u>`). Not "
        "reported: negatives in the vignette before the lead-in, in a relative or adverbial clause "
        "('peers who are not paid', 'if it is not treated'), in quotations or capitalised titles "
        "('Do Not Resuscitate'), 'at least' and the other `ignore-phrases`, 'false' naming a thing "
        "('a false positive'), and 'True or false:' statements. Applies to choice, short-answer and "
        "numerical items; true/false, matching and essay stems are statements or instructions "
        "rather than questions that ask for an option. A lead-in that only describes the answer, with no "
        "question, instruction or 'of the following' ('The organelle that makes lipids does not have "
        "ribosomes', 'everything, except human labor, that is used …') is not reported either: its "
        "negative describes rather than asks for the exception.",
        why="A student reading quickly misses an unstressed 'not' and answers the opposite question, "
        "so the item measures reading care instead of knowledge. The NBME guide advises against "
        "negative stems, and Haladyna, Downing and Rodriguez (2002) recommend wording stems "
        "positively, or at least making the negative impossible to miss (capitals or bold) when it "
        "is essential.",
        bad="stem: All of the following are core skills of motivational interviewing except:\n",
        good="stem: Which of the following is a core skill of motivational interviewing?\n",
        notes="When the negative is essential (what a peer specialist must never do, say), keep it "
        "but make it stand out: 'All of the following are core skills of motivational "
        "interviewing EXCEPT:'. Rewriting the question positively is still better, since a "
        "negative costs every student time. The rule reports the first offending word of an item.",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        prose, negatives = exception_words(item.stem, opts["extend-terms"], opts["ignore-phrases"])
        if not negatives:
            return
        sentence = lead_in_span(prose)
        if _TRUE_OR_FALSE.match(prose[sentence[0] : sentence[1]]):
            return
        words_ = word_tokens(prose, *sentence)
        for word in negatives:
            if is_emphasised(prose, word) or in_title_case_run(prose, words_, words_.index(word)):
                continue
            yield Violation(
                f"the lead-in asks for the exception with an unemphasised {word.text!r}; ask the question "
                f"positively, or if the negative is essential write it as {word.text.upper()!r} or in bold",
                ("stem",),
            )
            return
