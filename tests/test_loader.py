"""The loader: YAML 1.2 scalars, positions, and a clear problem (never a traceback) for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.loader import LoadResult, load_paths, load_text

# Every test here runs with libyaml and with ruamel.yaml's pure-Python parser (see conftest).
pytestmark = pytest.mark.usefixtures("yaml_parser")

MC = """\
id: q1
type: multiple_choice
stem: Which option?
explanation: Because.
options:
  - text: {text}
    correct: true
    rationale: Right.
  - text: Other
    rationale: Wrong.
"""


def load(text: str) -> LoadResult:
    result = LoadResult()
    load_text(text, "bank.yaml", result)
    return result


@pytest.mark.parametrize("plain", ["Yes", "No", "On", "Off", "y", "n", "0800", "1.50", "1e3", "0o17", "0x1F", "~x", "12:30"])
def test_plain_scalars_in_text_fields_stay_as_written(plain: str) -> None:
    result = load(MC.format(text=plain))
    assert not result.problems
    assert result.items[0].item.options[0].text == plain


def test_yaml_1_2_booleans_only_true_and_false() -> None:
    result = load(MC.format(text="A").replace("correct: true", "correct: yes"))
    assert not result.items
    [problem] = result.problems
    assert problem.code == "QB002"
    assert (problem.line, problem.column) == (7, 14)
    assert "true or false" in problem.message and "yes" in problem.message


def test_numbers_resolve_in_number_fields() -> None:
    text = "id: n1\ntype: numerical\nstem: How many?\nanswer: 0x10\ntolerance: 0.5\npoints: 2\n"
    [entry] = load(text).items
    assert entry.item.answer == 16
    assert entry.item.tolerance == 0.5 and entry.item.points == 2


def test_hex_with_sign_is_text_in_yaml_1_2() -> None:
    result = load("id: n1\ntype: numerical\nstem: How many?\nanswer: -0x10\n")
    [problem] = result.problems
    assert "must be a number" in problem.message


def test_null_text_is_a_schema_problem_at_its_line() -> None:
    result = load("id: q\ntype: essay\nstem: ~\n")
    [problem] = result.problems
    assert problem.line == 3 and "stem must be text" in problem.message


def test_positions_of_nested_values() -> None:
    [entry] = load(MC.format(text="A")).items
    assert entry.position(("options", 1, "text")) == (9, 11)
    assert entry.position(("options", 1)) == (9, 5)
    assert entry.position(("options", 1, "nonexistent")) == (9, 5)
    assert entry.position(()) == (1, 1)


def test_several_documents_per_file() -> None:
    text = MC.format(text="A") + "---\n" + MC.format(text="B").replace("id: q1", "id: q2") + "---\n"
    result = load(text)
    assert [e.id for e in result.items] == ["q1", "q2"]
    assert result.items[1].line == 12


def test_unknown_field_suggests_the_right_name() -> None:
    result = load(MC.format(text="A").replace("options:", "optoins:"))
    messages = [p.message for p in result.problems]
    assert any("unknown field 'optoins'; did you mean 'options'?" in m for m in messages)
    problem = next(p for p in result.problems if "optoins" in p.message)
    assert (problem.line, problem.column) == (5, 1)


def test_unknown_nested_field_suggests_the_nested_name() -> None:
    result = load(MC.format(text="A").replace("rationale: Wrong.", "rationle: Wrong."))
    [problem] = result.problems
    assert "did you mean 'rationale'" in problem.message and problem.line == 10


def test_unknown_type_suggests_a_type() -> None:
    result = load("id: q\ntype: multple_choice\nstem: x\n")
    [problem] = result.problems
    assert "did you mean 'multiple_choice'" in problem.message and problem.line == 2


def test_missing_required_field() -> None:
    result = load("id: q\ntype: true_false\nstem: x\n")
    [problem] = result.problems
    assert problem.message == "missing required field 'answer'"


def test_duplicate_key_is_reported_and_first_value_kept() -> None:
    result = load("id: q\ntype: true_false\nstem: x\nanswer: true\nanswer: false\n")
    [problem] = result.problems
    assert problem.code == "QB004" and problem.line == 5 and "line 4" in problem.message
    assert result.items[0].item.answer is True


@pytest.mark.parametrize(
    "text, line",
    [
        ("id: q\nstem: [a, b\n", 3),
        ("id: q\n  stem: x\n bad: y\n", 2),
        ("id: q\nstem: 'unterminated\n", 3),
        ("id: q\n\tstem: x\n", 2),
        ("id: q\nstem: *nothing\n", 2),
        ("id: q\nstem: !custom x\n", 2),
    ],
)
def test_syntax_errors_become_one_qb001_with_a_line(text: str, line: int) -> None:
    result = load(text)
    [problem] = result.problems
    assert problem.code == "QB001"
    assert problem.line == line
    assert problem.message


def test_markdown_image_at_the_start_of_a_plain_value_gets_a_quoting_hint() -> None:
    [problem] = load("id: q\ntype: essay\nstem: ![A chart](chart.png) What does it show?\n").problems
    assert problem.code == "QB001" and problem.line == 3 and "quote the whole value" in problem.message


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: q\nstem: caf\xe9\n".encode("latin-1"))
    result = load_paths([tmp_path])
    [problem] = result.problems
    assert problem.code == "QB001" and problem.line == 2 and "UTF-8" in problem.message


def test_document_that_is_not_a_mapping() -> None:
    result = load("- id: q\n  type: essay\n")
    [problem] = result.problems
    assert problem.code == "QB002" and "separate items" in problem.message


def test_recursive_alias_is_refused() -> None:
    result = load("id: q\ntype: essay\nstem: x\ntags: &a [*a]\n")
    assert [p.code for p in result.problems] == ["QB001"]


def test_files_are_found_sorted_and_hidden_folders_skipped(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "b" / "z.yml").write_text("id: z\ntype: essay\nstem: Z?\n")
    (tmp_path / "a.yaml").write_text("id: a\ntype: essay\nstem: A?\n")
    (tmp_path / ".git" / "x.yaml").write_text("id: x\ntype: essay\nstem: X?\n")
    (tmp_path / "notes.txt").write_text("not an item")
    result = load_paths([tmp_path], relative_to=tmp_path)
    assert result.files == ["a.yaml", "b/z.yml"]
    assert [e.id for e in result.items] == ["a", "z"]


def test_loading_never_modifies_the_input(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    content = b"id: q\ntype: essay\nstem: [broken\n"
    path.write_bytes(content)
    load_paths([path])
    assert path.read_bytes() == content


def _yaml_printable(ch: str) -> bool:
    """YAML 1.2 c-printable: what a YAML stream may carry literally."""
    cp = ord(ch)
    return cp in (0x9, 0xA, 0xD, 0x85) or 0x20 <= cp <= 0x7E or 0xA0 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or cp >= 0x10000


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")).filter(_yaml_printable), min_size=1, max_size=30).filter(
    lambda s: s.strip() == s and s
)


def test_character_yaml_cannot_carry_is_one_clear_problem() -> None:
    result = load("id: q\ntype: essay\nstem: bad \ufffe here\n")
    [problem] = result.problems
    assert problem.code == "QB001" and (problem.line, problem.column) == (3, 11) and "U+FFFE" in problem.message


@settings(max_examples=200, deadline=None)
@given(_text)
def test_any_text_written_as_a_plain_or_quoted_scalar_loads_unchanged(value: str) -> None:
    """Whatever an author writes as option text comes back as the same string (double-quoted here)."""
    import json

    quoted = json.dumps(value, ensure_ascii=False)  # a JSON string is a valid YAML double-quoted scalar
    result = load(MC.format(text=quoted))
    assert not result.problems, result.problems
    assert result.items[0].item.options[0].text == value
