"""Shared text utilities for lint rules: normalising, tokenising, lexicons and stemming.

Every wording heuristic goes through this module, so two rules never disagree about what counts as
a word, an option's "same text", or which words are absolute or vague.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

_WS = re.compile(r"\s+")
_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
_INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*(?:-[^\W_]+(?:['’][^\W_]+)*)*")


def normalize(text: str) -> str:
    """Case-folded, trimmed, with internal whitespace runs collapsed to one space."""
    return _WS.sub(" ", text).strip().casefold()


def is_blank(text: str | None) -> bool:
    return text is None or not text.strip()


def strip_code(text: str) -> str:
    """Markdown with fenced code blocks and inline code spans blanked out.

    Wording rules must not read code: ``None`` in Python, ``__init__`` or ``may`` in a snippet are not
    prose. Each removed span becomes a single space so words on either side stay apart.
    """
    if "`" not in text and "~~~" not in text:
        return text
    text = _FENCE.sub(" ", text)
    return _INLINE_CODE.sub(" ", text)


def words(text: str) -> list[str]:
    """Word tokens of prose (code removed), in order, as written. Hyphenated words stay whole."""
    return _WORD.findall(strip_code(text))


def lower_words(text: str) -> list[str]:
    return [w.casefold() for w in words(text)]


def word_parts(text: str) -> list[str]:
    """Lower-cased words with hyphenated compounds also split ("all-or-nothing" -> all, or, nothing)."""
    out: list[str] = []
    for w in lower_words(text):
        out.extend(w.split("-"))
    return out


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) English stem of a lower-cased word."""
    return str(_stemmer().stemWord(word.casefold()))


def has_phrase(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words, case-insensitively (code excluded)."""
    pattern = r"(?<![\w-])" + r"\s+".join(re.escape(p) for p in phrase.split()) + r"(?![\w-])"
    return re.search(pattern, strip_code(text), re.I) is not None


# --- lexicons ------------------------------------------------------------------------------------
# Closed lists, so that authors can predict what fires. Sources: the NBME item-writing guide,
# Haladyna, Downing & Rodriguez (2002), and Moore et al. (2023) on automatic flaw detection.

ABSOLUTE_TERMS: frozenset[str] = frozenset(
    {
        "always", "never", "all", "none", "only", "every", "everyone", "everything", "must",
        "completely", "entirely", "totally", "absolutely", "no one", "nobody", "invariably",
        "impossible", "guarantee", "guarantees", "guaranteed",
    }
)

VAGUE_TERMS: frozenset[str] = frozenset(
    {
        "often", "usually", "frequently", "sometimes", "occasionally", "rarely", "seldom",
        "generally", "typically", "commonly", "normally", "may", "might", "could", "possibly",
        "perhaps", "probably", "many", "several", "somewhat",
    }
)
