"""Inline code spans as CommonMark reads them, found in linear time (qbank.text.code_regions).

Wording rules skip code, and the GIFT exporter leaves code alone, so where a code span starts and
ends matters. markdown-it-py, the CommonMark parser the exports use, is the independent judge.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from qbank.markup import media_refs
from qbank.text import code_regions, strip_code

_MD = MarkdownIt("commonmark")


def commonmark_spans(text: str) -> list[str]:
    """The contents of the inline code spans markdown-it finds in one paragraph."""
    [_, inline, _] = _MD.parse(text)
    return [child.content for child in inline.children or [] if child.type == "code_inline"]


def our_spans(text: str) -> list[str]:
    out = []
    for start, end, fenced in code_regions(text):
        assert not fenced
        ticks = len(text[start:]) - len(text[start:].lstrip("`"))
        content = text[start + ticks:end - ticks].replace("\n", " ")
        if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
            content = content[1:-1]
        out.append(content)
    return out


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="`ab ", max_size=40))
def test_code_spans_match_commonmark(body: str) -> None:
    text = "x " + body + " y"  # a paragraph: no fence, no indented code block
    assert our_spans(text) == commonmark_spans(text)


def test_a_long_row_of_backticks_is_text_not_code() -> None:
    """6,000 backticks took the old regex 8 s (cubic backtracking); a lone run is literal text."""
    text = "Which symbol is " + "`" * 6000 + " called?"
    assert code_regions(text) == []
    assert strip_code(text) == text
    assert strip_code("Use `x = 1` and ``a ` b`` here") == "Use   and   here"


def test_media_links_survive_long_rows_of_brackets() -> None:
    text = "![" * 20000 + "A chart](media/chart(1).png)"
    [ref] = media_refs(text)
    assert ref.src == "media/chart(1).png" and ref.alt == "A chart" and ref.is_image
