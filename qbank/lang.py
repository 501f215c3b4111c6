"""Which language an item is written in, and the word lists the wording rules read in each language.

The wording rules (absolute and vague terms, 'all/none of the above', negative stems, grammar
cues ...) work from word lists and grammar of one language. Run on another language they find
nothing, which reads as a clean bill of health. So every text rule declares the languages it
knows (``Rule.languages``), each item's language is worked out here, and the engine runs a rule only
on items in a language it knows, and says in the summary what it could not check.

An item's language is, in order: its own ``language`` field, the bank's ``language`` setting in the
configuration, else a guess from the text (its script, then the commonest words of a few languages).
When even the guess finds nothing (a short stem of names and numbers), the item counts as English,
the language of every rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qbank.model import Item

FALLBACK = "en"

NAMES = {
    "en": "English", "ru": "Russian", "uk": "Ukrainian", "de": "German", "fr": "French", "es": "Spanish",
    "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "el": "Greek", "ar": "Arabic", "he": "Hebrew",
    "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "pl": "Polish", "tr": "Turkish", "bg": "Bulgarian",
}


def language_name(code: str) -> str:
    return NAMES.get(code, code)


def primary(tag: str) -> str:
    """The language subtag of a BCP 47 tag, lower-cased: 'en-US' -> 'en', 'zh-Hant-TW' -> 'zh'."""
    return tag.split("-", 1)[0].split("_", 1)[0].lower()


# The commonest function words of each language: three or more different ones of one language, and
# more than any other's, name it. Words that are also English words ('a', 'as', 'de', 'in', 'y' as a
# variable) are left out of the other lists, and one-letter words count for nothing: a short English
# stem must never pass for Portuguese. Short lists on purpose: they only have to tell these apart.
_ENGLISH = frozenset(
    "the of and to is are which what an in for that with by this from or not be was were it its as at on "
    "no do does can has have will would".split()
)
_COMMON_WORDS: dict[str, frozenset[str]] = {
    "en": _ENGLISH,
    "de": frozenset("der die das und ist sind nicht ein eine welche welcher was zu mit von für den dem des".split()) - _ENGLISH,
    "fr": frozenset("le la les et est sont des une un du que qui quel quelle pour dans pas au aux".split()) - _ENGLISH,
    "es": frozenset("el la los las es son de del que cuál qué una un para por con en no".split()) - _ENGLISH,
    "it": frozenset("il lo la gli le è sono di del della che quale un una per con non".split()) - _ENGLISH,
    "pt": frozenset("os as é são de do da que qual um uma para com não em".split()) - _ENGLISH,
    "nl": frozenset("de het een en is zijn van welke wat niet met voor op te".split()) - _ENGLISH,
}
_WORD = re.compile(r"[^\W\d_]+")


_SCRIPTS = {
    "cyrillic": re.compile("[\u0400-\u04ff]"),
    "greek": re.compile("[\u0370-\u03ff]"),
    "arabic": re.compile("[\u0600-\u06ff]"),
    "hebrew": re.compile("[\u0590-\u05ff]"),
    "kana": re.compile("[\u3040-\u30ff]"),
    "han": re.compile("[\u4e00-\u9fff]"),
    "hangul": re.compile("[\uac00-\ud7af]"),
}


def _script_language(letters: str) -> str | None:
    """A language named by the script alone (or None for Latin letters, or a mix)."""
    if letters.isascii():
        return None  # the common case, decided without counting
    counts = {script: len(pattern.findall(letters)) for script, pattern in _SCRIPTS.items()}
    script, n = max(counts.items(), key=lambda kv: kv[1])
    if n * 2 <= len(letters):
        return None
    if script == "cyrillic":
        return "uk" if re.search("[іїєґІЇЄҐ]", letters) else "ru"
    if script in ("han", "kana"):
        return "ja" if counts["kana"] else "zh"
    return {"greek": "el", "arabic": "ar", "hebrew": "he", "hangul": "ko"}[script]


@lru_cache(maxsize=16384)
def guess_language(text: str) -> str | None:
    """The language of ``text`` by its script and its commonest words, or None when unsure."""
    letters = "".join(_WORD.findall(text))
    if not letters:
        return None
    by_script = _script_language(letters)
    if by_script is not None:
        return by_script
    words = {w.casefold() for w in _WORD.findall(text) if len(w) > 1}
    hits = sorted(((len(words & common), lang) for lang, common in _COMMON_WORDS.items()), reverse=True)
    (best, lang), (second, _) = hits[0], hits[1]
    if best > second and (best >= 3 or (lang == "en" and best >= 2)):
        return lang
    return None


def item_text(item: Item) -> str:
    """The words a student reads: the stem and the options (or answers), for the language guess."""
    parts = [item.stem]
    for option in getattr(item, "options", None) or ():
        parts.append(option.text)
    return "\n".join(parts)


def language_of(item: Item, default: str | None = None) -> str:
    """The item's language subtag: its own ``language``, the bank default, a guess, else English."""
    if item.language:
        return primary(item.language)
    if default:
        return primary(default)
    return guess_language(item_text(item)) or FALLBACK


@dataclass(frozen=True)
class Lexicon:
    """What the multilingual wording rules read in one language."""

    absolute: frozenset[str]
    """Sweeping-claim words (always, never, all, only ...), each form listed: the match is by word."""
    vague: frozenset[str]
    """Indefinite frequency or amount words (usually, often, may, several ...); phrases allowed."""
    all_of_the_above: tuple[str, ...]
    none_of_the_above: tuple[str, ...]
    negations: frozenset[str]
    """Words that, right before an absolute term, turn it into a limit ('не всегда', 'nicht immer')."""


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# English is not here: its rules keep their own richer lists and grammar (qbank.text).
LEXICONS: dict[str, Lexicon] = {
    "ru": Lexicon(
        absolute=_words(
            "всегда никогда все всё всех всем всеми каждый каждая каждое каждого каждой каждому каждым каждом "
            "каждые каждых только никто никого никому никем ничто ничего ничему невозможно полностью абсолютно "
            "совершенно исключительно гарантирует гарантированно"
        ),
        vague=_words("обычно часто иногда редко нередко зачастую возможно вероятно несколько многие") | {"как правило", "в основном"},
        all_of_the_above=(
            "все вышеперечисленное", "всё вышеперечисленное", "все вышеперечисленные", "все перечисленное",
            "всё перечисленное", "все перечисленные", "все из перечисленного", "все ответы верны",
            "все варианты верны", "все варианты ответов верны", "любой из вышеперечисленных", "все выше перечисленное",
        ),
        none_of_the_above=(
            "ничего из вышеперечисленного", "ничего из перечисленного", "ни один из вышеперечисленных",
            "ни один из перечисленных", "ни одно из перечисленного", "ни один из ответов", "нет правильного ответа",
            "нет верного ответа", "ни один из вариантов",
        ),
        negations=_words("не ни"),
    ),
    "de": Lexicon(
        absolute=_words(
            "immer nie niemals alle alles jeder jede jedes jeden jedem nur niemand nichts unmöglich vollständig "
            "völlig absolut garantiert ausschließlich"
        ),
        vague=_words("oft häufig manchmal selten gewöhnlich normalerweise meistens möglicherweise vielleicht wahrscheinlich mehrere"),
        all_of_the_above=(
            "alle oben genannten", "alle genannten", "alle der oben genannten", "alle antworten sind richtig",
            "alles oben genannte", "alle vorgenannten",
        ),
        none_of_the_above=("keine der oben genannten", "keine der genannten", "keine der antworten", "nichts davon", "keine davon"),
        negations=_words("nicht kaum"),
    ),
    "fr": Lexicon(
        absolute=_words(
            "toujours jamais tous toutes chaque seulement uniquement personne rien impossible complètement "
            "entièrement totalement absolument garantit"
        ),
        vague=_words("souvent parfois rarement généralement habituellement normalement peut-être probablement plusieurs"),
        all_of_the_above=(
            "toutes les réponses ci-dessus", "toutes ces réponses", "toutes les réponses précédentes",
            "tous les choix ci-dessus", "toutes les propositions ci-dessus", "tout ce qui précède",
        ),
        none_of_the_above=(
            "aucune des réponses ci-dessus", "aucune de ces réponses", "aucune des réponses précédentes",
            "aucune des propositions ci-dessus", "aucun des choix ci-dessus",
        ),
        negations=_words("pas ne n'"),
    ),
    "es": Lexicon(
        absolute=_words(
            "siempre nunca jamás todos todas cada solo sólo solamente únicamente nadie nada imposible "
            "completamente totalmente absolutamente garantiza"
        ),
        vague=_words("frecuentemente generalmente normalmente habitualmente posiblemente probablemente quizás quizá varios") | {"a menudo", "a veces", "rara vez"},
        all_of_the_above=(
            "todas las anteriores", "todas las respuestas anteriores", "todo lo anterior", "todas son correctas",
            "todas las opciones anteriores",
        ),
        none_of_the_above=("ninguna de las anteriores", "ninguna de las respuestas anteriores", "nada de lo anterior", "ninguna es correcta"),
        negations=_words("no"),
    ),
}

MULTILINGUAL = frozenset({"en", *LEXICONS})
"""The languages of the rules that read word lists (absolute and vague terms, all/none of the above)."""


def phrases_for(language: str | None, kind: str, english: tuple[str, ...]) -> tuple[str, ...]:
    """The catch-all openings ('all/none of the above') to look for in an item's language."""
    lexicon = LEXICONS.get(language or FALLBACK)
    return english if lexicon is None else getattr(lexicon, kind)


def lexicon_hits(text: str, terms: frozenset[str], negations: frozenset[str], skip: tuple[str, ...] = ()) -> list[str]:
    """Terms of another language's lexicon in ``text`` (code excluded), as written.

    Word lists and a little context, no grammar: a term right after a negation ('не всегда',
    'nicht immer') states a limit, one before a number ('все три', 'alle drei') counts a definite
    set, and text inside a catch-all opening ('все вышеперечисленное') is its own rule's.
    """
    from qbank.text import starts_with_phrase, strip_code, term_hits, word_tokens

    prose = strip_code(text)
    words_ = word_tokens(prose)
    opening = starts_with_phrase(text, skip)
    skipped = len(opening.split()) if opening else 0
    out = []
    for term, index in term_hits(prose, words_, terms):
        if index < skipped:
            continue
        if index > 0 and words_[index - 1].lower in negations:
            continue
        following = words_[index + len(term.split())].text if index + len(term.split()) < len(words_) else ""
        if following[:1].isdigit() or following.casefold() in _NUMBER_WORDS:
            continue
        out.append(term)
    return out


_NUMBER_WORDS = frozenset(
    "два две три четыре пять шесть семь восемь девять десять zwei drei vier fünf sechs sieben acht neun zehn "
    "deux trois quatre cinq six sept huit neuf dix dos tres cuatro cinco seis siete ocho nueve diez".split()
)
