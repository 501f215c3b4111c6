"""Building blocks for IMS QTI 1.2 (``questestinterop``) documents.

QTI 1.2 is old and loosely typed, and every platform that still reads it (Canvas above all) reads
only a narrow dialect of it. These helpers write the element shapes that the official 1.2.1 XSD
accepts, so a writer can concentrate on which shapes its platform understands. Text goes through
:func:`qbank.chars.xml_text` on the way in: lxml refuses characters that XML 1.0 cannot carry, and
a refused character must become a reported loss, not a crash.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Sequence

from lxml import etree

NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

def q(tag: str) -> str:
    """The namespaced (Clark notation) name of a QTI element."""
    return f"{{{NS}}}{tag}"


def el(
    tag: str, attrib: dict[str, str] | None = None, text: str | None = None, children: Iterable[etree._Element] = ()
) -> etree._Element:
    # Built without a namespace: lxml reconciles namespaces on every append of a namespaced
    # subtree, which cost more than everything else in a Canvas export. serialize() declares the
    # QTI namespace once, as the root's default namespace, which puts every element in it.
    node = etree.Element(tag, attrib or {})
    if text is not None:
        node.text = text
    node.extend(children)
    return node


def root(children: Iterable[etree._Element] = ()) -> etree._Element:
    node = etree.Element("questestinterop")
    node.extend(children)
    return node


def material(text: str, html: bool) -> etree._Element:
    """A ``material`` holding one ``mattext``: escaped HTML or plain text."""
    attrib = {"texttype": "text/html" if html else "text/plain"}
    return el("material", children=[el("mattext", attrib, text)])


def qtimetadata(fields: Sequence[tuple[str, str]]) -> etree._Element:
    return el(
        "qtimetadata",
        children=[
            el("qtimetadatafield", children=[el("fieldlabel", text=label), el("fieldentry", text=entry)])
            for label, entry in fields
        ],
    )


def score_outcome() -> etree._Element:
    """The single 0-100 SCORE variable every Canvas-style item declares."""
    return el("outcomes", children=[el("decvar", {"maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"})])


def varequal(respident: str, value: str) -> etree._Element:
    return el("varequal", {"respident": respident}, value)


def other() -> etree._Element:
    return el("other")


def respcondition(
    conditions: Sequence[etree._Element],
    *,
    go_on: bool,
    score: tuple[str, str] | None = None,
    feedback: str | None = None,
) -> etree._Element:
    """A ``respcondition``: ``score`` is (action, value) for SCORE, ``feedback`` an itemfeedback ident."""
    node = el("respcondition", {"continue": "Yes" if go_on else "No"}, children=[el("conditionvar", children=conditions)])
    if score is not None:
        action, value = score
        node.append(el("setvar", {"action": action, "varname": "SCORE"}, value))
    if feedback is not None:
        node.append(el("displayfeedback", {"feedbacktype": "Response", "linkrefid": feedback}))
    return node


def itemfeedback(ident: str, html: str) -> etree._Element:
    return el("itemfeedback", {"ident": ident}, children=[el("flow_mat", children=[material(html, True)])])


def number(value: float | Decimal) -> str:
    """A plain decimal for XML: no exponent, no trailing zeros (``2``, ``0.5``, ``-3.75``)."""
    d = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_ROOT_OPEN = b"<questestinterop"
_ROOT_DECLARATIONS = (
    f' xmlns="{NS}" xmlns:xsi="{XSI}" xsi:schemaLocation="{SCHEMA_LOCATION}"'.encode("ascii")
)


def serialize(node: etree._Element) -> bytes:
    """The document as UTF-8 bytes; a ``questestinterop`` root gets the QTI namespace declarations."""
    data: bytes = etree.tostring(node, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    if node.tag == "questestinterop":
        at = data.index(_ROOT_OPEN) + len(_ROOT_OPEN)
        data = data[:at] + _ROOT_DECLARATIONS + data[at:]
    return data
