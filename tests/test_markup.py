"""Markdown to sanitised HTML: safe whatever the input, and the plain-text fast path is exact."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.markup import _PLAIN, _render, inline_html, markdown_to_html, media_refs


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>text",
        '<img src="x.png" onerror="alert(1)" alt="x">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src='https://example.org'></iframe>",
        '<p style="background:url(javascript:alert(1))">x</p>',
    ],
)
def test_no_script_survives(hostile: str) -> None:
    html = markdown_to_html(hostile)
    for bad in ("<script", "onerror", 'href="javascript:', "<iframe", "style="):
        assert bad not in html


def test_markdown_features_and_rewriting() -> None:
    html = markdown_to_html("**bold** and `x<y`\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![A ruler](<media/r 1.png>)", rewrite=lambda s: "@@PLUGINFILE@@/" + s.replace(" ", "%20"))
    assert "<strong>bold</strong>" in html and "<code>x&lt;y</code>" in html and "<table>" in html
    assert '<img src="@@PLUGINFILE@@/media/r%201.png" alt="A ruler">' in html
    assert inline_html("Just *one* paragraph") == "Just <em>one</em> paragraph"


def test_media_refs_in_markdown_and_html() -> None:
    refs = media_refs('![a](one.png) <img src="two.png"> [doc](three.pdf) `![no](code.png)` ![w](https://x.org/w.png)')
    assert [(r.src, r.is_image, r.is_local) for r in refs] == [
        ("one.png", True, True), ("two.png", True, True), ("three.pdf", False, True), ("https://x.org/w.png", True, False),
    ]


_ALPHABET = "abcXYZ019 ,.;:?!'’‘“”\"/%$@()=+-#*_`[]<>&\\~|\n\t\u00a0é中"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=_ALPHABET, min_size=1, max_size=30))
def test_plain_text_fast_path_matches_the_full_renderer(text: str) -> None:
    if _PLAIN.match(text):
        assert markdown_to_html(text) == _render(text)


def test_fast_path_covers_ordinary_prose() -> None:
    for text in ["Active listening and empathy", "Hello, world.", "It's 5% off (today)!", "non-linear process", "Say \"hi\""]:
        assert _PLAIN.match(text), text
    for text in ["1. item", "- a", "a_b", "x  y", " lead", "trail ", "a\nb", "**b**", "a & b", "<b>"]:
        assert not _PLAIN.match(text), text


def test_plain_text_that_looks_like_html_stays_text() -> None:
    from qbank.importers.html_md import html_to_markdown, plain_to_markdown

    for text in ["<br>", "a <b> c & d", "x <tag> y"]:
        markdown = plain_to_markdown(text)
        assert markdown_to_html(markdown) == markdown_to_html(html_to_markdown(f"<p>{text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</p>"))
        assert "<br>" not in markdown_to_html(markdown) or text != "<br>"


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=_ALPHABET, min_size=1, max_size=30))
def test_html_to_markdown_fast_path_agrees_with_the_full_conversion(text: str) -> None:
    """Plain paragraphs skip markdownify; what they return must be what the full path returns."""
    import html as htmllib

    from qbank.importers import html_md

    for source in (f"<p>{text}</p>", text):
        fast = html_md.html_to_markdown(source)
        if html_md._PLAIN_PARAGRAPH.match(source) and _PLAIN.match(html_md._PLAIN_PARAGRAPH.match(source).group(1)):  # type: ignore[union-attr]
            assert markdown_to_html(fast) == markdown_to_html(htmllib.unescape(fast))
            assert _render(fast) == f"<p>{text}</p>"
