from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lang import MULTILINGUAL, phrases_for
from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.lint.rules._catch_all import catch_all_violations
from qbank.model import Item
from qbank.text import NONE_OF_THE_ABOVE


class NoneOfTheAbove(Rule):
    code = "QB302"
    name = "none-of-the-above"
    summary = "An option is 'None of the above' or a variant."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice", "multiple_response"})
    languages = MULTILINGUAL
    options = (
        RuleOption(
            "extend-phrases",
            [],
            "More openings to report, besides 'none of the above/these/the preceding/options/answers' "
            "and 'neither of the above/these' (for example 'no correct answer is listed').",
        ),
    )
    doc = RuleDoc(
        what="Reports each option whose text, read as the student sees it (code, emphasis, a stray "
        "letter label and wrapping punctuation removed, case ignored), begins with 'None of the "
        "above', 'None of these', 'None of the preceding / options / answers / choices' or "
        "'Neither of the above / these'. 'None' as an answer to a count ('How many …? None') and "
        "`None` as a code value are not reported.",
        why="When 'None of the above' is the key, the item only shows that the student can reject "
        "wrong answers, not that they know the right one; when it is a distractor, it is rarely "
        "chosen and so adds nothing but reading time. Its meaning also shifts with what 'above' "
        "is once options are shuffled. The NBME guide and Haladyna, Downing and Rodriguez (2002) "
        "recommend avoiding it.",
        bad="stem: A peer tells you she has a plan to end her life tonight. What do you do first?\n"
        "options:\n"
        "  - text: Stay with her and connect her to crisis services now\n"
        "    correct: true\n"
        "  - text: Wait for the next scheduled session\n"
        "  - text: Promise to keep the plan confidential\n"
        "  - text: None of the above\n",
        good="stem: A peer tells you she has a plan to end her life tonight. What do you do first?\n"
        "options:\n"
        "  - text: Stay with her and connect her to crisis services now\n"
        "    correct: true\n"
        "  - text: Wait for the next scheduled session\n"
        "  - text: Promise to keep the plan confidential\n"
        "  - text: Encourage her to talk it over with a friend tomorrow\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        return catch_all_violations(
            item,
            (*phrases_for(opts.get("language"), "none_of_the_above", NONE_OF_THE_ABOVE), *opts["extend-phrases"]),
            key_fix="it is the key, so the item rewards rejecting wrong answers; write the correct answer as an option",
        )
