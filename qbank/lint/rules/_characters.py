"""The shared wording of invalid-characters (QB503) and invisible-characters (QB505) findings."""

from __future__ import annotations

from typing import Sequence

from qbank.chars import INVISIBLE, NOT_XML, describe_char

_CONTEXT = 30  # characters of the text before a finding shown to locate it


def located(text: str, found: Sequence[tuple[int, str]], limit: int = 3) -> list[str]:
    """Each distinct character of ``found`` (offset, char) with where it first occurs, in text order.

    ``U+00AD SOFT HYPHEN after 'photo' (3 times)``: the characters are invisible, so the words
    before the first one are what an author can search for. At most ``limit`` characters are
    listed; the last entry then says how many more there are.
    """
    first: dict[str, int] = {}
    counts: dict[str, int] = {}
    for offset, ch in found:
        first.setdefault(ch, offset)
        counts[ch] = counts.get(ch, 0) + 1
    out = []
    for ch, offset in list(first.items())[:limit]:
        times = f" ({counts[ch]} times)" if counts[ch] > 1 else ""
        out.append(f"{describe_char(ch)} {_where(text, offset)}{times}")
    if len(first) > limit:
        out.append(f"{len(first) - limit} more")
    return out


def _where(text: str, offset: int) -> str:
    before = text[:offset].rsplit("\n", 1)[-1]
    before = "".join(c for c in before if c not in INVISIBLE and not NOT_XML.match(c)).strip()
    if not before:
        return "at the start of the text" if "\n" not in text[:offset] else "at the start of a line"
    if len(before) > _CONTEXT:
        tail = before[-_CONTEXT:]
        if not before[-_CONTEXT - 1].isspace() and " " in tail:
            tail = tail.split(" ", 1)[1]  # start at a whole word
        before = "..." + tail.lstrip()
    return f"after '{before}'"


def joined(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
