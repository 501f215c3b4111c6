"""Shared text utilities for lint rules: normalising, tokenising, lexicons and stemming.

Every wording heuristic goes through this module, so two rules never disagree about what counts as
a word, an option's "same text", or which words are absolute or vague.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

import snowballstemmer

_WS = re.compile(r"\s+")
_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
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
    return replace_code(text)


_BACKTICKS = re.compile(r"`+")


def code_regions(text: str) -> list[tuple[int, int, bool]]:
    """``(start, end, fenced)`` of every fenced code block and inline code span, in order.

    Found in linear time: a span opens with a run of backticks and closes at the next run of
    exactly the same length (CommonMark); a run with no partner is literal text. A regex such as
    ``(`+)(.+?)\\1`` finds the same spans but backtracks in cubic time on a long row of backticks
    (6,000 took 8 s).
    """
    if "`" not in text and "~~~" not in text:
        return []
    regions: list[tuple[int, int, bool]] = []
    done = 0
    for fence in _FENCE.finditer(text):
        regions.extend(_inline_spans(text, done, fence.start()))
        regions.append((fence.start(), fence.end(), True))
        done = fence.end()
    regions.extend(_inline_spans(text, done, len(text)))
    return regions


def _inline_spans(text: str, start: int, end: int) -> list[tuple[int, int, bool]]:
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text, start, end)]
    partner: list[int | None] = [None] * len(runs)
    later: dict[int, int] = {}
    for i in range(len(runs) - 1, -1, -1):
        length = runs[i][1] - runs[i][0]
        partner[i] = later.get(length)
        later[length] = i
    spans = []
    i = 0
    while i < len(runs):
        j = partner[i]
        if j is None:
            i += 1
            continue
        spans.append((runs[i][0], runs[j][1], False))
        i = j + 1
    return spans


def replace_code(text: str, inline: str = " ", fenced: str = " ") -> str:
    """``text`` with each inline code span replaced by ``inline`` and each fenced block by ``fenced``."""
    out: list[str] = []
    done = 0
    for start, end, is_fenced in code_regions(text):
        out.append(text[done:start])
        out.append(fenced if is_fenced else inline)
        done = end
    out.append(text[done:])
    return "".join(out)


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


# --- numbers, agreement, word families (writing-flaw rules B) ------------------------------------
# Heuristics behind the cueing and ordering rules (QB305, QB307, QB308, QB310, QB313). Each answers
# None when it cannot classify a phrase, and the rules read None as "no flaw": a linter that cries
# wolf on sound items teaches authors to ignore it.

_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|\*|_)(?=[^\s_*])(.+?)(?<=[^\s_*])\1(?!\w)")


@lru_cache(maxsize=8192)
def plain(text: str) -> str:
    """Prose as the student reads it: code removed, emphasis markers dropped, whitespace collapsed.

    Cached: several rules read the same option or stem, and they run item by item, so a small
    cache sees each text while all the rules of its item still need it.
    """
    return _WS.sub(" ", _EMPHASIS.sub(r"\2", strip_code(text))).strip()


def char_length(text: str) -> int:
    """Length of an option as displayed, so stray spaces or line folding never change a ratio."""
    return len(_WS.sub(" ", text).strip())


# Numbers and quantities ---------------------------------------------------------------------------

_SCALE_WORDS: dict[str, float] = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_QUANTITY = re.compile(
    r"""^(?P<sign1>[-+\u2212]?)\s*
    (?P<cur>(?:US|A|C|NZ)?[$\u20ac\u00a3\u00a5\u20b9])?\s*
    (?P<sign2>[-+\u2212]?)
    (?P<num>\d+\s+\d+/\d+|\d+/\d+|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    (?:\s*\^\s*(?P<pow>[-+\u2212]?\d+))?
    (?:\s*[x\u00d7*\u00b7]\s*10\s*\^\s*(?P<exp>[-+\u2212]?\d+)|[eE](?P<exp2>[-+\u2212]?\d+))?
    (?P<unit>.*)$""",
    re.X,
)
_UNIT_TOKEN = re.compile(r"^(?:%|[^\W\d_]|[\u00b0\u00b5\u03bc\u03a9])[^\W_]*(?:[/\u00b7.\-^][^\W_]*)*\.?$")
_NOT_UNITS = frozenset(
    {"a", "an", "the", "and", "or", "to", "of", "in", "on", "at", "for", "with", "by", "from", "than",
     "am", "pm", "a.m.", "p.m.", "st", "nd", "rd", "th", "is", "are", "was", "were", "be", "not", "no"}
)


def _to_float(num: str) -> float:
    num = num.replace(",", "")
    if "/" in num:
        whole, _, frac = num.rpartition(" ")
        top, bottom = frac.split("/")
        if float(bottom) == 0:
            raise ValueError(num)
        return (float(whole) if whole else 0.0) + float(top) / float(bottom)
    return float(num)


def _unit_key(unit: str) -> tuple[str, float] | None:
    """A unit's comparable spelling and its scale factor, or None when the tail is not a unit."""
    unit = unit.strip()
    if not unit:
        return "", 1.0
    scale = 1.0
    tokens = unit.split()
    if tokens and tokens[0].casefold() in _SCALE_WORDS:
        scale = _SCALE_WORDS[tokens.pop(0).casefold()]
    if len(tokens) > 3:
        return None
    out: list[str] = []
    for tok in tokens:
        low = tok.casefold().rstrip(".")
        if low in _NOT_UNITS or low.replace(".", "") in _NOT_UNITS or not _UNIT_TOKEN.match(tok):
            return None
        if re.search(r"\d", re.sub(r"\^[-+\u2212]?\d+|(?<=[^\W\d_])\d$", "", tok)):
            return None  # "2to3", "3x5": digits that are not an exponent
        if len(low) > 3 and low.endswith("s") and not low.endswith("ss"):
            low = low[:-1]  # 1 point, 2 points
        out.append(low)
    return " ".join(out), scale


def parse_quantity(text: str) -> tuple[float, str] | None:
    """The value and normalised unit of an option that is one number or quantity, else None.

    Accepts a sign, a currency symbol, thousands separators, decimals, fractions (1/36, 2 1/2),
    powers and scientific notation, a percent sign, a scale word (million) and a short unit
    (mEq/hr, beats/min, mol, points). Anything else (times such as 3:00, ranges, "Stage 3", number
    words, ordinals, a number followed by prose) is not a single quantity.
    """
    m = _QUANTITY.match(plain(text).rstrip(".").strip())
    if m is None or (m.group("sign1") and m.group("sign2")):
        return None
    key = _unit_key(m.group("unit"))  # ordinals (3rd) and times (3 p.m.) fail here
    if key is None:
        return None
    try:
        value = _to_float(m.group("num"))
    except (ValueError, ZeroDivisionError):
        return None
    if m.group("pow"):
        value = value ** int(m.group("pow").replace("\u2212", "-"))
    exp = m.group("exp") or m.group("exp2")
    if exp:
        value *= 10.0 ** int(exp.replace("\u2212", "-"))
    if (m.group("sign1") or m.group("sign2")) in ("-", "\u2212"):
        value = -value
    unit_name, scale = key
    currency = m.group("cur") or ""
    return value * scale, (currency + " " + unit_name).strip()


def is_monotonic(values: list[float]) -> bool:
    """Non-decreasing or non-increasing (ties allowed)."""
    pairs = list(zip(values, values[1:]))
    return all(a <= b for a, b in pairs) or all(a >= b for a, b in pairs)


def common_unit(units: list[str]) -> bool:
    """Whether quantities can be compared as written: one unit, or bare numbers beside one unit."""
    return len({u for u in units if u}) <= 1


# Indefinite articles ------------------------------------------------------------------------------

_SILENT_H = ("hour", "heir", "honest", "honor", "honour")
_VOWEL_SOUND_LETTERS = frozenset("aefhilmnorsx")
_VOWELS = frozenset("aeiou")


def _initialism_article(word: str) -> str:
    return "an" if word[0].casefold() in _VOWEL_SOUND_LETTERS else "a"


def _u_article(low: str) -> str:
    """'a unit' but 'an umbrella': u followed by one consonant and a vowel usually sounds like 'you'."""
    if low.startswith("uni"):
        rest = low[3:]
        if len(rest) <= 1 or rest[0] in _VOWELS or rest[1] in _VOWELS:
            return "a"  # unit, union, uniform, unique
        return "an"  # unimportant, uninformed
    if low.startswith("un"):
        return "an"
    if len(low) >= 3 and low[1] not in _VOWELS and low[2] in _VOWELS:
        return "a"  # use, usual, urine, utility
    return "an"


def indefinite_article(word: str) -> str | None:
    """'a' or 'an' as the word would take in speech, or None when the sound cannot be guessed."""
    word = word.strip("*_\"'“”‘’([{")
    if not word:
        return None
    if word[0].isdigit():
        digits = re.match(r"[\d,]+", word).group(0).replace(",", "")  # type: ignore[union-attr]
        if digits.startswith("8"):
            return "an"
        if digits[:2] in ("11", "18") and len(digits) % 3 == 2:
            return "an"  # eleven, eighteen, 11,000
        return "a"
    letters = re.match(r"[^\W\d_]+", word)
    if letters is None:
        return None
    head = letters.group(0)
    if len(head) == 1:
        return _initialism_article(head)  # an X-ray, a T cell
    if head.isupper():
        vowels = sum(c in "AEIOU" for c in head)
        pronounceable = vowels >= 2 and (head[0] in "AEIOU" or head[1] in "AEIOU")
        if not pronounceable:
            return _initialism_article(head)  # an MRI, an SSRI, a UN
        head = head.casefold()
    elif any(c.isupper() for c in head[1:]):
        return None  # mRNA, pH: read out letter by letter or not, we cannot tell
    low = head.casefold()
    if low.startswith(_SILENT_H):
        return "an"
    if low.startswith(("herb", "histor")):
        return None  # varies by dialect and style
    if low.startswith(("eu", "ewe")) or low in ("one", "once") or low.startswith(("one-", "ones")):
        return "a"
    if low[0] == "u":
        return _u_article(low)
    return "an" if low[0] in _VOWELS else "a"


# "... is called an", "... an ________." or "At a ___ plate boundary"; never "a(n)" or "a/an".
_ARTICLE_SLOT = re.compile(
    r"(?<![\w(/])(?P<art>a|an)(?:\s*(?:_{3,}|…|\.{3}))?[\s.:;,!…]*$|(?<![\w(/])(?P<art2>[Aa]n?)\s+_{3,}"
)


def article_before_answer(stem: str) -> str | None:
    """The indefinite article the student's answer must follow, when the stem ends with one or puts
    one directly before a blank. Neutral forms (a(n), a/an) give None: they cue nothing."""
    m = _ARTICLE_SLOT.search(plain(stem))
    return None if m is None else (m.group("art") or m.group("art2")).casefold()


def first_word(text: str) -> str | None:
    """The first word a student reads in an option (code and emphasis markers skipped)."""
    found = words(plain(text))
    return found[0] if found else None


# Grammatical number ---------------------------------------------------------------------------------

_IRREGULAR_PLURALS = frozenset(
    {"people", "children", "men", "women", "teeth", "feet", "mice", "geese", "data", "criteria",
     "phenomena", "bacteria", "fungi", "nuclei", "stimuli", "alumni", "cacti", "indices", "vertices",
     "matrices", "analyses", "hypotheses", "diagnoses", "crises", "theses", "axes", "appendices",
     "larvae", "algae", "vertebrae", "ova", "mitochondria", "ganglia", "foci", "loci"}
)
_INVARIANT = frozenset({"species", "series", "sheep", "fish", "deer", "means", "news", "headquarters"})
_SINGULAR_S_ENDINGS = ("ss", "us", "is", "ous", "ness", "sis", "xis", "as", "os")
# Endings of adjectives, participles and adverbs ("harmful", "shared", "rapidly"): a bare head
# like this is a predicate, not a singular noun.
_MODIFIER_ENDINGS = (
    "ful", "ous", "ive", "able", "ible", "less", "ed", "ly", "ish", "ic", "al", "ent", "ant", "ary", "ing",
)
_SINGULAR_DETERMINERS = frozenset({"a", "an", "one", "each", "every", "this", "that", "another", "either", "neither"})
_PLURAL_DETERMINERS = frozenset(
    {"these", "those", "both", "many", "several", "few", "two", "three", "four", "five", "six",
     "seven", "eight", "nine", "ten"}
)
_PHRASE_BREAKS = frozenset(
    {"of", "in", "on", "at", "for", "with", "by", "from", "to", "into", "onto", "under", "over",
     "between", "among", "during", "after", "before", "within", "without", "through", "across",
     "that", "which", "who", "whom", "whose", "where", "when", "because", "while", "as", "like",
     "than", "via", "per", "against", "toward", "towards", "about"}
)


def noun_number(phrase: str) -> str | None:
    """'singular' or 'plural' for an option read as a noun phrase, or None when unsure.

    The head is the last word before the first preposition or relative word ("members of the
    board" -> members). Coordinated phrases, invariant nouns, capitalised names ending in s
    (Mars, Athens), infinitives, and bare heads that look like adjectives, participles or adverbs
    ("always harmful", "transferred") are left unclassified: they are not nouns with a number.
    """
    text = re.split(r"[,;:()]", plain(phrase), maxsplit=1)[0]
    tokens = words(text)
    if not tokens:
        return None
    low = [t.casefold() for t in tokens]
    if low[0] in _SINGULAR_DETERMINERS:
        return "singular"
    if low[0] in _PLURAL_DETERMINERS:
        return "plural"
    if low[0] == "to":
        return None
    chunk: list[str] = []
    for tok in tokens:
        if tok.casefold() in _PHRASE_BREAKS and chunk:
            break
        chunk.append(tok)
    if any(t.casefold() in ("and", "or", "nor", "&") for t in chunk):
        return None
    head = chunk[-1]
    h = head.casefold().split("-")[-1]
    if not h.isalpha() or h in _INVARIANT or len(h) < 3:
        return None  # "lipid s": a stray fragment is no word with a number
    if h.endswith("ics"):
        return None  # "physics" is singular, "characteristics" plural: the ending does not tell
    if h in _IRREGULAR_PLURALS:
        return "plural"
    if h.endswith("s"):
        if h.endswith(_SINGULAR_S_ENDINGS) or len(h) < 4:
            return None if h.endswith(("as", "os", "is")) else "singular"
        if head[0].isupper() and len(chunk) > 1:
            return None  # a name such as "Des Moines" or "Los Angeles"
        return "plural"
    if h.endswith(_MODIFIER_ENDINGS) and low[0] not in _DETERMINERS:
        return None
    return "singular"


_COMPLETION_VERB = re.compile(
    r"(?<![\w'])(?P<verb>is|are|was|were)"
    r"(?:\s+(?:(?:most\s+|best\s+|usually\s+|often\s+)?(?:called|known\s+as|termed|named|referred\s+to\s+as|"
    r"described\s+as|classified\s+as|defined\s+as|considered|regarded\s+as)))?"
    r"\s*(?:_{3,}|…|\.{3})?\s*(?:[.:;]|…|\.{3})*\s*$",
    re.I,
)
_QUESTION_OPENERS = frozenset({"which", "what", "who", "whom", "whose", "where", "when", "why", "how"})


def completion_verb_number(stem: str) -> str | None:
    """The number of the copula that ends a sentence-completion stem ("Mammals that lay eggs are").

    Question-form stems ("Which of these phrases are ...?") return None: their verb follows
    convention, not the answer, so it cues nothing.
    """
    text = plain(stem)
    if not text or text.rstrip().endswith("?"):
        return None
    sentence = last_sentence(text)
    opener = lower_words(sentence)[:1]
    if opener and opener[0] in _QUESTION_OPENERS:
        return None
    m = _COMPLETION_VERB.search(sentence)
    if m is None:
        return None
    return "plural" if m.group("verb").casefold() in ("are", "were") else "singular"


_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[\"'“‘(]?[A-Z0-9])")


def last_sentence(text: str) -> str:
    """The final sentence of a stem: the lead-in that follows any vignette."""
    parts = [p for p in _SENTENCE_END.split(plain(text)) if p.strip()]
    return parts[-1].strip() if parts else ""


# Content words and derivational families ----------------------------------------------------------

FUNCTION_WORDS: frozenset[str] = frozenset(
    """a about above after again against all also although am among an and any are as at be because
    been before being below between both but by can cannot could did do does doing done down during
    each either else enough ever every few for from further had has have having he her here hers
    herself him himself his how however if in into is it its itself just least less like many may
    me might more most much must my myself near neither no nor not now of off often on once one only
    onto or other others otherwise our ours ourselves out over own per perhaps quite rather same she
    should since so some such than that the their theirs them themselves then there therefore these
    they this those though through thus to too toward towards under unless until up upon us very via
    was we were what whatever when whenever where whereas whether which while who whoever whom whose
    why will with within without would yet you your yours yourself yourselves""".split()
)

GENERIC_EXAM_WORDS: frozenset[str] = frozenset(
    """which following best most least statement statements option options answer answers choice
    choices true false correct incorrect accurate inaccurate right wrong item question questions
    patient patients client clients nurse nurses peer peers person persons people student students
    someone somebody individual likely appropriate example examples describe describes described
    identify select choose called term terms type kind main primary first next initial important
    common different certain specific response responses action actions""".split()
)

# Verbs that set up a vignette ("A peer tells you she feels ...") rather than name its content;
# an option that starts "Ask her ..." does not echo the stem in any way that helps a guesser.
VIGNETTE_VERBS: frozenset[str] = frozenset(
    """say says said tell tells told ask asks asked feel feels felt report reports reported want wants
    wanted need needs needed learn learns learned notice notices noticed think thinks thought know
    knows knew seem seems seemed make makes made take takes took give gives gave come comes came
    go goes went get gets got show shows showed find finds found help helps helped happen happens
    happened occur occurs occurred include includes included involve involves involved become
    becomes became begin begins began start starts started""".split()
)


@lru_cache(maxsize=64)
def _stop_list(extra: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    words_ = FUNCTION_WORDS | GENERIC_EXAM_WORDS | VIGNETTE_VERBS | extra
    return words_, frozenset(stem(w) for w in words_)


def content_words(text: str, stop: frozenset[str] | set[str] = frozenset(), min_letters: int = 4) -> list[str]:
    """Distinctive words of prose: alphabetic, at least ``min_letters`` long, not function words,
    generic exam words or ``stop`` (compared by word and by stem, so 'statements' is stopped too).
    Hyphenated compounds count by their parts; each word is returned once, lower-cased, in order."""
    stopped, stopped_stems = _stop_list(frozenset(s.casefold() for s in stop))
    out: list[str] = []
    for part in word_parts(plain(text)):
        part = re.sub(r"['’]s$", "", part)
        if len(part) < min_letters or not part.isalpha() or part in out:
            continue
        if part in stopped or stem(part) in stopped_stems:
            continue
        out.append(part)
    return out


# Derivational endings that Snowball leaves on a stem after the part two relatives share:
# India/Indian (india/indian), convene/convention (conven/convent), stigma/stigmatize,
# diagnosis/diagnostic (diagnosi/diagnost), economy/economic (economi/econom).
_SUFFIX_TAILS = frozenset(
    {"n", "an", "ian", "ean", "ese", "es", "t", "at", "ation", "ion", "ic", "ical", "al", "er", "or",
     "ist", "ism", "iz", "aci", "eri", "ous", "i", "si", "a", "e", "o", "y"}
)
_NATIONALITY_TAILS = frozenset({"n", "an", "ian", "ese"})
_PLACE_ENDINGS = frozenset({"", "a", "e", "o"})


def _common_prefix_length(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def same_family(a: str, b: str) -> bool:
    """Whether two words share a lemma or an obvious derivational family.

    Equal Snowball stems decide most cases (contain/containment, commit/commits). Otherwise one
    stem must extend the other by a derivational ending, over a shared part of five letters or more
    (six when the ending is a bare "i", which keeps police/policies and officer/official apart), or
    both may differ by endings over six shared letters (diagnosis/diagnostic, but not
    experience/expert). Place names take nationality endings (Mexico/Mexican, Asia/Asian), which
    still keeps pain/paint apart.
    """
    sa, sb = stem(a.casefold()), stem(b.casefold())
    if sa == sb:
        return True
    n = _common_prefix_length(sa, sb)
    short, long_ = sorted((sa[n:], sb[n:]), key=len)
    if short in _PLACE_ENDINGS and long_ in _NATIONALITY_TAILS and n >= 4:
        return n >= 5 or min(len(sa), len(sb)) - len(short) == 4
    if not short:
        return long_ in _SUFFIX_TAILS and n >= (6 if long_ == "i" else 5)
    return n >= 6 and short in _SUFFIX_TAILS and long_ in _SUFFIX_TAILS


def family_member(word: str, text: str) -> str | None:
    """The first word of ``text`` (code excluded) in ``word``'s family, as written, or None."""
    for w in words(plain(text)):
        for part in w.split("-"):
            part = re.sub(r"['’]s$", "", part)
            if part.isalpha() and len(part) >= 3 and same_family(word, part):
                return part
    return None


# Words after which the next word is a verb, not a modifier ("that challenge", "to reduce").
_VERB_SIGNALS = frozenset(
    {"that", "who", "to", "can", "could", "will", "would", "may", "might", "should", "must", "do",
     "does", "did", "not", "cannot", "often", "always", "never"}
)


def modifier_before(text: str, word: str) -> str | None:
    """The content word right before ``word``'s first whole-word occurrence in ``text`` (its
    modifier in a compound such as 'survey design'), or None when a function word, punctuation or
    the start of the text comes before it."""
    tokens = word_tokens(plain(text))
    for i, token in enumerate(tokens):
        if token.lower == word.casefold() or (token.lower.split("-")[-1] == word.casefold()):
            if i == 0:
                return None
            prev = tokens[i - 1]
            gap = plain(text)[prev.end:token.start]
            if gap.strip() or prev.lower in FUNCTION_WORDS or not prev.text.replace("-", "").isalpha():
                return None
            if (i >= 2 and tokens[i - 2].lower in _VERB_SIGNALS) or prev.lower.endswith("ing"):
                return None  # "stories that challenge stigma", "challenging stigma": a verb and its object
            return prev.lower
    return None


# Declarative claims ------------------------------------------------------------------------------

_FINITE = frozenset(
    """is are was were has have had can cannot could should must may might will would does do did
    shall isn't aren't wasn't weren't hasn't haven't hadn't can't couldn't shouldn't mustn't won't
    wouldn't doesn't don't didn't""".split()
)
_NON_SUBJECT_OPENERS = frozenset(
    """which what who whom whose where when why how if because although though while since unless
    until after before by to in on at for with from into during through without within whenever
    wherever whether as""".split()
) | _FINITE
_SUBJECT_PRONOUNS = frozenset({"it", "they", "he", "she", "we", "i", "there"})
_DETERMINERS = frozenset({"a", "an", "the", "this", "that", "these", "those", "its", "their", "his", "her", "our", "your", "my"})


def _verb_like_s(tokens: list[str], i: int) -> bool:
    """A third-person -s verb guess ('Relapse means', 'Lithium causes weight gain'): a short
    subject with no preposition in it, and an object after the verb rather than 'and' or 'of'."""
    w = tokens[i]
    if i > 3 or not w.endswith("s") or w.endswith(("ss", "us", "is", "'s", "’s")) or len(w) < 4:
        return False
    if tokens[i - 1] in _DETERMINERS or any(t in _PHRASE_BREAKS for t in tokens[:i]):
        return False
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    return nxt not in ("", "and", "or", "nor") and nxt not in _PHRASE_BREAKS


_IRREGULAR_PAST = frozenset(
    """began became brought built came caught chose drew fell fought found gave grew held kept knew
    led left lost made meant met paid ran rose said sank saw sent sold spoke spent stood struck
    taught thought told took underwent was went were won wrote""".split()
)


def _verb_like_past(tokens: list[str], i: int) -> bool:
    """A past-tense verb guess for history-style claims ('The Reign of Terror ended with ...',
    'The storming of the Bastille took place ...'): a regular -ed form or a common irregular past,
    after a subject that does not end in a determiner, and followed by more words."""
    w = tokens[i]
    if i > 6 or i + 1 >= len(tokens) or tokens[i - 1] in _DETERMINERS or tokens[i - 1] == "to":
        return False
    if tokens[i + 1] in ("and", "or", "nor", "by"):
        return False  # "... called and ...", "... caused by ..." read as participles
    return w in _IRREGULAR_PAST or (w.endswith("ed") and len(w) >= 5)


def _claim_tokens(text: str) -> list[str]:
    """Lower-cased words of an option, with each inline code span standing as one word ('code'):
    in '`list.sort()` returns a new list' the code is the subject, not nothing."""
    return [t.casefold() for t in words(plain(replace_code(text, inline=" code ", fenced="")))]


def is_declarative(text: str, *, strict: bool = False) -> bool:
    """Whether an option reads as a stand-alone claim (subject + finite verb), not a phrase.

    ``strict`` accepts only auxiliaries, modals and forms of be/have/do as the finite verb; the
    default also guesses third-person -s verbs near the start ("Relapse means ...") and past-tense
    verbs ("The war ended in 1945").
    """
    if not plain(text) or plain(text)[0] in "\"'“‘":
        return False  # quoted speech answers a question about what someone says
    tokens = _claim_tokens(text)
    if len(tokens) < 3 or tokens[0] in _NON_SUBJECT_OPENERS:
        return False
    if any(t in _FINITE for t in tokens[1:]) or tokens[0] in _SUBJECT_PRONOUNS:
        return True
    if strict:
        return False
    return any(_verb_like_s(tokens, i) or _verb_like_past(tokens, i) for i in range(1, min(len(tokens), 7)))


def _claim_split(text: str) -> int:
    """Index of a claim's first finite verb (the token count when none is found)."""
    tokens = [t.casefold() for t in words(plain(text))]
    for i, t in enumerate(tokens[1:], start=1):
        if t in _FINITE or _verb_like_s(tokens, i):
            return i
    return len(tokens)


def claim_subject(text: str) -> str:
    """The words before an option's first finite verb, lower-cased: what the claim is about."""
    return " ".join(t.casefold() for t in words(plain(text))[: _claim_split(text)])


def claim_predicate(text: str) -> str:
    """The words from an option's first finite verb on, lower-cased: what the claim says."""
    return " ".join(t.casefold() for t in words(plain(text))[_claim_split(text) :])


_TRUTH_WORDS = r"(?:true|correct|accurate|false|incorrect|untrue|inaccurate|valid|invalid)"
_TRUTH_LEAD_IN = re.compile(
    r"\bwhich(?:\s+one)?(?:\s+of\s+(?:the\s+following|these|those|the\s+statements|the\s+options))?"
    r"(?:\s+(?:statements?|options?|choices?|answers?|claims?|assertions?|ones?))?"
    r"(?:\s+(?:about|regarding|concerning|on|of|for|describing|related\s+to|with\s+respect\s+to)\s+[^?]+?)?"
    r"\s+(?:is|are)(?:\s+not|n't)?\s+(?:(?:a|an|the)\s+)?(?:most\s+|least\s+)?" + _TRUTH_WORDS +
    r"(?:\s+statements?)?(?:\s+(?:about|regarding|concerning|of|for|in|on|with\s+respect\s+to|when|if)\b[^?]*)?\s*[?:.]?\s*$"
    r"|\b(?:all|each)\s+of\s+the\s+following(?:\s+statements)?(?:\s+(?:about|regarding|concerning)\s+[^,]+?)?"
    r"\s+(?:is|are)\s+" + _TRUTH_WORDS + r"\b[^?]*\bexcept\b",
    re.I,
)


def asks_which_is_true(stem: str) -> bool:
    """Whether the lead-in asks which option is true or false rather than posing one question
    ("Which of the following statements about X is true?", "All of the following are correct EXCEPT")."""
    return _TRUTH_LEAD_IN.search(plain(stem)) is not None


# Words a "which is true" lead-in uses to ask, as opposed to naming what it asks about.
_TRUTH_QUESTION_WORDS = frozenset(
    {"following", "statement", "statements", "option", "options", "choice", "choices", "answer", "answers",
     "claim", "claims", "assertion", "assertions", "true", "correct", "accurate", "false", "incorrect",
     "untrue", "inaccurate", "valid", "invalid", "except", "these", "those", "best", "most", "least"}
)


def truth_question_has_focus(stem: str) -> bool:
    """Whether a "which is true" stem still says what it is about.

    It does when its lead-in names a topic ("Which is correct about open market operations?") or when
    a scenario comes before the lead-in ("Country A has a Gini index of 0.6. Which is true?"). Only a
    lead-in that names nothing at all ("Which of the following is true?") leaves the options to carry
    the whole question.
    """
    question = lead_in(stem)
    stop, _ = _stop_list(_TRUTH_QUESTION_WORDS)
    if any(w not in stop and len(w) >= 2 and not w.isdigit() for w in lower_words(plain(question))):
        return True  # a topic, even a short one such as M1 or GDP
    before = strip_code(stem).replace(question, " ")
    return len(lower_words(plain(before))) >= 5


def is_topic_label(stem: str) -> bool:
    """A stem that is only a topic, with no question and no verb ("Lithium therapy:")."""
    text = plain(stem).rstrip(":.… ")
    tokens = lower_words(text)
    if not tokens or len(tokens) > 8 or "?" in text or "___" in text:
        return False
    return not any(t in _FINITE for t in tokens)


LITERAL_TRUTH_SETS: tuple[frozenset[str], ...] = (frozenset({"true", "false"}), frozenset({"yes", "no"}))


def literal_truth_value(text: str) -> str | None:
    """'true', 'false', 'yes' or 'no' when the option is only that word."""
    low = plain(text).strip(" .!").casefold()
    return low if low in ("true", "false", "yes", "no") else None


# --- negative stems, combined options, ... (writing-flaw rules A) --------------------------------
# Helpers for the option-wording and stem rules QB301-QB304, QB306, QB309, QB311 and QB312. They work
# on "prose": Markdown with code already blanked by :func:`strip_code`, so offsets stay comparable
# between a token, the emphasis around it and the sentence it sits in.


# Words and phrases with offsets ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Token:
    """A word of prose with its offsets, so callers can look at what surrounds it."""

    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.casefold()

    @property
    def is_title(self) -> bool:
        """Capitalised like a name ("Resuscitate"), as opposed to ALL CAPS or lower case."""
        return self.text[:1].isupper() and any(c.islower() for c in self.text)

    @property
    def is_caps(self) -> bool:
        """Written entirely in capitals (two letters or more, so a lone "A" or "I" is not shouting)."""
        letters = [c for c in self.text if c.isalpha()]
        return len(letters) >= 2 and all(c.isupper() for c in letters)


def word_tokens(prose: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Word tokens of ``prose`` (already code-free) between two offsets; same word rule as :func:`words`."""
    stop = len(prose) if end is None else end
    return [Token(m.group(), m.start(), m.end()) for m in _WORD.finditer(prose, start, stop)]


@lru_cache(maxsize=1024)
def _phrase_re(phrase: str) -> re.Pattern[str]:
    # A hyphen or apostrophe-letter joins words: "all" is not found in "all-or-nothing" or "y'all".
    body = r"\s+".join(re.escape(p) for p in phrase.split())
    return re.compile(r"(?<![\w'’-])" + body + r"(?![\w-])", re.I)


def find_phrases(prose: str, phrases: Iterable[str]) -> list[tuple[str, int, int]]:
    """Whole-word, case-insensitive occurrences of ``phrases`` in ``prose``: (phrase, start, end), in order.

    Hyphenated compounds are single words here, so "all" is not found in "all-or-nothing". A
    possessive ("everyone's") still counts as the word.
    """
    low = prose.casefold()
    hits = [
        (p, m.start(), m.end())
        for p in set(phrases)
        if p.strip() and p.split()[0].casefold() in low  # cheap necessary condition before the regex
        for m in _phrase_re(p.strip()).finditer(prose)
    ]
    return sorted(hits, key=lambda h: (h[1], -h[2]))


def term_hits(prose: str, words_: list[Token], terms: Iterable[str], ignore: Iterable[str] = ()) -> list[tuple[str, int]]:
    """Lexicon terms found in ``prose`` as (term as written, index of its first word in ``words_``).

    Occurrences inside one of the ``ignore`` phrases (fixed terms such as "never events") are skipped.
    """
    skip = spans_of(prose, ignore)
    starts = {w.start: i for i, w in enumerate(words_)}
    out: list[tuple[str, int]] = []
    for _, s, e in find_phrases(prose, terms):
        if s in starts and not inside(s, e, skip):
            out.append((prose[s:e], starts[s]))
    return out


def spans_of(prose: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    return [(s, e) for _, s, e in find_phrases(prose, phrases)]


def inside(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


# Emphasis and quotation ------------------------------------------------------------------------

# Markdown strong emphasis and the HTML tags that authors use for the same purpose.
_STRONG = re.compile(
    r"(?<![*\\])\*\*(?!\s)(.+?)(?<!\s)\*\*(?!\*)"
    r"|(?<![\w_\\])__(?![\s_])(.+?)(?<![\s_])__(?![\w_])"
    r"|<(b|strong|u)\b[^>]*>(.*?)</\3\s*>",
    re.S | re.I,
)


def strong_spans(prose: str) -> list[tuple[int, int]]:
    """Offsets of bold (``**…**``, ``__…__``, ``<b>``, ``<strong>``, ``<u>``) runs, markers included."""
    return [m.span() for m in _STRONG.finditer(prose)]


def is_emphasised(prose: str, token: Token) -> bool:
    """Whether a word is made to stand out: ALL CAPS, or inside a bold run."""
    return token.is_caps or inside(token.start, token.end, strong_spans(prose))


_QUOTED = re.compile(
    r"\"[^\"\n]*\"|“[^”\n]*”|«[^»\n]*»"
    r"|(?<![\w'’])'(?=\S)[^'\n]*?(?<=[^\s])'(?![\w'])"
    r"|(?<![\w'’])‘(?=\S)[^’\n]*?(?<=[^\s])’(?!\w)"
)


def blank_quoted(prose: str) -> str:
    """``prose`` with quoted speech and titles blanked, offsets unchanged.

    What a character says or what a document is called ("Do Not Resuscitate", "To be, or not to
    be") is not the author's own wording. A quotation that ended a sentence keeps a full stop so that
    sentence boundaries survive.
    """

    def repl(m: re.Match[str]) -> str:
        inner = m.group()[1:-1].rstrip()
        tail = "." if inner[-1:] in ".?!" else " "
        return " " * (len(m.group()) - 1) + tail

    return _QUOTED.sub(repl, prose)


# Sentences, the lead-in and clauses -----------------------------------------------------------

# Abbreviations whose full stop does not end a sentence ("Miranda v. Arizona", "the U.S. Senate").
_ABBREVIATIONS = frozenset(
    {"v", "vs", "e.g", "i.e", "dr", "mr", "mrs", "ms", "st", "mt", "no", "approx", "fig", "jr", "sr", "prof", "u.s", "u.k", "ca", "cf"}
)
_SENTENCE_STOP = re.compile(r"[.?!]+[\"'”’)\]]*(?=\s|$)|\n\s*\n")


def sentence_spans(prose: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``prose``; blank lines also separate sentences."""
    out: list[tuple[int, int]] = []
    begin = 0
    for m in _SENTENCE_STOP.finditer(prose):
        before = prose[begin : m.start()].rsplit(None, 1)
        last = before[-1] if before else ""
        if m.group().startswith(".") and _is_abbreviation(last) and not _next_starts_sentence_strongly(prose, m.end()):
            continue
        out.append((begin, m.end()))
        begin = m.end()
    if prose[begin:].strip():
        out.append((begin, len(prose)))
    return [(s + len(prose[s:e]) - len(prose[s:e].lstrip()), e) for s, e in out if prose[s:e].strip()]


def _is_abbreviation(word: str) -> bool:
    """Whether a full stop after ``word`` marks an abbreviation ("v", "e.g", "U.S") or initials ("John F. Kennedy")."""
    low = word.casefold().rstrip(".")
    if low in _ABBREVIATIONS:
        return True
    letters = low.replace(".", "")
    return re.fullmatch(r"(?:[^\W\d_]\.)*[^\W\d_]", low) is not None and len(letters) <= 2


def _next_starts_sentence_strongly(prose: str, at: int) -> bool:
    """After an abbreviation, only a paragraph break or a question word clearly starts a new sentence."""
    rest = prose[at:]
    if re.match(r"\s*\n\s*\n", rest) or not rest.strip():
        return True
    return re.match(r"\s+(?:Which|What|Who|Whom|Whose|When|Where|Why|How)\b", rest) is not None


_INSTRUCTION = re.compile(r"^\W*(?:select|choose|mark|check|pick|tick)\s+(?:all|the|one|two|three|four|\d+|every|each)\b", re.I)


def lead_in_span(prose: str) -> tuple[int, int]:
    """Offsets of the stem's lead-in: the sentence that actually asks for an option.

    That is the last sentence with a question mark; without one, the last sentence that is not an
    answering instruction ("Select all that apply."). Vignette sentences before it are context, so a
    negative or a cue word in them does not change what is asked.
    """
    spans = sentence_spans(prose)
    if not spans:
        return (0, 0)
    asking = [s for s in spans if "?" in prose[s[0] : s[1]]]
    if asking:
        return asking[-1]
    for s in reversed(spans):
        if not _INSTRUCTION.match(prose[s[0] : s[1]]):
            return s
    return spans[-1]


def lead_in(stem: str) -> str:
    """The lead-in sentence of a stem, code removed (see :func:`lead_in_span`)."""
    prose = strip_code(stem)
    start, end = lead_in_span(blank_quoted(prose))
    return prose[start:end].strip()


# Words that end a clause's "main" part: after one of these, a negative belongs to a relative or
# adverbial clause ("peer workers who are not paid", "if it is not treated") and does not turn the
# question around.
SUBORDINATORS: frozenset[str] = frozenset(
    {
        "who", "whom", "whose", "which", "that", "where", "when", "whenever", "if", "unless", "because",
        "although", "though", "while", "whereas", "whether", "since", "once", "until", "after", "before",
    }
)
_INTERROGATIVES = frozenset({"which", "what", "who", "whom", "whose", "when", "where", "why", "how"})
_PREPOSITIONS = frozenset(
    {
        "about", "above", "across", "after", "against", "among", "around", "at", "before", "behind", "below",
        "between", "by", "during", "for", "from", "in", "into", "like", "near", "of", "on", "onto", "over",
        "regarding", "concerning", "through", "to", "toward", "towards", "under", "upon", "with", "within", "without",
    }
)


def clause_spans(prose: str, start: int, end: int) -> list[tuple[int, int]]:
    """Comma-, semicolon-, colon- and dash-separated clauses of a sentence."""
    out: list[tuple[int, int]] = []
    begin = start
    for m in re.finditer(r"[,;:]|\s[–—-]\s|—", prose[start:end]):
        out.append((begin, start + m.start()))
        begin = start + m.end()
    out.append((begin, end))
    return [s for s in out if prose[s[0] : s[1]].strip()]


def in_subordinate_clause(prose: str, sentence: tuple[int, int], token: Token) -> bool:
    """Whether ``token`` sits in a relative or adverbial clause of ``sentence`` rather than the main one.

    Two signs, judged within the comma-separated clause that holds the token: the clause opens with a
    subordinator and is followed by another clause ("When a peer is not ready, which …?"), or a
    relative word comes before the token ("workers who are not paid"). The sentence's first
    question word is the question, not a relative ("Which … is not …?").
    """
    clauses = clause_spans(prose, *sentence)
    first_wh = _question_word(prose, clauses)
    for index, (cs, ce) in enumerate(clauses):
        if not cs <= token.start < ce:
            continue
        words_ = word_tokens(prose, cs, ce)
        if words_ and words_[0].lower in SUBORDINATORS and index + 1 < len(clauses) and words_[0] != first_wh:
            return True
        before = [t for t in words_ if t.end <= token.start]
        return any(_is_relative(t, before, first_wh) for t in before)
    return False


def _question_word(prose: str, clauses: list[tuple[int, int]]) -> Token | None:
    """The word that asks the question: the wh-word opening the last clause that opens with one
    ("When a peer is not ready, which approach …?" -> which), else the sentence's first wh-word."""
    for cs, ce in reversed(clauses):
        head = word_tokens(prose, cs, ce)[:2]
        for position, word in enumerate(head):
            if word.lower in _INTERROGATIVES and (position == 0 or head[0].lower in _PREPOSITIONS):
                return word
    words_ = [w for cs, ce in clauses for w in word_tokens(prose, cs, ce)]
    return next((w for w in words_ if w.lower in _INTERROGATIVES), None)


def _is_relative(word: Token, clause_words: list[Token], first_wh: Token | None) -> bool:
    if word.lower not in SUBORDINATORS or word == first_wh:
        return False
    if word.lower == "that":
        at = clause_words.index(word)
        # "about that approach": a demonstrative after a preposition, not a relative.
        return not (at > 0 and clause_words[at - 1].lower in _PREPOSITIONS)
    return True


def in_title_case_run(prose: str, words_: list[Token], index: int) -> bool:
    """Whether a capitalised word belongs to a run of capitalised words (a name or a title).

    "Do Not Resuscitate", "Never Events", "the Every Student Succeeds Act": capitals in mid-sentence
    mark a name. Small words (of, the, and …) may sit inside the run, and the run stops at
    punctuation. A word that opens a sentence is capitalised anyway, so there the run must be three
    capitalised words long ("All Quiet on the Western Front"). ALL-CAPS words do not count.
    """
    if not words_[index].is_title:
        return False
    small = {"of", "the", "and", "on", "in", "a", "an", "to", "for", "at", "by"}

    def joined(a: int, b: int) -> bool:
        return not prose[words_[a].end : words_[b].start].strip()

    run = 1
    for step in (-1, 1):
        j = index
        while 0 <= j + step < len(words_) and joined(min(j, j + step), max(j, j + step)):
            j += step
            if words_[j].is_title:
                run += 1
            elif words_[j].lower not in small:
                break
    opens_sentence = index == 0 or re.search(r"[.?!:;]", prose[words_[index - 1].end : words_[index].start]) is not None
    return run >= (3 if opens_sentence else 2)


# Options that point at the whole list -----------------------------------------------------------

# ALL_OF_THE_ABOVE / NONE_OF_THE_ABOVE: how an option that points at the whole list begins.
ALL_OF_THE_ABOVE: tuple[str, ...] = (
    "all of the above", "all the above", "all of above", "all above", "all of these", "all of those",
    "all of the preceding", "all the preceding", "all of the options", "all of the answers",
    "all of the choices", "all of the alternatives", "all of the responses", "all of the listed",
    "all of them", "all are correct", "all are true", "all of the statements",
    # "Any of the above are possible": the same escape hatch, worded as possibility.
    "any of the above", "any of these", "any of those", "any of the preceding", "any of the options",
    "any of the answers", "any of the choices", "each of the above", "every one of the above",
)
NONE_OF_THE_ABOVE: tuple[str, ...] = (
    "none of the above", "none of above", "none of these", "none of those", "none of the preceding",
    "none of the options", "none of the answers", "none of the choices", "none of the alternatives",
    "none of the responses", "none of the listed", "neither of the above", "neither of these",
    "neither of those",
)

_OPTION_LABEL = re.compile(r"^\s*(?:\(?[A-Ha-h1-9]\)|[A-H1-9][.)])\s+")


@lru_cache(maxsize=8192)
def option_plain(text: str) -> str:
    """An option as the student reads it, normalised: code, emphasis, a stray "B." label and wrapping punctuation gone."""
    text = _OPTION_LABEL.sub("", plain(text))
    return normalize(text).strip(" \t\"'“”‘’()[]{}.,;:!?")


@lru_cache(maxsize=256)
def _opening_patterns(phrases: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Longest-first compiled openings; cached because every option of every item asks for them."""
    ordered = sorted(phrases, key=len, reverse=True)
    return tuple((phrase, re.compile(re.escape(normalize(phrase)) + r"(?![\w-])")) for phrase in ordered if normalize(phrase))


def starts_with_phrase(text: str, phrases: Iterable[str]) -> str | None:
    """The first of ``phrases`` that an option begins with (whole words), or None."""
    seen = option_plain(text)
    for phrase, pattern in _opening_patterns(tuple(phrases)):
        if pattern.match(seen):
            return phrase
    return None


# Referring to other options ("Both A and B", "I and III", "All but D") ----------------------------

_REF_FILLER = frozenset(
    {
        "both", "and", "or", "nor", "neither", "either", "only", "option", "options", "answer", "answers",
        "choice", "choices", "response", "responses", "statement", "statements", "is", "are", "correct",
        "true", "right", "above", "together", "combined", "alike",
        # "Answers B and C, but not A": the exclusion still only names options.
        "but", "not", "except",
    }
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8}
_REF_TOKEN = re.compile(r"[^\W\d_]+|\d+|&")


def option_label_index(word: str) -> int | None:
    """The 0-based option index that a label names: "C" -> 2, "3" -> 2, "III" -> 2; None if not a label."""
    if word.isdigit():
        n = int(word)
        return n - 1 if 1 <= n <= 26 else None
    if word.upper() in {k.upper() for k in _ROMAN} and (word.isupper() or len(word) > 1):
        if len(word) > 1 or word == "I":
            return _ROMAN[word.lower()] - 1
    if len(word) == 1 and word.isalpha() and word.isascii():
        return ord(word.upper()) - ord("A")
    return None


def option_references(text: str) -> list[int] | None:
    """Option indices that an option refers to by label when that is all it says, else None.

    "Both A and B" -> [0, 1]; "A, B and D are correct" -> [0, 1, 3]; "All but D" -> every other
    option; "Hepatitis A and B" -> None (there is content besides the labels).
    """
    words_ = _REF_TOKEN.findall(plain(text))
    lowered = [w.casefold() for w in words_]
    if len(lowered) >= 3 and lowered[0] == "all" and lowered[1] in {"but", "except"}:
        labels = _labels(words_[2:])
        return None if labels is None else [-1 - i for i in labels]  # negative: "every option except"
    labels = _labels(words_)
    if labels is None or len(labels) < 2 or len(set(labels)) < len(labels):
        return None
    return labels


def _labels(words_: list[str]) -> list[int] | None:
    """Label indices when ``words_`` are only labels and connecting words, else None."""
    labels: list[int] = []
    for w in words_:
        if w == "&" or w.casefold() in _REF_FILLER:
            continue
        index = option_label_index(w)
        if index is None:
            return None
        labels.append(index)
    return labels or None


def statement_labels(text: str) -> list[str] | None:
    """The labels an option names when it says nothing else ("I and III only" -> ["I", "III"]), as
    written; None when the option has other content."""
    words_ = _REF_TOKEN.findall(plain(text))
    if not words_ or _labels(words_) is None:
        return None
    return [w for w in words_ if w != "&" and w.casefold() not in _REF_FILLER]


def is_label_only(text: str) -> bool:
    """Whether an option says nothing but option/statement labels ("I only", "II and III")."""
    words_ = _REF_TOKEN.findall(plain(text))
    return bool(words_) and _labels(words_) is not None


_JOINER = re.compile(r"\s*,\s*(?:and\s+|&\s*|or\s+)?|\s+and\s+|\s*&\s*|\s+nor\s+")


def joined_parts(text: str) -> list[str]:
    """An option split where it joins phrases: "Both X and Y" -> ["x", "y"]; a single phrase -> [it]."""
    seen = re.sub(r"^(?:both|neither)\s+", "", option_plain(text))
    seen = re.sub(r"\s+(?:only|both|are (?:both )?correct)$", "", seen)
    return [p.strip(" .;:") for p in _JOINER.split(seen) if p.strip(" .;:")]


# Blanks -------------------------------------------------------------------------------------------


def blank_runs(text: str, min_run: int = 3) -> list[str]:
    """Runs of ``min_run`` or more underscores outside code (escaped ``\\_`` counts as an underscore).

    ``__init__`` (code, or two underscores) and ``__bold__`` are not blanks.
    """
    prose = strip_code(text).replace("\\_", "_")
    return re.findall(r"_{%d,}" % max(1, min_run), prose)


def ends_with_blank(text: str, min_run: int = 3) -> bool:
    """Whether the stem's last word is a blank (only closing punctuation may follow)."""
    prose = strip_code(text).replace("\\_", "_").rstrip()
    return re.search(r"_{%d,}[\s.?!:;…)\]\"'’”]*\Z" % max(1, min_run), prose) is not None


# Negative lead-ins --------------------------------------------------------------------------------

AUXILIARIES: frozenset[str] = frozenset(
    {
        "am", "is", "are", "was", "were", "be", "been", "being", "do", "does", "did", "can", "could", "will",
        "would", "shall", "should", "may", "might", "must", "has", "have", "had", "need", "ought", "cannot",
    }
)

# Words that turn a question around ("Which is NOT …", "… EXCEPT", "least likely", "is false").
# "n't" contractions count as well; see :func:`is_negative_word`.
NEGATIVE_TERMS: frozenset[str] = frozenset(
    {"not", "cannot", "except", "least", "false", "incorrect", "untrue",
     # "Which of the following is mismatched / incorrectly paired / inaccurate / the exception?"
     "mismatched", "incorrectly", "inaccurate", "inaccurately", "exception"}
)


def is_negative_word(word: Token, extra: Iterable[str] = ()) -> bool:
    low = word.lower
    return low in NEGATIVE_TERMS or low.endswith(("n't", "n’t")) or low in {e.casefold() for e in extra}


_COPULAS = frozenset({"is", "are", "was", "were", "be", "been", "being", "seems", "seem", "appears", "appear"})
# After "false", these show that it judges the options ("a false statement", "false about"), not that it
# names a thing ("a false positive", "false imprisonment").
_VERDICT_NOUNS = frozenset(
    {"statement", "statements", "claim", "claims", "assertion", "assertions", "option", "options", "answer",
     "answers", "choice", "choices", "description", "descriptions", "about", "regarding", "concerning", "of",
     "for", "with", "when", "in", "as"}
)
_CONDITIONAL = frozenset({"when", "if", "where", "under", "during", "while", "as", "after", "before"})


def negates_question(words_: list[Token], index: int) -> bool:
    """Whether a negative word in a lead-in's main clause makes the question ask for the misfit.

    "not" must belong to the verb: an auxiliary or copula stands shortly before it, with no
    preposition in between ("Which … is not …", "What should the peer not say?"), unlike "a person
    not yet ready". "false" must judge ("is false", "the false statement"), unlike "a false
    positive". "except" introducing a condition ("except when …") states a rule, not an exception
    among the options.
    """
    word = words_[index]
    low = word.lower
    before = [w.lower for w in words_[max(0, index - 5) : index]]
    after = words_[index + 1].lower if index + 1 < len(words_) else ""
    if low == "not":
        return index == 0 or _auxiliary_governs(before)
    if low == "except":
        return after not in _CONDITIONAL
    if low == "false":
        return _is_predicate(before) or after in _VERDICT_NOUNS or not after
    return True


def _is_predicate(before: list[str]) -> bool:
    """Whether the next word is a predicate after a copula: "is false", "are most likely false"."""
    if before and before[-1] in _COPULAS:
        return True
    return len(before) > 1 and before[-2] in _COPULAS and before[-1] not in {"a", "an", "the"}


def _auxiliary_governs(before: list[str]) -> bool:
    for w in reversed(before):
        if w in AUXILIARIES or w.endswith(("n't", "n’t")):
            return True
        if w in _PREPOSITIONS or w in SUBORDINATORS:
            return False
    return False


# Phrases in which a negative word asks nothing negative ("at least one", "not only ... but").
NOT_NEGATIVE_PHRASES: tuple[str, ...] = (
    "at least", "not only", "or not", "than not", "least restrictive", "true or false", "true/false",
    # "Which RNA is transcribed but not translated?": a contrast that describes the answer
    "but not",
)


def exception_words(
    stem: str, extra: Iterable[str] = (), ignore: Iterable[str] = NOT_NEGATIVE_PHRASES
) -> tuple[str, list[Token]]:
    """The negative words that make a stem's lead-in ask for the option that does not fit, emphasised
    or not ("Which is NOT ...", "... EXCEPT", "Which pair is mismatched?"), with the prose they index.

    Negatives in the vignette, in a relative or adverbial clause ("peers who are not paid"), in
    quotations, in ``ignore`` phrases, and 'false' naming a thing ('a false positive') do not count.
    """
    prose = blank_quoted(strip_code(stem))
    sentence = lead_in_span(prose)
    words_ = word_tokens(prose, *sentence)
    if not _asks_for_a_choice(prose, sentence, words_):
        return prose, []
    ignored = spans_of(prose, ignore)
    found = []
    for index, word in enumerate(words_):
        if not is_negative_word(word, extra) or inside(word.start, word.end, ignored):
            continue
        if in_subordinate_clause(prose, sentence, word) or not negates_question(words_, index):
            continue
        if word.lower == "except" and _parenthetical(prose, sentence, word):
            continue  # "everything, except human labor, that is used ...": a description
        found.append(word)
    return prose, found


_CHOICE_SET = re.compile(r"\b(?:of\s+the\s+following|of\s+these|of\s+those|listed\s+below|below|above|following)\b", re.I)


def _asks_for_a_choice(prose: str, sentence: tuple[int, int], words_: list[Token]) -> bool:
    """Whether the lead-in asks the student to pick among the options: a question ("Which ...?",
    "... does not occur?"), an instruction ("Identify the false statement"), or a sentence about
    "the following" ("All of the following ... except"). A lead-in that only describes the answer
    ("Organelle which ... does not have ribosomes", "... but do not stand to gain, are known as")
    uses its negatives to describe, not to ask for the misfit."""
    text = prose[sentence[0]:sentence[1]]
    if "?" in text or _CHOICE_SET.search(text) or text.rstrip().endswith((":", "except", "EXCEPT")) or "___" in text:
        return True
    if not words_:
        return False
    first = words_[0].lower
    second = words_[1].lower if len(words_) > 1 else ""
    return first in _IMPERATIVES or first in _INTERROGATIVES or (first in _PREPOSITIONS and second in _INTERROGATIVES)


def _parenthetical(prose: str, sentence: tuple[int, int], word: Token) -> bool:
    """Whether ``word`` opens a phrase set off by commas inside the sentence (", except X,")."""
    before = prose[sentence[0]:word.start].rstrip()
    after = prose[word.end:sentence[1]]
    return before.endswith(",") and "," in after


# Question shapes ----------------------------------------------------------------------------------

_VERDICTS = r"(?:true|correct|accurate|false|incorrect|untrue|inaccurate|valid|invalid)"
# Shapes that :func:`asks_which_is_true` leaves to us: "What is true about X?", "Select the correct statement."
_WHAT_IS_TRUE = re.compile(
    r"^(?:what|which)\s+(?:is|are)\s+(?:not\s+)?" + _VERDICTS + r"(?:\s+(?:about|of|regarding|concerning|for|in|on)\b[^?]*)?\s*[?:.]?\s*$"
    r"|^(?:select|identify|choose|pick|indicate|find|mark)\s+the\s+(?:one\s+)?" + _VERDICTS
    + r"\s+(?:statement|option|answer|choice|claim)\b"
    r"|^which\s+(?:statement|claim|assertion|option)s?\s+(?:made\s+)?by\s+[^?]+?\s+(?:is|are)\s+(?:not\s+)?" + _VERDICTS + r"\s*[?:.]?\s*$",
    re.I,
)


def is_unfocused_question(stem: str) -> bool:
    """Whether the stem's lead-in asks only which option is true/correct/false, with no focus of its own.

    :func:`asks_which_is_true` judges the lead-in (found by :func:`lead_in`, so a trailing "Select all
    that apply." does not hide it); a few further shapes such as "What is true about X?" complete it.
    """
    lead = lead_in(stem)
    return asks_which_is_true(lead) or _WHAT_IS_TRUE.search(normalize(plain(lead))) is not None


_IMPERATIVES = frozenset(
    {
        "identify", "select", "choose", "name", "pick", "indicate", "determine", "calculate", "compute", "find",
        "classify", "match", "complete", "list", "describe", "explain", "estimate", "give", "state", "define",
        "rank", "order", "arrange", "predict", "interpret", "evaluate", "convert", "solve", "simplify", "write",
        "read", "consider", "review", "use", "apply", "compare", "discuss", "label", "mark", "decide", "recall",
    }
)
# Words a sentence-completion stem stops on, because the options carry on after them.
_OPEN_ENDINGS = frozenset(
    {
        "a", "an", "the", "to", "of", "by", "for", "with", "in", "on", "at", "from", "as", "and", "or", "but",
        "because", "that", "than", "which", "who", "whom", "whose", "when", "where", "while", "since",
        "into", "onto", "about", "through", "between", "among", "during", "without", "within", "under", "over",
        "they", "it", "he", "she", "we", "you", "i", "them", "this", "these", "those", "its", "their", "his",
        "her", "our", "your", "my", "so", "if", "via", "per", "not", "also", "primarily", "mainly", "chiefly",
        "mostly", "largely", "called", "known", "termed", "named",
    }
)


def is_bare_topic(stem: str) -> bool:
    """Whether a stem is only a topic label ("Harm reduction", "The Romantic movement in English poetry").

    Starts from :func:`is_topic_label` (no question, no finite verb) and sets aside what still reads
    as a task: an instruction ("Identify the …"), a claim with a guessed verb ("Photosynthesis
    converts …") or a sentence that the options complete ("… light energy into").
    """
    if not is_topic_label(stem) or is_declarative(stem):
        return False
    words_ = lower_words(plain(stem).rstrip(":.… "))
    return bool(words_) and words_[0] not in _IMPERATIVES and words_[-1] not in _OPEN_ENDINGS


# Context tests for the lexicon rules --------------------------------------------------------------

NUMBER_WORDS: frozenset[str] = frozenset(
    {
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
        "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty", "thirty", "forty",
        "fifty", "hundred", "thousand", "dozen", "both", "other", "second", "third", "fourth", "fifth", "sixth",
        "seventh", "eighth", "ninth", "tenth",
    }
)
_MONTH_CONTEXT = re.compile(r"^\s*(?:\d|$|,)")
_MONTHS = frozenset(
    {"January", "February", "March", "April", "June", "July", "August", "September", "October", "November", "December"}
)


def is_month_may(prose: str, words_: list[Token], index: int) -> bool:
    """Whether "May" is the month: capitalised and next to a date or another month, or capitalised in
    mid-sentence ("May 1980", "in May", "April, May and June")."""
    word = words_[index]
    if word.text != "May":
        return False
    if _MONTH_CONTEXT.match(prose[word.end :]) or re.search(r"\d(?:st|nd|rd|th)?[\s,]*$", prose[: word.start]):
        return True
    near = {w.text for w in words_[max(0, index - 2) : index + 3]}
    if near & _MONTHS:
        return True
    sentence_start = index == 0 or re.search(r"[.?!:;]\s*$", prose[words_[index - 1].end : word.start]) is not None
    return not sentence_start


# "every day", "every 4 hours": a schedule, not a generalisation.
SCHEDULE_UNITS: frozenset[str] = frozenset(
    {"second", "minute", "hour", "day", "week", "month", "year", "morning", "afternoon", "evening", "night", "shift"}
)


def quantifies_definite_set(words_: list[Token], index: int) -> bool:
    """Whether "all"/"every" counts a definite set or a schedule ("all three goals", "every 4 hours",
    "every other day", "every morning"), which is precise rather than sweeping."""
    after = [w.lower for w in words_[index + 1 : index + 4]]
    while after and after[0] in {"of", "the"}:
        after.pop(0)
    if not after:
        return False
    first = after[0]
    if words_[index].lower == "every" and first in SCHEDULE_UNITS:
        return True
    return first in NUMBER_WORDS or first.isdigit() or re.fullmatch(r"\d+(?:st|nd|rd|th)", first) is not None


def is_negated(words_: list[Token], index: int) -> bool:
    """Whether a word directly follows "not"/"n't"/"cannot" ("not always", "doesn't always")."""
    if index == 0:
        return False
    prev = words_[index - 1].lower
    return prev in {"not", "cannot"} or prev.endswith(("n't", "n’t"))
