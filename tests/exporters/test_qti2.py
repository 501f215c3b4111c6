"""QTI 2.1 and QTI 3.0 content packages as users meet them: the zip validates against the official
XSDs (items, test and manifest), and reading it back with plain lxml gives every item's content,
scoring and feedback. Scoring is checked by running the package's own response processing through
a small interpreter below, so "the key earns the points" is tested on the XML, not on our intent.
QTI 3.0 names are mapped back to QTI 2.1 names on reading, so one reader serves both versions.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from lxml import etree

from qbank.cli import main
from qbank.exporters import BankItem, ExportOptions, ExportResult, MediaFile, all_exporters
from qbank.markup import markdown_to_html
from qbank.model import ITEM_ADAPTER, Essay, Matching, MultipleChoice, MultipleResponse, Numerical, ShortAnswer, TrueFalse
from tests.exporters.conftest import HOSTILE, OPTIONS, PNG, all_types_items, bank_items, qti_validate
from tests.exporters.strategies import banks

FORMATS = ("qti21", "qti30")
CP_NAMESPACES = {
    "qti21": "http://www.imsglobal.org/xsd/imscp_v1p1",
    "qti30": "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1",
}
ITEM_NAMESPACES = {
    "qti21": "http://www.imsglobal.org/xsd/imsqti_v2p1",
    "qti30": "http://www.imsglobal.org/xsd/imsqtiasi_v3p0",
}
NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")
INTERACTIONS = {"choiceInteraction", "matchInteraction", "extendedTextInteraction", "textEntryInteraction"}


def export(fmt: str, items: list[BankItem], options: ExportOptions = OPTIONS) -> ExportResult:
    return all_exporters()[fmt].export(items, options)


def _item(**fields: Any) -> Any:
    return ITEM_ADAPTER.validate_python({"status": "approved", **fields})


# --- reading a package back -------------------------------------------------------------------------


def _camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _neutral(root: etree._Element) -> etree._Element:
    """Strips the namespace and maps QTI 3.0 names (qti-simple-choice, response-identifier) back to
    QTI 2.1 names (simpleChoice, responseIdentifier)."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        el.tag = _camel(local[4:]) if local.startswith("qti-") else local
        for key in list(el.attrib):
            if "-" in key and not key.startswith("{"):
                el.attrib[_camel(key)] = el.attrib.pop(key)
    return root


@dataclass
class Package:
    fmt: str
    files: dict[str, bytes]
    manifest: etree._Element
    test: etree._Element
    items: dict[str, etree._Element]
    """By item identifier, in test order."""
    resources: dict[str, etree._Element]


def read(fmt: str, data: bytes) -> Package:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    manifest = etree.fromstring(files["imsmanifest.xml"])
    assert etree.QName(manifest).namespace == CP_NAMESPACES[fmt]
    ns = {"cp": CP_NAMESPACES[fmt]}
    resources = {r.get("identifier"): r for r in manifest.iterfind("cp:resources/cp:resource", ns)}
    [test_resource] = [r for r in resources.values() if r.get("type", "").startswith("imsqti_test_")]
    test_xml = etree.fromstring(files[test_resource.get("href")])
    assert etree.QName(test_xml).namespace == ITEM_NAMESPACES[fmt]
    test = _neutral(test_xml)
    items = {}
    for ref in test.iter("assessmentItemRef"):
        root = etree.fromstring(files[ref.get("href")])
        assert etree.QName(root).namespace == ITEM_NAMESPACES[fmt]
        items[ref.get("identifier")] = _neutral(root)
    return Package(fmt, files, manifest, test, items, resources)


_BLOCKISH = frozenset(
    "p div li td th tr br hr h1 h2 h3 h4 h5 h6 pre blockquote ul ol dl dt dd table caption thead tbody tfoot figure figcaption".split()
)
_SKIP = INTERACTIONS | {"rubricBlock"}


def text_of(el: etree._Element) -> str:
    """Visible text with block boundaries as spaces, whitespace collapsed; interactions and rubrics
    are left out (they are checked on their own)."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP:
            return
        block = tag in _BLOCKISH
        if block:
            parts.append(" ")
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")
        if block:
            parts.append(" ")

    parts.append(el.text or "")
    for child in el:
        walk(child)
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def expected_text(markdown: str | None) -> str:
    """What a reader sees of a Markdown field, from the shared sanitised HTML."""
    if markdown is None:
        return ""
    html = markdown_to_html(markdown)
    return text_of(lxml.html.fragment_fromstring(html, create_parent="div")) if html else ""


# --- running the package's response processing ------------------------------------------------------


class Scorer:
    """Runs an item's responseProcessing (the subset QTI packages from qbank use, and the two
    standard templates) for a candidate response, and says which modal feedback would show."""

    def __init__(self, item: etree._Element) -> None:
        self.item = item
        self.decl = item.find("responseDeclaration")
        self.base = self.decl.get("baseType")
        self.multiple = self.decl.get("cardinality") == "multiple"

    def _typed(self, text: str) -> Any:
        return float(text) if self.base == "float" else text

    def correct(self) -> Any:
        values = [self._typed(v.text or "") for v in self.decl.iterfind("correctResponse/value")]
        return frozenset(values) if self.multiple else (values[0] if values else None)

    def map_response(self, response: Any) -> float:
        mapping = self.decl.find("mapping")
        default = float(mapping.get("defaultValue", "0"))
        entries = []
        for e in mapping.iterfind("mapEntry"):
            sensitive = e.get("caseSensitive", "true") == "true"
            entries.append((e.get("mapKey"), float(e.get("mappedValue")), sensitive))

        def value(one: str) -> float:
            for key, mapped, sensitive in entries:
                if key == one or (not sensitive and key.casefold() == one.casefold()):
                    return mapped
            return default

        total = sum(value(v) for v in response) if self.multiple else value(response)
        if mapping.get("lowerBound") is not None:
            total = max(total, float(mapping.get("lowerBound")))
        if mapping.get("upperBound") is not None:
            total = min(total, float(mapping.get("upperBound")))
        return total

    def run(self, response: Any) -> dict[str, Any]:
        if self.multiple and response is not None:
            response = frozenset(response)
        outcomes: dict[str, Any] = {}
        for decl in self.item.iterfind("outcomeDeclaration"):
            default = decl.findtext("defaultValue/value")
            outcomes[decl.get("identifier")] = float(default) if default is not None and decl.get("baseType") == "float" else default
        variables = {"RESPONSE": response}
        rp = self.item.find("responseProcessing")
        if rp is None:
            return outcomes
        template = rp.get("template")
        if template:
            name = template.rstrip("/").rsplit("/", 1)[1].removesuffix(".xml")
            if name == "match_correct":
                outcomes["SCORE"] = 1.0 if response == self.correct() else 0.0
            elif name == "map_response":
                outcomes["SCORE"] = 0.0 if self._null(response) else self.map_response(response)
            else:
                raise AssertionError(f"unexpected template {template}")
            return outcomes
        for rule in rp:
            self._rule(rule, variables, outcomes)
        return outcomes

    @staticmethod
    def _null(value: Any) -> bool:
        return value is None or value == frozenset() or value == ""

    def _rule(self, rule: etree._Element, variables: dict[str, Any], outcomes: dict[str, Any]) -> None:
        if rule.tag == "setOutcomeValue":
            outcomes[rule.get("identifier")] = self._expr(rule[0], variables)
        elif rule.tag == "responseCondition":
            for branch in rule:
                if branch.tag == "responseElse" or self._expr(branch[0], variables):
                    body = branch[:] if branch.tag == "responseElse" else branch[1:]
                    for inner in body:
                        self._rule(inner, variables, outcomes)
                    return
        else:
            raise AssertionError(f"unexpected rule {rule.tag}")

    def _expr(self, expr: etree._Element, variables: dict[str, Any]) -> Any:
        tag = expr.tag
        if tag == "variable":
            return variables[expr.get("identifier")]
        if tag == "correct":
            return self.correct()
        if tag == "baseValue":
            return float(expr.text) if expr.get("baseType") == "float" else expr.text
        if tag == "isNull":
            return self._null(self._expr(expr[0], variables))
        if tag == "mapResponse":
            return self.map_response(variables["RESPONSE"])
        a, b = (self._expr(e, variables) for e in expr)
        if self._null(a) or self._null(b):
            return None
        if tag == "match":
            return a == b
        if tag == "equal":
            mode = expr.get("toleranceMode", "exact")
            if mode == "exact":
                return a == b
            assert mode == "absolute"
            t0, *t1 = (float(t) for t in expr.get("tolerance").split())
            low, high = b - t0, b + (t1[0] if t1 else t0)
            return low <= a <= high
        raise AssertionError(f"unexpected expression {tag}")

    def feedback(self, outcomes: dict[str, Any]) -> list[str]:
        """Text of every modalFeedback the outcomes make visible, in document order."""
        shown = []
        for modal in self.item.iterfind("modalFeedback"):
            value = outcomes.get(modal.get("outcomeIdentifier"))
            ident = modal.get("identifier")
            hit = ident in value if isinstance(value, frozenset) else value == ident
            if hit == (modal.get("showHide") == "show"):
                shown.append(text_of(modal))
        return shown


# --- comparing an item with what was exported -------------------------------------------------------


def _choices(root: etree._Element, tag: str) -> list[tuple[str, str]]:
    return [(c.get("identifier"), text_of(c)) for c in root.iter(tag)]


def _modals(root: etree._Element) -> dict[tuple[str, str], str]:
    return {(m.get("outcomeIdentifier"), m.get("identifier")): text_of(m) for m in root.iterfind("modalFeedback")}


def check_item(item: Any, root: etree._Element) -> None:
    """The exported item says what the bank item says, and scores and gives feedback as it should."""
    assert root.get("title") == (" ".join((item.title or "").split()) or item.id)
    assert NCNAME.fullmatch(root.get("identifier"))
    outcomes = {o.get("identifier"): o for o in root.iterfind("outcomeDeclaration")}
    assert float(outcomes["SCORE"].get("normalMaximum")) == pytest.approx(item.points)
    assert float(outcomes["MAXSCORE"].findtext("defaultValue/value")) == pytest.approx(item.points)
    body = root.find("itemBody")
    assert text_of(body) == expected_text(item.stem)
    modals = _modals(root)
    general = modals.pop(("FEEDBACK_GENERAL", "EXPLANATION"), None)
    assert general == (None if item.explanation is None else expected_text(item.explanation))
    interactions = [el.tag for el in body.iter() if el.tag in INTERACTIONS]
    scorer = Scorer(root)
    if isinstance(item, (MultipleChoice, MultipleResponse, TrueFalse)):
        assert interactions == ["choiceInteraction"]
        _check_choice(item, root, scorer, modals)
        return
    assert modals == {}
    if isinstance(item, ShortAnswer):
        assert interactions == ["textEntryInteraction"]
        _check_short_answer(item, root, scorer)
    elif isinstance(item, Numerical):
        assert interactions == ["textEntryInteraction"]
        _check_numerical(item, root, scorer)
    elif isinstance(item, Matching):
        assert interactions == ["matchInteraction"]
        _check_matching(item, root, scorer)
    else:
        assert isinstance(item, Essay)
        assert interactions == ["extendedTextInteraction"]
        rubrics = list(root.iter("rubricBlock"))
        if item.guidance is None:
            assert rubrics == []
        else:
            [rubric] = rubrics
            assert rubric.get("view") == "scorer"
            assert text_of(rubric) == expected_text(item.guidance)
        if root.find("responseProcessing") is not None:
            assert scorer.run("An answer.")["SCORE"] == 0  # left to the marker


def _check_choice(item: Any, root: etree._Element, scorer: Scorer, modals: dict[tuple[str, str], str]) -> None:
    interaction = root.find("itemBody/choiceInteraction")
    choices = _choices(root, "simpleChoice")
    if isinstance(item, TrueFalse):
        assert [text for _, text in choices] == ["True", "False"]
        assert interaction.get("shuffle") == "false"
        options = [(item.answer, item.true_rationale), (not item.answer, item.false_rationale)]
    else:
        assert [text for _, text in choices] == [expected_text(o.text) for o in item.options]
        assert interaction.get("shuffle") == ("true" if item.shuffle else "false")
        options = [(o.correct, o.rationale) for o in item.options]
    ids = [ident for ident, _ in choices]
    keys = {ident for ident, (correct, _) in zip(ids, options, strict=True) if correct}
    assert set(scorer.correct() if scorer.multiple else {scorer.correct()}) == keys
    # Per-option feedback: one modalFeedback per rationale, shown exactly when that option is chosen.
    assert modals == {("FEEDBACK", i): expected_text(r) for i, (_, r) in zip(ids, options, strict=True) if r is not None}
    general = [] if item.explanation is None else [expected_text(item.explanation)]
    points = item.points
    if isinstance(item, MultipleResponse):
        assert interaction.get("maxChoices") == "0"
        wrong = [i for i in ids if i not in keys]
        mapping = {e.get("mapKey"): float(e.get("mappedValue")) for e in root.iterfind("responseDeclaration/mapping/mapEntry")}
        assert mapping == pytest.approx({i: points / len(keys) if i in keys else -points / len(wrong) for i in ids})
        assert scorer.run(keys)["SCORE"] == points  # exactly, whatever the shares' rounding
        assert scorer.run(set(ids))["SCORE"] == pytest.approx(0)
        assert scorer.run(None)["SCORE"] == 0
        first = min(keys)
        assert scorer.run({first})["SCORE"] == pytest.approx(points / len(keys))
        if wrong:
            assert scorer.run({wrong[0]})["SCORE"] == 0  # never below zero
        outcomes = scorer.run({first, *wrong[:1]})
        chosen = [i for i in ids if i in {first, *wrong[:1]}]
        assert scorer.feedback(outcomes) == [modals[("FEEDBACK", i)] for i in chosen if ("FEEDBACK", i) in modals] + general
    else:
        assert interaction.get("maxChoices") == "1"
        for ident, (correct, _) in zip(ids, options, strict=True):
            outcomes = scorer.run(ident)
            assert outcomes["SCORE"] == (points if correct else 0)
            assert scorer.feedback(outcomes) == ([modals[("FEEDBACK", ident)]] if ("FEEDBACK", ident) in modals else []) + general


def _check_short_answer(item: ShortAnswer, root: etree._Element, scorer: Scorer) -> None:
    entries = {e.get("mapKey"): e for e in root.iterfind("responseDeclaration/mapping/mapEntry")}
    fold = (lambda s: s) if item.case_sensitive else str.casefold
    assert {fold(k) for k in entries} == {fold(a) for a in item.answers}
    assert {e.get("caseSensitive") for e in entries.values()} == {"true" if item.case_sensitive else "false"}
    assert root.find("responseDeclaration").get("baseType") == "string"
    for answer in item.answers:
        assert scorer.run(answer)["SCORE"] == item.points
        flipped = answer.swapcase()
        if flipped != answer and not any(flipped == a for a in item.answers):
            assert scorer.run(flipped)["SCORE"] == (0 if item.case_sensitive else item.points)
    if "\u2603" not in "".join(item.answers):
        assert scorer.run("\u2603")["SCORE"] == 0


def _check_numerical(item: Numerical, root: etree._Element, scorer: Scorer) -> None:
    decl = root.find("responseDeclaration")
    assert decl.get("baseType") == "float"
    assert float(decl.findtext("correctResponse/value")) == item.answer
    [equal] = root.iter("equal")
    if item.tolerance:
        assert equal.get("toleranceMode") == "absolute"
        assert float(equal.get("tolerance")) == item.tolerance
    else:
        assert equal.get("toleranceMode") == "exact"
    assert scorer.run(item.answer)["SCORE"] == item.points
    if item.tolerance:
        assert scorer.run(item.answer + item.tolerance / 2)["SCORE"] == item.points
    assert scorer.run(item.answer + item.tolerance + 1)["SCORE"] == 0
    assert scorer.run(None)["SCORE"] == 0


def _check_matching(item: Matching, root: etree._Element, scorer: Scorer) -> None:
    prompts_set, answers_set = root.iterfind("itemBody/matchInteraction/simpleMatchSet")
    prompts = _choices(prompts_set, "simpleAssociableChoice")
    answers = {ident: text for ident, text in _choices(answers_set, "simpleAssociableChoice")}
    assert [text for _, text in prompts] == [expected_text(p.prompt) for p in item.pairs]
    by_text = {" ".join(t.split()): i for i, t in answers.items()}
    correct = {f"{pid} {by_text[' '.join(p.match.split())]}" for (pid, _), p in zip(prompts, item.pairs, strict=True)}
    assert scorer.correct() == correct
    matched = {pair.split()[1] for pair in correct}
    assert {answers[i] for i in answers if i not in matched} == {" ".join(d.split()) for d in item.distractors} - {
        " ".join(p.match.split()) for p in item.pairs
    }
    assert all(c.get("matchMax") == "1" for c in prompts_set)
    assert scorer.run(correct)["SCORE"] == item.points
    one = min(correct)
    assert scorer.run({one})["SCORE"] == pytest.approx(item.points / len(item.pairs))
    assert scorer.run(None)["SCORE"] == 0


def check_package(fmt: str, data: bytes, items: Iterable[Any]) -> Package:
    """Manifest and test hold together, and every item reads back as exported."""
    package = read(fmt, data)
    ns = {"cp": CP_NAMESPACES[fmt]}
    listed = {f.get("href") for f in package.manifest.iterfind(".//cp:file", ns)}
    assert listed == set(package.files) - {"imsmanifest.xml"}, "every file is in the manifest and every listed file exists"
    ids = set(package.resources)
    for resource in package.resources.values():
        for dep in resource.iterfind("cp:dependency", ns):
            assert dep.get("identifierref") in ids
    item_resources = {r.get("identifier"): r for r in package.resources.values() if r.get("type", "").startswith("imsqti_item_")}
    refs = {ref.get("identifier"): ref.get("href") for ref in package.test.iter("assessmentItemRef")}
    assert refs == {ident: r.get("href") for ident, r in item_resources.items()}, "every item is referenced from the test"
    for ident, root in package.items.items():
        assert root.get("identifier") == ident
        deps = {d.get("identifierref") for d in item_resources[ident].iterfind("cp:dependency", ns)}
        dep_files = {package.resources[d].get("href") for d in deps}
        for el in root.iter("img", "a"):
            target = (el.get("src") or el.get("href") or "").split("#")[0]
            if target.startswith("media/"):
                assert target in package.files and target in dep_files
    items = list(items)
    by_entry = {}
    for resource in item_resources.values():
        entry = resource.find(".//{http://ltsc.ieee.org/xsd/LOM}identifier/{http://ltsc.ieee.org/xsd/LOM}entry")
        by_entry[entry.text] = resource.get("identifier")
    assert len(package.items) == len(items)
    for item in items:
        check_item(item, package.items[by_entry[item.id]])
    return package


# --- the tests --------------------------------------------------------------------------------------

EDGE_MARKDOWN = [
    HOSTILE,
    "First paragraph.\n\nSecond paragraph with *emphasis*, `code <b>` and a [link](https://example.org).\n\n- one\n- two\n\n1. first\n2. second",
    "x <div>block in a paragraph</div> y <b><div>bold block</div></b> z",
    "| a | b |\n|---|--:|",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "<table><caption>c1</caption><caption>c2</caption><tr><td>x</td></tr></table>",
    "<blockquote>bare <b>text</b></blockquote>",
    "<a>no href</a> and <a href='https://x.org' title='t'>link <div>div in link</div> after</a>",
    "3. three\n4. four",
    "~~strike~~ <u>under</u> <mark>marked</mark> <ins>inserted</ins> <abbr title='t'>abbr</abbr>",
    "<figure><img src='https://x.org/a.png' alt='a'><figcaption>caption <p>para</p></figcaption></figure>",
    "<li>stray item</li><dd>stray definition</dd>",
    "<ul>text<li>one</li><p>para</p></ul><dl>t<dt>term<div>x</div></dt><dd><p>def</p></dd></dl>",
    "```python\ncode <x>\n  indented\n```",
    "# Heading\n\n---\n\n> quote\n> > nested",
    "<span><table><tr><td>cell in span</td><td>2</td></tr></table></span>",
    "<h1><table><tr><th>x</th></tr></table></h1> <pre><div>in pre</div></pre>",
    "<img src='https://x.org/p.png' width='50px' height='20%'> café ≥ 5 ✓ 中文",
]


def edge_items() -> list[Any]:
    """Markdown whose HTML does not fit QTI's content model as is, in every place HTML goes."""
    out = []
    for i, md in enumerate(EDGE_MARKDOWN):
        out.append(_item(id=f"edge-mc-{i}", type="multiple_choice", stem=md, explanation=md,
                         options=[{"text": md, "correct": True, "rationale": md}, {"text": "Other", "rationale": md}]))
        out.append(_item(id=f"edge-match-{i}", type="matching", stem=md,
                         pairs=[{"prompt": md, "match": "x"}, {"prompt": "second", "match": "y"}]))
        out.append(_item(id=f"edge-essay-{i}", type="essay", stem=md, guidance=md))
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_packages_validate_against_the_official_xsds(fmt: str, all_types: list[BankItem], image_item: BankItem,
                                                     sample_bank: list[BankItem], tmp_path: Path) -> None:
    """Every item, test and manifest of every package validates (one checker run per version)."""
    packages = {
        "all-types": all_types,
        "image": [image_item],
        "sample": sample_bank,
        "edge": bank_items(edge_items()),
    }
    for name, items in packages.items():
        result = export(fmt, items)
        (tmp_path / f"{name}.zip").write_bytes(result.data)
        check_package(fmt, result.data, [b.item for b in items])
    proc = qti_validate(tmp_path)
    assert " 0 invalid" in proc.stdout and " 0 skipped" in proc.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_type_round_trips(fmt: str, all_types: list[BankItem]) -> None:
    result = export(fmt, all_types)
    package = check_package(fmt, result.data, [b.item for b in all_types])
    assert result.warnings == []
    assert list(package.items) == [b.item.id for b in all_types]  # ids kept, in bank order
    items = package.items
    assert items["sa-basic"].find("responseProcessing").get("template") is None  # feedback needs custom processing
    assert items["mc-basic"].find("responseDeclaration/mapping/mapEntry").get("mappedValue") == "2"
    assert items["mr-basic"].find("responseDeclaration/mapping").attrib == {"lowerBound": "0", "upperBound": "1", "defaultValue": "0"}
    assert [e.get("caseSensitive") for e in items["sa-case"].iter("mapEntry")] == ["true"]
    assert items["num-tolerance"].find(".//equal").attrib["tolerance"] == "0.5"
    assert items["match-basic"].find(".//matchInteraction").get("maxAssociations") == "3"
    # The distractor is an extra answer that no prompt matches.
    answers = _choices(list(items["match-basic"].iter("simpleMatchSet"))[1], "simpleAssociableChoice")
    assert ("M4", "Relapse prevention only") in answers
    # Hostile text survives as text; multi-paragraph Markdown keeps its paragraphs and list.
    body = items["mc-hostile"].find("itemBody")
    assert [el.tag for el in body][:3] == ["p", "p", "ul"]
    assert "café ≥ 5 ✓" in text_of(body) and '"quotes" ]]> done' in text_of(body)
    general = items["mc-hostile"].find("modalFeedback[@identifier='EXPLANATION']")
    assert len(general.findall(".//p")) == 2


def _template(root: etree._Element) -> str | None:
    template = root.find("responseProcessing").get("template")
    return None if template is None else template.rsplit("/", 1)[1].removesuffix(".xml")


@pytest.mark.parametrize("fmt", FORMATS)
def test_standard_templates_where_they_fit(fmt: str) -> None:
    """Without feedback, items use match_correct / map_response when the template gives the item's
    points; partial credit whose shares do not add up exactly in floating point gets custom
    processing that awards exactly the points for the full key."""
    options3 = [{"text": t, "correct": c} for t, c in (("a", True), ("b", True), ("c", True), ("d", False))]
    options2 = [{"text": t, "correct": c} for t, c in (("a", True), ("b", True), ("c", False))]
    items = [
        _item(id="mc1", type="multiple_choice", stem="S", options=[{"text": "a", "correct": True}, {"text": "b"}]),
        _item(id="mc2", type="multiple_choice", stem="S", points=2, options=[{"text": "a", "correct": True}, {"text": "b"}]),
        _item(id="tf", type="true_false", stem="S", answer=False),
        _item(id="mr2", type="multiple_response", stem="S", options=options2),
        _item(id="mr3", type="multiple_response", stem="S", options=options3),
        _item(id="sa", type="short_answer", stem="S", answers=["x", "X", "y"], points=3),
        _item(id="num", type="numerical", stem="S", answer=2.5),
        _item(id="match2", type="matching", stem="S", pairs=[{"prompt": "p", "match": "m"}, {"prompt": "q", "match": "n"}]),
        _item(id="match3", type="matching", stem="S", points=1,
              pairs=[{"prompt": "p", "match": "m"}, {"prompt": "q", "match": "n"}, {"prompt": "r", "match": "m"}]),
        _item(id="essay", type="essay", stem="S"),
    ]
    package = check_package(fmt, export(fmt, bank_items(items)).data, items)
    templates = {ident: _template(root) if root.find("responseProcessing") is not None else "-" for ident, root in package.items.items()}
    assert templates == {
        "mc1": "match_correct", "mc2": "map_response", "tf": "match_correct", "mr2": "map_response", "mr3": None,
        "sa": "map_response", "num": None, "match2": "map_response", "match3": None, "essay": "-",
    }
    # Two prompts with the same answer share one target, which may be used for both.
    answers = list(package.items["match3"].iter("simpleMatchSet"))[1]
    assert [(c.get("identifier"), c.get("matchMax"), c.text) for c in answers] == [("M1", "3", "m"), ("M2", "3", "n")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_qti_names_and_packaging_per_version(fmt: str, all_types: list[BankItem]) -> None:
    data = export(fmt, all_types).data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        manifest = etree.fromstring(archive.read("imsmanifest.xml"))
        item = etree.fromstring(archive.read("mc-basic.xml"))
    assert names[0] == "imsmanifest.xml"
    ns = CP_NAMESPACES[fmt]
    assert manifest.findtext(f"{{{ns}}}metadata/{{{ns}}}schemaversion") == ("1.0.0" if fmt == "qti21" else "3.0.0")
    types = {r.get("type") for r in manifest.iter(f"{{{ns}}}resource")}
    suffix = "v2p1" if fmt == "qti21" else "v3p0"
    assert types == {f"imsqti_item_xml{suffix}", f"imsqti_test_xml{suffix}"}
    local = etree.QName(item).localname
    if fmt == "qti21":
        assert local == "assessmentItem" and item.get("timeDependent") == "false"
        assert item.find(f".//{{{ITEM_NAMESPACES[fmt]}}}choiceInteraction").get("responseIdentifier") == "RESPONSE"
    else:
        assert local == "qti-assessment-item" and item.get("time-dependent") == "false"
        assert item.find(f".//{{{ITEM_NAMESPACES[fmt]}}}qti-choice-interaction").get("response-identifier") == "RESPONSE"
        modal = item.find(f"{{{ITEM_NAMESPACES[fmt]}}}qti-modal-feedback")
        assert etree.QName(modal[0]).localname == "qti-content-body"


@pytest.mark.parametrize("fmt", FORMATS)
def test_image_is_packaged_and_referenced(fmt: str, image_item: BankItem) -> None:
    result = export(fmt, [image_item])
    assert result.warnings == []
    package = check_package(fmt, result.data, [image_item.item])
    [media] = image_item.media.values()
    assert package.files[f"media/{media.name}"] == PNG
    [img] = package.items["mc-image"].iter("img")
    assert img.attrib == {"src": f"media/{media.name}", "alt": "A readiness ruler at 3"}
    ns = {"cp": CP_NAMESPACES[fmt]}
    [webcontent] = [r for r in package.resources.values() if r.get("type") == "webcontent"]
    assert webcontent.get("href") == f"media/{media.name}"
    deps = [d.get("identifierref") for d in package.resources["mc-image"].iterfind("cp:dependency", ns)]
    assert deps == [webcontent.get("identifier")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_sample_bank_round_trips(fmt: str, sample_bank: list[BankItem]) -> None:
    result = export(fmt, sample_bank)
    assert result.warnings == []
    package = check_package(fmt, result.data, [b.item for b in sample_bank])
    assert len(package.items) == len(sample_bank)
    # Metadata the QTI items cannot hold travels as LOM in the manifest.
    lom = "{http://ltsc.ieee.org/xsd/LOM}"
    first = sample_bank[0].item
    resource = next(r for r in package.resources.values() if r.findtext(f".//{lom}entry") == first.id)
    assert [k.findtext(f"{lom}string") for k in resource.iter(f"{lom}keyword")][: len(first.tags)] == first.tags
    if first.language:
        assert resource.findtext(f".//{lom}general/{lom}language") == first.language


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_is_deterministic(fmt: str, sample_bank: list[BankItem], image_item: BankItem) -> None:
    first = export(fmt, sample_bank + [image_item]).data
    again = export(fmt, sample_bank + [image_item]).data
    assert first == again
    assert export(fmt, bank_items(all_types_items())).data == export(fmt, bank_items(all_types_items())).data


@pytest.mark.parametrize("fmt", FORMATS)
def test_identifiers_are_ncnames_unique_and_stable(fmt: str) -> None:
    ids = ["1abc", "q-1abc", "Q1", "q1", "imsmanifest", "a.b_c-d", "qbank-test-export"]
    items = bank_items([_item(id=i, type="true_false", stem=f"Statement {i}.", answer=True) for i in ids])
    result = export(fmt, items)
    package = check_package(fmt, result.data, [b.item for b in items])
    idents = list(package.items)
    assert all(NCNAME.fullmatch(i) for i in idents)
    assert idents[:3] == ["q-1abc", "q-1abc-2", "Q1"]
    assert len(set(idents)) == len(ids)
    names = [n.casefold() for n in package.files]
    assert len(names) == len(set(names)), "file names differ even on case-insensitive file systems"
    assert package.files["imsmanifest.xml"].startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<manifest')
    assert export(fmt, items).data == result.data


@pytest.mark.parametrize("fmt", FORMATS)
def test_warnings_for_what_qti_cannot_carry(fmt: str) -> None:
    items = bank_items([
        _item(id="styled", type="multiple_choice", stem="Which is ~~wrong~~ <mark>right</mark>? <abbr title='x'>A</abbr>",
              options=[{"text": "<u>This</u>", "correct": True}, {"text": "That"}]),
        _item(id="listed", type="essay", stem="3. three\n4. four"),
        _item(id="missing-image", type="essay", stem="See ![a chart](media/chart.png)."),
        _item(id="endless", type="numerical", stem="How far?", answer=math.inf),
        _item(id="fine", type="true_false", stem="Fine.", answer=True),
    ])
    result = export(fmt, items)
    by_item: dict[str, list[str]] = {}
    for w in result.warnings:
        by_item.setdefault(w.item_id, []).append(w.message)
    styled = " | ".join(by_item["styled"])
    assert "strikethrough" in styled and "highlighting" in styled and "tooltips" in styled
    assert ("underlining" in styled) == (fmt == "qti21")  # QTI 3.0 has the shared qti-underline class
    assert any("start number" in m for m in by_item["listed"])
    assert any("media/chart.png" in m and "not in the package" in m for m in by_item["missing-image"])
    assert "endless" not in by_item and [o.item_id for o in result.omitted] == ["endless"]
    assert result.written == 4
    assert "fine" not in by_item
    package = read(fmt, result.data)
    assert list(package.items) == ["styled", "listed", "missing-image", "fine"]


def test_cli_exports_both_versions(image_item: BankItem, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    bank = tmp_path / "bank"  # the image_item fixture wrote img.yaml and media/ruler.png here
    (bank / "tf.yaml").write_text(
        "id: tf-cli\ntype: true_false\nstem: 'Recovery is non-linear: true or false?'\nanswer: true\n"
        "true_rationale: Right.\nfalse_rationale: Setbacks happen.\nexplanation: Recovery has setbacks.\n",
        encoding="utf-8",
    )
    outputs = []
    for fmt in FORMATS:
        out = tmp_path / f"bank-{fmt}.zip"
        result = CliRunner().invoke(main, ["export", str(bank), "--format", fmt, "-o", str(out)])
        assert result.exit_code == 0, result.output
        package = read(fmt, out.read_bytes())
        assert set(package.items) == {"mc-image", "tf-cli"}
        assert any(name.startswith("media/ruler-") for name in package.files)
        outputs.append(out)
    qti_validate(*outputs)


@pytest.mark.parametrize("fmt", FORMATS)
def test_generated_banks_round_trip(fmt: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Generated banks full of special characters export, read back to the same content and score
    as intended; all of them are validated together at the end."""
    folder = tmp_path_factory.mktemp(f"generated-{fmt}")
    counter = itertools.count()

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(banks())
    def check(items: list[Any]) -> None:
        result = export(fmt, bank_items(items))
        (folder / f"bank-{next(counter)}.zip").write_bytes(result.data)
        check_package(fmt, result.data, items)

    check()
    qti_validate(folder)


def test_media_shared_by_items_is_packaged_once() -> None:
    png = MediaFile("media/a.png", "a-00000000.png", PNG, "image/png")
    items = [
        BankItem(_item(id=f"m{i}", type="essay", stem="Look: ![chart](media/a.png)"), {"media/a.png": png}) for i in range(2)
    ]
    package = read("qti21", export("qti21", items).data)
    assert [n for n in package.files if n.startswith("media/")] == ["media/a-00000000.png"]
    assert len([r for r in package.resources.values() if r.get("type") == "webcontent"]) == 1
