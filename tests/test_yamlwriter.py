"""The YAML writer: what it writes loads back to the same items, and reads like hand-written YAML."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qbank.loader import LoadResult, load_text
from qbank.yamlwriter import dump_items
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
    from qbank.model import ITEM_ADAPTER

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
    from qbank.model import ITEM_ADAPTER

    item = ITEM_ADAPTER.validate_python({"id": "q1", "type": "essay", "stem": text, "guidance": text, "tags": [text]})
    result = reload(dump_items([(item, None)]))
    assert not result.problems, (dump_items([(item, None)]), result.problems)
    assert result.items[0].item == item
