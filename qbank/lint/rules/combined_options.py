from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from qbank.lint.base import Rule, RuleDoc, RuleOption, Severity, Violation
from qbank.model import Item, Option
from qbank.text import (
    is_label_only,
    joined_parts,
    option_plain,
    option_references,
    starts_with_phrase,
)

BOTH_OF_THE_ABOVE = ("both of the above", "both the above", "both of these", "both of those")


class CombinedOptions(Rule):
    code = "QB309"
    name = "combined-options"
    summary = "An option combines other options ('Both A and B')."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice", "multiple_response"})
    languages = frozenset({"en"})  # English grammar and word lists
    options = (
        RuleOption(
            "match-joined-texts",
            True,
            "Also report an option that is literally other options' texts joined with 'and' "
            "('Freedom of speech and Freedom of the press').",
        ),
    )
    doc = RuleDoc(
        what="Reports an option that refers to other options: by letter, number or Roman numeral and "
        "nothing else ('Both A and B', 'A and C', 'A, B and D are correct', 'All but D', 'Neither A "
        "nor B', '1 and 3 only'), as 'Both of the above', or (with `match-joined-texts`) as the full "
        "texts of two or more other options joined by 'and', commas or '&'. An ordinary option that "
        "contains 'and' ('Clear and convincing evidence', 'Hepatitis A and B') is not reported, nor "
        "are 'All/None of the above' (their own rules). When every referenced option is itself only "
        "labels (a complex 'I and III only' item whose statements sit in the stem), the rule stays "
        "quiet.",
        why="Combined options reward partial knowledge: a student who is sure of one part can pick or "
        "reject the combination without knowing the other, and the overlapping options make the "
        "item a puzzle about the option set rather than the content. Haladyna, Downing and "
        "Rodriguez (2002) advise against this complex format and the NBME guide recommends "
        "independent options. Letter references also break as soon as the LMS shuffles options.",
        bad="stem: Which SAMHSA dimension of recovery concerns a safe and stable place to live?\n"
        "options:\n"
        "  - text: Health\n"
        "  - text: Home\n"
        "    correct: true\n"
        "  - text: Community\n"
        "  - text: Both A and B\n",
        good="stem: Which SAMHSA dimension of recovery concerns a safe and stable place to live?\n"
        "options:\n"
        "  - text: Health\n"
        "  - text: Home\n"
        "    correct: true\n"
        "  - text: Community\n"
        "  - text: Purpose\n",
        notes="If several options really are correct, use `type: multiple_response` and let the "
        "student select each of them.",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        for i, option in enumerate(item.options):
            targets = _referenced(item.options, i, bool(opts["match-joined-texts"]))
            if targets:
                names = " and ".join(str(t + 1) for t in targets)
                yield Violation(
                    f"option {i + 1} ({' '.join(option.text.split())!r}) combines option{'s' if len(targets) > 1 else ''} "
                    f"{names}; write an independent distractor, or use type: multiple_response if several are correct",
                    ("options", i, "text"),
                )


def _referenced(options: Sequence[Option], index: int, match_texts: bool) -> list[int]:
    """The other options that option ``index`` combines, or [] when it stands on its own."""
    text = options[index].text
    others = [j for j in range(len(options)) if j != index]
    refs = option_references(text)
    if refs is not None:
        targets = _resolve(refs, others)
        valid = targets and all(0 <= t < len(options) and t != index for t in targets)
        if valid and not any(is_label_only(options[t].text) for t in targets):
            return targets
    if starts_with_phrase(text, BOTH_OF_THE_ABOVE):
        return [j for j in others if j < index][-2:]
    if match_texts:
        return _joined_texts(options, index)
    return []


def _resolve(refs: list[int], others: list[int]) -> list[int]:
    """Label indices; negative ones come from 'All but X' and mean every other option except X."""
    if refs and all(r < 0 for r in refs):
        excluded = {-1 - r for r in refs}
        return [j for j in others if j not in excluded] if all(e in others for e in excluded) else []
    return refs


def _joined_texts(options: Sequence[Option], index: int) -> list[int]:
    parts = joined_parts(options[index].text)
    if len(parts) < 2:
        return []
    texts = {option_plain(o.text): j for j, o in enumerate(options) if j != index}
    found = [texts.get(p) for p in parts]
    if any(j is None for j in found) or len(set(found)) < len(found):
        return []
    if all(is_label_only(options[j].text) for j in found if j is not None):
        return []  # "1 & 3" among options "1", "2", "3": labels in a picture, not combined answers
    return [j for j in found if j is not None]
