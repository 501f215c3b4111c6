"""Moodle XML export, checked the way Moodle reads it.

There is no XSD for Moodle XML: Moodle's reader (question/format/xml/format.php) walks the parsed
tree and takes what it finds. ``moodle_problems`` encodes what that reader and the question types'
save code need per question type (required elements, fraction menu, answer counts, file areas),
and every export in this file goes through it. Content is then compared back item by item.
"""

from __future__ import annotations

import base64
import html as htmllib
import math
import re
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import quote, unquote

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from lxml import etree
from lxml import html as lxml_html

from qbank.cli import main
from qbank.exporters import BankItem, ExportOptions, ExportResult, MediaFile
from qbank.exporters._moodle import MENU, is_on_menu, negative, share
from qbank.exporters.moodle_xml import MoodleXmlExporter
from qbank.markup import inline_html, markdown_to_html
from qbank.model import ITEM_ADAPTER
from tests.exporters import strategies
from tests.exporters.conftest import OPTIONS, PNG, bank_items

EXPORTER = MoodleXmlExporter()
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)

TEXT_FORMATS = {"html", "moodle_auto_format", "plain_text", "markdown", "wiki_like"}
NUMBERING = {"abc", "ABCD", "123", "iii", "IIII", "none"}
RESPONSE_FORMATS = {"editor", "editorfilepicker", "plain", "monospaced", "noinline"}
BOOLEAN_WORDS = {"true", "false", "0", "1"}
MENU_VALUES = {float(v) for v in MENU} | {-float(v) for v in MENU}


# --- parsing and Moodle's reader expectations ---------------------------------------------------------


def export(items: Iterable[BankItem], **options: Any) -> tuple[etree._Element, ExportResult]:
    opts = ExportOptions(**{"title": OPTIONS.title, "identifier": OPTIONS.identifier, **options})
    result = EXPORTER.export(list(items), opts)
    return parse(result.data), result


def parse(data: bytes) -> etree._Element:
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    data.decode("utf-8")  # Moodle refuses files that are not UTF-8
    return etree.fromstring(data, PARSER)


def text_of(element: etree._Element | None) -> str:
    """What Moodle's getpath(..., '#', 'text', 0, '#') reads: the first <text> child, trimmed."""
    if element is None:
        return ""
    child = element.find("text")
    return (child.text or "").strip() if child is not None else ""


def fractions(question: etree._Element) -> list[float]:
    return [float(a.get("fraction", "0")) for a in question.findall("answer")]


def _number(text: str | None) -> float | None:
    try:
        return float(text or "")
    except ValueError:
        return None


def _file_problems(where: str, element: etree._Element) -> list[str]:
    """Files belong to the text field that uses them (Moodle keeps one draft area per field)."""
    problems = []
    names = []
    for file in element.findall("file"):
        name = file.get("name") or ""
        names.append(name)
        if not name or file.get("path") != "/" or file.get("encoding") != "base64":
            problems.append(f"{where}: <file> needs name, path='/' and encoding='base64'")
        try:
            base64.b64decode(file.text or "", validate=True)
        except ValueError:
            problems.append(f"{where}: file {name} is not valid base64")
    if len(names) != len(set(names)):
        problems.append(f"{where}: duplicate file names {names}")
    for ref in re.findall(r"@@PLUGINFILE@@/([^\"'\s>?#]+)", text_of(element)):
        if unquote(ref) not in names:
            problems.append(f"{where}: @@PLUGINFILE@@/{ref} has no <file> in the same field")
    return problems


def _text_field_problems(where: str, element: etree._Element | None, required: bool = True) -> list[str]:
    if element is None:
        return [f"{where}: missing"] if required else []
    problems = []
    if element.get("format") not in TEXT_FORMATS:
        problems.append(f"{where}: format {element.get('format')!r} is not one Moodle knows")
    if element.find("text") is None:
        problems.append(f"{where}: no <text>")
    return problems + _file_problems(where, element)


def moodle_problems(root: etree._Element) -> list[str]:
    """Everything Moodle's XML reader and the question types' save code would trip over."""
    problems: list[str] = []
    if root.tag != "quiz":
        return [f"root element is <{root.tag}>, not <quiz>"]
    for n, q in enumerate(root):
        if not isinstance(q.tag, str):
            continue  # comments
        where = f"question {n}"
        if q.tag != "question":
            problems.append(f"{where}: <{q.tag}> inside <quiz>")
            continue
        qtype = q.get("type")
        if qtype == "category":
            if not text_of(q.find("category")):
                problems.append(f"{where}: category without a path")
            continue
        where = f"{where} ({qtype} {q.findtext('idnumber')})"
        if not text_of(q.find("name")):
            problems.append(f"{where}: no <name><text> (Moodle: 'no name')")
        problems += _text_field_problems(f"{where} questiontext", q.find("questiontext"))
        problems += _text_field_problems(f"{where} generalfeedback", q.find("generalfeedback"), required=False)
        grade = _number(q.findtext("defaultgrade"))
        if grade is None or grade <= 0:
            problems.append(f"{where}: defaultgrade {q.findtext('defaultgrade')!r}")
        penalty = _number(q.findtext("penalty"))
        if penalty is None or not 0 <= penalty <= 1:
            problems.append(f"{where}: penalty {q.findtext('penalty')!r}")
        idnumber = q.findtext("idnumber")
        if idnumber is not None and len(idnumber) > 100:
            problems.append(f"{where}: idnumber longer than 100 characters")
        for tag in q.findall("tags/tag"):
            if not text_of(tag):
                problems.append(f"{where}: empty tag")
        answers = q.findall("answer")
        for i, answer in enumerate(answers):
            value = _number(answer.get("fraction"))
            if value is None or not any(abs(value - m) < 0.00001 for m in MENU_VALUES):
                problems.append(f"{where}: answer {i} fraction {answer.get('fraction')!r} is not on Moodle's grade menu")
            if answer.find("feedback") is not None:
                problems += _text_field_problems(f"{where} answer {i} feedback", answer.find("feedback"))
        checker = _TYPE_CHECKS.get(qtype or "")
        if checker is None:
            problems.append(f"{where}: unknown question type {qtype!r}")
        else:
            problems += [f"{where}: {p}" for p in checker(q, answers, [_number(a.get("fraction")) or 0.0 for a in answers])]
    return problems


def _multichoice(q: etree._Element, answers: list[etree._Element], weights: list[float]) -> list[str]:
    problems = []
    if q.findtext("single") not in BOOLEAN_WORDS or q.findtext("shuffleanswers") not in BOOLEAN_WORDS:
        problems.append("single and shuffleanswers must be true/false")
    if q.findtext("answernumbering") not in NUMBERING:
        problems.append(f"answernumbering {q.findtext('answernumbering')!r}")
    if sum(1 for a in answers if text_of(a)) < 2:
        problems.append("fewer than two answers (Moodle aborts the import)")
    problems += [p for i, a in enumerate(answers) for p in _text_field_problems(f"answer {i}", a)]
    if q.findtext("single") in ("true", "1"):
        if max(weights, default=0) != 100 or weights.count(100) != 1:
            problems.append(f"single choice needs exactly one 100% answer, got {weights}")
    elif round(sum(w for w in weights if w > 0) / 100, 2) != 1:
        problems.append(f"multiple response: positive fractions add up to {sum(w for w in weights if w > 0)}, not 100")
    return problems


def _truefalse(q: etree._Element, answers: list[etree._Element], weights: list[float]) -> list[str]:
    texts = sorted(text_of(a) for a in answers)
    if texts != ["false", "true"]:
        return [f"truefalse answers must be 'true' and 'false', got {texts}"]
    if sorted(weights) != [0, 100]:
        return [f"truefalse fractions must be 100 and 0, got {weights}"]
    return []


def _shortanswer(q: etree._Element, answers: list[etree._Element], weights: list[float]) -> list[str]:
    problems = []
    if q.findtext("usecase") not in ("0", "1"):
        problems.append(f"usecase {q.findtext('usecase')!r}")
    if not answers or max(weights) != 100:
        problems.append("no 100% answer")
    if any(not text_of(a) for a in answers):
        problems.append("blank answer")
    return problems


def _numerical(q: etree._Element, answers: list[etree._Element], weights: list[float]) -> list[str]:
    problems = []
    if not answers or max(weights) != 100:
        problems.append("no 100% answer")
    for a in answers:
        value, tolerance = _number(text_of(a)), _number(a.findtext("tolerance"))
        if value is None or not math.isfinite(value) or "e" in text_of(a).lower():
            problems.append(f"answer {text_of(a)!r} is not a plain number")
        if tolerance is None or tolerance < 0:
            problems.append(f"tolerance {a.findtext('tolerance')!r}")
    return problems


def _matching(q: etree._Element, answers: list[etree._Element], weights: list[float]) -> list[str]:
    problems = []
    if q.findtext("shuffleanswers") not in BOOLEAN_WORDS:
        problems.append("shuffleanswers must be true/false")
    subs = q.findall("subquestion")
    stems = [s for s in subs if text_of(s)]
    if not stems:
        problems.append("no subquestion with text")
    for i, sub in enumerate(subs):
        problems += _text_field_problems(f"subquestion {i}", sub)
        if not text_of(sub.find("answer")):
            # A stem with no answer gives a notice, and a notice ends Moodle's import loop.
            problems.append(f"subquestion {i} has no answer text")
    return problems


def _essay(q: etree._Element, answers: list[etree._Element], weights: list[float]) -> list[str]:
    problems = []
    if q.findtext("responseformat") not in RESPONSE_FORMATS:
        problems.append(f"responseformat {q.findtext('responseformat')!r}")
    for tag in ("responserequired", "responsefieldlines", "attachments", "attachmentsrequired"):
        if not re.fullmatch(r"-?\d+", q.findtext(tag) or ""):
            problems.append(f"{tag} {q.findtext(tag)!r} is not an integer")
    problems += _text_field_problems("graderinfo", q.find("graderinfo"))
    problems += _text_field_problems("responsetemplate", q.find("responsetemplate"))
    if answers:
        problems.append("an essay has no answers")
    return problems


_TYPE_CHECKS = {
    "multichoice": _multichoice,
    "truefalse": _truefalse,
    "shortanswer": _shortanswer,
    "numerical": _numerical,
    "matching": _matching,
    "essay": _essay,
}


def assert_moodle_valid(root: etree._Element) -> None:
    problems = moodle_problems(root)
    assert not problems, "\n".join(problems)


# --- Moodle's own helpers, re-stated for the comparisons -------------------------------------------------


def split_category_path(path: str) -> list[str]:
    """qformat_default::split_category_path: '/' separates, '//' is a '/' inside a name."""
    return [raw.replace("//", "/").strip() for raw in re.split(r"(?<!/)/(?!/)", path)]


def shortanswer_matches(response: str, pattern: str, ignorecase: bool) -> bool:
    """qtype_shortanswer_question::compare_string_with_wildcard."""
    bits = re.split(r"(?<!\\)\*", pattern)
    regexp = "^" + ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits) + "$"
    return re.match(regexp, response.strip(), re.I | re.S if ignorecase else re.S) is not None


def questions(root: etree._Element) -> dict[str, etree._Element]:
    found = {q.findtext("idnumber"): q for q in root.findall("question") if q.get("type") != "category"}
    return found  # type: ignore[return-value]


def categories(root: etree._Element) -> dict[str, str]:
    """The category each question lands in, by idnumber (Moodle keeps the last category seen)."""
    current, found = "", {}
    for q in root.findall("question"):
        if q.get("type") == "category":
            current = text_of(q.find("category"))
        else:
            found[q.findtext("idnumber") or ""] = current
    return found


def visible(html: str) -> str:
    if not html.strip():
        return ""
    return " ".join(lxml_html.fragment_fromstring(html, create_parent="div").text_content().split())


def rendered(markdown: str | None, media: dict[str, MediaFile], *, inline: bool = False) -> str:
    """The sanitised HTML the item's Markdown should arrive as, with its images in Moodle's file area."""
    if not markdown:
        return ""

    def rewrite(src: str) -> str:
        return "@@PLUGINFILE@@/" + quote(media[src].name) if src in media else src

    return (inline_html if inline else markdown_to_html)(markdown, rewrite).strip()


def compare(question: etree._Element, bank_item: BankItem) -> None:
    """The exported question says what the item says."""
    item, media = bank_item.item, dict(bank_item.media)
    qtype = {"multiple_choice": "multichoice", "multiple_response": "multichoice", "true_false": "truefalse",
             "short_answer": "shortanswer", "numerical": "numerical", "matching": "matching", "essay": "essay"}[item.type]
    assert question.get("type") == qtype
    assert text_of(question.find("name")) == (item.title or item.id).strip()
    assert question.findtext("idnumber") == item.id
    assert text_of(question.find("questiontext")) == rendered(item.stem, media)
    assert text_of(question.find("generalfeedback")) == rendered(item.explanation, media)
    assert float(question.findtext("defaultgrade") or "nan") == pytest.approx(item.points)
    assert [text_of(t) for t in question.findall("tags/tag")] == item.tags
    answers = question.findall("answer")
    weights = fractions(question)
    if item.type in ("multiple_choice", "multiple_response"):
        assert question.findtext("single") == ("true" if item.type == "multiple_choice" else "false")
        assert question.findtext("shuffleanswers") == ("true" if item.shuffle else "false")
        assert question.findtext("answernumbering") == "abc"
        assert [text_of(a) for a in answers] == [rendered(o.text, media, inline=True) for o in item.options]
        assert [text_of(a.find("feedback")) for a in answers] == [rendered(o.rationale, media, inline=True) for o in item.options]
        n_right = sum(o.correct for o in item.options)
        if item.type == "multiple_choice":
            expected = [100.0 if o.correct else 0.0 for o in item.options]
        else:
            right = float(share(n_right)[0])
            n_wrong = len(item.options) - n_right
            wrong = float(negative(share(n_wrong)[0])) if n_wrong else 0.0
            expected = [right if o.correct else wrong for o in item.options]
        assert weights == expected
    elif item.type == "true_false":
        by_text = {text_of(a): a for a in answers}
        assert float(by_text["true"].get("fraction", "")) == (100 if item.answer else 0)
        assert float(by_text["false"].get("fraction", "")) == (0 if item.answer else 100)
        assert text_of(by_text["true"].find("feedback")) == rendered(item.true_rationale, media, inline=True)
        assert text_of(by_text["false"].find("feedback")) == rendered(item.false_rationale, media, inline=True)
    elif item.type == "short_answer":
        assert question.findtext("usecase") == ("1" if item.case_sensitive else "0")
        assert weights == [100.0] * len(item.answers)
        for accepted, answer in zip(item.answers, answers, strict=True):
            pattern = text_of(answer)
            # Each accepted answer matches itself literally, with no wildcard left in it.
            assert len(re.split(r"(?<!\\)\*", pattern)) == 1
            assert shortanswer_matches(accepted, pattern, not item.case_sensitive)
            assert shortanswer_matches(accepted + "x", pattern, True) is False
    elif item.type == "numerical":
        [answer] = answers
        assert weights == [100.0]
        assert float(text_of(answer)) == item.answer
        assert float(answer.findtext("tolerance") or "nan") == item.tolerance
    elif item.type == "matching":
        assert question.findtext("shuffleanswers") == ("true" if item.shuffle else "false")
        subs = question.findall("subquestion")
        stems = [s for s in subs if text_of(s)]
        extras = [s for s in subs if not text_of(s)]
        assert [text_of(s) for s in stems] == [rendered(p.prompt, media, inline=True) for p in item.pairs]
        # Matching answers go in as HTML entities: Moodle shows them through format_string.
        assert [htmllib.unescape(text_of(s.find("answer"))) for s in stems] == [p.match.strip() for p in item.pairs]
        assert [htmllib.unescape(text_of(s.find("answer"))) for s in extras] == [d.strip() for d in item.distractors]
        assert all("<" not in text_of(s.find("answer")) for s in subs)
    elif item.type == "essay":
        assert text_of(question.find("graderinfo")) == rendered(item.guidance, media)
        assert not answers


def compare_all(root: etree._Element, items: list[BankItem], result: ExportResult) -> None:
    found = questions(root)
    skipped = {w.item_id for w in result.omitted}
    assert result.written == len(items) - len(skipped)
    for bank_item in items:
        if bank_item.item.id in skipped:
            assert bank_item.item.id not in found
            continue
        compare(found[bank_item.item.id], bank_item)
    assert len(found) == len(items) - len(skipped)


def make(**fields: Any) -> BankItem:
    base: dict[str, Any] = {"id": "q1", "stem": "Stem?", "status": "approved"}
    base.update(fields)
    return BankItem(ITEM_ADAPTER.validate_python(base), {}, ())


def messages(result: ExportResult, item_id: str) -> str:
    return "\n".join(w.message for w in result.warnings if w.item_id == item_id)


# --- fixtures: every type, hostile text, images -------------------------------------------------------------


def test_all_types_structure_and_content(all_types: list[BankItem]) -> None:
    root, result = export(all_types)
    assert_moodle_valid(root)
    compare_all(root, all_types, result)
    assert result.warnings == []
    assert {q.get("type") for q in root} == {"category", "multichoice", "truefalse", "shortanswer", "numerical", "matching", "essay"}


def test_every_fraction_is_on_the_menu_and_sums_hold(all_types: list[BankItem]) -> None:
    root, _ = export(all_types)
    for q in questions(root).values():
        for answer in q.findall("answer"):
            assert is_on_menu(answer.get("fraction", "")), answer.get("fraction")
    by_id = questions(root)
    assert fractions(by_id["mc-basic"]).count(100) == 1
    mr = fractions(by_id["mr-basic"])
    assert sum(w for w in mr if w > 0) == pytest.approx(100, abs=0.001)
    assert sum(w for w in mr if w < 0) == pytest.approx(-100, abs=0.001)
    assert fractions(by_id["tf-false"]) == [0, 100]  # the 'true' answer first, then 'false'


def test_penalty_defaultgrade_and_details(all_types: list[BankItem]) -> None:
    root, _ = export(all_types)
    by_id = questions(root)
    assert by_id["mc-basic"].findtext("defaultgrade") == "2"
    assert {by_id[i].findtext("penalty") for i in ("mc-basic", "mr-basic", "sa-basic", "num-basic", "match-basic")} == {"0.3333333"}
    assert by_id["tf-basic"].findtext("penalty") == "1"
    assert by_id["essay-basic"].findtext("penalty") == "0"
    assert by_id["sa-case"].findtext("usecase") == "1"
    assert by_id["num-tolerance"].find("answer").findtext("tolerance") == "0.5"
    assert text_of(by_id["num-tolerance"].find("answer")) == "-3.25"
    assert by_id["mc-hostile"].findtext("shuffleanswers") == "false"
    assert by_id["essay-basic"].findtext("responseformat") == "editor"
    # The distractor is Moodle's unpaired answer: a subquestion with empty text.
    extra = [s for s in by_id["match-basic"].findall("subquestion") if not text_of(s)]
    assert [text_of(s.find("answer")) for s in extra] == ["Relapse prevention only"]


def test_hostile_text_survives(all_types: list[BankItem]) -> None:
    root, _ = export(all_types)
    q = questions(root)["mc-hostile"]
    stem = visible(text_of(q.find("questiontext")))
    # "<tag>" is raw HTML in Markdown and the shared sanitiser removes it; everything else arrives.
    for fragment in ("~tilde", "=equals", "#hash", "{braces}", "colon:", "back\\slash", '& "quotes" ]]> done', "café ≥ 5 ✓",
                     "A second paragraph after a blank line.", "a list item another"):
        assert fragment in stem
    assert "<p>A second paragraph after a blank line.</p>" in text_of(q.find("questiontext"))
    assert "<li>a list item</li>" in text_of(q.find("questiontext"))
    feedback = [visible(text_of(a.find("feedback"))) for a in q.findall("answer")]
    assert '& "quotes" ]]> done; café ≥ 5 ✓' in feedback[0]
    assert visible(text_of(q.findall("answer")[2])) == "code <b> and 5 < 6 & 7 > 3"
    assert "Second paragraph of the explanation." in visible(text_of(q.find("generalfeedback")))


def test_hostile_text_in_plain_fields() -> None:
    hostile = 'a <b> & "c" ]]> * d'
    items = [
        make(id="sa", type="short_answer", answers=[hostile, "x*y"], title=hostile, tags=["t&t"]),
        make(id="ma", type="matching", pairs=[{"prompt": "P1", "match": hostile}, {"prompt": "P2", "match": "&copy; <i>"}],
             distractors=["5 < 6"]),
    ]
    root, result = export(items)
    assert_moodle_valid(root)
    compare_all(root, items, result)
    sa = questions(root)["sa"]
    assert text_of(sa.find("name")) == hostile
    assert [text_of(a) for a in sa.findall("answer")] == ['a <b> & "c" ]]> \\* d', "x\\*y"]
    assert "Moodle strips such tag-like text from question names" in messages(result, "sa")
    ma = questions(root)["ma"]
    assert [text_of(s.find("answer")) for s in ma.findall("subquestion")] == [
        "a &lt;b&gt; &amp; \"c\" ]]&gt; * d", "&amp;copy; &lt;i&gt;", "5 &lt; 6",
    ]


def test_image_is_embedded_in_the_field_that_uses_it(image_item: BankItem) -> None:
    root, result = export([image_item])
    assert_moodle_valid(root)
    compare_all(root, [image_item], result)
    [media] = image_item.media.values()
    q = questions(root)["mc-image"]
    questiontext = q.find("questiontext")
    [file] = questiontext.findall("file")
    assert file.get("name") == media.name and file.get("path") == "/" and file.get("encoding") == "base64"
    assert base64.b64decode(file.text or "") == PNG
    assert f'src="@@PLUGINFILE@@/{quote(media.name)}"' in text_of(questiontext)
    assert 'alt="A readiness ruler at 3"' in text_of(questiontext)
    assert q.find("generalfeedback").findall("file") == []
    assert result.warnings == []


def test_images_in_options_feedback_and_explanation_get_their_own_files() -> None:
    media = MediaFile("media/ruler 1.png", "ruler 1.png", PNG, "image/png")
    item = ITEM_ADAPTER.validate_python({
        "id": "img-everywhere", "type": "multiple_choice", "stem": "Pick ![stem](media/ruler%201.png)",
        "options": [
            {"text": "![option](<media/ruler 1.png>)", "correct": True, "rationale": "See ![why](media/ruler%201.png)"},
            {"text": "No image", "rationale": "None."},
        ],
        "explanation": "Also ![expl](media/ruler%201.png) and [the file](media/ruler%201.png).",
    })
    bank_item = BankItem(item, {"media/ruler 1.png": media}, ())
    root, result = export([bank_item])
    assert_moodle_valid(root)
    compare_all(root, [bank_item], result)
    q = questions(root)["img-everywhere"]
    first = q.find("answer")
    for field in (q.find("questiontext"), q.find("generalfeedback"), first, first.find("feedback")):
        [file] = field.findall("file")
        assert file.get("name") == "ruler 1.png"
        assert base64.b64decode(file.text or "") == PNG
        assert "@@PLUGINFILE@@/ruler%201.png" in text_of(field)
    assert 'href="@@PLUGINFILE@@/ruler%201.png"' in text_of(q.find("generalfeedback"))
    assert q.findall("answer")[1].findall("file") == []


def test_missing_media_is_warned() -> None:
    root, result = export([make(type="essay", stem="Look: ![x](media/gone.png)")])
    assert_moodle_valid(root)
    assert "media/gone.png: the file was not provided" in messages(result, "q1")
    assert 'src="media/gone.png"' in text_of(questions(root)["q1"].find("questiontext"))


# --- categories ------------------------------------------------------------------------------------


def test_folder_categories(all_types: list[BankItem]) -> None:
    root, _ = export(all_types)
    cats = categories(root)
    for bank_item in all_types:
        path = cats[bank_item.item.id]
        assert split_category_path(path) == ["top", "qbank test export", "fixtures", bank_item.item.type]
    # One category switch per run of items in the same folder, not one per question.
    assert len(root.findall("question[@type='category']")) == len({b.category for b in all_types})


def test_tag_categories_and_root_items(all_types: list[BankItem]) -> None:
    items = [*all_types, make(id="slashy", type="essay", tags=["a/b", "second"])]
    root, result = export(items, category="tag")
    assert_moodle_valid(root)
    cats = categories(root)
    assert cats["mc-basic"] == "top/qbank test export/core-skills"
    assert cats["mr-basic"] == "top/qbank test export"  # no tag: the export's own category
    assert split_category_path(cats["slashy"]) == ["top", "qbank test export", "a/b"]
    assert result.warnings == []


def test_no_categories(all_types: list[BankItem]) -> None:
    root, _ = export(all_types, category="none")
    assert root.findall("question[@type='category']") == []
    assert len(questions(root)) == len(all_types)


def test_category_names_moodle_would_change_are_warned() -> None:
    item = BankItem(make(type="essay").item, {}, ("top", "<b>bold</b>"))
    _, result = export([item])
    text = messages(result, "q1")
    assert "named 'top'" in text and "Moodle strips tag-like text" in text


def test_unknown_category_option_is_refused() -> None:
    with pytest.raises(ValueError):
        EXPORTER.export([make()], ExportOptions(category="course"))


# --- warnings for what Moodle cannot carry ---------------------------------------------------------------------


def test_inexact_shares_are_warned_and_stay_on_the_menu() -> None:
    options = [{"text": f"Right {i}", "correct": True} for i in range(11)] + [{"text": f"Wrong {i}"} for i in range(11)]
    items = [make(id="mr-11", type="multiple_response", options=options)]
    root, result = export(items)
    # Moodle imports it (the sum check only raises a yes/no notice in the editing form), but full
    # marks are out of reach: the only structural complaint is the sum, and the author is told.
    assert moodle_problems(root) == ["question 1 (multichoice mr-11): multiple response: positive fractions add up to 55.0, not 100"]
    weights = fractions(questions(root)["mr-11"])
    assert set(weights) == {5.0, -5.0}
    text = messages(result, "mr-11")
    assert "no exact 1/11 share" in text and "selecting all 11 correct options gives 55% instead of 100%" in text
    assert "each wrong option deducts 5%, so selecting all 11 wrong options deducts 55%" in text


def test_long_ids_titles_and_bad_tags_are_warned() -> None:
    long_id = "a" * 101
    root, result = export([make(id=long_id, type="essay", title="T" * 256, tags=["x" * 51, "<odd>"])])
    q = next(iter(root.findall("question[@type='essay']")))
    assert q.find("idnumber") is None
    text = messages(result, long_id)
    assert "ID number" in text and "Moodle shortens it" in text
    assert "cuts tags to 50" in text and "removes '<', '>'" in text


def test_characters_xml_cannot_carry_are_removed_and_warned() -> None:
    item = make(type="multiple_choice", stem="Bell\x07 and \x0bvertical tab\ufffe",
                options=[{"text": "a\x01", "correct": True}, {"text": "b"}])
    root, result = export([item])
    assert_moodle_valid(root)
    assert text_of(questions(root)["q1"].find("questiontext")) == "<p>Bell and vertical tab</p>"
    assert text_of(questions(root)["q1"].find("answer")) == "a"
    assert messages(result, "q1").count("XML 1.0") == 1


def test_numeric_twins_in_matching_are_warned() -> None:
    _, result = export([make(type="matching", pairs=[{"prompt": "A", "match": "1"}, {"prompt": "B", "match": "1.0"}])])
    assert "as one choice" in messages(result, "q1")


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"type": "multiple_choice", "options": [{"text": "only", "correct": True}]}, "at least two options"),
        ({"type": "multiple_choice", "options": [{"text": "a", "correct": True}, {"text": "b", "correct": True}]}, "exactly one correct"),
        ({"type": "multiple_response", "options": [{"text": "a"}, {"text": "b"}]}, "at least one correct"),
        ({"type": "multiple_choice", "options": [{"text": "a", "correct": True}, {"text": "<!-- -->"}]}, "no visible HTML"),
        ({"type": "short_answer", "answers": []}, "at least one accepted answer"),
        ({"type": "numerical", "answer": float("inf")}, "finite"),
        ({"type": "matching", "pairs": []}, "at least one pair"),
        ({"type": "matching", "pairs": [{"prompt": "A", "match": " "}]}, "blank match"),
    ],
)
def test_items_moodle_would_reject_are_skipped_with_a_warning(fields: dict[str, Any], reason: str) -> None:
    good = make(id="good", type="essay")
    root, result = export([make(id="bad", **fields), good])
    assert_moodle_valid(root)
    assert list(questions(root)) == ["good"]
    [omitted] = result.omitted
    assert omitted.item_id == "bad" and reason in omitted.message
    assert result.written == 1 and messages(result, "bad") == ""


# --- the sample bank, determinism, the CLI, generated banks ------------------------------------------------------


def test_sample_bank(sample_bank: list[BankItem]) -> None:
    root, result = export(sample_bank)
    assert_moodle_valid(root)
    compare_all(root, sample_bank, result)
    assert result.warnings == []
    assert len(questions(root)) == len(sample_bank)


def test_deterministic(all_types: list[BankItem], image_item: BankItem) -> None:
    items = [*all_types, image_item]
    first = EXPORTER.export(items, OPTIONS).data
    assert EXPORTER.export(items, OPTIONS).data == first
    assert EXPORTER.export(list(reversed(items)), OPTIONS).data != first  # item order is kept


def test_cli_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    bank = tmp_path / "bank"
    (bank / "ethics" / "media").mkdir(parents=True)
    (bank / "ethics" / "media" / "ruler.png").write_bytes(PNG)
    (bank / "tf.yaml").write_text(
        "id: tf-cli\ntype: true_false\nstem: Recovery is non-linear.\nanswer: true\nexplanation: Setbacks happen.\n"
        "status: approved\n", encoding="utf-8")
    (bank / "ethics" / "mc.yaml").write_text(
        "id: mc-cli\ntype: multiple_choice\ntitle: Ruler\nstem: \"Which stage? ![A ruler](media/ruler.png)\"\n"
        "options:\n  - {text: Contemplation, correct: true, rationale: Ambivalence.}\n"
        "  - {text: Action, rationale: Later.}\n  - {text: Maintenance, rationale: Later still.}\n"
        "explanation: Ambivalence.\nstatus: approved\ntags: [ethics]\n", encoding="utf-8")
    out = tmp_path / "out.xml"
    result = CliRunner().invoke(main, ["export", "bank", "--format", "moodle-xml", "-o", str(out), "--title", "Peer support"])
    assert result.exit_code == 0, result.output
    root = parse(out.read_bytes())
    assert_moodle_valid(root)
    assert categories(root) == {"mc-cli": "top/Peer support/ethics", "tf-cli": "top/Peer support"}
    [file] = questions(root)["mc-cli"].find("questiontext").findall("file")
    assert base64.b64decode(file.text or "") == PNG


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.banks())
def test_generated_banks_round_trip(items: list[Any]) -> None:
    bank = bank_items(items)
    root, result = export(bank)
    assert_moodle_valid(root)
    compare_all(root, bank, result)
    assert EXPORTER.export(bank, OPTIONS).data == result.data


def test_an_authors_literal_pluginfile_text_is_shown_not_rewritten() -> None:
    """Moodle rewrites every @@PLUGINFILE@@ in stored text; one the author typed must stay text."""
    root, result = export([make(id="lit", type="true_false", answer=True, stem="@@PLUGINFILE@@/ is Moodle's file marker.")])
    assert_moodle_valid(root)
    text = text_of(questions(root)["lit"].find("questiontext"))
    assert "@@PLUGINFILE@@" not in text and "&#64;&#64;PLUGINFILE&#64;&#64;/ is Moodle" in text
    assert result.warnings == [] and result.written == 1
