"""QB313: a true/false question, or a bundle of them, dressed as a choice item.

Two shapes count. Options that are literally True/False or Yes/No belong in a true_false item. And
options that are each a separate claim about a different facet of a topic, under "Which statement
is true?", are several true/false questions in one: the item has no single focus and its score
mixes unrelated facts. The second shape is judged from the lead-in first, because sentences alone
do not make options independent (parallel answers to one focused question are often sentences too).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.model import Item
from qbank.text import (
    ALL_OF_THE_ABOVE,
    LITERAL_TRUTH_SETS,
    NONE_OF_THE_ABOVE,
    claim_predicate,
    claim_subject,
    content_words,
    is_declarative,
    is_label_only,
    is_bare_topic,
    is_unfocused_question,
    literal_truth_value,
    truth_question_has_focus,
    option_references,
    starts_with_phrase,
    stem,
)

_CATCH_ALLS = ALL_OF_THE_ABOVE + NONE_OF_THE_ABOVE


def _is_catch_all(text: str) -> bool:
    """'All of the above', 'Both A and C' and the like are not claims of their own."""
    return starts_with_phrase(text, _CATCH_ALLS) is not None or option_references(text) is not None or is_label_only(text)


def _literal_message(item: Item) -> str | None:
    values = [literal_truth_value(o.text) for o in item.options]
    if len(values) < 2 or None in values or frozenset(values) not in LITERAL_TRUTH_SETS:
        return None
    pair = "True/False" if "true" in values else "Yes/No"
    return f"the options are just {pair}; write the item as `type: true_false` with the statement in the stem"


def _same_facet(claims: list[str], stem_text: str) -> bool:
    """Whether the claims say alternative things about one facet ("The mean is greater than the
    median" / "The median is greater than the mean"): a word of what they assert, beyond the stem's
    own words, recurs in more than half of them. Independent claims assert unrelated things."""
    topic = frozenset(content_words(stem_text))
    counts: Counter[str] = Counter()
    for claim in claims:
        counts.update({stem(w) for w in content_words(claim_predicate(claim), topic)})
    return any(n >= 2 and 2 * n > len(claims) for n in counts.values())


def _independent_claims(item: Item, named_topic: bool) -> bool:
    # The stem tests come first: they are cheap, and most items pose a focused question.
    unfocused = is_unfocused_question(item.stem) and (named_topic or not truth_question_has_focus(item.stem))
    if not unfocused and not is_bare_topic(item.stem):
        return False
    claims = [o.text for o in item.options if not _is_catch_all(o.text)]
    if len(claims) < 3 or _same_facet(claims, item.stem):
        return False
    if unfocused:
        # The lead-in already says "judge these one by one"; allow one option whose verb we miss.
        return sum(is_declarative(c) for c in claims) >= max(3, len(claims) - 1)
    # No lead-in at all: demand clear clauses about different subjects.
    subjects = {claim_subject(c) for c in claims}
    return all(is_declarative(c, strict=True) for c in claims) and len(subjects) == len(claims)


class TrueFalseOptions(Rule):
    code = "QB313"
    name = "true-false-options"
    summary = "The options are independent true/false statements rather than answers to one question."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice", "multiple_response"})
    languages = frozenset({"en"})  # English grammar and word lists
    options = (
        RuleOption(
            "named-topic",
            False,
            "Also judge the options under 'Which is true about X?' when the lead-in names a topic or a "
            "scenario comes first.",
        ),
    )
    doc = RuleDoc(
        what="Reports a choice item whose options are literally True/False or Yes/No, or whose three or "
        "more options (not counting 'All of the above' and the like) are each a stand-alone declarative "
        "claim, under a lead-in that asks which statement is true, correct, false or incorrect and names "
        "nothing it is about, or under a stem that is only a topic label. Under a lead-in that names its "
        "topic ('Which is true about M1?') or follows a scenario, the options are parallel claims about "
        "one focus, and are judged only with `named-topic = true`.",
        why="An item whose options are unrelated claims is a set of true/false questions: each option "
        "tests a different fact, the stem poses no problem, and a student can reach the key by "
        "eliminating claims one by one. The NBME item-writing guide warns against such 'which of the "
        "following is true' items for exactly this reason, and Haladyna, Downing and Rodriguez (2002) "
        "ask for a stem with a clear, single focus. A literal True/False pair is better written as a "
        "true_false item.",
        bad="stem: Which of the following is true?\n"
        "options:\n"
        "  - text: Peer specialists draw on their own lived experience of recovery\n"
        "    correct: true\n"
        "  - text: Confidentiality rules do not apply to peer conversations\n"
        "  - text: Recovery requires the complete absence of symptoms\n"
        "  - text: Supervisors are not allowed to discuss boundaries\n",
        good="stem: What sets a peer specialist apart from other members of a treatment team?\n"
        "options:\n"
        "  - text: Lived experience of recovery, shared with purpose\n"
        "    correct: true\n"
        "  - text: Authority to adjust medication\n"
        "  - text: Training to diagnose mental illness\n"
        "  - text: Responsibility for court reporting\n",
        notes="Options that answer one focused question stay clean even when they are full sentences. "
        "To keep a genuine true/false check, write each claim as its own `type: true_false` item.",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        message = _literal_message(item)
        if message is None and _independent_claims(item, bool(opts["named-topic"])):
            message = (
                "each option is a separate claim to judge true or false, so the item is several true/false "
                "questions in one; ask one focused question with parallel options, or split the claims "
                "into true_false items"
            )
        if message is not None:
            yield Violation(message, ("options",))
