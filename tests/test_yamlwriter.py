"""The YAML writer: what it writes loads back to the same items, and reads like hand-written YAML."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml  # PyYAML: an independent YAML 1.1 reader, the one yamllint uses
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from qbank.cli import main
from qbank.loader import LoadResult, load_text
from qbank.model import ID_PATTERN, ITEM_ADAPTER, MODELS, Item, LintSettings, Option, Pair, text_fields
from qbank.yamlnodes import resolve_plain
from qbank.yamlwriter import dump_items, item_data
from tests.exporters.conftest import all_types_items
from tests.exporters.strategies import banks


def reload(text: str) -> LoadResult:
    result = LoadResult()
    load_text(text, "written.yaml", result)
    return result


def test_every_type_round_trips_with_comments_and_schema_header() -> None:
    items = all_types_items()
    text = dump_items([(it, f"from source line {i}") for i, it in enumerate(items)], schema="../schemas/item.schema.json")
    assert text.startswith("# yaml-language-server: $schema=../schemas/item.schema.json\n# from source line 0\nid: mc-basic\n")
    result = reload(text)
    assert not result.problems
    assert [e.item for e in result.items] == items


def test_reads_like_a_person_wrote_it() -> None:
    [mc] = [it for it in all_types_items() if it.id == "mc-basic"]
    text = dump_items([(mc, None)])
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith(" ")]
    assert keys == ["id", "type", "title", "stem", "options", "explanation", "points", "tags", "status"]
    assert "correct: false" not in text and "shuffle" not in text  # defaults are left out
    assert "tags: [core-skills]" in text
    hostile = next(it for it in all_types_items() if it.id == "mc-hostile")
    assert "stem: |-\n" in dump_items([(hostile, None)])  # multi-line Markdown as a literal block


@settings(max_examples=30, deadline=None)
@given(banks(max_size=4))
def test_generated_banks_round_trip(items: list) -> None:  # type: ignore[type-arg]
    result = reload(dump_items([(it, None) for it in items]))
    assert not result.problems, result.problems
    assert [e.item for e in result.items] == items


_any_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=25)


@settings(max_examples=400, deadline=None)
@given(stem=_any_text, option=_any_text, rationale=_any_text, tag=_any_text, title=_any_text)
def test_any_text_at_all_loads_back_unchanged(stem: str, option: str, rationale: str, tag: str, title: str) -> None:
    """Leading spaces, tabs, blank lines, control characters, YAML indicators, numbers-as-text:
    whatever a source file held, the written YAML reads back as exactly that text."""
    item = ITEM_ADAPTER.validate_python(
        {
            "id": "q1", "type": "multiple_choice", "stem": stem, "title": title, "tags": [tag],
            "options": [{"text": option, "correct": True, "rationale": rationale}, {"text": "other"}],
        }
    )
    result = reload(dump_items([(item, None)]))
    assert not result.problems, (dump_items([(item, None)]), result.problems)
    assert result.items[0].item == item


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=" \n\t\r\x85\u2028ab#:-|>'\"[]{}!&*?%@`,0.~\\", min_size=1, max_size=30))
def test_whitespace_and_indicator_heavy_text_loads_back_unchanged(text: str) -> None:
    item = ITEM_ADAPTER.validate_python({"id": "q1", "type": "essay", "stem": text, "guidance": text, "tags": [text]})
    result = reload(dump_items([(item, None)]))
    assert not result.problems, (dump_items([(item, None)]), result.problems)
    assert result.items[0].item == item


# --- YAML 1.1 readers ----------------------------------------------------------------------------------
# qbank reads YAML 1.2, but the files `qbank import` writes are also read by PyYAML, yamllint, editors
# and other tools that follow YAML 1.1, where `yes`, `=`, `1:20` or `2024-01-01` are not strings.
# Whatever the writer leaves plain must read as the same string in all of them.

YAML11_SPECIALS = [
    # value, merge key, null
    "=", "<<", "~", "null", "Null", "NULL", "nULL",
    # YAML 1.1 booleans, in any case (y/n are in the 1.1 spec; ruamel reads y as true)
    "y", "Y", "n", "N", "yes", "Yes", "YES", "yEs", "no", "No", "NO", "nO", "on", "On", "ON", "oN",
    "off", "Off", "OFF", "oFF", "true", "True", "TRUE", "tRUE", "false", "False", "FALSE", "fAlSe",
    # sexagesimal numbers
    "1:20", "190:20:30", "-1:20", "1:20.5", "190:20:30.15",
    # integers: 1.2 octal, hexadecimal, binary, old-style octal, underscores
    "0o17", "+0o17", "0x1F", "0X1f", "-0x1f", "0b101", "+0b1_0", "010", "-010", "0_7", "1_000", "+1_000", "1__", "-_", "+_",
    # infinities and not-a-number, in any case
    ".inf", ".Inf", ".INF", ".iNf", "-.inf", "+.INF", ".nan", ".NaN", ".NAN", ".nAn",
    # dates and timestamps
    "2002-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.10Z", "2001-12-14 21:59:43.10 -5",
    "2001-12-15 2:59:43.10", "2001-12-14\t21:59:43.10",
    # floats
    "1e3", "1E3", "1_0e3", ".5", "+.5", "._", "+1", "-1", "1.", "6.8523015e+5", "685.230_15e+03", "1.0e+16", "0.5",
]
# Near misses that every reader takes as text: the writer leaves them plain.
YAML11_STRINGS = ["yes sir", "Yes!", "ON AIR", "nope", "y2k", "0:20", "1.2.3", "2024-1-1", "12:60", "1:2:3:x", "_1", "e3", "0xg", "."]


def pyyaml_docs(text: str) -> list[Any]:
    return list(yaml.safe_load_all(text))


def ruamel_docs(text: str, version: tuple[int, int] | None) -> list[Any]:
    reader = YAML(typ="safe", pure=version is not None)
    if version is not None:
        reader.version = version
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ruamel only warns about a 1.1 float without a dot: fail on it
        return list(reader.load_all(text))


def at(data: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


def assert_reads_the_same_everywhere(text: str) -> list[Item]:
    """qbank's loader, PyYAML (YAML 1.1) and ruamel (1.2, and 1.1) read the same strings from ``text``."""
    ours = reload(text)
    assert not ours.problems, (text, ours.problems)
    readers = {"pyyaml": pyyaml_docs(text), "ruamel 1.2": ruamel_docs(text, None), "ruamel 1.1": ruamel_docs(text, (1, 1))}
    for name, docs in readers.items():
        assert len(docs) == len(ours.items), name
        for entry, data in zip(ours.items, docs):
            for path, value in text_fields(entry.item) + [(("id",), entry.item.id)]:
                got = at(data, path)
                assert type(got) is str and got == value, (name, path, value, got, text)
            # And the rest (numbers, booleans, keys, structure) reads the same as what was written.
            assert data == item_data(entry.item), (name, text)
    return [entry.item for entry in ours.items]


@pytest.mark.parametrize("word", YAML11_SPECIALS)
def test_words_yaml_1_1_reads_as_other_types_are_quoted(word: str) -> None:
    item = ITEM_ADAPTER.validate_python(
        {
            "id": "q1", "type": "multiple_choice", "title": word, "stem": word, "author": word, "tags": [word, "core"],
            "options": [{"text": word, "correct": True, "rationale": word}, {"text": "other"}],
        }
    )
    text = dump_items([(item, None)])
    quoted = '"' + word.replace("\t", "\\t") + '"'
    assert f"  - text: {quoted}\n" in text and f"\ntitle: {quoted}\n" in text
    assert assert_reads_the_same_everywhere(text) == [item]


@pytest.mark.parametrize("word", YAML11_STRINGS)
def test_near_misses_stay_plain(word: str) -> None:
    item = ITEM_ADAPTER.validate_python({"id": "q1", "type": "essay", "stem": word, "title": word})
    text = dump_items([(item, None)])
    assert f"\nstem: {word}\n" in text and f"\ntitle: {word}\n" in text
    assert assert_reads_the_same_everywhere(text) == [item]


def test_flow_lists_quote_their_elements_too() -> None:
    plain = ITEM_ADAPTER.validate_python({"id": "q1", "type": "short_answer", "stem": "S", "answers": ["alpha", "beta"], "tags": ["a", "b"]})
    assert "answers: [alpha, beta]\n" in dump_items([(plain, None)])  # short word lists stay inline
    for word in ("yes", "No", "on", "y", "null", "true", "ON"):
        item = ITEM_ADAPTER.validate_python(
            {"id": "q1", "type": "short_answer", "stem": "S", "answers": ["alpha", word], "tags": [word, "b"], "references": [word]}
        )
        text = dump_items([(item, None)])
        assert f"[alpha, {word}]" not in text and f"[{word}, b]" not in text and f"[{word}]" not in text
        assert assert_reads_the_same_everywhere(text) == [item]


def test_ids_and_language_codes_are_quoted_when_yaml_1_1_reads_them_otherwise() -> None:
    # `no` is Norwegian; GIFT titles and Moodle idnumbers become ids, and `010` or `2024-01-01` are valid ids.
    for ident in ("no", "Yes", "010", "1_000", "2024-01-01", "0x1F", "1.5", "1e3"):
        item = ITEM_ADAPTER.validate_python({"id": ident, "type": "essay", "stem": "S", "language": "no"})
        text = dump_items([(item, None)])
        assert f'id: "{ident}"\n' in text and 'language: "no"\n' in text
        assert assert_reads_the_same_everywhere(text) == [item]


def test_every_key_the_writer_can_emit_is_a_string_in_every_reader() -> None:
    """Keys come from the model's field names, never from data; none of them needs quotes (the writer
    would quote one that did, as it does values)."""
    for model in [*MODELS.values(), Option, Pair, LintSettings]:
        for name in model.model_fields:
            assert resolve_plain(name) == name and yaml.safe_load(f"{name}: 1") == {name: 1}, name


@pytest.mark.parametrize("value", [1e16, -1e16, 1.5e-07, 2.5e20, 1e-05, 123.456, 0.001, 1e300])
def test_floats_read_as_floats_in_yaml_1_1(value: float) -> None:
    """repr() writes 1e-05, which YAML 1.1 (no dot in the mantissa) reads as a string."""
    item = ITEM_ADAPTER.validate_python({"id": "q1", "type": "numerical", "stem": "S", "answer": value, "tolerance": value if value > 0 else 0})
    text = dump_items([(item, None)])
    assert yaml.safe_load(text)["answer"] == value
    assert assert_reads_the_same_everywhere(text) == [item]


# Text fields: the special words alone, mixed with arbitrary text, and glued to it.
_specials = st.sampled_from(YAML11_SPECIALS + YAML11_STRINGS)
_tricky = st.one_of(_specials, _any_text, st.builds(lambda a, b: a + b, _specials, st.sampled_from(["", " ", ":", "0", "e3", ".5", "_"])))
_tricky_ids = st.one_of(_specials.filter(lambda w: re.fullmatch(ID_PATTERN, w) is not None), st.from_regex(ID_PATTERN, fullmatch=True))


@settings(max_examples=300, deadline=None)
@given(
    ident=_tricky_ids, stem=_tricky, title=_tricky, option=_tricky, rationale=_tricky, author=_tricky,
    tags=st.lists(_tricky, max_size=3), references=st.lists(_specials, max_size=3),
    answers=st.lists(_tricky, min_size=1, max_size=3), language=st.sampled_from(["no", "NO", "on", "yes", "off", "en", "nb-NO"]),
)
def test_tricky_text_reads_the_same_in_yaml_1_1_and_1_2(
    ident: str, stem: str, title: str, option: str, rationale: str, author: str,
    tags: list[str], references: list[str], answers: list[str], language: str,
) -> None:
    common = {"title": title, "author": author, "tags": tags, "references": references, "objectives": answers, "language": language}
    items = [
        ITEM_ADAPTER.validate_python(
            {"id": ident, "type": "multiple_choice", "stem": stem, **common,
             "options": [{"text": option, "correct": True, "rationale": rationale}, {"text": stem}]}
        ),
        ITEM_ADAPTER.validate_python({"id": "q2", "type": "short_answer", "stem": option, "answers": answers, **common}),
        ITEM_ADAPTER.validate_python(
            {"id": "q3", "type": "matching", "stem": rationale, "pairs": [{"prompt": title, "match": author}], "distractors": tags}
        ),
    ]
    text = dump_items([(it, comment) for it, comment in zip(items, [None, "yes", "= 1:20"])])
    assert assert_reads_the_same_everywhere(text) == items


@settings(max_examples=60, deadline=None)
@given(banks(max_size=4))
def test_generated_banks_read_the_same_in_yaml_1_1_and_1_2(items: list) -> None:  # type: ignore[type-arg]
    assert assert_reads_the_same_everywhere(dump_items([(it, None) for it in items])) == items


# --- through the CLI: GIFT files whose answers are YAML 1.1 specials ------------------------------------

GIFT_SOURCES = {
    # In GIFT, = ~ : # { } and \ are escaped with a backslash.
    "equals": ("::q-equals:: Which sign means equality? {=\\= ~\\~ ~<<}", ["=", "~", "<<"]),
    "specials": ("::q-specials:: Pick one. {=yes ~1\\:20 ~2024-01-01 ~on ~010 ~.inf}", ["yes", "1:20", "2024-01-01", "on", "010", ".inf"]),
}


@pytest.mark.parametrize("case", sorted(GIFT_SOURCES))
def test_imported_gift_reads_the_same_in_pyyaml(case: str, tmp_path: Path) -> None:
    source_text, options = GIFT_SOURCES[case]
    source = tmp_path / "f.gift"
    source.write_text(source_text + "\n", encoding="utf-8")
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    [written] = sorted(out.rglob("*.yaml"))
    text = written.read_text(encoding="utf-8")
    data = yaml.safe_load(text)  # PyYAML: YAML 1.1, like yamllint
    assert [o["text"] for o in data["options"]] == options, text
    [item] = assert_reads_the_same_everywhere(text)  # and qbank's loader reads the same text
    assert [o.text for o in item.options] == options  # type: ignore[union-attr]
    lint = runner.invoke(main, ["lint", "--no-cache", "--select", "QB001,QB002", str(out)])
    assert lint.exit_code == 0, lint.output
    assert "Traceback" not in lint.output


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_source_comment_leaves_the_file_readable(comment: str) -> None:
    """A comment copied from a stranger's file (control characters, odd line breaks) never breaks the YAML."""
    item = ITEM_ADAPTER.validate_python({"id": "c1", "type": "essay", "stem": "Describe a recovery goal."})
    text = dump_items([(item, comment)])
    result = LoadResult()
    load_text(text, "c1.yaml", result)
    assert not result.problems, (comment, text)
    assert [e.item for e in result.items] == [item]
    assert list(yaml.safe_load_all(text)) == [{"id": "c1", "type": "essay", "stem": "Describe a recovery goal."}]
