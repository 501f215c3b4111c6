from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from qbank.lang import LEXICONS, MULTILINGUAL, lexicon_hits
from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.model import Item
from qbank.text import (
    ABSOLUTE_TERMS,
    ALL_OF_THE_ABOVE,
    exception_words,
    NONE_OF_THE_ABOVE,
    Token,
    in_title_case_run,
    is_label_only,
    is_negated,
    option_references,
    quantifies_definite_set,
    starts_with_phrase,
    strip_code,
    term_hits,
    word_tokens,
    words,
)

# Fixed expressions and technical terms in which a lexicon word generalises nothing.
FIXED_TERMS = [
    "after all", "at all", "all right", "all in all", "above all", "first of all", "once and for all",
    "never event", "never events", "completely randomized", "absolutely continuous", "absolutely convergent",
    "only child",
]


class AbsoluteTerms(Rule):
    code = "QB303"
    name = "absolute-terms"
    summary = "An option uses an absolute term (always, never, all, only ...) as a sweeping generalisation."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice", "multiple_response"})
    languages = MULTILINGUAL
    options = (
        RuleOption("extend-terms", [], "More absolute words or phrases to report (for example 'certainly')."),
        RuleOption(
            "ignore-phrases",
            FIXED_TERMS,
            "Fixed expressions in which a listed word is not a generalisation; replace the list to add your own.",
        ),
    )
    doc = RuleDoc(
        what="Reports an option whose text uses a word from the absolute lexicon (always, never, all, "
        "none, only, every, everyone, everything, must, completely, entirely, totally, absolutely, "
        "no one, nobody, invariably, impossible, guarantee(s/d), plus `extend-terms`) as a sweeping "
        "claim, on the options that are false: the distractors, or in an exception question ('Which "
        "is NOT …?') the key. On a true option an absolute states a fact ('in all daughters and none "
        "of the sons') and cues nothing. Only option text is read, never the stem, rationales or "
        "explanation, and code is skipped. German, French, Spanish and Russian items are read with "
        "those languages' lists (qbank/lang.py), skipping a term after a negation or before a number. Not reported: part of a hyphenated compound or fixed term ('all-or-nothing "
        "thinking', 'never events', see `ignore-phrases`); part of a capitalised name or title; a "
        "definite count or schedule ('all three goals', 'every 4 hours', 'every other day'); after a "
        "negation ('not always'); an option that is only 'None' (a count); 'All/None of the "
        "above' (their own rules); and options that only name other options ('A and C only').",
        why="Test-wise students know that sweeping claims are rarely true, so an option with 'always' "
        "or 'never' can be eliminated without knowing the content, and a key with one is "
        "suspicious. Haladyna, Downing and Rodriguez (2002) list these specific determiners among "
        "the cues to avoid, and the NBME guide warns against them in options for the same reason.",
        bad="stem: A peer you support invites you to her birthday party. Which response best fits professional boundaries?\n"
        "options:\n"
        "  - text: Thank her and keep contact within program activities\n"
        "    correct: true\n"
        "  - text: Never respond to personal invitations from peers\n"
        "  - text: Always accept, since mutuality means friendship\n",
        good="stem: A peer you support invites you to her birthday party. Which response best fits professional boundaries?\n"
        "options:\n"
        "  - text: Thank her and keep contact within program activities\n"
        "    correct: true\n"
        "  - text: Leave the invitation unanswered\n"
        "  - text: Accept, since mutuality means friendship\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        lexicon = LEXICONS.get(opts.get("language") or "en")
        extra = {t.casefold() for t in opts["extend-terms"]}
        terms = ABSOLUTE_TERMS | extra
        # A sweeping claim is a cue on the options that are false: the distractors, or in an
        # exception question ("Which is NOT ...?") the key. On a true option it states a fact.
        exception = lexicon is None and bool(exception_words(item.stem)[1])
        true_words = {
            w.casefold() for o in item.options if o.correct != exception for w in words(o.text)
        }
        for i, option in enumerate(item.options):
            if option.correct != exception:
                continue
            if lexicon is not None:
                skip = (*lexicon.all_of_the_above, *lexicon.none_of_the_above)
                found = lexicon_hits(option.text, lexicon.absolute | extra, lexicon.negations, skip)
            else:
                found = _sweeping_terms(option.text, terms, opts["ignore-phrases"])
            # A term the true options use as well ('must increase' in key and distractor) marks nothing.
            found = [t for t in found if t.casefold() not in true_words]
            if found:
                unique = list(dict.fromkeys(found))
                role = "the key of this exception question" if option.correct else "a distractor"
                yield Violation(
                    f"option {i + 1}, {role}, uses the absolute term{'s' if len(unique) > 1 else ''} "
                    f"{', '.join(map(repr, unique))}; test-wise students spot sweeping claims as false, so state "
                    "the actual condition or limit instead",
                    ("options", i, "text"),
                )


def _sweeping_terms(text: str, terms: frozenset[str], ignore: Iterable[str]) -> list[str]:
    """The absolute terms an option uses as generalisations, as written."""
    if option_references(text) is not None or is_label_only(text):
        return []  # "A and C only", "Only I is true": labels, not claims
    prose = strip_code(text)
    words_ = word_tokens(prose)
    listed = _list_phrase_words(text)
    return [
        term
        for term, index in term_hits(prose, words_, terms, ignore)
        if index >= listed and not _is_bare_none(prose, words_, index) and not _is_exempt(prose, words_, index)
    ]


def _is_bare_none(prose: str, words_: list[Token], index: int) -> bool:
    """Whether "None" stands alone as the answer ("None", "None (all orbitals are full)"): a count or a value."""
    word = words_[index]
    return index == 0 and word.lower == "none" and re.match(r"\s*(?:[^\w\s]|$)", prose[word.end :]) is not None


def _list_phrase_words(text: str) -> int:
    """How many leading words belong to an 'All/None of the above' opening (reported by QB301/QB302)."""
    phrase = starts_with_phrase(text, (*ALL_OF_THE_ABOVE, *NONE_OF_THE_ABOVE))
    return len(phrase.split()) if phrase else 0


_DEMONSTRATIVES = frozenset({"that", "this", "these", "those"})


def _aggregates_or_names_a_set(words_: list[Token], index: int) -> bool:
    """'the average of all prices', 'the value of all final goods' (a definition that sums over a
    set) and 'all sororities on that campus' (a set the option names) use 'all' literally."""
    if index > 0 and words_[index - 1].lower == "of":
        return True
    return any(w.lower in _DEMONSTRATIVES for w in words_[index + 1 : index + 5])


def _is_exempt(prose: str, words_: list[Token], index: int) -> bool:
    """Definite counts, negated terms and names use the word without generalising."""
    word = words_[index]
    if word.lower in {"all", "every"} and quantifies_definite_set(words_, index):
        return True
    if word.lower == "all" and _aggregates_or_names_a_set(words_, index):
        return True
    if is_negated(words_, index):
        return True
    return in_title_case_run(prose, words_, index)
