"""Hypothesis strategies for generated banks: every item type, text full of special characters.

Text avoids only what the bank itself refuses before an export (QB503: characters XML 1.0 cannot
carry; QB504: blank text), so anything generated here is something an author could export. That
includes invisible characters (QB505 only warns about them), which every format must keep.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import strategies as st

from qbank.model import ITEM_ADAPTER

_SPECIALS = "~=#{}:\\<>&]\"',;|*_`$%@!?-+/()[]\n"
# The last five are invisible (QB505): soft hyphen, zero-width space and joiner, an isolate, a C1 control.
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 éßüøç≥✓中文\u00ad\u200b\u200d\u2066\u0092"


def _clean(text: str) -> str:
    # Authors' text: no leading/trailing blanks, no blank lines at the ends, no runs of blank lines.
    lines = [line.strip() for line in text.split("\n")]
    out = "\n".join(lines).strip()
    while "\n\n\n" in out:
        out = out.replace("\n\n\n", "\n\n")
    return out


_RAW_HTML = re.compile(r"<[A-Za-z/!?]")

text = st.text(alphabet=_LETTERS + _SPECIALS, min_size=1, max_size=40).map(_clean).filter(bool).filter(
    lambda t: not _RAW_HTML.search(t)
)
"""Markdown-ish text with every special character of every target format.

Raw HTML tags (``<b>``, ``</p>``) are left out: Markdown passes them to the sanitiser, which
normalises unclosed or unknown tags, so a round trip can only promise the same rendering for them;
the hostile fixtures and tests/test_markup.py cover raw HTML explicitly. A lone ``<`` (``5 < 6``)
is still generated.
"""

plain_text = st.text(alphabet=_LETTERS + "~=#{}:\\<>&]\"',;|*_$%@!?-+/()[]", min_size=1, max_size=30).map(str.strip).filter(bool)
"""Single-line text (answers, matches, titles)."""

ids = st.from_regex(r"[a-z][a-z0-9-]{2,20}", fullmatch=True)


def _options(min_correct: int, max_correct: int) -> st.SearchStrategy[list[dict[str, Any]]]:
    @st.composite
    def build(draw: st.DrawFn) -> list[dict[str, Any]]:
        texts = draw(st.lists(text, min_size=3, max_size=6, unique_by=lambda t: " ".join(t.split()).casefold()))
        n_correct = draw(st.integers(min_correct, min(max_correct, len(texts) - 1)))
        correct = set(draw(st.permutations(range(len(texts))))[:n_correct])
        return [
            {"text": t, "correct": i in correct, "rationale": draw(st.one_of(st.none(), text)) if i in correct else draw(text)}
            for i, t in enumerate(texts)
        ]

    return build()


@st.composite
def items(draw: st.DrawFn, types: tuple[str, ...] | None = None) -> Any:
    item_type = draw(st.sampled_from(types or (
        "multiple_choice", "multiple_response", "true_false", "short_answer", "numerical", "matching", "essay",
    )))
    data: dict[str, Any] = {
        "id": draw(ids),
        "type": item_type,
        "stem": draw(text),
        "explanation": draw(st.one_of(st.none(), text)),
        "points": draw(st.sampled_from([1, 2, 0.5, 10])),
        "tags": draw(st.lists(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True), max_size=2, unique=True)),
    }
    if item_type == "multiple_choice":
        data["options"] = draw(_options(1, 1))
    elif item_type == "multiple_response":
        data["options"] = draw(_options(1, 4))
    elif item_type == "true_false":
        data["answer"] = draw(st.booleans())
        data["true_rationale"] = draw(st.one_of(st.none(), text))
        data["false_rationale"] = draw(st.one_of(st.none(), text))
    elif item_type == "short_answer":
        data["answers"] = draw(st.lists(plain_text, min_size=1, max_size=3, unique_by=str.casefold))
        data["case_sensitive"] = draw(st.booleans())
    elif item_type == "numerical":
        data["answer"] = draw(st.one_of(st.integers(-10_000, 10_000), st.floats(-1e4, 1e4, allow_nan=False).map(lambda f: round(f, 3))))
        data["tolerance"] = draw(st.sampled_from([0, 0.5, 1, 0.01]))
    elif item_type == "matching":
        prompts = draw(st.lists(text, min_size=2, max_size=4, unique_by=lambda t: t.casefold()))
        matches = draw(st.lists(plain_text, min_size=len(prompts), max_size=len(prompts), unique_by=str.casefold))
        data["pairs"] = [{"prompt": p, "match": m} for p, m in zip(prompts, matches)]
        data["distractors"] = [d for d in draw(st.lists(plain_text, max_size=2, unique_by=str.casefold)) if d.casefold() not in {m.casefold() for m in matches}]
    else:
        data["guidance"] = draw(st.one_of(st.none(), text))
    return ITEM_ADAPTER.validate_python(data)


@st.composite
def banks(draw: st.DrawFn, types: tuple[str, ...] | None = None, max_size: int = 5) -> list[Any]:
    """A list of items with unique ids."""
    found = draw(st.lists(items(types), min_size=1, max_size=max_size, unique_by=lambda it: it.id))
    return found
