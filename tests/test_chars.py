"""qbank.chars: one definition of what XML 1.0 cannot carry (QB503, the XML exporters, the JUnit
report) and of what is invisible (QB505), checked against lxml itself."""

from __future__ import annotations

import html
import io
import xml.etree.ElementTree as ET
import zipfile

import pytest
from lxml import etree

from qbank.chars import INVISIBLE, NOT_XML, describe_char, invisible_characters, parse_code_point, xml_text
from qbank.exporters import all_exporters
from qbank.model import ITEM_ADAPTER
from qbank.reporters.junit_report import xml_safe
from tests.conftest import fires
from tests.exporters.conftest import OPTIONS, bank_items

XML_FORMATS = ("canvas", "moodle-xml", "qti21", "qti30")


def _lxml_refuses(ch: str) -> bool:
    try:
        etree.Element("a").text = f"x{ch}y"
    except (ValueError, UnicodeError):
        return True
    return False


def test_not_xml_is_exactly_what_lxml_refuses() -> None:
    code_points = [*range(0x10000), *range(0x10000, 0x110000, 251), 0x10FFFF]
    refused = [cp for cp in code_points if _lxml_refuses(chr(cp))]
    matched = [cp for cp in code_points if NOT_XML.fullmatch(chr(cp))]
    assert refused == matched
    assert matched == [*range(0x9), 0xB, 0xC, *range(0xE, 0x20), *range(0xD800, 0xE000), 0xFFFE, 0xFFFF]


@pytest.mark.parametrize("ch", sorted(INVISIBLE) + ["\t", "\n", "\r", "\u00a0", "\ufffd", "\U0010ffff"])
def test_what_xml_carries_round_trips_through_lxml_and_elementtree(ch: str) -> None:
    element = etree.Element("a", title=f"x{ch}y")
    element.text = f"x{ch}y"
    again = etree.fromstring(etree.tostring(element, encoding="utf-8"))
    assert again.text == again.get("title") == f"x{ch}y"
    std = ET.Element("a")
    std.text = f"x{ch}y"
    read = ET.fromstring(ET.tostring(std, encoding="utf-8")).text
    assert read == (f"x{ch}y" if ch != "\r" else "x\ny")  # ElementTree writes a raw CR, which reads as LF


def test_invisible_is_the_documented_set_and_never_overlaps_not_xml() -> None:
    expected = {chr(cp) for cp in range(0x7F, 0xA0)} | set(
        "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    )
    assert INVISIBLE == expected
    assert not any(NOT_XML.match(ch) for ch in INVISIBLE)
    for visible in "\u00a0\u202f\u2009\u200e\u200f\u061c ":
        assert visible not in INVISIBLE
    assert invisible_characters("a\u00adb\u200bc") == [(1, "\u00ad"), (3, "\u200b")]


def test_helpers() -> None:
    assert xml_text("a\x07b\ufffec\u00ad") == ("abc\u00ad", 2)
    assert xml_safe("a\x07b\u0085") == "a\ufffdb\u0085"
    assert describe_char("\u00ad") == "U+00AD SOFT HYPHEN"
    assert describe_char("\x07") == "U+0007 control character"
    assert describe_char("\ud800") == "U+D800 surrogate"
    assert describe_char("\uffff") == "U+FFFF non-character"
    assert describe_char("\U0001f600") == "U+1F600 GRINNING FACE"
    assert [parse_code_point(v) for v in ("U+200D", "u+200c", " 00AD ", "\u2060", "U+110000", "nope")] == [
        "\u200d", "\u200c", "\u00ad", "\u2060", None, None,
    ]


def _exported_xml(fmt: str, text: str) -> tuple[list[etree._Element], list[str]]:
    item = ITEM_ADAPTER.validate_python({
        "id": "chars", "type": "multiple_choice", "stem": f"Which stage{text} comes next?", "explanation": "Because.",
        "title": f"Stage{text}s", "tags": [f"stage{text}s"],
        "options": [{"text": f"Pre{text}paration", "correct": True, "rationale": "Yes."}, {"text": "Action", "rationale": "No."}],
    })
    result = all_exporters()[fmt].export(bank_items([item]), OPTIONS)
    if result.data[:2] == b"PK":
        archive = zipfile.ZipFile(io.BytesIO(result.data))
        docs = [archive.read(n) for n in archive.namelist() if n.endswith(".xml")]
    else:
        docs = [result.data]
    return [etree.fromstring(doc) for doc in docs], [w.message for w in result.warnings]


BOUNDARIES = [
    0x0, 0x8, 0x9, 0xA, 0xB, 0xC, 0xD, 0xE, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0x85, 0x9F, 0xA0, 0xAD,
    0x200B, 0x202E, 0xD7FF, 0xD800, 0xDFFF, 0xE000, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x10FFFF,
]


@pytest.mark.parametrize("fmt", XML_FORMATS)
@pytest.mark.parametrize("cp", BOUNDARIES, ids=lambda cp: f"U+{cp:04X}")
def test_qb503_fires_exactly_when_an_xml_exporter_must_strip_the_character(fmt: str, cp: int) -> None:
    ch = chr(cp)
    essay = ITEM_ADAPTER.validate_python({"id": "c", "type": "essay", "stem": f"a{ch}b"})
    assert fires("QB505", essay) == (ch in INVISIBLE)
    blocked = fires("QB503", essay)
    assert blocked == _lxml_refuses(ch)
    if 0xD800 <= cp <= 0xDFFF:
        return  # YAML refuses a lone surrogate (even as an escape), so no exporter ever sees one
    docs, warnings = _exported_xml(fmt, ch)  # every document parses: nothing XML-forbidden got through
    assert any("XML 1.0" in w for w in warnings) == blocked
    if not blocked:  # the character is kept, in rendered HTML and in the title alike
        # Unescaped twice: rendered HTML is text inside the XML (&amp;nbsp; is a no-break space).
        written = html.unescape(html.unescape("".join(etree.tostring(doc, encoding="unicode") for doc in docs)))
        assert f"Pre{ch}paration" in written or (ch == "\r" and "Pre\nparation" in written)  # Markdown: CR is LF
        assert f"Stage{ch}s" in written or ch.isspace()  # titles are one line
