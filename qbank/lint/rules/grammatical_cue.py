"""QB308: the stem's grammar fits only the key.

When a stem ends with "an", or with "are" in a sentence to be completed, a student can discard
every option that does not read grammatically. The rule reports only when the key agrees and every
distractor is known to disagree: options it cannot classify (an acronym it cannot sound out, a
coordinated phrase) count as agreeing, so uncertainty never produces a warning.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.model import Item, single_key
from qbank.text import (
    article_before_answer,
    completion_verb_number,
    first_word,
    indefinite_article,
    noun_number,
)

_OWN_DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those", "some", "any"})


def _option_article(text: str) -> str | None:
    """The article an option needs after the stem; None if it brings its own determiner."""
    word = first_word(text)
    if word is None or word.casefold() in _OWN_DETERMINERS:
        return None
    return indefinite_article(word)


def _only_key_agrees(values: list[str | None], k: int, wanted: str) -> bool:
    return values[k] == wanted and all(v is not None and v != wanted for i, v in enumerate(values) if i != k)


def _article_cue(item: Item, k: int) -> str | None:
    article = article_before_answer(item.stem)
    if article is None:
        return None
    if not _only_key_agrees([_option_article(o.text) for o in item.options], k, article):
        return None
    return (
        f"the stem ends with the article {article!r}, which fits only the key (option {k + 1}); every "
        f"distractor would need {'a' if article == 'an' else 'an'!r}. Move the article into the options "
        "or write 'a(n)'"
    )


def _verb_cue(item: Item, k: int) -> str | None:
    number = completion_verb_number(item.stem)
    if number is None:
        return None
    if not _only_key_agrees([noun_number(o.text) for o in item.options], k, number):
        return None
    other = "singular" if number == "plural" else "plural"
    return (
        f"the stem's verb is {number} and only the key (option {k + 1}) is {number}; every distractor is "
        f"{other}. Make all options the same number, or turn the stem into a question"
    )


class GrammaticalCue(Rule):
    code = "QB308"
    name = "grammatical-cue"
    summary = "The stem's article or verb number agrees only with the key."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice"})
    languages = frozenset({"en"})  # English grammar and word lists
    doc = RuleDoc(
        what="Reports a `multiple_choice` item with one key when (1) the stem ends with the article "
        "'a' or 'an' (or puts one right before a blank) and only the key starts with a sound that fits "
        "it, or (2) a sentence-completion stem ends with 'is'/'are' (optionally 'is called', 'are known "
        "as', ...) and only the key has the matching grammatical number. Every distractor must be known "
        "to disagree; neutral forms ('a(n)', 'a/an') and question-form stems are never reported.",
        why="Options that do not follow grammatically from the stem can be ruled out without any subject "
        "knowledge. The NBME item-writing guide names grammatical cues among the flaws that favour "
        "test-wise examinees, and Haladyna, Downing and Rodriguez (2002) recommend keeping every option "
        "grammatically consistent with the stem.",
        bad="stem: A peer who shares her recovery story to inspire hope is acting as an\n"
        "options:\n"
        "  - text: example of recovery in action\n"
        "    correct: true\n"
        "  - text: clinician\n"
        "  - text: case manager\n"
        "  - text: sponsor\n",
        good="stem: When a peer shares her recovery story to inspire hope, which role is she taking?\n"
        "options:\n"
        "  - text: A role model of recovery in action\n"
        "    correct: true\n"
        "  - text: A clinician\n"
        "  - text: A case manager\n"
        "  - text: A sponsor\n",
        notes="The verb check reads only stems that are sentences to complete (no question mark, not "
        "opening with which/what/...): 'Which of these are ...?' uses a plural verb by convention and "
        "cues nothing.",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        k = single_key(item)
        if k is None or len(item.options) < 2:
            return
        message = _article_cue(item, k) or _verb_cue(item, k)
        if message is not None:
            yield Violation(message, ("stem",))
