from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from qbank.lint.base import Rule, RuleDoc, Severity, Violation
from qbank.model import Item
from qbank.text import plain, statement_labels


def _listed_in_stem(stem: str, label: str) -> bool:
    """Whether the stem lists a statement under ``label``: "I. …", "(II) …", "3) …"."""
    return re.search(rf"(?:^|[\s(\[]){re.escape(label)}(?:[.):\]]|\s*[-–—])\s", plain(stem) + " ") is not None


class ComplexMultipleChoice(Rule):
    code = "QB314"
    name = "complex-multiple-choice"
    summary = "The options are combinations of numbered statements in the stem (a complex, 'Type K' item)."
    severity = Severity.WARNING
    scope = "item"
    types = frozenset({"multiple_choice"})
    languages = frozenset({"en"})  # English grammar and word lists
    doc = RuleDoc(
        what="Reports a multiple-choice item whose stem lists statements under Roman numerals or "
        "numbers ('I. … II. … III. …', '1) … 2) …') and whose options, at least two of them, name "
        "only those labels ('I and III only', 'Only II is true', 'I, II and III'). Items whose "
        "options all name the same labels in different orders (putting steps in sequence) are "
        "not reported; options that name other options by letter are the combined-options rule's.",
        why="The complex multiple-choice format (Type K) tests the option set as much as the content: "
        "a student who knows one statement can eliminate every combination that includes or lacks "
        "it, so partial knowledge scores well. It also takes longer to read and makes items harder "
        "in ways unrelated to the objective. Haladyna, Downing and Rodriguez (2002) and the NBME "
        "item-writing guide both advise against it.",
        bad="stem: |\n"
        "  Which statements about the vertebral column are true?\n"
        "  I. There are 7 cervical vertebrae.\n"
        "  II. There are 10 thoracic vertebrae.\n"
        "  III. There are 5 lumbar vertebrae.\n"
        "options:\n"
        "  - text: I and III only\n"
        "    correct: true\n"
        "  - text: II only\n"
        "  - text: I, II and III\n",
        good="type: multiple_response\n"
        "stem: Which statements about the vertebral column are true? Select all that apply.\n"
        "options:\n"
        "  - text: There are 7 cervical vertebrae.\n"
        "    correct: true\n"
        "  - text: There are 10 thoracic vertebrae.\n"
        "  - text: There are 5 lumbar vertebrae.\n"
        "    correct: true\n",
        notes="Ask about each statement directly: `type: multiple_response` ('Select all that apply') "
        "or one true/false item per statement.",
    )

    def check(self, item: Item, opts: Mapping[str, Any]) -> Iterable[Violation]:
        combos: list[tuple[int, frozenset[str]]] = []
        for i, option in enumerate(item.options):
            labels = statement_labels(option.text)
            if labels and all(_is_statement_label(label) and _listed_in_stem(item.stem, label) for label in labels):
                combos.append((i, frozenset(labels)))
        if len(combos) < 2 or len({labels for _, labels in combos}) < 2:
            return
        first = combos[0][0]
        shown = ", ".join(repr(" ".join(item.options[i].text.split())) for i, _ in combos[:3])
        yield Violation(
            f"{len(combos)} options ({shown}{', …' if len(combos) > 3 else ''}) are combinations of the numbered "
            "statements in the stem (a complex 'Type K' item); ask about each statement directly with "
            "type: multiple_response or true/false items",
            ("options", first, "text"),
        )


def _is_statement_label(label: str) -> bool:
    """Roman numerals and numbers label statements; single letters label the options themselves."""
    return label.isdigit() or (label.upper() == label and set(label) <= set("IVX")) or set(label) <= set("ivx") and len(label) > 1
