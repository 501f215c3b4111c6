"""Moodle XML import, tested the way users meet it: `qbank import` on real files, then the YAML it
wrote loaded back; round trips through the Moodle XML exporter; the third-party corpus; and
hostile files, which must end in one clear message with nothing written."""

from __future__ import annotations

import base64
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from lxml import etree
from qbank.exporters import BankItem, ExportOptions
from qbank.exporters.moodle_xml import MoodleXmlExporter

from qbank.importers import ImportResult, detect_format
from qbank.importers.moodle_xml import MoodleXmlImporter, category_names, media_name
from qbank.markup import markdown_to_html
from qbank.model import Item
from tests.conftest import SHARED
from tests.exporters import strategies
from tests.exporters.conftest import (  # noqa: F401
    OPTIONS,
    PNG,
    all_types_items,
    bank_items,
    image_item,
    sample_bank,
)
from tests.importers.helpers import loaded, run

EXPORTER = MoodleXmlExporter()
IMPORTER = MoodleXmlImporter()
CORPUS_DIR = SHARED / "corpora" / "moodlexml"
CORPUS = sorted(p.relative_to(CORPUS_DIR).as_posix() for p in CORPUS_DIR.rglob("*.xml")) if CORPUS_DIR.is_dir() else []
PNG_B64 = base64.b64encode(PNG).decode("ascii")


# --- helpers ------------------------------------------------------------------------------------------


def import_file(tmp_path: Path, xml: bytes | str, *extra: str, name: str = "bank.xml") -> tuple[Result, Path]:
    source = tmp_path / name
    source.write_bytes(xml.encode("utf-8") if isinstance(xml, str) else xml)
    out = tmp_path / "items"
    return run("import", str(source), "-o", str(out), *extra), out


_BLOCK = r"(?:p|li|ul|ol|pre|blockquote|h\d|table|thead|tbody|tr|td|th|hr)"


def rendered(markdown: str | None) -> str:
    """What a student sees, comparably: the sanitised HTML, whitespace at block edges and one
    wrapping paragraph ignored (an option shown inline or as a paragraph looks the same)."""
    html = re.sub(r"\s+", " ", markdown_to_html(markdown or ""))
    html = re.sub(rf"\s*(</?{_BLOCK}\b[^>]*>)\s*", r"\1", html).strip()
    html = re.sub(r"\s*<br>\s*", "<br>", html)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


class TextStats:
    """How often a Markdown text comes back different (but rendering the same)."""

    def __init__(self) -> None:
        self.total = 0
        self.different = 0


def same_text(source: str | None, back: str | None, where: str, stats: TextStats | None = None) -> None:
    if stats is not None:
        stats.total += 1
    if (source or None) == (back or None):
        return
    if stats is not None:
        stats.different += 1
    assert rendered(source) == rendered(back), f"{where}: {source!r} came back as {back!r}"


def assert_round_trip(source: Item, back: Item, stats: TextStats | None = None) -> None:
    """Everything Moodle XML carries is the same (Markdown compared as rendered HTML)."""
    where = source.id
    assert back.type == source.type, where
    assert back.id == source.id
    assert (back.title or back.id) == ((source.title or "").strip() or source.id)
    assert back.points == source.points
    assert back.tags == source.tags
    same_text(source.stem, back.stem, f"{where} stem", stats)
    same_text(source.explanation, back.explanation, f"{where} explanation", stats)
    if source.type in ("multiple_choice", "multiple_response"):
        assert back.shuffle == source.shuffle
        assert [o.correct for o in back.options] == [o.correct for o in source.options]  # type: ignore[union-attr]
        for n, (a, b) in enumerate(zip(source.options, back.options)):  # type: ignore[union-attr]
            same_text(a.text, b.text, f"{where} option {n}", stats)
            same_text(a.rationale, b.rationale, f"{where} rationale {n}", stats)
    elif source.type == "true_false":
        assert back.answer is source.answer  # type: ignore[union-attr]
        same_text(source.true_rationale, back.true_rationale, f"{where} true_rationale", stats)  # type: ignore[union-attr]
        same_text(source.false_rationale, back.false_rationale, f"{where} false_rationale", stats)  # type: ignore[union-attr]
    elif source.type == "short_answer":
        assert back.answers == [a.strip() for a in source.answers if a.strip()]  # type: ignore[union-attr]
        assert back.case_sensitive is source.case_sensitive  # type: ignore[union-attr]
    elif source.type == "numerical":
        assert back.answer == source.answer  # type: ignore[union-attr]
        assert back.tolerance == source.tolerance  # type: ignore[union-attr]
    elif source.type == "matching":
        assert back.shuffle == source.shuffle
        assert [p.match for p in back.pairs] == [p.match.strip() for p in source.pairs]  # type: ignore[union-attr]
        for n, (a, b) in enumerate(zip(source.pairs, back.pairs)):  # type: ignore[union-attr]
            same_text(a.prompt, b.prompt, f"{where} prompt {n}", stats)
        assert back.distractors == [d.strip() for d in source.distractors if d.strip()]  # type: ignore[union-attr]
    elif source.type == "essay":
        same_text(source.guidance, back.guidance, f"{where} guidance", stats)  # type: ignore[union-attr]


def round_trip(bank: Sequence[BankItem], options: ExportOptions = OPTIONS) -> tuple[list[BankItem], ImportResult]:
    """Export, import; returns the items the exporter wrote (it skips what Moodle cannot take)."""
    exported = EXPORTER.export(list(bank), options)
    skipped = {w.item_id for w in exported.warnings if w.message.startswith("not exported")}
    result = IMPORTER.read(exported.data, "export.xml")
    return [b for b in bank if b.item.id not in skipped], result


# --- round trips through the exporter -------------------------------------------------------------------


def test_all_types_round_trip() -> None:
    source = bank_items(all_types_items())
    written, result = round_trip(source)
    assert len(written) == len(source)
    assert result.notes == []
    assert [i.item.id for i in result.items] == [b.item.id for b in source]
    for bank_item, imported in zip(written, result.items):
        assert_round_trip(bank_item.item, imported.item)
        assert imported.category == bank_item.category  # top/<title>/<folder> comes back as the folder
        assert imported.media == {}
    # Text without Markdown punctuation comes back character for character.
    back = {i.item.id: i.item for i in result.items}
    plain = {"mc-basic", "mr-basic", "tf-basic", "tf-false", "sa-basic", "sa-case", "num-basic", "num-tolerance", "match-basic", "essay-basic"}
    carried = {"id", "type", "title", "stem", "options", "explanation", "points", "tags", "shuffle", "answer",
               "true_rationale", "false_rationale", "answers", "case_sensitive", "tolerance", "pairs", "distractors", "guidance"}
    for item in all_types_items():
        if item.id in plain:
            fields = carried & set(type(item).model_fields)
            assert back[item.id].model_dump(include=fields) == item.model_dump(include=fields), item.id
    assert back["mc-basic"].title == "Essential quality"
    assert back["mc-hostile"].shuffle is False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(strategies.banks(types=("multiple_choice", "multiple_response", "true_false", "short_answer", "numerical", "matching", "essay")))
def test_generated_banks_round_trip(items: list[Item]) -> None:
    bank = [BankItem(it, {}, ("generated", it.type)) for it in items]
    written, result = round_trip(bank)
    assert len(result.items) == len(written), result.notes
    for bank_item, imported in zip(written, result.items):
        assert_round_trip(bank_item.item, imported.item)
        assert imported.category == ("generated", bank_item.item.type)


def test_image_comes_back_as_media(image_item: BankItem) -> None:  # noqa: F811
    [media] = image_item.media.values()
    _, result = round_trip([image_item])
    [imported] = result.items
    assert result.notes == []
    assert imported.media == {f"media/{media.name}": PNG}  # the exporter's content-addressed name is kept
    assert f"![A readiness ruler at 3](media/{media.name})" in imported.item.stem
    assert_round_trip(image_item.item, imported.item.model_copy(update={"stem": imported.item.stem.replace(media.name, "ruler.png")}))


def test_image_through_the_cli_then_lint_finds_the_file(tmp_path: Path, image_item: BankItem) -> None:  # noqa: F811
    exported = EXPORTER.export([image_item], OPTIONS)
    result, out = import_file(tmp_path, exported.data)
    assert result.exit_code == 0, result.stderr
    [name] = [p.name for p in (out / "media").iterdir()]
    assert (out / "media" / name).read_bytes() == PNG
    assert f"media/{name}" in loaded(out)["mc-image"].stem
    lint = run("lint", str(out))
    assert "QB001" not in lint.output and "QB002" not in lint.output and "QB501" not in lint.output, lint.output


def test_sample_bank_round_trips(sample_bank: list[BankItem]) -> None:  # noqa: F811
    stats = TextStats()
    written, result = round_trip(sample_bank)
    assert len(result.items) == len(written) == len(sample_bank)
    for bank_item, imported in zip(written, result.items):
        assert_round_trip(bank_item.item, imported.item, stats)
    assert stats.total > 0


def test_round_trip_through_the_cli_keeps_folders(tmp_path: Path) -> None:
    exported = EXPORTER.export(bank_items(all_types_items()), OPTIONS)
    result, out = import_file(tmp_path, exported.data, "--group-by", "category")
    assert result.exit_code == 0, result.stderr
    assert "Imported 11 item(s)" in result.stderr
    names = sorted(p.name for p in out.glob("*.yaml"))
    assert names == sorted(f"fixtures-{t.replace('_', '-')}.yaml" for t in {i.type for i in all_types_items()})
    back = loaded(out)
    for item in all_types_items():
        assert_round_trip(item, back[item.id])
    lint = run("lint", str(out))
    assert "QB001" not in lint.output and "QB002" not in lint.output, lint.output


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(strategies.banks())
def test_generated_banks_through_the_cli_load_and_lint(items: list[Item]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        written, _ = round_trip(bank_items(items))
        result, out = import_file(tmp, EXPORTER.export(bank_items(items), OPTIONS).data)
        assert result.exit_code == 0, result.stderr
        back = loaded(out) if written else {}
        assert sorted(back) == sorted(b.item.id for b in written)
        for bank_item in written:
            assert_round_trip(bank_item.item, back[bank_item.item.id])
        if written:
            lint = run("lint", str(out))
            assert "QB001" not in lint.output and "QB002" not in lint.output, lint.output


# --- the third-party corpus -------------------------------------------------------------------------------


def _questions(path: Path) -> list[etree._Element]:
    root = etree.fromstring(path.read_bytes(), etree.XMLParser(resolve_entities=False, no_network=True))
    return [q for q in root.iter("question") if q.get("type") != "category"]


@pytest.mark.parametrize("rel", CORPUS or ["(corpus absent)"])
def test_corpus_file_imports_and_every_question_is_accounted_for(rel: str, shared_dir: Path, tmp_path: Path) -> None:
    path = CORPUS_DIR / rel
    questions = _questions(path)
    out = tmp_path / "out"
    result = run("import", str(path), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.output + result.stderr
    written = loaded(out) if out.exists() else {}
    # Each question is either an item or a "skipped" note at its line.
    direct = IMPORTER.read(path.read_bytes(), path.name)
    item_lines = {i.line for i in direct.items}
    skipped_lines = {n.line for n in direct.notes if "skipped" in n.message}
    for q in questions:
        assert q.sourceline in item_lines or q.sourceline in skipped_lines, f"{rel}:{q.sourceline} ({q.get('type')}) is not accounted for"
    assert len(written) == len(direct.items) == len(questions) - len(skipped_lines)
    skipped_in_cli = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert len(skipped_in_cli) == len(skipped_lines)
    lint = run("lint", str(out))
    assert "QB001" not in lint.output and "QB002" not in lint.output, lint.output


def test_corpus_spot_checks(shared_dir: Path, tmp_path: Path) -> None:
    if not CORPUS:
        pytest.skip("the Moodle XML corpus is not in ../shared/corpora/moodlexml")
    bank = CORPUS_DIR / "amc2moodle-tests" / "payload_test_moodle2amc" / "moodle-bank-exemple.xml"
    result = run("import", str(bank), "-o", str(tmp_path / "bank"))
    assert result.exit_code == 0, result.stderr
    items = loaded(tmp_path / "bank")

    layout = items["html-layout"]  # no ID number: the id comes from the name "html layout"
    assert layout.title == "html layout" and layout.type == "multiple_choice"
    assert [o.correct for o in layout.options] == [True, False, False, False, False]
    assert layout.options[1].text == "This is one *italic* wrong answer."  # Atto's trailing <br> dropped
    assert layout.options[2].text == "This a wrong **bold** answer."
    root = etree.fromstring(bank.read_bytes())
    embedded = {f.get("name"): base64.b64decode(f.text) for f in root.iter("file")}
    for name in ("4.png", "dessin.svg"):
        target = media_name(name, embedded[name])
        assert f"media/{target}" in layout.stem
        assert (tmp_path / "bank" / "media" / target).read_bytes() == embedded[name]
    assert "@@PLUGINFILE@@" not in layout.stem

    floaty = items["num-float"]
    assert (floaty.answer, floaty.tolerance, floaty.title) == (3.141592653589793, 0.001, "num:float")  # type: ignore[union-attr]
    assert items["num-int"].answer == 150  # type: ignore[union-attr]
    plain = items["plain-text"]
    assert plain.stem == "Nothing but plain text"
    assert [(o.text, o.correct) for o in plain.options] == [("yes", True), ("**no**", False), ("no in html", False)]
    markdown = items["markdown"]
    assert markdown.stem.startswith("Go to your editor preferences") and "## Basic text formatting" in markdown.stem
    assert items["Essai"].type == "essay" and items["Essai"].stem == "Explain in few words the aim of this course."
    assert "calculated multichoice question 'Calculée' (type='calculatedmulti') skipped" in result.stderr
    assert "description 'ProblemDescription' skipped" in result.stderr
    assert "num-2rounding: answer 1.4142135623730951 ± 0.1 gives 50% credit" in result.stderr

    numerical = CORPUS_DIR / "amc2moodle-tests" / "payload_test_amc2moodle" / "numerical.xml"
    result = run("import", str(numerical), "-o", str(tmp_path / "num"), "--group-by", "category")
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in (tmp_path / "num").glob("*.yaml")] == ["test-num-num.yaml"]  # $course$/test_num/num
    opts = loaded(tmp_path / "num")["num-int-opts"]
    assert (opts.answer, opts.tolerance) == (150, 0)  # type: ignore[union-attr]
    assert result.stderr.count("num-int-opts: answer") == 2  # the two 25% answers are noted

    qcm = CORPUS_DIR / "amc2moodle-tests" / "payload_test_amc2moodle" / "QCM.xml"
    result = run("import", str(qcm), "-o", str(tmp_path / "qcm"))
    assert result.exit_code == 0, result.stderr
    pref = loaded(tmp_path / "qcm")["pref"]
    assert pref.type == "multiple_response"
    assert [o.text for o in pref.options if o.correct] == ["Poitiers", "Avignon"]  # type: ignore[union-attr]


# --- how Moodle's own files map ------------------------------------------------------------------------------

MOODLE_FILE = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category>
      <text>$course$/top/Default for Biology 101/Week 1</text>
    </category>
    <info format="moodle_auto_format">
      <text>The default category for questions shared in context 'Biology 101'.</text>
    </info>
    <idnumber></idnumber>
  </question>
<!-- question: 11  -->
  <question type="multichoice">
    <name>
      <text>Cell organelle</text>
    </name>
    <questiontext format="html">
      <text><![CDATA[<p dir="ltr" style="text-align: left;">Which organelle makes <strong>ATP</strong>?<br></p><p><img src="@@PLUGINFILE@@/cell%20diagram.png" alt="A cell" width="200"></p>]]></text>
      <file name="cell diagram.png" path="/" encoding="base64">{PNG_B64}</file>
    </questiontext>
    <generalfeedback format="html">
      <text><![CDATA[<p>Mitochondria are the <em>powerhouse</em>.</p>]]></text>
    </generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <penalty>0.3333333</penalty>
    <hidden>0</hidden>
    <idnumber>BIO-101.1</idnumber>
    <single>true</single>
    <shuffleanswers>false</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <showstandardinstruction>0</showstandardinstruction>
    <correctfeedback format="html">
      <text>Your answer is correct.</text>
    </correctfeedback>
    <partiallycorrectfeedback format="html">
      <text>Your answer is partially correct.</text>
    </partiallycorrectfeedback>
    <incorrectfeedback format="html">
      <text>Your answer is incorrect.</text>
    </incorrectfeedback>
    <shownumcorrect/>
    <answer fraction="100" format="html">
      <text><![CDATA[<p>Mitochondrion<br></p>]]></text>
      <feedback format="html">
        <text><![CDATA[<p>Yes.</p>]]></text>
      </feedback>
    </answer>
    <answer fraction="50" format="html">
      <text>Chloroplast</text>
      <feedback format="html">
        <text>Only in plants.</text>
      </feedback>
    </answer>
    <answer fraction="0" format="html">
      <text>Ribosome</text>
      <feedback format="html">
        <text></text>
      </feedback>
    </answer>
    <hint format="html">
      <text>Think of energy.</text>
    </hint>
    <tags>
      <tag><text>cells</text></tag>
      <tag><text>energy</text></tag>
    </tags>
  </question>
  <question type="truefalse">
    <name>
      <text>Cells divide</text>
    </name>
    <questiontext format="moodle_auto_format">
      <text>Cells divide by mitosis.
Second line.</text>
    </questiontext>
    <generalfeedback format="moodle_auto_format">
      <text></text>
    </generalfeedback>
    <defaultgrade>1.0000000</defaultgrade>
    <penalty>1.0000000</penalty>
    <hidden>0</hidden>
    <idnumber></idnumber>
    <answer fraction="0" format="moodle_auto_format">
      <text>true</text>
      <feedback format="html">
        <text>Not only: meiosis too.</text>
      </feedback>
    </answer>
    <answer fraction="100" format="moodle_auto_format">
      <text>false</text>
      <feedback format="html">
        <text>Right.</text>
      </feedback>
    </answer>
  </question>
  <question type="category">
    <category>
      <text>$course$/top/Default for Biology 101/Week 2</text>
    </category>
  </question>
  <question type="shortanswer">
    <name>
      <text>Powerhouse</text>
    </name>
    <questiontext format="plain_text">
      <text>Name the *powerhouse* of the cell &lt;one word&gt;.</text>
    </questiontext>
    <defaultgrade>0</defaultgrade>
    <idnumber>BIO-101.1</idnumber>
    <usecase>1</usecase>
    <answer fraction="100" format="moodle_auto_format">
      <text>Mitochondria</text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="100" format="moodle_auto_format">
      <text>mito\\*</text>
      <feedback format="html"><text></text></feedback>
    </answer>
    <answer fraction="50" format="moodle_auto_format">
      <text>mito*</text>
      <feedback format="html"><text>Spell it out.</text></feedback>
    </answer>
  </question>
  <question type="numerical">
    <name>
      <text>Chromosomes</text>
    </name>
    <questiontext format="markdown">
      <text>How many **chromosomes** does a human cell hold?</text>
    </questiontext>
    <answer fraction="100" format="moodle_auto_format">
      <text>46</text>
      <feedback format="html"><text></text></feedback>
      <tolerance>0</tolerance>
    </answer>
    <answer fraction="0" format="moodle_auto_format">
      <text>*</text>
      <feedback format="html"><text>Count pairs.</text></feedback>
      <tolerance>0</tolerance>
    </answer>
    <units>
      <unit><multiplier>1</multiplier><unit_name>chromosomes</unit_name></unit>
    </units>
  </question>
  <question type="matching">
    <name>
      <text>Match organelles</text>
    </name>
    <questiontext format="html">
      <text>Match each organelle with its role.</text>
    </questiontext>
    <shuffleanswers>true</shuffleanswers>
    <subquestion format="html">
      <text><![CDATA[<p>Nucleus</p>]]></text>
      <answer><text>Holds DNA &amp; RNA</text></answer>
    </subquestion>
    <subquestion format="html">
      <text>Ribosome</text>
      <answer><text><![CDATA[Makes proteins <fast>]]></text></answer>
    </subquestion>
    <subquestion format="html">
      <text></text>
      <answer><text>Stores starch</text></answer>
    </subquestion>
  </question>
  <question type="essay">
    <name>
      <text>Explain osmosis</text>
    </name>
    <questiontext format="html">
      <text>Explain osmosis.</text>
    </questiontext>
    <responseformat>editor</responseformat>
    <attachments>1</attachments>
    <graderinfo format="html">
      <text><![CDATA[<p>Look for <b>semi-permeable</b>.</p>]]></text>
    </graderinfo>
    <responsetemplate format="html">
      <text></text>
    </responsetemplate>
  </question>
  <question type="description">
    <name><text>Read this first</text></name>
    <questiontext format="html"><text>Some context.</text></questiontext>
  </question>
  <question type="cloze">
    <name><text>Gaps</text></name>
    <questiontext format="html"><text>{{1:SHORTANSWER:=cell}}</text></questiontext>
  </question>
  <question type="ddwtos">
    <name><text>Drag</text></name>
    <questiontext format="html"><text>[[1]]</text></questiontext>
  </question>
</quiz>
"""


def line_of(text: str) -> int:
    return MOODLE_FILE.splitlines().index(next(line for line in MOODLE_FILE.splitlines() if text in line)) + 1


def test_moodle_export_maps_field_by_field(tmp_path: Path) -> None:
    result, out = import_file(tmp_path, MOODLE_FILE, "--group-by", "category")
    assert result.exit_code == 0, result.stderr
    assert "Imported 6 item(s)" in result.stderr
    assert sorted(p.name for p in out.glob("*.yaml")) == ["week-1.yaml", "week-2.yaml"]
    items = loaded(out)
    assert sorted(items) == ["BIO-101.1", "BIO-101.1-2", "Chromosomes", "cells-divide", "explain-osmosis", "match-organelles"]

    mc = items["BIO-101.1"]
    assert mc.type == "multiple_choice" and mc.title == "Cell organelle" and mc.points == 2
    assert mc.shuffle is False and mc.tags == ["cells", "energy"]
    assert re.fullmatch(r"Which organelle makes \*\*ATP\*\*\?\n\n!\[A cell\]\(media/cell-diagram-[0-9a-f]{8}\.png\)", mc.stem), mc.stem
    [png] = (out / "media").iterdir()
    assert png.read_bytes() == PNG and f"media/{png.name}" in mc.stem
    assert [(o.text, o.correct, o.rationale) for o in mc.options] == [  # type: ignore[union-attr]
        ("Mitochondrion", True, "Yes."),
        ("Chloroplast", False, "Only in plants."),
        ("Ribosome", False, None),
    ]
    assert mc.explanation == "Mitochondria are the *powerhouse*."

    tf = items["cells-divide"]
    assert tf.type == "true_false" and tf.answer is False  # type: ignore[union-attr]
    assert (tf.true_rationale, tf.false_rationale) == ("Not only: meiosis too.", "Right.")  # type: ignore[union-attr]
    assert rendered(tf.stem) == "Cells divide by mitosis.<br>Second line."
    assert tf.explanation is None and tf.title == "Cells divide"

    sa = items["BIO-101.1-2"]  # the ID number was taken by the first question
    assert sa.type == "short_answer" and sa.case_sensitive is True  # type: ignore[union-attr]
    assert sa.answers == ["Mitochondria", "mito*"]  # type: ignore[union-attr]  # \* is a literal star
    assert sa.points == 1  # default mark 0: noted, points stay 1
    assert rendered(sa.stem) == "Name the *powerhouse* of the cell &lt;one word&gt;."  # plain text shows literally

    num = items["Chromosomes"]
    assert (num.answer, num.tolerance, num.stem) == (46, 0, "How many **chromosomes** does a human cell hold?")  # type: ignore[union-attr]

    match = items["match-organelles"]
    assert [(p.prompt, p.match) for p in match.pairs] == [("Nucleus", "Holds DNA & RNA"), ("Ribosome", "Makes proteins <fast>")]  # type: ignore[union-attr]
    assert match.distractors == ["Stores starch"] and match.shuffle is True  # type: ignore[union-attr]

    essay = items["explain-osmosis"]
    assert essay.guidance == "Look for **semi-permeable**."  # type: ignore[union-attr]

    notes = result.stderr
    expected = [
        (line_of('<answer fraction="50"'), "BIO-101.1: option 'Chloroplast' gives 50% partial credit"),
        (line_of('<hint format'), "BIO-101.1: 1 hint(s)"),
        (line_of('<defaultgrade>0<'), "BIO-101.1-2: default mark '0' is not a positive number; points set to 1"),
        (line_of("<defaultgrade>0<") + 1, "BIO-101.1-2: ID number 'BIO-101.1' is used by another question too"),
        (line_of("<text>mito*</text>") - 1, "answer 'mito*' gives 50% partial credit"),
        (line_of("<text>*</text>") - 1, "Chromosomes: the catch-all answer '*'"),
        (line_of("<units>"), "Chromosomes: units (chromosomes) are not supported"),
        (line_of("<attachments>1"), "explain-osmosis: file attachments"),
        (line_of('type="description"'), "description 'Read this first' skipped"),
        (line_of('type="cloze"'), "embedded answers (Cloze) question 'Gaps' (type='cloze') skipped: not supported by qbank"),
        (line_of('type="ddwtos"'), "drag and drop into text question 'Drag' (type='ddwtos') skipped"),
    ]
    for line, message in expected:
        assert f"bank.xml:{line}: note: " in notes and any(
            f"bank.xml:{line}: note: " in row and message in row for row in notes.splitlines()
        ), f"{line}: {message}\n{notes}"
    assert "combined feedback" not in notes  # Moodle's default texts are not worth a note
    assert "category" not in notes.lower()

    lint = run("lint", str(out))
    assert "QB001" not in lint.output and "QB002" not in lint.output, lint.output


def test_partial_credit_key_and_old_true_false(tmp_path: Path) -> None:
    xml = """<quiz>
  <question type="multichoice">
    <name><text>Best guess</text></name>
    <questiontext><text>Pick one.</text></questiontext>
    <answer fraction="90"><text>Almost</text></answer>
    <answer fraction="0"><text>Wrong</text></answer>
    <answer fraction="-50"><text></text></answer>
  </question>
  <question type="truefalse">
    <name><text>Old file</text></name>
    <questiontext><text>The sky is blue.</text></questiontext>
    <answer fraction="100"><text>Vrai</text></answer>
    <answer fraction="0"><text>Faux</text></answer>
  </question>
  <question type="multichoice">
    <name><text>Several</text></name>
    <questiontext><text>Pick all.</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>A</text></answer>
    <answer fraction="50"><text>B</text></answer>
    <answer fraction="-100"><text>C</text></answer>
  </question>
</quiz>"""
    result, out = import_file(tmp_path, xml)
    assert result.exit_code == 0, result.stderr
    items = loaded(out)
    guess = items["best-guess"]
    assert [(o.text, o.correct) for o in guess.options] == [("Almost", True), ("Wrong", False)]  # type: ignore[union-attr]
    assert "no option gets 100%; the option(s) worth 90% became the key" in result.stderr
    assert "option 3 has no text" in result.stderr
    assert items["old-file"].answer is True  # type: ignore[union-attr]
    assert "old, localised export" in result.stderr
    several = items["Several"]
    assert several.type == "multiple_response" and several.shuffle is False  # Moodle's default: no shuffling
    assert [o.correct for o in several.options] == [True, True, False]  # type: ignore[union-attr]


def test_file_problems_are_noted(tmp_path: Path) -> None:
    xml = f"""<quiz>
  <question type="essay">
    <name><text>Files</text></name>
    <questiontext format="html">
      <text><![CDATA[<p><img src="@@PLUGINFILE@@/missing.png" alt="gone"> <img src="@@PLUGINFILE@@/sub/a.png" alt="kept"></p>]]></text>
      <file name="a.png" path="/sub/" encoding="base64">{PNG_B64}</file>
      <file name="unused.png" path="/" encoding="base64">{PNG_B64}</file>
      <file name="../../evil.png" path="/" encoding="base64">{PNG_B64}</file>
    </questiontext>
  </question>
</quiz>"""
    result, out = import_file(tmp_path, xml)
    assert result.exit_code == 0, result.stderr
    assert "'missing.png', which is not embedded in the file" in result.stderr
    assert "embedded file 'unused.png' is not used" in result.stderr
    assert "embedded file '../../evil.png' is not used" in result.stderr
    assert [p.name for p in (out / "media").iterdir()] == [media_name("a.png", PNG)]
    assert not (tmp_path / "evil.png").exists()
    stem = loaded(out)["Files"].stem
    assert f"media/{media_name('a.png', PNG)}" in stem and "media/missing.png" in stem


def test_media_names_are_safe_and_content_addressed() -> None:
    assert media_name("cell diagram.PNG", b"x") == f"cell-diagram-{__import__('hashlib').sha256(b'x').hexdigest()[:8]}.png"
    assert "/" not in media_name("../../etc/passwd", b"x") and not media_name("../../etc/passwd", b"x").startswith(".")
    named = media_name("ruler.png", PNG)
    assert media_name(named, PNG) == named  # qbank's own names survive a round trip
    assert media_name("été.png", b"a") != media_name("été.png", b"b")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("$course$/top/Default for Biology 101/Week 1", ("Week 1",)),
        ("$module$/top/Default for Quiz 3", ()),
        ("top/qbank export/ethics/boundaries", ("ethics", "boundaries")),
        ("top/qbank export", ()),
        ("$course$/Default for Biology/Sub", ("Sub",)),  # before Moodle 3.5: no top
        ("$course$/test_num/num", ("test_num", "num")),
        ("top/qbank export/A//B/ //x", ("A/B", "/x")),  # '//' is a '/' inside a name
        ("", ()),
    ],
)
def test_category_paths(path: str, expected: tuple[str, ...]) -> None:
    assert category_names(path) == expected


def test_detection(tmp_path: Path) -> None:
    exported = EXPORTER.export(bank_items(all_types_items()), OPTIONS).data
    assert detect_format(exported, "export.xml") == "moodle-xml"
    assert IMPORTER.detect(b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- <questestinterop> -->\n<quiz/>", "x.txt")
    assert not IMPORTER.detect(b"<?xml version='1.0'?><questestinterop><item/></questestinterop>", "x.xml")
    assert not IMPORTER.detect(b"::title:: question {=a ~b}", "x.xml")
    result, _ = import_file(tmp_path, exported, name="no-extension")
    assert result.exit_code == 0, result.stderr


# --- malformed and hostile files ----------------------------------------------------------------------------

BOMB = """<?xml version="1.0"?>
<!DOCTYPE quiz [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<quiz><question type="essay"><name><text>&c;</text></name><questiontext><text>x</text></questiontext></question></quiz>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><name><text>&xxe;</text></name><questiontext><text>x</text></questiontext></question></quiz>
"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE quiz SYSTEM "file:///etc/passwd">
<quiz><question type="essay"><name><text>leak</text></name><questiontext><text>&xxe;</text></questiontext></question></quiz>
"""
NOT_WELL_FORMED = """<?xml version="1.0"?>
<quiz>
  <question type="essay"><name><text>broken</text></name>
</quiz>
"""


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (NOT_WELL_FORMED, "not well-formed XML"),
        (BOMB, "entity declarations (<!ENTITY) are refused"),
        (XXE, "entity declarations (<!ENTITY) are refused"),
        (EXTERNAL_DTD, "external entities are refused"),
        ("<?xml version='1.0'?><questestinterop/>", "root element is <questestinterop>, not <quiz>"),
        (b"\x00\x01garbage", "not well-formed XML"),
    ],
    ids=["not-well-formed", "billion-laughs", "xxe", "external-dtd", "wrong-root", "binary"],
)
def test_hostile_and_malformed_files_fail_cleanly(tmp_path: Path, xml: str | bytes, message: str) -> None:
    result, out = import_file(tmp_path, xml, "--from", "moodle-xml")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("qbank: error: ") and message in lines[0] and lines[0].endswith("nothing was written")
    assert "Traceback" not in result.output
    assert not out.exists()


def test_oversized_embedded_file_gets_a_clear_message(tmp_path: Path) -> None:
    blob = "A" * (11 * 1024 * 1024)  # base64 text above libxml2's 10 MB limit for one text node
    xml = f'<quiz><question type="essay"><name><text>big</text></name><questiontext><text>x</text><file name="v.mp4">{blob}</file></questiontext></question></quiz>'
    result, out = import_file(tmp_path, xml)
    assert result.exit_code == 1
    assert "larger than 10 MB" in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()


def test_hostile_file_is_refused_when_detected_too(tmp_path: Path) -> None:
    result, out = import_file(tmp_path, XXE)
    assert result.exit_code == 1 and "entity declarations" in result.stderr and not out.exists()


def test_questions_that_cannot_be_items_are_noted_not_fatal(tmp_path: Path) -> None:
    xml = """<quiz>
  <question type="numerical"><name><text>No number</text></name><questiontext><text>x?</text></questiontext>
    <answer fraction="100"><text>forty</text></answer></question>
  <question type="truefalse"><name><text>No answers</text></name><questiontext><text>x</text></questiontext></question>
  <question type="multichoice"><questiontext><text>no name, no answers</text></questiontext></question>
  <question><name><text>untyped</text></name></question>
  <question type="shortanswer"><name><text>Ok</text></name><questiontext><text>Say ok.</text></questiontext>
    <answer fraction="100"><text>ok</text></answer></question>
</quiz>"""
    result, out = import_file(tmp_path, xml)
    assert result.exit_code == 0, result.stderr
    assert list(loaded(out)) == ["Ok"]
    assert result.stderr.count("skipped") == 4
    assert "numerical question 'No number' skipped: a numerical question without a numeric answer" in result.stderr


def test_empty_quiz(tmp_path: Path) -> None:
    result, _ = import_file(tmp_path, "<quiz/>")
    assert result.exit_code == 0
    assert "the file holds no questions" in result.stderr
    assert "Imported 0 item(s)" in result.stderr
