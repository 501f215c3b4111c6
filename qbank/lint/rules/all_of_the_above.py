from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lang import MULTILINGUAL, phrases_for
from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.lint.rules._catch_all import catch_all_violations
from qbank.model import Item
from qbank.text import ALL_OF_THE_ABOVE


class AllOfTheAbove(Rule):
    code = "QB301"
    name = "all-of-the-above"
    summary = "An option is 'All of the above' or a variant."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice", "multiple_response"})
    languages = MULTILINGUAL
    options = (
        RuleOption(
            "extend-phrases",
            [],
            "More openings to report, besides 'all of the above', 'all the above', 'all of these', "
            "'all of the preceding/options/answers/choices', 'all are correct' and 'any of the above' "
            "(for example 'everything listed').",
        ),
    )
    doc = RuleDoc(
        what="Reports each option whose text, read as the student sees it (code, emphasis, a stray "
        "letter label and wrapping punctuation removed, case ignored), begins with 'All of the "
        "above', 'All the above', 'All of these', 'All of them', 'All are correct', 'All of the "
        "preceding / options / answers / choices / alternatives / responses / listed / statements', "
        "or the variants that offer the same escape as a possibility: 'Any of the above (are "
        "possible)', 'Any of these', 'Each of the above'. 'All' as an ordinary word ('All-or-nothing "
        "thinking', 'All peers have …') is left to the absolute-terms rule.",
        why="'All of the above' lets a student score without the knowledge the item targets: anyone who "
        "recognises two options as correct can pick it without judging the rest, and anyone who "
        "spots one wrong option can rule it out. Studies of flawed items find it makes items easier "
        "and less discriminating, and both the NBME item-writing guide and Haladyna, Downing and "
        "Rodriguez (2002) advise against it. It also breaks when the LMS shuffles options.",
        bad="stem: Which practices support a peer's recovery?\n"
        "options:\n"
        "  - text: Honouring the peer's own goals\n"
        "  - text: Sharing lived experience with purpose\n"
        "  - text: Linking the peer with community resources\n"
        "  - text: All of the above\n"
        "    correct: true\n",
        good="type: multiple_response\n"
        "stem: Which practices support a peer's recovery? Select all that apply.\n"
        "options:\n"
        "  - text: Honouring the peer's own goals\n"
        "    correct: true\n"
        "  - text: Sharing lived experience with purpose\n"
        "    correct: true\n"
        "  - text: Linking the peer with community resources\n"
        "    correct: true\n"
        "  - text: Setting the peer's goals for them\n",
        notes="When several options are meant to be right, ask for them directly with "
        "`type: multiple_response`; otherwise replace the option with a plausible distractor.",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        return catch_all_violations(
            item,
            (*phrases_for(opts.get("language"), "all_of_the_above", ALL_OF_THE_ABOVE), *opts["extend-phrases"]),
            key_fix="it is the key, so ask for every correct option with type: multiple_response instead",
        )
