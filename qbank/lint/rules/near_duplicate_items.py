from __future__ import annotations

import math
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.markup import media_refs
from qbank.model import Item, Matching, MultipleChoice, MultipleResponse, Numerical, ShortAnswer, TrueFalse
from qbank.text import stem, word_parts

if TYPE_CHECKING:
    from qbank.loader import LoadedItem


def _words(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in word_parts(text))


def _answer_texts(item: Item) -> list[str]:
    """What the student chooses among or gives: option texts, accepted answers, matching pairs."""
    if isinstance(item, (MultipleChoice, MultipleResponse)):
        return [o.text for o in item.options]
    if isinstance(item, ShortAnswer):
        return list(item.answers)
    if isinstance(item, Matching):
        return [p.prompt for p in item.pairs] + [p.match for p in item.pairs] + list(item.distractors)
    if isinstance(item, Numerical):
        return [f"{item.answer:g}"]
    return []


def _key_words(item: Item) -> frozenset[str]:
    """The words of what the item counts as right (empty when it has no key, such as an essay)."""
    if isinstance(item, (MultipleChoice, MultipleResponse)):
        return frozenset().union(*(_words(o.text) for o in item.options if o.correct))
    if isinstance(item, ShortAnswer):
        return frozenset().union(*(_words(a) for a in item.answers))
    if isinstance(item, Numerical):
        return frozenset({f"{item.answer:g}"})
    if isinstance(item, TrueFalse):
        return frozenset({str(item.answer)})
    return frozenset()


def _same_answer(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two keys say much the same (half their words shared); a missing key matches any."""
    return not a or not b or len(a & b) >= 0.5 * len(a | b)


def _content(item: Item) -> tuple[tuple[str, ...], frozenset[str]]:
    """The item's question (its stem's stemmed words, in order) and its whole content as a set
    (stem, answers and the media it shows).

    Media sources count as words, so two items that ask the same words about different pictures
    are different items.
    """
    question = tuple(stem(w) for w in word_parts(item.stem)) + tuple(f"\0media:{ref.src}" for ref in media_refs(item.stem))
    content = set(question)
    for text in _answer_texts(item):
        content |= _words(text)
    return question, frozenset(content)


class NearDuplicateItems(Rule):
    code = "QB401"
    name = "near-duplicate-items"
    summary = "Two items in the bank ask the same question with near-identical options."
    severity = Severity.WARNING
    scope = "bank"
    options = (
        RuleOption("threshold", 0.8, "Jaccard similarity of the items' stemmed word sets (stem and options together) at which items count as near-duplicates."),
        RuleOption("min-words", 4, "Stems with fewer distinct words are not compared (short labels repeat by nature)."),
    )
    doc = RuleDoc(
        what="Compares the content of every item with the others: the stemmed words of the stem and "
        "of everything the student chooses among or gives (options, accepted answers, matching "
        "pairs), plus the images the stem shows. An item is reported when its content is at least "
        "`threshold` similar (Jaccard) to an earlier item's (in path order) and its stem asks the "
        "same thing: the same words, or the other stem's words plus a qualifier ('... of "
        "motivational interviewing' and '... of motivational interviewing in peer work'), with a key "
        "that says much the same (half its words shared). Items whose keys differ ask different "
        "questions of the same material, and so do stems that swap words ('comparative advantage in "
        "tables' and '... in chairs'): such sibling items may share options by design, and are not "
        "reported. Candidate pairs come "
        "from prefix filtering on rare words, so a bank of 10,000 items is checked without "
        "comparing every pair.",
        why="Near-duplicates creep in when several authors write to one blueprint or when items are "
        "cloned and edited. On a test form they cue each other's answers, and in a practice bank "
        "they inflate the item count and skew scores. Merging or differentiating them is an "
        "editorial decision, so this is a warning.",
        bad="# items/a.yaml\nstem: Which skill is central to motivational interviewing?\n"
        "options: [Reflective listening, Giving advice, Confrontation]\n"
        "# items/b.yaml: the same question with a qualifier, and the same options\n"
        "stem: Which skill is central to motivational interviewing in peer work?\n"
        "options: [Reflective listening, Giving advice, Confrontation]\n",
        good="# items/b.yaml: a distinct question on the same objective\n"
        "stem: A peer says nobody listens to her. Which response shows reflective listening?\n",
        notes="Items that share a stimulus (a graph, a table, a case) but ask different things are "
        "'enemy items': they should not appear on the same form, but they are not duplicates. "
        "Keep them apart with tags or objectives.",
    )

    def check_bank(self, items: Sequence[LoadedItem], opts: Mapping[str, Any]) -> Iterable[tuple[LoadedItem, Violation]]:
        threshold = float(opts["threshold"])
        min_words = int(opts["min-words"])
        contents = [_content(entry.item) for entry in items]
        keys = [_key_words(entry.item) for entry in items]
        sets = [content for _, content in contents]
        frequency: Counter[str] = Counter()
        for s in sets:
            frequency.update(s)
        # Prefix filtering (Chaudhuri et al. 2006; Bayardo et al. 2007): order each set's words from
        # rarest to commonest; two sets with Jaccard >= t must share a word among the first
        # |x| - ceil(t * |x|) + 1 words of each. Only pairs sharing such a word are compared.
        index: dict[str, list[int]] = defaultdict(list)
        for j, words in enumerate(sets):
            question = contents[j][0]
            if len(set(question)) < min_words:
                continue
            ordered = sorted(words, key=lambda w: (frequency[w], w))
            prefix = ordered[: len(ordered) - math.ceil(threshold * len(ordered)) + 1]
            candidates: set[int] = set()
            for w in prefix:
                candidates.update(index[w])
            best: tuple[float, int] | None = None
            size = len(words)
            for i in candidates:
                other = sets[i]
                other_size = len(other)
                # The size bound alone rules a pair out: J <= min/max.
                if (size < threshold * other_size) if size < other_size else (other_size < threshold * size):
                    continue
                shared = len(words & other)
                similarity = shared / (size + other_size - shared)
                if similarity < threshold or not _same_question(question, contents[i][0]) or not _same_answer(keys[j], keys[i]):
                    continue
                if best is None or (similarity, -i) > (best[0], -best[1]):
                    best = (similarity, i)
            if best is not None:
                first = items[best[1]]
                line, _ = first.position(("stem",))
                how = "the same stem" if question == contents[best[1]][0] else "the same stem plus a qualifier"
                yield items[j], Violation(
                    f"asks the same question as item '{first.id}' ({first.file}:{line}): {how}, and stem and "
                    f"options are {best[0]:.0%} alike; merge the two or make them ask different things",
                    ("stem",),
                )
            for w in prefix:
                index[w].append(j)


def _same_question(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two stems ask the same thing: the same words in order, or one adds words to the other.

    A stem that swaps words for others ('tables' for 'chairs', 'inflation' for 'disinflation')
    asks a different question, usually about the same stimulus.
    """
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    rest = iter(long)
    return all(word in rest for word in short)  # a subsequence: only insertions
