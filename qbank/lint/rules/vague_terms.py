from __future__ import annotations

from typing import Any, Iterable, Mapping

from qbank.lang import LEXICONS, MULTILINGUAL, lexicon_hits
from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.model import Item
from qbank.text import VAGUE_TERMS, is_month_may, strip_code, term_hits, word_tokens


class VagueTerms(Rule):
    code = "QB304"
    name = "vague-terms"
    summary = "An option uses a vague frequency or quantity term (often, usually, may ...)."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice", "multiple_response"})
    languages = MULTILINGUAL
    # Opt-in: on three real college banks reviewers judged 1 of 12 findings a flaw. Faculty use
    # 'often', 'many' and 'might' as content ('noted by many people', 'might increase, decrease or
    # remain constant'), and no word list tells that use from a hedge.
    default_enabled = False
    options = (
        RuleOption("extend-terms", [], "More vague words or phrases to report (for example 'occasional', 'most')."),
        RuleOption(
            "ignore-phrases",
            [],
            "Fixed terms in which a listed word is precise, such as 'normally distributed' in a statistics bank.",
        ),
    )
    doc = RuleDoc(
        what="Reports an option whose text contains a word from the vague lexicon (often, usually, "
        "frequently, sometimes, occasionally, rarely, seldom, generally, typically, commonly, "
        "normally, may, might, could, possibly, perhaps, probably, many, several, somewhat, plus "
        "`extend-terms`). Only option text is read; the stem ('most often', 'could belong') is not. "
        "Code is skipped, and so is 'May' the month ('May 1980', 'in May'): a capitalised 'May' next "
        "to a date or in mid-sentence.",
        notes="Off by default: on three real college banks (PROOLA, 2,720 items) reviewers judged only 1 "
        "of 12 sampled findings a flaw, because authors use these words as content ('noted by many "
        "people', 'might increase, decrease or remain constant', 'much more frequently in males'). "
        "Turn it on with `extend-select = [\"QB304\"]` for banks written to a house style that bans them.",
        why="Vague quantifiers mean different things to different readers, so a knowledgeable student "
        "can argue for or against the option and the key becomes debatable. Hedged options are "
        "also a cue: the key is often the only option qualified with 'usually' or 'may'. "
        "Haladyna, Downing and Rodriguez (2002) advise against vague terms, and the NBME guide "
        "notes that experts disagree widely on what 'frequently' or 'rarely' means.",
        bad="stem: A peer specialist learns that a peer has started using again. How should she respond?\n"
        "options:\n"
        "  - text: Explore what happened without judgment and revisit goals\n"
        "    correct: true\n"
        "  - text: Rarely mention it, since the peer will probably bring it up\n"
        "  - text: End the relationship and refer the peer elsewhere\n",
        good="stem: A peer specialist learns that a peer has started using again. How should she respond?\n"
        "options:\n"
        "  - text: Explore what happened without judgment and revisit goals\n"
        "    correct: true\n"
        "  - text: Wait for the peer to raise the subject\n"
        "  - text: End the relationship and refer the peer elsewhere\n",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        lexicon = LEXICONS.get(opts.get("language") or "en")
        extra = {t.casefold() for t in opts["extend-terms"]}
        for i, option in enumerate(item.options):
            if lexicon is not None:
                found = lexicon_hits(option.text, lexicon.vague | extra, frozenset())
            else:
                prose = strip_code(option.text)
                words_ = word_tokens(prose)
                hits = term_hits(prose, words_, VAGUE_TERMS | extra, opts["ignore-phrases"])
                found = [t for t, at in hits if not is_month_may(prose, words_, at)]
            if found:
                unique = list(dict.fromkeys(found))
                yield Violation(
                    f"option {i + 1} uses the vague term{'s' if len(unique) > 1 else ''} "
                    f"{', '.join(map(repr, unique))}; readers disagree on what such words mean, so state a definite "
                    "frequency, amount or condition",
                    ("options", i, "text"),
                )
