"""QB501-QB505: media, alt text, characters XML cannot carry, empty text, invisible characters; each both ways."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbank.config import Config
from qbank.lint.base import Severity
from qbank.lint.engine import Selection, lint_paths
from qbank.lint.registry import find_rule
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


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x1f", "\ud800", "\udfff", "\ufffe", "\uffff"])
def test_invalid_characters_fire_on_what_xml_cannot_carry(bad: str) -> None:
    [v] = run_rule("QB503", mc("Which stage?", f"Pre{bad}contemplation", "Action", "Maintenance"))
    assert v.path == ("options", 0, "text")
    assert f"U+{ord(bad):04X}" in v.message and "after 'Pre'" in v.message and "XML 1.0" in v.message


@pytest.mark.parametrize("fine", ["\t", "\n", "\r", "\x7f", "\x85", "\x9f", "\u00ad", "\u200b", "\ufeff", "\u202e", "\ufffd", "\U0001f600"])
def test_invalid_characters_quiet_for_what_xml_carries(fine: str) -> None:
    assert not fires("QB503", mc(f"Which{fine} stage?", f"Pre{fine}contemplation", "Action", "Maintenance"))


def test_invalid_characters_checks_every_field_and_groups_a_field() -> None:
    assert not fires("QB503", mc("Which café serves naïve crème brûlée — 25 °C, 😀?", "Ä", "ß", "Ω\tx\ny"))
    assert fires("QB503", item(type="essay", stem="ok", tags=["bad\x01tag"]))
    [v] = run_rule("QB503", item(type="essay", stem="a\x01b\x01c\x02"))
    assert "U+0001 control character after 'a' (2 times)" in v.message and "U+0002" in v.message
    assert "delete them" in v.message


def test_invalid_characters_takes_no_allow_option_and_config_points_to_qb505(tmp_path: Path) -> None:
    from qbank.config import ConfigError, load_config

    assert find_rule("QB503").defaults() == {}
    config = tmp_path / "qbank.toml"
    config.write_text('[rules.invalid-characters]\nallow = ["U+200D"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(config)
    message = str(err.value)
    assert "rules.invalid-characters" in message and "no longer takes 'allow'" in message
    assert "invisible-characters (QB505)" in message and "rules.invisible-characters" in message
    config.write_text('[rules.invisible-characters]\nallow = ["U+200D"]\n', encoding="utf-8")
    assert load_config(config).rule_options == {"QB505": {"allow": ["U+200D"]}}
    config.write_text("[rules.QB503]\nstrict = true\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown option 'strict' for QB503"):
        load_config(config)


INVISIBLE_EXAMPLES = {
    "\u00ad": "U+00AD SOFT HYPHEN",
    "\u200b": "U+200B ZERO WIDTH SPACE",
    "\u200c": "U+200C ZERO WIDTH NON-JOINER",
    "\u200d": "U+200D ZERO WIDTH JOINER",
    "\u2060": "U+2060 WORD JOINER",
    "\ufeff": "U+FEFF ZERO WIDTH NO-BREAK SPACE",
    "\u180e": "U+180E MONGOLIAN VOWEL SEPARATOR",
    "\u202a": "U+202A LEFT-TO-RIGHT EMBEDDING",
    "\u202e": "U+202E RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "U+2066 LEFT-TO-RIGHT ISOLATE",
    "\u2069": "U+2069 POP DIRECTIONAL ISOLATE",
    "\x7f": "U+007F control character",
    "\x80": "U+0080 control character",
    "\x85": "U+0085 control character",
    "\x9f": "U+009F control character",
}


@pytest.mark.parametrize("bad", INVISIBLE_EXAMPLES)
def test_invisible_characters_fire(bad: str) -> None:
    it = mc("Which stage?", f"Pre{bad}contemplation", "Action", "Maintenance")
    [v] = run_rule("QB505", it)
    assert v.path == ("options", 0, "text")
    assert f"contains {INVISIBLE_EXAMPLES[bad]} after 'Pre'; delete it" in v.message
    assert find_rule("QB505").severity is Severity.WARNING
    assert not fires("QB503", it)  # the two rules never report the same character


@pytest.mark.parametrize("fine", ["\u00a0", "\u202f", "\u2009", "\u200e", "\u200f", "\u061c", "\t", "\U0001f600", "\u2014", "\x07"])
def test_invisible_characters_quiet_for_visible_typography_bidi_marks_and_xml_errors(fine: str) -> None:
    # No-break and thin spaces are typography; the bidi marks are what right-to-left text needs;
    # U+0007 is QB503's.
    assert not fires("QB505", mc(f"Which{fine} stage?", f"Pre{fine}contemplation", "Action", "Maintenance"))


def test_invisible_characters_messages_explain_where_the_character_came_from() -> None:
    [v] = run_rule("QB505", item(type="essay", stem="Explain why photo\u00adsyn\u00adthesis stops at night."))
    assert v.path == ("stem",)
    assert v.message == (
        "contains U+00AD SOFT HYPHEN after 'Explain why photo' (2 times); delete it "
        "(a soft hyphen is an invisible hyphenation hint, usually pasted from Word)"
    )
    [v] = run_rule("QB505", item(type="essay", stem="Who said \x93enough\x94?"))
    assert "U+0093 control character after 'Who said'" in v.message and "usually stands for '\u201c'" in v.message
    [v] = run_rule("QB505", item(type="essay", stem="A long first line of the stem text\n\u200dthen \u202eevil\u202c"))
    assert "U+200D ZERO WIDTH JOINER at the start of a line" in v.message
    assert "U+202E RIGHT-TO-LEFT OVERRIDE after 'then'" in v.message and "delete them" in v.message
    assert "add U+200D to the rule's allow option" in v.message and "different order" in v.message
    [v] = run_rule("QB505", item(type="essay", stem="Describe one way to build trust with a new\u200b peer."))
    assert "after '...way to build trust with a new'; delete it" in v.message  # whole words only


def test_invisible_characters_allow_option_and_other_fields() -> None:
    zwj = mc("Which emoji shows a family?", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f600", "\U0001f4a9")
    assert fires("QB505", zwj)
    assert not fires("QB505", zwj, allow=["U+200D"])
    assert not fires("QB505", zwj, allow=["200d"])
    assert not fires("QB505", zwj, allow=["\u200d"])
    assert fires("QB505", zwj, allow=["U+200C"])
    persian = item(type="essay", stem="\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645")
    assert fires("QB505", persian) and not fires("QB505", persian, allow=["U+200C", "not a code point"])
    it = item(type="essay", stem="ok", title="Ti\u00adtle", tags=["tag\u200b"], references=["Ref\ufeff"])
    assert [v.path for v in run_rule("QB505", it)] == [("title",), ("tags", 0), ("references", 0)]


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
