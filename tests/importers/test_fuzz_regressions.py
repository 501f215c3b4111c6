"""Inputs found by the fuzzer (benchmarks/fuzz.py), each run exactly as found through `qbank import`.

Each one used to end in a traceback. The promise for every file from a stranger: exit 1, one
message naming the file, the line and the fix, no traceback, and nothing written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from qbank.cli import main

# Moodle XML: an answer whose HTML nests 150 tables (450 elements) deep. markdownify converts HTML
# recursively and stopped with a RecursionError (found by fuzzing moodle-xml, minimised).
DEEP_MOODLE_XML = (
    b'<quiz><question type="multichoice"><answer><text>'
    + b"&lt;table&gt;&lt;tr&gt;&lt;td&gt;" * 150
    + b"</text></answer></question></quiz>"
)

# CSV: an options cell of 986 nested JSON arrays; json.loads stopped with a RecursionError (found by
# fuzzing csv, minimised). A cell nested that deeply is damaged or hostile: the file is refused.
DEEP_CSV = b"id,type,,stem,options\n,multiple_choice,,," + b"[" * 986 + b'"'

# Canvas (QTI 1.2): escaped HTML, 84 nested tables (252 elements) in a question's mattext. Not found by the
# fuzzer but the same defect as the Moodle XML one, through qbank.importers.qti2.markdown.
DEEP_CANVAS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<questestinterop><assessment ident="a" title="Quiz"><section ident="root_section">\n'
    b'<item ident="q1" title="Q"><presentation><material><mattext texttype="text/html">'
    + b"&lt;table&gt;&lt;tr&gt;&lt;td&gt;" * 84
    + b"Which?</mattext></material>"
    b'<response_lid ident="response1" rcardinality="Single"><render_choice>'
    b'<response_label ident="1"><material><mattext texttype="text/plain">Yes</mattext></material></response_label>'
    b'<response_label ident="2"><material><mattext texttype="text/plain">No</mattext></material></response_label>'
    b"</render_choice></response_lid></presentation></item></section></assessment></questestinterop>\n"
)

CASES = {
    "moodle-xml-deep-html": ("deep.xml", "moodle-xml", DEEP_MOODLE_XML, ["line 1", "<answer>", "nested more than 100 elements deep", "simplify"]),
    "csv-deep-json": ("deep.csv", "csv", DEEP_CSV, ["line 2", "'options' cell", "more than 32 levels deep", "flat array"]),
    "canvas-deep-html": ("deep-canvas.xml", "canvas", DEEP_CANVAS, ["line 3", "nested more than 100 elements deep", "simplify"]),
}


def files_in(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) if folder.exists() else []


@pytest.mark.parametrize("detected", [False, True], ids=["from", "detected"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_fuzzer_finding_is_one_clear_message(tmp_path: Path, case: str, detected: bool) -> None:
    name, fmt, data, expected = CASES[case]
    source = tmp_path / name
    source.write_bytes(data)
    out = tmp_path / "out"
    args = ["import", str(source), "-o", str(out)] + ([] if detected else ["--from", fmt])
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"qbank: error: {source}: "), lines[0]
    for part in expected:
        assert part in lines[0], lines[0]
    assert lines[0].endswith("; nothing was written")
    assert result.stdout == ""
    assert files_in(out) == []


# Aiken: a question whose text is 50,000 "<b>" (or "[![") took 4 s and more, nearly all of it in
# html_md's optional clean-up of markdownify's escapes, which re-renders the whole text once per
# escaped character and, unescaped, produced 50,000 nested <b> for the sanitiser (found by fuzzing
# aiken as two timeouts, in markup._render and markup.sanitise; the minimised inputs were this text
# plus the original options, 152 kB).
SLOW_AIKEN = {
    "nested-b": b"<b>" * 50000 + b"x\nA. Yes\nB. No\nANSWER: A\n",
    "brackets": b"[![" * 50000 + b"x\nA. Yes\nB. No\nANSWER: A\n",
}


@pytest.mark.parametrize("case", sorted(SLOW_AIKEN))
def test_long_plain_text_imports_with_one_render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    from qbank.importers import html_md

    renders: list[int] = []
    real = html_md.markdown_to_html

    def counting(markdown: str) -> str:
        renders.append(len(markdown))
        return real(markdown)

    monkeypatch.setattr(html_md, "markdown_to_html", counting)
    source = tmp_path / "questions.txt"
    source.write_bytes(SLOW_AIKEN[case])
    result = CliRunner().invoke(main, ["import", str(source), "-o", str(tmp_path / "out"), "--from", "aiken"])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("*.yaml"))) == 1
    assert len([n for n in renders if n > 20_000]) == 1  # the check itself; no trial renders of the long text


def test_deeply_nested_brackets_are_not_detected_as_gift(tmp_path: Path) -> None:
    """992 '[' made GIFT detection's JSON check stop with a RecursionError (found by fuzzing detect)."""
    source = tmp_path / "brackets.txt"
    source.write_bytes(b"[" * 992)
    result = CliRunner().invoke(main, ["import", str(source), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "internal error" not in result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert f"{source}: cannot tell the format from the content" in line
    assert files_in(tmp_path / "out") == []


def test_deep_html_in_one_gift_question_leaves_out_that_question_at_its_line(tmp_path: Path) -> None:
    source = tmp_path / "questions.gift"
    deep = "<div>" * 150 + "Which?" + "</div>" * 150
    source.write_text(
        "::good::Peer support is built on lived experience. {T}\n\n"
        f"::deep::[html]{deep} {{=Yes ~No}}\n\n"
        "::also-good::Recovery is a process. {T}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["import", str(source), "-o", str(out)])
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors == [f"{source.as_posix()}:3: error: HTML nested more than 100 elements deep, more than qbank converts; "
                      "simplify the formatting of this text in the source"]
    assert files_in(out) == ["also-good.yaml", "good.yaml"]
