"""QB501-QB504: media, alt text, characters and empty text, each both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbank.config import Config
from qbank.lint.engine import Selection, lint_paths
from tests.conftest import fires, item, mc, run_rule


def lint_dir(folder: Path, code: str) -> list[tuple[int, str]]:
    report = lint_paths([folder], Config(), Selection.from_config(Config(), select=[code]), relative_to=folder)
    return [(f.line, f.message) for f in report.findings]


def _write(folder: Path, stem: str) -> None:
    (folder / "q.yaml").write_text(
        "id: q\ntype: essay\nstem: |\n" + "".join(f"  {line}\n" for line in stem.splitlines()) + "explanation: x\n",
        encoding="utf-8",
    )


def test_missing_media_reports_a_missing_image_relative_to_the_item(tmp_path: Path) -> None:
    _write(tmp_path, "Look:\n\n![A ruler](img/ruler.png)")
    [(line, message)] = lint_dir(tmp_path, "QB501")
    assert line == 3 and "img/ruler.png" in message  # the stem field


def test_missing_media_quiet_when_the_file_exists_or_is_a_url(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "ruler png.png").write_bytes(b"\x89PNG")
    _write(tmp_path, "![A ruler](img/ruler%20png.png) ![web](https://example.org/x.png) [top](#top) `![x](nope.png)`")
    assert lint_dir(tmp_path, "QB501") == []


def test_missing_media_checks_html_images_and_linked_files(tmp_path: Path) -> None:
    _write(tmp_path, 'See <img src="chart.png" alt="Chart"> and [the handout](handout.pdf).')
    messages = [m for _, m in lint_dir(tmp_path, "QB501")]
    assert len(messages) == 2 and "chart.png" in messages[0] and "handout.pdf" in messages[1]


@pytest.mark.parametrize("stem", ["![](wrap.png)", "![  ](wrap.png)", '<img src="wrap.png">', '<img src="wrap.png" alt="">'])
def test_missing_alt_text_fires(stem: str) -> None:
    [v] = run_rule("QB502", item(type="essay", stem=f"Describe this. {stem}"))
    assert v.path == ("stem",)


@pytest.mark.parametrize("stem", ["![A WRAP page](wrap.png)", '<img src="wrap.png" alt="A WRAP page">', "[a link](notes.pdf)", "`![](code.png)`"])
def test_missing_alt_text_quiet(stem: str) -> None:
    assert not fires("QB502", item(type="essay", stem=f"Describe this. {stem}"))


@pytest.mark.parametrize("bad", ["\u200b", "\x07", "\ufeff", "\u202e", "\ufffe", "\x85"])
def test_invalid_characters_fire(bad: str) -> None:
    [v] = run_rule("QB503", mc("Which stage?", f"Pre{bad}contemplation", "Action", "Maintenance"))
    assert v.path == ("options", 0, "text")
    assert "U+" in v.message


def test_invalid_characters_quiet_for_ordinary_unicode_and_allowed_code_points() -> None:
    assert not fires("QB503", mc("Which café serves naïve crème brûlée — 25 °C, 😀?", "Ä", "ß", "Ω\tx\ny"))
    assert not fires("QB503", mc("Which?", "A\u200dB", "C", "D"), allow=["U+200D"])
    assert fires("QB503", item(type="essay", stem="ok", tags=["bad\x01tag"]))


def test_empty_text_reports_stem_options_and_key_rationale() -> None:
    it = item(stem=" ", options=[
        {"text": "", "correct": True, "rationale": ""},
        {"text": "B", "rationale": ""},  # a distractor's empty rationale is QB202's finding
        {"text": "C", "rationale": "no"},
    ])
    paths = [v.path for v in run_rule("QB504", it)]
    assert paths == [("stem",), ("options", 0, "text"), ("options", 0, "rationale")]


def test_empty_text_other_types() -> None:
    assert fires("QB504", item(type="short_answer", stem="Name it.", answers=["WRAP", " "]))
    assert fires("QB504", item(type="matching", stem="Match.", pairs=[{"prompt": "A", "match": ""}]))
    assert not fires("QB504", item(type="short_answer", stem="Name it.", answers=["WRAP"]))
    assert not fires("QB504", mc("Which?", "A", "B", "C", explanation=""))  # QB201 owns that
