"""Canvas (QTI 1.2), QTI 2.1 and QTI 3.0 import as users meet it: `qbank import` on real packages
and files, then the YAML it wrote loaded back; round trips through the matching exporters; the
third-party corpora in ../shared; re-exporting what was imported; and hostile zips, which must end
in one clear message with nothing written."""

from __future__ import annotations

import io
import json
import re
import struct
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from lxml import etree

from qbank.cli import main
from qbank.exporters import BankItem, ExportOptions, all_exporters
from qbank.importers import detect_format
from qbank.importers.qti2 import lom_fields
from qbank.importers.safety import parse_xml
from qbank.loader import load_paths
from qbank.markup import markdown_to_html
from qbank.model import ITEM_ADAPTER, Item
from tests.conftest import SHARED
from tests.exporters import strategies
from tests.exporters.conftest import OPTIONS, PNG, all_types_items, bank_items, image_item, qti_validate, sample_bank  # noqa: F401

FORMATS = ("canvas", "qti21", "qti30")
CANVAS_PROBE = SHARED / "corpora" / "qti12-canvas" / "text2qti-0.8.0-probe"
QTI21_CORPUS = SHARED / "corpora" / "qti21" / "qti-sdk-ims-samples"
SAMPLES = SHARED / "qti-xsd" / "samples"


# --- helpers ------------------------------------------------------------------------------------------


def run(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.output
    return result


def import_paths(sources: Sequence[Path], out: Path, *extra: str) -> Result:
    return run("import", *map(str, sources), "-o", str(out), *extra)


def loaded(out: Path) -> list[Item]:
    result = load_paths([out])
    assert not result.problems, result.problems
    return [entry.item for entry in result.items]


def by_id(items: Sequence[Item]) -> dict[str, Item]:
    return {it.id: it for it in items}


def export_bytes(fmt: str, bank: Sequence[BankItem], options: ExportOptions = OPTIONS) -> tuple[bytes, list[str]]:
    result = all_exporters()[fmt].export(list(bank), options)
    return result.data, [w.item_id for w in result.warnings if w.message.startswith("not exported")]


def zip_folder(folder: Path, target: Path) -> Path:
    """A package zip of ``folder`` (as a user would zip an unpacked export)."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


_BLOCK = r"(?:p|li|ul|ol|pre|blockquote|h\d|table|thead|tbody|tr|td|th|hr)"


def rendered(markdown: str | None) -> str:
    """What a student sees, comparably: the sanitised HTML with whitespace at block edges and one
    wrapping paragraph ignored (an option shown inline or as a paragraph looks the same)."""
    html = re.sub(r"\s+", " ", markdown_to_html(markdown or ""))
    html = re.sub(rf"\s*(</?{_BLOCK}\b[^>]*>)\s*", r"\1", html).strip()
    html = re.sub(r"\s*<br>\s*", "<br>", html)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    # Packaged files come back under their package name; the image tests check the bytes there.
    return re.sub(r'src="media/[^"]*"', 'src="media/(file)"', html)


# What the QTI exporters report they cannot carry (and so the import cannot bring back): a list's
# start number and tooltips (title attributes); and a link without a target (the sanitiser drops
# an unsafe URL, such as the autolink <A0:>), which QTI writes as the plain text it shows.
_QTI_LOSSES = re.compile(r'\s(?:start|title)="[^"]*"|</?a>')


def same_markdown(got: str | None, want: str | None, where: str) -> None:
    if got == want:
        return
    left, right = rendered(got), rendered(want)
    if not where.startswith("canvas"):
        # Remove the losses, then normalise again: dropping an empty <a></a> can leave a lone
        # paragraph or trailing space that the first pass had already looked at.
        left, right = _renormalise(_QTI_LOSSES.sub("", left)), _renormalise(_QTI_LOSSES.sub("", right))
    assert left == right, f"{where}: {got!r} != {want!r}"


def _renormalise(html: str) -> str:
    html = re.sub(rf"\s*(</?{_BLOCK}\b[^>]*>)\s*", r"\1", html).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return html


def check_item(got: Item, want: Item, fmt: str) -> None:
    """``got`` (imported) carries everything of ``want`` (exported) that ``fmt`` can carry."""
    where = f"{fmt} {want.id}"
    assert got.type == want.type, where
    same_markdown(got.stem, want.stem, f"{where} stem")
    same_markdown(got.explanation, want.explanation, f"{where} explanation")
    assert got.points == want.points, where
    assert got.language == want.language, where
    if want.title is None or want.title == want.id:
        assert got.id == want.id and got.title is None, where
    else:
        assert " ".join(got.title.split()) == " ".join(want.title.split()), where
    if fmt == "canvas":
        assert got.tags == [] and got.objectives == [] and got.status == "draft", where
    else:
        assert got.id == want.id, where
        assert (got.tags, got.objectives, got.difficulty) == (want.tags, want.objectives, want.difficulty), where
        assert (got.author, got.references) == (want.author, want.references), where
        # LOM has draft, final, revised, unavailable; the exporter writes review as draft.
        assert got.status == {"review": "draft"}.get(want.status, want.status), where
    if want.type in ("multiple_choice", "multiple_response"):
        assert got.shuffle == want.shuffle, where
        assert len(got.options) == len(want.options), where
        for i, (g, w) in enumerate(zip(got.options, want.options)):
            same_markdown(g.text, w.text, f"{where} option {i}")
            assert g.correct == w.correct, f"{where} option {i}"
            same_markdown(g.rationale, w.rationale, f"{where} rationale {i}")
    elif want.type == "true_false":
        assert got.answer == want.answer, where
        same_markdown(got.true_rationale, want.true_rationale, f"{where} true_rationale")
        same_markdown(got.false_rationale, want.false_rationale, f"{where} false_rationale")
    elif want.type == "short_answer":
        assert got.answers == [a for a in want.answers if a.strip()], where
        if fmt != "canvas":
            assert got.case_sensitive == want.case_sensitive, where
    elif want.type == "numerical":
        assert (got.answer, got.tolerance) == (want.answer, want.tolerance), where
    elif want.type == "matching":
        assert got.shuffle == want.shuffle, where
        assert [p.match for p in got.pairs] == [p.match for p in want.pairs], where
        for i, (g, w) in enumerate(zip(got.pairs, want.pairs)):
            same_markdown(g.prompt, w.prompt, f"{where} prompt {i}")
        # Canvas lists the choices alphabetically, so only the set of distractors is carried.
        if fmt == "canvas":
            assert sorted(got.distractors) == sorted(want.distractors), where
        else:
            assert got.distractors == want.distractors, where
    elif want.type == "essay":
        if fmt == "canvas":
            assert got.guidance is None, where
        else:
            same_markdown(got.guidance, want.guidance, f"{where} guidance")


def round_trip(fmt: str, bank: Sequence[BankItem], folder: Path) -> tuple[list[Item], list[Item], Result]:
    """Export ``bank`` to ``fmt``, import the file through the CLI; (exported items, imported items)."""
    data, skipped = export_bytes(fmt, bank)
    source = folder / f"export-{fmt}.zip"
    source.write_bytes(data)
    out = folder / f"imported-{fmt}"
    result = import_paths([source], out)
    assert result.exit_code == 0, result.output
    exported = [b.item for b in bank if b.item.id not in skipped]
    return exported, loaded(out), result


def check_round_trip(fmt: str, bank: Sequence[BankItem], folder: Path) -> list[Item]:
    exported, imported, _ = round_trip(fmt, bank, folder)
    assert len(imported) == len(exported)
    # Files are written per id (sorted); the exporters keep the bank order and ids or titles.
    if fmt == "canvas":
        got_by_key = {(it.title or it.id): it for it in imported}
        for want in exported:
            check_item(got_by_key[want.title or want.id], want, fmt)
    else:
        got = by_id(imported)
        for want in exported:
            check_item(got[want.id], want, fmt)
    return imported


def lint_codes(folder: Path) -> set[str]:
    result = run("lint", "--format", "json", "--no-cache", str(folder))
    data = json.loads(result.stdout)
    findings = data["findings"] if isinstance(data, dict) else data
    return {f.get("code") or f.get("rule") for f in findings}


def assert_lint_clean_of_schema_problems(folder: Path) -> None:
    codes = lint_codes(folder)
    assert not codes & {"QB001", "QB002"}, codes


def imported_count(result: Result) -> int:
    match = re.search(r"Imported (\d+) item\(s\)", result.output)
    assert match, result.output
    return int(match.group(1))


def skipped_notes(result: Result) -> list[str]:
    return [line for line in result.output.splitlines() if ": note:" in line and "skipped" in line]


# --- round trips ----------------------------------------------------------------------------------


TYPES = {
    "canvas": ("multiple_choice", "multiple_response", "true_false", "short_answer", "numerical", "matching", "essay"),
    "qti21": ("multiple_choice", "multiple_response", "true_false", "short_answer", "numerical", "matching", "essay"),
    "qti30": ("multiple_choice", "multiple_response", "true_false", "short_answer", "numerical", "matching", "essay"),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_generated_banks_round_trip(fmt: str) -> None:
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(strategies.banks(types=TYPES[fmt]))
    def check(items: list[Item]) -> None:
        with tempfile.TemporaryDirectory() as folder:
            check_round_trip(fmt, bank_items(items), Path(folder))

    check()


@pytest.mark.parametrize("fmt", FORMATS)
def test_all_types_round_trip_and_lint(fmt: str, tmp_path: Path) -> None:
    imported = check_round_trip(fmt, bank_items(all_types_items()), tmp_path)
    assert {it.type for it in imported} == set(TYPES[fmt])
    assert_lint_clean_of_schema_problems(tmp_path / f"imported-{fmt}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_sample_bank_round_trips(fmt: str, sample_bank: list[BankItem], tmp_path: Path) -> None:  # noqa: F811
    imported = check_round_trip(fmt, sample_bank, tmp_path)
    assert len(imported) == len(sample_bank)
    assert_lint_clean_of_schema_problems(tmp_path / f"imported-{fmt}")


@pytest.mark.parametrize("fmt", FORMATS)
def test_image_comes_back_with_its_bytes(fmt: str, image_item: BankItem, tmp_path: Path) -> None:  # noqa: F811
    [got] = check_round_trip(fmt, [image_item], tmp_path)
    out = tmp_path / f"imported-{fmt}"
    [src] = re.findall(r"\]\((media/[^)]+)\)", got.stem)
    assert (out / src).read_bytes() == PNG
    assert "A readiness ruler at 3" in got.stem
    codes = lint_codes(out)
    assert not codes & {"QB001", "QB002", "QB501"}, codes


def test_qti2_metadata_comes_back_from_the_manifest(tmp_path: Path) -> None:
    item = ITEM_ADAPTER.validate_python({
        "id": "7-digits-first", "type": "essay", "title": "Line one\nline two", "stem": "Explain.",
        "tags": ["a", "b c"], "objectives": ["LO-1"], "difficulty": "hard", "status": "retired",
        "author": "Doe, Jane; \\ team", "references": ["SAMHSA 2023", "WHO"], "language": "de-CH",
    })
    for fmt in ("qti21", "qti30"):
        _, [got], _ = round_trip(fmt, [BankItem(item, {}, ())], tmp_path)
        # QTI identifiers must start with a letter; the LOM record keeps the original id.
        assert got.id == "7-digits-first"
        assert got.title == "Line one line two"
        assert (got.tags, got.objectives, got.difficulty, got.status) == (["a", "b c"], ["LO-1"], "hard", "retired")
        assert (got.author, got.references, got.language) == ("Doe, Jane; \\ team", ["SAMHSA 2023", "WHO"], "de-CH")


def test_reimport_gives_the_same_ids(tmp_path: Path) -> None:
    data, _ = export_bytes("canvas", bank_items(all_types_items()))
    source = tmp_path / "quiz.zip"
    source.write_bytes(data)
    first = import_paths([source], tmp_path / "a")
    second = import_paths([source], tmp_path / "b")
    assert first.exit_code == second.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "a").glob("*.yaml")) == sorted(p.name for p in (tmp_path / "b").glob("*.yaml"))


# --- detection -------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_exported_packages_are_detected(fmt: str) -> None:
    data, _ = export_bytes(fmt, bank_items(all_types_items()))
    assert detect_format(data, "export.zip") == fmt


def test_single_files_are_detected(tmp_path: Path) -> None:
    for fmt, member in (("qti21", "mc-basic.xml"), ("qti30", "mc-basic.xml")):
        data, _ = export_bytes(fmt, bank_items(all_types_items()))
        xml = zipfile.ZipFile(io.BytesIO(data)).read(member)
        assert detect_format(xml, "item.xml") == fmt
        path = tmp_path / f"{fmt}.xml"
        path.write_bytes(xml)
        result = import_paths([path], tmp_path / f"out-{fmt}")
        assert result.exit_code == 0, result.output
        assert [it.id for it in loaded(tmp_path / f"out-{fmt}")] == ["mc-basic"]
    canvas, _ = export_bytes("canvas", bank_items(all_types_items()))
    archive = zipfile.ZipFile(io.BytesIO(canvas))
    [quiz] = [n for n in archive.namelist() if n.endswith(".xml") and "assessment_meta" not in n and n != "imsmanifest.xml"]
    xml = archive.read(quiz)
    assert detect_format(xml, "quiz.xml") == "canvas"
    path = tmp_path / "quiz.xml"
    path.write_bytes(xml)
    result = import_paths([path], tmp_path / "out-canvas")
    assert result.exit_code == 0, result.output
    assert len(loaded(tmp_path / "out-canvas")) == len(all_types_items())


def test_a_test_or_manifest_alone_says_to_import_the_package(tmp_path: Path) -> None:
    data, _ = export_bytes("qti21", bank_items(all_types_items()))
    archive = zipfile.ZipFile(io.BytesIO(data))
    for member, expected in (("qbank-test-export.xml", "assessment test"), ("imsmanifest.xml", "package manifest")):
        path = tmp_path / member
        path.write_bytes(archive.read(member))
        result = import_paths([path], tmp_path / "out")
        assert result.exit_code == 1
        assert expected in result.output and "import the whole package" in result.output
        assert not (tmp_path / "out").exists()


# --- the corpora in ../shared -------------------------------------------------------------------------


def _item_count_qti12(root: etree._Element) -> int:
    return sum(1 for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname == "item")


def test_canvas_corpus_text2qti_probe(shared_dir: Path, tmp_path: Path) -> None:
    folder = CANVAS_PROBE / "output-unzipped"
    source = zip_folder(folder, tmp_path / "probe.zip")
    out = tmp_path / "items"
    result = import_paths([source], out)
    assert result.exit_code == 0, result.output
    [quiz] = folder.glob("*/text2qti_assessment_*.xml")
    total = _item_count_qti12(parse_xml(quiz.read_bytes(), quiz.name))
    assert imported_count(result) + len(skipped_notes(result)) == total == 11
    assert "file_upload_question" in result.output and "text_only_question" in result.output
    items = loaded(out)
    mc = by_id(items)["addition-mc"]
    assert mc.title == "Addition MC" and mc.points == 2
    assert [o.correct for o in mc.options] == [False, True, False]
    assert mc.options[2].text == "`print(1)`"
    assert rendered(mc.options[0].rationale) == "Rationale for 6."
    assert rendered(mc.explanation) == "<p>General feedback.</p><p>Correct feedback.</p>"
    [src] = re.findall(r"\]\((media/[^)]+)\)", mc.stem)
    assert (out / src).read_bytes() == (folder / "images" / "dot.png").read_bytes()
    assert "\\(2+3\\)" in rendered(mc.stem)
    numerical = {it.stem: it for it in items if it.type == "numerical"}
    assert (numerical["Square root of 2?"].answer, numerical["Square root of 2?"].tolerance) == (1.4142, 0.0001)
    cube = numerical["Cube root of 2?"]
    assert (round(cube.answer, 6), round(cube.tolerance, 6)) == (1.2599, 0.0001)
    [sa] = [it for it in items if it.type == "short_answer"]
    assert sa.answers == ["Santa", "Father Christmas"]
    [essay] = [it for it in items if it.type == "essay"]
    assert essay.explanation == "General feedback for essay."
    [tf] = [it for it in items if it.type == "true_false"]
    assert tf.answer is True
    mr = next(it for it in items if it.type == "multiple_response")
    assert [o.correct for o in mr.options] == [False, True, True]
    assert_lint_clean_of_schema_problems(out)
    by_category = import_paths([source], tmp_path / "grouped", "--group-by", "category")
    assert by_category.exit_code == 0
    assert {p.name for p in (tmp_path / "grouped").glob("*.yaml")} == {"sample-qbank-probe.yaml", "sample-qbank-probe-group.yaml"}


@pytest.mark.parametrize("name", ["quiz.zip", "quiz2.zip"])
def test_canvas_corpus_text2qti_zips(name: str, shared_dir: Path, tmp_path: Path) -> None:
    source = SAMPLES / "qti12" / "text2qti" / name
    out = tmp_path / "items"
    result = import_paths([source], out)
    assert result.exit_code == 0, result.output
    archive = zipfile.ZipFile(source)
    [quiz] = [n for n in archive.namelist() if n.endswith(".xml") and "text2qti_assessment" in n and "meta" not in n]
    total = _item_count_qti12(parse_xml(archive.read(quiz), quiz))
    assert imported_count(result) + len(skipped_notes(result)) == total
    items = loaded(out)
    if name == "quiz2.zip":
        numerical = {it.stem: (it.answer, it.tolerance) for it in items if it.type == "numerical"}
        assert numerical == {
            "Numerical range answer?": (1.5, 0.5),
            "Numerical exact answer?": (3, 0),
            "Numerical with percent tolerance?": (100, 5),
        }
        [mc] = [it for it in items if it.type == "multiple_choice"]
        assert [o.rationale for o in mc.options] == ["right fb", "wrong fb"]
        assert mc.explanation == "general feedback here"
    else:
        assert {it.type for it in items} == {"multiple_choice", "multiple_response", "short_answer", "numerical", "essay"}
    assert_lint_clean_of_schema_problems(out)


@pytest.mark.parametrize("name", ["mchc_ir_01.xml", "mrsp_ir_01.xml", "fibs_ir_01.xml", "objectbank.xml"])
def test_plain_qti12_items_without_canvas_metadata(name: str, shared_dir: Path, tmp_path: Path) -> None:
    source = SAMPLES / "qti12" / "pyslet-qtiv1p2p1" / name
    out = tmp_path / "items"
    result = import_paths([source], out, "--from", "canvas")
    total = _item_count_qti12(parse_xml(source.read_bytes(), name))
    if name == "objectbank.xml":  # two empty items: nothing to import, each noted
        assert result.exit_code == 0, result.output
        assert imported_count(result) == 0 and len(skipped_notes(result)) == total == 2
        return
    assert result.exit_code == 0, result.output
    [item] = loaded(out)
    assert imported_count(result) == total == 1
    if name == "mchc_ir_01.xml":
        assert item.type == "multiple_choice" and [o.correct for o in item.options] == [False, True, False, False, False]
        assert item.explanation == "Yes, you are right."
    elif name == "mrsp_ir_01.xml":
        assert item.type == "multiple_response" and item.points == 5
        assert [o.correct for o in item.options] == [True, False, True, False, False, True]
    else:
        assert item.type == "short_answer" and item.answers == ["S"] and item.case_sensitive
    assert_lint_clean_of_schema_problems(out)


def _qti2_files(shared: Path) -> list[Path]:
    roots = [QTI21_CORPUS / "items", QTI21_CORPUS / "tests", SAMPLES / "qti21", SAMPLES / "qti30"]
    found = []
    for root in roots:
        for path in sorted(root.rglob("*.xml")):
            head = path.read_bytes()[:4096]
            if re.search(rb"<(assessmentItem|qti-assessment-item)[\s>]", head):
                found.append(path)
    return found


def test_qti2_corpus_items_import_or_are_noted(shared_dir: Path, tmp_path: Path) -> None:
    files = _qti2_files(shared_dir)
    assert len(files) >= 50
    for i, path in enumerate(files):
        out = tmp_path / f"out-{i}"
        result = import_paths([path], out)
        assert result.exit_code == 0, f"{path}: {result.output}"
        count = imported_count(result)
        assert count + len(skipped_notes(result)) == 1, f"{path}: {result.output}"
        if count:
            [item] = loaded(out)
            assert_lint_clean_of_schema_problems(out) if i % 10 == 0 else None
            assert item.stem.strip() or item.type == "matching", path


def test_qti2_corpus_spot_checks(shared_dir: Path, tmp_path: Path) -> None:
    items2 = QTI21_CORPUS / "items" / "2_1"
    sachsen = QTI21_CORPUS / "tests" / "interaction_mix_sachsen"
    names = ["choice.xml", "text_entry.xml", "match.xml", "extended_text_rubric.xml", "modalFeedback.xml", "feedbackInline.xml", "choice_multiple.xml"]
    result = import_paths([items2 / n for n in names] + [sachsen / "TextEntrynumeric_770468849.xml"], tmp_path / "out")
    assert result.exit_code == 0, result.output
    items = by_id(loaded(tmp_path / "out"))
    choice = items["choice"]
    assert choice.title == "Unattended Luggage" and choice.type == "multiple_choice" and choice.shuffle is False
    assert [o.correct for o in choice.options] == [True, False, False]
    assert choice.stem.endswith("What does it say?") and "![NEVER LEAVE LUGGAGE UNATTENDED](images/sign.png)" in choice.stem
    assert "images/sign.png" in result.output  # the image is not in a single file: noted
    entry = items["textEntry"]
    assert entry.type == "short_answer" and entry.answers == ["York"] and entry.case_sensitive
    assert "partial credit" in result.output
    match = items["match"]
    assert [(rendered(p.prompt), p.match) for p in match.pairs] == [
        ("Capulet", "Romeo and Juliet"), ("Demetrius", "A Midsummer-Night's Dream"),
        ("Lysander", "A Midsummer-Night's Dream"), ("Prospero", "The Tempest"),
    ]
    assert match.distractors == [] and match.points == 3
    essay = items["extendedText"]
    assert essay.type == "essay" and essay.guidance.startswith("# Scoring Guidelines")
    assert "Scoring" not in essay.stem and essay.stem.endswith("Write 25-35 words.")
    modal = items["Example01-modalFeedback"]
    assert (modal.type, modal.answer, modal.true_rationale, modal.false_rationale, modal.points) == ("true_false", True, "correct", "incorrect", 10)
    inline = items["Example02-feedbackInline"]
    assert (inline.type, inline.true_rationale, inline.false_rationale) == ("true_false", "That's correct", "That's not correct")
    multiple = items["choiceMultiple"]
    assert multiple.type == "multiple_response" and [o.correct for o in multiple.options] == [True, False, False, True, False, False]
    numeric = items["TextEntrynumeric_770468849"]
    assert (numeric.type, numeric.answer, round(numeric.tolerance, 6)) == ("numerical", 4.136, 0.2068)
    assert "relative tolerance" in result.output
    assert_lint_clean_of_schema_problems(tmp_path / "out")


@pytest.mark.parametrize("folder", ["qti21/qtiworks-package", "qti30/1edtech-beginners-guide"])
def test_unpacked_corpus_packages_import_as_zips(folder: str, shared_dir: Path, tmp_path: Path) -> None:
    source = zip_folder(SAMPLES / folder, tmp_path / "package.zip")
    out = tmp_path / "items"
    result = import_paths([source], out)
    assert result.exit_code == 0, result.output
    items = by_id(loaded(out))
    if folder.startswith("qti30"):
        manifest = parse_xml((SAMPLES / folder / "imsmanifest.xml").read_bytes(), "m")
        declared = [r for r in manifest.iter() if etree.QName(r).localname == "resource" and r.get("type") == "imsqti_item_xmlv3p0"]
        assert len(items) + len(skipped_notes(result)) == len(declared) == 6
        assert items["beginnersguide007"].type == "true_false" and items["beginnersguide007"].language == "en-US"
        assert [o.correct for o in items["beginnersguide008"].options] == [True, False, True, True, False]
        assert items["firstexample"].options[0].text == "Epinephrine"
    else:
        # The manifest lists an item file that is missing and not the one that is there: both said.
        assert "cannon-qti.xml, which is not in the package" in result.output
        assert "does not list; it is imported too" in result.output
        assert list(items) == ["choice"]
    assert_lint_clean_of_schema_problems(out)


def test_sachsen_folder_without_a_manifest(shared_dir: Path, tmp_path: Path) -> None:
    folder = QTI21_CORPUS / "tests" / "interaction_mix_sachsen"
    source = zip_folder(folder, tmp_path / "sachsen.zip")
    out = tmp_path / "items"
    result = import_paths([source], out)
    assert result.exit_code == 0, result.output
    items = [p for p in folder.glob("*.xml") if re.search(rb"<assessmentItem[\s>]", p.read_bytes()[:4096])]
    assert imported_count(result) + len(skipped_notes(result)) == len(items)
    assert_lint_clean_of_schema_problems(out)


def test_lom_from_an_ims_md_manifest(shared_dir: Path) -> None:
    manifest = parse_xml((SAMPLES / "qti21" / "qtiworks-package" / "imsmanifest.xml").read_bytes(), "imsmanifest.xml")
    lom = next(el for el in manifest.iter() if isinstance(el.tag, str) and etree.QName(el).localname == "lom")
    assert lom_fields(lom) == {"title": "Projectile Trajectory", "tags": ["motion", "projectiles"], "status": "review", "author": "Alastair Bruce"}


@pytest.mark.parametrize("fmt", ["qti21", "qti30"])
def test_imported_corpus_exports_again_and_validates(fmt: str, shared_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    files = [p for p in _qti2_files(shared_dir) if (fmt == "qti21") == (b"imsqti_v2p1" in p.read_bytes()[:4096])]
    out = tmp_path / "items"
    result = import_paths(files, out)
    assert result.exit_code == 0, result.output
    # Images the single item files refer to live outside them; a user copies them beside the items.
    for line in result.output.splitlines():
        for src in re.findall(r"'([^']+\.(?:png|jpe?g|gif|eps))' is not in the file", line):
            target = out / src
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(PNG)
    # Items without a key (a questionnaire, a no-key sample) cannot be exported: set them aside.
    blocked = run("lint", "--no-cache", "--select", "QB101,QB102,QB501,QB503,QB504", "--format", "json", str(out))
    findings = json.loads(blocked.stdout)
    findings = findings["findings"] if isinstance(findings, dict) else findings
    for finding in findings:
        path = Path(finding["path"])
        (path if path.is_absolute() else tmp_path / path).unlink(missing_ok=True)
    remaining = loaded(out)
    assert len(remaining) >= (8 if fmt == "qti21" else 5)
    package = tmp_path / f"again-{fmt}.zip"
    exported = run("export", "--format", fmt, "-o", str(package), str(out))
    assert exported.exit_code == 0, exported.output
    qti_validate(package)
    manifest = parse_xml(zipfile.ZipFile(package).read("imsmanifest.xml"), "imsmanifest.xml")
    item_type = "imsqti_item_xmlv2p1" if fmt == "qti21" else "imsqti_item_xmlv3p0"
    resources = [r for r in manifest.iter() if isinstance(r.tag, str) and r.get("type") == item_type]
    assert len(resources) == len(remaining)
    again = import_paths([package], tmp_path / "again")
    assert again.exit_code == 0 and len(loaded(tmp_path / "again")) == len(remaining)


# --- hostile and malformed input ----------------------------------------------------------------------


def _zip(entries: Sequence[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def _bomb(path: Path) -> Path:
    """A package whose one member inflates to 300 MB of zeros, written in chunks (never in memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", b"<manifest/>")
        with archive.open("item.xml", "w") as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                member.write(chunk)
    return path


def _overlapping() -> bytes:
    """Two members whose central-directory entries point at the same data."""
    data = bytearray(_zip([("a.xml", b"<questestinterop/>" * 20), ("b.xml", b"<questestinterop/>" * 20)]))
    entries = [m.start() for m in re.finditer(rb"PK\x01\x02", bytes(data))]
    first_offset = struct.unpack_from("<I", data, entries[0] + 42)[0]
    struct.pack_into("<I", data, entries[1] + 42, first_offset)
    return bytes(data)


def _package() -> bytes:
    return export_bytes("canvas", bank_items(all_types_items()))[0]


HOSTILE_ZIPS = {
    "zip-slip": (lambda tmp: _zip([("imsmanifest.xml", b"<manifest/>"), ("../evil.xml", b"<questestinterop/>")]), ("'../evil.xml' points outside the package",)),
    "absolute": (lambda tmp: _zip([("imsmanifest.xml", b"<manifest/>"), ("/etc/evil.xml", b"<questestinterop/>")]), ("'/etc/evil.xml' points outside the package",)),
    "bomb": (lambda tmp: _bomb(tmp / "bomb-source.zip").read_bytes(), ("looks like a zip bomb",)),
    "truncated": (lambda tmp: _package()[: len(_package()) // 2], ("not a readable zip file",)),
    "overlapping": (lambda tmp: _overlapping(), ("overlap", "damaged")),
    "entity": (lambda tmp: _zip([("imsmanifest.xml", b'<!DOCTYPE m [<!ENTITY x "y">]><manifest/>')]), ("imsmanifest.xml: XML entity declarations",)),
    "broken-manifest": (lambda tmp: _zip([("imsmanifest.xml", b"<manifest><resources>")]), ("imsmanifest.xml: not well-formed XML",)),
}


@pytest.mark.parametrize("case", list(HOSTILE_ZIPS))
@pytest.mark.parametrize("fmt", [None, "canvas", "qti21", "qti30"])
def test_hostile_zips_fail_cleanly(case: str, fmt: str | None, tmp_path: Path) -> None:
    make, expected = HOSTILE_ZIPS[case]
    source = tmp_path / "hostile.zip"
    source.write_bytes(make(tmp_path))
    out = tmp_path / "out"
    result = import_paths([source], out, *(["--from", fmt] if fmt else []))
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.strip()]
    assert len(errors) == 1, result.output
    assert any(e in errors[0] for e in expected), errors[0]
    assert str(source) in errors[0] and "nothing was written" in errors[0]
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("bad.xml", b"<questestinterop><item>", "not well-formed"),
        ("entity.xml", b'<!DOCTYPE q [<!ENTITY a "aaaa">]><questestinterop>&a;</questestinterop>', "ENTITY"),
        ("empty.zip", _zip([("readme.txt", b"nothing here")]), "cannot tell the format"),
    ],
)
def test_malformed_files_fail_cleanly(name: str, content: bytes, expected: str, tmp_path: Path) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    for extra in ([], ["--from", "canvas"]):
        result = import_paths([source], tmp_path / "out", *extra)
        assert result.exit_code in (1, 2), result.output
        if not extra:
            assert expected in result.output, result.output
        assert not (tmp_path / "out").exists()


def test_wrong_format_named_is_one_clear_message(tmp_path: Path) -> None:
    data, _ = export_bytes("qti21", bank_items(all_types_items()))
    source = tmp_path / "qti.zip"
    source.write_bytes(data)
    result = import_paths([source], tmp_path / "out", "--from", "canvas")
    assert result.exit_code == 1 and "no QTI 1.2" in result.output
    canvas = tmp_path / "canvas.zip"
    canvas.write_bytes(_package())
    result = import_paths([canvas], tmp_path / "out", "--from", "qti21")
    assert result.exit_code == 1 and "no QTI 2.1/3.0 items" in result.output
    assert not (tmp_path / "out").exists()


# --- mapping details ----------------------------------------------------------------------------------


CANVAS_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<questestinterop xmlns="http://www.imsglobal.org/xsd/ims_qtiasiv1p2">
  <objectbank ident="gbank">
    <qtimetadata><qtimetadatafield><fieldlabel>bank_title</fieldlabel><fieldentry>Week 1 bank</fieldentry></qtimetadatafield></qtimetadata>
    {items}
  </objectbank>
</questestinterop>"""


def _canvas_item(qtype: str, body: str, processing: str, feedback: str = "", points: str = "1", title: str = "Question") -> str:
    return f"""<item ident="g{abs(hash(body)) % 10**12}" title="{title}">
      <itemmetadata><qtimetadata>
        <qtimetadatafield><fieldlabel>question_type</fieldlabel><fieldentry>{qtype}</fieldentry></qtimetadatafield>
        <qtimetadatafield><fieldlabel>points_possible</fieldlabel><fieldentry>{points}</fieldentry></qtimetadatafield>
      </qtimetadata></itemmetadata>
      <presentation>{body}</presentation>
      <resprocessing><outcomes><decvar maxvalue="100" minvalue="0" varname="SCORE" vartype="Decimal"/></outcomes>{processing}</resprocessing>
      {feedback}
    </item>"""


def _mat(text: str, kind: str = "text/html") -> str:
    from html import escape

    return f'<material><mattext texttype="{kind}">{escape(text)}</mattext></material>'


def test_canvas_own_export_shapes(tmp_path: Path) -> None:
    """Shapes Canvas itself writes: numeric answer ids, answers in one conditionvar, a precision
    answer, matching with an incorrect match, several numerical answers, unsupported types."""
    items = [
        _canvas_item(
            "short_answer_question",
            _mat("<p>Capital of <strong>France</strong>?</p>") + '<response_str ident="response1" rcardinality="Single"><render_fib><response_label ident="answer1" rshuffle="No"/></render_fib></response_str>',
            '<respcondition continue="No"><conditionvar><varequal respident="response1">Paris</varequal><varequal respident="response1">paris</varequal></conditionvar><setvar action="Set" varname="SCORE">100</setvar></respcondition>',
        ),
        _canvas_item(
            "numerical_question",
            _mat("<p>Two thirds to two places?</p>") + '<response_str ident="response1" rcardinality="Single"><render_fib fibtype="Decimal"><response_label ident="answer1"/></render_fib></response_str>',
            '<respcondition continue="No"><conditionvar><or><varequal respident="response1">0.67</varequal><and><vargt respident="response1">0.665</vargt><varlte respident="response1">0.675</varlte></and></or></conditionvar><setvar action="Set" varname="SCORE">100</setvar></respcondition>'
            '<respcondition continue="No"><conditionvar><varequal respident="response1">2</varequal></conditionvar><setvar action="Set" varname="SCORE">100</setvar></respcondition>',
            points="2.5",
        ),
        _canvas_item(
            "matching_question",
            _mat("<p>Match the capitals.</p>")
            + '<response_lid ident="response_11">' + _mat("France", "text/plain") + '<render_choice><response_label ident="21">' + _mat("Paris", "text/plain") + '</response_label><response_label ident="22">' + _mat("Rome", "text/plain") + '</response_label><response_label ident="23">' + _mat("Oslo", "text/plain") + "</response_label></render_choice></response_lid>"
            + '<response_lid ident="response_12">' + _mat("Italy", "text/plain") + '<render_choice><response_label ident="21">' + _mat("Paris", "text/plain") + '</response_label><response_label ident="22">' + _mat("Rome", "text/plain") + '</response_label><response_label ident="23">' + _mat("Oslo", "text/plain") + "</response_label></render_choice></response_lid>",
            '<respcondition><conditionvar><varequal respident="response_11">21</varequal></conditionvar><setvar varname="SCORE" action="Add">50.00</setvar></respcondition>'
            '<respcondition><conditionvar><varequal respident="response_12">22</varequal></conditionvar><setvar varname="SCORE" action="Add">50.00</setvar></respcondition>',
            title="Capitals",
        ),
        _canvas_item(
            "true_false_question",
            _mat("<p>Water boils at 100 °C at sea level.</p>") + '<response_lid ident="response1" rcardinality="Single"><render_choice><response_label ident="8001">' + _mat("True", "text/plain") + '</response_label><response_label ident="8002">' + _mat("False", "text/plain") + "</response_label></render_choice></response_lid>",
            '<respcondition continue="Yes"><conditionvar><other/></conditionvar><displayfeedback feedbacktype="Response" linkrefid="general_fb"/></respcondition>'
            '<respcondition continue="Yes"><conditionvar><varequal respident="response1">8002</varequal></conditionvar><displayfeedback feedbacktype="Response" linkrefid="8002_fb"/></respcondition>'
            '<respcondition continue="No"><conditionvar><varequal respident="response1">8001</varequal></conditionvar><setvar action="Set" varname="SCORE">100</setvar></respcondition>',
            feedback='<itemfeedback ident="general_fb"><flow_mat>' + _mat("<p>At sea level, yes.</p>") + '</flow_mat></itemfeedback><itemfeedback ident="8002_fb"><flow_mat>' + _mat("<p>It does boil at 100.</p>") + "</flow_mat></itemfeedback>",
        ),
        _canvas_item("calculated_question", _mat("<p>Compute [x] + 1.</p>"), ""),
        _canvas_item("fill_in_multiple_blanks_question", _mat("<p>Roses are [a], violets are [b].</p>"), ""),
    ]
    source = tmp_path / "bank.xml"
    source.write_text(CANVAS_EXPORT.format(items="".join(items)), encoding="utf-8")
    result = import_paths([source], tmp_path / "out", "--group-by", "category")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").glob("*.yaml")] == ["week-1-bank.yaml"]
    got = {it.type: it for it in loaded(tmp_path / "out")}
    sa = got["short_answer"]
    assert sa.answers == ["Paris", "paris"] and sa.stem == "Capital of **France**?" and sa.title is None
    assert sa.id.startswith("q-")  # Canvas's default title "Question" is no name
    num = got["numerical"]
    assert (num.answer, round(num.tolerance, 9), num.points) == (0.67, 0.005, 2.5)
    assert "precision answer" in result.output and "only the first is kept" in result.output
    matching = got["matching"]
    assert matching.id == "Capitals" and matching.title is None  # a title that is a valid id is the id
    assert [(p.prompt, p.match) for p in matching.pairs] == [("France", "Paris"), ("Italy", "Rome")]
    assert matching.distractors == ["Oslo"]
    tf = got["true_false"]
    assert (tf.answer, tf.true_rationale, tf.false_rationale, tf.explanation) == (True, None, "It does boil at 100.", "At sea level, yes.")
    assert "calculated_question" in result.output and "fill_in_multiple_blanks_question" in result.output
    assert imported_count(result) == 4 and len(skipped_notes(result)) == 2


def test_course_export_reads_each_quiz_once(tmp_path: Path) -> None:
    """A course cartridge holds Canvas's QTI and a Common Cartridge copy of each quiz."""
    archive = zipfile.ZipFile(io.BytesIO(_package()))
    entries = [(name, archive.read(name)) for name in archive.namelist()]
    [(quiz_name, quiz)] = [(n, d) for n, d in entries if n.endswith(".xml") and "/" in n and "assessment_meta" not in n]
    cc_copy = quiz.replace(b"<fieldlabel>question_type</fieldlabel>", b"<fieldlabel>cc_profile</fieldlabel>")
    source = tmp_path / "course.imscc"
    source.write_bytes(_zip([*entries, ("non_cc_assessments/copy.xml.qti", quiz), (quiz_name.split("/")[0] + "/assessment_qti.xml", cc_copy)]))
    result = import_paths([source], tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert len(loaded(tmp_path / "out")) == len(all_types_items())
    assert "Common Cartridge copy" in result.output and "repeats an assessment" in result.output


def test_qti2_relative_image_and_feedback_notes(tmp_path: Path) -> None:
    """An item in a subfolder with an image beside it; correct/incorrect feedback on a multiple
    response item is noted, not turned into rationales."""
    item = """<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="pick" title="Pick two" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="multiple" baseType="identifier">
    <correctResponse><value>A</value><value>B</value></correctResponse>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <outcomeDeclaration identifier="FEEDBACK" cardinality="single" baseType="identifier"/>
  <itemBody>
    <div><p>Look: <img src="../img/pic%201.png" alt="a picture"/></p></div>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="0">
      <simpleChoice identifier="A">Alpha</simpleChoice>
      <simpleChoice identifier="B">Beta</simpleChoice>
      <simpleChoice identifier="C">Gamma</simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing>
    <responseCondition>
      <responseIf><match><variable identifier="RESPONSE"/><correct identifier="RESPONSE"/></match>
        <setOutcomeValue identifier="SCORE"><baseValue baseType="float">2</baseValue></setOutcomeValue>
        <setOutcomeValue identifier="FEEDBACK"><baseValue baseType="identifier">right</baseValue></setOutcomeValue></responseIf>
      <responseElse><setOutcomeValue identifier="FEEDBACK"><baseValue baseType="identifier">wrong</baseValue></setOutcomeValue></responseElse>
    </responseCondition>
  </responseProcessing>
  <modalFeedback outcomeIdentifier="FEEDBACK" identifier="right" showHide="show">Well done.</modalFeedback>
  <modalFeedback outcomeIdentifier="FEEDBACK" identifier="wrong" showHide="show">Not quite.</modalFeedback>
</assessmentItem>"""
    manifest = """<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m">
  <resources><resource identifier="pick" type="imsqti_item_xmlv2p1" href="items/pick.xml"><file href="items/pick.xml"/></resource></resources>
</manifest>"""
    source = tmp_path / "package.zip"
    source.write_bytes(_zip([("imsmanifest.xml", manifest.encode()), ("items/pick.xml", item.encode()), ("img/pic 1.png", PNG)]))
    result = import_paths([source], tmp_path / "out")
    assert result.exit_code == 0, result.output
    [got] = loaded(tmp_path / "out")
    assert got.type == "multiple_response" and got.points == 2 and got.shuffle is True
    assert [o.correct for o in got.options] == [True, True, False] and all(o.rationale is None for o in got.options)
    assert "![a picture](media/pic-1.png)" in got.stem
    assert (tmp_path / "out" / "media" / "pic-1.png").read_bytes() == PNG
    assert "'right' ('Well done.') is not carried" in result.output and "'wrong' ('Not quite.') is not carried" in result.output
    assert_lint_clean_of_schema_problems(tmp_path / "out")
