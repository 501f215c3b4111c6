"""Canvas export (QTI 1.2 zip), checked with the official XSD and read back the way Canvas reads it.

Every zip goes through ``qti-validate`` (the QTI 1.2.1 XSD for the assessment, Canvas's cccv1p0
XSD for assessment_meta.xml, the Common Cartridge 1.1 profile for the manifest). Then the
assessment is parsed with lxml and every item is compared with the item it came from, through
the same fields Canvas's importer reads: the ``question_type`` / ``points_possible`` /
``original_answer_ids`` metadata, the labels, which ``varequal`` sets SCORE, the ``<ident>_fb``
feedback each answer shows, ``general_fb``, numeric bounds and matching keys.
"""

from __future__ import annotations

import io
import math
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from lxml import etree

from qbank.cli import main
from qbank.exporters import BankItem, ExportOptions, ExportResult, MediaFile
from qbank.exporters.canvas import QUESTION_TYPES, CanvasExporter
from qbank.markup import inline_html, markdown_to_html
from qbank.model import ITEM_ADAPTER, Item, single_key
from tests.conftest import SHARED
from tests.exporters import strategies
from tests.exporters.conftest import HOSTILE, OPTIONS, PNG, qti_validate

EXPORTER = CanvasExporter()
QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CANVAS = "http://canvas.instructure.com/xsd/cccv1p0"
CC = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
NS = {"q": QTI, "c": CANVAS, "m": CC}
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
KEY = re.compile(r"^g[0-9a-f]{32}$")
FILEBASE = "$IMS-CC-FILEBASE$/media/"

# `qti-validate --strict` on our zips reports only these four findings, all in imsmanifest.xml and
# all advisory: the manifest follows Canvas's own QTI export (and text2qti), not the strict Common
# Cartridge 1.1 profile. The assessment XML and assessment_meta.xml are valid even with --strict.
#   Element 'schema': The value 'IMS Content' is not an element of the set {'IMS Common Cartridge'}.
#   Element 'schemaversion': The value '1.1.3' is not an element of the set {'1.1.0'}.
#   Element 'metadata': Missing child element(s). Expected is ( {...imsccv1p1/LOM/manifest}lom ).
#   Element 'resource', attribute 'type': The value 'imsqti_xmlv1p2' is not an element of the set {...}.
KNOWN_ADVISORIES = ("Element 'schema'", "Element 'schemaversion'", "Element 'metadata'", "Element 'resource', attribute 'type'")


# --- reading the package back -------------------------------------------------------------------------


@dataclass
class Package:
    names: list[str]
    files: dict[str, bytes]
    manifest: etree._Element
    meta: etree._Element
    assessment: etree._Element
    folder: str

    @property
    def items(self) -> list[etree._Element]:
        return self.assessment.findall(".//q:section/q:item", NS)


def read(data: bytes) -> Package:
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert names[0] == "imsmanifest.xml"
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
    files = {n: archive.read(n) for n in names}
    [meta_name] = [n for n in names if n.endswith("/assessment_meta.xml")]
    folder = meta_name.split("/")[0]
    assert f"{folder}/{folder}.xml" in names

    def parse(name: str) -> etree._Element:
        return etree.fromstring(files[name], PARSER)

    return Package(names, files, parse("imsmanifest.xml"), parse(meta_name), parse(f"{folder}/{folder}.xml"), folder)


def export(items: Iterable[Item | BankItem], **options: Any) -> tuple[Package, ExportResult]:
    bank = [i if isinstance(i, BankItem) else BankItem(i, {}, ()) for i in items]
    opts = ExportOptions(**{"title": OPTIONS.title, "identifier": OPTIONS.identifier, **options})
    result = EXPORTER.export(bank, opts)
    return read(result.data), result


def check_package(pkg: Package) -> None:
    """The manifest lists every file, the ids resolve, and Canvas finds assessment_meta.xml."""
    resources = pkg.manifest.findall("m:resources/m:resource", NS)
    ids = [r.get("identifier") for r in resources]
    assert len(ids) == len(set(ids))
    hrefs = {f.get("href") for f in pkg.manifest.iterfind(".//m:file", NS)}
    assert hrefs == set(pkg.names) - {"imsmanifest.xml"}
    for dep in pkg.manifest.iterfind(".//m:dependency", NS):
        assert dep.get("identifierref") in ids
    by_type = {r.get("type"): r for r in resources}
    qti = by_type["imsqti_xmlv1p2"]
    assert qti.get("identifier") == pkg.folder and qti.find("m:file", NS).get("href") == f"{pkg.folder}/{pkg.folder}.xml"
    lar = by_type["associatedcontent/imscc_xmlv1p1/learning-application-resource"]
    # Canvas looks for <assessment ident>/assessment_meta.xml in a learning-application-resource.
    assert lar.get("href") == f"{pkg.folder}/assessment_meta.xml"
    for r in resources:
        if r.get("type") == "webcontent":
            assert r.get("href").startswith("media/") and r.find("m:file", NS).get("href") == r.get("href")
    assessment = pkg.assessment.find("q:assessment", NS)
    assert KEY.match(pkg.folder) and assessment.get("ident") == pkg.folder
    assert pkg.meta.get("identifier") == pkg.folder and pkg.meta.tag == f"{{{CANVAS}}}quiz"
    assert pkg.meta.findtext("c:title", namespaces=NS) == assessment.get("title")
    assert pkg.meta.findtext("c:quiz_type", namespaces=NS) == "assignment"
    assert pkg.meta.findtext("c:available", namespaces=NS) == "false"
    item_idents = [i.get("ident") for i in pkg.items]
    assert len(item_idents) == len(set(item_idents)) and all(KEY.match(i) for i in item_idents)


def meta_value(pkg: Package, name: str) -> str | None:
    return pkg.meta.findtext(f"c:{name}", namespaces=NS)


# --- reading one item ---------------------------------------------------------------------------------


def fields(node: etree._Element) -> dict[str, str]:
    return {
        f.findtext("q:fieldlabel", namespaces=NS): f.findtext("q:fieldentry", default="", namespaces=NS)
        for f in node.iterfind("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", NS)
    }


def mattext(node: etree._Element) -> tuple[str, str]:
    """(text, texttype) of the one mattext in a material."""
    [text] = node.findall("q:material/q:mattext", NS)
    return text.text or "", text.get("texttype")


def conditions(node: etree._Element) -> list[etree._Element]:
    return node.findall("q:resprocessing/q:respcondition", NS)


def feedback(node: etree._Element) -> dict[str, str]:
    return {
        f.get("ident"): f.findtext("q:flow_mat/q:material/q:mattext", namespaces=NS)
        for f in node.iterfind("q:itemfeedback", NS)
    }


def shown_feedback(node: etree._Element) -> dict[str, str]:
    """Which feedback each answer shows: ``continue="Yes"`` conditions on one varequal."""
    shown = {}
    for cond in conditions(node):
        tests = list(cond.find("q:conditionvar", NS))
        link = cond.find("q:displayfeedback", NS)
        if link is not None and cond.get("continue") == "Yes" and len(tests) == 1 and tests[0].tag == f"{{{QTI}}}varequal":
            shown[tests[0].text] = link.get("linkrefid")
    return shown


def scoring(node: etree._Element) -> list[etree._Element]:
    return [c for c in conditions(node) if c.find("q:setvar", NS) is not None]


def general_feedback(node: etree._Element) -> str | None:
    """The general_fb text, checked to be shown unconditionally (an ``other`` condition that continues)."""
    texts = feedback(node)
    linked = [
        c for c in conditions(node)
        if c.find("q:conditionvar/q:other", NS) is not None and c.get("continue") == "Yes"
        and (c.find("q:displayfeedback", NS) is not None and c.find("q:displayfeedback", NS).get("linkrefid") == "general_fb")
    ]
    assert bool(linked) == ("general_fb" in texts)
    return texts.get("general_fb")


Rewrite = Callable[[str], str]


def no_media(src: str) -> str:
    return src


def media_rewrite(media: dict[str, MediaFile]) -> Rewrite:
    return lambda src: FILEBASE + media[src].name if src in media else src


def check_item(node: etree._Element, item: Item, rewrite: Rewrite = no_media) -> None:
    meta = fields(node)
    assert node.get("title") == (item.title or item.id)
    assert meta["question_type"] == QUESTION_TYPES[item.type]
    assert float(meta["points_possible"]) == item.points
    assert KEY.match(meta["assessment_question_identifierref"])
    assert mattext(node.find("q:presentation", NS)) == (markdown_to_html(item.stem, rewrite), "text/html")
    expected_general = markdown_to_html(item.explanation, rewrite) if item.explanation else None
    assert general_feedback(node) == expected_general
    decvar = node.find("q:resprocessing/q:outcomes/q:decvar", NS)
    assert (decvar.get("varname"), decvar.get("maxvalue")) == ("SCORE", "100")
    CHECKS[item.type](node, item, meta, rewrite)


def labels(lid: etree._Element) -> list[tuple[str, str, str]]:
    return [(label.get("ident"), *mattext(label)) for label in lid.iterfind("q:render_choice/q:response_label", NS)]


def check_answer_ids(ids: list[str], meta: dict[str, str]) -> None:
    assert all(i.isdigit() and 1000 <= int(i) <= 9999 for i in ids)
    assert len(ids) == len(set(ids))
    assert meta["original_answer_ids"] == ",".join(ids)


def check_choice_feedback(node: etree._Element, idents: list[str], rationales: list[str | None], rewrite: Rewrite) -> None:
    texts, shown = feedback(node), shown_feedback(node)
    for ident, rationale in zip(idents, rationales, strict=True):
        if rationale:
            assert shown[ident] == f"{ident}_fb" and texts[f"{ident}_fb"] == markdown_to_html(rationale, rewrite)
        else:
            assert ident not in shown and f"{ident}_fb" not in texts


def check_options(node: etree._Element, item: Any, meta: dict[str, str], rewrite: Rewrite) -> None:
    [lid] = node.findall("q:presentation/q:response_lid", NS)
    multiple = item.type == "multiple_response"
    assert lid.get("ident") == "response1" and lid.get("rcardinality") == ("Multiple" if multiple else "Single")
    assert lid.find("q:render_choice", NS).get("shuffle") == ("Yes" if item.shuffle else "No")
    found = labels(lid)
    idents = [i for i, _, _ in found]
    assert [(t, tt) for _, t, tt in found] == [(inline_html(o.text, rewrite), "text/html") for o in item.options]
    check_answer_ids(idents, meta)
    [score] = scoring(node)
    assert score.get("continue") == "No" and score.findtext("q:setvar", namespaces=NS) == "100"
    tests = list(score.find("q:conditionvar", NS))
    if multiple:
        [both] = tests
        assert both.tag == f"{{{QTI}}}and"
        selected = [t.text for t in both.findall("q:varequal", NS)]
        unselected = [t.text for t in both.findall("q:not/q:varequal", NS)]
        assert sorted(selected + unselected) == sorted(idents)
        assert set(selected) == {i for i, o in zip(idents, item.options, strict=True) if o.correct}
    else:
        assert [t.text for t in tests] == [idents[single_key(item)]]
    check_choice_feedback(node, idents, [o.rationale for o in item.options], rewrite)


def check_true_false(node: etree._Element, item: Any, meta: dict[str, str], rewrite: Rewrite) -> None:
    [lid] = node.findall("q:presentation/q:response_lid", NS)
    found = labels(lid)
    assert [(t, tt) for _, t, tt in found] == [("True", "text/plain"), ("False", "text/plain")]
    idents = [i for i, _, _ in found]
    check_answer_ids(idents, meta)
    [score] = scoring(node)
    assert [t.text for t in score.find("q:conditionvar", NS)] == [idents[0 if item.answer else 1]]
    check_choice_feedback(node, idents, [item.true_rationale, item.false_rationale], rewrite)


def check_text_entry(node: etree._Element, fibtype: str | None) -> None:
    [entry] = node.findall("q:presentation/q:response_str", NS)
    assert entry.get("ident") == "response1"
    assert entry.find("q:render_fib", NS).get("fibtype") == fibtype
    assert node.find("q:presentation/q:response_lid", NS) is None


def check_short_answer(node: etree._Element, item: Any, meta: dict[str, str], rewrite: Rewrite) -> None:
    check_text_entry(node, None)
    [score] = scoring(node)
    tests = score.findall(".//q:varequal", NS)
    assert [t.text for t in tests] == item.answers
    assert {t.get("case", "No") for t in tests} == {"Yes" if item.case_sensitive else "No"}
    assert len(meta["original_answer_ids"].split(",")) == len(item.answers)
    check_answer_ids(meta["original_answer_ids"].split(","), meta)


def check_numerical(node: etree._Element, item: Any, meta: dict[str, str], rewrite: Rewrite) -> None:
    check_text_entry(node, "Decimal")
    [score] = scoring(node)
    [either] = score.find("q:conditionvar", NS)
    assert either.tag == f"{{{QTI}}}or"
    exact = either.find("q:varequal", NS).text
    low, high = either.find("q:and/q:vargte", NS).text, either.find("q:and/q:varlte", NS).text
    assert either.find(".//q:vargt", NS) is None  # Canvas would read a vargt bound as a "precision" answer
    for text in (exact, low, high):
        assert re.fullmatch(r"-?\d+(\.\d+)?", text), text
    assert math.isclose(float(exact), item.answer, abs_tol=1e-9)
    assert math.isclose(float(low), item.answer - item.tolerance, abs_tol=1e-9)
    assert math.isclose(float(high), item.answer + item.tolerance, abs_tol=1e-9)
    check_answer_ids(meta["original_answer_ids"].split(","), meta)


def check_essay(node: etree._Element, item: Any, meta: dict[str, str], rewrite: Rewrite) -> None:
    check_text_entry(node, None)
    assert scoring(node) == [] and node.find(".//q:varequal", NS) is None
    assert meta["original_answer_ids"] == ""
    assert any(c.get("continue") == "No" and c.find("q:conditionvar/q:other", NS) is not None for c in conditions(node))


def check_matching(node: etree._Element, item: Any, meta: dict[str, str], rewrite: Rewrite) -> None:
    lids = node.findall("q:presentation/q:response_lid", NS)
    assert len(lids) == len(item.pairs)
    prompts = [mattext(lid) for lid in lids]
    assert prompts == [(inline_html(p.prompt, rewrite), "text/html") for p in item.pairs]
    choice_lists = [labels(lid) for lid in lids]
    assert all(c == choice_lists[0] for c in choice_lists)
    choices = {ident: text for ident, text, texttype in choice_lists[0]}
    assert all(texttype == "text/plain" for _, _, texttype in choice_lists[0])
    assert sorted(choices.values()) == sorted({p.match for p in item.pairs} | set(item.distractors))
    texts = [t for _, t, _ in choice_lists[0]]
    assert texts == sorted(texts, key=lambda t: (t.casefold(), t))
    answer_ids = []
    keyed = {}
    for lid in lids:
        assert re.fullmatch(r"response_\d{4}", lid.get("ident"))
        answer_ids.append(lid.get("ident").removeprefix("response_"))
        [cond] = [c for c in scoring(node) if c.find("q:conditionvar/q:varequal", NS).get("respident") == lid.get("ident")]
        assert cond.find("q:setvar", NS).get("action") == "Add"
        keyed[lid.get("ident")] = choices[cond.findtext("q:conditionvar/q:varequal", namespaces=NS)]
    assert [keyed[lid.get("ident")] for lid in lids] == [p.match for p in item.pairs]
    assert math.isclose(sum(float(c.findtext("q:setvar", namespaces=NS)) for c in scoring(node)), 100)
    # Distractors are the choices no prompt is keyed to: what Canvas keeps as "incorrect matches".
    assert set(choices.values()) - set(keyed.values()) == set(item.distractors) - {p.match for p in item.pairs}
    check_answer_ids(answer_ids, meta)


CHECKS: dict[str, Callable[[etree._Element, Any, dict[str, str], Rewrite], None]] = {
    "multiple_choice": check_options,
    "multiple_response": check_options,
    "true_false": check_true_false,
    "short_answer": check_short_answer,
    "numerical": check_numerical,
    "essay": check_essay,
    "matching": check_matching,
}


def check_all(pkg: Package, bank: list[BankItem]) -> None:
    check_package(pkg)
    assert len(pkg.items) == len(bank)
    for node, bank_item in zip(pkg.items, bank, strict=True):
        check_item(node, bank_item.item, media_rewrite(dict(bank_item.media)))
    points = sum(b.item.points for b in bank)
    assert math.isclose(float(meta_value(pkg, "points_possible") or "nan"), points)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def strict_findings(path: Path) -> list[str]:
    """The problem lines of ``qti-validate --strict`` (which fails on advisories too)."""
    tool = SHARED / "tools" / "qti-validate"
    if not tool.exists():
        pytest.skip("../shared/tools/qti-validate is not present next to the checkout")
    proc = subprocess.run([sys.executable, str(tool), "--strict", str(path)], capture_output=True, text=True, check=False)
    return [line for line in proc.stdout.splitlines() if not line.startswith("qti-validate:")]


def item(**fields: Any) -> Item:
    base: dict[str, Any] = {"status": "approved"}
    base.update(fields)
    return ITEM_ADAPTER.validate_python(base)


# --- fixtures: every type, hostile text, images, the sample bank ----------------------------------------


def test_every_type_validates_and_reads_back(all_types: list[BankItem], tmp_path: Path) -> None:
    pkg, result = export(all_types)
    qti_validate(write(tmp_path, "all.zip", result.data))
    check_all(pkg, all_types)
    assert [fields(n)["question_type"] for n in pkg.items] == [QUESTION_TYPES[b.item.type] for b in all_types]


def test_only_the_known_manifest_advisories_remain_under_strict(
    all_types: list[BankItem], image_item: BankItem, tmp_path: Path
) -> None:
    _, result = export([*all_types, image_item])
    findings = strict_findings(write(tmp_path, "strict.zip", result.data))
    assert findings, "expected the manifest advisories"
    for line in findings:
        assert ":imsmanifest.xml:" in line and any(k in line for k in KNOWN_ADVISORIES), line
    assert len(findings) == len(KNOWN_ADVISORIES)


def test_hostile_text_round_trips(tmp_path: Path) -> None:
    hostile = [
        item(id="h-mc", type="multiple_choice", title=HOSTILE, stem=HOSTILE, explanation=HOSTILE,
             options=[
                 {"text": HOSTILE, "correct": True, "rationale": HOSTILE},
                 {"text": "B ]]> <![CDATA[", "rationale": "&amp; &#x41;"},
             ]),
        item(id="h-sa", type="short_answer", stem="Type it.", answers=[HOSTILE, "a & b < c", "]]>"]),
        item(id="h-match", type="matching", stem="Match.", pairs=[
            {"prompt": HOSTILE, "match": "<b>not bold</b>"},
            {"prompt": "two", "match": HOSTILE},
            {"prompt": "3", "match": "&amp;"},
        ], distractors=["]]>", "\"quoted\" 'single'"]),
        item(id="h-tf", type="true_false", stem=HOSTILE, answer=False,
             true_rationale="<script>alert(1)</script>", false_rationale=HOSTILE),
    ]
    pkg, result = export(hostile)
    qti_validate(write(tmp_path, "hostile.zip", result.data))
    check_all(pkg, [BankItem(i, {}, ()) for i in hostile])
    xml = pkg.files[f"{pkg.folder}/{pkg.folder}.xml"].decode("utf-8")
    assert all("<script" not in text for node in pkg.items for text in feedback(node).values())  # sanitised away
    assert "café ≥ 5 ✓" in xml  # non-ASCII written as UTF-8, not mangled
    assert pkg.assessment.find(".//q:item", NS).get("title") == HOSTILE
    assert result.warnings == []


def test_multi_paragraph_markdown(tmp_path: Path) -> None:
    text = "First paragraph with *emphasis*.\n\nSecond paragraph.\n\n1. one\n2. two\n\n```\ncode < block\n```"
    it = item(id="md", type="multiple_choice", stem=text, explanation=text,
              options=[{"text": text, "correct": True, "rationale": text}, {"text": "Other", "rationale": "No."}])
    pkg, result = export([it])
    qti_validate(write(tmp_path, "md.zip", result.data))
    check_all(pkg, [BankItem(it, {}, ())])
    stem, _ = mattext(pkg.items[0].find("q:presentation", NS))
    assert stem.count("<p>") == 2 and "<ol>" in stem and "code &lt; block" in stem


def test_image_is_packaged_and_referenced(image_item: BankItem, tmp_path: Path) -> None:
    pkg, result = export([image_item])
    qti_validate(write(tmp_path, "image.zip", result.data))
    check_all(pkg, [image_item])
    [media] = image_item.media.values()
    assert pkg.files[f"media/{media.name}"] == PNG
    stem, _ = mattext(pkg.items[0].find("q:presentation", NS))
    assert f'<img src="{FILEBASE}{media.name}" alt="A readiness ruler at 3">' in stem
    [resource] = [r for r in pkg.manifest.iterfind(".//m:resource", NS) if r.get("type") == "webcontent"]
    assert resource.get("href") == f"media/{media.name}"
    assert result.warnings == []


def test_same_file_referenced_twice_is_packaged_once(tmp_path: Path) -> None:
    media = MediaFile("a.png", "a-1234abcd.png", PNG, "image/png")
    it = item(id="twice", type="multiple_choice", stem="![x](a.png) ![y](a.png)",
              options=[{"text": "![z](a.png)", "correct": True}, {"text": "No"}])
    pkg, _ = export([BankItem(it, {"a.png": media, "./a.png": media}, ())])
    assert [n for n in pkg.names if n.startswith("media/")] == ["media/a-1234abcd.png"]
    check_all(pkg, [BankItem(it, {"a.png": media}, ())])


def test_sample_bank(sample_bank: list[BankItem], tmp_path: Path) -> None:
    pkg, result = export(sample_bank)
    qti_validate(write(tmp_path, "sample.zip", result.data))
    check_all(pkg, sample_bank)
    guided = {b.item.id for b in sample_bank if b.item.type == "essay" and b.item.guidance}
    shuffled_types = ("multiple_choice", "multiple_response", "matching")
    fixed = {b.item.id for b in sample_bank if b.item.type in shuffled_types and not b.item.shuffle}
    assert {w.item_id for w in result.warnings} == guided | fixed
    assert meta_value(pkg, "shuffle_answers") == ("false" if fixed else "true")


# --- what Canvas cannot carry -----------------------------------------------------------------------


def test_warnings_name_each_loss(all_types: list[BankItem]) -> None:
    _, result = export(all_types)
    by_item = {w.item_id: w.message for w in result.warnings}
    assert set(by_item) == {"sa-case", "essay-basic", "mc-hostile"}
    assert "case-insensitively" in by_item["sa-case"]
    assert "guidance" in by_item["essay-basic"]
    assert "Canvas shuffles answers per quiz" in by_item["mc-hostile"]


@pytest.mark.parametrize(("flags", "quiz_shuffles", "warned"), [
    ((True, True), "true", set()),
    ((False, False), "false", set()),
    ((True, False), "false", {"i1"}),
])
def test_quiz_level_shuffle(flags: tuple[bool, bool], quiz_shuffles: str, warned: set[str]) -> None:
    items = [
        item(id=f"i{n}", type="multiple_choice", stem="Q?", shuffle=flag, options=[{"text": "A", "correct": True}, {"text": "B"}])
        for n, flag in enumerate(flags)
    ]
    # A true/false item never counts: Canvas does not reorder True and False.
    items.append(item(id="tf", type="true_false", stem="S.", answer=True, shuffle=False))
    pkg, result = export(items)
    assert meta_value(pkg, "shuffle_answers") == quiz_shuffles
    assert {w.item_id for w in result.warnings} == warned
    shuffles = [n.find(".//q:render_choice", NS).get("shuffle") for n in pkg.items]
    assert shuffles == ["Yes" if f else "No" for f in flags] + ["No"]


def test_uncarriable_items_are_skipped_with_a_warning(tmp_path: Path) -> None:
    two_keys = item(id="two-keys", type="multiple_choice", stem="Q?",
                    options=[{"text": "A", "correct": True}, {"text": "B", "correct": True}])
    no_answers = item(id="no-answers", type="short_answer", stem="Q?", answers=[])
    infinite = item(id="infinite", type="numerical", stem="Q?", answer=float("inf"))
    good = item(id="good", type="true_false", stem="S.", answer=True)
    pkg, result = export([two_keys, no_answers, infinite, good])
    qti_validate(write(tmp_path, "skips.zip", result.data))
    assert [fields(n)["question_type"] for n in pkg.items] == ["true_false_question"]
    assert {w.item_id for w in result.omitted} == {"two-keys", "no-answers", "infinite"}
    assert result.warnings == [] and result.written == 1
    assert meta_value(pkg, "points_possible") == "1"


def test_characters_xml_cannot_carry_are_removed_and_reported(tmp_path: Path) -> None:
    it = item(id="ctrl", type="multiple_choice", title="T\x01itle", stem="Stem\x0b here",
              options=[{"text": "A\x1f", "correct": True}, {"text": "B"}])
    pkg, result = export([it])
    qti_validate(write(tmp_path, "ctrl.zip", result.data))
    node = pkg.items[0]
    assert node.get("title") == "Title"
    assert mattext(node.find("q:presentation", NS))[0] == "<p>Stem here</p>"
    assert [w.item_id for w in result.warnings] == ["ctrl"] and "XML 1.0" in result.warnings[0].message


def test_missing_media_is_reported() -> None:
    it = item(id="lost", type="essay", stem="See ![chart](missing.png).")
    pkg, result = export([it])
    assert "missing.png" in mattext(pkg.items[0].find("q:presentation", NS))[0]
    assert [w.item_id for w in result.warnings] == ["lost"] and "not packaged" in result.warnings[0].message


def test_language_and_points(tmp_path: Path) -> None:
    it = item(id="lang", type="numerical", stem="Q?", answer=2.5, tolerance=0.05, points=0.5, language="fr-CA")
    pkg, result = export([it])
    qti_validate(write(tmp_path, "lang.zip", result.data))
    node = pkg.items[0]
    assert node.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr-CA"
    assert fields(node)["points_possible"] == "0.5" and meta_value(pkg, "points_possible") == "0.5"
    check_all(pkg, [BankItem(it, {}, ())])


# --- determinism, identifiers, CLI ------------------------------------------------------------------


def test_deterministic(all_types: list[BankItem], image_item: BankItem) -> None:
    first = EXPORTER.export([*all_types, image_item], OPTIONS).data
    again = EXPORTER.export([*all_types, image_item], OPTIONS).data
    assert first == again


def test_identifiers_follow_item_ids_not_position(all_types: list[BankItem]) -> None:
    forward, _ = export(all_types)
    backward, _ = export(list(reversed(all_types)))
    idents = {n.get("title"): (n.get("ident"), fields(n)["original_answer_ids"]) for n in forward.items}
    assert idents == {n.get("title"): (n.get("ident"), fields(n)["original_answer_ids"]) for n in backward.items}
    other, _ = export(all_types, identifier="another-quiz")
    assert other.folder != forward.folder
    assert not {n.get("ident") for n in other.items} & {n.get("ident") for n in forward.items}


def test_cli_export(image_item: BankItem, tmp_path: Path) -> None:
    out = tmp_path / "quiz.zip"
    result = CliRunner().invoke(main, ["export", str(tmp_path / "bank"), "--format", "canvas", "-o", str(out)])
    assert result.exit_code == 0, result.output
    qti_validate(out)
    pkg = read(out.read_bytes())
    check_package(pkg)
    assert meta_value(pkg, "title") == "quiz"
    check_all(pkg, [image_item])


# --- generated banks --------------------------------------------------------------------------------


def test_generated_banks_round_trip(tmp_path: Path) -> None:
    written: list[Path] = []

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(strategies.banks())
    def round_trip(bank: list[Item]) -> None:
        bank_items_ = [BankItem(i, {}, ()) for i in bank]
        pkg, result = export(bank_items_)
        check_all(pkg, bank_items_)
        assert EXPORTER.export(bank_items_, OPTIONS).data == result.data
        for w in result.warnings:
            assert w.item_id in {i.id for i in bank}
        written.append(write(tmp_path, f"gen-{len(written)}.zip", result.data))

    round_trip()
    qti_validate(*written)
