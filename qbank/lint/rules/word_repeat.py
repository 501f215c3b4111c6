"""QB307: the key echoes a distinctive word of the stem and no distractor does.

A student who knows nothing can match words: the option that repeats the stem's vocabulary looks
right. Matching by word family (Snowball stems plus a few derivational endings) catches the echo
when the author has changed the word's form ("contain" -> "Containment", "India" -> "Indian").
Requiring the word to be absent from every distractor is what separates a cue from shared topic
vocabulary.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.model import Item, single_key
from qbank.text import content_words, exception_words, family_member, modifier_before, same_family


def _echoes(stem_words: list[str], stem_text: str, key: str, distractors: list[str]) -> list[tuple[str, str]]:
    """(stem word, form in the key) for each stem word found in the key and in no distractor."""
    out: list[tuple[str, str]] = []
    for word in stem_words:
        in_key = family_member(word, key)
        if in_key is None or any(family_member(word, d) is not None for d in distractors):
            continue
        if _different_compounds(word, stem_text, in_key, key):
            continue
        out.append((word, in_key))
    return out


def _different_compounds(word: str, stem_text: str, form: str, key: str) -> bool:
    """Whether the shared word heads a different compound in each ('survey design' against
    'time-order design', 'lacZ gene' against 'reporter gene'): the same head noun with another
    modifier names another thing, so it is no echo."""
    before_stem = modifier_before(stem_text, word)
    before_key = modifier_before(key, form)
    return before_stem is not None and before_key is not None and not same_family(before_stem, before_key)


class WordRepeat(Rule):
    code = "QB307"
    name = "word-repeat"
    summary = "A distinctive stem word is echoed in the key and in no distractor."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice"})
    languages = frozenset({"en"})  # English grammar and word lists
    options = (
        RuleOption(
            "extra-stop-words",
            [],
            "More words never to treat as distinctive, added to the built-in function words and generic "
            "exam words (which, following, best, statement, correct, patient, client, peer, ...).",
        ),
        RuleOption("min-letters", 4, "Shorter stem words are ignored."),
    )
    doc = RuleDoc(
        what="Reports a `multiple_choice` item with one key when a content word of the stem (at least "
        "`min-letters` letters, not a function word or a generic exam word) appears in the key, in the "
        "same or a related form, and in none of the distractors. Related forms share a Snowball stem or "
        "an obvious derivational ending (contain/Containment, India/Indian, convene/Convention).",
        why="Repeating a stem word only in the key is a 'clang association': students who do not know "
        "the content pick the option that sounds like the question. The NBME item-writing guide lists "
        "word repetition between stem and key as a cue for test-wise examinees, and Haladyna, Downing "
        "and Rodriguez (2002) advise against clues that point to the right answer.",
        bad="stem: A peer feels ashamed of her diagnosis. Which practice most directly counters internalized stigma?\n"
        "options:\n"
        "  - text: Sharing recovery stories that challenge stigma\n"
        "    correct: true\n"
        "  - text: Avoiding talk about the diagnosis\n"
        "  - text: Limiting social contact\n",
        good="stem: A peer feels ashamed of her diagnosis. Which practice most directly counters internalized stigma?\n"
        "options:\n"
        "  - text: Sharing recovery stories from peers with similar experiences\n"
        "    correct: true\n"
        "  - text: Avoiding talk about the diagnosis\n"
        "  - text: Limiting social contact\n",
        notes="Either remove the echoed word from the key or use it in at least one distractor too. Add "
        "words that are generic in your subject (for example `recovery` in a peer-support bank) with the "
        "`extra-stop-words` option.",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        k = single_key(item)
        if k is None or len(item.options) < 2:
            return
        stop = frozenset(str(w).casefold() for w in opts["extra-stop-words"])
        stem_words = content_words(item.stem, stop, int(opts["min-letters"]))
        distractors = [o.text for i, o in enumerate(item.options) if i != k]
        if exception_words(item.stem)[1]:
            return  # "Which is NOT ...": an echo in the key makes it look right, which points away from it
        echoes = _echoes(stem_words, item.stem, item.options[k].text, distractors)
        if not echoes:
            return
        listed = ", ".join(f"{w!r}" if w == form.casefold() else f"{w!r} (as {form!r})" for w, form in echoes)
        yield Violation(
            f"the key (option {k + 1}) repeats the stem {'word' if len(echoes) == 1 else 'words'} {listed}, "
            f"which no distractor uses; a student "
            "can match words instead of knowing the answer. Reword the key or use the word in a distractor too",
            ("options", k, "text"),
        )
