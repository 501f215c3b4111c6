from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.model import ChoiceItem, Item
from qbank.text import is_bare_topic, is_unfocused_question, truth_question_has_focus


class UnfocusedStem(Rule):
    code = "QB311"
    name = "unfocused-stem"
    summary = "The stem poses no specific question ('Which of the following is true?')."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice", "multiple_response", "short_answer", "numerical"})
    languages = frozenset({"en"})  # English grammar and word lists
    options = (
        RuleOption("check-labels", True, "Also report stems that are only a topic label ('Harm reduction')."),
        RuleOption(
            "named-topic",
            False,
            "Also report 'Which is true/correct about X?' when the lead-in names a topic or a scenario "
            "comes first (the stricter reading of the NBME 'cover the options' test).",
        ),
    )
    doc = RuleDoc(
        what="Reports a stem that asks no specific question: either its lead-in is only 'Which (of "
        "the following / statement) is true / correct / accurate / false / incorrect?' (or 'Select "
        "the correct statement') and names nothing it is about, or the whole stem is a bare topic "
        "label with no question and no verb ('Harm reduction', 'The Romantic movement in English "
        "poetry'). A lead-in that names its topic ('Which is correct about open market "
        "operations?') or follows a scenario is reported only with `named-topic = true`: on real "
        "banks reviewers judged those stems focused enough. Focused questions ('Which of the "
        "following novels was written by …?') and sentence-completion stems ('… is called an', or "
        "options that carry on in lower case) are not reported. Applies to choice, short-answer and "
        "numerical items; true/false stems are statements by design, and matching and essay stems "
        "are instructions.",
        why="A stem should carry the question, so that a student who knows the content could answer "
        "it with the options covered. With an unfocused stem every option becomes its own "
        "true/false judgement on a different point, which makes the item longer, harder to read "
        "and less reliable. The NBME guide's 'cover the options' rule and Haladyna, Downing and "
        "Rodriguez (2002), who ask for the central idea to be in the stem, both point the same way.",
        bad="stem: Which of the following is true?\n",
        good="stem: According to SAMHSA's working definition, what can recovery look like while symptoms continue?\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        if is_unfocused_question(item.stem) and (opts["named-topic"] or not truth_question_has_focus(item.stem)):
            yield Violation(
                "the lead-in only asks which option is true or false; put the point being tested in the stem "
                "as a focused question",
                ("stem",),
            )
        elif opts["check-labels"] and is_bare_topic(item.stem) and not _options_complete_stem(item):
            yield Violation(
                "the stem is a topic label that asks no question; write a complete question the student "
                "could answer with the options covered",
                ("stem",),
            )


def _options_complete_stem(item: Item) -> bool:
    """Options that all start in lower case carry on the stem's sentence, so the stem is not a bare label."""
    if not isinstance(item, ChoiceItem):
        return False
    texts = [o.text.strip().lstrip("*_\"'“‘([") for o in item.options if o.text.strip()]
    return bool(texts) and all(t[:1].islower() for t in texts)
