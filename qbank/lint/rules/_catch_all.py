"""The shared check behind all-of-the-above and none-of-the-above: a catch-all option opening."""

from __future__ import annotations

from typing import Iterable

from qbank.lint.base import Violation
from qbank.model import Item
from qbank.text import starts_with_phrase


def catch_all_violations(item: Item, phrases: tuple[str, ...], key_fix: str) -> Iterable[Violation]:
    """One violation per option that opens with one of ``phrases``; the fix differs for a key."""
    for i, option in enumerate(item.options):
        found = starts_with_phrase(option.text, phrases)
        if found is None:
            continue
        fix = key_fix if option.correct else "replace it with a plausible distractor"
        yield Violation(f"option {i + 1} is '{found.capitalize()}'; {fix}", ("options", i, "text"))
