"""The GIFT export as Moodle and gift-pegjs read it.

Every export is parsed with the independent gift-pegjs parser (``gift_parse``) and compared item by
item with the source. Moodle's own reader (question/format/gift/format.php) differs from gift-pegjs
exactly where it matters for grading (how ``%50%`` weights, ``->`` and true/false feedback are read),
so each file is also read by :func:`moodle_read`, a small model of that reader written here from its
documented steps, and compared once more.

Text comes back as the Markdown the author wrote, after undoing the three documented rewrites:
``&#37;`` for a leading ``%`` of an answer, ``-\\>`` for ``->`` in a matching prompt or a key, and
``\\*`` for a literal star in a short answer (see ``exporters/_gift_text.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from qbank.exporters import BankItem, ExportOptions, ExportResult, all_exporters
from qbank.exporters._moodle import MENU, is_on_menu, negative, share
from qbank.exporters.gift import GiftExporter

from qbank.cli import main
from qbank.markup import media_refs
from qbank.model import (
    Essay,
    Item,
    Matching,
    MultipleChoice,
    MultipleResponse,
    Numerical,
    ShortAnswer,
    TrueFalse,
    text_fields,
)
from tests.exporters.conftest import HOSTILE, OPTIONS, _item, bank_items, gift_parse
from tests.exporters.strategies import banks


def export(items: Sequence[BankItem], **options: Any) -> ExportResult:
    opts = ExportOptions(**{"title": OPTIONS.title, "identifier": OPTIONS.identifier, **options})
    return GiftExporter().export(items, opts)


def parse(data: bytes, tmp_path: Path, name: str = "export.gift") -> list[dict[str, Any]]:
    path = tmp_path / name
    path.write_bytes(data)
    return gift_parse(path)


def questions(parsed: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Questions by id, each with the category that was current when it was read."""
    out: dict[str, dict[str, Any]] = {}
    category = None
    for element in parsed:
        if element["type"] == "Category":
            category = element["title"]
            continue
        assert element["id"] not in out, element["id"]
        out[element["id"]] = {**element, "category": category}
    return out


def skipped(result: ExportResult) -> set[str]:
    return {w.item_id for w in result.omitted}


# --- what the author wrote, and what comes back --------------------------------------------------------


def source(text: str) -> str:
    """A field as both readers keep it: Unix newlines, trimmed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def answer_text(text: str) -> str:
    return "%" + text[5:] if text.startswith("&#37;") else text


def prompt_text(text: str) -> str:
    return text.replace("-\\>", "->")


def choice_text(text: str, key: bool) -> str:
    return answer_text(prompt_text(text) if key else text)


def literal_answer(text: str) -> str:
    return text.replace("\\*", "*")


_PEGJS_PLACEHOLDERS = {"&&092;": "\\", "&&058;": ":", "&&035;": "#", "&&061;": "=", "&&123;": "{", "&&125;": "}", "&&126;": "~", "&&010": "\n"}


def pegjs_plain(text: str) -> str:
    """gift-pegjs 1.0.2 leaves its escape placeholders in the plain right-hand side of a matching
    pair (Moodle decodes them); decode them here."""
    for placeholder, char in _PEGJS_PLACEHOLDERS.items():
        text = text.replace(placeholder, char)
    return text


def rich(value: dict[str, Any] | None) -> str | None:
    """gift-pegjs rich text; GIFT from qbank is Markdown throughout."""
    if value is None:
        return None
    assert value["format"] == "markdown", value
    return str(value["text"])


def opt(text: str | None) -> str | None:
    return None if text is None or not source(text) else source(text)


def check_question(item: Item, q: dict[str, Any]) -> None:
    """One gift-pegjs question against its source item."""
    assert q["title"] == source(item.title or item.id)
    assert q["id"] == item.id
    assert (q["tags"] or []) == item.tags
    assert rich(q["stem"]) == source(item.stem)
    assert q["hasEmbeddedAnswers"] is False
    assert rich(q["globalFeedback"]) == opt(item.explanation)
    if isinstance(item, MultipleChoice):
        assert q["type"] == "MC"
        assert [c["isCorrect"] for c in q["choices"]] == [o.correct for o in item.options]
        assert [c["weight"] for c in q["choices"]] == [None] * len(item.options)
        got = [choice_text(rich(c["text"]) or "", c["isCorrect"]) for c in q["choices"]]
        assert got == [source(o.text) for o in item.options]
        assert [rich(c["feedback"]) for c in q["choices"]] == [opt(o.rationale) for o in item.options]
    elif isinstance(item, MultipleResponse):
        assert q["type"] == "MC"
        plus = float(share(sum(o.correct for o in item.options))[0])
        n_wrong = sum(not o.correct for o in item.options)
        minus = -float(share(n_wrong)[0]) if n_wrong else 0.0
        assert [c["isCorrect"] for c in q["choices"]] == [False] * len(item.options)
        assert [c["weight"] for c in q["choices"]] == [plus if o.correct else minus for o in item.options]
        assert [answer_text(rich(c["text"]) or "") for c in q["choices"]] == [source(o.text) for o in item.options]
        assert [rich(c["feedback"]) for c in q["choices"]] == [opt(o.rationale) for o in item.options]
    elif isinstance(item, TrueFalse):
        assert q["type"] == "TF" and q["isTrue"] is item.answer
        # gift-pegjs calls them true/false feedback; they are Moodle's wrong-answer and right-answer feedback.
        right, wrong = (item.true_rationale, item.false_rationale) if item.answer else (item.false_rationale, item.true_rationale)
        assert rich(q["trueFeedback"]) == opt(wrong)
        assert rich(q["falseFeedback"]) == opt(right)
    elif isinstance(item, ShortAnswer):
        assert q["type"] == "Short"
        kept = [a for a in item.answers if "->" not in a]
        assert [literal_answer(rich(c["text"]) or "") for c in q["choices"]] == [source(a) for a in kept]
        assert all(c["isCorrect"] and c["weight"] in (None, 100) and c["feedback"] is None for c in q["choices"])
    elif isinstance(item, Numerical):
        assert q["type"] == "Numerical"
        answer = q["choices"]
        assert answer["number"] == item.answer
        assert answer == ({"type": "range", "number": item.answer, "range": item.tolerance} if item.tolerance else {"type": "simple", "number": item.answer})
    elif isinstance(item, Matching):
        assert q["type"] == "Matching"
        pairs = [(prompt_text(rich(p["subquestion"]) or ""), pegjs_plain(p["subanswer"])) for p in q["matchPairs"]]
        expected = [(source(p.prompt), p.match) for p in item.pairs] + [("", d) for d in item.distractors]
        # gift-pegjs collapses runs of spaces in the plain right-hand side; Moodle only trims it.
        assert pairs == [(p, " ".join(m.split())) for p, m in expected]
    else:
        assert isinstance(item, Essay) and q["type"] == "Essay"


# --- a model of Moodle's reader ------------------------------------------------------------------------

_PLACEHOLDER = {":": "\x01058", "#": "\x01035", "=": "\x01061", "{": "\x01123", "}": "\x01125", "~": "\x01126", "n": "\x01010"}
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
_FORMATS = ("moodle", "html", "plain", "markdown")


def _pre(text: str) -> str:
    text = text.replace("\\\\", "\x00")
    for char, placeholder in _PLACEHOLDER.items():
        text = text.replace("\\" + char, placeholder)
    return text.replace("\x00", "\\")


def _post(text: str) -> str:
    for char, placeholder in _PLACEHOLDER.items():
        text = text.replace(placeholder, "\n" if char == "n" else char)
    return text


def _formatted(text: str, default: str) -> tuple[str, str]:
    """(format, text) the way Moodle reads a field that may start with a [format] marker."""
    text = text.strip()
    fmt = default
    if text.startswith("[") and "]" in text:
        name = text[1 : text.index("]")]
        if name in _FORMATS:
            fmt, text = name, text[text.index("]") + 1 :]
    return fmt, _post(text).strip()


def _weight(answer: str) -> tuple[float, str]:
    answer = answer[1:]
    end = answer.index("%")
    return float(answer[:end]) / 100, answer[end + 1 :]


def moodle_read(block: str) -> dict[str, Any]:
    """What Moodle's GIFT reader makes of one question block (the steps of readquestion())."""
    lines = [line.strip() for line in block.split("\n")]
    comments = " ".join(line for line in lines if line.startswith("//"))
    text = _pre("\n".join(" " if line.startswith("//") else line for line in lines).strip())
    if text.startswith("$CATEGORY:"):
        return {"qtype": "category", "path": text[10:].strip()}
    q: dict[str, Any] = {"idnumber": (re.findall(r"\[id:([^\]]+)\]", comments) or [""])[0], "tags": re.findall(r"\[tag:([^\]<>`]+)\]", comments)}
    assert text.startswith("::")
    end = text.index("::", 2)
    q["name"], text = _post(text[2:end]).strip(), text[end + 2 :].strip()
    start, finish = text.index("{"), text.index("}")
    assert text.endswith("}"), "answers must close the question, else Moodle reads a missing-word question"
    answers = text[start + 1 : finish].strip()
    feedback = ""
    if "####" in answers:
        cut = answers.rindex("####")
        answers, feedback = answers[:cut].strip(), answers[cut + 4 :]
    fmt, q["questiontext"] = _formatted(text[:start], "moodle")
    q["format"] = fmt
    q["generalfeedback"] = _formatted(feedback, fmt)[1]
    if answers == "":
        q["qtype"] = "essay"
    elif answers[0] == "#":
        q["qtype"] = "numerical"
        q["answers"] = [tuple(float(x) for x in (a.strip().split(":") + ["0"])[:2]) for a in answers[1:].split("=") if a.strip()]
    elif "~" in answers:
        q["qtype"] = "multichoice"
        q["single"] = "=" in answers
        q["answers"] = []
        for answer in [a.strip() for a in answers.replace("=", "~=").split("~") if a.strip()]:
            if answer[0] == "=":
                fraction, answer = 1.0, answer[1:]
            elif _WEIGHT.match(answer):
                fraction, answer = _weight(answer)
            else:
                fraction = 0.0
            body, _, fb = answer.partition("#")
            q["answers"].append((_formatted(body, fmt)[1], fraction, _formatted(fb, fmt)[1]))
    elif "=" in answers and "->" in answers:
        q["qtype"] = "match"
        pairs = [a.strip() for a in answers.split("=") if a.strip()]
        q["pairs"] = [(_formatted(p[: p.index("->")], fmt)[1], _post(p[p.index("->") + 2 :]).strip()) for p in pairs]
    elif answers.split("#")[0].strip() in ("T", "TRUE", "F", "FALSE"):
        q["qtype"] = "truefalse"
        bits = (answers.split("#", 2) + ["", ""])[:3]
        is_true = bits[0].strip() in ("T", "TRUE")
        wrong, right = _formatted(bits[1], fmt)[1], _formatted(bits[2], fmt)[1]
        q["correctanswer"] = is_true
        q["feedbacktrue"], q["feedbackfalse"] = (right, wrong) if is_true else (wrong, right)
    else:
        q["qtype"] = "shortanswer"
        q["answers"] = []
        for answer in [a.strip() for a in answers.split("=") if a.strip()]:
            fraction = 1.0
            if _WEIGHT.match(answer):
                fraction, answer = _weight(answer)
            q["answers"].append((_formatted(answer.partition("#")[0], fmt)[1], fraction))
    return q


def wildcard_literal(pattern: str) -> str:
    """The literal text a Moodle short-answer pattern accepts, when it has no unescaped wildcard."""
    assert re.search(r"(?<!\\)\*", pattern) is None, f"unescaped wildcard in {pattern!r}"
    return pattern.replace("\\*", "*")


def check_moodle(item: Item, q: dict[str, Any]) -> None:
    """One question as Moodle's reader sees it, against its source item."""
    assert q["idnumber"] == item.id and q["tags"] == item.tags
    assert q["name"] == source(item.title or item.id)
    assert q["format"] == "markdown" and q["questiontext"] == source(item.stem)
    assert q["generalfeedback"] == (opt(item.explanation) or "")
    if isinstance(item, MultipleChoice):
        assert q["qtype"] == "multichoice" and q["single"] is True
        got = [(choice_text(t, f == 1), f, fb) for t, f, fb in q["answers"]]
        assert got == [(source(o.text), 1.0 if o.correct else 0.0, opt(o.rationale) or "") for o in item.options]
    elif isinstance(item, MultipleResponse):
        assert q["qtype"] == "multichoice" and q["single"] is False
        plus = float(share(sum(o.correct for o in item.options))[0]) / 100
        n_wrong = sum(not o.correct for o in item.options)
        minus = -float(share(n_wrong)[0]) / 100 if n_wrong else 0.0
        got = [(answer_text(t), f, fb) for t, f, fb in q["answers"]]
        assert got == [(source(o.text), plus if o.correct else minus, opt(o.rationale) or "") for o in item.options]
    elif isinstance(item, TrueFalse):
        assert q["qtype"] == "truefalse" and q["correctanswer"] is item.answer
        assert q["feedbacktrue"] == (opt(item.true_rationale) or "")
        assert q["feedbackfalse"] == (opt(item.false_rationale) or "")
    elif isinstance(item, ShortAnswer):
        assert q["qtype"] == "shortanswer"
        assert [(wildcard_literal(a), f) for a, f in q["answers"]] == [(source(a), 1.0) for a in item.answers if "->" not in a]
    elif isinstance(item, Numerical):
        assert q["qtype"] == "numerical" and q["answers"] == [(item.answer, item.tolerance)]
    elif isinstance(item, Matching):
        assert q["qtype"] == "match"
        pairs = [(prompt_text(p), m) for p, m in q["pairs"]]
        assert pairs == [(source(p.prompt), source(p.match)) for p in item.pairs] + [("", source(d)) for d in item.distractors]
    else:
        assert q["qtype"] == "essay"


def moodle_questions(data: bytes) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Questions by id and the category paths in order, split on blank lines as Moodle does."""
    text = data.decode("utf-8")
    blocks: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if line.strip() in ("", "0"):  # PHP's empty(): "0" counts as blank too
            if current:
                blocks.append("\n".join(current))
            current = []
        else:
            current.append(line)
    if current:
        blocks.append("\n".join(current))
    found: dict[str, dict[str, Any]] = {}
    paths = []
    for block in blocks:
        q = moodle_read(block)
        if q["qtype"] == "category":
            paths.append(q["path"])
        else:
            found[q["idnumber"]] = q
    return found, paths


def check_export(items: Sequence[BankItem], result: ExportResult, parsed: list[dict[str, Any]]) -> None:
    """Both readers give back every exported item; the items that were not exported say why."""
    by_id = questions(parsed)
    moodle, _ = moodle_questions(result.data)
    gone = skipped(result)
    assert set(by_id) == set(moodle) == {e.item.id for e in items} - gone
    for entry in items:
        if entry.item.id not in gone:
            check_question(entry.item, by_id[entry.item.id])
            check_moodle(entry.item, moodle[entry.item.id])


def check_file_shape(data: bytes) -> None:
    text = data.decode("utf-8")
    assert "\r" not in text and not text.startswith("\ufeff")
    assert text.endswith("}\n") and "\n\n\n" not in text
    for block in text[:-1].split("\n\n"):
        lines = block.split("\n")
        # Nothing but qbank's own comment lines starts with //, and no block has a blank line inside.
        assert all(line.strip() for line in lines)
        assert all(re.fullmatch(r"// \[(id|tag):.*", line) for line in lines if line.lstrip().startswith("//"))
    for weight in re.findall(r"^\t~%([^%]*)%", text, re.MULTILINE):
        assert is_on_menu(weight), weight


# --- fixtures: every type, hostile text, Markdown ------------------------------------------------------


def test_all_types_read_back_in_both_readers(all_types: list[BankItem], tmp_path: Path) -> None:
    result = export(all_types)
    check_file_shape(result.data)
    parsed = parse(result.data, tmp_path)
    check_export(all_types, result, parsed)
    assert not skipped(result)
    assert {q["type"] for q in questions(parsed).values()} == {"MC", "TF", "Short", "Numerical", "Matching", "Essay"}


def test_hostile_text_and_paragraphs_survive(all_types: list[BankItem], tmp_path: Path) -> None:
    result = export(all_types)
    q = questions(parse(result.data, tmp_path))["mc-hostile"]
    assert HOSTILE in q["stem"]["text"]
    assert q["stem"]["text"].endswith("\n\nA second paragraph after a blank line.\n\n- a list item\n- another")
    assert q["globalFeedback"]["text"] == HOSTILE + "\n\nSecond paragraph of the explanation."
    assert q["choices"][0]["text"]["text"] == "=SUM(A1:A2) looks like a formula"
    assert q["choices"][2]["feedback"]["text"] == "Line one\n\nParagraph two"
    # The paragraphs are in the file as backslash-n: the question is one block.
    block = next(b for b in result.data.decode().split("\n\n") if "[id:mc-hostile]" in b)
    assert "A second paragraph" in block and "\\n\\n- a list item\\n- another{" in block


def test_true_false_feedback_goes_to_the_answer_it_explains(tmp_path: Path) -> None:
    items = bank_items([
        _item(id="tf-t", type="true_false", stem="True statement.", answer=True, true_rationale="Said true.", false_rationale="Said false."),
        _item(id="tf-f", type="true_false", stem="False statement.", answer=False, true_rationale="Said true.", false_rationale="Said false."),
        _item(id="tf-right-only", type="true_false", stem="S.", answer=True, true_rationale="Said true."),
        _item(id="tf-wrong-only", type="true_false", stem="S.", answer=False, true_rationale="Said true."),
    ])
    result = export(items)
    text = result.data.decode()
    # Moodle: the first feedback is shown after a wrong answer, the second after a right one.
    assert "{TRUE#Said false.#Said true.####" in text
    assert "{FALSE#Said true.#Said false.####" in text
    assert "{TRUE##Said true.####" in text
    assert "{FALSE#Said true.####" in text
    check_export(items, result, parse(result.data, tmp_path))


def test_multiple_response_weights_are_on_moodles_menu(tmp_path: Path) -> None:
    def mr(i: int, right: int, wrong: int) -> Any:
        options = [{"text": f"Right {n}", "correct": True} for n in range(right)] + [{"text": f"Wrong {n}"} for n in range(wrong)]
        return _item(id=f"mr-{i}", type="multiple_response", stem="Select all that apply.", options=options)

    cases = [(1, 1), (2, 2), (3, 3), (1, 5), (4, 6), (6, 1), (7, 2), (3, 0), (12, 1), (2, 11)]
    items = bank_items([mr(i, r, w) for i, (r, w) in enumerate(cases)])
    result = export(items)
    check_file_shape(result.data)
    check_export(items, result, parse(result.data, tmp_path))
    for (right, wrong), entry in zip(cases, items):
        q = moodle_questions(result.data)[0][entry.item.id]
        fractions = [f for _, f, _ in q["answers"]]
        assert all(is_on_menu(f"{abs(f) * 100:.5f}".rstrip("0").rstrip(".")) for f in fractions)
        if share(right)[1]:
            assert sum(f for f in fractions if f > 0) == pytest.approx(1, abs=1e-6)
        if wrong and share(wrong)[1] and share(right)[1]:
            assert sum(fractions) == pytest.approx(0, abs=1e-6)  # ticking every option scores nothing
    inexact = {w.item_id for w in result.warnings if "no exact" in w.message}
    assert inexact == {"mr-8", "mr-9"}
    assert share(12)[0] in result.data.decode() and negative(share(11)[0]) in result.data.decode()
    assert "100" in MENU


def test_categories_follow_folders_tags_or_nothing(tmp_path: Path) -> None:
    items = [
        BankItem(_item(id="a1", type="essay", stem="A1?", tags=["ethics/law", "x"]), {}, ("ethics", "boundaries")),
        BankItem(_item(id="a2", type="essay", stem="A2?", tags=["ethics/law"]), {}, ("ethics", "boundaries")),
        BankItem(_item(id="b1", type="essay", stem="B1?"), {}, ()),
        BankItem(_item(id="c1", type="essay", stem="C1?", tags=["crisis"]), {}, ("crisis",)),
        BankItem(_item(id="a3", type="essay", stem="A3?"), {}, ("ethics", "boundaries")),
    ]
    folder = export(items)
    _, paths = moodle_questions(folder.data)
    assert paths == ["ethics/boundaries", OPTIONS.title, "crisis", "ethics/boundaries"]
    parsed = questions(parse(folder.data, tmp_path))
    assert {i: q["category"] for i, q in parsed.items()} == {
        "a1": "ethics/boundaries", "a2": "ethics/boundaries", "b1": OPTIONS.title, "c1": "crisis", "a3": "ethics/boundaries",
    }
    by_tag = export(items, category="tag")
    assert moodle_questions(by_tag.data)[1] == ["ethics//law", OPTIONS.title, "crisis", OPTIONS.title]
    none = export(items, category="none")
    assert "$CATEGORY" not in none.data.decode() and moodle_questions(none.data)[1] == []
    assert len(questions(parse(none.data, tmp_path, "none.gift"))) == 5


def test_format_markers_percent_and_arrows_stay_text(tmp_path: Path) -> None:
    items = bank_items([
        _item(
            id="mc-edge", type="multiple_choice", stem="[html] is not a format here.",
            options=[
                {"text": "%50% of people", "correct": True, "rationale": "[plain] text"},
                {"text": "%-100% never", "rationale": "%5% feedback"},
                {"text": "[markdown] literally"},
            ],
            explanation="[moodle] general",
        ),
        _item(
            id="mc-arrow", type="multiple_choice", stem="Arrows.",
            options=[{"text": "a -> b and `c->d`", "correct": True}, {"text": "e -> f"}, {"text": "->"}],
        ),
        _item(
            id="mr-edge", type="multiple_response", stem="Pick.",
            options=[{"text": "%10%", "correct": True}, {"text": "a -> b", "correct": True}, {"text": "=x"}],
        ),
        _item(
            id="match-edge", type="matching", stem="Match.",
            pairs=[{"prompt": "a -> b", "match": "c -> d"}, {"prompt": "[html]x", "match": "[html]y"}],
            distractors=["= -> not a pair"],
        ),
        _item(id="sa-edge", type="short_answer", stem="Type.", answers=["%5%", "a*b", "[plain]x", "T", "a -> b"]),
        _item(id="tf-edge", type="true_false", stem="T", answer=True, true_rationale="%1%"),
    ])
    result = export(items)
    check_export(items, result, parse(result.data, tmp_path))
    arrows = sorted((w.item_id, w.message) for w in result.warnings if "->" in w.message)
    assert [item_id for item_id, _ in arrows] == ["mc-arrow", "sa-edge"]
    assert "code in the option 1 text" in arrows[0][1] and "answer 5" in arrows[1][1]


def test_numbers_are_plain_decimals(tmp_path: Path) -> None:
    values = [(10, 0), (-3.25, 0.5), (1e-05, 1e-06), (123456789012.5, 0.25), (2e20, 1e3), (0.1, 0.01)]
    items = bank_items([
        _item(id=f"num-{i}", type="numerical", stem="Value?", answer=float(a), tolerance=float(t)) for i, (a, t) in enumerate(values)
    ])
    result = export(items)
    text = result.data.decode()
    assert "{#0.00001:0.000001####" in text and "{#200000000000000000000:1000####" in text and "{#10####" in text
    assert "e" not in "".join(re.findall(r"\{#([^#}]*)", text))
    check_export(items, result, parse(result.data, tmp_path))


# --- what GIFT cannot carry ----------------------------------------------------------------------------


def test_image_is_replaced_by_its_alt_text_with_a_warning(image_item: BankItem, tmp_path: Path) -> None:
    result = export([image_item])
    [warning] = result.warnings
    assert warning.item_id == "mc-image"
    assert "media/ruler.png" in warning.message and "[image: A readiness ruler at 3]" in warning.message
    [q] = questions(parse(result.data, tmp_path)).values()
    assert q["stem"]["text"] == "Which stage does this ruler show? [image: A readiness ruler at 3]"
    assert "ruler.png" not in result.data.decode()


def test_local_media_everywhere_is_reported_and_code_is_left_alone(tmp_path: Path) -> None:
    item = _item(
        id="media", type="multiple_choice",
        stem="See ![Chart](img/chart.png) and [the handout](docs/handout.pdf), not `![x](code.png)`.\n\n"
        "Remote ![Logo](https://example.org/logo.png) stays.",
        options=[
            {"text": '<img src="img/a.png" alt="Option A">', "correct": True, "rationale": "![][ref]\n\n[ref]: img/ref.png"},
            {"text": "Plain"},
        ],
        explanation="Also ![Chart](img/chart.png) again.",
    )
    result = export(bank_items([item]))
    messages = [w.message for w in result.warnings]
    assert any("img/chart.png in the stem" in m and "[image: Chart]" in m for m in messages)
    assert any("docs/handout.pdf in the stem" in m and "'the handout'" in m for m in messages)
    assert any("img/a.png in the option 1 text" in m and "[image: Option A]" in m for m in messages)
    assert any("img/ref.png in the option 1 rationale" in m and "[image: ref.png]" in m for m in messages)
    assert any("img/chart.png in the explanation" in m for m in messages)
    assert not any("code.png" in m or "example.org" in m for m in messages)
    [q] = questions(parse(result.data, tmp_path)).values()
    assert q["stem"]["text"] == (
        "See [image: Chart] and the handout, not `![x](code.png)`.\n\nRemote ![Logo](https://example.org/logo.png) stays."
    )
    assert q["choices"][0]["text"]["text"] == "[image: Option A]"


def test_what_gift_cannot_carry_is_named(all_types: list[BankItem]) -> None:
    by_item = {(w.item_id, w.message.split(" ")[0]) for w in export(all_types).warnings}
    assert by_item == {("mc-basic", "points"), ("mc-hostile", "shuffle:"), ("sa-case", "case_sensitive"), ("essay-basic", "guidance")}


def test_matching_distractors_are_carried_as_answers_without_a_prompt(all_types: list[BankItem], tmp_path: Path) -> None:
    result = export(all_types)
    assert "\t= -> Relapse prevention only\n" in result.data.decode()
    pairs = questions(parse(result.data, tmp_path))["match-basic"]["matchPairs"]
    assert pairs[-1] == {"subquestion": {"format": "markdown", "text": ""}, "subanswer": "Relapse prevention only"}
    assert not [w for w in result.warnings if w.item_id == "match-basic"]


def test_items_gift_cannot_express_are_skipped_with_a_reason(tmp_path: Path) -> None:
    items = bank_items([
        _item(id="mc-one", type="multiple_choice", stem="Only one?", options=[{"text": "Yes", "correct": True}]),
        _item(id="mc-nokey", type="multiple_choice", stem="None?", options=[{"text": "A"}, {"text": "B"}]),
        _item(id="mr-nokey", type="multiple_response", stem="None?", options=[{"text": "A"}, {"text": "B"}]),
        _item(id="sa-arrow", type="short_answer", stem="Arrow?", answers=["->"]),
        _item(id="num-inf", type="numerical", stem="Big?", answer=float("inf")),
        _item(id="match-one", type="matching", stem="One?", pairs=[{"prompt": "a", "match": "b"}]),
        _item(id="ok", type="true_false", stem="Fine.", answer=True),
    ])
    result = export(items)
    assert skipped(result) == {"mc-one", "mc-nokey", "mr-nokey", "sa-arrow", "num-inf", "match-one"}
    assert [q["id"] for q in questions(parse(result.data, tmp_path)).values()] == ["ok"]


def test_tags_and_names_moodle_would_alter_are_reported(tmp_path: Path) -> None:
    items = bank_items([
        _item(id="t1", type="essay", stem="S?", title="A <b>bold</b> title: with colon", tags=["ok", "a<b", "sq]uare", "t" * 51]),
        _item(id="x" * 101, type="essay", stem="S?", title="Long id"),
    ])
    result = export(items)
    messages = {w.message.split(":")[0] for w in result.warnings}
    assert any(m.startswith("tag 'a<b'") for m in messages)
    assert any("HTML tag" in w.message for w in result.warnings)
    assert any("longer than 100" in w.message for w in result.warnings)
    assert any("longer than 50" in w.message for w in result.warnings)
    text = result.data.decode()
    assert "// [tag:ok] [tag:sq\\]uare]" in text and "::A <b>bold</b> title\\: with colon::" in text
    found, _ = moodle_questions(result.data)
    assert found["t1"]["name"] == "A <b>bold</b> title: with colon" and found["t1"]["tags"][0] == "ok"


# --- the sample bank, determinism, the CLI ----------------------------------------------------------


def test_sample_bank_reads_back(sample_bank: list[BankItem], tmp_path: Path) -> None:
    result = export(sample_bank)
    check_file_shape(result.data)
    check_export(sample_bank, result, parse(result.data, tmp_path))
    assert not skipped(result)
    kinds = {w.message.split(" ")[0] for w in result.warnings}
    assert kinds <= {"points", "shuffle:", "guidance", "case_sensitive", "image", "linked"}, kinds


def test_export_is_deterministic(all_types: list[BankItem], sample_bank: list[BankItem]) -> None:
    for items in (all_types, sample_bank):
        first = export(items)
        assert export(list(items)).data == first.data and export(items).warnings == first.warnings
    assert export([]).data == b""


def test_registered_as_the_gift_format() -> None:
    exporter = all_exporters()["gift"]
    assert isinstance(exporter, GiftExporter) and exporter.extension == ".gift"


def _cli_bank(tmp_path: Path) -> None:
    folder = tmp_path / "items" / "ethics"
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text(
        "id: cli-a\ntype: true_false\nstem: \"1+1=2: true?\"\nanswer: true\n"
        "true_rationale: Right.\nfalse_rationale: It is two.\nexplanation: Arithmetic.\nstatus: approved\n",
        encoding="utf-8",
    )
    (folder / "b.yaml").write_text(
        "id: cli-b\ntype: essay\nstem: Explain {this}.\nguidance: Look for ~care.\nexplanation: Model answer.\n",
        encoding="utf-8",
    )


def test_cli_export(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _cli_bank(tmp_path)
    result = CliRunner().invoke(main, ["export", "items", "--format", "gift", "-o", "out.gift"])
    assert result.exit_code == 0, result.output
    assert "cli-b: guidance not exported" in result.output
    parsed = parse((tmp_path / "out.gift").read_bytes(), tmp_path, "check.gift")
    assert parsed[0] == {"type": "Category", "title": "ethics"}
    found = questions(parsed)
    assert found["cli-a"]["stem"]["text"] == "1+1=2: true?" and found["cli-b"]["stem"]["text"] == "Explain {this}."

    strict = CliRunner().invoke(main, ["export", "items", "--format", "gift", "-o", "strict.gift", "--strict"])
    assert strict.exit_code == 1 and not (tmp_path / "strict.gift").exists()
    assert "error: cli-b: guidance not exported" in strict.output


# --- generated banks -------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(bank=banks())
def test_generated_banks_read_back(bank: list[Item], tmp_path: Path) -> None:
    # Generated text can spell a local link ("[a](b)"); media has its own tests above.
    assume(not any(r.is_local for it in bank for _, t in text_fields(it, markdown_only=True) for r in media_refs(t)))
    items = [BankItem(it, {}, ("generated",)) for it in bank]
    result = export(items)
    check_file_shape(result.data)
    check_export(items, result, parse(result.data, tmp_path, "generated.gift"))
    assert export(items).data == result.data
